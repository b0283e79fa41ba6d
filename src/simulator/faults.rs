//! Fault injection for the tests (`/_simulator/faults`): chosen calls answer 429 with
//! `Retry-After`, 500/503, hang, have their answer cut mid-body, expire every token early,
//! or apply the change and then fail; and the tenant rate limit (about 20 requests per
//! minute, https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md) can be switched on.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::Shared;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Answer `status` without processing the request.
    Status,
    /// Hold the answer for `seconds` (default: an hour), then process normally.
    Hang,
    /// Do not process; start an answer and cut the connection mid-body.
    Reset,
    /// Expire every token issued so far, then process (the request itself gets a 401).
    ExpireToken,
    /// Process the request, then answer `status` (default 500) instead of the result.
    ApplyThenFail,
    /// Process the request, then cut the connection mid-body.
    ApplyThenReset,
    /// Do not process; answer `status` (default 200) with `message` as the body, verbatim
    /// (an answer no documented service gives: an undocumented status, an id that is not
    /// one, a body that is not JSON).
    Answer,
    /// Process the request, then answer as [`FaultKind::Answer`] instead of the result.
    ApplyThenAnswer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    /// Path with `*` matching within one segment, e.g. `/v1.0/my/applications/*/submissions`.
    pub path: String,
    /// Substring the query must contain, e.g. `comp=blocklist`.
    #[serde(default)]
    pub query: Option<String>,
    pub kind: FaultKind,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub seconds: Option<u64>,
    /// The error message of the answer (to test how clients print untrusted text).
    #[serde(default)]
    pub message: Option<String>,
    /// Let this many matching requests through first.
    #[serde(default)]
    pub after: u32,
    /// How many matching requests it affects (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Matching requests seen so far (read back by the tests).
    #[serde(default)]
    pub hits: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub requests: usize,
    pub window_seconds: f64,
}

impl RateLimit {
    /// "The Submission API limits a Tenant to 20 requests per minute" (StoreBroker's
    /// USAGE.md, https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md).
    pub const TENANT: RateLimit = RateLimit {
        requests: 20,
        window_seconds: 60.0,
    };
}

#[derive(Default)]
pub struct Faults {
    pub rules: Vec<FaultRule>,
    pub rate_limit: Option<RateLimit>,
    /// Times of the API requests inside the current window.
    recent: VecDeque<Instant>,
    /// Requests refused by the rate limit.
    pub throttled: u32,
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    pattern.len() == path.len()
        && pattern.iter().zip(&path).all(|(p, s)| {
            *p == "*"
                || match p.split_once('*') {
                    Some((prefix, suffix)) => s.starts_with(prefix) && s.ends_with(suffix),
                    None => p == s,
                }
        })
}

impl Faults {
    /// The rule that fires for this request, if any (and counts the hit).
    fn take(&mut self, method: &str, path: &str, query: &str) -> Option<FaultRule> {
        for rule in &mut self.rules {
            let matches = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path_matches(&rule.path, path)
                && rule.query.as_deref().is_none_or(|q| query.contains(q));
            if !matches {
                continue;
            }
            rule.hits += 1;
            if rule.hits > rule.after && rule.hits <= rule.after + rule.times {
                return Some(rule.clone());
            }
        }
        None
    }

    /// `Some(retry_after)` when the tenant's window is full.
    fn throttle(&mut self) -> Option<u64> {
        let limit = self.rate_limit.clone()?;
        let window = Duration::from_secs_f64(limit.window_seconds);
        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= limit.requests {
            self.throttled += 1;
            let oldest = *self.recent.front().expect("full window");
            let wait = window.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        self.recent.push_back(now);
        None
    }
}

/// The error answer a faulty endpoint gives, in the shape of the service it stands for.
fn failure(path: &str, status: u16, retry_after: Option<u64>, message: Option<&str>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if path.starts_with("/blob/") {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>{}</Message></Error>",
            message.unwrap_or("The server is busy.")
        );
        (status, body).into_response()
    } else if path.contains("/oauth2/") {
        let body = serde_json::json!({
            "error": "temporarily_unavailable",
            "error_description": format!("AADSTS90033: {}", message.unwrap_or("A transient error has occurred. Please try again.")),
            "error_codes": [90033],
        });
        (status, axum::Json(body)).into_response()
    } else if path.starts_with("/submission/v1/") {
        // UNKNOWN: the MSI/EXE API's error bodies. 429: the `{statusCode, message}` seen
        // on the sibling API (https://github.com/microsoft/msstore-cli/issues/125); others:
        // the envelope with `isSuccess: false`.
        let text = message.unwrap_or("An underlying service component was unavailable.");
        let body = if status == StatusCode::TOO_MANY_REQUESTS {
            serde_json::json!({"statusCode": 429, "message": text})
        } else {
            serde_json::json!({"responseData": {}, "isSuccess": false,
                "errors": [{"code": "error", "message": text, "target": ""}]})
        };
        (status, axum::Json(body)).into_response()
    } else if status == StatusCode::INTERNAL_SERVER_ERROR && message.is_none() {
        // The body seen in the wild for a 500 (samples/error-500-internal-server-error.json).
        let body: serde_json::Value =
            serde_json::from_str(include_str!("samples/error-500-internal-server-error.json"))
                .expect("sample parses");
        (status, axum::Json(body)).into_response()
    } else {
        super::api::api_error(
            status,
            match status.as_u16() {
                400 => "InvalidParameterValue",
                409 => "InvalidState",
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                _ => "InternalServerError",
            },
            message.unwrap_or("An underlying service component was unavailable."),
            "",
        )
    };
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert("Retry-After", value);
    }
    // Faulty answers of the API carry a correlation id like every other answer.
    if path.starts_with("/v1.0/my/")
        && let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        response.headers_mut().insert("MS-CorrelationId", value);
    }
    if path.starts_with("/submission/v1/")
        && let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        response.headers_mut().insert("X-Correlation-ID", value);
    }
    response
}

/// An answer whose body breaks off: the client sees the connection drop mid-body.
fn cut_off() -> Response {
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![
        Ok(b"{\"status\": \"Comm"),
        Err(std::io::Error::other("connection reset by the simulator")),
    ];
    let mut response = (
        StatusCode::OK,
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response();
    response
        .headers_mut()
        .insert("Content-Type", HeaderValue::from_static("application/json"));
    response
}

/// The middleware that applies faults and the rate limit to every call but the test hooks.
pub async fn inject(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_simulator/") {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let (rule, throttled) = {
        let mut world = shared.lock().expect("simulator state");
        let rule = world.faults.take(&method, &path, &query);
        let throttled = if (path.starts_with("/v1.0/my/") || path.starts_with("/submission/v1/"))
            && rule.is_none()
        {
            world.faults.throttle()
        } else {
            None
        };
        if rule
            .as_ref()
            .is_some_and(|r| r.kind == FaultKind::ExpireToken)
        {
            let now = Instant::now();
            for token in world.tokens.values_mut() {
                token.expires = now;
            }
        }
        (rule, throttled)
    };
    if let Some(retry_after) = throttled {
        return failure(
            &path,
            429,
            Some(retry_after),
            Some("Rate limit is exceeded. Try again later."),
        );
    }
    let Some(rule) = rule else {
        return next.run(request).await;
    };
    let message = rule.message.as_deref();
    match rule.kind {
        FaultKind::Status => failure(&path, rule.status.unwrap_or(503), rule.retry_after, message),
        FaultKind::Hang => {
            tokio::time::sleep(Duration::from_secs(rule.seconds.unwrap_or(3600))).await;
            next.run(request).await
        }
        FaultKind::Reset => cut_off(),
        FaultKind::ExpireToken => next.run(request).await,
        FaultKind::ApplyThenFail => {
            let _applied = next.run(request).await;
            failure(&path, rule.status.unwrap_or(500), rule.retry_after, message)
        }
        FaultKind::ApplyThenReset => {
            let _applied = next.run(request).await;
            cut_off()
        }
        FaultKind::Answer => verbatim(rule.status.unwrap_or(200), message),
        FaultKind::ApplyThenAnswer => {
            let _applied = next.run(request).await;
            verbatim(rule.status.unwrap_or(200), message)
        }
    }
}

/// An answer with the given body as it is, and a correlation id like every API answer.
fn verbatim(status: u16, body: Option<&str>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body.unwrap_or("").to_string()).into_response();
    response
        .headers_mut()
        .insert("Content-Type", HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("MS-CorrelationId", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_by_segment() {
        assert!(path_matches(
            "/v1.0/my/applications/*/submissions",
            "/v1.0/my/applications/9NBLGGH4R315/submissions"
        ));
        assert!(!path_matches(
            "/v1.0/my/applications/*/submissions",
            "/v1.0/my/applications/9N/submissions/1"
        ));
        assert!(path_matches(
            "/*/oauth2/v2.0/token",
            "/abc/oauth2/v2.0/token"
        ));
        assert!(path_matches(
            "/v1.0/my/applications/*/submissions/*/commit",
            "/v1.0/my/applications/A/submissions/1/commit"
        ));
    }

    #[test]
    fn after_and_times() {
        let mut faults = Faults::default();
        faults.rules.push(FaultRule {
            method: Some("PUT".into()),
            path: "/blob/ingestion/*".into(),
            query: Some("comp=block&".into()),
            kind: FaultKind::Status,
            status: Some(500),
            retry_after: None,
            seconds: None,
            message: None,
            after: 1,
            times: 2,
            hits: 0,
        });
        let fired: Vec<bool> = (0..4)
            .map(|_| {
                faults
                    .take("PUT", "/blob/ingestion/x", "sv=1&comp=block&blockid=a")
                    .is_some()
            })
            .collect();
        assert_eq!(fired, [false, true, true, false]);
        assert!(
            faults
                .take("PUT", "/blob/ingestion/x", "comp=blocklist")
                .is_none()
        );
    }
}
