//! Issue 9: the packages read and checked before anything is written (pre-flight), the
//! simulator's pre-processing reading them too, the submission read back and compared
//! after pre-processing (verification), and every status code reported with what it means.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::packages::{Bundle, IDENTITY_NAME, Msix, PUBLISHER, hand_zipped_upload, upload};
use crate::util::*;

/// The docs' published package: contoso_app.appx, 1.0.0.0, ARM, Windows.Mobile.
fn docs_package() -> Value {
    sample("app-submission-application-packages-fragment.json")["applicationPackages"][0].clone()
}

fn seed_published(sim: &Simulator, packages: Value) {
    sim.post(
        "/_simulator/published-packages",
        json!({"appId": APP_ID, "packages": packages}),
    );
}

fn published_entry(name: &str, version: &str, arch: &str, families: &[&str]) -> Value {
    json!({
        "fileName": name, "fileStatus": "Uploaded", "id": "1152921504620138797",
        "version": version, "architecture": arch, "languages": ["en-us"], "capabilities": [],
        "minimumDirectXVersion": "None", "minimumSystemRam": "None",
        "targetDeviceFamilies": families.iter().map(|f| format!("{f} min version 10.0.17763.0")).collect::<Vec<_>>(),
    })
}

fn no_writes(sim: &Simulator) {
    assert!(
        sim.writes().is_empty(),
        "writes were made: {:?}",
        sim.writes()
    );
}

#[test]
fn the_quick_start_passes_the_checks_and_is_verified() {
    // README's quick start, with the example package itself, waiting past pre-processing.
    let ws = Workspace::new();
    ws.write(
        "ContosoReader_1.0.1.0_x64.msix",
        &std::fs::read(EXAMPLE_PACKAGE).unwrap(),
    );
    let out = Run::new(&ws)
        .github(&ws)
        .args(["submit", "--simulate", "true", "--app-id", APP_ID])
        .args(["--packages", "ContosoReader_1.0.1.0_x64.msix"])
        .args([
            "--wait-for",
            "certified",
            "--simulator-phase",
            "100ms",
            "--poll-interval",
            "100ms",
        ])
        .run();
    out.assert_code(0);
    assert!(
        out.stdout.contains("all pre-flight checks passed"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains(&format!(
            "package ContosoReader_1.0.1.0_x64.msix: {IDENTITY_NAME} 1.0.1.0 x64 (Windows.Desktop ≥ 10.0.17763.0) by {PUBLISHER}"
        )),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("verified: the submission's packages"),
        "{}",
        out.log()
    );
    assert!(
        out.summary
            .contains("| Pre-flight | passed (1 package(s) read) |"),
        "{}",
        out.summary
    );
    assert!(
        out.summary.contains("| Verified | packages as uploaded"),
        "{}",
        out.summary
    );
    assert!(
        out.summary
            .contains("1.0.1.0 x64 (Windows.Desktop ≥ 10.0.17763.0)"),
        "{}",
        out.summary
    );
    // The timeline lists each status seen, in order (polls may skip a short phase).
    let timeline = out
        .summary
        .split("**Status timeline**")
        .nth(1)
        .expect("a timeline");
    let order: Vec<usize> = ["`CommitStarted`", "`Release`"]
        .iter()
        .map(|s| {
            timeline
                .find(s)
                .unwrap_or_else(|| panic!("{s} in {timeline}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{timeline}");
}

#[test]
fn identity_mismatch_stops_before_any_write() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write(
        "Other_1.0.1.0_x64.msix",
        &Msix::new("1.0.1.0", "x64")
            .name("Fabrikam.Reader")
            .publisher("CN=Fabrikam")
            .bytes(),
    );
    let out = submit(&sim, &ws, &["--packages", "Other_1.0.1.0_x64.msix"]);
    out.assert_code(2);
    no_writes(&sim);
    for expected in [
        "identity name `Fabrikam.Reader`",
        &format!("reserved as `{IDENTITY_NAME}`"),
        "publisher `CN=Fabrikam`",
        "::error title=Invalid input::",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.log());
    }
    assert!(
        out.summary.contains("**failed**: 2 error(s)"),
        "{}",
        out.summary
    );
    assert!(out.summary.contains("error (identity)"), "{}", out.summary);
}

#[test]
fn a_version_not_above_the_published_one_is_refused() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // The published package is 1.0.0.0 x64 desktop: re-shipping it is the stale-version
    // mistake.
    ws.package("ContosoReader_1.0.0.0_x64.msix");
    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(2);
    no_writes(&sim);
    assert!(
        out.stdout
            .contains("is version 1.0.0.0 (x64), not higher than 1.0.0.0 of contoso_app.appx"),
        "{}",
        out.log()
    );
    // Another architecture's version does not count.
    ws.package("ContosoReader_1.0.0.0_arm64.msix");
    std::fs::remove_file(ws.path().join("ContosoReader_1.0.0.0_x64.msix")).unwrap();
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--package-mode",
            "add",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
}

#[test]
fn dropping_the_docs_arm_mobile_package_needs_add_mode_or_the_override() {
    let sim = Simulator::start();
    seed_published(&sim, json!([docs_package()]));
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");

    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(2);
    no_writes(&sim);
    for expected in [
        "input `allow-dropped-platforms`",
        "do not serve architecture arm",
        "do not serve device family Windows.Mobile",
        "contoso_app.appx",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.log());
    }

    // add: the old package stays, so ARM phones keep the old version: a warning.
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--package-mode",
            "add",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    assert!(out.stdout.contains("::warning::"), "{}", out.log());
    assert!(out.stdout.contains("keep the old version"), "{}", out.log());
    assert!(
        out.summary
            .contains("| Pre-flight | passed with 2 warning(s) |"),
        "{}",
        out.summary
    );

    // replace, meant: the override turns the error into a warning.
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--allow-dropped-platforms",
            "true",
            "--on-pending",
            "delete",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("it is dropped, as `allow-dropped-platforms` allows"),
        "{}",
        out.log()
    );
}

#[test]
fn duplicates_and_unreadable_packages_are_input_problems_before_the_network() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let twin = Msix::new("1.2.0.0", "x64").bytes();
    ws.write("a/ContosoReader.msix", &twin);
    ws.write("b/ContosoReader-copy.msix", &twin);
    // A zip renamed to .msix: no block map.
    let manifest = Msix::new("1.3.0.0", "x64").manifest();
    let renamed = crate::util::zip_of(&[("AppxManifest.xml", manifest.as_bytes())]);
    ws.write("Renamed.msix", &renamed);
    ws.write(
        "Handmade.msixupload",
        &hand_zipped_upload(&[&Msix::new("1.3.0.0", "x64"), &Msix::new("1.3.0.0", "arm64")]),
    );
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "a/*.msix,b/*.msix,Renamed.msix,Handmade.msixupload",
        ])
        .run();
    out.assert_code(2);
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
    for expected in [
        &format!(
            "ContosoReader-copy.msix and ContosoReader.msix both hold {IDENTITY_NAME} 1.2.0.0 x64"
        ),
        "Renamed.msix: it has no AppxBlockMap.xml",
        "Handmade.msixupload: it holds 2 packages",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.log());
    }
}

#[test]
fn a_loose_package_after_a_bundle_is_a_warning() {
    let sim = Simulator::start();
    seed_published(
        &sim,
        json!([published_entry(
            "ContosoReader_1.0.0.0_x64_arm64.msixbundle",
            "1.0.0.0",
            "Neutral",
            &["Windows.Desktop"]
        )]),
    );
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("is a loose x64 package, but the published submission ships the bundle"),
        "{}",
        out.log()
    );
    assert!(
        out.summary.contains("warning (bundle to loose)"),
        "{}",
        out.summary
    );
}

#[test]
fn bundles_and_uploads_are_read_processed_and_verified() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let bundle = Bundle::new("1.1.0.0", &["x64", "arm64"]);
    ws.write(&bundle.file_name(), &bundle.bytes());
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msixbundle", "--wait-for", "certified"],
    );
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("bundle 1.1.0.0: arm64, x64 (Windows.Desktop ≥ 10.0.17763.0)"),
        "{}",
        out.log()
    );
    let stored = sim.submission(out.output("submission-id"));
    let entry = stored["applicationPackages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["fileName"] == bundle.file_name().as_str())
        .unwrap()
        .clone();
    // What the service shows once pre-processing is done (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
    assert_eq!(entry["version"], "1.1.0.0");
    assert_eq!(entry["architecture"], "Neutral");
    assert_eq!(
        entry["targetDeviceFamilies"],
        json!(["Windows.Desktop min version 10.0.17763.0"])
    );
    assert_eq!(entry["languages"], json!(["en-us"]));
    assert_eq!(entry["capabilities"], json!(["runFullTrust"]));

    // An upload holding a bundle and symbols: its entry describes the bundle. (A new
    // simulator: the first submission waits in Release, pending, and cannot be deleted.)
    let sim = Simulator::start();
    let next = Bundle::new("1.2.0.0", &["x64", "arm64"]);
    ws.write(
        "ContosoReader_1.2.0.0.msixupload",
        &upload(
            &next.file_name(),
            &next.bytes(),
            &["ContosoReader_x64.appxsym"],
        ),
    );
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msixupload", "--wait-for", "certified"],
    );
    out.assert_code(0);
    assert!(
        out.stdout.contains("in an upload with 1 symbol file(s)"),
        "{}",
        out.log()
    );
    let stored = sim.submission(out.output("submission-id"));
    let entry = stored["applicationPackages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["fileName"] == "ContosoReader_1.2.0.0.msixupload")
        .unwrap()
        .clone();
    assert_eq!(entry["version"], "1.2.0.0");
    assert_eq!(entry["architecture"], "Neutral");
}

#[test]
fn flight_packages_are_checked_against_their_app() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write(
        "Flight_1.1.0.0_x64.msix",
        &Msix::new("1.1.0.0", "x64").publisher("CN=Fabrikam").bytes(),
    );
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "myflight",
            "--packages",
            "*.msix",
        ])
        .run();
    out.assert_code(2);
    no_writes(&sim);
    assert!(
        out.stdout.contains("publisher `CN=Fabrikam`"),
        "{}",
        out.log()
    );
}

/// Creates a submission through the API, as a client without pre-flight would, puts
/// `files` in it as new packages, uploads them, commits, and waits for a final status.
fn commit_by_hand(sim: &Simulator, files: &[(&str, Vec<u8>)]) -> Value {
    let (status, created) = sim.api("POST", &format!("applications/{APP_ID}/submissions"), None);
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut submission = created.clone();
    let packages = submission["applicationPackages"].as_array_mut().unwrap();
    for package in packages.iter_mut() {
        package["fileStatus"] = json!("PendingDelete");
    }
    for (name, _) in files {
        packages.push(json!({"fileName": name, "fileStatus": "PendingUpload", "minimumDirectXVersion": "None", "minimumSystemRam": "None"}));
    }
    let path = format!("applications/{APP_ID}/submissions/{id}");
    let (status, body) = sim.api("PUT", &path, Some(submission));
    assert_eq!(status, 200, "{body}");
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, &b[..])).collect();
    let zip = crate::util::zip_of(&entries);
    let url = created["fileUploadUrl"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    ureq::put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .send(&zip[..])
        .expect("upload");
    let (status, body) = sim.api("POST", &format!("{path}/commit"), None);
    assert_eq!(status, 200, "{body}");
    let started = Instant::now();
    loop {
        let (_, now) = sim.api("GET", &format!("{path}/status"), None);
        let status = now["status"].as_str().unwrap_or_default().to_string();
        if status.ends_with("Failed") || status == "Release" {
            return sim.submission(&id);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "stuck in {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_simulator_fails_packages_the_way_the_store_does() {
    let sim = Simulator::start();
    // Another publisher: PreProcessingFailed, PackageValidationFailed.
    let failed = commit_by_hand(
        &sim,
        &[(
            "Fabrikam.msix",
            Msix::new("1.1.0.0", "x64").publisher("CN=Fabrikam").bytes(),
        )],
    );
    assert_eq!(failed["status"], "PreProcessingFailed");
    let errors = &failed["statusDetails"]["errors"];
    assert_eq!(errors[0]["code"], "PackageValidationFailed", "{errors}");
    assert!(
        errors[0]["details"]
            .as_str()
            .unwrap()
            .contains("CN=Fabrikam")
    );
    sim.api(
        "DELETE",
        &format!(
            "applications/{APP_ID}/submissions/{}",
            failed["id"].as_str().unwrap()
        ),
        None,
    );

    // The published version again: refused too.
    let failed = commit_by_hand(&sim, &[("Stale.msix", Msix::new("1.0.0.0", "x64").bytes())]);
    assert_eq!(failed["status"], "PreProcessingFailed");
    assert!(
        failed["statusDetails"]["errors"][0]["details"]
            .as_str()
            .unwrap()
            .contains("not higher than 1.0.0.0"),
        "{failed}"
    );
    sim.api(
        "DELETE",
        &format!(
            "applications/{APP_ID}/submissions/{}",
            failed["id"].as_str().unwrap()
        ),
        None,
    );

    // Two loose packages zipped as an upload: discarded without a word, the old package
    // marked for deletion stays marked (XTimelineViewer#150).
    let quiet = commit_by_hand(
        &sim,
        &[(
            "Handmade.msixupload",
            hand_zipped_upload(&[&Msix::new("1.3.0.0", "x64"), &Msix::new("1.3.0.0", "arm64")]),
        )],
    );
    assert_eq!(quiet["status"], "Release");
    assert_eq!(quiet["statusDetails"]["errors"], json!([]));
    assert_eq!(
        packages(&quiet),
        [("contoso_app.appx".to_string(), "PendingDelete".to_string())]
    );
}

#[test]
fn verification_catches_a_package_the_service_dropped() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    sim.post(
        "/_simulator/processing",
        json!({"dropPackages": ["ContosoReader_1.0.1.0_x64.msix"]}),
    );
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--wait-for", "certified"],
    );
    out.assert_code(5);
    for expected in [
        "does not hold the packages this run left in it",
        "ContosoReader_1.0.1.0_x64.msix  new 1.0.1.0 x64  missing",
        "DIFFERS",
        "Partner Center dropped or changed a package without an error",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.log());
    }
    assert!(
        out.summary.contains("**Packages after processing**"),
        "{}",
        out.summary
    );
    assert!(
        out.summary
            .contains("| `ContosoReader_1.0.1.0_x64.msix` | new 1.0.1.0 x64 | missing | **✗** |"),
        "{}",
        out.summary
    );

    // A kept package the service lost (add mode) is caught too.
    let sim = Simulator::start();
    sim.post(
        "/_simulator/processing",
        json!({"dropPackages": ["contoso_app.appx"]}),
    );
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--package-mode",
            "add",
            "--wait-for",
            "certified",
        ],
    );
    out.assert_code(5);
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains("contoso_app.appx") && l.contains("DIFFERS"))
        .unwrap_or_else(|| panic!("no row for the kept package\n{}", out.log()));
    assert!(
        row.contains("kept 1.0.0.0 x64") && row.contains("missing"),
        "{row}"
    );
}

/// Every documented code (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions), errors and warnings.
const CODES: &[&str] = &[
    "None",
    "InvalidArchive",
    "MissingFiles",
    "PackageValidationFailed",
    "InvalidParameterValue",
    "InvalidOperation",
    "InvalidState",
    "ResourceNotFound",
    "ServiceError",
    "ListingOptOutWarning",
    "ListingOptInWarning",
    "UpdateOnlyWarning",
    "Other",
    "PackageValidationWarning",
    "InvalidMicrosoftAgeRating",
];

#[test]
fn every_status_code_is_shown_in_full_and_explained() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let detail = |code: &str| format!("{code} details: {}", "a long text ".repeat(30));
    let (warnings, errors): (Vec<&str>, Vec<&str>) =
        CODES.iter().partition(|c| c.ends_with("Warning"));
    let report = "https://partner.microsoft.com/dashboard/report/1?lang=en-us";
    sim.post(
        "/_simulator/processing",
        json!({
            "failAt": "Certification",
            "errors": errors.iter().map(|c| json!({"code": c, "details": detail(c)})).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(|c| json!({"code": c, "details": detail(c)})).collect::<Vec<_>>(),
            "certificationReports": [{"date": "2026-03-01T10:00:00Z", "reportUrl": report}],
        }),
    );
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--wait-for", "certified"],
    );
    out.assert_code(5);
    assert_eq!(out.output("status"), "CertificationFailed");
    let explanations = msstore_submit::api::status_codes::KNOWN;
    for code in CODES {
        let (_, explanation) = explanations.iter().find(|(c, _)| c == code).unwrap();
        let kind = if code.ends_with("Warning") {
            "warning"
        } else {
            "error"
        };
        assert!(
            out.stdout
                .contains(&format!("{kind} {code}: {}", detail(code))),
            "{code} in full\n{}",
            out.log()
        );
        assert!(
            out.stdout.contains(explanation),
            "{code} explained\n{}",
            out.log()
        );
        assert!(
            out.summary.contains(&format!("`{code}`")),
            "{code}\n{}",
            out.summary
        );
    }
    assert!(
        out.stdout.contains(&format!(
            "certification report of 2026-03-01T10:00:00Z: {report}"
        )),
        "{}",
        out.log()
    );
    assert!(
        out.summary.contains(&format!("]({report})")),
        "{}",
        out.summary
    );
    assert!(
        out.summary.contains("`CertificationFailed`"),
        "{}",
        out.summary
    );

    // `status` on the failed submission says the same.
    let out = Run::against(&ws, &sim)
        .args(["status", "--app-id", APP_ID])
        .run();
    out.assert_code(0);
    assert!(
        out.stderr.contains("error InvalidMicrosoftAgeRating: "),
        "{}",
        out.log()
    );
    assert!(
        out.stderr.contains("complete its first submission"),
        "{}",
        out.log()
    );
}

#[test]
fn a_failure_at_each_stage_shows_its_status_and_code() {
    let sim = Simulator::start();
    for (stage, status, wait_for) in [
        ("Commit", "CommitFailed", "committed"),
        ("PreProcessing", "PreProcessingFailed", "certified"),
        ("Publishing", "PublishFailed", "published"),
    ] {
        let ws = Workspace::new();
        ws.package("ContosoReader_1.0.1.0_x64.msix");
        sim.post(
            "/_simulator/processing",
            json!({"failAt": stage, "errors": [{"code": "ServiceError", "details": format!("failed at {stage}")}]}),
        );
        let out = submit(
            &sim,
            &ws,
            &[
                "--packages",
                "*.msix",
                "--wait-for",
                wait_for,
                "--on-pending",
                "delete",
                // Published on its own, so that publishing can fail.
                "--submission-patch",
                r#"{"targetPublishMode": "Immediate"}"#,
            ],
        );
        out.assert_code(5);
        assert_eq!(out.output("status"), status, "{}", out.log());
        assert!(
            out.stdout
                .contains(&format!("error ServiceError: failed at {stage}")),
            "{}",
            out.log()
        );
        assert!(
            out.stdout.contains("An error inside Partner Center"),
            "{}",
            out.log()
        );
    }
}

#[test]
fn a_neutral_universal_package_serves_what_the_docs_package_served() {
    let sim = Simulator::start();
    seed_published(&sim, json!([docs_package()]));
    let ws = Workspace::new();
    let package =
        Msix::new("1.0.1.0", "neutral").families(&[("Windows.Universal", "10.0.10240.0")]);
    ws.write("ContosoReader_1.0.1.0_neutral.msix", &package.bytes());
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--wait-for", "certified"],
    );
    out.assert_code(0);
    assert!(
        out.stdout.contains("all pre-flight checks passed"),
        "{}",
        out.log()
    );
    let stored = sim.submission(out.output("submission-id"));
    let entry = &stored["applicationPackages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["fileName"] == "ContosoReader_1.0.1.0_neutral.msix")
        .unwrap()
        .clone();
    assert_eq!(entry["architecture"], "Neutral");
    assert_eq!(
        entry["targetDeviceFamilies"],
        json!(["Windows.Universal min version 10.0.10240.0"])
    );
}

#[test]
fn json_output_carries_the_preflight_and_the_verification() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--wait-for",
            "certified",
            "--output",
            "json",
        ])
        .run();
    out.assert_code(0);
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let preflight = &result["preflight"];
    assert_eq!(preflight["findings"], json!([]));
    assert_eq!(preflight["packages"][0]["version"], "1.0.1.0");
    assert_eq!(preflight["packages"][0]["architecture"], "x64");
    assert_eq!(preflight["published"][0]["fileName"], "contoso_app.appx");
    let rows = result["verification"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r["ok"] == true), "{rows:?}");
}

#[test]
fn a_dry_run_shows_the_checks_and_stops_where_the_run_would() {
    let sim = Simulator::start();
    seed_published(&sim, json!([docs_package()]));
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--package-mode",
            "add",
            "--dry-run",
            "true",
        ],
    );
    out.assert_code(0);
    no_writes(&sim);
    assert!(out.stdout.contains("keep the old version"), "{}", out.log());
    assert!(
        out.summary
            .contains("| Pre-flight | passed with 2 warning(s) |"),
        "{}",
        out.summary
    );
    assert!(out.summary.contains("**Plan (dry run"), "{}", out.summary);
    assert!(
        out.summary.contains("warning (coverage)"),
        "{}",
        out.summary
    );

    // What the real run would refuse, the dry run refuses too.
    let out = submit(&sim, &ws, &["--packages", "*.msix", "--dry-run", "true"]);
    out.assert_code(2);
    no_writes(&sim);
    assert!(
        out.stdout.contains("input `allow-dropped-platforms`"),
        "{}",
        out.log()
    );
}
