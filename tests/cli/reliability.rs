//! Faults survived: every fault at every step of the app flow ends as the fault-free run
//! does (one submission, the same packages, the same zip on the blob); pacing under the
//! tenant rate limit; tokens that expire during a long wait; runs killed at each step and
//! run again.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::*;

/// Big enough for two 8 MiB blocks, so block and block-list steps exist.
const PACKAGE_SIZE: usize = 9 << 20;

fn workspace() -> Workspace {
    let ws = Workspace::new();
    let package = crate::packages::Msix::new("1.0.1.0", "x64").payload(PACKAGE_SIZE);
    ws.write("ContosoReader_1.0.1.0_x64.msix", &package.bytes());
    ws
}

fn submit_command(sim: &Simulator, ws: &Workspace) -> Run {
    let mut run = Run::against(ws, sim);
    run.github(ws).args([
        "submit",
        "--app-id",
        APP_ID,
        "--packages",
        "*.msix",
        "--zip-path",
        "upload.zip",
        // Shorter than a hang (below) so that hangs are cut, long enough that a healthy call
        // on a loaded machine is not: at 2 s a case once failed before reaching its step.
        "--request-timeout",
        "5s",
        "--log-level",
        "debug",
    ]);
    run
}

/// What a finished run leaves in the simulator that must not depend on faults.
#[derive(Debug, PartialEq)]
struct Outcome {
    submissions: usize,
    packages: Vec<(String, String)>,
    blob_sha256: String,
    committed: bool,
    published_untouched: bool,
}

fn outcome(sim: &Simulator, published_before: &Value) -> Outcome {
    let created = sim.new_submissions(APP_ID);
    let first = created.first().cloned().unwrap_or(Value::Null);
    let published_now = sim.submission(
        sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
            .as_str()
            .unwrap(),
    );
    Outcome {
        submissions: created.len(),
        packages: if first.is_null() {
            Vec::new()
        } else {
            packages(&first)
        },
        blob_sha256: sim
            .try_uploaded_zip(&first)
            .map(|zip| sha256_hex(&zip))
            .unwrap_or_default(),
        committed: first["status"] != "PendingCommit" && !first.is_null(),
        published_untouched: published_now == *published_before,
    }
}

fn published(sim: &Simulator) -> Value {
    sim.submission(
        sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
            .as_str()
            .unwrap(),
    )
}

/// The steps of the flow, as the simulator sees them.
fn step(name: &str) -> Value {
    let submission = format!("/v1.0/my/applications/{APP_ID}/submissions/*");
    match name {
        "token" => json!({"method": "POST", "path": "/*/oauth2/v2.0/token"}),
        "get app" => json!({"method": "GET", "path": format!("/v1.0/my/applications/{APP_ID}")}),
        "create" => {
            json!({"method": "POST", "path": format!("/v1.0/my/applications/{APP_ID}/submissions")})
        }
        "update" => json!({"method": "PUT", "path": submission}),
        "upload block" => {
            json!({"method": "PUT", "path": "/blob/ingestion/*", "query": "comp=block&"})
        }
        "block list" => {
            json!({"method": "PUT", "path": "/blob/ingestion/*", "query": "comp=blocklist"})
        }
        "commit" => json!({"method": "POST", "path": format!("{submission}/commit")}),
        "status" => json!({"method": "GET", "path": format!("{submission}/status")}),
        other => panic!("no step {other}"),
    }
}

fn fault(kind: &str) -> Value {
    match kind {
        "429" => json!({"kind": "status", "status": 429, "retryAfter": 1}),
        "500" => json!({"kind": "status", "status": 500}),
        "503" => json!({"kind": "status", "status": 503, "retryAfter": 1}),
        "hang" => json!({"kind": "hang", "seconds": 12}),
        "reset" => json!({"kind": "reset"}),
        "expire-token" => json!({"kind": "expire-token"}),
        "apply-then-fail" => json!({"kind": "apply-then-fail", "status": 500}),
        "apply-then-reset" => json!({"kind": "apply-then-reset"}),
        other => panic!("no fault {other}"),
    }
}

/// Each fault, once, at each step it can meet. Writes that are not idempotent also meet
/// the faults that apply the change and then lose the answer.
const MATRIX: &[(&str, &[&str])] = &[
    ("token", &["429", "500", "503", "reset"]),
    (
        "get app",
        &["429", "500", "503", "hang", "reset", "expire-token"],
    ),
    (
        "create",
        &[
            "429",
            "500",
            "503",
            "hang",
            "reset",
            "expire-token",
            "apply-then-fail",
            "apply-then-reset",
        ],
    ),
    (
        "update",
        &["429", "500", "503", "hang", "reset", "expire-token"],
    ),
    ("upload block", &["429", "500", "503", "reset"]),
    ("block list", &["429", "500", "503", "reset"]),
    (
        "commit",
        &[
            "429",
            "500",
            "503",
            "hang",
            "reset",
            "expire-token",
            "apply-then-fail",
            "apply-then-reset",
        ],
    ),
    (
        "status",
        &["429", "500", "503", "hang", "reset", "expire-token"],
    ),
];

#[test]
fn every_fault_at_every_step_ends_like_the_fault_free_run() {
    let ws = workspace();
    let baseline = {
        let sim = Simulator::start();
        let before = published(&sim);
        submit_command(&sim, &ws).run().assert_code(0);
        outcome(&sim, &before)
    };
    assert_eq!(baseline.submissions, 1);
    assert!(baseline.committed);

    let cases: Vec<(&str, &str)> = MATRIX
        .iter()
        .flat_map(|(step, faults)| faults.iter().map(move |fault| (*step, *fault)))
        .collect();
    // The cases wait on retries and timeouts more than they compute: a few at a time.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| {
                let baseline = &baseline;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|(step_name, fault_name)| {
                            run_case(baseline, step_name, fault_name).err()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn run_case(baseline: &Outcome, step_name: &str, fault_name: &str) -> Result<(), String> {
    // Cases run in parallel: each has its own workspace (outputs file, zip).
    let ws = &workspace();
    let sim = Simulator::start();
    let before = published(&sim);
    let mut rule = step(step_name);
    rule.as_object_mut()
        .unwrap()
        .extend(fault(fault_name).as_object().unwrap().clone());
    sim.fault(rule);
    let started = Instant::now();
    let out = submit_command(&sim, ws).run();
    let hits = sim.faults()["rules"][0]["hits"].as_u64().unwrap_or(0);
    let case = format!("{fault_name} at {step_name}");
    if hits == 0 {
        return Err(format!(
            "{case}: the fault never fired (exit {})\n{}",
            out.code,
            out.log()
        ));
    }
    if out.code != 0 {
        return Err(format!("{case}: exit {}\n{}", out.code, out.log()));
    }
    let got = outcome(&sim, &before);
    if got != *baseline {
        return Err(format!("{case}: {got:?} != {baseline:?}"));
    }
    eprintln!("{case}: exit 0 in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

#[test]
fn a_fault_that_does_not_go_away_is_exit_7_and_a_re_run_finishes() {
    let ws = workspace();
    let sim = Simulator::start();
    let before = published(&sim);
    let mut rule = step("commit");
    rule.as_object_mut().unwrap().extend(
        json!({"kind": "status", "status": 503, "retryAfter": 0, "times": 100, "message": "Service Unavailable"})
            .as_object()
            .unwrap()
            .clone(),
    );
    sim.fault(rule);
    let out = submit_command(&sim, &ws).run();
    out.assert_code(7);
    let id = out.output("submission-id").to_string();
    assert!(out.stdout.contains(&id), "{}", out.log());
    assert!(out.stdout.contains("MS-CorrelationId"), "{}", out.log());
    assert!(out.stdout.contains("what to do"), "{}", out.log());

    sim.clear_faults();
    let again = submit_command(&sim, &ws).run();
    again.assert_code(0);
    assert_eq!(again.output("submission-id"), id);
    assert!(
        again.stdout.contains("left by an earlier run"),
        "{}",
        again.log()
    );
    let got = outcome(&sim, &before);
    assert_eq!(got.submissions, 1);
    assert!(got.committed);
}

#[test]
fn pacing_keeps_polling_and_paging_under_the_tenant_limit() {
    let sim = Simulator::start();
    sim.seed(json!({"appId": "9PRATELIMIT1", "addons": 900}));
    sim.settings(json!({"rateLimit": {"requests": 4, "windowSeconds": 2.0}}));
    let ws = Workspace::new();
    // Ten pages of add-ons and a token, paced under the limit: nothing is refused. Half the
    // limit, not one call under it: the client paces when it sends, the service counts when
    // requests arrive, and on a loaded machine late arrivals bunch up (3/2s once failed).
    let paced = Run::against(&ws, &sim)
        .args([
            "list",
            "--list",
            "addons",
            "--output",
            "json",
            "--rate-limit",
            "2/2s",
        ])
        .run();
    paced.assert_code(0);
    let items: Value = serde_json::from_str(paced.stdout.trim()).unwrap();
    assert_eq!(items["items"].as_array().unwrap().len(), 902);
    assert_eq!(sim.faults()["throttled"], 0);

    // Unpaced, the same listing trips the limit; Retry-After still gets it through.
    let unpaced = Run::against(&ws, &sim)
        .args([
            "list",
            "--list",
            "addons",
            "--output",
            "json",
            "--rate-limit",
            "off",
        ])
        .run();
    unpaced.assert_code(0);
    assert!(sim.faults()["throttled"].as_u64().unwrap() > 0);
}

#[test]
fn a_long_wait_outlives_many_tokens() {
    let sim = Simulator::start_with(&["--simulator-phase", "700ms"]);
    sim.settings(json!({"tokenLifetimeSeconds": 1.5}));
    let ws = Workspace::new();
    ws.package("ContosoReader_1.1.0.0_x64.msix");
    // The seeded flight publishes Immediate: six phases, several token lifetimes.
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
            "--wait-for",
            "published",
            "--timeout",
            "1m",
        ])
        .run();
    out.assert_code(0);
    assert_eq!(out.output("status"), "Published");
    let tokens = sim
        .requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
        .count();
    assert!(tokens >= 3, "only {tokens} token requests");
    let refused = sim.requests().iter().filter(|r| r["status"] == 401).count();
    assert_eq!(refused, 0, "a call went out with an expired token");
}

/// Starts a run, waits until it reaches the step where `rule` holds it, kills it (as a
/// cancelled CI job would be), then runs again without the fault.
fn killed_then_rerun(step_name: &str, rule: Value) -> (Simulator, Outcome, Outcome) {
    let ws = workspace();
    let sim = Simulator::start();
    let before = published(&sim);
    let mut full = step(step_name);
    full.as_object_mut()
        .unwrap()
        .extend(rule.as_object().unwrap().clone());
    sim.fault(full);
    let mut child: std::process::Child = {
        let mut run = submit_command(&sim, &ws);
        run.command().stdout(Stdio::null()).stderr(Stdio::null());
        run.command().spawn().expect("start")
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.faults()["rules"][0]["hits"].as_u64().unwrap_or(0) == 0 {
        assert!(
            Instant::now() < deadline,
            "the run never reached {step_name}"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended before {step_name}: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = outcome(&sim, &before);
    sim.clear_faults();
    let again = submit_command(&sim, &ws).run();
    again.assert_code(0);
    let finished = outcome(&sim, &before);
    (sim, killed, finished)
}

#[test]
fn runs_killed_at_each_step_finish_when_run_again() {
    let ws = workspace();
    let baseline = {
        let sim = Simulator::start();
        let before = published(&sim);
        submit_command(&sim, &ws).run().assert_code(0);
        outcome(&sim, &before)
    };
    let hold = json!({"kind": "hang", "seconds": 3600});
    // Killed: while creating, after creating (during the update), after the update
    // (during the upload), after the upload (during the commit), after the commit.
    for step_name in ["create", "update", "upload block", "commit", "status"] {
        let (_sim, killed, finished) = killed_then_rerun(step_name, hold.clone());
        assert!(killed.submissions <= 1, "{step_name}: {killed:?}");
        assert_eq!(finished, baseline, "killed at {step_name}");
    }
}

/// The token requests of a run, as (status answered).
fn token_answers(sim: &Simulator) -> Vec<u64> {
    sim.requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

fn list_apps(sim: &Simulator, ws: &Workspace) -> Run {
    let mut run = Run::against(ws, sim);
    run.args(["list", "--list", "apps", "--request-timeout", "2s"]);
    run
}

#[test]
fn sign_in_waits_as_retry_after_says() {
    let ws = Workspace::new();
    let sim = Simulator::start();
    let mut rule = step("token");
    rule.as_object_mut()
        .unwrap()
        .extend(fault("429").as_object().unwrap().clone());
    rule["retryAfter"] = json!(3);
    sim.fault(rule);
    let started = Instant::now();
    let out = list_apps(&sim, &ws).run();
    out.assert_code(0);
    // Sign-in's own backoff would have asked again after about a second.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "asked again before Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(token_answers(&sim), [429, 200]);
}

#[test]
fn sign_in_retries_503_within_its_bounds() {
    let ws = Workspace::new();
    let sim = Simulator::start();
    let mut rule = step("token");
    rule.as_object_mut().unwrap().extend(
        json!({"kind": "status", "status": 503, "times": 2})
            .as_object()
            .unwrap()
            .clone(),
    );
    sim.fault(rule);
    list_apps(&sim, &ws).run().assert_code(0);
    assert_eq!(token_answers(&sim), [503, 503, 200]);

    // A 503 that does not go away: at most four attempts within 3 × request-timeout, then
    // exit 7.
    let sim = Simulator::start();
    let mut rule = step("token");
    rule.as_object_mut().unwrap().extend(
        json!({"kind": "status", "status": 503, "times": 100})
            .as_object()
            .unwrap()
            .clone(),
    );
    sim.fault(rule);
    let out = list_apps(&sim, &ws).run();
    out.assert_code(7);
    let answers = token_answers(&sim);
    assert!(
        (2..=4).contains(&answers.len()) && answers.iter().all(|s| *s == 503),
        "{answers:?}\n{}",
        out.log()
    );
}
