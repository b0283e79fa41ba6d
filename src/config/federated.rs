//! Where a federated (workload identity) token comes from: the inputs `federated-token`,
//! `federated-token-file`, or the CI platform's OIDC variables, as read and checked. Fetching
//! the token is sign-in's job (`auth/federated.rs`).

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Where the federated token comes from.
#[derive(Clone)]
pub enum FederatedSource {
    /// `federated-token`: used as given, for every token request.
    Token(SecretString),
    /// `federated-token-file`: read anew for every token request, so a file that something
    /// else keeps fresh (Kubernetes projected tokens, a refresh script) keeps working.
    File(PathBuf),
    /// GitHub Actions with `permissions: id-token: write` (the request `@actions/core` makes:
    /// https://github.com/actions/toolkit/blob/main/packages/core/src/oidc-utils.ts).
    GitHub {
        request_url: Url,
        request_token: SecretString,
    },
    /// Azure Pipelines, an Azure Resource Manager service connection with workload identity
    /// federation (the request azure-identity's `AzurePipelinesCredential` makes:
    /// https://github.com/Azure/azure-sdk-for-python/blob/main/sdk/identity/azure-identity/azure/identity/_credentials/azure_pipelines.py).
    AzurePipelines {
        request_uri: Url,
        access_token: SecretString,
        service_connection_id: String,
    },
    /// The platform gives no token; signing in fails with this message and fix (exit 3).
    Unavailable { message: String, hint: String },
}

impl std::fmt::Debug for FederatedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

impl FederatedSource {
    pub fn describe(&self) -> &'static str {
        match self {
            FederatedSource::Token(_) => "`federated-token`",
            FederatedSource::File(_) => "`federated-token-file`",
            FederatedSource::GitHub { .. } => "the GitHub Actions OIDC token",
            FederatedSource::AzurePipelines { .. } => "the Azure Pipelines OIDC token",
            FederatedSource::Unavailable { .. } => "no federated token",
        }
    }

    /// Secrets the runner must mask before anything else happens.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            FederatedSource::Token(token) => vec![token.expose_secret()],
            FederatedSource::GitHub { request_token, .. } => vec![request_token.expose_secret()],
            FederatedSource::AzurePipelines { access_token, .. } => {
                vec![access_token.expose_secret()]
            }
            FederatedSource::File(_) | FederatedSource::Unavailable { .. } => Vec::new(),
        }
    }
}
