//! Stand-ins for the CI platforms' OIDC token services, so federated sign-in runs end to
//! end in tests: GitHub Actions' ID-token endpoint (what `ACTIONS_ID_TOKEN_REQUEST_URL`
//! points at) and Azure DevOps' `oidctoken` endpoint (`SYSTEM_OIDCREQUESTURI`); both as
//! docs/sign-in.md describes them. Their tokens carry the real issuers' names and are
//! signed with a key the simulator makes at start; its Entra ID knows that key as theirs,
//! as the real one learns it from the issuers' published metadata.
//!
//! Test hooks: `POST /_simulator/oidc` changes what the endpoints issue (subject, audience,
//! lifetime); `POST /_simulator/oidc/mint` signs a token with any claims and times, for
//! expired or mis-addressed tokens.

use std::collections::{BTreeMap, HashMap};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Shared;
use crate::auth::federated::AUDIENCE;
use crate::auth::jws;

pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The organization the simulated Azure DevOps belongs to; its issuer is
/// `https://vstoken.dev.azure.com/{organization id}` and its subjects
/// `sc://{organization}/{project}/{connection}`, the classic format. UNKNOWN: Azure DevOps
/// may issue newer service connections under other issuer and subject formats; the tool
/// passes the token on whatever its format, so only the simulated values would differ.
pub const AZURE_ORGANIZATION_ID: &str = "00000000-0000-4000-8000-5157e1a7a200";
pub const DEFAULT_GITHUB_SUBJECT: &str = "repo:contoso/contoso-reader:environment:production";
pub const DEFAULT_SERVICE_CONNECTION_ID: &str = "00000000-0000-4000-8000-5157e1a7a301";
/// What Azure DevOps puts in `sub`: `sc://{organization}/{project}/{service connection}`.
pub const DEFAULT_AZURE_SUBJECT: &str = "sc://contoso/contoso-reader/partner-center";

pub fn azure_issuer() -> String {
    format!("https://vstoken.dev.azure.com/{AZURE_ORGANIZATION_ID}")
}

/// What one fake platform issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuerSettings {
    pub subject: String,
    /// GitHub's tokens live 5 minutes (`exp` − `iat` in its docs' example).
    /// UNKNOWN: how long Azure DevOps' tokens live; 10 minutes here.
    pub lifetime_seconds: i64,
    /// Put this in `aud` whatever was asked for, to imitate a misconfigured issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// `POST /_simulator/oidc`: only the fields given change.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChange {
    pub github: Option<IssuerSettings>,
    pub azure: Option<IssuerSettings>,
}

pub struct IdentityProviders {
    key: RsaKeyPair,
    kid: String,
    /// The bearer token the GitHub endpoint accepts (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    pub github_request_token: String,
    /// The bearer token the Azure DevOps endpoint accepts (`SYSTEM_ACCESSTOKEN`).
    pub azure_access_token: String,
    pub github: IssuerSettings,
    pub azure: IssuerSettings,
    /// Service connections with workload identity federation: id → subject.
    pub service_connections: BTreeMap<String, String>,
}

impl IdentityProviders {
    pub fn new() -> Self {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .expect("generate the simulator's issuer key");
        let kid = jws::base64url(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.public_key().as_ref())
                .as_ref(),
        );
        let mut service_connections = BTreeMap::new();
        service_connections.insert(
            DEFAULT_SERVICE_CONNECTION_ID.to_string(),
            DEFAULT_AZURE_SUBJECT.to_string(),
        );
        IdentityProviders {
            key,
            kid,
            github_request_token: format!("sim-gh-{}", uuid::Uuid::new_v4().simple()),
            azure_access_token: format!("sim-ado-{}", uuid::Uuid::new_v4().simple()),
            github: IssuerSettings {
                subject: DEFAULT_GITHUB_SUBJECT.into(),
                lifetime_seconds: 300,
                audience: None,
            },
            azure: IssuerSettings {
                subject: DEFAULT_AZURE_SUBJECT.into(),
                lifetime_seconds: 600,
                audience: None,
            },
            service_connections,
        }
    }

    /// The public key an issuer published under `kid`, when the issuer is one of ours.
    pub fn published_key(&self, issuer: &str, kid: Option<&str>) -> Option<&[u8]> {
        (self.knows(issuer) && kid == Some(self.kid.as_str()))
            .then(|| self.key.public_key().as_ref())
    }

    /// Whether `issuer` is one of the simulated platforms (whose metadata Entra can read).
    pub fn knows(&self, issuer: &str) -> bool {
        issuer == GITHUB_ISSUER || issuer == azure_issuer()
    }

    /// A token as the issuer makes it: RS256, `kid`/`x5t` of the key, the usual claims.
    pub fn mint(
        &self,
        issuer: &str,
        subject: &str,
        audience: &str,
        issued_at: i64,
        lifetime_seconds: i64,
        extra: Value,
    ) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid});
        let mut claims = json!({
            "jti": uuid::Uuid::new_v4().to_string(),
            "sub": subject,
            "aud": audience,
            "iss": issuer,
            // GitHub's example token has `nbf` some minutes before `iat`.
            "nbf": issued_at - 300,
            "iat": issued_at,
            "exp": issued_at + lifetime_seconds,
        });
        if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
            claims.extend(extra);
        }
        jws::sign::<()>(&header, &claims, |input| {
            let mut out = vec![0; self.key.public_modulus_len()];
            self.key
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input,
                    &mut out,
                )
                .expect("RSA signing");
            Ok(out)
        })
        .expect("signing cannot fail")
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// `GET /github/idtoken?api-version=2.0&audience=…` → `{"value": jwt}`.
pub async fn github_idtoken(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let state = shared.lock().expect("simulator state");
    let providers = &state.identity;
    if bearer(&headers) != Some(providers.github_request_token.as_str()) {
        // UNKNOWN: the body GitHub sends with a refused request token.
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "Unauthorized"})),
        )
            .into_response();
    }
    let settings = &providers.github;
    let owner = settings
        .subject
        .strip_prefix("repo:")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("contoso");
    // Without `audience`, GitHub addresses the token to the repository owner's URL.
    let asked = query
        .get("audience")
        .cloned()
        .unwrap_or_else(|| format!("https://github.com/{owner}"));
    let audience = settings.audience.clone().unwrap_or(asked);
    let token = providers.mint(
        GITHUB_ISSUER,
        &settings.subject,
        &audience,
        jiff::Timestamp::now().as_second(),
        settings.lifetime_seconds,
        json!({
            "repository_owner": owner,
            "event_name": "push",
            "runner_environment": "github-hosted",
        }),
    );
    axum::Json(json!({"value": token})).into_response()
}

/// `POST /azure-devops/oidctoken?api-version=7.1&serviceConnectionId=…` →
/// `{"oidcToken": jwt}`.
pub async fn azure_oidctoken(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let state = shared.lock().expect("simulator state");
    let providers = &state.identity;
    if bearer(&headers) != Some(providers.azure_access_token.as_str()) {
        // Azure DevOps sends an unauthenticated caller to its sign-in page unless told not
        // to. UNKNOWN: the exact body of the 401.
        if headers.get("x-tfs-fedauthredirect").is_none() {
            return (
                StatusCode::FOUND,
                [(
                    "Location",
                    "https://spsprodweu5.vssps.visualstudio.com/_signin",
                )],
            )
                .into_response();
        }
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"message": "TF400813: The user is not authorized to access this resource."}),
            ),
        )
            .into_response();
    }
    // UNKNOWN: the exact messages for a missing api-version or an unknown connection.
    if query.get("api-version").map(String::as_str) != Some("7.1") {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"message": "The requested REST API version is not supported: give api-version=7.1."})),
        )
            .into_response();
    }
    let connection = query
        .get("serviceConnectionId")
        .map(String::as_str)
        .unwrap_or("");
    let Some(subject) = providers.service_connections.get(connection) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": format!("Service connection {connection} was not found or does not use workload identity federation.")})),
        )
            .into_response();
    };
    let settings = &providers.azure;
    let subject = if connection == DEFAULT_SERVICE_CONNECTION_ID {
        settings.subject.clone()
    } else {
        subject.clone()
    };
    let audience = settings.audience.clone().unwrap_or_else(|| AUDIENCE.into());
    let token = providers.mint(
        &azure_issuer(),
        &subject,
        &audience,
        jiff::Timestamp::now().as_second(),
        settings.lifetime_seconds,
        json!({}),
    );
    axum::Json(json!({"oidcToken": token})).into_response()
}

pub async fn admin_settings(
    State(shared): State<Shared>,
    axum::Json(change): axum::Json<SettingsChange>,
) -> Response {
    let mut state = shared.lock().expect("simulator state");
    if let Some(github) = change.github {
        state.identity.github = github;
    }
    if let Some(azure) = change.azure {
        state.identity.azure = azure;
    }
    let providers = &state.identity;
    axum::Json(json!({"github": providers.github, "azure": providers.azure})).into_response()
}

/// `POST /_simulator/oidc/mint`: a token of one of the fake issuers with the given claims.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MintRequest {
    /// `github`, `azure`, or an issuer URL.
    pub issuer: String,
    pub subject: String,
    #[serde(default = "default_audience")]
    pub audience: String,
    #[serde(default = "default_lifetime")]
    pub lifetime_seconds: i64,
    /// Issue it this long ago (for expired tokens).
    #[serde(default)]
    pub issued_seconds_ago: i64,
}

fn default_audience() -> String {
    AUDIENCE.into()
}

fn default_lifetime() -> i64 {
    300
}

pub async fn admin_mint(
    State(shared): State<Shared>,
    axum::Json(request): axum::Json<MintRequest>,
) -> Response {
    let state = shared.lock().expect("simulator state");
    let issuer = match request.issuer.as_str() {
        "github" => GITHUB_ISSUER.to_string(),
        "azure" => azure_issuer(),
        other => other.to_string(),
    };
    let token = state.identity.mint(
        &issuer,
        &request.subject,
        &request.audience,
        jiff::Timestamp::now().as_second() - request.issued_seconds_ago,
        request.lifetime_seconds,
        json!({}),
    );
    axum::Json(json!({"token": token})).into_response()
}
