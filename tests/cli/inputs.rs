//! Bad input: exit 2, a message naming the input, every problem at once, and not one
//! request sent.

use crate::util::*;

/// Runs `submit` with `args` against a fresh simulator and checks that it stopped before
/// the network. Returns stdout + stderr.
fn refused(ws: &Workspace, args: &[&str]) -> String {
    let sim = Simulator::start();
    let mut run = Run::against(ws, &sim);
    let out = run.args(["submit"]).args(args).run();
    out.assert_code(2);
    assert!(
        sim.requests().is_empty(),
        "requests were sent: {:?}",
        sim.requests()
    );
    format!("{}{}", out.stdout, out.stderr)
}

#[test]
fn missing_tenant_and_app_id_are_both_named() {
    let ws = Workspace::new();
    ws.package("App.msix");
    let sim = Simulator::start();
    let out = Run::new(&ws)
        .args([
            "submit",
            "--api-base-url",
            &sim.url,
            "--authority-host",
            &sim.url,
        ])
        .args([
            "--client-id",
            &sim.client_id,
            "--client-secret",
            &sim.client_secret,
            "--packages",
            "App.msix",
        ])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("input `tenant-id`"), "{}", out.log());
    assert!(out.stderr.contains("input `app-id`"), "{}", out.log());
    assert!(!out.stderr.contains(&sim.client_secret), "{}", out.log());
    assert!(sim.requests().is_empty());
}

#[test]
fn malformed_patch_json_gives_line_and_column() {
    let ws = Workspace::new();
    ws.package("App.msix");
    let text = refused(
        &ws,
        &[
            "--app-id",
            APP_ID,
            "--packages",
            "App.msix",
            "--submission-patch",
            "{\n  \"notesForCertification\": \"x\",\n  oops\n}",
        ],
    );
    assert!(text.contains("input `submission-patch`"), "{text}");
    assert!(text.contains("line 3 column 3"), "{text}");
}

#[test]
fn a_glob_that_matches_nothing() {
    let ws = Workspace::new();
    let text = refused(
        &ws,
        &["--app-id", APP_ID, "--packages", "build/*.msixbundle"],
    );
    assert!(text.contains("input `packages`"), "{text}");
    assert!(
        text.contains("build/*.msixbundle` matches no file"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_a_package() {
    let ws = Workspace::new();
    ws.write("App.zip", b"zip");
    let text = refused(&ws, &["--app-id", APP_ID, "--packages", "App.zip"]);
    assert!(text.contains("input `packages`"), "{text}");
    assert!(text.contains("not a package"), "{text}");
    assert!(text.contains(".msixupload"), "{text}");
}

#[test]
fn an_unknown_wait_for_value() {
    let ws = Workspace::new();
    ws.package("App.msix");
    let text = refused(
        &ws,
        &[
            "--app-id",
            APP_ID,
            "--packages",
            "App.msix",
            "--wait-for",
            "forever",
        ],
    );
    assert!(text.contains("input `wait-for`"), "{text}");
    assert!(
        text.contains("none, committed, certified, published"),
        "{text}"
    );
}

#[test]
fn a_patch_file_missing_from_assets_dir() {
    let ws = Workspace::new();
    ws.write("assets/en-us/one.png", b"png");
    ws.write(
        "patch.json",
        br#"{"listings": {"en-us": {"baseListing": {"images": [
            {"fileName": "en-us/one.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
            {"fileName": "en-us/two.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"}
        ]}}}}"#,
    );
    let text = refused(
        &ws,
        &[
            "--app-id",
            APP_ID,
            "--submission-patch-file",
            "patch.json",
            "--assets-dir",
            "assets",
        ],
    );
    assert!(text.contains("input `assets-dir`"), "{text}");
    assert!(text.contains("en-us/two.png"), "{text}");
    assert!(!text.contains("en-us/one.png`"), "{text}");
}

#[test]
fn every_problem_is_reported_at_once_on_github_as_annotations() {
    let ws = Workspace::new();
    let sim = Simulator::start();
    let out = Run::new(&ws)
        .github(&ws)
        .env("INPUT_APP-ID", "Contoso.App")
        .env("INPUT_TENANT-ID", "")
        .env("INPUT_CLIENT-ID", "not-a-guid")
        .env("INPUT_CLIENT-SECRET", "Sup3r+Secret&Value")
        .env("INPUT_WAIT-FOR", "Committed")
        .env("INPUT_TIMEOUT", "-5m")
        .env("INPUT_API-BASE-URL", &sim.url)
        .env("INPUT_PACKAGES", "nothing/*.msix")
        .run();
    out.assert_code(2);
    for input in [
        "app-id",
        "tenant-id",
        "client-id",
        "wait-for",
        "timeout",
        "packages",
    ] {
        assert!(
            out.stdout
                .contains(&format!("::error title=Invalid input::input `{input}`")),
            "{input} missing\n{}",
            out.log()
        );
    }
    assert!(
        out.stdout.contains("did you mean `committed`"),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("(from INPUT_APP-ID)"), "{}", out.log());
    // The secret was masked before anything else was printed, and never shown.
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("::add-mask::"), "{}", out.log());
    let after_mask: String = out.stdout.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert!(!after_mask.contains("Sup3r+Secret&Value"), "{}", out.log());
    assert!(sim.requests().is_empty());
}
