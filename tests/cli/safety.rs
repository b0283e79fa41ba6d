//! "Never silently wrong" (issue 14), end to end: re-runs with changed inputs, inherited
//! rollouts at 0 %, the way out of every pending state, exit codes on every path, inputs
//! that name nothing, warnings once, and temporary zips.

use serde_json::{Value, json};

use crate::util::*;

fn run(sim: &Simulator, ws: &Workspace, args: &[&str]) -> Outcome {
    Run::against(ws, sim).github(ws).args(args).run()
}

fn writes_since(sim: &Simulator, before: usize) -> Vec<String> {
    sim.writes().into_iter().skip(before).collect()
}

fn release_notes(submission: &Value) -> Value {
    submission["listings"]["en-us"]["baseListing"]["releaseNotes"].clone()
}

// ----- re-runs -----

#[test]
fn a_re_run_with_changed_inputs_updates_a_draft_and_refuses_a_committed_one() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let inputs = |notes: &str, extra: &[&str]| {
        let mut args = vec![
            "--packages",
            "*.msix",
            "--release-notes",
            notes,
            "--zip-path",
            "upload.zip",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let go = |notes: &str, extra: &[&str]| {
        let args = inputs(notes, extra);
        submit(
            &sim,
            &ws,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };

    // A draft left by an earlier run, then the same packages with other notes: the draft
    // is brought to the new inputs, not continued as it was.
    let first = go("v1.0.2", &["--commit", "false"]);
    first.assert_code(0);
    let id = first.output("submission-id").to_string();
    let second = go("COMPLETELY DIFFERENT NOTES", &["--commit", "false"]);
    second.assert_code(0);
    assert_eq!(second.output("submission-id"), id);
    assert_eq!(
        release_notes(&sim.submission(&id)),
        "COMPLETELY DIFFERENT NOTES"
    );

    // Committed and certified (the seed publishes manually: it waits in Release).
    let out = go("v1.0.2", &["--wait-for", "certified"]);
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), id);
    assert_eq!(out.output("status"), "Release");
    assert_eq!(release_notes(&sim.submission(&id)), "v1.0.2");

    // The same packages with other notes: not this run's submission any more. Refused,
    // naming what differs and the way out for a submission waiting to be published.
    let before = sim.writes().len();
    let out = go(
        "COMPLETELY DIFFERENT NOTES",
        &[
            "--notes-for-certification",
            "new",
            "--wait-for",
            "certified",
        ],
    );
    out.assert_code(4);
    assert!(
        out.stdout.contains("differs from these inputs"),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("/releaseNotes"), "{}", out.log());
    assert!(
        out.stdout.contains("/notesForCertification"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout
            .contains("publish it, or cancel it, in Partner Center"),
        "{}",
        out.log()
    );
    assert!(!out.stdout.contains("continuing it"), "{}", out.log());
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // `on-pending: reuse` and `delete` cannot help in Release: both say so, and the dry run
    // reports the same, with the same exit code, and plans no DELETE.
    for extra in [
        &["--on-pending", "reuse"][..],
        &["--on-pending", "delete"],
        &["--on-pending", "delete", "--dry-run", "true"],
        &["--dry-run", "true"],
    ] {
        let mut all = vec!["--wait-for", "certified"];
        all.extend_from_slice(extra);
        let out = go("COMPLETELY DIFFERENT NOTES", &all);
        out.assert_code(4);
        assert!(
            out.stdout
                .contains("publish it, or cancel it, in Partner Center"),
            "{extra:?}\n{}",
            out.log()
        );
        assert!(!out.stdout.contains("DELETE "), "{extra:?}\n{}", out.log());
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());
    assert_eq!(release_notes(&sim.submission(&id)), "v1.0.2");
}

#[test]
fn a_submission_in_certification_names_waiting_or_cancelling() {
    let sim = Simulator::start_with(&["--simulator-phase", "1h"]);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--wait-for",
            "none",
        ],
    );
    out.assert_code(0);
    let before = sim.writes().len();
    for extra in [&[][..], &["--on-pending", "delete"], &["--dry-run", "true"]] {
        let mut args = vec!["--packages", "ContosoReader_1.0.2.0_x64.msix"];
        args.extend_from_slice(extra);
        let out = submit(&sim, &ws, &args);
        out.assert_code(4);
        assert!(
            out.stdout.contains("wait for it to finish")
                && out.stdout.contains("cancel it in Partner Center"),
            "{extra:?}\n{}",
            out.log()
        );
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());
}

// ----- rollout -----

#[test]
fn a_rollout_inherited_at_zero_percent_is_refused_before_anything_is_created() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    ws.package("ContosoReader_1.0.3.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--rollout-percentage",
            "10",
            "--target-publish-mode",
            "Immediate",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);

    // `existing-rollout: halt` would leave the clone at 0 %: refused before the halt.
    let hotfix = |extra: &[&str]| {
        let mut args = vec![
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--wait-for",
            "published",
        ];
        args.extend_from_slice(extra);
        submit(&sim, &ws, &args)
    };
    let before = sim.writes().len();
    for extra in [
        &["--existing-rollout", "halt"][..],
        &["--existing-rollout", "halt", "--dry-run", "true"],
    ] {
        let out = hotfix(extra);
        out.assert_code(2);
        assert!(
            out.stdout.contains("input `rollout-percentage`"),
            "{}",
            out.log()
        );
        assert!(out.stdout.contains("0%"), "{}", out.log());
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // Halted by hand first: the same.
    run(
        &sim,
        &ws,
        &["rollout", "--app-id", APP_ID, "--rollout-action", "halt"],
    )
    .assert_code(0);
    let before = sim.writes().len();
    let out = hotfix(&["--existing-rollout", "halt"]);
    out.assert_code(2);
    assert!(
        out.stdout.contains("input `rollout-percentage`"),
        "{}",
        out.log()
    );
    assert!(
        out.summary.contains("rollout-percentage"),
        "{}",
        out.summary
    );
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // Given explicitly, it ships; the summary shows the rollout and the publish mode.
    let out = hotfix(&["--rollout-percentage", "100"]);
    out.assert_code(0);
    assert!(
        out.summary
            .contains("| Rollout | gradual: 100% of customers |"),
        "{}",
        out.summary
    );
    assert!(
        out.summary.contains("| Publish | Immediate |"),
        "{}",
        out.summary
    );

    // `rollout-percentage: 0` on purpose is allowed (with commit false, nothing ships).
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.3.0_x64.msix",
            "--rollout-percentage",
            "0",
            "--existing-rollout",
            "finalize",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
}

// ----- exit codes -----

#[test]
fn an_unknown_app_is_exit_2_naming_the_input_once() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    for command in ["submit", "status"] {
        let mut args = vec![command, "--app-id", "9NBLGGH4R999"];
        if command == "submit" {
            args.extend(["--packages", "*.msix"]);
        }
        let out = run(&sim, &ws, &args);
        out.assert_code(2);
        assert!(out.stdout.contains("input `app-id`"), "{}", out.log());
        assert!(!out.stdout.contains("internal error"), "{}", out.log());
        assert!(!out.stdout.contains("HTTP 404\n"), "{}", out.log());
        assert!(
            !out.stdout
                .lines()
                .any(|l| l.contains("WARN") && l.contains("404")),
            "{}",
            out.log()
        );
    }
    assert_eq!(sim.writes(), Vec::<String>::new());
}

#[test]
fn an_undocumented_status_is_exit_1_at_once() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    sim.fault(json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/*/status"),
        "kind": "answer",
        "message": "{\"status\": \"Weird\\u0007\", \"statusDetails\": {}}",
        "times": 1000,
    }));
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--wait-for", "certified"],
    );
    out.assert_code(1);
    assert!(out.stdout.contains("\"Weird\\u{7}\""), "{}", out.log());
    assert!(
        out.stdout.contains("not a status the API documents"),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
    // Read once, not polled until the time-out.
    assert_eq!(sim.faults()["rules"][0]["hits"], 1, "{}", out.log());
}

#[test]
fn a_created_id_that_is_not_one_is_exit_1_and_names_what_was_left() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    sim.fault(json!({
        "method": "POST",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions"),
        "kind": "apply-then-answer",
        "message": "{\"id\": \"1152921504621243610\\n7\"}",
    }));
    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(1);
    assert!(
        out.stdout.contains("\"1152921504621243610\\n7\""),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
    let pending = sim.app(APP_ID)["pendingApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(out.stdout.contains(&pending), "{}", out.log());
    assert!(out.stdout.contains("on-pending: delete"), "{}", out.log());
    // No call went to a URL made from the broken id.
    assert!(
        !sim.writes().iter().any(|w| w.starts_with("PUT")),
        "{:?}",
        sim.writes()
    );
    // The way out works.
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--on-pending", "delete"],
    );
    out.assert_code(0);
}

#[test]
fn an_unreadable_answer_is_retried_then_exit_1_not_7() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let product = json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}"),
        "kind": "answer",
        "message": "<html>##[error]proxy says no</html>",
    });
    // Once: retried, and the run goes on.
    sim.fault(product.clone());
    let out = run(&sim, &ws, &["status", "--app-id", APP_ID]);
    out.assert_code(0);
    assert_eq!(sim.faults()["rules"][0]["hits"], 2, "{}", out.log());

    // Every time: exit 1 with the body as it came (escaped) and the correlation id.
    sim.clear_faults();
    let mut always = product;
    always["times"] = json!(1000);
    sim.fault(always);
    let out = run(&sim, &ws, &["status", "--app-id", APP_ID]);
    out.assert_code(1);
    assert!(out.stdout.contains("<html>"), "{}", out.log());
    assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
    assert!(!out.stdout.contains("kept failing"), "{}", out.log());
    assert!(!out.stdout.contains("\n##[error]proxy"), "{}", out.log());
}

// ----- inputs -----

#[test]
fn a_misspelled_variable_warns_once_naming_the_closest_input() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .env("MSSTORE_RELEASE_NOTE", "v2")
        .env("INPUT_SOME-OTHER-ACTIONS-INPUT", "x")
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .run();
    out.assert_code(0);
    let warnings: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.log());
    assert!(
        warnings[0].contains("MSSTORE_RELEASE_NOTE")
            && warnings[0].contains("`release-notes` (MSSTORE_RELEASE_NOTES)"),
        "{}",
        out.log()
    );
    // The step summary lists it.
    assert!(out.summary.contains("**Warnings**"), "{}", out.summary);
    assert!(
        out.summary.contains("MSSTORE_RELEASE_NOTE"),
        "{}",
        out.summary
    );
}

#[test]
fn inputs_a_command_ignores_are_a_note_not_a_warning_in_azure() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // Job-wide variables reach a `status` step too.
    let out = Run::against(&ws, &sim)
        .azure(&ws)
        .env("MSSTORE_PACKAGES", "*.msix")
        .env("MSSTORE_RELEASE_NOTES", "v2")
        .args(["status", "--app-id", APP_ID])
        .run();
    out.assert_code(0);
    assert!(
        out.stdout.contains("ignored: not used by `status`"),
        "{}",
        out.log()
    );
    assert!(
        !out.stdout.contains("logissue type=warning"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("##vso[task.complete result=Succeeded]"),
        "{}",
        out.log()
    );
}

#[test]
fn a_small_block_size_that_fits_is_kept() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let package = crate::packages::Msix::new("1.0.1.0", "x64").payload(2 << 20);
    ws.write("ContosoReader_1.0.1.0_x64.msix", &package.bytes());
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--upload-block-size",
            "256KiB",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    // It used to become 1 MiB without a word; it is used as given when it fits (a size that
    // must grow, past 50,000 blocks, is a warning saying what was used: unit-tested).
    assert!(
        out.stdout.contains("block(s) of 256.0 KiB"),
        "{}",
        out.log()
    );
    assert!(!out.stdout.contains("is too small"), "{}", out.log());
}

#[test]
fn a_zip_built_in_the_system_temp_folder_is_removed_at_exit() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("a/ContosoReader_1.0.1.0_x64.msix");
    ws.package("b/ContosoReader_1.0.2.0_x64.msix");
    let zips = || {
        std::fs::read_dir(ws.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".zip"))
            .collect::<Vec<_>>()
    };
    // In a terminal (no runner temp folder): the zip goes to the system temp (TMPDIR is
    // the workspace here) and is gone at exit, on success and on failure.
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "a/*.msix",
            "--commit",
            "false",
        ])
        .run();
    out.assert_code(0);
    // The zip was built in the temp folder this test set (else its absence proves nothing).
    let temp = ws.path().display().to_string();
    assert!(
        out.stderr
            .lines()
            .any(|l| l.contains(&format!("building {temp}/")) && l.ends_with(".zip from 1 file(s)")),
        "{}",
        out.log()
    );
    assert_eq!(zips(), Vec::<String>::new(), "{}", out.log());
    let out = Run::against(&ws, &sim)
        .args(["submit", "--app-id", APP_ID, "--packages", "b/*.msix"])
        .run();
    out.assert_code(4); // the draft above is pending, with other packages
    assert_eq!(zips(), Vec::<String>::new(), "{}", out.log());
    // With `zip-path`, it stays.
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "b/*.msix",
            "--on-pending",
            "delete",
            "--commit",
            "false",
            "--zip-path",
            "kept.zip",
        ])
        .run();
    out.assert_code(0);
    assert_eq!(zips(), ["kept.zip"], "{}", out.log());
}

// ----- price -----

const ADDON_ID: &str = "9NBLGGH4TNMP";

#[test]
fn a_price_set_per_market_is_exit_4_before_any_write_and_a_tier_replaces_it() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    sim.post(
        "/_simulator/pricing",
        json!({"appId": APP_ID, "priceId": "Base"}),
    );
    for extra in [&[][..], &["--dry-run", "true"], &["--on-pending", "delete"]] {
        let mut args = vec!["--packages", "*.msix"];
        args.extend_from_slice(extra);
        let out = submit(&sim, &ws, &args);
        out.assert_code(4);
        assert!(out.stdout.contains("priced per market"), "{}", out.log());
        assert!(
            out.stdout.contains("leaving it out makes the product free"),
            "{}",
            out.log()
        );
        assert!(
            out.stdout.contains("replaces the per-market prices")
                && out.stdout.contains("publish this update in Partner Center"),
            "{}",
            out.log()
        );
    }
    assert_eq!(sim.writes(), Vec::<String>::new());
    assert_eq!(sim.state()["prices"][APP_ID]["pending"], Value::Null);

    // A tier given explicitly is sent, and is the price of the submission.
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--submission-patch",
            r#"{"pricing": {"priceId": "Tier5"}}"#,
        ],
    );
    out.assert_code(0);
    let id = out.output("submission-id");
    assert_eq!(sim.submission(id)["pricing"]["priceId"], "Tier5");
    assert_eq!(sim.state()["prices"][APP_ID]["pending"], "Tier5");
}

#[test]
fn an_addon_priced_per_market_is_refused_the_same_way() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    sim.post(
        "/_simulator/pricing",
        json!({"appId": APP_ID, "addonId": ADDON_ID, "priceId": "Base"}),
    );
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--addon-id",
            ADDON_ID,
            "--submission-patch",
            r#"{"tag": "v2"}"#,
        ],
    );
    out.assert_code(4);
    assert!(out.stdout.contains("priced per market"), "{}", out.log());
    assert_eq!(sim.writes(), Vec::<String>::new());
    assert_eq!(sim.state()["prices"][ADDON_ID]["published"], "Base");
}

#[test]
fn a_patch_that_removes_the_price_is_exit_2_before_any_call() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    for patch in [
        r#"{"pricing": {"priceId": null}}"#,
        r#"{"pricing": null}"#,
        r#"{"pricing": {"priceId": ""}}"#,
        r#"{"pricing": {"priceId": "Base"}}"#,
    ] {
        for extra in [&[][..], &["--dry-run", "true"]] {
            let mut args = vec!["--packages", "*.msix", "--submission-patch", patch];
            args.extend_from_slice(extra);
            let out = submit(&sim, &ws, &args);
            out.assert_code(2);
            assert!(
                out.stdout.contains("input `submission-patch`"),
                "{patch}\n{}",
                out.log()
            );
            assert!(out.stdout.contains("free"), "{patch}\n{}", out.log());
        }
    }
    // Not even a token was asked for.
    assert_eq!(sim.requests(), Vec::<Value>::new());
    // The same from a file, for an add-on.
    ws.write("patch.json", br#"{"pricing": {"priceId": null}}"#);
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--addon-id",
            ADDON_ID,
            "--submission-patch-file",
            "patch.json",
        ],
    );
    out.assert_code(2);
    assert!(
        out.stdout.contains("input `submission-patch-file`"),
        "{}",
        out.log()
    );
    assert_eq!(sim.requests(), Vec::<Value>::new());
    // The published price is untouched, and a run without the patch keeps it.
    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(0);
    let published = sim.state()["prices"][APP_ID]["published"].clone();
    assert_eq!(sim.state()["prices"][APP_ID]["pending"], published);
    assert!(
        published.as_str().is_some_and(|p| p.starts_with("Tier")),
        "{published}"
    );
}

#[test]
fn a_pending_id_that_is_not_one_is_exit_1_before_any_write() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let mut app = sim.app(APP_ID);
    app["pendingApplicationSubmission"] =
        json!({"id": "1152921504621243610\r\n", "resourceLocation": "x"});
    sim.fault(json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}"),
        "kind": "answer",
        "message": app.to_string(),
        "times": 1000,
    }));
    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(1);
    assert!(
        out.stdout.contains("\"1152921504621243610\\r\\n\""),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
    assert_eq!(sim.writes(), Vec::<String>::new());
}

#[test]
fn a_submission_created_then_found_unfit_before_its_update_is_deleted() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // The simulator numbers submissions in steps of 17 from the last one it made.
    let last = sim.state()["submissions"]
        .as_object()
        .unwrap()
        .keys()
        .map(|id| id.parse::<u64>().unwrap())
        .max()
        .unwrap();
    let next = (last + 17).to_string();
    // The new submission reads back without a price (a clone that differs from what was
    // published): found after the create, before the PUT.
    let published_id = sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut clone = sim.submission(&published_id);
    clone["id"] = json!(next);
    clone["status"] = json!("PendingCommit");
    clone["pricing"]["priceId"] = Value::Null;
    sim.fault(json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/{next}"),
        "kind": "answer",
        "message": clone.to_string(),
        "times": 1000,
    }));
    let out = submit(&sim, &ws, &["--packages", "*.msix"]);
    out.assert_code(4);
    assert!(out.stdout.contains("price that is null"), "{}", out.log());
    assert!(
        out.stdout.contains(&format!("deleted submission {next}")),
        "{}",
        out.log()
    );
    assert_eq!(
        sim.writes(),
        [
            format!("POST /v1.0/my/applications/{APP_ID}/submissions"),
            format!("DELETE /v1.0/my/applications/{APP_ID}/submissions/{next}"),
        ]
    );
    assert!(
        sim.app(APP_ID)["pendingApplicationSubmission"].is_null(),
        "{}",
        sim.app(APP_ID)
    );
}

#[test]
fn a_certification_warning_is_printed_once_across_status_changes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    sim.post(
        "/_simulator/processing",
        json!({"warnings": [{"code": "SalesUnsupportedWarning", "details": "sales are ignored (safety test)"}]}),
    );
    // PreProcessing, Certification, Release: the warning is in every status's details.
    let out = submit(
        &sim,
        &ws,
        &["--packages", "*.msix", "--wait-for", "certified"],
    );
    out.assert_code(0);
    let shown = out
        .stdout
        .lines()
        .filter(|l| l.contains("sales are ignored (safety test)"))
        .count();
    assert_eq!(shown, 1, "{}", out.log());
}

// ----- re-runs of a draft (review gaps) -----

#[test]
fn re_running_a_draft_with_the_same_inputs_warns_nothing_in_azure() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let go = || {
        Run::against(&ws, &sim)
            .azure(&ws)
            .args([
                "submit",
                "--app-id",
                APP_ID,
                "--packages",
                "*.msix",
                "--commit",
                "false",
            ])
            .run()
    };
    go().assert_code(0);
    // The draft's never-uploaded entry is this run's own package: re-added, not "dropped".
    let out = go();
    out.assert_code(0);
    assert!(!out.stdout.contains("never uploaded"), "{}", out.log());
    assert!(
        !out.stdout.contains("logissue type=warning"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("##vso[task.complete result=Succeeded]"),
        "{}",
        out.log()
    );
}

const PATCH_TIER5: &str = r#"{"pricing":{"priceId":"Tier5"},"notesForCertification":"from patch"}"#;

#[test]
fn a_committed_re_run_without_the_patch_is_not_an_earlier_runs() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let go = |extra: &[&str]| {
        let mut args = vec!["--packages", "*.msix", "--zip-path", "upload.zip"];
        args.extend_from_slice(extra);
        submit(&sim, &ws, &args)
    };
    let first = go(&[
        "--submission-patch",
        PATCH_TIER5,
        "--release-notes",
        "v1.0.2",
        "--wait-for",
        "certified",
    ]);
    first.assert_code(0);
    assert_eq!(first.output("status"), "Release");
    let id = first.output("submission-id").to_string();
    assert_eq!(sim.submission(&id)["pricing"]["priceId"], "Tier5");

    // The same packages and zip, without the patch and the notes: what these inputs make of
    // the published submission is not what is pending. Not continued: on-pending, naming
    // what differs, nothing written.
    let before = sim.writes().len();
    let out = go(&["--wait-for", "certified"]);
    out.assert_code(4);
    assert!(!out.stdout.contains("continuing it"), "{}", out.log());
    assert!(
        out.stdout.contains("differs from these inputs"),
        "{}",
        out.log()
    );
    for field in [
        "/pricing/priceId",
        "/notesForCertification",
        "/releaseNotes",
    ] {
        assert!(out.stdout.contains(field), "{field}\n{}", out.log());
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // The same inputs again: that one is continued.
    let out = go(&[
        "--submission-patch",
        PATCH_TIER5,
        "--release-notes",
        "v1.0.2",
        "--wait-for",
        "certified",
    ]);
    out.assert_code(0);
    assert!(out.stdout.contains("continuing it"), "{}", out.log());
    assert_eq!(out.output("submission-id"), id);
}

#[test]
fn a_draft_re_run_without_the_patch_is_rebuilt_from_the_published_submission() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let published = sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let published = sim.submission(&published);
    let go = |extra: &[&str]| {
        let mut args = vec!["--packages", "*.msix", "--commit", "false"];
        args.extend_from_slice(extra);
        submit(&sim, &ws, &args)
    };
    let first = go(&["--submission-patch", PATCH_TIER5]);
    first.assert_code(0);
    let id = first.output("submission-id").to_string();
    assert_eq!(sim.submission(&id)["pricing"]["priceId"], "Tier5");

    let out = go(&[]);
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), id);
    assert!(out.stdout.contains("rebuilt"), "{}", out.log());
    assert!(out.stdout.contains("/pricing/priceId"), "{}", out.log());
    assert!(!out.stdout.contains("never uploaded"), "{}", out.log());
    let now = sim.submission(&id);
    assert_eq!(now["pricing"]["priceId"], published["pricing"]["priceId"]);
    assert_ne!(now["pricing"]["priceId"], "Tier5");
    assert_eq!(
        now["notesForCertification"],
        published["notesForCertification"]
    );
    // Still this run's package, once.
    assert_eq!(
        packages(&now)
            .iter()
            .filter(|(name, _)| name == "ContosoReader_1.0.1.0_x64.msix")
            .count(),
        1
    );

    // A rollout and a publish mode given once, then dropped: the published values come back.
    let out = go(&[
        "--rollout-percentage",
        "25",
        "--target-publish-mode",
        "Immediate",
    ]);
    out.assert_code(0);
    let rollout = "/packageDeliveryOptions/packageRollout/isPackageRollout";
    assert_eq!(sim.submission(&id).pointer(rollout), Some(&json!(true)));
    assert_eq!(sim.submission(&id)["targetPublishMode"], "Immediate");
    let out = go(&[]);
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), id);
    assert!(out.stdout.contains("rebuilt"), "{}", out.log());
    let now = sim.submission(&id);
    assert_eq!(now.pointer(rollout), published.pointer(rollout));
    assert_eq!(now["targetPublishMode"], published["targetPublishMode"]);
}

// ----- undocumented statuses on every path (review gaps) -----

#[test]
fn an_undocumented_status_stops_status_rollout_and_on_pending_at_once() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let draft = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    draft.assert_code(0);
    let id = draft.output("submission-id").to_string();
    let hostile = "Weird\u{7}\n::error::pwned";
    sim.fault(json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/{id}"),
        "kind": "answer",
        "message": json!({"id": id, "status": hostile, "statusDetails": {}}).to_string(),
        "times": 1000,
    }));
    let refused = |out: &Outcome| {
        out.assert_code(1);
        assert!(
            out.stdout.contains("not a status the API documents"),
            "{}",
            out.log()
        );
        assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
        assert!(!out.stdout.contains('\u{7}'), "{}", out.log());
        assert!(
            !out.stdout.lines().any(|l| l.starts_with("::error::pwned")),
            "{}",
            out.log()
        );
        assert!(
            out.outputs.values().all(|v| !v.contains('\u{7}')),
            "{:?}",
            out.outputs
        );
    };

    // `status` without `wait-for`.
    let out = run(&sim, &ws, &["status", "--app-id", APP_ID]);
    refused(&out);
    assert!(!out.outputs.contains_key("status"), "{:?}", out.outputs);

    // A pending submission in it, with every `on-pending`: nothing deleted, nothing made.
    let before = sim.writes().len();
    ws.package("other/ContosoReader_1.0.2.0_x64.msix");
    for on_pending in ["fail", "reuse", "delete"] {
        let out = submit(
            &sim,
            &ws,
            &["--packages", "other/*.msix", "--on-pending", on_pending],
        );
        refused(&out);
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());
    sim.clear_faults();

    // A rollout in a state the API does not document: neither reported nor changed.
    let published = sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.fault(json!({
        "method": "GET",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/{published}/packagerollout"),
        "kind": "answer",
        "message": json!({
            "isPackageRollout": true,
            "packageRolloutPercentage": 10.0,
            "packageRolloutStatus": "PackageRolloutWeird",
            "fallbackSubmissionId": "0",
        })
        .to_string(),
        "times": 1000,
    }));
    for action in ["get", "finalize"] {
        let out = run(
            &sim,
            &ws,
            &["rollout", "--app-id", APP_ID, "--rollout-action", action],
        );
        refused(&out);
        assert!(out.stdout.contains("PackageRolloutWeird"), "{}", out.log());
    }
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());
}

// ----- unknown products (review gaps) -----

#[test]
fn an_unknown_app_is_exit_2_for_add_on_lists_and_flight_deletes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    for args in [
        &["list", "--list", "addons", "--app-id", "9NBLGGH4R999"][..],
        &[
            "delete-flight",
            "--app-id",
            "9NBLGGH4R999",
            "--flight-id",
            "7bfc11d5-f710-47c5-8a83-3e3a2f6e3b4e",
        ],
    ] {
        let out = run(&sim, &ws, args);
        out.assert_code(2);
        assert!(out.stdout.contains("input `app-id`"), "{}", out.log());
        assert!(!out.stdout.contains("nothing to delete"), "{}", out.log());
    }
    assert_eq!(sim.writes(), Vec::<String>::new());
}
