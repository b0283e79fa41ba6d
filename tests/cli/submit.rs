//! App submissions end to end: replace and add modes, field preservation, pending
//! submissions, drafts, and a commit that fails on the server.

use serde_json::{Value, json};

use crate::util::*;

fn published_submission(sim: &Simulator) -> Value {
    let app = sim.app(APP_ID);
    let id = app["lastPublishedApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.submission(&id)
}

#[test]
fn replace_mode_submission_end_to_end() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("build/ContosoReader_1.0.1.0_x64.msix");
    ws.package("build/ContosoReader_1.0.1.0_arm64.msix");
    ws.write("build/notes.txt", b"not a package, not matched");
    // Inputs as the GitHub runner passes them: hyphens kept, every declared input set,
    // empty ones as "".
    let mut run = Run::against(&ws, &sim);
    let out = run
        .github(&ws)
        .env("INPUT_APP-ID", APP_ID)
        .env("INPUT_PACKAGES", "build/*_x64.msix\nbuild/*_arm64.msix\n")
        .env("INPUT_RELEASE-NOTES", "Faster page turns")
        .env("INPUT_ON-PENDING", "")
        .env("INPUT_SUBMISSION-PATCH", "")
        .env("INPUT_WAIT-FOR", "committed")
        .run();
    out.assert_code(0);

    let id = out.output("submission-id").to_string();
    assert!(
        id.len() >= 19 && id.chars().all(|c| c.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(
        out.output("submission-url"),
        format!("https://partner.microsoft.com/dashboard/products/{APP_ID}/submissions/{id}/")
    );
    // Committed and left CommitStarted: PreProcessing or later (the seed publishes
    // manually, so it stops at Release).
    assert!(
        ["PreProcessing", "Certification", "Release"].contains(&out.output("status")),
        "{}",
        out.output("status")
    );
    let details: Value = serde_json::from_str(out.output("status-details")).unwrap();
    assert_eq!(details["errors"], json!([]));
    assert_eq!(
        serde_json::from_str::<Value>(out.output("packages")).unwrap(),
        json!([
            "ContosoReader_1.0.1.0_arm64.msix",
            "ContosoReader_1.0.1.0_x64.msix"
        ])
    );

    let stored = sim.submission(&id);
    assert_eq!(
        packages(&stored),
        [
            ("contoso_app.appx".to_string(), "PendingDelete".to_string()),
            (
                "ContosoReader_1.0.1.0_arm64.msix".into(),
                "PendingUpload".into()
            ),
            (
                "ContosoReader_1.0.1.0_x64.msix".into(),
                "PendingUpload".into()
            ),
        ]
    );
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "Faster page turns"
    );

    // The zip on disk, its outputs, and what reached the blob are the same bytes.
    let zip_path = std::path::PathBuf::from(out.output("zip-path"));
    let on_disk = std::fs::read(&zip_path).unwrap();
    assert_eq!(out.output("zip-sha256"), sha256_hex(&on_disk));
    assert_eq!(out.output("zip-size"), on_disk.len().to_string());
    let uploaded = sim.uploaded_zip(&stored);
    assert_eq!(sha256_hex(&uploaded), out.output("zip-sha256"));
    assert_eq!(
        zip_entries(&uploaded),
        [
            "ContosoReader_1.0.1.0_arm64.msix",
            "ContosoReader_1.0.1.0_x64.msix"
        ]
    );
    let _ = std::fs::remove_file(zip_path);

    // Exactly one submission was created, and the app points at it.
    let writes = sim.writes();
    assert_eq!(
        writes
            .iter()
            .filter(|w| w.starts_with("POST") && w.ends_with("/submissions"))
            .count(),
        1,
        "{writes:?}"
    );
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"],
        json!(id)
    );
    assert!(out.summary.contains(&id), "{}", out.summary);
}

#[test]
fn add_mode_keeps_the_published_packages() {
    let sim = Simulator::start();
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
            "--zip-path",
            "upload.zip",
        ],
    );
    out.assert_code(0);
    let stored = sim.submission(out.output("submission-id"));
    assert_eq!(
        packages(&stored),
        [
            ("contoso_app.appx".to_string(), "Uploaded".to_string()),
            (
                "ContosoReader_1.0.1.0_x64.msix".into(),
                "PendingUpload".into()
            ),
        ]
    );
    assert_eq!(
        out.output("zip-path"),
        ws.path().join("upload.zip").display().to_string()
    );
    assert_eq!(
        zip_entries(&std::fs::read(ws.path().join("upload.zip")).unwrap()),
        ["ContosoReader_1.0.1.0_x64.msix"]
    );
}

#[test]
fn fields_the_client_does_not_know_survive_the_round_trip() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let before = published_submission(&sim);
    // The seed carries fields no client code knows about.
    assert_eq!(before["contosoFutureSettings"]["threshold"], json!(0.25));
    let out = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    out.assert_code(0);
    let after = sim.submission(out.output("submission-id"));

    // Everything is as cloned, except what the run changed and what the server owns.
    let strip = |mut v: Value| {
        let o = v.as_object_mut().unwrap();
        for field in [
            "id",
            "status",
            "statusDetails",
            "fileUploadUrl",
            "friendlyName",
            "applicationPackages",
        ] {
            o.remove(field);
        }
        v
    };
    assert_eq!(strip(after.clone()), strip(before.clone()));
    assert_eq!(after["isSeekEnabled"], json!(false));
    assert_eq!(
        after["listings"]["en-us"]["baseListing"]["contosoAccessibilityNotes"],
        "Screen reader tested"
    );
    // The old package keeps its unknown fields too, now marked for deletion.
    let old = &after["applicationPackages"][0];
    assert_eq!(
        old["contosoBuildInfo"],
        before["applicationPackages"][0]["contosoBuildInfo"]
    );
    assert_eq!(old["fileStatus"], "PendingDelete");
}

#[test]
fn commit_false_leaves_a_draft() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    out.assert_code(0);
    assert_eq!(out.output("status"), "PendingCommit");
    let id = out.output("submission-id");
    assert_eq!(sim.submission(id)["status"], "PendingCommit");
    assert!(
        !sim.writes().iter().any(|w| w.ends_with("/commit")),
        "{:?}",
        sim.writes()
    );
}

#[test]
fn a_pending_submission_fails_by_default_and_nothing_changes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let draft = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    draft.assert_code(0);
    let pending = draft.output("submission-id").to_string();
    let state_before = sim.state();
    let writes_before = sim.writes();

    // Other inputs (another package): not a re-run of the draft's run.
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let out = submit(&sim, &ws, &["--packages", "ContosoReader_1.0.2.0_x64.msix"]);
    out.assert_code(4);
    assert!(out.stdout.contains(&pending), "{}", out.log());
    assert!(out.stdout.contains("on-pending"), "{}", out.log());
    assert!(out.stdout.contains("::error title="), "{}", out.log());
    assert_eq!(sim.writes(), writes_before);
    assert_eq!(sim.state()["submissions"], state_before["submissions"]);
}

#[test]
fn on_pending_delete_replaces_the_pending_submission() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let draft = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    let old = draft.output("submission-id").to_string();

    // Other inputs: the pending draft is not this run's, so `on-pending` decides.
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--on-pending",
            "delete",
        ],
    );
    out.assert_code(0);
    let new = out.output("submission-id");
    assert_ne!(new, old);
    assert!(sim.state()["submissions"].get(&old).is_none());
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"],
        json!(new)
    );
    assert!(sim.writes().contains(&format!(
        "DELETE /v1.0/my/applications/{APP_ID}/submissions/{old}"
    )));
}

#[test]
fn on_pending_reuse_continues_the_pending_submission() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let draft = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--commit",
            "false",
            "--release-notes",
            "first",
        ],
    );
    let id = draft.output("submission-id").to_string();

    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--on-pending",
            "reuse",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), id);
    let stored = sim.submission(&id);
    // The never-uploaded entry of the first run is gone; the new package is in.
    assert_eq!(
        packages(&stored),
        [
            ("contoso_app.appx".to_string(), "PendingDelete".to_string()),
            (
                "ContosoReader_1.0.2.0_x64.msix".into(),
                "PendingUpload".into()
            ),
        ]
    );
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "first"
    );
    let creates = sim
        .writes()
        .iter()
        .filter(|w| w.starts_with("POST") && w.ends_with("/submissions"))
        .count();
    assert_eq!(creates, 1);
}

#[test]
fn a_ready_zip_without_the_package_fails_with_missing_files() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // A zip that holds some other file, not the package the submission names.
    let zip = crate::util::zip_of(&[("readme.txt", b"hello")]);
    ws.write("ready.zip", &zip);
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--upload-zip",
            "ready.zip",
        ],
    );
    out.assert_code(5);
    assert_eq!(out.output("status"), "CommitFailed");
    let details: Value = serde_json::from_str(out.output("status-details")).unwrap();
    assert_eq!(details["errors"][0]["code"], "MissingFiles");
    assert!(
        details["errors"][0]["details"]
            .as_str()
            .unwrap()
            .contains("ContosoReader_1.0.1.0_x64.msix")
    );
    assert_eq!(out.output("zip-sha256"), sha256_hex(&zip));
    assert!(out.stdout.contains("MissingFiles"), "{}", out.log());
}

#[test]
fn json_output_in_a_terminal() {
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
            "--output",
            "json",
            "--commit",
            "false",
        ])
        .run();
    out.assert_code(0);
    let result: Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}\n{}", out.log()));
    assert_eq!(result["status"], "PendingCommit");
    assert!(result["submission_id"].as_str().unwrap().len() >= 19);
    assert_eq!(
        result["packages"],
        serde_json::json!(["ContosoReader_1.0.1.0_x64.msix"])
    );
}

#[test]
fn simulate_runs_a_whole_submission_in_process() {
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::new(&ws)
        .github(&ws)
        .args([
            "submit",
            "--simulate",
            "true",
            "--app-id",
            "9WZDNCRD7DLK",
            "--packages",
            "*.msix",
            "--simulator-phase",
            "100ms",
            "--poll-interval",
            "100ms",
        ])
        .run();
    out.assert_code(0);
    assert!(
        ["PreProcessing", "Certification", "Release"].contains(&out.output("status")),
        "{}",
        out.log()
    );
}
