//! The release binaries for other systems, run here: the Windows binary under Wine and the
//! aarch64 Linux binary under qemu-user, each as the client of a whole submission against the
//! simulator (this host's own build, run natively).
//!
//! This target is `test = false`: `cargo test` does not run it, and run on its own without
//! MSSTORE_TEST_CLIENT it fails rather than passing quietly. scripts/cross-test builds the
//! binaries with scripts/build-release, installs Wine and qemu-user, and runs it once per
//! binary (docs/decisions/0012-release-binaries.md).

#[allow(dead_code)]
#[path = "../cli/util.rs"]
mod util;

#[allow(dead_code)]
#[path = "../cli/packages.rs"]
mod packages;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use util::{APP_ID, EXAMPLE_PACKAGE, Simulator, parse_github_output, sha256_hex};

const PACKAGE: &str = "ContosoReader_1.0.1.0_x64.msix";

/// The binary under test and how to start it: `MSSTORE_TEST_CLIENT` is a command line split
/// on spaces, e.g. `/usr/lib/wine/wine64 /tmp/x/msstore-submit.exe` or `qemu-aarch64 /tmp/x/msstore-submit`.
fn client() -> Command {
    let line = std::env::var("MSSTORE_TEST_CLIENT")
        .expect("MSSTORE_TEST_CLIENT is not set: run scripts/cross-test, which sets it");
    let mut words = line.split(' ').filter(|w| !w.is_empty());
    let mut command = Command::new(words.next().expect("a program"));
    command.args(words);
    for (key, _) in std::env::vars() {
        if key.starts_with("MSSTORE_") || key.starts_with("INPUT_") || key.starts_with("GITHUB_") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn the_binary_tells_its_version() {
    let out = client().arg("--version").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("msstore-submit {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_binary_makes_a_whole_submission_against_the_simulator() {
    let sim = Simulator::start();
    let workspace = tempfile::tempdir().unwrap();
    let ws = workspace.path();
    std::fs::create_dir_all(ws.join("build")).unwrap();
    std::fs::copy(EXAMPLE_PACKAGE, ws.join("build").join(PACKAGE)).unwrap();
    std::fs::write(ws.join("set_output"), "").unwrap();
    std::fs::write(ws.join("step_summary"), "").unwrap();

    // Inputs as a GitHub runner passes them; paths relative to the working folder, so that
    // they mean the same under Wine (Z:\...) as here. The upload goes to the simulator's
    // blob store over HTTP, through the client's own TLS-free path.
    let out = client()
        .current_dir(ws)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", "set_output")
        .env("GITHUB_STEP_SUMMARY", "step_summary")
        .env("RUNNER_TEMP", ".")
        .env("INPUT_COMMAND", "submit")
        .env("INPUT_APP-ID", APP_ID)
        .env("INPUT_PACKAGES", "build/*.msix")
        .env("INPUT_RELEASE-NOTES", "Faster page turns")
        .env("INPUT_TENANT-ID", &sim.tenant_id)
        .env("INPUT_CLIENT-ID", &sim.client_id)
        .env("INPUT_CLIENT-SECRET", &sim.client_secret)
        .env("INPUT_API-BASE-URL", &sim.url)
        .env("INPUT_AUTHORITY-HOST", &sim.url)
        .env("INPUT_POLL-INTERVAL", "100ms")
        .env("INPUT_RATE-LIMIT", "off")
        .env("INPUT_WAIT-FOR", "committed")
        .env("INPUT_ZIP-PATH", "upload.zip")
        .output()
        .unwrap();
    let log = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{log}");

    let outputs: BTreeMap<String, String> =
        parse_github_output(&std::fs::read_to_string(ws.join("set_output")).unwrap())
            .unwrap_or_else(|e| panic!("{e}\n{log}"))
            .into_iter()
            .collect();
    let id = outputs
        .get("submission-id")
        .unwrap_or_else(|| panic!("{log}"));
    let app = sim.app(APP_ID);
    assert_eq!(
        app["pendingApplicationSubmission"]["id"],
        Value::String(id.clone())
    );
    let stored = sim.submission(id);
    assert_ne!(stored["status"], "PendingCommit", "not committed: {stored}");
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "Faster page turns"
    );
    // The zip the binary built is the blob the simulator holds, byte for byte.
    let zip = std::fs::read(ws.join("upload.zip")).unwrap();
    assert_eq!(outputs["zip-sha256"], sha256_hex(&zip));
    assert_eq!(sha256_hex(&sim.uploaded_zip(&stored)), sha256_hex(&zip));
    assert_eq!(outputs["packages"], format!("[\"{PACKAGE}\"]"));
    // The secret was masked and shows nowhere else.
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        assert!(
            !line.contains(&sim.client_secret) || line.starts_with("::add-mask::"),
            "secret in a log line: {line}"
        );
    }
}
