//! Signing in every way there is, end to end against the simulator's Entra ID: client
//! certificates, federated tokens (given, from a file, from GitHub Actions, from Azure
//! Pipelines), a ready access token; the refusals each way can meet, with the exit code and
//! the fix; assertions made anew when the token is renewed; and no credential ever printed.

use serde_json::{Value, json};

use crate::util::*;

const RSA_PEM: &str = include_str!("../fixtures/sign-in/rsa.pem");
const OTHER_RSA_PEM: &str = include_str!("../fixtures/sign-in/other-rsa.pem");
const EC_PEM: &str = include_str!("../fixtures/sign-in/ec-sec1.pem");
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const GITHUB_SUBJECT: &str = "repo:contoso/contoso-reader:environment:production";

/// Registers the certificate in `pem` on the simulator's test application.
fn register_certificate(sim: &Simulator, pem: &str) {
    sim.post(
        "/_simulator/credentials",
        json!({"tenantId": sim.tenant_id, "clientId": sim.client_id, "certificate": pem}),
    );
}

/// A token of the simulated GitHub issuer, signed by it.
fn minted(sim: &Simulator, claims: Value) -> String {
    let mut request = json!({"issuer": "github", "subject": GITHUB_SUBJECT});
    request
        .as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    sim.post("/_simulator/oidc/mint", request)["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A quick read of the app: one token request and one API call.
fn status(run: &mut Run) -> Outcome {
    run.args(["status", "--app-id", APP_ID]).run()
}

/// The sign-ins the simulator accepted, and the last one it refused.
fn accepted(sim: &Simulator) -> Vec<Value> {
    sim.sign_ins()
        .into_iter()
        .filter(|s| s["errorCode"].is_null())
        .collect()
}

fn decoded_header(assertion: &str) -> Value {
    use base64::Engine;
    let header = assertion.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn certificate_sign_in_end_to_end() {
    let sim = Simulator::start();
    register_certificate(&sim, RSA_PEM);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.write("cert.pem", RSA_PEM.as_bytes());
    let out = Run::signing_in(&ws, &sim)
        .github(&ws)
        .env("INPUT_CLIENT-CERTIFICATE-FILE", "cert.pem")
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .run();
    out.assert_code(0);
    assert!(!out.output("submission-id").is_empty());

    let sign_ins = accepted(&sim);
    assert_eq!(sign_ins.len(), 1, "{sign_ins:?}");
    assert_eq!(sign_ins[0]["kind"], "certificate");
    assert_eq!(sign_ins[0]["issuer"], sim.client_id.as_str());
    let header = decoded_header(sign_ins[0]["assertion"].as_str().unwrap());
    assert_eq!(header["alg"], "PS256");
    assert!(header["x5t#S256"].is_string() && header["x5t"].is_string());
}

#[test]
fn certificate_as_a_multi_line_input() {
    // As a GitHub secret passed to `with: client-certificate:`.
    let sim = Simulator::start();
    register_certificate(&sim, OTHER_RSA_PEM);
    let ws = Workspace::new();
    let out = status(
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("INPUT_CLIENT-CERTIFICATE", OTHER_RSA_PEM),
    );
    out.assert_code(0);
    assert_eq!(accepted(&sim)[0]["kind"], "certificate");
}

#[test]
fn an_unregistered_certificate_is_refused_with_its_thumbprint() {
    let sim = Simulator::start();
    register_certificate(&sim, RSA_PEM);
    let ws = Workspace::new();
    ws.write("other.pem", OTHER_RSA_PEM.as_bytes());
    let out = status(Run::signing_in(&ws, &sim).args(["--client-certificate-file", "other.pem"]));
    out.assert_code(3);
    assert!(out.stderr.contains("AADSTS700027"), "{}", out.log());
    assert!(
        out.stderr.contains("CN=msstore-submit test other RSA"),
        "{}",
        out.log()
    );
    assert!(
        out.stderr.contains("Certificates & secrets"),
        "{}",
        out.log()
    );
}

#[test]
fn an_ec_certificate_is_refused_as_entra_refuses_it() {
    let sim = Simulator::start();
    register_certificate(&sim, EC_PEM);
    let ws = Workspace::new();
    ws.write("ec.pem", EC_PEM.as_bytes());
    let out = status(Run::signing_in(&ws, &sim).args(["--client-certificate-file", "ec.pem"]));
    out.assert_code(3);
    assert!(out.stderr.contains("AADSTS5002738"), "{}", out.log());
    assert!(out.stderr.contains("RSA certificate"), "{}", out.log());
    // The ES256 assertion itself was well formed: the refusal is about the algorithm.
    let refused = sim.sign_ins();
    assert_eq!(
        decoded_header(refused[0]["assertion"].as_str().unwrap())["alg"],
        "ES256"
    );
}

#[test]
fn github_oidc_end_to_end() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // Only tenant and client id: the tool asks the runner for the workflow's OIDC token.
    let out = Run::signing_in(&ws, &sim)
        .github(&ws)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &sim.github_request_url)
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &sim.github_request_token)
        .env("INPUT_CLIENT-SECRET", "")
        .env("INPUT_CLIENT-CERTIFICATE", "")
        .env("INPUT_FEDERATED-TOKEN", "")
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .run();
    out.assert_code(0);
    let sign_ins = accepted(&sim);
    assert_eq!(sign_ins[0]["kind"], "federated");
    assert_eq!(sign_ins[0]["issuer"], GITHUB_ISSUER);
    assert_eq!(sign_ins[0]["subject"], GITHUB_SUBJECT);
    // The request as @actions/core makes it: the audience appended to the URL's query.
    let asked: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/github/idtoken")
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(
        asked[0]["query"],
        "api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    );
}

#[test]
fn azure_pipelines_oidc_end_to_end() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    // As a Docker step passes them on: task inputs with `_`, the OIDC URI, and
    // System.AccessToken mapped in explicitly.
    let out = Run::signing_in(&ws, &sim)
        .azure(&ws)
        .env("SYSTEM_OIDCREQUESTURI", &sim.azure_request_uri)
        .env("SYSTEM_ACCESSTOKEN", &sim.azure_access_token)
        .env(
            "INPUT_AZURE_SERVICE_CONNECTION_ID",
            &sim.azure_service_connection_id,
        )
        .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
        .run();
    out.assert_code(0);
    assert!(
        out.stdout
            .contains("##vso[task.setvariable variable=submission_id;isOutput=true]"),
        "{}",
        out.log()
    );
    let sign_ins = accepted(&sim);
    assert_eq!(sign_ins[0]["kind"], "federated");
    assert_eq!(
        sign_ins[0]["issuer"],
        "https://vstoken.dev.azure.com/00000000-0000-4000-8000-5157e1a7a200"
    );
    assert_eq!(
        sign_ins[0]["subject"],
        "sc://contoso/contoso-reader/partner-center"
    );
    let asked: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/azure-devops/oidctoken")
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["method"], "POST");
    assert_eq!(
        asked[0]["query"],
        format!(
            "api-version=7.1&serviceConnectionId={}",
            sim.azure_service_connection_id
        )
    );
}

#[test]
fn azure_pipelines_without_system_access_token_says_how_to_map_it() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let out = status(
        Run::signing_in(&ws, &sim)
            .azure(&ws)
            .env("SYSTEM_OIDCREQUESTURI", &sim.azure_request_uri)
            .env(
                "INPUT_AZURE_SERVICE_CONNECTION_ID",
                &sim.azure_service_connection_id,
            ),
    );
    out.assert_code(3);
    assert!(
        out.stdout.contains("$(System.AccessToken)"),
        "{}",
        out.log()
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn federated_token_given_as_text_and_as_a_file() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let token = minted(&sim, json!({}));
    status(Run::signing_in(&ws, &sim).args(["--federated-token", &token])).assert_code(0);
    ws.write("token.jwt", format!("{token}\n").as_bytes());
    status(Run::signing_in(&ws, &sim).args(["--federated-token-file", "token.jwt"])).assert_code(0);
    let sign_ins = accepted(&sim);
    assert_eq!(sign_ins.len(), 2);
    assert!(sign_ins.iter().all(|s| s["kind"] == "federated"));
}

#[test]
fn missing_id_token_permission_is_an_authentication_error_with_the_fix() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // A GitHub job without `permissions: id-token: write`: no request URL or token.
    let out = status(Run::signing_in(&ws, &sim).github(&ws));
    out.assert_code(3);
    assert!(
        out.stdout
            .contains("::error title=msstore-submit status failed (exit 3)::"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("permissions: id-token: write"),
        "{}",
        out.log()
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // What a token requested without `audience` looks like.
    let token = minted(&sim, json!({"audience": "https://github.com/contoso"}));
    let out = status(Run::signing_in(&ws, &sim).args(["--federated-token", &token]));
    out.assert_code(3);
    assert!(out.stderr.contains("AADSTS700212"), "{}", out.log());
    assert!(
        out.stderr.contains("audience `https://github.com/contoso`"),
        "{}",
        out.log()
    );
    assert!(
        out.stderr.contains("api://AzureADTokenExchange"),
        "{}",
        out.log()
    );
}

#[test]
fn an_expired_federated_token_is_refused() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let token = minted(
        &sim,
        json!({"issuedSecondsAgo": 900, "lifetimeSeconds": 300}),
    );
    let out = status(Run::signing_in(&ws, &sim).args(["--federated-token", &token]));
    out.assert_code(3);
    assert!(out.stderr.contains("AADSTS700024"), "{}", out.log());
    assert!(out.stderr.contains("has expired"), "{}", out.log());
}

#[test]
fn a_token_signed_with_another_key_is_refused() {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    let sim = Simulator::start();
    let ws = Workspace::new();
    // Everything as GitHub would say it, signed by a key that is not GitHub's.
    let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let forged = msstore_submit::auth::jws::sign::<()>(
        &json!({"alg": "RS256", "typ": "JWT", "kid": "not-githubs-key"}),
        &json!({
            "iss": GITHUB_ISSUER,
            "sub": GITHUB_SUBJECT,
            "aud": "api://AzureADTokenExchange",
            "nbf": now,
            "iat": now,
            "exp": now + 300,
        }),
        |input| {
            let mut signature = vec![0; key.public_modulus_len()];
            key.sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input,
                &mut signature,
            )
            .unwrap();
            Ok(signature)
        },
    )
    .unwrap();
    let out = status(Run::signing_in(&ws, &sim).args(["--federated-token", &forged]));
    out.assert_code(3);
    assert!(out.stderr.contains("AADSTS7000272"), "{}", out.log());
    assert!(
        out.stderr.contains("not made by that issuer"),
        "{}",
        out.log()
    );
}

#[test]
fn a_subject_no_federated_credential_trusts_is_named() {
    let sim = Simulator::start();
    // The workflow runs for a branch the app's federated credentials do not cover.
    let subject = "repo:contoso/contoso-reader:ref:refs/heads/feature";
    sim.post(
        "/_simulator/oidc",
        json!({"github": {"subject": subject, "lifetimeSeconds": 300}}),
    );
    let ws = Workspace::new();
    let out = status(
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", &sim.github_request_url)
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &sim.github_request_token),
    );
    out.assert_code(3);
    assert!(out.stdout.contains("AADSTS700213"), "{}", out.log());
    assert!(
        out.stdout.contains(&format!("subject `{subject}`")),
        "{}",
        out.log()
    );
}

/// Waits for a submission to be certified while the simulator's tokens last 2 s, so the
/// run signs in several times; returns the accepted sign-ins.
fn long_wait(sim: &Simulator, run: &mut Run, ws: &Workspace) -> Vec<Value> {
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = run
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--wait-for",
            "certified",
        ])
        .run();
    out.assert_code(0);
    accepted(sim)
}

#[test]
fn renewing_the_token_during_a_long_wait_fetches_a_new_oidc_token() {
    let sim = Simulator::start_with(&[
        "--simulator-token-lifetime",
        "2s",
        "--simulator-phase",
        "1s",
    ]);
    // GitHub's tokens outlive none of the renewals: reusing one would be refused.
    sim.post(
        "/_simulator/oidc",
        json!({"github": {"subject": GITHUB_SUBJECT, "lifetimeSeconds": 2}}),
    );
    let ws = Workspace::new();
    let sign_ins = long_wait(
        &sim,
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", &sim.github_request_url)
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &sim.github_request_token),
        &ws,
    );
    assert!(sign_ins.len() >= 3, "{sign_ins:?}");
    let jtis: std::collections::BTreeSet<&str> = sign_ins
        .iter()
        .map(|s| s["jti"].as_str().unwrap())
        .collect();
    assert_eq!(jtis.len(), sign_ins.len(), "an OIDC token was reused");
    let fetched = sim
        .requests()
        .iter()
        .filter(|r| r["path"] == "/github/idtoken")
        .count();
    assert_eq!(fetched, sign_ins.len());
    assert!(
        sim.sign_ins().iter().all(|s| s["errorCode"].is_null()),
        "{:?}",
        sim.sign_ins()
    );
}

#[test]
fn renewing_the_token_signs_a_new_certificate_assertion() {
    let sim = Simulator::start_with(&[
        "--simulator-token-lifetime",
        "2s",
        "--simulator-phase",
        "1s",
    ]);
    register_certificate(&sim, RSA_PEM);
    let ws = Workspace::new();
    ws.write("cert.pem", RSA_PEM.as_bytes());
    let sign_ins = long_wait(
        &sim,
        Run::signing_in(&ws, &sim).args(["--client-certificate-file", "cert.pem"]),
        &ws,
    );
    assert!(sign_ins.len() >= 3, "{sign_ins:?}");
    let jtis: std::collections::BTreeSet<&str> = sign_ins
        .iter()
        .map(|s| s["jti"].as_str().unwrap())
        .collect();
    assert_eq!(jtis.len(), sign_ins.len(), "an assertion was reused");
}

#[test]
fn a_federated_token_file_is_read_again_for_each_sign_in() {
    let sim = Simulator::start_with(&[
        "--simulator-token-lifetime",
        "2s",
        "--simulator-phase",
        "1s",
    ]);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let first = minted(&sim, json!({}));
    ws.write("token.jwt", first.as_bytes());
    let mut child = Run::signing_in(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--wait-for",
            "certified",
            "--federated-token-file",
            "token.jwt",
        ])
        .spawn();
    // Once the first token has been used, something else (a refresh script, a projected
    // Kubernetes token) replaces the file.
    let started = std::time::Instant::now();
    while accepted(&sim).is_empty() {
        assert!(started.elapsed().as_secs() < 30, "no sign-in");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = minted(&sim, json!({}));
    ws.write("token.jwt", second.as_bytes());
    let status = child.wait().unwrap();
    assert!(status.success());
    let used: Vec<String> = accepted(&sim)
        .iter()
        .map(|s| s["assertion"].as_str().unwrap().to_string())
        .collect();
    assert!(used.len() >= 2, "{used:?}");
    assert_eq!(used[0], first);
    assert_eq!(used.last().unwrap(), &second);
}

/// A Partner Center token from the simulator, as a user's own script would get one.
fn access_token(sim: &Simulator) -> String {
    let mut response = ureq::post(&format!("{}/{}/oauth2/v2.0/token", sim.url, sim.tenant_id))
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id.as_str()),
            ("client_secret", sim.client_secret.as_str()),
            ("scope", "https://manage.devcenter.microsoft.com/.default"),
        ])
        .unwrap();
    let body: Value = response.body_mut().read_json().unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

#[test]
fn an_access_token_is_used_as_given() {
    let sim = Simulator::start();
    let token = access_token(&sim);
    let ws = Workspace::new();
    let out = status(Run::new(&ws).args(["--api-base-url", &sim.url, "--access-token", &token]));
    out.assert_code(0);
    // The one sign-in is the test's own.
    assert_eq!(sim.sign_ins().len(), 1);
}

#[test]
fn an_expired_or_wrong_access_token_says_so() {
    let sim = Simulator::start_with(&["--simulator-token-lifetime", "1s"]);
    let expired = access_token(&sim);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ws = Workspace::new();
    for token in [expired.as_str(), "not-a-partner-center-token"] {
        let out = status(Run::new(&ws).args(["--api-base-url", &sim.url, "--access-token", token]));
        out.assert_code(3);
        assert!(
            out.stderr.contains("refused the given `access-token`"),
            "{}",
            out.log()
        );
        assert!(out.stderr.contains("expired"), "{}", out.log());
        assert!(!out.stderr.contains(&expired), "{}", out.log());
    }
    // No token was requested, and a refused token was not tried again.
    assert_eq!(sim.sign_ins().len(), 1);
    let calls = sim
        .requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/v1.0/"))
        .count();
    assert_eq!(calls, 2);
}

#[test]
fn conflicting_sign_in_inputs_stop_before_any_request() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("cert.pem", RSA_PEM.as_bytes());
    let out = status(Run::against(&ws, &sim).args(["--client-certificate-file", "cert.pem"]));
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("input `client-certificate-file`: cannot be combined with `client-secret`"),
        "{}",
        out.log()
    );
    assert!(out.stderr.contains("exactly one of"), "{}", out.log());
    assert!(sim.requests().is_empty());
}

/// No secret reaches stdout, stderr, an output or the summary, whichever way the run signs
/// in and whether it succeeds or not. The runner's mask commands are the one place a
/// secret is written, on purpose, so the runner can hide it.
#[test]
fn no_credential_is_ever_printed() {
    let sim = Simulator::start();
    register_certificate(&sim, RSA_PEM);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.write("cert.pem", RSA_PEM.as_bytes());
    let wrong_audience = minted(&sim, json!({"audience": "https://github.com/contoso"}));
    let good_token = minted(&sim, json!({}));
    ws.write("token.jwt", good_token.as_bytes());

    let mut outcomes = Vec::new();
    let submit = [
        "submit",
        "--app-id",
        APP_ID,
        "--packages",
        "*.msix",
        "--commit",
        "false",
        "--log-level",
        "trace",
    ];
    outcomes.push(
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("INPUT_CLIENT-CERTIFICATE", RSA_PEM)
            .args(submit)
            .args(["--on-pending", "delete"])
            .run(),
    );
    outcomes.push(
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", &sim.github_request_url)
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &sim.github_request_token)
            .args(submit)
            .args(["--on-pending", "delete"])
            .run(),
    );
    outcomes.push(
        Run::signing_in(&ws, &sim)
            .azure(&ws)
            .env("SYSTEM_OIDCREQUESTURI", &sim.azure_request_uri)
            .env("SYSTEM_ACCESSTOKEN", &sim.azure_access_token)
            .env(
                "INPUT_AZURE_SERVICE_CONNECTION_ID",
                &sim.azure_service_connection_id,
            )
            .args(submit)
            .args(["--on-pending", "delete"])
            .run(),
    );
    outcomes.push(
        Run::signing_in(&ws, &sim)
            .github(&ws)
            .env("INPUT_FEDERATED-TOKEN-FILE", "token.jwt")
            .args(submit)
            .args(["--on-pending", "delete"])
            .run(),
    );
    let refused = Run::signing_in(&ws, &sim)
        .github(&ws)
        .env("INPUT_FEDERATED-TOKEN", &wrong_audience)
        .args(submit)
        .run();
    refused.assert_code(3);
    for out in &outcomes {
        out.assert_code(0);
    }
    outcomes.push(refused);

    let key_lines: Vec<&str> = RSA_PEM
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .unwrap()
        .split("-----END PRIVATE KEY-----")
        .next()
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut secrets: Vec<String> = key_lines.iter().map(|l| l.to_string()).collect();
    secrets.extend([
        sim.github_request_token.clone(),
        sim.azure_access_token.clone(),
        good_token.clone(),
        wrong_audience.clone(),
    ]);
    let sign_ins = sim.sign_ins();
    assert!(sign_ins.len() >= 5, "{sign_ins:?}");
    for sign_in in &sign_ins {
        for field in ["assertion", "accessToken"] {
            if let Some(value) = sign_in[field].as_str() {
                secrets.push(value.to_string());
                // The signature alone is as distinctive, should a token be cut up.
                if let Some(signature) = value.rsplit('.').next().filter(|s| s.len() > 20) {
                    secrets.push(signature.to_string());
                }
            }
        }
    }
    for out in &outcomes {
        let shown: String = out
            .stdout
            .lines()
            .filter(|l| !l.starts_with("::add-mask::") && !l.starts_with("##vso[task.setsecret]"))
            .chain(out.stderr.lines())
            .collect::<Vec<_>>()
            .join("\n");
        let outputs = format!("{:?}\n{}", out.outputs, out.summary);
        for secret in &secrets {
            assert!(
                !shown.contains(secret.as_str()) && !outputs.contains(secret.as_str()),
                "a secret ({}…) was printed:\n{}",
                &secret[..8.min(secret.len())],
                out.log()
            );
        }
    }
    // The runner was told to mask what the run learned: the OIDC tokens it fetched and
    // the key of the certificate.
    let masked = |out: &Outcome, value: &str| {
        out.stdout.lines().any(|l| {
            l == format!("::add-mask::{value}") || l == format!("##vso[task.setsecret]{value}")
        })
    };
    assert!(masked(&outcomes[0], key_lines[1]), "{}", outcomes[0].log());
    assert!(masked(&outcomes[1], &sim.github_request_token));
    assert!(masked(&outcomes[2], &sim.azure_access_token));
    let fetched_from_github = sign_ins
        .iter()
        .find(|s| s["subject"] == GITHUB_SUBJECT && s["kind"] == "federated")
        .unwrap()["assertion"]
        .as_str()
        .unwrap();
    assert!(
        outcomes.iter().any(|out| masked(out, fetched_from_github)),
        "the fetched GitHub token was not masked"
    );
}

#[test]
fn simulate_signs_in_with_the_given_certificate() {
    // The in-process simulator registers the user's certificate and checks the assertion.
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    ws.write("cert.pem", RSA_PEM.as_bytes());
    let out = Run::new(&ws)
        .args([
            "submit",
            "--simulate",
            "true",
            "--tenant-id",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "--client-id",
            "11111111-2222-3333-4444-555555555555",
            "--client-certificate-file",
            "cert.pem",
            "--app-id",
            APP_ID,
            "--packages",
            "*.msix",
            "--commit",
            "false",
            "--log-level",
            "debug",
        ])
        .run();
    out.assert_code(0);
    assert!(
        out.stderr.contains("with a certificate; token valid for"),
        "{}",
        out.log()
    );
}
