//! Federated (workload identity) sign-in: an OIDC token from the CI platform, exchanged with
//! Entra ID as a client assertion. The token is fetched (or the file re-read) for every
//! token request, because these tokens live minutes while a run can wait for hours.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::jws::Jws;
use super::{Attempts, Bounds};
use crate::error::{CallContext, Error, Result};

/// The audience Entra ID expects of a federated token (the default of an Entra federated
/// credential, and what `azure/login` requests).
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

pub use crate::config::FederatedSource;

impl FederatedSource {
    /// A federated token to present now. Every token it hands out is registered as a
    /// secret first.
    pub async fn token(&self, http: &reqwest::Client, bounds: Bounds) -> Result<SecretString> {
        let token = match self {
            FederatedSource::Token(token) => token.expose_secret().trim().to_string(),
            FederatedSource::File(path) => read_file(path).await?,
            FederatedSource::GitHub {
                request_url,
                request_token,
            } => github(http, request_url, request_token, bounds).await?,
            FederatedSource::AzurePipelines {
                request_uri,
                access_token,
                service_connection_id,
            } => {
                azure_pipelines(
                    http,
                    request_uri,
                    access_token,
                    service_connection_id,
                    bounds,
                )
                .await?
            }
            FederatedSource::Unavailable { message, hint } => {
                return Err(Error::Auth {
                    message: message.clone(),
                    hint: hint.clone(),
                });
            }
        };
        crate::secrets::register(&token);
        if token.is_empty() {
            return Err(Error::Auth {
                message: format!("{} is empty", self.describe()),
                hint: "Give the OIDC token (a JWT) of the workload identity to exchange.".into(),
            });
        }
        if let Some(parsed) = Jws::parse(&token) {
            tracing::debug!(
                "federated token from {}: issuer {}, subject {}, audience {}",
                self.describe(),
                parsed.claim_str("iss").unwrap_or("?"),
                parsed.claim_str("sub").unwrap_or("?"),
                parsed.audiences().join(" ")
            );
        }
        Ok(SecretString::from(token))
    }
}

async fn read_file(path: &PathBuf) -> Result<String> {
    tokio::fs::read_to_string(path)
        .await
        .map(|text| text.trim().to_string())
        .map_err(|e| Error::Auth {
            message: format!("cannot read `federated-token-file` {}: {e}", path.display()),
            hint: "The file must exist for the whole run: it is read again each time a new Partner Center token is needed.".into(),
        })
}

#[derive(Deserialize)]
struct GitHubAnswer {
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzureAnswer {
    oidc_token: Option<String>,
}

/// `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the request token, as
/// `@actions/core` `getIDToken` does; the answer is `{"value": "<jwt>"}`.
async fn github(
    http: &reqwest::Client,
    request_url: &Url,
    request_token: &SecretString,
    bounds: Bounds,
) -> Result<String> {
    let mut url = request_url.clone();
    url.query_pairs_mut().append_pair("audience", AUDIENCE);
    let request = http
        .get(url)
        .bearer_auth(request_token.expose_secret())
        .header("Accept", "application/json");
    let body = fetch(request, "GitHub's OIDC token endpoint", request_url, bounds).await;
    let (status, body) = body?;
    if !(200..300).contains(&status) {
        return Err(Error::Auth {
            message: format!(
                "GitHub refused the OIDC token request (HTTP {status}): {}",
                short(&body)
            ),
            hint: "The job needs `permissions: id-token: write`, and the token can be requested only while the job runs. A workflow triggered from a fork gets no OIDC token.".into(),
        });
    }
    let answer: GitHubAnswer = serde_json::from_str(&body).unwrap_or(GitHubAnswer { value: None });
    answer
        .value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::Auth {
            message: "GitHub's OIDC token endpoint answered without a token (`value`)".into(),
            hint: "Re-run the job; if it persists, check https://www.githubstatus.com.".into(),
        })
}

/// `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=…` with
/// `System.AccessToken`, as azure-identity's `AzurePipelinesCredential` does; the answer
/// carries `oidcToken`.
async fn azure_pipelines(
    http: &reqwest::Client,
    request_uri: &Url,
    access_token: &SecretString,
    service_connection_id: &str,
    bounds: Bounds,
) -> Result<String> {
    let mut url = request_uri.clone();
    url.query_pairs_mut()
        .append_pair("api-version", "7.1")
        .append_pair("serviceConnectionId", service_connection_id);
    let request = http
        .post(url)
        .bearer_auth(access_token.expose_secret())
        .header("Content-Type", "application/json")
        // Without it a refused token is redirected to a sign-in page instead of a 401.
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .header("Content-Length", "0");
    let (status, body) = fetch(
        request,
        "Azure DevOps' OIDC token endpoint",
        request_uri,
        bounds,
    )
    .await?;
    if !(200..300).contains(&status) {
        let hint = match status {
            401 | 403 => {
                "`SYSTEM_ACCESSTOKEN` was refused: map it into the step (`env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`), and pass it into the container with `-e SYSTEM_ACCESSTOKEN`."
            }
            _ => {
                "Check `azure-service-connection-id`: it must be the id (a GUID, in the service connection's URL) of an Azure Resource Manager service connection that uses workload identity federation, and the pipeline must be allowed to use it."
            }
        };
        return Err(Error::Auth {
            message: format!(
                "Azure DevOps refused the OIDC token request for service connection {service_connection_id} (HTTP {status}): {}",
                short(&body)
            ),
            hint: hint.into(),
        });
    }
    let answer: AzureAnswer =
        serde_json::from_str(&body).unwrap_or(AzureAnswer { oidc_token: None });
    answer
        .oidc_token
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::Auth {
            message: format!(
                "Azure DevOps answered without an OIDC token for service connection {service_connection_id}"
            ),
            hint: "The service connection must use workload identity federation (not a secret or a managed identity).".into(),
        })
}

/// Sends `request`, retrying transport failures, 429 and 5xx within `bounds`; returns
/// status and body. A redirect is refused (it would carry the platform's token elsewhere)
/// and the body is read up to a cap.
async fn fetch(
    request: reqwest::RequestBuilder,
    what: &str,
    shown_url: &Url,
    bounds: Bounds,
) -> Result<(u16, String)> {
    let call = format!(
        "{}://{}{}",
        shown_url.scheme(),
        crate::net::host_of(shown_url),
        shown_url.path()
    );
    let mut attempts = Attempts::new(bounds);
    loop {
        let Some(this) = request.try_clone() else {
            return Err(Error::Internal(anyhow::anyhow!(
                "request cannot be repeated"
            )));
        };
        let unreachable = |problem: &str| {
            Error::Service {
            message: format!(
                "cannot reach {what}: {problem} (bounds: {})",
                bounds.describe()
            ),
            hint: "Check the runner's network access and proxy settings; `request-timeout` sets the bound of one request (at most 20s).".into(),
            context: Some(CallContext {
                call: call.clone(),
                ..Default::default()
            }),
        }
        };
        let Some(timeout) = attempts.start() else {
            return Err(unreachable("no time left"));
        };
        match this.timeout(timeout).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                if let Some(redirect) = crate::net::redirect_target(&response) {
                    return Err(Error::Auth {
                        message: format!("{what} ({call}) answered with {redirect}"),
                        hint: "The CI platform's OIDC endpoint does not redirect: leave the variable as the platform sets it, and check any proxy between the runner and the platform.".into(),
                    });
                }
                if let Some(delay) = attempts.after_status(status, response.headers()) {
                    tracing::warn!("{what} answered HTTP {status}; retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                if status == 429 || status >= 500 {
                    return Err(Error::Service {
                        message: format!("{what} kept failing (HTTP {status})"),
                        hint: "Re-run the job later.".into(),
                        context: Some(CallContext {
                            call,
                            http_status: Some(status),
                            correlation_id: None,
                            correlation_header: None,
                        }),
                    });
                }
                let body = match crate::net::read_capped(response, crate::net::OIDC_BODY_CAP).await
                {
                    Ok(body) => body,
                    Err(crate::net::BodyError::TooLarge { cap }) => {
                        return Err(Error::Auth {
                            message: format!(
                                "{what} ({call}) answered HTTP {status}: {}",
                                crate::net::BodyError::TooLarge { cap }
                            ),
                            hint: "An OIDC answer is a few KiB: leave the variable as the platform sets it, and check any proxy between the runner and the platform.".into(),
                        });
                    }
                    // A body that trickles past the bound, or is cut: no answer.
                    Err(crate::net::BodyError::Transport(e)) => {
                        let problem = super::transport_problem(e, timeout);
                        if let Some(delay) = attempts.after_transport() {
                            tracing::warn!("{what} could not be reached ({problem}); retrying");
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        return Err(unreachable(&problem));
                    }
                };
                // An error body is scrubbed as it is read (it may echo what was sent).
                let body = if (200..300).contains(&status) {
                    body
                } else {
                    crate::secrets::redact(&body).into_owned()
                };
                return Ok((status, body));
            }
            Err(e) => {
                let problem = super::transport_problem(e, timeout);
                if let Some(delay) = attempts.after_transport() {
                    tracing::warn!("{what} could not be reached ({problem}); retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                return Err(unreachable(&problem));
            }
        }
    }
}

/// The first line of a body, cut short: error bodies can be whole HTML pages.
fn short(body: &str) -> String {
    // Scrubbed before it is cut: a secret cut in two would no longer be recognised.
    let line = crate::secrets::redact(body.lines().next().unwrap_or("").trim()).into_owned();
    let mut text: String = line.chars().take(300).collect();
    if text.is_empty() {
        text = "no details".into();
    }
    text
}
