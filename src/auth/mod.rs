//! Sign-in: a Partner Center bearer token from Entra ID (client-credentials grant on the v2
//! endpoint), cached and requested anew shortly before it expires or when the API says the
//! one we have is no longer good. The application proves itself with a client secret, a
//! client assertion signed by its certificate (`certificate`), or a federated token from
//! the CI platform (`federated`); assertions are made anew for every token request.
//! Or the user hands over a ready token (`access-token`) and no request is made.

pub(crate) mod certificate;
pub(crate) mod federated;
pub mod jws;
mod refusal;

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

pub use self::certificate::ClientCertificate;
pub use self::federated::FederatedSource;
use self::refusal::token_error;
use crate::config::Credential;
use crate::error::{CallContext, Error, Result};
use crate::retry::{self, Idempotency, RetryPolicy};

/// The scope of the Partner Center submission API, as msstore-cli asks for it on the v2
/// endpoint (https://github.com/microsoft/msstore-cli, `MSStore.API`).
pub const SCOPE: &str = "https://manage.devcenter.microsoft.com/.default";
/// `client_assertion_type` for both certificate and federated assertions (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Assumed lifetime when the token endpoint does not say (documented as 60 minutes).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);
/// Request a new token when less than this is left, so no call starts with a token about
/// to expire; short-lived tokens are renewed at half their life.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// Attempts of one token or OIDC request, within [`Bounds`].
const SIGN_IN_ATTEMPTS: u32 = 4;

/// How long token and OIDC requests may take (docs/reliability.md, "Time bounds"): each
/// request at most `per_request`, all attempts of one token together at most `total`.
/// A hanging endpoint thus ends the run within `total`, not after minutes of retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub per_request: Duration,
    pub total: Duration,
}

impl Bounds {
    /// Entra ID answers in well under a second; 20 s is generous for a slow link and short
    /// enough that a hang ends the run in a minute.
    pub const MAX_PER_REQUEST: Duration = Duration::from_secs(20);
    /// How many requests' worth of time all attempts may take together.
    const ATTEMPTS_IN_TOTAL: u32 = 3;

    /// `request-timeout` (the bound of one Partner Center call) caps token requests too,
    /// at 20 s; the total is three requests' worth.
    pub fn from_request_timeout(request_timeout: Duration) -> Bounds {
        let per_request = request_timeout.min(Self::MAX_PER_REQUEST);
        Bounds {
            per_request,
            total: per_request * Self::ATTEMPTS_IN_TOTAL,
        }
    }

    /// The time the next attempt may take, or `None` when the total is spent.
    pub fn attempt_timeout(&self, started: Instant) -> Option<Duration> {
        let left = self.total.checked_sub(started.elapsed())?;
        (left >= Duration::from_millis(50)).then(|| left.min(self.per_request))
    }

    /// `delay` before another attempt, if the attempt would still start within the total.
    pub fn retry_delay(&self, started: Instant, delay: Duration) -> Option<Duration> {
        (started.elapsed() + delay + Duration::from_millis(50) < self.total).then_some(delay)
    }

    /// "20s a request, 1m in all", for messages.
    pub fn describe(&self) -> String {
        use crate::config::values::format_duration;
        format!(
            "{} a request, {} in all",
            format_duration(self.per_request),
            format_duration(self.total)
        )
    }
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds::from_request_timeout(crate::config::DEFAULT_REQUEST_TIMEOUT)
    }
}

/// The attempts of one sign-in request (a token, or a CI platform's OIDC token): the retry
/// policy of every outbound call ([`crate::retry`]: 429 and 503 wait as `Retry-After`
/// says, other failures back off exponentially with jitter), inside [`Bounds`]. Asking for
/// a token changes nothing at the endpoint, so it is retried like an idempotent call.
pub(crate) struct Attempts {
    policy: RetryPolicy,
    bounds: Bounds,
    started: Instant,
    attempt: u32,
}

impl Attempts {
    pub(crate) fn new(bounds: Bounds) -> Attempts {
        Attempts {
            policy: RetryPolicy {
                max_attempts: SIGN_IN_ATTEMPTS,
                first_delay: Duration::from_secs(1),
                max_delay: bounds.per_request,
                max_total: bounds.total,
            },
            bounds,
            started: Instant::now(),
            attempt: 0,
        }
    }

    /// Starts the next attempt: the time it may take, or `None` when the total is spent.
    pub(crate) fn start(&mut self) -> Option<Duration> {
        self.attempt += 1;
        self.bounds.attempt_timeout(self.started)
    }

    /// How long to wait before another attempt after an HTTP answer, if at all.
    pub(crate) fn after_status(
        &self,
        status: u16,
        headers: &reqwest::header::HeaderMap,
    ) -> Option<Duration> {
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let delay = self.policy.after_status(
            Idempotency::Idempotent,
            status,
            retry_after,
            self.attempt,
            self.started,
        )?;
        self.bounds.retry_delay(self.started, delay)
    }

    /// How long to wait before another attempt after a failure with no (whole) answer.
    pub(crate) fn after_transport(&self) -> Option<Duration> {
        let delay =
            self.policy
                .after_transport(Idempotency::Idempotent, self.attempt, self.started)?;
        self.bounds.retry_delay(self.started, delay)
    }
}

pub struct TokenSource {
    http: reqwest::Client,
    authority: Url,
    credential: Credential,
    bounds: Bounds,
    cached: Mutex<Option<Cached>>,
    /// [`SCOPE`], or the MSI/EXE API's (src/store_api/).
    scope: String,
}

struct Cached {
    token: SecretString,
    renew_at: Instant,
}

/// How the application proves itself in one token request.
enum Proof {
    Secret(SecretString),
    /// A client assertion: signed with the certificate, or the federated token itself.
    Assertion {
        assertion: SecretString,
    },
}

impl TokenSource {
    pub fn new(http: reqwest::Client, authority: Url, credential: Credential) -> Self {
        // Everything secret is masked on the runner before the first request.
        match &credential {
            Credential::AccessToken(token) => crate::secrets::register(token.expose_secret()),
            Credential::ClientSecret { secret, .. } => {
                crate::secrets::register(secret.expose_secret())
            }
            Credential::Certificate { certificate, .. } => {
                for line in certificate.secret_lines() {
                    crate::secrets::register(line);
                }
            }
            Credential::Federated { source, .. } => {
                for secret in source.secrets() {
                    crate::secrets::register(secret);
                }
            }
            Credential::SimulatorDefault => {}
        }
        TokenSource {
            http,
            authority,
            credential,
            bounds: Bounds::default(),
            cached: Mutex::new(None),
            scope: SCOPE.to_string(),
        }
    }

    /// Tokens for another API than Partner Center's (`https://api.store.microsoft.com/.default`).
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = scope.to_string();
        self
    }

    /// The time bounds of token (and OIDC) requests.
    pub fn with_bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = bounds;
        self
    }

    /// Whether the token came from the user, so a 401 cannot be cured by asking again.
    pub fn is_passthrough(&self) -> bool {
        matches!(self.credential, Credential::AccessToken(_))
    }

    /// The error for a 401 on `call` when the token came from the user: asking Entra ID
    /// again cannot help, and the user must know it is their token that was refused.
    pub fn passthrough_refused(&self, call: &str) -> Option<Error> {
        self.is_passthrough().then(|| Error::Auth {
            message: format!(
                "Partner Center refused the given `access-token` ({call} → HTTP 401): it has expired or is not a token for the Partner Center API"
            ),
            hint: "Tokens live about an hour: acquire one for https://manage.devcenter.microsoft.com right before this step (scope https://manage.devcenter.microsoft.com/.default), or let the tool sign in itself with `tenant-id` + `client-id` and a secret, a certificate or a federated credential.".into(),
        })
    }

    /// A token good for at least the next few minutes.
    pub async fn token(&self) -> Result<SecretString> {
        if let Credential::AccessToken(token) = &self.credential {
            return Ok(token.clone());
        }
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.renew_at
        {
            return Ok(c.token.clone());
        }
        let (token, lifetime) = self.request().await?;
        let margin = RENEW_BEFORE.min(lifetime / 2);
        *cached = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + lifetime - margin,
        });
        Ok(token)
    }

    /// Drops the cached token after the API refused it; the next call asks for a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn request(&self) -> Result<(SecretString, Duration)> {
        let (tenant_id, client_id) = match &self.credential {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                ..
            }
            | Credential::Certificate {
                tenant_id,
                client_id,
                ..
            }
            | Credential::Federated {
                tenant_id,
                client_id,
                ..
            } => (tenant_id, client_id),
            Credential::AccessToken(_) | Credential::SimulatorDefault => {
                return Err(Error::Internal(anyhow::anyhow!(
                    "no credential to request a token with"
                )));
            }
        };
        let url = self
            .authority
            .join(&format!("{tenant_id}/oauth2/v2.0/token"))
            .map_err(|e| Error::Internal(e.into()))?;
        let proof = self.proof(client_id, &url).await?;
        // reqwest's form encoder URL-encodes every value: a secret with `+`, `&`, `=` or
        // `%` arrives intact ("URL-encode this secret",
        // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow;
        // the docs' own Python helper forgets to).
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("scope", self.scope.as_str()),
        ];
        match &proof {
            Proof::Secret(secret) => form.push(("client_secret", secret.expose_secret())),
            Proof::Assertion { assertion } => {
                form.push(("client_assertion_type", JWT_BEARER));
                form.push(("client_assertion", assertion.expose_secret()));
            }
        }
        let call = format!("POST {}", url.as_str());
        let bounds = self.bounds;
        let mut attempts = Attempts::new(bounds);
        loop {
            let Some(timeout) = attempts.start() else {
                return Err(self.unreachable(&call, "no time left", bounds));
            };
            let sent = self
                .http
                .post(url.clone())
                .form(&form)
                .timeout(timeout)
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let problem = transport_problem(e, timeout);
                    if let Some(delay) = attempts.after_transport() {
                        tracing::warn!("token request to {call}: {problem}; retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(self.unreachable(&call, &problem, bounds));
                }
            };
            let status = response.status();
            // Following would re-send the form (the secret or assertion) to that host.
            if let Some(redirect) = crate::net::redirect_target(&response) {
                return Err(Error::Auth {
                    message: format!("Entra ID ({call}) answered with {redirect}"),
                    hint: "Entra ID's token endpoint does not redirect: check `authority-host` and any proxy between the runner and login.microsoftonline.com.".into(),
                });
            }
            if let Some(delay) = attempts.after_status(status.as_u16(), response.headers()) {
                tracing::warn!("token request answered HTTP {status}; retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            let body = match crate::net::read_capped(response, crate::net::TOKEN_BODY_CAP).await {
                Ok(body) => body,
                Err(crate::net::BodyError::TooLarge { cap }) => {
                    return Err(Error::Auth {
                        message: format!(
                            "Entra ID ({call}) answered HTTP {status}: {}",
                            crate::net::BodyError::TooLarge { cap }
                        ),
                        hint: "A token answer is a few KiB: check `authority-host` and any proxy between the runner and Entra ID.".into(),
                    });
                }
                // A body that trickles past the bound, or is cut: no answer, as above.
                Err(crate::net::BodyError::Transport(e)) => {
                    let problem = transport_problem(e, timeout);
                    if let Some(delay) = attempts.after_transport() {
                        tracing::warn!("token request to {call}: {problem}; retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(self.unreachable(&call, &problem, bounds));
                }
            };
            // An error body is scrubbed as it is read, like the API's (an endpoint may echo
            // the secret in it, in any encoding): nothing later sees it whole.
            let body = if status.is_success() {
                body
            } else {
                crate::secrets::redact(&body).into_owned()
            };
            if status.is_success() {
                let parsed: TokenResponse =
                    serde_json::from_str(&body).map_err(|e| Error::Auth {
                        message: format!(
                            "Entra ID answered with a body that is not a token response: {e}"
                        ),
                        hint: "Check `authority-host`.".into(),
                    })?;
                crate::secrets::register(&parsed.access_token);
                let lifetime = parsed
                    .expires_in
                    .and_then(|v| v.seconds())
                    .map(Duration::from_secs)
                    .unwrap_or(DEFAULT_LIFETIME);
                tracing::debug!(
                    "signed in to tenant {tenant_id} as {client_id} with {}; token valid for {}s",
                    self.credential_kind(),
                    lifetime.as_secs()
                );
                return Ok((SecretString::from(parsed.access_token), lifetime));
            }
            if status.is_server_error() || status.as_u16() == 429 {
                return Err(Error::Service {
                    message: format!("Entra ID kept failing (HTTP {status})"),
                    hint: "Try again later.".into(),
                    context: Some(CallContext {
                        call,
                        http_status: Some(status.as_u16()),
                        correlation_id: None,
                        correlation_header: None,
                    }),
                });
            }
            let presented = match &proof {
                Proof::Assertion { assertion } => jws::Jws::parse(assertion.expose_secret()),
                Proof::Secret(_) => None,
            };
            return Err(token_error(
                status.as_u16(),
                &body,
                &self.credential,
                presented.as_ref(),
            ));
        }
    }

    /// The error for a token endpoint that did not answer in time or at all.
    fn unreachable(&self, call: &str, problem: &str, bounds: Bounds) -> Error {
        Error::Service {
            message: format!(
                "cannot get a token from Entra ID at {}: {problem} (bounds: {})",
                self.authority,
                bounds.describe()
            ),
            hint: "Check network access to the authority host (proxy settings: HTTPS_PROXY/NO_PROXY; behind a TLS-inspecting proxy, `SSL_CERT_FILE` naming its CA); `request-timeout` sets the bound of one token request (at most 20s).".into(),
            context: Some(CallContext {
                call: call.to_string(),
                ..Default::default()
            }),
        }
    }

    /// The secret, or a client assertion made for this request: a certificate signs a new
    /// one, a federated source fetches (or re-reads) its token.
    async fn proof(&self, client_id: &str, token_url: &Url) -> Result<Proof> {
        match &self.credential {
            Credential::ClientSecret { secret, .. } => Ok(Proof::Secret(secret.clone())),
            Credential::Certificate { certificate, .. } => {
                let assertion = certificate
                    .assertion(client_id, token_url.as_str())
                    .map_err(|e| {
                        Error::Internal(anyhow::anyhow!("cannot sign the client assertion: {e}"))
                    })?;
                crate::secrets::register(&assertion);
                Ok(Proof::Assertion {
                    assertion: SecretString::from(assertion),
                })
            }
            Credential::Federated { source, .. } => Ok(Proof::Assertion {
                assertion: source.token(&self.http, self.bounds).await?,
            }),
            Credential::AccessToken(_) | Credential::SimulatorDefault => Err(Error::Internal(
                anyhow::anyhow!("no credential to request a token with"),
            )),
        }
    }

    fn credential_kind(&self) -> &'static str {
        self.credential.kind()
    }
}

/// A request that got no (whole) answer, in words: the bound it ran into, or what broke.
/// Without the URL, whose query could hold a secret.
pub(crate) fn transport_problem(e: reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!(
            "no answer within {}",
            crate::config::values::format_duration(timeout)
        );
    }
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    crate::secrets::redact(&text).into_owned()
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// A number on the v2 endpoint, a string on v1 (src/simulator/samples/aad-*-token-*.json, from
    /// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
    /// and its v1 counterpart).
    expires_in: Option<NumberOrString>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    Text(String),
}

impl NumberOrString {
    fn seconds(&self) -> Option<u64> {
        match self {
            NumberOrString::Number(n) => Some(*n),
            NumberOrString::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_requests_are_bounded_by_request_timeout_and_20s() {
        let default = Bounds::default();
        assert_eq!(default.per_request, Duration::from_secs(20));
        assert_eq!(default.total, Duration::from_secs(60));
        let short = Bounds::from_request_timeout(Duration::from_secs(2));
        assert_eq!(short.per_request, Duration::from_secs(2));
        assert_eq!(short.total, Duration::from_secs(6));
        // An attempt never runs past the total: the last one gets what is left.
        let now = Instant::now();
        assert_eq!(short.attempt_timeout(now).unwrap(), Duration::from_secs(2));
        let late = now - Duration::from_millis(5500);
        let left = short.attempt_timeout(late).unwrap();
        assert!(left <= Duration::from_millis(500), "{left:?}");
        assert_eq!(short.attempt_timeout(now - Duration::from_secs(6)), None);
        // A retry starts only if it still fits.
        assert!(short.retry_delay(now, Duration::from_secs(1)).is_some());
        assert!(short.retry_delay(late, Duration::from_secs(1)).is_none());
    }

    fn headers(retry_after: Option<&str>) -> reqwest::header::HeaderMap {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(reqwest::header::RETRY_AFTER, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn a_token_endpoint_that_says_retry_after_is_waited_on_as_said() {
        let mut attempts = Attempts::new(Bounds::default());
        attempts.start().unwrap();
        assert_eq!(
            attempts.after_status(429, &headers(Some("7"))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            attempts.after_status(503, &headers(Some("2"))),
            Some(Duration::from_secs(2))
        );
        // A wait that would end past the total is not started: the run fails now instead.
        assert_eq!(attempts.after_status(429, &headers(Some("120"))), None);
        // What the service refused on purpose is not asked again.
        for status in [400, 401, 403, 404] {
            assert_eq!(attempts.after_status(status, &headers(Some("1"))), None);
        }
    }

    #[test]
    fn failures_back_off_with_jitter_within_the_bounds() {
        let bounds = Bounds::default();
        let delays: Vec<Duration> = (0..32)
            .map(|_| {
                let mut attempts = Attempts::new(bounds);
                attempts.start().unwrap();
                attempts.after_status(503, &headers(None)).unwrap()
            })
            .collect();
        for delay in &delays {
            assert!(
                *delay >= Duration::from_millis(500) && *delay <= Duration::from_millis(1500),
                "{delay:?}"
            );
        }
        assert!(
            delays.iter().any(|d| *d != delays[0]),
            "no jitter: {delays:?}"
        );
        // Transport failures the same; and never more than the attempts or the total.
        let mut attempts = Attempts::new(bounds);
        for _ in 0..SIGN_IN_ATTEMPTS - 1 {
            attempts.start().unwrap();
            assert!(attempts.after_transport().is_some());
            assert!(attempts.after_status(500, &headers(None)).is_some());
        }
        attempts.start().unwrap();
        assert_eq!(attempts.after_transport(), None);
        assert_eq!(attempts.after_status(503, &headers(None)), None);
        let mut late = Attempts::new(Bounds::from_request_timeout(Duration::from_secs(2)));
        late.started -= Duration::from_millis(5800);
        late.attempt = 1;
        assert_eq!(late.after_status(503, &headers(None)), None);
    }

    #[test]
    fn expires_in_as_number_or_string() {
        let v2: TokenResponse = serde_json::from_str(include_str!(
            "../simulator/samples/aad-v2-token-success-response.json"
        ))
        .unwrap();
        assert_eq!(v2.expires_in.unwrap().seconds(), Some(3599));
        let v1: TokenResponse = serde_json::from_str(include_str!(
            "../simulator/samples/aad-v1-token-success-response.json"
        ))
        .unwrap();
        assert_eq!(v1.expires_in.unwrap().seconds(), Some(3599));
    }
}
