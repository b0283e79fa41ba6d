//! Nothing leaked, nothing injected, nothing sent on bad input: secrets and upload-URL
//! signatures never show outside the runners' own mask commands, untrusted text never
//! becomes a runner command, and every malformed input is exit 2 before any request.

use std::path::Path;

use serde_json::json;

use crate::util::*;

/// A secret with the characters that break encodings and masks.
const SECRET: &str = "Zq9+Leak/Secret&Value=%41;]x";
const TENANT: &str = "5e0c1e7a-7a5a-4a5a-8a5a-5ec0e7e0c1e7";
const CLIENT: &str = "c11e47a5-0000-4000-8000-5ec0e7c11e47";

#[derive(Clone, Copy, Debug)]
enum Platform {
    GitHub,
    Azure,
    Plain,
}

/// Every file under `dir` but the zips (which hold the packages, not secrets).
fn written_files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if !path.extension().is_some_and(|e| e == "zip" || e == "msix") {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

/// Every form a secret could be printed in.
fn forms(secret: &str) -> Vec<String> {
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = secret
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let mut forms = vec![secret.to_string(), encoded, percent];
    forms.sort();
    forms.dedup();
    forms
}

/// Lines where the runner learns a secret: the only place one may appear.
fn is_mask_command(line: &str) -> bool {
    line.starts_with("::add-mask::") || line.starts_with("##vso[task.setsecret]")
}

fn run_everywhere(sim: &Simulator, ws: &Workspace, platform: Platform, args: &[&str]) -> Outcome {
    let mut run = Run::new(ws);
    run.env("MSSTORE_RATE_LIMIT", "off").args([
        "--api-base-url",
        &sim.url,
        "--authority-host",
        &sim.url,
        "--tenant-id",
        TENANT,
        "--client-id",
        CLIENT,
        "--client-secret",
        SECRET,
        "--log-level",
        "trace",
        "--poll-interval",
        "100ms",
    ]);
    match platform {
        Platform::GitHub => {
            run.github(ws);
        }
        Platform::Azure => {
            let temp = ws.path().join("agent-temp");
            std::fs::create_dir_all(&temp).unwrap();
            run.env("TF_BUILD", "True")
                .env("AGENT_TEMPDIRECTORY", temp.to_str().unwrap());
        }
        Platform::Plain => {}
    }
    run.args(args).run()
}

#[test]
fn no_secret_or_signature_is_ever_printed_or_written() {
    let sim = Simulator::start();
    ureq::post(&format!("{}/_simulator/credentials", sim.url))
        .send_json(json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET}))
        .unwrap();
    // Each command with the exit code it must end with, so none passes by failing early.
    let commands: Vec<(i32, Vec<&str>)> = vec![
        (
            0,
            vec![
                "submit",
                "--app-id",
                APP_ID,
                "--packages",
                "ContosoReader_1.0.1.0_x64.msix",
                "--on-pending",
                "delete",
            ],
        ),
        // Another run while that one is pending: refused (exit 4).
        (
            4,
            vec![
                "submit",
                "--app-id",
                APP_ID,
                "--packages",
                "Other.msix",
                "--commit",
                "false",
            ],
        ),
        (0, vec!["status", "--app-id", APP_ID]),
        (0, vec!["list", "--list", "flights", "--app-id", APP_ID]),
        (
            0,
            vec![
                "create-flight",
                "--app-id",
                APP_ID,
                "--flight-name",
                "leak-test",
                "--group-ids",
                "1",
            ],
        ),
        (
            0,
            vec![
                "delete-flight",
                "--app-id",
                APP_ID,
                "--flight-name",
                "leak-test",
            ],
        ),
        (
            0,
            vec![
                "create-addon",
                "--app-id",
                APP_ID,
                "--addon-product-id",
                "leak-addon",
                "--addon-type",
                "Durable",
            ],
        ),
        (0, vec!["delete-addon", "--addon-product-id", "leak-addon"]),
        (
            0,
            vec!["pack", "--packages", "*.msix", "--zip-path", "packed.zip"],
        ),
    ];
    let mut leaks = Vec::new();
    let mut runs = 0;
    for platform in [Platform::GitHub, Platform::Azure, Platform::Plain] {
        for (code, args) in &commands {
            let ws = Workspace::new();
            ws.package("ContosoReader_1.0.1.0_x64.msix");
            ws.package("Other.msix");
            let out = run_everywhere(&sim, &ws, platform, args);
            assert_eq!(out.code, *code, "{platform:?} {args:?}\n{}", out.log());
            runs += 1;
            // The secrets known after the run: ours, every token, every upload signature.
            let state = sim.state();
            let mut secrets = forms(SECRET);
            for token in state["issuedTokens"].as_array().unwrap() {
                secrets.push(token.as_str().unwrap().to_string());
            }
            for submission in state["submissions"].as_object().unwrap().values() {
                if let Some(url) = submission["submission"]["fileUploadUrl"].as_str() {
                    let sig = url.split("sig=").nth(1).unwrap().split('&').next().unwrap();
                    let decoded = sig.replace("%2F", "/").replace("%3D", "=");
                    assert!(decoded.contains('+') && decoded.contains('/'));
                    secrets.extend(forms(&decoded));
                    secrets.push(sig.to_string());
                }
            }
            let mut places: Vec<(String, String)> = vec![
                ("stdout".into(), out.stdout.clone()),
                ("stderr".into(), out.stderr.clone()),
            ];
            places.extend(written_files(ws.path()));
            for (place, text) in places {
                for line in text.lines().filter(|l| !is_mask_command(l)) {
                    for secret in &secrets {
                        if line.contains(secret.as_str()) {
                            leaks.push(format!("{platform:?} {args:?}: {place}: {line}"));
                        }
                    }
                }
            }
            // The masks came first: no line before the first mask command mentions a token.
            if matches!(platform, Platform::GitHub) {
                assert!(
                    out.stdout.lines().next().is_some_and(is_mask_command),
                    "{platform:?} {args:?}: the first line is not a mask\n{}",
                    out.log()
                );
            }
        }
    }
    assert_eq!(runs, 27);
    assert!(leaks.is_empty(), "leaked:\n{}", leaks.join("\n"));
}

/// What a runner would execute from these lines: the names of the workflow commands
/// (GitHub: a line starting, after whitespace, with `::name`; Azure and GitHub's legacy
/// form: `##vso[area.action` or `##[name` anywhere).
fn commands_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("::") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            found.push(format!("::{name}"));
        }
        for marker in ["##vso[", "##["] {
            let mut search = line;
            while let Some(i) = search.find(marker) {
                let rest = &search[i + marker.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                found.push(format!("{marker}{name}"));
                search = &rest[name.len()..];
            }
        }
    }
    found
}

#[test]
fn text_from_the_api_and_file_names_stays_inert() {
    let hostile =
        "::set-output name=x::y\n::add-mask::\n##vso[task.setvariable variable=x]y\n##[group]fake";
    let allowed_github = [
        "::add-mask",
        "::group",
        "::endgroup",
        "::error",
        "::warning",
    ];
    let allowed_azure = [
        "##vso[task.setsecret",
        "##vso[task.logissue",
        "##vso[task.setvariable",
        "##vso[task.uploadsummary",
        "##vso[task.complete",
        "##[group",
        "##[endgroup",
    ];
    for platform in [Platform::GitHub, Platform::Azure] {
        let sim = Simulator::start();
        ureq::post(&format!("{}/_simulator/credentials", sim.url))
            .send_json(json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET}))
            .unwrap();
        sim.fault(json!({
            "method": "POST",
            "path": format!("/v1.0/my/applications/{APP_ID}/submissions"),
            "kind": "status",
            "status": 409,
            "message": hostile,
        }));
        let ws = Workspace::new();
        ws.package("App.msix");
        let api = run_everywhere(
            &sim,
            &ws,
            platform,
            &["submit", "--app-id", APP_ID, "--packages", "App.msix"],
        );
        api.assert_code(4);
        // A file name can carry commands too; it is refused (Windows cannot hold `:`) and
        // named in the error, inert.
        ws.package("::set-output name=x::y ##vso[task.setvariable variable=x]y.msix");
        let file = run_everywhere(
            &sim,
            &ws,
            platform,
            &["submit", "--app-id", APP_ID, "--packages", "::*.msix"],
        );
        file.assert_code(2);
        let out = Outcome {
            code: 0,
            stdout: format!("{}\n{}", api.stdout, file.stdout),
            stderr: format!("{}\n{}", api.stderr, file.stderr),
            outputs: api.outputs.clone(),
            output_file: api.output_file.clone(),
            summary: api.summary.clone(),
        };
        let all = format!("{}\n{}", out.stdout, out.stderr);
        // The text was shown (inert), not dropped.
        assert!(all.contains("set-output name=x"), "{}", out.log());
        for command in commands_in(&all) {
            let allowed = match platform {
                Platform::GitHub => allowed_github.contains(&command.as_str()),
                Platform::Azure => allowed_azure.contains(&command.as_str()),
                Platform::Plain => false,
            };
            assert!(
                allowed,
                "{platform:?}: `{command}` would run\n{}",
                out.log()
            );
        }
        // Our own commands are whole lines: a hostile `##vso[` inside one is only data.
        for line in all.lines() {
            if let Some(i) = line.find("##vso[")
                && i > 0
            {
                panic!("{platform:?}: a logging command in the middle of a line: {line}");
            }
        }
        if matches!(platform, Platform::GitHub) {
            assert!(!out.outputs.contains_key("x"), "{:?}", out.outputs);
        }
    }
}

/// Each malformed input: exit 2, the input named, nothing sent.
#[test]
fn malformed_inputs_are_refused_before_anything_is_sent() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("App.msix");
    ws.package("a/Dup.msix");
    ws.package("b/Dup.msix");
    ws.package("Bücher.msix");
    ws.write("App.zip", b"zip");
    ws.write("notzip.zip", b"plain text");
    ws.write("patch.json", b"{}");
    std::fs::create_dir_all(ws.path().join("a-dir")).unwrap();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "app-id",
            vec!["--app-id", "9nblggh4r315", "--packages", "App.msix"],
        ),
        (
            "app-id",
            vec!["--app-id", "Contoso.App", "--packages", "App.msix"],
        ),
        (
            "app-id",
            vec!["--app-id", "9NBLGGH4R3", "--packages", "App.msix"],
        ),
        ("tenant-id", vec!["--tenant-id", "not a tenant"]),
        ("client-id", vec!["--client-id", "1234"]),
        ("submission-id", vec!["--submission-id", "12ab"]),
        ("flight-id", vec!["--flight-id", "not-a-guid"]),
        (
            "flight-id",
            vec![
                "--flight-id",
                "7bfc11d5-f710-47c5-8a98-e04bb5aad310",
                "--flight-name",
                "x",
            ],
        ),
        (
            "addon-id",
            vec!["--addon-id", "9NBLGGH4TNMP", "--addon-product-id", "x"],
        ),
        (
            "flight-id",
            vec!["--flight-name", "beta", "--addon-id", "9NBLGGH4TNMP"],
        ),
        ("timeout", vec!["--timeout=-5m"]),
        ("timeout", vec!["--timeout", "ten minutes"]),
        ("poll-interval", vec!["--poll-interval", "0"]),
        ("wait-for", vec!["--wait-for", "Committed"]),
        ("on-pending", vec!["--on-pending", "skip"]),
        ("package-mode", vec!["--package-mode", "Replace"]),
        ("commit", vec!["--commit", "maybe"]),
        ("simulate", vec!["--simulate", "y"]),
        ("output", vec!["--output", "yaml"]),
        ("submission-patch", vec!["--submission-patch", "{oops"]),
        ("submission-patch", vec!["--submission-patch", "[1, 2]"]),
        (
            "submission-patch",
            vec![
                "--submission-patch",
                "{}",
                "--submission-patch-file",
                "patch.json",
            ],
        ),
        (
            "submission-patch-file",
            vec!["--submission-patch-file", "missing.json"],
        ),
        (
            "submission-patch-file",
            vec!["--submission-patch-file", "a-dir"],
        ),
        ("packages", vec!["--packages", "App.zip"]),
        ("packages", vec!["--packages", "nothing/*.msix"]),
        ("packages", vec!["--packages", "a/Dup.msix,b/Dup.msix"]),
        ("packages", vec!["--packages", "Bücher.msix"]),
        ("upload-zip", vec!["--upload-zip", "a-dir"]),
        ("upload-zip", vec!["--upload-zip", "notzip.zip"]),
        ("access-token", vec!["--access-token", "abc.def"]),
        ("api-base-url", vec!["--api-base-url", "http://example.com"]),
        ("authority-host", vec!["--authority-host", "not a url"]),
        ("rate-limit", vec!["--rate-limit", "fast"]),
        ("request-timeout", vec!["--request-timeout", "0s"]),
        ("zip-path", vec!["--zip-path", "a-dir"]),
        (
            "assets-dir",
            vec![
                "--submission-patch",
                r#"{"listings":{"en-us":{"baseListing":{"images":[{"fileName":"s.png","fileStatus":"PendingUpload"}]}}}}"#,
            ],
        ),
        ("log-level", vec!["--log-level", "verbose"]),
        ("command", vec!["publish"]),
        (
            "release-notes",
            vec!["--flight-name", "myflight", "--release-notes", "notes"],
        ),
    ];
    assert!(cases.len() >= 30);
    let mut wrong = Vec::new();
    for (input, args) in &cases {
        // Everything valid comes from MSSTORE_* variables; each case's flags win over them.
        let mut run = Run::new(&ws);
        run.env("MSSTORE_API_BASE_URL", &sim.url)
            .env("MSSTORE_AUTHORITY_HOST", &sim.url)
            .env("MSSTORE_TENANT_ID", &sim.tenant_id)
            .env("MSSTORE_CLIENT_ID", &sim.client_id)
            .env("MSSTORE_CLIENT_SECRET", &sim.client_secret);
        if !args.iter().any(|a| a.starts_with("--addon")) {
            run.env("MSSTORE_APP_ID", APP_ID);
        }
        if !args
            .iter()
            .any(|a| *a == "--submission-patch" || *a == "--upload-zip")
        {
            run.env("MSSTORE_PACKAGES", "App.msix");
        }
        let out = run.args(args).run();
        let named = format!("input `{input}`");
        if out.code != 2 || !out.stderr.contains(&named) {
            wrong.push(format!(
                "{input} {args:?}: exit {}\n{}",
                out.code, out.stderr
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn an_api_error_names_the_submission_the_correlation_id_and_what_to_do() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("App.msix");
    sim.fault(json!({
        "method": "PUT",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/*"),
        "kind": "status",
        "status": 400,
        "message": "The value of 'applicationCategory' is invalid.",
    }));
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args(["submit", "--app-id", APP_ID, "--packages", "App.msix"])
        .run();
    out.assert_code(5);
    let id = out.output("submission-id");
    let error: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(error.len(), 1, "{}", out.log());
    for needed in [
        id,
        "applicationCategory",
        "MS-CorrelationId",
        "what to do",
        "on-pending",
    ] {
        assert!(
            error[0].contains(needed),
            "`{needed}` missing from {}",
            error[0]
        );
    }
}
