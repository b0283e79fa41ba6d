//! The simulator as strict as the Store where tokens, storage answers and its quirks are
//! concerned (issue 13), and what the client does under each quirk: real Entra-shaped
//! access tokens, Azure's storage headers, a request log that proves no token reaches
//! storage, the tenant rate limit on, and the behaviours users have met (a commit that
//! falls back, a draft made in Partner Center, products the API cannot handle, …).

use std::io::Read;

use serde_json::{Value, json};

use crate::util::*;

const RESOURCE: &str = "https://manage.devcenter.microsoft.com";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A Partner Center token from the v1 endpoint (`resource`) or the v2 one (`scope`).
fn token(sim: &Simulator, v1: bool, resource: &str) -> String {
    let (path, field, value) = if v1 {
        ("oauth2/token", "resource", resource.to_string())
    } else {
        ("oauth2/v2.0/token", "scope", format!("{resource}/.default"))
    };
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id.as_str()),
        ("client_secret", sim.client_secret.as_str()),
        (field, value.as_str()),
    ];
    let answer: Value = ureq::post(&format!("{}/{}/{path}", sim.url, sim.tenant_id))
        .send_form(form)
        .expect("token")
        .body_mut()
        .read_json()
        .expect("JSON");
    answer["access_token"].as_str().unwrap().to_string()
}

fn claims(token: &str) -> Value {
    msstore_submit::auth::jws::Jws::parse(token)
        .expect("a JWT")
        .claims
}

/// `GET applications/{APP_ID}` with this `Authorization` header: the status.
fn read_app_with(sim: &Simulator, authorization: &str) -> u16 {
    agent()
        .get(&format!("{}/v1.0/my/applications/{APP_ID}", sim.url))
        .header("Authorization", authorization)
        .call()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn access_tokens_are_entra_jwts_checked_on_every_call() {
    let sim = Simulator::start();
    let tid = sim.tenant_id.clone();

    let v1 = token(&sim, true, RESOURCE);
    let c = claims(&v1);
    assert_eq!(c["ver"], "1.0", "{c}");
    assert_eq!(c["iss"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(c["aud"], RESOURCE);
    assert_eq!(c["appid"], sim.client_id);
    assert_eq!(c["appidacr"], "1");
    assert_eq!(c["tid"], tid);
    assert_eq!(c["oid"], c["sub"]);
    assert!(c.get("azp").is_none() && c.get("roles").is_none(), "{c}");
    let (iat, nbf, exp) = (
        c["iat"].as_i64().unwrap(),
        c["nbf"].as_i64().unwrap(),
        c["exp"].as_i64().unwrap(),
    );
    assert!(nbf <= iat && exp - iat == 3599, "{c}");
    let header = msstore_submit::auth::jws::Jws::parse(&v1).unwrap().header;
    assert_eq!(header["alg"], "RS256");
    assert!(header["kid"].is_string(), "{header}");

    let v2 = token(&sim, false, RESOURCE);
    let c2 = claims(&v2);
    assert_eq!(c2["ver"], "2.0", "{c2}");
    assert_eq!(
        c2["iss"],
        format!("https://login.microsoftonline.com/{tid}/v2.0")
    );
    assert_eq!(c2["azp"], sim.client_id);
    assert!(c2.get("appid").is_none(), "{c2}");
    // A v2.0 token names the resource by its application id, a GUID.
    let aud = c2["aud"].as_str().unwrap();
    assert!(aud.len() == 36 && aud != RESOURCE, "{aud}");
    assert_eq!(c2["oid"], c["oid"], "the same service principal");

    for token in [&v1, &v2] {
        assert_eq!(read_app_with(&sim, &format!("Bearer {token}")), 200);
        // The scheme is case-insensitive (RFC 7235).
        assert_eq!(read_app_with(&sim, &format!("bearer {token}")), 200);
    }

    // Claims changed under the same signature: refused.
    let parts: Vec<&str> = v1.split('.').collect();
    let mut forged_claims = c.clone();
    forged_claims["tid"] = json!("00000000-0000-4000-8000-000000000bad");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        msstore_submit::auth::jws::base64url(forged_claims.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(read_app_with(&sim, &format!("Bearer {forged}")), 401);
    // Signed by another key (the simulated GitHub issuer's), with an Entra issuer: refused.
    let minted = sim.post(
        "/_simulator/oidc/mint",
        json!({"issuer": format!("https://sts.windows.net/{tid}/"), "subject": "x", "audience": RESOURCE}),
    );
    let other_key = minted["token"].as_str().unwrap();
    assert_eq!(read_app_with(&sim, &format!("Bearer {other_key}")), 401);
    // The old opaque form is no token at all.
    assert_eq!(read_app_with(&sim, "Bearer sim.0123.4567"), 401);

    // The resource in capitals names the same API: the token says it as registered.
    let upper = token(&sim, true, &RESOURCE.to_ascii_uppercase());
    assert_eq!(claims(&upper)["aud"], RESOURCE);
    assert_eq!(read_app_with(&sim, &format!("Bearer {upper}")), 200);
    let upper_v2 = token(&sim, false, "HTTPS://MANAGE.DEVCENTER.MICROSOFT.COM");
    assert_eq!(read_app_with(&sim, &format!("Bearer {upper_v2}")), 200);
    // A token for another resource is a token, but not for this API.
    let other = token(&sim, true, "https://api.store.microsoft.com");
    assert_eq!(claims(&other)["aud"], "https://api.store.microsoft.com");
    assert_eq!(read_app_with(&sim, &format!("Bearer {other}")), 401);
}

#[test]
fn status_in_capitals_and_json_with_a_byte_order_mark_are_accepted() {
    let sim = Simulator::start();
    let (code, created) = sim.api("POST", &format!("applications/{APP_ID}/submissions"), None);
    assert_eq!(code, 200, "{created}");
    let id = created["id"].as_str().unwrap();
    let auth = format!("Bearer {}", sim.token());
    let mut status = agent()
        .get(&format!(
            "{}/v1.0/my/applications/{APP_ID}/submissions/{id}/Status",
            sim.url
        ))
        .header("Authorization", &auth)
        .call()
        .unwrap();
    assert_eq!(status.status().as_u16(), 200);
    let body: Value = status.body_mut().read_json().unwrap();
    assert_eq!(body["status"], "PendingCommit");

    // A body as PowerShell 5's `Out-File -Encoding utf8` writes it.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        json!({"friendlyName": "bom-flight", "groupIds": ["1"]})
            .to_string()
            .as_bytes(),
    );
    let mut answer = agent()
        .post(&format!(
            "{}/v1.0/my/applications/{APP_ID}/flights",
            sim.url
        ))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .send(&bytes[..])
        .unwrap();
    let text = answer.body_mut().read_to_string().unwrap();
    assert_eq!(answer.status().as_u16(), 200, "{text}");
    assert!(text.contains("bom-flight"), "{text}");
}

#[cfg(unix)]
#[test]
fn the_simulator_prints_one_json_line_also_when_terminated() {
    use std::process::{Command, Stdio};
    let temp = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["simulator", "--output", "json"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TMPDIR", temp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // The announcement ends with a newline; read up to it, then terminate.
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 {
        first.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    let announcement: Value = serde_json::from_slice(&first).expect("a JSON line");
    assert!(announcement["api_base_url"].is_string());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(rest, "", "nothing after the one line");
    assert_eq!(status.code(), Some(0));
}

/// A new submission's id and upload URL, with the `+` of its signature encoded as clients
/// must.
fn new_submission(sim: &Simulator) -> (String, String) {
    let (code, created) = sim.api("POST", &format!("applications/{APP_ID}/submissions"), None);
    assert_eq!(code, 200, "{created}");
    let url = created["fileUploadUrl"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    (created["id"].as_str().unwrap().to_string(), url)
}

fn upload_url(sim: &Simulator) -> String {
    new_submission(sim).1
}

fn delete_submission(sim: &Simulator, id: &str) {
    let (code, body) = sim.api(
        "DELETE",
        &format!("applications/{APP_ID}/submissions/{id}"),
        None,
    );
    assert_eq!(code, 200, "{body}");
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[test]
fn storage_answers_as_azure_does_and_refuses_a_bearer_token() {
    let sim = Simulator::start();
    let url = upload_url(&sim);
    let put = agent()
        .put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .send(&b"zip bytes"[..])
        .unwrap();
    assert_eq!(put.status().as_u16(), 201);
    let etag = header(&put, "etag").expect("ETag");
    assert!(etag.starts_with("\"0x8D") && etag.ends_with('"'), "{etag}");
    for name in [
        "last-modified",
        "x-ms-request-id",
        "date",
        "server",
        "content-md5",
    ] {
        assert!(header(&put, name).is_some(), "{name} missing");
    }
    assert!(header(&put, "date").unwrap().ends_with(" GMT"));
    assert!(
        header(&put, "server")
            .unwrap()
            .contains("Windows-Azure-Blob")
    );
    // The version the request ran under: the SAS's, or the header's when sent.
    assert_eq!(header(&put, "x-ms-version").unwrap(), "2014-02-14");
    // Server-side encryption is reported from 2015-12-11 on.
    assert_eq!(header(&put, "x-ms-request-server-encrypted"), None);
    let newer = agent()
        .put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .header("x-ms-version", "2019-12-12")
        .send(&b"zip bytes, again"[..])
        .unwrap();
    assert_eq!(newer.status().as_u16(), 201);
    assert_eq!(header(&newer, "x-ms-version").unwrap(), "2019-12-12");
    assert_eq!(
        header(&newer, "x-ms-request-server-encrypted").as_deref(),
        Some("true")
    );
    let etag = header(&newer, "etag").unwrap();
    let head = agent().head(&url).call().unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(header(&head, "etag").as_deref(), Some(etag.as_str()));
    assert!(header(&head, "last-modified").is_some());

    // A Partner Center token sent to storage is refused, and nothing is written.
    let token = sim.token();
    let refused = agent()
        .put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .header("Authorization", &format!("Bearer {token}"))
        .send(&b"other bytes"[..])
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(
        header(&refused, "x-ms-error-code").as_deref(),
        Some("InvalidAuthenticationInfo")
    );
    assert!(header(&refused, "x-ms-request-id").is_some());
    let head = agent().head(&url).call().unwrap();
    assert_eq!(header(&head, "etag").as_deref(), Some(etag.as_str()));

    // The request log shows the scheme that was sent, never the credential.
    let requests = sim.requests();
    let text = serde_json::to_string(&requests).unwrap();
    assert!(!text.contains(&token));
    let sig = url.split("sig=").nth(1).unwrap().split('&').next().unwrap();
    assert!(!text.contains(sig));
    let blob_auth: Vec<&Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/blob/"))
        .filter_map(|r| r["headers"].get("authorization"))
        .collect();
    assert_eq!(blob_auth, [&json!("Bearer ***")]);
}

#[test]
fn a_whole_submit_never_sends_a_token_to_storage() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--wait-for",
            "committed",
        ])
        .run();
    out.assert_code(0);
    let requests = sim.requests();
    let storage: Vec<&Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/blob/"))
        .collect();
    assert!(
        storage.iter().any(|r| r["method"] == "PUT"),
        "the zip was uploaded: {storage:?}"
    );
    for request in &storage {
        let headers = request["headers"].as_object().expect("headers recorded");
        assert!(
            headers.keys().all(|k| !k.contains("authorization")),
            "{request}"
        );
    }
    let api: Vec<&Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/v1.0/my/"))
        .collect();
    assert!(!api.is_empty());
    for request in api {
        assert_eq!(
            request["headers"]["authorization"], "Bearer ***",
            "{request}"
        );
    }
    // No credential is in the log itself.
    let text = serde_json::to_string(&requests).unwrap();
    for token in sim.state()["issuedTokens"].as_array().unwrap() {
        assert!(!text.contains(token.as_str().unwrap()));
    }
    assert!(!text.contains(&sim.client_secret));
}

#[test]
fn the_upload_url_lifetime_is_a_setting_and_a_short_one_is_used_while_it_lasts() {
    let sim = Simulator::start_with(&["--simulator-upload-url-lifetime", "40s"]);
    let expiry = |url: &str| -> i64 {
        let se = url.split("se=").nth(1).unwrap().split('&').next().unwrap();
        se.parse::<jiff::Timestamp>().unwrap().as_second()
    };
    let before = jiff::Timestamp::now().as_second();
    let (id, url) = new_submission(&sim);
    let se = expiry(&url);
    assert!(
        se >= before + 40 && se <= jiff::Timestamp::now().as_second() + 40,
        "{url}"
    );
    delete_submission(&sim, &id);

    // Short, but long enough for a small zip: it is uploaded and committed.
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    submit_packages(&sim, &ws, &[]).assert_code(0);

    // Too short to start even a small upload: the run stops before uploading or
    // committing, and says so.
    let short = Simulator::start();
    short.settings(json!({"uploadUrlLifetimeSeconds": 3}));
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit_packages(&short, &ws, &[]);
    out.assert_code(4);
    assert!(
        out.log().contains("too soon to start an upload"),
        "{}",
        out.log()
    );
    let writes = short.writes();
    assert!(
        !writes
            .iter()
            .any(|w| w.starts_with("PUT /blob/") || w.ends_with("/commit")),
        "{writes:?}"
    );

    // The setting changes URLs handed out from then on.
    let sim = short;
    sim.settings(json!({"uploadUrlLifetimeSeconds": 7200}));
    let pending = sim.app(APP_ID)["pendingApplicationSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    delete_submission(&sim, &pending);
    let before = jiff::Timestamp::now().as_second();
    let se = expiry(&upload_url(&sim));
    assert!(se >= before + 7200 && se <= jiff::Timestamp::now().as_second() + 7200);
}

#[test]
fn a_whole_submission_runs_with_the_tenant_rate_limit_on() {
    // Phases long enough that polling alone would go past the limit.
    let sim = Simulator::start_with(&["--simulator-phase", "1s"]);
    sim.settings(json!({"throttle": true}));
    assert_eq!(
        sim.faults()["rateLimit"],
        json!({"requests": 20, "windowSeconds": 60.0})
    );
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // The client's own pacing (15 calls a minute), as a user runs it, polling five times a
    // second: the pacing, not the poll interval, keeps it under the limit. (About a minute:
    // the sixteenth call waits for the first to leave the window.)
    let out = Run::new(&ws)
        .github(&ws)
        .args([
            "--api-base-url",
            &sim.url,
            "--authority-host",
            &sim.url,
            "--tenant-id",
            &sim.tenant_id,
            "--client-id",
            &sim.client_id,
            "--client-secret",
            &sim.client_secret,
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--target-publish-mode",
            "Immediate",
            "--wait-for",
            "published",
            "--rate-limit",
            "15",
            "--poll-interval",
            "200ms",
            "--timeout",
            "5m",
        ])
        .run();
    out.assert_code(0);
    assert_eq!(out.output("status"), "Published");
    assert_eq!(sim.faults()["throttled"], 0, "{}", out.log());
    let calls = sim
        .requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/v1.0/my/"))
        .count();
    // More calls than the client allows itself in a minute: it waited for its turn rather
    // than run into the service's limit.
    assert!(calls > 15, "{calls} calls");
    sim.settings(json!({"throttle": false}));
    assert_eq!(sim.faults()["rateLimit"], Value::Null);
}

/// [`submit`] of the workspace's packages, waiting for `committed`.
fn submit_packages(sim: &Simulator, ws: &Workspace, extra: &[&str]) -> Outcome {
    submit_until(sim, ws, "committed", extra)
}

fn submit_until(sim: &Simulator, ws: &Workspace, wait_for: &str, extra: &[&str]) -> Outcome {
    let mut args = vec!["--packages", "*.msix", "--wait-for", wait_for];
    args.extend_from_slice(extra);
    submit(sim, ws, &args)
}

#[test]
fn a_commit_that_falls_back_to_pending_commit_stops_the_run_and_a_rerun_commits_again() {
    let sim = Simulator::start();
    sim.post(
        "/_simulator/processing",
        json!({"failAt": "CommitFallback"}),
    );
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit_packages(&sim, &ws, &[]);
    out.assert_code(5);
    assert!(out.log().contains("fell back"), "{}", out.log());
    assert!(
        out.log().contains("Run again with the same inputs"),
        "{}",
        out.log()
    );
    let id = out.output("submission-id").to_string();
    assert_eq!(sim.submission(&id)["status"], "PendingCommit");

    // The hint's way out: the same inputs continue the same submission and commit it.
    let again = submit_packages(&sim, &ws, &[]);
    again.assert_code(0);
    assert_eq!(again.output("submission-id"), id);
    assert_ne!(sim.submission(&id)["status"], "PendingCommit");
    let commits = sim
        .writes()
        .iter()
        .filter(|w| w.ends_with("/commit"))
        .count();
    assert_eq!(commits, 2);
}

#[test]
fn a_draft_started_in_partner_center_has_no_upload_url() {
    let sim = Simulator::start();
    let draft = sim.post("/_simulator/partner-center-draft", json!({"appId": APP_ID}));
    let draft_id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(draft["fileUploadUrl"], Value::Null);
    assert_eq!(draft["status"], "PendingCommit");
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");

    // Not ours: refused as any pending submission.
    let out = submit_packages(&sim, &ws, &[]);
    out.assert_code(4);
    assert!(out.log().contains(&draft_id), "{}", out.log());
    // Reused, it cannot take files: said before anything changes.
    let out = submit_packages(&sim, &ws, &["--on-pending", "reuse"]);
    out.assert_code(4);
    assert!(out.log().contains("no upload URL"), "{}", out.log());
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
    // Deleted, a submission made through the API takes its place.
    let out = submit_packages(&sim, &ws, &["--on-pending", "delete"]);
    out.assert_code(0);
    assert_ne!(out.output("submission-id"), draft_id);
    assert!(sim.state()["submissions"].get(&draft_id).is_none());
}

#[test]
fn a_product_the_api_does_not_support_is_named_as_such() {
    let sim = Simulator::start();
    sim.settings(json!({"quirks": {"unsupportedProducts": [APP_ID]}}));
    let (code, body) = sim.api("GET", &format!("applications/{APP_ID}"), None);
    assert_eq!(code, 409);
    assert_eq!(body["code"], "InvalidState");
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit_packages(&sim, &ws, &[]);
    out.assert_code(4);
    assert!(
        out.log()
            .contains("features the submission API does not support"),
        "{}",
        out.log()
    );
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
}

#[test]
fn a_listing_opt_out_warning_is_reported_and_does_not_fail_the_run() {
    let sim = Simulator::start();
    sim.post(
        "/_simulator/processing",
        json!({"warnings": [{"code": "ListingOptOutWarning", "details": "You have removed listing language(s): [de-de]"}]}),
    );
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit_until(&sim, &ws, "certified", &[]);
    out.assert_code(0);
    let details: Value = serde_json::from_str(out.output("status-details")).unwrap();
    assert_eq!(details["warnings"][0]["code"], "ListingOptOutWarning");
    assert!(out.log().contains("ListingOptOutWarning"), "{}", out.log());
    assert!(out.log().contains("de-de"), "{}", out.log());
}

#[test]
fn an_addon_with_a_pending_submission_is_not_deleted_by_default() {
    let sim = Simulator::start();
    let addon = "9NBLGGH4TNMP";
    let (code, _) = sim.api("POST", &format!("inappproducts/{addon}/submissions"), None);
    assert_eq!(code, 200);
    let ws = Workspace::new();
    let delete = || {
        Run::against(&ws, &sim)
            .github(&ws)
            .args(["delete-addon", "--addon-id", addon])
            .run()
    };
    let out = delete();
    out.assert_code(4);
    assert!(out.log().contains("pending submission"), "{}", out.log());
    assert!(sim.state()["addons"].get(addon).is_some());

    // Where the service allows it, the add-on goes with its draft.
    sim.settings(json!({"quirks": {"addonDeleteWithPending": "allow"}}));
    delete().assert_code(0);
    assert!(sim.state()["addons"].get(addon).is_none());
}

fn create_flight(sim: &Simulator, ws: &Workspace, app_id: &str, name: &str) -> Outcome {
    Run::against(ws, sim)
        .github(ws)
        .args([
            "create-flight",
            "--app-id",
            app_id,
            "--flight-name",
            name,
            "--group-ids",
            "1152921504606962205",
        ])
        .run()
}

#[test]
fn a_new_flight_answered_with_the_docs_four_fields_still_finds_its_submission() {
    let sim = Simulator::start();
    sim.settings(json!({"quirks": {"flightCreate": "docsAnswer"}}));
    let ws = Workspace::new();
    let out = create_flight(&sim, &ws, APP_ID, "docs-answer");
    out.assert_code(0);
    let flight_id = out.output("flight-id").to_string();
    let started = sim.state()["flights"][&flight_id]["pendingFlightSubmission"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(out.output("submission-id"), started);

    // As the docs say: no submission at all. Nothing to report, and a submit creates one.
    sim.settings(json!({"quirks": {"flightCreate": "noSubmission"}}));
    let out = create_flight(&sim, &ws, APP_ID, "docs-literal");
    out.assert_code(0);
    assert!(
        !out.outputs.contains_key("submission-id"),
        "{:?}",
        out.outputs
    );
    ws.package("ContosoReader_1.1.0.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "docs-literal",
            "--packages",
            "*.msix",
            "--wait-for",
            "committed",
        ])
        .run();
    out.assert_code(0);
}

#[test]
fn a_flight_of_an_app_never_published_gets_the_users_404_and_a_clear_message() {
    let sim = Simulator::start();
    let app = "9PNOTPUBL001";
    sim.seed(json!({"appId": app, "published": false}));
    sim.settings(json!({"quirks": {"flightCreate": "noSubmission"}}));
    let ws = Workspace::new();
    create_flight(&sim, &ws, app, "early").assert_code(0);
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            app,
            "--flight-name",
            "early",
            "--packages",
            "*.msix",
            "--wait-for",
            "committed",
        ])
        .run();
    out.assert_code(4);
    assert!(
        out.log().contains("has no published submission yet"),
        "{}",
        out.log()
    );
    let refused: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/submissions"))
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["status"], 404);
}
