//! The command line as docs/inputs.md ("Command line") describes it: subcommands whose help
//! lists only what each takes, bare boolean flags, completions, the man page, and the
//! `--output json` object, validated against the JSON Schema in docs/outputs.md.

use std::path::Path;
use std::process::Command;

use msstore_submit::config::catalog::{self, COMMANDS};
use serde_json::{Value, json};

use crate::util::{APP_ID, BIN, Outcome, Run, Simulator, Workspace};

fn bin(args: &[&str]) -> Outcome {
    let ws = Workspace::new();
    Run::new(&ws).args(args).run()
}

/// `--NAME ` as help prints a flag (a boolean's is followed by ` [<BOOL>]`).
fn flag(name: &str) -> String {
    format!("--{name} ")
}

#[test]
fn top_level_help_lists_the_commands_not_the_inputs() {
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let out = bin(args);
        out.assert_code(0);
        for command in COMMANDS {
            assert!(
                out.stdout.contains(&format!("  {} ", command.name)),
                "{args:?} lacks {}\n{}",
                command.name,
                out.log()
            );
        }
        assert!(out.stdout.contains("completions"), "{}", out.log());
        for input in catalog::INPUTS {
            assert!(
                !out.stdout.contains(&flag(input.name)),
                "{args:?} lists --{}\n{}",
                input.name,
                out.log()
            );
        }
    }
}

#[test]
fn each_command_help_lists_exactly_what_it_takes_with_shared_inputs_under_their_heading() {
    for command in COMMANDS {
        let by_help = bin(&["help", command.name]);
        by_help.assert_code(0);
        let by_flag = bin(&[command.name, "--help"]);
        by_flag.assert_code(0);
        assert_eq!(by_help.stdout, by_flag.stdout, "{}", command.name);
        let help = &by_help.stdout;
        for input in catalog::INPUTS.iter().filter(|i| i.name != "command") {
            assert_eq!(
                help.contains(&flag(input.name)),
                input.takes(command.cmd),
                "`{} --help` and --{}\n{help}",
                command.name,
                input.name
            );
        }
        // The inputs every command shares come last, under their own heading.
        let shared = help.find("Every command:").expect("the shared heading");
        assert!(help[shared..].contains("--output "), "{help}");
        assert!(help[..shared].contains("--help"), "{help}");
        let networked = catalog::find("tenant-id").unwrap().takes(command.cmd);
        assert_eq!(
            help.contains("Sign-in and connection (every command that calls Partner Center):"),
            networked,
            "{help}"
        );
    }
    // A flag that is no input is refused, naming it, before anything runs.
    let out = bin(&["list", "--no-such-input", "x"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--no-such-input"), "{}", out.log());
}

fn dry_run(sim: &Simulator, ws: &Workspace, args: &[&str]) -> Outcome {
    Run::against(ws, sim).args(args).run()
}

#[test]
fn boolean_inputs_are_bare_flags_and_still_take_a_value() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // Bare, before the command: `submit` is not read as its value.
    let out = dry_run(
        &sim,
        &ws,
        &[
            "--dry-run",
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--output",
            "json",
        ],
    );
    out.assert_code(0);
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(result["plan"]["calls"].is_array(), "{}", out.log());
    assert!(
        sim.new_submissions(APP_ID).is_empty(),
        "a dry run changed nothing"
    );

    // Bare, last; and with a value, as before.
    for args in [
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--dry-run",
        ][..],
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--dry-run",
            "YES",
            "--packages",
            "*.msix",
        ],
        &["--app-id", APP_ID, "--dry-run=1", "--packages", "*.msix"],
    ] {
        dry_run(&sim, &ws, args).assert_code(0);
        assert!(sim.new_submissions(APP_ID).is_empty(), "{args:?}");
    }
    // `--commit false` still leaves a draft.
    let out = dry_run(
        &sim,
        &ws,
        &[
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    let drafts = sim.new_submissions(APP_ID);
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0]["status"], "PendingCommit");
    // A word that is not a boolean is refused, naming the input, before anything is sent.
    let out = dry_run(&sim, &ws, &["submit", "--dry-run", "maybe"]);
    out.assert_code(2);
    assert!(out.stderr.contains("input `dry-run`"), "{}", out.log());
    assert_eq!(sim.new_submissions(APP_ID).len(), 1);
}

#[test]
fn completions_for_each_shell_know_every_command_and_input() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = bin(&["completions", shell]);
        out.assert_code(0);
        for command in COMMANDS {
            assert!(
                out.stdout.contains(command.name),
                "{shell}: {}",
                command.name
            );
        }
        for name in ["dry-run", "wait-for", "rollout-action", "listen"] {
            assert!(out.stdout.contains(name), "{shell}: {name}");
        }
    }
    bin(&["completions", "tcsh"]).assert_code(2);
}

#[test]
fn the_man_pages_name_every_command_and_what_it_takes() {
    let out = bin(&["man"]);
    out.assert_code(0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH"),
        "{}",
        out.log()
    );
    for command in COMMANDS {
        assert!(
            out.stdout.contains(&command.name.replace('-', "\\-")),
            "{}",
            command.name
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man");
    let out = bin(&["man", target.to_str().unwrap()]);
    out.assert_code(0);
    assert!(target.join("msstore-submit.1").is_file());
    for command in COMMANDS {
        let page =
            std::fs::read_to_string(target.join(format!("msstore-submit-{}.1", command.name)))
                .unwrap_or_else(|e| panic!("no page for {}: {e}", command.name));
        for input in catalog::inputs_of(command.cmd).filter(|i| i.name != "command") {
            assert!(
                page.contains(&format!("\\-\\-{}", input.name.replace('-', "\\-"))),
                "the page of {} lacks --{}",
                command.name,
                input.name
            );
        }
    }
}

// ----- `--output json` against the schema in docs/outputs.md -----

/// The JSON Schema under "The `--output json` object" in docs/outputs.md.
fn schema() -> Value {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md"))
            .unwrap();
    let section = doc
        .find("## The `--output json` object")
        .expect("docs/outputs.md has the section");
    let rest = &doc[section..];
    let start = rest.find("```json\n").expect("a json block") + "```json\n".len();
    let end = start + rest[start..].find("\n```").unwrap();
    serde_json::from_str(&rest[start..end]).expect("the schema is JSON")
}

/// The one JSON object on stdout, checked against the schema.
fn checked(out: &Outcome, validator: &jsonschema::Validator) -> Value {
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stdout\n{}", out.log());
    let value: Value =
        serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.log()));
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
    if out.code == 0 {
        assert!(value.get("error").is_none(), "{value:#}");
    } else {
        assert_eq!(value["error"]["exit_code"], out.code, "{value:#}");
    }
    value
}

#[test]
fn the_schema_is_strict_enough_to_fail() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid JSON Schema");
    assert!(validator.is_valid(&json!({"packages": ["a.msix"], "zip_size": 3})));
    assert!(!validator.is_valid(&json!({"packages": "[\"a.msix\"]"})));
    assert!(!validator.is_valid(&json!({"zip_size": "3"})));
    assert!(!validator.is_valid(&json!({"status_details": "{}"})));
    assert!(!validator.is_valid(&json!({"error": {"message": "no exit code"}})));
    assert!(!validator.is_valid(&json!({"not_an_output": 1})));
}

#[test]
fn json_output_has_natural_types_and_matches_the_schema_whatever_happens() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid JSON Schema");
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let json_run = |args: &[&str]| -> Outcome {
        Run::against(&ws, &sim)
            .args(args)
            .args(["--output", "json"])
            .run()
    };
    let submit = ["submit", "--app-id", APP_ID, "--packages", "*.msix"];

    // A dry run: the plan, the zip, the packages.
    let out = json_run(&[&submit[..], &["--dry-run"]].concat());
    out.assert_code(0);
    let dry = checked(&out, &validator);
    assert!(
        dry["plan"].is_object() && dry["preflight"].is_object(),
        "{dry:#}"
    );
    assert_eq!(dry["packages"], json!(["ContosoReader_1.0.1.0_x64.msix"]));
    assert!(dry["zip_size"].as_u64().unwrap() > 0, "{dry:#}");

    // A draft, then the conflict a second run meets (exit 4).
    let out = json_run(&[&submit[..], &["--commit", "false"]].concat());
    out.assert_code(0);
    let draft = checked(&out, &validator);
    assert_eq!(draft["status"], "PendingCommit");
    assert_eq!(draft["packages"], json!(["ContosoReader_1.0.1.0_x64.msix"]));
    assert!(draft["status_details"].is_object() || draft.get("status_details").is_none());
    // (Another package: a re-run with the same files would continue the draft.)
    ws.package("other/Second.msix");
    let out = json_run(&[
        "submit",
        "--app-id",
        APP_ID,
        "--packages",
        "other/Second.msix",
    ]);
    out.assert_code(4);
    let conflict = checked(&out, &validator);
    assert!(
        conflict["error"]["hint"]
            .as_str()
            .is_some_and(|h| !h.is_empty()),
        "{conflict:#}"
    );

    // Committed: the status and its details.
    let out = json_run(&[&submit[..], &["--on-pending", "delete"]].concat());
    out.assert_code(0);
    let committed = checked(&out, &validator);
    assert!(committed["status_details"].is_object(), "{committed:#}");
    let id = committed["submission_id"].as_str().unwrap().to_string();

    // status, list, rollout get.
    let out = json_run(&["status", "--app-id", APP_ID, "--submission-id", &id]);
    out.assert_code(0);
    checked(&out, &validator);
    let out = json_run(&["list", "--list", "apps"]);
    out.assert_code(0);
    assert!(checked(&out, &validator)["items"].is_array());
    let out = json_run(&["rollout", "--app-id", APP_ID, "--rollout-action", "get"]);
    out.assert_code(0);
    assert!(
        checked(&out, &validator)["rollout"].is_object(),
        "{}",
        out.log()
    );

    // Invalid inputs (exit 2): every problem, the first one's input named.
    let out = json_run(&["status", "--app-id", "nope", "--wait-for", "soon"]);
    out.assert_code(2);
    let invalid = checked(&out, &validator);
    assert_eq!(invalid["error"]["input"], "app-id", "{invalid:#}");
    assert_eq!(
        invalid["error"]["problems"].as_array().unwrap().len(),
        2,
        "{invalid:#}"
    );
    // A command line that does not parse (exit 2) is still one object, naming the input.
    let out = json_run(&["list", "--list", "apps", "--wait-for"]);
    out.assert_code(2);
    assert_eq!(checked(&out, &validator)["error"]["input"], "wait-for");
    // Output asked for in the environment, command line broken.
    let out = Run::new(&ws)
        .env("MSSTORE_OUTPUT", "json")
        .args(["status", "--no-such-input"])
        .run();
    out.assert_code(2);
    checked(&out, &validator);

    // Sign-in refused (exit 3).
    let out = Run::signing_in(&ws, &sim)
        .args(["--client-secret", "wrong", "--output", "json"])
        .args(["status", "--app-id", APP_ID])
        .run();
    out.assert_code(3);
    checked(&out, &validator);
}

/// A fresh simulator and workspace, and a `submit` run with `--output json`.
fn fresh_submit(sim: &Simulator) -> Outcome {
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    Run::against(&ws, sim)
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .args(["--output", "json"])
        .run()
}

#[test]
fn json_output_when_partner_center_keeps_failing_or_the_submission_fails() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid JSON Schema");
    // Partner Center keeps failing (exit 7): the submission and the correlation id.
    let sim = Simulator::start();
    sim.fault(json!({
        "method": "POST",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/*/commit"),
        "kind": "status", "status": 503, "retryAfter": 0, "times": 100,
        "message": "Service Unavailable",
    }));
    let out = fresh_submit(&sim);
    out.assert_code(7);
    let failed = checked(&out, &validator);
    assert!(failed["error"]["submission_id"].is_string(), "{failed:#}");
    assert_eq!(failed["error"]["submission_id"], failed["submission_id"]);
    assert!(failed["error"]["correlation_id"].is_string(), "{failed:#}");
    assert!(failed["error"]["hint"].is_string(), "{failed:#}");

    // The submission fails (exit 5).
    let sim = Simulator::start();
    sim.post(
        "/_simulator/processing",
        json!({"failAt": "CommitFallback"}),
    );
    let out = fresh_submit(&sim);
    out.assert_code(5);
    let failed = checked(&out, &validator);
    assert!(failed["error"]["submission_id"].is_string(), "{failed:#}");
}

#[test]
fn json_output_on_a_timeout_matches_the_schema() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid JSON Schema");
    let sim = Simulator::start_with(&["--simulator-phase", "60s"]);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .args([
            "--wait-for",
            "published",
            "--timeout",
            "1s",
            "--output",
            "json",
        ])
        .run();
    out.assert_code(6);
    let timed_out = checked(&out, &validator);
    assert!(timed_out["error"]["hint"].is_string(), "{timed_out:#}");
    assert_eq!(
        timed_out["error"]["submission_id"],
        timed_out["submission_id"]
    );
}

#[test]
fn version_exits_0() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("msstore-submit "));
}

/// The defaults help shows come from the declaration; docs/inputs.md states the same ones
/// (and tests/cli/action.rs holds action.yml to docs/inputs.md).
#[test]
fn declared_defaults_are_the_documented_ones() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/inputs.md"))
        .unwrap();
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let backticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    // (header, row) of every table.
    let mut rows: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let lines: Vec<&str> = doc.lines().collect();
    let mut header = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with('|') {
            header.clear();
        } else if lines.get(i + 1).is_some_and(|l| l.starts_with("|---")) {
            header = cells(line);
        } else if !line.starts_with("|---") {
            rows.push((header.clone(), cells(line)));
        }
    }
    let mut checked = 0;
    for input in catalog::INPUTS.iter().filter(|i| i.name != "command") {
        let (header, row) = rows
            .iter()
            .find(|(h, r)| {
                h.first().is_some_and(|h| h == "input")
                    && backticked(&r[0]).iter().any(|n| n == input.name)
            })
            .unwrap_or_else(|| panic!("docs/inputs.md has no row for `{}`", input.name));
        if header.get(1).is_some_and(|h| h == "default") {
            assert_eq!(
                backticked(&row[1]).first().map(String::as_str),
                input.default,
                "the default of `{}`: docs/inputs.md vs src/config/catalog.rs",
                input.name
            );
            checked += 1;
        } else if let Some(default) = input.default {
            assert!(
                row.join("|").contains(&format!("`{default}`")),
                "docs/inputs.md does not give `{}` the default `{default}`: {row:?}",
                input.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}
