//! The container test: the image built from the real Dockerfile (scripts/container-test builds
//! it, with the build stage replaced by the same static build run on the host), run the way
//! the GitHub runner runs a container action and the way an Azure Pipelines `docker run` step
//! runs it, against the simulator on the host.
//!
//! This target is `test = false`: `cargo test` does not run it, and run on its own without
//! the image it fails rather than passing quietly. scripts/test runs it through
//! scripts/container-test, which installs podman and fails loudly when it cannot (see
//! docs/decisions/0004-container-image.md).

#[allow(dead_code)]
#[path = "../cli/util.rs"]
mod util;

// The harness writes real packages with it (`Workspace::package`).
#[allow(dead_code)]
#[path = "../cli/packages.rs"]
mod packages;

mod runner;
mod tls;

use std::net::SocketAddr;

use serde_json::Value;

use runner::{AzureStep, GitHubStep, Outcome, parse_vso};
use util::{APP_ID, Simulator, Workspace, sha256_hex};

const PACKAGE: &str = "ContosoReader_1.0.1.0_x64.msix";

fn simulator_addr(sim: &Simulator) -> SocketAddr {
    sim.url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

fn copy_example_package(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("build")).unwrap();
    std::fs::copy(util::EXAMPLE_PACKAGE, dir.join("build").join(PACKAGE)).unwrap();
}

/// The secret is masked before anything else is printed, and shows nowhere else.
fn assert_masked_first(out: &Outcome, secret: &str, mask_prefix: &str) {
    let lines: Vec<&str> = out.stdout.lines().collect();
    let position = lines
        .iter()
        .position(|l| l.starts_with(mask_prefix) && l.ends_with(secret))
        .unwrap_or_else(|| panic!("no mask for the secret\n{}", out.log()));
    assert!(
        lines[..position].iter().all(|l| l.starts_with(mask_prefix)),
        "something was printed before the secret was masked\n{}",
        out.log()
    );
    assert_secret_only_in_masks(out, secret, mask_prefix);
}

fn assert_secret_only_in_masks(out: &Outcome, secret: &str, mask_prefix: &str) {
    for line in out.lines() {
        assert!(
            !line.contains(secret) || line.starts_with(mask_prefix),
            "secret in a log line: {line}"
        );
    }
    for (name, value) in &out.outputs {
        assert!(!value.contains(secret), "secret in output {name}");
    }
    assert!(!out.summary.contains(secret), "secret in the summary");
}

/// Workflow-command data as the runner reads it back (ActionCommand.cs).
fn github_unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

/// The signature of the upload URL, as the service wrote it and decoded.
fn upload_signatures(submission: &Value) -> Vec<String> {
    let url = submission["fileUploadUrl"].as_str().expect("upload URL");
    let raw = url
        .split(['?', '&'])
        .find_map(|part| part.strip_prefix("sig="))
        .expect("sig")
        .to_string();
    let decoded = percent_decode(&raw);
    vec![raw, decoded]
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// `::group::` and `::endgroup::` (or `##[group]`/`##[endgroup]`) pair up, and these
/// groups were opened.
fn assert_groups(out: &Outcome, open: &str, close: &str, expected: &[&str]) {
    let mut depth = 0i32;
    let mut titles = Vec::new();
    for line in out.stdout.lines() {
        if let Some(title) = line.strip_prefix(open) {
            depth += 1;
            assert_eq!(depth, 1, "nested group\n{}", out.log());
            titles.push(title.to_string());
        } else if line == close {
            depth -= 1;
            assert_eq!(depth, 0, "unbalanced group end\n{}", out.log());
        }
    }
    assert_eq!(depth, 0, "a group was left open\n{}", out.log());
    for title in expected {
        assert!(
            titles.iter().any(|t| t.starts_with(title)),
            "no group `{title}` in {titles:?}"
        );
    }
}

/// A step with the simulator's credentials given as the inputs a user would give.
fn github_submit(sim: &Simulator) -> GitHubStep {
    let mut step = GitHubStep::new();
    copy_example_package(&step.workspace());
    step.with("app-id", APP_ID)
        .with("packages", "build/*.msix\n")
        .with("release-notes", "Faster page turns")
        .with("tenant-id", &sim.tenant_id)
        .with("client-id", &sim.client_id)
        .with("client-secret", &sim.client_secret)
        // `localhost`, not 127.0.0.1: the scratch image resolves it through the /etc/hosts
        // the container engine provides.
        .with("api-base-url", &sim.url.replace("127.0.0.1", "localhost"))
        .with("authority-host", &sim.url)
        .with("poll-interval", "100ms")
        .with("wait-for", "committed");
    step
}

#[test]
fn the_image_starts_and_tells_its_version() {
    let out = runner::run_image(&["--version"]);
    out.assert_code(0);
    assert_eq!(
        out.stdout.trim(),
        format!("msstore-submit {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn github_action_submits_as_the_runner_runs_it() {
    let sim = Simulator::start();
    let step = github_submit(&sim);
    let out = step.run();
    out.assert_code(0);

    // Outputs, read with the runner's parser from the file it mounted.
    let id = out.output("submission-id").to_string();
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"],
        Value::String(id.clone())
    );
    assert_eq!(
        out.output("submission-url"),
        format!("https://partner.microsoft.com/dashboard/products/{APP_ID}/submissions/{id}/")
    );
    assert!(
        ["PreProcessing", "Certification", "Release"].contains(&out.output("status")),
        "{}",
        out.output("status")
    );
    assert_eq!(out.output("packages"), format!("[\"{PACKAGE}\"]"));
    let details: Value = serde_json::from_str(out.output("status-details")).unwrap();
    assert_eq!(details["errors"], serde_json::json!([]));
    // The zip went to RUNNER_TEMP (a container path) and is the uploaded blob.
    let zip = std::fs::read(step.host_temp_path(out.output("zip-path"))).unwrap();
    assert_eq!(out.output("zip-sha256"), sha256_hex(&zip));
    assert_eq!(out.output("zip-size"), zip.len().to_string());
    let stored = sim.submission(&id);
    assert_eq!(sha256_hex(&sim.uploaded_zip(&stored)), sha256_hex(&zip));
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "Faster page turns"
    );
    assert!(
        out.other_file_commands.is_empty(),
        "GITHUB_ENV/PATH/STATE written"
    );

    // Masks: the client secret before anything else, the upload signature wherever it is.
    assert_masked_first(&out, &sim.client_secret, "::add-mask::");
    let masked: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::add-mask::"))
        .map(github_unescape_data)
        .collect();
    let signatures = upload_signatures(&stored);
    assert!(
        masked.contains(&signatures[1]),
        "the upload signature was not masked\n{}",
        out.log()
    );
    for signature in &signatures {
        assert_secret_only_in_masks(&out, signature, "::add-mask::");
    }
    assert_groups(
        &out,
        "::group::",
        "::endgroup::",
        &[
            "Upload zip",
            "Submission for app",
            "Upload",
            "Commit",
            "Waiting",
        ],
    );
    assert!(
        !out.lines().any(|l| l.starts_with("::error")),
        "{}",
        out.log()
    );

    // The step summary: one table with the submission linked, the package and the zip.
    let summary = &out.summary;
    assert!(
        summary.starts_with(&format!(
            "### Committed — Microsoft Store submission: app {APP_ID}\n"
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "| Submission | [{id}](https://partner.microsoft.com/dashboard/products/{APP_ID}/submissions/{id}/) |"
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("| Status | `{}` |", out.output("status"))),
        "{summary}"
    );
    assert!(summary.contains(&format!("`{PACKAGE}` (")), "{summary}");
    assert!(
        summary.contains(&format!("SHA-256 `{}`", out.output("zip-sha256"))),
        "{summary}"
    );
    assert!(summary.contains("| Timings | zip "), "{summary}");
}

#[test]
fn github_action_reports_every_bad_input_and_sends_nothing() {
    let sim = Simulator::start();
    let mut step = github_submit(&sim);
    step.with("app-id", "9nblggh4r315")
        .with("tenant-id", "contoso")
        .with("wait-for", "Published");
    let out = step.run();
    out.assert_code(2);
    let errors: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("::error title=Invalid input::"))
        .collect();
    assert_eq!(errors.len(), 3, "{}", out.log());
    for input in ["app-id", "tenant-id", "wait-for"] {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("input `{input}`"))),
            "no annotation for {input}: {errors:?}"
        );
    }
    assert!(sim.requests().is_empty(), "a request was sent");
    assert!(out.outputs.is_empty());
    assert_secret_only_in_masks(&out, &sim.client_secret, "::add-mask::");
}

#[test]
fn github_action_fails_with_exit_4_on_a_pending_submission() {
    let sim = Simulator::start();
    // A draft made earlier (from the host binary), still pending.
    let ws = Workspace::new();
    ws.package(PACKAGE);
    let mut draft = util::Run::against(&ws, &sim);
    draft.args([
        "submit",
        "--app-id",
        APP_ID,
        "--packages",
        PACKAGE,
        "--commit",
        "false",
    ]);
    let pending = draft.github(&ws).run();
    pending.assert_code(0);
    let pending_id = pending.output("submission-id").to_string();

    let out = github_submit(&sim).run();
    out.assert_code(4);
    let annotation = out
        .lines()
        .find(|l| l.starts_with("::error title=msstore-submit submit failed (exit 4)::"))
        .unwrap_or_else(|| panic!("no annotation\n{}", out.log()));
    assert!(annotation.contains(&pending_id), "{annotation}");
    assert!(annotation.contains("on-pending"), "{annotation}");
    assert!(
        out.summary.contains("**Failed (exit 4)**"),
        "{}",
        out.summary
    );
    // Nothing changed in Partner Center.
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"],
        Value::String(pending_id)
    );
}

#[test]
fn azure_docker_run_step_sets_output_variables_and_the_result() {
    let sim = Simulator::start();
    let mut step = AzureStep::new();
    copy_example_package(&step.sources());
    step.env("MSSTORE_APP_ID", APP_ID)
        .env("MSSTORE_PACKAGES", "build/*.msix")
        .env("MSSTORE_TENANT_ID", &sim.tenant_id)
        .env("MSSTORE_CLIENT_ID", &sim.client_id)
        .env("MSSTORE_CLIENT_SECRET", &sim.client_secret)
        .env("MSSTORE_API_BASE_URL", &sim.url)
        .env("MSSTORE_AUTHORITY_HOST", &sim.url)
        .env("MSSTORE_POLL_INTERVAL", "100ms");
    let out = step.run();
    out.assert_code(0);

    let commands: Vec<_> = out.stdout.lines().filter_map(parse_vso).collect();
    let variables: std::collections::BTreeMap<String, String> = commands
        .iter()
        .filter(|c| c.command == "task.setvariable")
        .map(|c| {
            assert_eq!(
                c.properties.get("isOutput").map(String::as_str),
                Some("true")
            );
            (c.properties["variable"].clone(), c.data.clone())
        })
        .collect();
    let id = &variables["submission_id"];
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"],
        Value::String(id.clone())
    );
    assert_eq!(variables["packages"], format!("[\"{PACKAGE}\"]"));
    let zip_path = std::path::PathBuf::from(&variables["zip_path"]);
    assert!(
        zip_path.starts_with(step.temp()),
        "the zip goes to Agent.TempDirectory: {zip_path:?}"
    );
    assert_eq!(
        variables["zip_sha256"],
        sha256_hex(&std::fs::read(&zip_path).unwrap())
    );
    serde_json::from_str::<Value>(&variables["status_details"]).expect("JSON status details");

    // Masks: the client secret first, with task.setsecret.
    assert_masked_first(&out, &sim.client_secret, "##vso[task.setsecret]");
    for signature in upload_signatures(&sim.submission(id)) {
        assert_secret_only_in_masks(&out, &signature, "##vso[task.setsecret]");
    }
    assert_groups(&out, "##[group]", "##[endgroup]", &["Upload zip", "Commit"]);
    assert!(!commands.iter().any(|c| c.command == "task.logissue"));

    // The summary file exists at the same path on the host and holds the table.
    let summary = commands
        .iter()
        .find(|c| c.command == "task.uploadsummary")
        .expect("task.uploadsummary");
    let text = std::fs::read_to_string(&summary.data).unwrap();
    assert!(text.contains(&format!("| Submission | [{id}](")), "{text}");

    let complete: Vec<_> = commands
        .iter()
        .filter(|c| c.command == "task.complete")
        .collect();
    assert_eq!(complete.len(), 1);
    assert_eq!(complete[0].properties["result"], "Succeeded");
    assert_eq!(
        out.stdout.lines().last().unwrap_or_default(),
        "##vso[task.complete result=Succeeded]msstore-submit done"
    );
}

#[test]
fn azure_failure_is_an_issue_and_a_failed_result() {
    let sim = Simulator::start();
    let mut step = AzureStep::new();
    step.env("MSSTORE_APP_ID", APP_ID)
        .env("MSSTORE_RELEASE_NOTES", "x")
        .env("MSSTORE_TENANT_ID", &sim.tenant_id)
        .env("MSSTORE_CLIENT_ID", &sim.client_id)
        .env("MSSTORE_CLIENT_SECRET", "not-the-secret-that-works")
        .env("MSSTORE_API_BASE_URL", &sim.url)
        .env("MSSTORE_AUTHORITY_HOST", &sim.url);
    let out = step.run();
    out.assert_code(3);
    let commands: Vec<_> = out.stdout.lines().filter_map(parse_vso).collect();
    let issue = commands
        .iter()
        .find(|c| c.command == "task.logissue")
        .unwrap_or_else(|| panic!("no task.logissue\n{}", out.log()));
    assert_eq!(issue.properties["type"], "error");
    assert!(issue.data.contains("AADSTS7000215"), "{}", issue.data);
    let complete = commands.last().unwrap();
    assert_eq!(complete.command, "task.complete");
    assert_eq!(complete.properties["result"], "Failed");
    assert_secret_only_in_masks(&out, "not-the-secret-that-works", "##vso[task.setsecret]");
}

/// Runs `status` over HTTPS through the TLS front: light, and every request is a real TLS
/// connection from the scratch image.
fn https_status(sim: &Simulator, base: &str) -> GitHubStep {
    let mut step = GitHubStep::new();
    step.with("command", "status")
        .with("app-id", APP_ID)
        .with("tenant-id", &sim.tenant_id)
        .with("client-id", &sim.client_id)
        .with("client-secret", &sim.client_secret)
        .with("api-base-url", base)
        .with("authority-host", base);
    step
}

fn token_requests(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap_or("").contains("/oauth2/"))
        .count()
}

#[test]
fn tls_trusts_ssl_cert_file_and_the_image_bundle_only() {
    let sim = Simulator::start();
    let servers = tls::Servers::new();
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = tls::make_pki(pki_dir.path());
    let port = servers.tls_front(&pki, simulator_addr(&sim));
    let base = format!("https://localhost:{port}");

    // SSL_CERT_FILE names the private CA: trusted.
    let mut step = https_status(&sim, &base);
    std::fs::copy(&pki.ca, step.workspace().join("corp-ca.pem")).unwrap();
    step.env("SSL_CERT_FILE", "/github/workspace/corp-ca.pem");
    let out = step.run();
    out.assert_code(0);
    assert_eq!(out.output("status"), "Published");

    // The image's own bundle is what is read by default: with the private CA in its place
    // the same call works...
    let mut step = https_status(&sim, &base);
    step.volume(&format!(
        "{}:/etc/ssl/certs/ca-certificates.crt:ro",
        pki.ca.display()
    ));
    step.run().assert_code(0);

    // ...and with the public bundle the image ships, the private CA is refused: no token
    // request ever reaches the server.
    let before = token_requests(&sim);
    let out = https_status(&sim, &base).run();
    out.assert_code(7);
    assert!(
        out.stdout.contains("cannot get a token from Entra ID"),
        "{}",
        out.log()
    );
    assert_eq!(token_requests(&sim), before);
}

#[test]
fn https_proxy_and_no_proxy_are_honoured() {
    let sim = Simulator::start();
    let servers = tls::Servers::new();
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = tls::make_pki(pki_dir.path());
    let port = servers.tls_front(&pki, simulator_addr(&sim));
    let (proxy_port, seen) = servers.connect_proxy(port);

    // `msstore.invalid` resolves nowhere: only a client that goes through the proxy gets
    // there. The runner passes both spellings of the proxy variables.
    let mut step = https_status(&sim, &format!("https://msstore.invalid:{port}"));
    std::fs::copy(&pki.ca, step.workspace().join("corp-ca.pem")).unwrap();
    let proxy = format!("http://127.0.0.1:{proxy_port}");
    step.env("SSL_CERT_FILE", "/github/workspace/corp-ca.pem")
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy);
    let out = step.run();
    out.assert_code(0);
    let tunnels = seen.lock().unwrap().clone();
    assert!(!tunnels.is_empty());
    assert!(
        tunnels
            .iter()
            .all(|t| t == &format!("msstore.invalid:{port}")),
        "{tunnels:?}"
    );

    // NO_PROXY: the proxy is down, but localhost does not go through it.
    let dead = format!("http://127.0.0.1:{}", servers.closed_port());
    let mut step = https_status(&sim, &format!("https://localhost:{port}"));
    std::fs::copy(&pki.ca, step.workspace().join("corp-ca.pem")).unwrap();
    step.env("SSL_CERT_FILE", "/github/workspace/corp-ca.pem")
        .env("HTTPS_PROXY", &dead)
        .env("NO_PROXY", "localhost,127.0.0.1");
    step.run().assert_code(0);
}
