//! Sign-in: a Partner Center bearer token from Entra ID (client-credentials grant on the v2
//! endpoint), cached and requested anew shortly before it expires or when the API says the
//! one we have is no longer good.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::config::Credential;
use crate::error::{CallContext, Error, Result};

/// The scope of the Partner Center submission API (reference §1.3).
pub const SCOPE: &str = "https://manage.devcenter.microsoft.com/.default";
/// Assumed lifetime when the token endpoint does not say (documented as 60 minutes).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);
/// Request a new token when less than this is left, so no call starts with a token about
/// to expire; short-lived tokens are renewed at half their life.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
const TOKEN_ATTEMPTS: u32 = 4;

pub struct TokenSource {
    http: reqwest::Client,
    authority: Url,
    credential: Credential,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    token: SecretString,
    renew_at: Instant,
}

impl TokenSource {
    pub fn new(http: reqwest::Client, authority: Url, credential: Credential) -> Self {
        if let Credential::AccessToken(token) = &credential {
            crate::secrets::register(token.expose_secret());
        }
        TokenSource {
            http,
            authority,
            credential,
            cached: Mutex::new(None),
        }
    }

    /// Whether the token came from the user, so a 401 cannot be cured by asking again.
    pub fn is_passthrough(&self) -> bool {
        matches!(self.credential, Credential::AccessToken(_))
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
        let Credential::ClientSecret {
            tenant_id,
            client_id,
            secret,
        } = &self.credential
        else {
            return Err(Error::Internal(anyhow::anyhow!(
                "no credential to request a token with"
            )));
        };
        let url = self
            .authority
            .join(&format!("{tenant_id}/oauth2/v2.0/token"))
            .map_err(|e| Error::Internal(e.into()))?;
        // reqwest's form encoder URL-encodes every value: a secret with `+`, `&`, `=` or
        // `%` arrives intact (reference §8 item 17).
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("scope", SCOPE),
        ];
        let call = format!("POST {}", url.as_str());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .http
                .post(url.clone())
                .form(&form)
                .timeout(Duration::from_secs(60))
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) if attempt < TOKEN_ATTEMPTS => {
                    tracing::warn!("token request failed ({e}); retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Service {
                        message: format!("cannot reach Entra ID at {}: {e}", self.authority),
                        hint: "Check network access to the authority host (proxy settings: HTTPS_PROXY/NO_PROXY).".into(),
                        context: Some(CallContext {
                            call,
                            ..Default::default()
                        }),
                    });
                }
            };
            let status = response.status();
            if (status.is_server_error() || status.as_u16() == 429) && attempt < TOKEN_ATTEMPTS {
                tracing::warn!("token request answered HTTP {status}; retrying");
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            let body = response.text().await.unwrap_or_default();
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
                    "signed in to tenant {tenant_id} as {client_id}; token valid for {}s",
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
                    }),
                });
            }
            return Err(token_error(status.as_u16(), &body));
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 * 2u64.pow(attempt.min(6)))
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// A number on the v2 endpoint, a string on v1 (reference §1.4).
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

#[derive(Deserialize, Default)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
}

/// An Entra ID refusal, with what its AADSTS code usually means.
fn token_error(status: u16, body: &str) -> Error {
    let parsed: TokenError = serde_json::from_str(body).unwrap_or_default();
    let code = parsed.error_codes.first().copied().or_else(|| {
        parsed
            .error_description
            .as_deref()
            .and_then(|d| d.strip_prefix("AADSTS"))
            .and_then(|d| d.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse().ok())
    });
    // The description carries trace and correlation ids on further lines; keep line one.
    let description = parsed
        .error_description
        .as_deref()
        .and_then(|d| d.lines().next())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let hint = match code {
        Some(7000215) => {
            "The client secret is wrong. Use the secret's Value (not its Secret ID) from Entra ID → App registrations → Certificates & secrets."
        }
        Some(7000222) => {
            "The client secret has expired. Create a new one in Entra ID → App registrations → Certificates & secrets, and update the CI secret."
        }
        Some(700016) => {
            "No application with this client-id exists in this tenant. Check `client-id` and `tenant-id`, and that the app was added in Partner Center → Account settings → Users → Azure AD applications."
        }
        Some(90002) | Some(90023) => {
            "The tenant was not found. Check `tenant-id` (Partner Center → Account settings → Tenants)."
        }
        Some(70011) => {
            "The scope was refused. The Partner Center API scope is https://manage.devcenter.microsoft.com/.default."
        }
        Some(7000218) => "The request had no client secret or assertion.",
        Some(50126) | Some(50034) => {
            "These are user credentials; the tool signs in as an application (client id + secret)."
        }
        _ => "Check `tenant-id`, `client-id` and `client-secret`.",
    };
    let ids = [
        parsed.correlation_id.map(|c| format!("correlation id {c}")),
        parsed.trace_id.map(|t| format!("trace id {t}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let error = parsed.error.unwrap_or_else(|| "error".into());
    Error::Auth {
        message: if ids.is_empty() {
            format!("Entra ID refused the token request: {error}: {description}")
        } else {
            format!("Entra ID refused the token request: {error}: {description} ({ids})")
        },
        hint: hint.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_explain_the_aadsts_code() {
        let body = include_str!("simulator/samples/aad-v2-token-error-response.json");
        let Error::Auth { message, hint } = token_error(400, body) else {
            panic!()
        };
        assert!(message.contains("AADSTS70011"), "{message}");
        assert!(
            message.contains("fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7"),
            "{message}"
        );
        assert!(!message.contains("Trace ID:"), "{message}");
        assert!(hint.contains("scope"), "{hint}");

        let Error::Auth { hint, .. } = token_error(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.","error_codes":[7000222]}"#,
        ) else {
            panic!()
        };
        assert!(hint.contains("expired"));
    }

    #[test]
    fn expires_in_as_number_or_string() {
        let v2: TokenResponse = serde_json::from_str(include_str!(
            "simulator/samples/aad-v2-token-success-response.json"
        ))
        .unwrap();
        assert_eq!(v2.expires_in.unwrap().seconds(), Some(3599));
        let v1: TokenResponse = serde_json::from_str(include_str!(
            "simulator/samples/aad-v1-token-success-response.json"
        ))
        .unwrap();
        assert_eq!(v1.expires_in.unwrap().seconds(), Some(3599));
    }
}
