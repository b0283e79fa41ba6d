//! Federated sign-in from the CI platform: GitHub Actions' ID token request or an Azure
//! Pipelines service connection, found from the runner's environment (docs/authentication.md).

use super::*;

impl Check<'_> {
    /// Nothing but `tenant-id` and `client-id`: the CI platform's own OIDC token. When
    /// the platform does not hand one out, signing in fails (exit 3) with what to change.
    pub(super) fn platform_federated(
        &mut self,
        connection: Option<&str>,
    ) -> Option<FederatedSource> {
        let identity = self.env.platform_identity.clone();
        if let Some(connection) = connection {
            let connection = connection.trim().to_string();
            if !is_guid(&connection) {
                self.problem(
                    "azure-service-connection-id",
                    format!(
                        "`{connection}` is not a GUID: give the service connection's id (Project settings → Service connections → the connection; `resourceId` in its URL), not its name"
                    ),
                );
                return None;
            }
            let Some(uri) = identity.azure_request_uri else {
                return Some(FederatedSource::Unavailable {
                    message: format!(
                        "SYSTEM_OIDCREQUESTURI is not set, so no OIDC token can be requested for service connection {connection}"
                    ),
                    hint: "Run on Azure Pipelines; in a container pass the variables in: `docker run -e SYSTEM_OIDCREQUESTURI -e SYSTEM_ACCESSTOKEN …`.".into(),
                });
            };
            let Some(access_token) = identity.azure_access_token else {
                return Some(FederatedSource::Unavailable {
                    message: "SYSTEM_ACCESSTOKEN is not set, so no OIDC token can be requested from Azure DevOps".into(),
                    hint: "Map it into the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` (secret variables are not passed on by themselves), and into a container with `-e SYSTEM_ACCESSTOKEN`.".into(),
                });
            };
            return Some(match platform_url(&uri) {
                Ok(request_uri) => FederatedSource::AzurePipelines {
                    request_uri,
                    access_token: SecretString::from(access_token),
                    service_connection_id: connection,
                },
                // An input like any other (exit 2, nothing sent), not a sign-in failure.
                Err(e) => {
                    // A variable of the platform, not an input: no input source to name.
                    self.problems.push(InputProblem::new(
                        "SYSTEM_OIDCREQUESTURI",
                        format!("is not a usable URL: {e}; leave the variable as Azure Pipelines sets it"),
                    ));
                    return None;
                }
            });
        }
        if identity.github_actions || identity.github_request_url.is_some() {
            let (Some(url), Some(request_token)) =
                (identity.github_request_url, identity.github_request_token)
            else {
                return Some(FederatedSource::Unavailable {
                    message: "no client secret, certificate or token is given, and GitHub Actions gave this job no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)".into(),
                    hint: "Add `permissions: id-token: write` to the job (or the workflow) so the tool can sign in with the workflow's federated identity; see docs/sign-in.md. Workflows run for pull requests from forks get no OIDC token; give `client-secret` or `client-certificate` there instead.".into(),
                });
            };
            return Some(match platform_url(&url) {
                Ok(request_url) => FederatedSource::GitHub {
                    request_url,
                    request_token: SecretString::from(request_token),
                },
                Err(e) => {
                    // A variable of the platform, not an input: no input source to name.
                    self.problems.push(InputProblem::new(
                        "ACTIONS_ID_TOKEN_REQUEST_URL",
                        format!("is not a usable URL: {e}; leave the variable as the GitHub runner sets it"),
                    ));
                    return None;
                }
            });
        }
        if identity.azure_pipelines {
            self.problem(
                "azure-service-connection-id",
                format!(
                    "is required to sign in on Azure Pipelines without a secret or certificate: the id of an Azure Resource Manager service connection that uses workload identity federation; {SIGN_IN_CHOICES}"
                ),
            );
            return None;
        }
        self.problem(
            "client-secret",
            format!("is not given, nor any other way to sign in: {SIGN_IN_CHOICES}"),
        );
        None
    }
}

/// A token-request URL the CI platform gave: https, or http on loopback (tests). The
/// request carries the platform's own token, so it never goes out in cleartext.
pub(super) fn platform_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| e.to_string())?;
    match crate::config::cleartext_problem(&url) {
        None => Ok(url),
        Some(problem) => Err(problem),
    }
}
