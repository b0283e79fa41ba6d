//! Entra ID token endpoints, v2 (`scope=…/.default`) and v1 (`resource=…`), for the
//! client-credentials grant (reference §1.2–1.4). Form values are URL-decoded as Entra
//! does, so a client that forgets to encode a `+` in its secret is refused here too.

use std::collections::HashMap;
use std::time::Instant;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::state::IssuedToken;

pub const AUDIENCE: &str = "https://manage.devcenter.microsoft.com";

pub async fn token_v2(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let audience = match form.get("scope") {
        Some(scope) => match scope.strip_suffix("/.default") {
            Some(resource) => resource.trim_end_matches('/').to_string(),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    70011,
                    &format!(
                        "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
                    ),
                );
            }
        },
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'scope'.",
            );
        }
    };
    issue(&shared, &tenant, &form, audience, false)
}

pub async fn token_v1(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(resource) = form.get("resource") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'resource'.",
        );
    };
    let audience = resource.trim_end_matches('/').to_string();
    issue(&shared, &tenant, &form, audience, true)
}

fn issue(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
    audience: String,
    v1: bool,
) -> Response {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let mut state = shared.lock().expect("simulator state");
    if !state.credentials.iter().any(|c| c.tenant_id == tenant) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let Some(credentials) = state
        .credentials
        .iter()
        .find(|c| c.tenant_id == tenant && c.client_id == client_id)
        .cloned()
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        );
    };
    match form.get("client_secret") {
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
        Some(secret) if *secret != credentials.client_secret => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            );
        }
        Some(_) => {}
    }
    let lifetime = state.options.token_lifetime;
    // Real tokens are JWTs; an opaque random string is enough for a client that must not
    // look inside.
    let token = format!(
        "sim.{}.{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    state.tokens.insert(
        token.clone(),
        IssuedToken {
            expires: Instant::now() + lifetime,
            audience: audience.clone(),
        },
    );
    let seconds = lifetime.as_secs();
    let body = if v1 {
        let now = jiff::Timestamp::now().as_second();
        // v1 sends its numbers as strings (reference §1.4).
        json!({
            "token_type": "Bearer",
            "expires_in": seconds.to_string(),
            "ext_expires_in": seconds.to_string(),
            "expires_on": (now + seconds as i64).to_string(),
            "not_before": now.to_string(),
            "resource": audience,
            "access_token": token,
        })
    } else {
        json!({
            "token_type": "Bearer",
            "expires_in": seconds,
            "ext_expires_in": seconds,
            "access_token": token,
        })
    };
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// The error shape of `samples/aad-v2-token-error-response.json`.
fn error(status: StatusCode, error: &str, code: u32, message: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let correlation = uuid::Uuid::new_v4();
    let timestamp = jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%SZ")
        .to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace.to_string(),
        "correlation_id": correlation.to_string(),
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, axum::Json(body)).into_response()
}
