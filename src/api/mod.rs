//! The Partner Center client: the one place that builds requests, signs them, retries,
//! and logs correlation ids. Flows speak in paths relative to `/v1.0/my/` and JSON values.

pub(crate) mod error;
pub(crate) mod pace;
pub mod status_codes;
pub mod types;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

pub use self::error::{ApiError, ApiErrorKind, ErrorBody};
use self::pace::Pacer;
use crate::auth::TokenSource;
use crate::error::{CallContext, MS_CORRELATION_ID, X_CORRELATION_ID};
use crate::retry::{Idempotency, RetryPolicy};

/// Declared with the inputs, which set it (`request-timeout`).
pub use crate::config::DEFAULT_REQUEST_TIMEOUT;

pub struct Client {
    http: reqwest::Client,
    base: Url,
    tokens: Arc<TokenSource>,
    retry: RetryPolicy,
    pacer: Pacer,
    request_timeout: Duration,
    /// Headers every call carries besides the token (the MSI/EXE API's
    /// `X-Seller-Account-Id`, src/store_api/).
    headers: Vec<(&'static str, String)>,
}

impl Client {
    pub fn new(
        http: reqwest::Client,
        api_base_url: &Url,
        tokens: Arc<TokenSource>,
        retry: RetryPolicy,
        pacer: Pacer,
        request_timeout: Duration,
    ) -> Self {
        let mut base = api_base_url.clone();
        let path = format!("{}/v1.0/my/", base.path().trim_end_matches('/'));
        base.set_path(&path);
        Client::at(http, base, tokens, retry, pacer, request_timeout)
    }

    /// A client whose paths are relative to `base` as given (it should end in `/`): the
    /// same signing, retries, pacing and bounds for another API of the Store.
    pub fn at(
        http: reqwest::Client,
        base: Url,
        tokens: Arc<TokenSource>,
        retry: RetryPolicy,
        pacer: Pacer,
        request_timeout: Duration,
    ) -> Self {
        Client {
            http,
            base,
            tokens,
            retry,
            pacer,
            request_timeout,
            headers: Vec::new(),
        }
    }

    /// Sends `name: value` with every call.
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// [`Client::put`] with the answer's call context.
    pub async fn put_answer(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<(Value, CallContext), ApiError> {
        self.call(Method::PUT, path, Some(body), Idempotency::Idempotent)
            .await
    }

    /// A POST with a JSON body and the answer's call context.
    pub async fn post_json_answer(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<(Value, CallContext), ApiError> {
        self.call(Method::POST, path, Some(body), Idempotency::Write)
            .await
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.get_answer(path).await.map(|(value, _)| value)
    }

    /// A GET with where the answer came from (its correlation id), for a message about an
    /// answer the tool cannot interpret.
    pub async fn get_answer(&self, path: &str) -> Result<(Value, CallContext), ApiError> {
        self.call(Method::GET, path, None, Idempotency::Read).await
    }

    /// A POST without a body (create, commit, rollout actions).
    pub async fn post(&self, path: &str) -> Result<Value, ApiError> {
        self.post_answer(path).await.map(|(value, _)| value)
    }

    /// [`Client::post`] with the answer's call context.
    pub async fn post_answer(&self, path: &str) -> Result<(Value, CallContext), ApiError> {
        self.call(Method::POST, path, None, Idempotency::Write)
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.call(Method::POST, path, Some(body), Idempotency::Write)
            .await
            .map(|(value, _)| value)
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.call(Method::PUT, path, Some(body), Idempotency::Idempotent)
            .await
            .map(|(value, _)| value)
    }

    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        self.call(Method::DELETE, path, None, Idempotency::Idempotent)
            .await
            .map(|_| ())
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency: Idempotency,
    ) -> Result<(Value, CallContext), ApiError> {
        let url = self.base.join(path).map_err(|e| ApiError {
            context: CallContext {
                call: format!("{method} {path}"),
                ..Default::default()
            },
            kind: ApiErrorKind::Transport {
                message: format!("bad path: {e}"),
            },
            attempts: 1,
        })?;
        let shown = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            // The turn first, then the token: a wait for the rate limit must not age it.
            self.pacer.wait_turn().await;
            let token = self.tokens.token().await.map_err(|e| ApiError {
                context: CallContext {
                    call: shown.clone(),
                    ..Default::default()
                },
                kind: ApiErrorKind::SignIn(Box::new(e)),
                attempts: attempt,
            })?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose_secret())
                .header("Accept", "application/json")
                .timeout(self.request_timeout);
            for (name, value) in &self.headers {
                request = request.header(*name, value);
            }
            request = match body {
                Some(json) => request
                    .header("Content-Type", "application/json; charset=utf-8")
                    .body(serde_json::to_vec(json).unwrap_or_default()),
                // Bodyless POSTs still say what they are; some proxies refuse a POST
                // without Content-Length.
                None if method == Method::POST => request.header("Content-Length", "0"),
                None => request,
            };
            let call_started = Instant::now();
            let outcome = request.send().await;
            let (status, correlation_id, correlation_header, text, retry_after) = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    // The MSI/EXE API names it `X-Correlation-ID`
                    // (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
                    let (correlation_id, correlation_header) =
                        match header(&response, MS_CORRELATION_ID) {
                            Some(id) => (Some(id), Some(MS_CORRELATION_ID)),
                            None => match header(&response, X_CORRELATION_ID) {
                                Some(id) => (Some(id), Some(X_CORRELATION_ID)),
                                None => (None, None),
                            },
                        };
                    let retry_after = header(&response, "Retry-After")
                        .as_deref()
                        .and_then(crate::retry::parse_retry_after);
                    // The API does not redirect; following one would take the request
                    // (and, with some clients, the token) to a host nobody configured.
                    if let Some(redirect) = crate::net::redirect_target(&response) {
                        return Err(ApiError {
                            context: CallContext {
                                call: shown.clone(),
                                http_status: Some(status),
                                correlation_id,
                                correlation_header,
                            },
                            kind: ApiErrorKind::Refused {
                                message: redirect.to_string(),
                            },
                            attempts: attempt,
                        });
                    }
                    let cap = if (200..300).contains(&status) {
                        crate::net::API_BODY_CAP
                    } else {
                        crate::net::ERROR_BODY_CAP
                    };
                    match crate::net::read_capped(response, cap).await {
                        Ok(text) => (
                            status,
                            correlation_id,
                            correlation_header,
                            text,
                            retry_after,
                        ),
                        Err(crate::net::BodyError::TooLarge { cap }) => {
                            return Err(ApiError {
                                context: CallContext {
                                    call: shown.clone(),
                                    http_status: Some(status),
                                    correlation_id,
                                    correlation_header,
                                },
                                kind: ApiErrorKind::Refused {
                                    message: crate::net::BodyError::TooLarge { cap }.to_string(),
                                },
                                attempts: attempt,
                            });
                        }
                        Err(crate::net::BodyError::Transport(e)) => {
                            let mut error = transport_error(
                                &shown,
                                (correlation_id, correlation_header),
                                &e,
                                self.request_timeout,
                            );
                            error.attempts = attempt;
                            if let Some(delay) =
                                self.retry.after_transport(idempotency, attempt, started)
                            {
                                tracing::warn!("{error}; retrying in {}s", delay.as_secs());
                                tokio::time::sleep(delay).await;
                                continue;
                            }
                            return Err(error);
                        }
                    }
                }
                Err(e) => {
                    let mut error = transport_error(&shown, (None, None), &e, self.request_timeout);
                    error.attempts = attempt;
                    if let Some(delay) = self.retry.after_transport(idempotency, attempt, started) {
                        tracing::warn!("{error}; retrying in {}s", delay.as_secs());
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(error);
                }
            };
            let context = CallContext {
                call: shown.clone(),
                http_status: Some(status),
                correlation_id: correlation_id.clone(),
                correlation_header,
            };
            let elapsed = call_started.elapsed().as_millis();
            if (200..300).contains(&status) {
                tracing::debug!("{context} in {elapsed} ms");
                if text.trim().is_empty() {
                    return Ok((Value::Null, context));
                }
                match parse_lenient(&text) {
                    Ok(value) => return Ok((value, context)),
                    Err(e) => {
                        let error = ApiError {
                            context,
                            kind: ApiErrorKind::Unreadable {
                                message: format!("the answer is not JSON ({e})"),
                                raw: text.chars().take(300).collect(),
                            },
                            attempts: attempt,
                        };
                        // A read is asked again (a proxy's page, a body cut short); a
                        // write's answer is not, as repeating the write is not safe.
                        if let Some(delay) =
                            self.retry.after_transport(idempotency, attempt, started)
                        {
                            tracing::warn!("{error}; retrying in {}s", delay.as_secs());
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        return Err(error);
                    }
                }
            }
            let error = ApiError {
                context: context.clone(),
                kind: ApiErrorKind::Status {
                    status,
                    body: ErrorBody::parse(&text),
                },
                attempts: attempt,
            };
            if status == 401
                && let Some(refused) = self.tokens.passthrough_refused(&shown)
            {
                return Err(ApiError {
                    context,
                    kind: ApiErrorKind::SignIn(Box::new(refused)),
                    attempts: attempt,
                });
            }
            if status == 401 && !refreshed_token && !self.tokens.is_passthrough() {
                tracing::info!("{context}: token refused; requesting a new one");
                self.tokens.invalidate().await;
                refreshed_token = true;
                continue;
            }
            if let Some(delay) =
                self.retry
                    .after_status(idempotency, status, retry_after, attempt, started)
            {
                tracing::warn!("{error}; retrying in {}s", delay.as_secs());
                tokio::time::sleep(delay).await;
                continue;
            }
            // Whoever handles the error reports it (or knows it is expected, as a 404 that
            // means "no such product"): a warning here would say it twice.
            tracing::debug!("{error}");
            return Err(error);
        }
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn transport_error(
    call: &str,
    (correlation_id, correlation_header): (Option<String>, Option<&'static str>),
    e: &reqwest::Error,
    timeout: Duration,
) -> ApiError {
    let bound;
    let what = if e.is_timeout() {
        bound = format!(
            "no answer within {} (`request-timeout`)",
            crate::config::values::format_duration(timeout)
        );
        bound.as_str()
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    ApiError {
        context: CallContext {
            call: call.to_string(),
            http_status: None,
            correlation_id,
            correlation_header,
        },
        kind: ApiErrorKind::Transport {
            message: format!("{what}: {}", crate::secrets::redact(&error_chain(e))),
        },
        attempts: 1,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Parses JSON as the service's documentation writes it: strict JSON first, then with
/// `//` comment lines and trailing commas removed (as in the examples of
/// https://learn.microsoft.com/windows/uwp/monetize/get-all-apps and others). The live service
/// sends strict JSON; this keeps the doc samples readable too.
pub fn parse_lenient(text: &str) -> Result<Value, serde_json::Error> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            serde_json::from_str(&strip_comments_and_trailing_commas(text)).map_err(|_| first)
        }
    }
}

pub(crate) fn strip_comments_and_trailing_commas(text: &str) -> String {
    // Two passes, so that a comma followed by a comment and then `]` is still trailing.
    let without_comments = outside_strings(text, |chars, i, out| {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
            let mut j = i;
            while j < chars.len() && chars[j] != '\n' {
                j += 1;
            }
            return j;
        }
        out.push(chars[i]);
        i + 1
    });
    outside_strings(&without_comments, |chars, i, out| {
        if chars[i] == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                return i + 1;
            }
        }
        out.push(chars[i]);
        i + 1
    })
}

/// Copies `text`, letting `step` decide what to do with each character outside string
/// literals (it pushes what it keeps and returns the next index); strings pass unchanged.
fn outside_strings(
    text: &str,
    mut step: impl FnMut(&[char], usize, &mut String) -> usize,
) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '"' {
            i = step(&chars, i, &mut out);
            continue;
        }
        out.push('"');
        i += 1;
        while i < chars.len() {
            let c = chars[i];
            out.push(c);
            i += 1;
            if c == '\\' {
                if let Some(&escaped) = chars.get(i) {
                    out.push(escaped);
                    i += 1;
                }
            } else if c == '"' {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys in the text of a JSON document (a string followed by `:`), `//` comments
    /// skipped: what a parse must keep.
    fn keys_in_text(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        let (mut i, mut keys) = (0, 0);
        while i < chars.len() {
            match chars[i] {
                '/' if chars.get(i + 1) == Some(&'/') => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                }
                '"' => {
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                    if next == Some(&':') {
                        keys += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        keys
    }

    fn keys_in_value(value: &Value) -> usize {
        match value {
            Value::Object(map) => map.len() + map.values().map(keys_in_value).sum::<usize>(),
            Value::Array(items) => items.iter().map(keys_in_value).sum(),
            _ => 0,
        }
    }

    #[test]
    fn every_doc_sample_parses_without_loss() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/simulator/samples");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let value = parse_lenient(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                keys_in_value(&value),
                keys_in_text(&text),
                "{} lost keys",
                path.display()
            );
            checked += 1;
        }
        assert!(checked >= 45, "only {checked} samples");
    }

    #[tokio::test]
    async fn a_timeout_names_the_call_and_the_bound() {
        // Accepted by the kernel, never answered.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let bound = Duration::from_millis(200);
        let e = reqwest::Client::new()
            .get(&url)
            .timeout(bound)
            .send()
            .await
            .unwrap_err();
        let error = transport_error("GET applications/9NBLGGH4R315", (None, None), &e, bound);
        assert!(
            error.to_string().starts_with(
                "GET applications/9NBLGGH4R315: no answer within 200ms (`request-timeout`)"
            ),
            "{error}"
        );
    }

    #[test]
    fn doc_samples_parse_leniently() {
        let with_comma =
            include_str!("../simulator/samples/get-status-for-an-app-submission-response.json");
        assert!(serde_json::from_str::<Value>(with_comma).is_err());
        let value = parse_lenient(with_comma).unwrap();
        assert_eq!(value["status"], "PendingCommit");
        let with_comment = include_str!("../simulator/samples/get-all-apps-response.json");
        assert!(parse_lenient(with_comment).unwrap()["value"].is_array());
        let tricky = r#"{"a": "x // not a comment, ]", "b": [1, 2,],}"#;
        let value = parse_lenient(tricky).unwrap();
        assert_eq!(value["a"], "x // not a comment, ]");
        assert_eq!(value["b"], serde_json::json!([1, 2]));
    }
}
