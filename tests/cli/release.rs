//! Release control end to end: gradual rollout (submit, the `rollout` command, what an
//! unfinished rollout does to the next submission), publish mode and date, mandatory
//! updates, release notes per language, listing images through the patch, and dry runs.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::*;

const FLIGHT_ID: &str = "7bfc11d5-f710-47c5-8a98-e04bb5aad310";
const ADDON_ID: &str = "9NBLGGH4TNMP";

fn run(sim: &Simulator, ws: &Workspace, args: &[&str]) -> Outcome {
    Run::against(ws, sim).github(ws).args(args).run()
}

fn rollout(sim: &Simulator, ws: &Workspace, extra: &[&str]) -> Outcome {
    let mut args = vec!["rollout", "--app-id", APP_ID];
    args.extend_from_slice(extra);
    run(sim, ws, &args)
}

fn published_id(sim: &Simulator) -> String {
    sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn rollout_of(submission: &Value) -> Value {
    submission["packageDeliveryOptions"]["packageRollout"].clone()
}

fn last_put(sim: &Simulator, id: &str) -> Value {
    sim.state()["submissions"][id]["lastPut"].clone()
}

/// Writes since `before` (a count of writes seen earlier).
fn writes_since(sim: &Simulator, before: usize) -> Vec<String> {
    sim.writes().into_iter().skip(before).collect()
}

#[test]
fn rollout_lifecycle_end_to_end() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    ws.package("ContosoReader_1.0.3.0_x64.msix");
    let seed = published_id(&sim);

    // Submit at 10 % and let it publish.
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
    assert_eq!(out.output("status"), "Published");
    let first = out.output("submission-id").to_string();
    assert_eq!(published_id(&sim), first);
    // What was sent: rollout on, the percentage a float; the service's fields left to it.
    let sent = last_put(&sim, &first);
    assert_eq!(
        rollout_of(&sent),
        json!({"isPackageRollout": true, "packageRolloutPercentage": 10.0})
    );
    assert!(rollout_of(&sent)["packageRolloutPercentage"].is_f64());
    assert_eq!(
        rollout_of(&sim.submission(&first)),
        json!({
            "isPackageRollout": true,
            "packageRolloutPercentage": 10.0,
            "packageRolloutStatus": "PackageRolloutInProgress",
            "fallbackSubmissionId": seed
        })
    );

    // get
    let out = rollout(&sim, &ws, &["--rollout-action", "get"]);
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), first);
    let got: Value = serde_json::from_str(out.output("rollout")).unwrap();
    assert_eq!(got, rollout_of(&sim.submission(&first)));
    assert!(
        out.summary
            .contains("| Rollout | 10% (PackageRolloutInProgress) |"),
        "{}",
        out.summary
    );

    // update to 50 %
    let out = rollout(
        &sim,
        &ws,
        &["--rollout-action", "update", "--rollout-percentage", "50"],
    );
    out.assert_code(0);
    let got: Value = serde_json::from_str(out.output("rollout")).unwrap();
    assert_eq!(got["packageRolloutPercentage"], json!(50.0));
    assert_eq!(got["packageRolloutStatus"], "PackageRolloutInProgress");
    assert!(
        sim.requests()
            .iter()
            .any(|r| r["path"].as_str().unwrap().ends_with(&format!(
                "/submissions/{first}/updatepackagerolloutpercentage"
            )) && r["query"] == "percentage=50")
    );

    // A new submission while it rolls out: refused (exit 4) before anything changes.
    let before = sim.writes().len();
    let out = submit(&sim, &ws, &["--packages", "ContosoReader_1.0.2.0_x64.msix"]);
    out.assert_code(4);
    assert!(out.stdout.contains(&first), "{}", out.log());
    assert!(
        out.stdout.contains("50% (PackageRolloutInProgress)"),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains("existing-rollout"), "{}", out.log());
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // halt
    let out = rollout(&sim, &ws, &["--rollout-action", "halt"]);
    out.assert_code(0);
    let got: Value = serde_json::from_str(out.output("rollout")).unwrap();
    assert_eq!(got["packageRolloutStatus"], "PackageRolloutStopped");
    assert_eq!(got["packageRolloutPercentage"], json!(0.0));
    // A halted rollout is over: it cannot be widened again.
    let out = rollout(
        &sim,
        &ws,
        &["--rollout-action", "update", "--rollout-percentage", "60"],
    );
    out.assert_code(4);
    assert!(
        out.stdout.contains("PackageRolloutStopped"),
        "{}",
        out.log()
    );

    // After a halt a new submission can be created: a clone of the halted one. Nothing is
    // left to finalize, so `existing-rollout: finalize` does nothing.
    let before = sim.writes().len();
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--existing-rollout",
            "finalize",
            "--rollout-percentage",
            "20",
            "--target-publish-mode",
            "Immediate",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    let second = out.output("submission-id").to_string();
    assert!(
        !writes_since(&sim, before)
            .iter()
            .any(|w| w.contains("finalizepackagerollout")),
        "{:?}",
        sim.writes()
    );
    assert_eq!(
        packages(&last_put(&sim, &second)),
        [
            (
                "ContosoReader_1.0.1.0_x64.msix".to_string(),
                "PendingDelete".to_string()
            ),
            (
                "ContosoReader_1.0.2.0_x64.msix".into(),
                "PendingUpload".into()
            ),
        ],
        "cloned from the halted submission"
    );
    let now = rollout_of(&sim.submission(&second));
    assert_eq!(now["packageRolloutStatus"], "PackageRolloutInProgress");
    assert_eq!(now["packageRolloutPercentage"], json!(20.0));
    assert_eq!(now["fallbackSubmissionId"], json!(first));

    // This one still rolls out: `existing-rollout: finalize` finalizes it, then creates.
    let before = sim.writes().len();
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.3.0_x64.msix",
            "--existing-rollout",
            "finalize",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    let third = out.output("submission-id").to_string();
    let writes = writes_since(&sim, before);
    let finalize =
        format!("POST /v1.0/my/applications/{APP_ID}/submissions/{second}/finalizepackagerollout");
    let create = format!("POST /v1.0/my/applications/{APP_ID}/submissions");
    assert_eq!(writes.first(), Some(&finalize), "{writes:?}");
    assert_eq!(writes.get(1), Some(&create), "{writes:?}");
    let done = rollout_of(&sim.submission(&second));
    assert_eq!(done["packageRolloutStatus"], "PackageRolloutComplete");
    assert_eq!(done["packageRolloutPercentage"], json!(100.0));
    assert!(
        out.summary.contains("finalized the gradual rollout"),
        "{}",
        out.summary
    );
    // The new one inherits rollout on from its clone; the run says so.
    assert_eq!(
        rollout_of(&sim.submission(&third))["isPackageRollout"],
        true
    );
    assert!(
        out.stdout
            .contains("keeps the gradual rollout it was cloned with"),
        "{}",
        out.log()
    );

    // A finalized rollout: finalizing again finds it done (a re-run after a lost answer),
    // but widening it is refused.
    let out = rollout(&sim, &ws, &["--rollout-action", "finalize"]);
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("already 100% (PackageRolloutComplete): nothing to do"),
        "{}",
        out.log()
    );
    let out = rollout(
        &sim,
        &ws,
        &["--rollout-action", "update", "--rollout-percentage", "90"],
    );
    out.assert_code(4);
    assert!(
        out.stdout.contains("PackageRolloutComplete"),
        "{}",
        out.log()
    );
}

#[test]
fn a_flight_rolls_out_and_existing_rollout_halt_halts_it() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let flight = |extra: &[&str]| {
        let mut args = vec!["submit", "--app-id", APP_ID, "--flight-id", FLIGHT_ID];
        args.extend_from_slice(extra);
        run(&sim, &ws, &args)
    };
    // The docs' flight submission publishes Immediate.
    let out = flight(&[
        "--packages",
        "ContosoReader_1.0.1.0_x64.msix",
        "--rollout-percentage",
        "33.3",
        "--wait-for",
        "published",
    ]);
    out.assert_code(0);
    let first = out.output("submission-id").to_string();

    let out = run(
        &sim,
        &ws,
        &[
            "rollout",
            "--app-id",
            APP_ID,
            "--flight-id",
            FLIGHT_ID,
            "--rollout-action",
            "get",
        ],
    );
    out.assert_code(0);
    let got: Value = serde_json::from_str(out.output("rollout")).unwrap();
    assert_eq!(got["packageRolloutPercentage"], json!(33.3));
    assert_eq!(got["packageRolloutStatus"], "PackageRolloutInProgress");

    let before = sim.writes().len();
    let out = flight(&[
        "--packages",
        "ContosoReader_1.0.2.0_x64.msix",
        "--existing-rollout",
        "halt",
        "--commit",
        "false",
    ]);
    out.assert_code(0);
    let writes = writes_since(&sim, before);
    assert_eq!(
        writes.first().map(String::as_str),
        Some(
            format!(
                "POST /v1.0/my/applications/{APP_ID}/flights/{FLIGHT_ID}/submissions/{first}/haltpackagerollout"
            )
            .as_str()
        ),
        "{writes:?}"
    );
    assert_eq!(
        rollout_of(&sim.submission(&first))["packageRolloutStatus"],
        "PackageRolloutStopped"
    );
}

#[test]
fn inputs_that_do_not_fit_are_refused_before_any_call() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.write("notes-md/en-us.txt", b"ok");
    ws.write("notes-md/readme.md", b"not notes");
    ws.write("notes-latin1/de-de.txt", b"Fehlerbehebungen f\xfcr alle");
    let app = ["submit", "--app-id", APP_ID, "--packages", "*.msix"];
    let addon = ["submit", "--addon-id", ADDON_ID, "--submission-patch", "{}"];
    let flight = [
        "submit",
        "--app-id",
        APP_ID,
        "--flight-id",
        FLIGHT_ID,
        "--packages",
        "*.msix",
    ];
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            [&app[..], &["--rollout-percentage", "150"]].concat(),
            "rollout-percentage",
            "from 0 to 100",
        ),
        (
            [&app[..], &["--rollout-percentage", "12,5"]].concat(),
            "rollout-percentage",
            "`.`",
        ),
        (
            [&addon[..], &["--rollout-percentage", "10"]].concat(),
            "rollout-percentage",
            "add-ons have no gradual rollout",
        ),
        (
            [&addon[..], &["--existing-rollout", "halt"]].concat(),
            "existing-rollout",
            "add-ons",
        ),
        (
            [&addon[..], &["--mandatory-update", "true"]].concat(),
            "mandatory-update",
            "add-ons",
        ),
        (
            [&app[..], &["--existing-rollout", "Finalize"]].concat(),
            "existing-rollout",
            "did you mean `finalize`",
        ),
        (
            vec!["rollout", "--addon-id", ADDON_ID, "--rollout-action", "get"],
            "addon-id",
            "add-ons have no gradual rollout",
        ),
        (
            vec!["rollout", "--app-id", APP_ID],
            "rollout-action",
            "is required",
        ),
        (
            vec!["rollout", "--app-id", APP_ID, "--rollout-action", "update"],
            "rollout-percentage",
            "is required with `rollout-action: update`",
        ),
        (
            vec![
                "rollout",
                "--app-id",
                APP_ID,
                "--rollout-action",
                "halt",
                "--rollout-percentage",
                "5",
            ],
            "rollout-percentage",
            "only used with `rollout-action: update`",
        ),
        (
            vec![
                "rollout",
                "--app-id",
                APP_ID,
                "--rollout-action",
                "finalize",
                "--dry-run",
                "true",
            ],
            "dry-run",
            "only for `submit`",
        ),
        (
            [&app[..], &["--target-publish-date", "2030-01-01T00:00:00Z"]].concat(),
            "target-publish-date",
            "only used with `target-publish-mode: SpecificDate`",
        ),
        (
            [
                &app[..],
                &[
                    "--target-publish-mode",
                    "Manual",
                    "--target-publish-date",
                    "2030-01-01T00:00:00Z",
                ],
            ]
            .concat(),
            "target-publish-date",
            "not `Manual`",
        ),
        (
            [&app[..], &["--target-publish-mode", "SpecificDate"]].concat(),
            "target-publish-date",
            "is required",
        ),
        (
            [
                &app[..],
                &[
                    "--target-publish-mode",
                    "SpecificDate",
                    "--target-publish-date",
                    "2030-01-01",
                ],
            ]
            .concat(),
            "target-publish-date",
            "time zone",
        ),
        (
            [&app[..], &["--visibility", "public"]].concat(),
            "visibility",
            "did you mean `Public`",
        ),
        (
            [&flight[..], &["--visibility", "Hidden"]].concat(),
            "visibility",
            "flight",
        ),
        (
            [&flight[..], &["--release-notes-dir", "notes-md"]].concat(),
            "release-notes-dir",
            "flight",
        ),
        (
            [
                &app[..],
                &["--mandatory-update-effective-date", "2030-01-01T00:00:00Z"],
            ]
            .concat(),
            "mandatory-update-effective-date",
            "only used with `mandatory-update: true`",
        ),
        (
            [
                &app[..],
                &["--release-notes", "x", "--release-notes-dir", "notes-md"],
            ]
            .concat(),
            "release-notes-dir",
            "not both",
        ),
        (
            [&app[..], &["--release-notes-dir", "notes-md"]].concat(),
            "release-notes-dir",
            "`readme.md` is not a release-notes file",
        ),
        (
            [&app[..], &["--release-notes-dir", "notes-latin1"]].concat(),
            "release-notes-dir",
            "`de-de.txt` is not UTF-8",
        ),
        (
            [&app[..], &["--release-notes-dir", "missing"]].concat(),
            "release-notes-dir",
            "does not exist",
        ),
    ];
    for (args, input, fragment) in cases {
        let out = run(&sim, &ws, &args);
        assert_eq!(out.code, 2, "{args:?}\n{}", out.log());
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains(&format!("input `{input}`")) && l.contains(fragment));
        assert!(
            line.is_some(),
            "{args:?}: no `{input}` … {fragment}\n{}",
            out.log()
        );
    }
    assert_eq!(
        sim.requests(),
        Vec::<Value>::new(),
        "validation makes no call"
    );

    // Every problem at once.
    let out = run(
        &sim,
        &ws,
        &[
            &app[..],
            &[
                "--rollout-percentage=-1",
                "--target-publish-mode",
                "Later",
                "--mandatory-update",
                "maybe",
            ],
        ]
        .concat(),
    );
    out.assert_code(2);
    for input in [
        "rollout-percentage",
        "target-publish-mode",
        "mandatory-update",
    ] {
        assert!(
            out.stdout
                .contains(&format!("::error title=Invalid input::input `{input}`")),
            "{input}\n{}",
            out.log()
        );
    }
}

#[test]
fn the_service_refuses_rollout_changes_that_are_not_in_progress() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // The seeded published submission has no rollout: reading it is fine…
    let out = rollout(&sim, &ws, &["--rollout-action", "get"]);
    out.assert_code(0);
    let got: Value = serde_json::from_str(out.output("rollout")).unwrap();
    assert_eq!(got, sample("package-rollout-get-not-enabled-response.json"));
    // …changing it is not.
    for action in ["halt", "finalize"] {
        let out = rollout(&sim, &ws, &["--rollout-action", action]);
        out.assert_code(4);
        assert!(
            out.stdout.contains("not a gradual rollout"),
            "{}",
            out.log()
        );
    }
    // An app with nothing published has no rollout at all.
    sim.seed(json!({"appId": "9NBLGGH4R316", "published": false}));
    let out = run(
        &sim,
        &ws,
        &[
            "rollout",
            "--app-id",
            "9NBLGGH4R316",
            "--rollout-action",
            "get",
        ],
    );
    out.assert_code(4);
    assert!(
        out.stdout.contains("no published submission"),
        "{}",
        out.log()
    );
}

#[test]
fn the_simulator_keeps_the_rollout_rules() {
    let sim = Simulator::start();
    let app = format!("applications/{APP_ID}");
    let published = published_id(&sim);
    // Rollout calls on a submission that is not published: 409.
    let (status, draft) = sim.api("POST", &format!("{app}/submissions"), None);
    assert_eq!(status, 200);
    let draft = draft["id"].as_str().unwrap().to_string();
    let (status, body) = sim.api(
        "GET",
        &format!("{app}/submissions/{draft}/packagerollout"),
        None,
    );
    assert_eq!((status, body["code"].as_str()), (409, Some("InvalidState")));
    // A PUT cannot set the service's rollout fields.
    let (_, mut submission) = sim.api("GET", &format!("{app}/submissions/{draft}"), None);
    submission["packageDeliveryOptions"]["packageRollout"] = json!({
        "isPackageRollout": true, "packageRolloutPercentage": 5.0,
        "packageRolloutStatus": "PackageRolloutInProgress", "fallbackSubmissionId": "42"
    });
    let (status, stored) = sim.api(
        "PUT",
        &format!("{app}/submissions/{draft}"),
        Some(submission.clone()),
    );
    assert_eq!(status, 200);
    assert_eq!(
        rollout_of(&stored),
        json!({"isPackageRollout": true, "packageRolloutPercentage": 5.0,
               "packageRolloutStatus": "PackageRolloutNotStarted", "fallbackSubmissionId": "0"})
    );
    // Mandatory-update fields are checked on PUT.
    let mut bad = submission.clone();
    bad["packageDeliveryOptions"]["mandatoryUpdateEffectiveDate"] = json!("soon");
    let (status, body) = sim.api("PUT", &format!("{app}/submissions/{draft}"), Some(bad));
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("mandatoryUpdateEffectiveDate")
    );
    // Percentages: 0 to 100, on a rollout in progress only.
    let (status, _) = sim.api(
        "POST",
        &format!("{app}/submissions/{published}/updatepackagerolloutpercentage?percentage=101"),
        None,
    );
    assert_eq!(status, 400);
    let (status, _) = sim.api(
        "POST",
        &format!("{app}/submissions/{published}/updatepackagerolloutpercentage?percentage=50"),
        None,
    );
    assert_eq!(status, 409, "no rollout in progress");
    // Add-ons have no rollout endpoints.
    let addon = sim.state()["addons"][ADDON_ID]["lastPublishedInAppProductSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = sim.api(
        "GET",
        &format!("inappproducts/{ADDON_ID}/submissions/{addon}/packagerollout"),
        None,
    );
    assert_eq!(status, 404);
}

#[test]
fn publish_settings_and_mandatory_updates_are_written_and_inherited() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--target-publish-mode",
            "Immediate",
            "--visibility",
            "Hidden",
            "--mandatory-update",
            "true",
            "--mandatory-update-effective-date",
            "2030-01-02T03:04:05+01:00",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    let first = out.output("submission-id").to_string();
    let sent = last_put(&sim, &first);
    assert_eq!(sent["targetPublishMode"], "Immediate");
    assert_eq!(sent["visibility"], "Hidden");
    assert_eq!(sent["packageDeliveryOptions"]["isMandatoryUpdate"], true);
    assert_eq!(
        sent["packageDeliveryOptions"]["mandatoryUpdateEffectiveDate"],
        "2030-01-02T02:04:05Z"
    );

    // Inputs not given keep what the clone has: the mandatory update stays on.
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    let sent = last_put(&sim, out.output("submission-id"));
    assert_eq!(sent["packageDeliveryOptions"]["isMandatoryUpdate"], true);
    assert_eq!(sent["visibility"], "Hidden");
    assert_eq!(sent["targetPublishMode"], "Immediate");
}

#[test]
fn wait_for_published_stops_at_release_when_a_person_publishes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // The seed publishes manually; say so anyway.
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--target-publish-mode",
            "Manual",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("status"), "Release");
    let id = out.output("submission-id");
    let notice = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::notice::"))
        .unwrap_or_else(|| panic!("no notice\n{}", out.log()));
    assert!(
        notice.contains("waits in Release for a person to publish it in Partner Center"),
        "{notice}"
    );
    assert!(notice.contains(id), "{notice}");
    assert!(
        out.summary.contains("waits in Release for a person"),
        "{}",
        out.summary
    );
    // It stays there: nobody published it.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sim.submission(id)["status"], "Release");

    // `status` says the same.
    let out = run(
        &sim,
        &ws,
        &["status", "--app-id", APP_ID, "--wait-for", "published"],
    );
    out.assert_code(0);
    assert!(out.stdout.contains("::notice::"), "{}", out.log());
}

#[test]
fn specific_date_publishes_on_its_date() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    ws.package("ContosoReader_1.0.3.0_x64.msix");
    let date = |from_now: i64| {
        (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(from_now))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };

    // A date a few seconds ahead: the wait goes on past Release until it publishes.
    let soon = date(4);
    let started = Instant::now();
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--target-publish-mode",
            "SpecificDate",
            "--target-publish-date",
            &soon,
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("status"), "Published");
    let soon_at: jiff::Timestamp = soon.parse().unwrap();
    assert!(
        jiff::Timestamp::now() >= soon_at,
        "published before its date"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(
        last_put(&sim, out.output("submission-id"))["targetPublishDate"],
        json!(soon)
    );

    // A date beyond the wait: it stops at Release and says when it publishes.
    let later = date(3 * 24 * 3600);
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.2.0_x64.msix",
            "--target-publish-mode",
            "SpecificDate",
            "--target-publish-date",
            &later,
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("status"), "Release");
    assert!(
        out.stdout
            .contains(&format!("waits in Release for its publish date, {later}")),
        "{}",
        out.log()
    );
    let waiting = out.output("submission-id").to_string();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sim.submission(&waiting)["status"], "Release");

    // A date in the past publishes as soon as it is certified (with a warning).
    let sim = Simulator::start();
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.3.0_x64.msix",
            "--target-publish-mode",
            "SpecificDate",
            "--target-publish-date",
            "2020-01-01T00:00:00Z",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("status"), "Published");
    assert!(
        out.stdout
            .contains("::warning::`target-publish-date` 2020-01-01T00:00:00Z is in the past"),
        "{}",
        out.log()
    );
}

/// A draft with a second listing (de-de, with its own notes), for the listing tests.
fn draft_with_two_listings(sim: &Simulator, ws: &Workspace) -> String {
    let patch = json!({"listings": {"de-de": {"baseListing": {
        "title": "Contoso E-Book-Leser", "description": "Beschreibung", "releaseNotes": "Alte Notizen"
    }}}});
    let out = submit(
        sim,
        ws,
        &[
            "--submission-patch",
            &patch.to_string(),
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    out.output("submission-id").to_string()
}

#[test]
fn release_notes_per_language() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let draft = draft_with_two_listings(&sim, &ws);
    // One file, named in upper case, with a BOM and a trailing newline.
    ws.write(
        "notes/EN-US.txt",
        "\u{feff}Faster page turns.\nFixed bookmarks.\n".as_bytes(),
    );
    let out = submit(
        &sim,
        &ws,
        &[
            "--release-notes-dir",
            "notes",
            "--on-pending",
            "reuse",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    let stored = sim.submission(&draft);
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "Faster page turns.\nFixed bookmarks."
    );
    assert_eq!(
        stored["listings"]["de-de"]["baseListing"]["releaseNotes"],
        "Alte Notizen"
    );

    // A file for a language without a listing: refused, naming the languages there are,
    // before the submission is changed.
    ws.write("notes/fr-fr.txt", "Nouveautés".as_bytes());
    let before = sim.writes().len();
    let out = submit(
        &sim,
        &ws,
        &[
            "--release-notes-dir",
            "notes",
            "--on-pending",
            "reuse",
            "--commit",
            "false",
        ],
    );
    out.assert_code(2);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("fr-fr.txt"))
        .unwrap_or_else(|| panic!("{}", out.log()));
    assert!(line.contains("en-us, de-de"), "{line}");
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());

    // The same mistake on a new submission is caught before it is created.
    let sim = Simulator::start();
    let out = submit(&sim, &ws, &["--release-notes-dir", "notes"]);
    out.assert_code(2);
    assert!(
        out.stdout.contains("its listings are en-us"),
        "{}",
        out.log()
    );
    assert_eq!(sim.writes(), Vec::<String>::new());
}

#[test]
fn images_replaced_in_one_listing_only() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("assets/de/main.png", &png(1366, 768));
    ws.write("assets/shots/new.png", &png(1366, 768));
    // First a published submission with a second listing that has its own screenshot.
    let patch = json!({"listings": {"de-de": {"baseListing": {
        "title": "Contoso E-Book-Leser", "description": "Beschreibung",
        "images": [{"fileName": "de/main.png", "imageType": "Screenshot"}]
    }}}});
    let out = submit(
        &sim,
        &ws,
        &[
            "--submission-patch",
            &patch.to_string(),
            "--assets-dir",
            "assets",
            "--target-publish-mode",
            "Immediate",
            "--wait-for",
            "published",
        ],
    );
    out.assert_code(0);
    let published = sim.submission(out.output("submission-id"));
    let de_images = published["listings"]["de-de"]["baseListing"]["images"].clone();
    assert_eq!(de_images[0]["fileStatus"], "Uploaded");
    assert!(de_images[0]["id"].is_string());
    let en_before = published["listings"]["en-us"]["baseListing"]["images"].clone();
    assert_eq!(en_before[0]["fileName"], "contoso.png");

    // Then new screenshots for en-us only, and release notes.
    let patch = json!({"listings": {"en-us": {"baseListing": {
        "images": [{"fileName": "shots/new.png", "imageType": "Screenshot", "description": "Library"}]
    }}}});
    let out = submit(
        &sim,
        &ws,
        &[
            "--submission-patch",
            &patch.to_string(),
            "--assets-dir",
            "assets",
            "--release-notes",
            "New look",
            "--commit",
            "false",
        ],
    );
    out.assert_code(0);
    let id = out.output("submission-id").to_string();
    let sent = last_put(&sim, &id);
    let en = &sent["listings"]["en-us"]["baseListing"];
    assert_eq!(
        en["images"],
        json!([
            {"fileName": "shots/new.png", "imageType": "Screenshot", "description": "Library", "fileStatus": "PendingUpload"},
            {"fileName": "contoso.png", "fileStatus": "PendingDelete", "id": en_before[0]["id"], "description": "Main page", "imageType": "Screenshot"}
        ])
    );
    assert_eq!(en["releaseNotes"], "New look");
    assert_eq!(
        sent["listings"]["de-de"]["baseListing"]["images"],
        de_images
    );
    assert_eq!(
        zip_entries(&sim.uploaded_zip(&sim.submission(&id))),
        ["shots/new.png"]
    );
}

#[test]
fn the_dry_run_plans_exactly_the_put_the_run_makes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("build/ContosoReader_1.0.1.0_x64.msix");
    ws.package("build/ContosoReader_1.0.1.0_arm64.msix");
    ws.write("notes/en-us.txt", b"Faster page turns");
    let published = sim.submission(&published_id(&sim));
    let inputs = [
        "--packages",
        "build/*.msix",
        "--package-mode",
        "replace",
        "--release-notes-dir",
        "notes",
        "--rollout-percentage",
        "25",
        "--notes-for-certification",
        "No account needed",
        "--zip-path",
        "upload.zip",
    ];

    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--dry-run",
            "true",
            "--output",
            "json",
        ])
        .args(inputs)
        .run();
    out.assert_code(0);
    assert_eq!(
        sim.writes(),
        Vec::<String>::new(),
        "a dry run changes nothing"
    );
    let result: Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}\n{}", out.log()));
    let plan = &result["plan"];
    let dry_sha = result["zip_sha256"].as_str().unwrap().to_string();
    assert!(
        result.get("submission_id").is_none(),
        "no submission exists yet"
    );
    let calls: Vec<String> = plan["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["method"].as_str().unwrap(),
                c["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            format!("POST applications/{APP_ID}/submissions?isMinimalResponse=true"),
            format!("GET applications/{APP_ID}/submissions/{{new}}"),
            format!("PUT applications/{APP_ID}/submissions/{{new}}"),
            "PUT fileUploadUrl (Azure blob)".to_string(),
            format!("POST applications/{APP_ID}/submissions/{{new}}/commit"),
            format!("GET applications/{APP_ID}/submissions/{{new}}/status"),
        ]
    );
    // The plan starts from the published submission, as the service's clone will.
    let mut current = published.clone();
    for field in [
        "id",
        "status",
        "statusDetails",
        "fileUploadUrl",
        "friendlyName",
    ] {
        current.as_object_mut().unwrap().remove(field);
    }
    current["pricing"]
        .as_object_mut()
        .unwrap()
        .remove("isAdvancedPricingModel");
    let rollout = current["packageDeliveryOptions"]["packageRollout"]
        .as_object_mut()
        .unwrap();
    rollout.remove("packageRolloutStatus");
    rollout.remove("fallbackSubmissionId");
    assert_eq!(plan["current"], current);

    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args(["submit", "--app-id", APP_ID])
        .args(inputs)
        .run();
    out.assert_code(0);
    let put = last_put(&sim, out.output("submission-id"));
    assert!(put.is_object(), "the run made a PUT");
    // The planned body is the body sent, byte for byte once serialised…
    assert_eq!(plan["submission"].to_string(), put.to_string());
    // …and the diff, applied to the submission it was made against, gives it too.
    let changes: json_patch::Patch = serde_json::from_value(plan["changes"].clone()).unwrap();
    let mut applied = current.clone();
    json_patch::patch(&mut applied, &changes).unwrap();
    assert_eq!(applied, put);
    // The zip is the same bytes too.
    assert_eq!(out.output("zip-sha256"), dry_sha);
}

#[test]
fn the_dry_run_shows_its_plan_in_the_log_and_summary_for_every_product() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.write("assets/icon.png", &png(300, 300));
    let icon = json!({"listings": {"en": {"icon": {"fileName": "icon.png", "fileStatus": "PendingUpload"}}}});
    let icon = icon.to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--release-notes",
            "Fixes",
        ],
        vec![
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "myflight",
            "--packages",
            "*.msix",
            "--rollout-percentage",
            "5",
        ],
        vec![
            "submit",
            "--addon-id",
            ADDON_ID,
            "--submission-patch",
            &icon,
            "--assets-dir",
            "assets",
            "--visibility",
            "Hidden",
        ],
    ];
    for args in runs {
        let out = run(&sim, &ws, &[&args[..], &["--dry-run", "true"]].concat());
        out.assert_code(0);
        assert!(
            out.stdout.contains("Plan (dry run: nothing was changed):"),
            "{}",
            out.log()
        );
        assert!(
            out.stdout
                .contains("Changes to the submission (against published submission"),
            "{}",
            out.log()
        );
        assert!(
            out.summary
                .contains("**Plan (dry run: nothing was changed)**"),
            "{}",
            out.summary
        );
        assert!(out.summary.contains("```diff\n"), "{}", out.summary);
        assert!(out.outputs.contains_key("zip-sha256"), "{:?}", out.outputs);
        assert_eq!(sim.writes(), Vec::<String>::new(), "{args:?}");
    }
    // The changes read as a diff: old → new.
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--dry-run",
            "true",
        ],
    );
    assert!(
        out.summary
            .contains("~ /applicationPackages/0/fileStatus: \"Uploaded\" → \"PendingDelete\""),
        "{}",
        out.summary
    );
    assert!(
        out.summary
            .contains("+ /applicationPackages/1: {\"fileName\":\"ContosoReader_1.0.1.0_x64.msix\""),
        "{}",
        out.summary
    );
}

#[test]
fn the_dry_run_fails_where_the_run_would_and_plans_what_on_pending_asks() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    let draft = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--commit",
            "false",
        ],
    );
    draft.assert_code(0);
    let pending = draft.output("submission-id").to_string();
    let before = sim.writes().len();

    let other = [
        "--packages",
        "ContosoReader_1.0.2.0_x64.msix",
        "--dry-run",
        "true",
    ];
    let out = submit(&sim, &ws, &other);
    out.assert_code(4);
    assert!(out.stdout.contains(&pending), "{}", out.log());

    let out = submit(
        &sim,
        &ws,
        &[&other[..], &["--on-pending", "delete"]].concat(),
    );
    out.assert_code(0);
    assert!(
        out.stdout.contains(&format!(
            "DELETE applications/{APP_ID}/submissions/{pending}"
        )),
        "{}",
        out.log()
    );
    let out = submit(
        &sim,
        &ws,
        &[&other[..], &["--on-pending", "reuse"]].concat(),
    );
    out.assert_code(0);
    assert_eq!(out.output("submission-id"), pending);
    assert!(
        out.stdout
            .contains(&format!("against submission {pending} as it is now")),
        "{}",
        out.log()
    );
    assert_eq!(writes_since(&sim, before), Vec::<String>::new());
    assert!(sim.state()["submissions"].get(&pending).is_some());
}

#[test]
fn a_rerun_continues_a_clone_of_a_rolled_out_submission() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.package("ContosoReader_1.0.2.0_x64.msix");
    submit(
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
    )
    .assert_code(0);
    rollout(&sim, &ws, &["--rollout-action", "finalize"]).assert_code(0);

    // The run stops after the create: its update is refused once.
    sim.fault(json!({
        "method": "PUT",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/*"),
        "kind": "status",
        "status": 400,
    }));
    let inputs = [
        "--packages",
        "ContosoReader_1.0.2.0_x64.msix",
        "--commit",
        "false",
    ];
    submit(&sim, &ws, &inputs).assert_code(5);
    // The clone differs from the published submission only in the service's fields (its
    // rollout status is reset), so the re-run takes it over instead of failing on it.
    let out = submit(&sim, &ws, &inputs);
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("an unchanged clone of the published one"),
        "{}",
        out.log()
    );
    let creates = sim
        .writes()
        .iter()
        .filter(|w| *w == &format!("POST /v1.0/my/applications/{APP_ID}/submissions"))
        .count();
    assert_eq!(creates, 2, "the first run's and this one's, nothing more");
}
