//! The built-in Partner Center simulator: a stateful HTTP server for the Entra ID token
//! endpoints, the submission API and the blob endpoint behind `fileUploadUrl`, modelled on
//! Microsoft's documentation (https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services)
//! and its samples (`samples/`), quirks included. It is the ground truth
//! of the tests, so where the real service's behaviour is unknown the code says so
//! (marked `UNKNOWN:`) rather than guessing quietly.
//!
//! It also plays the CI platforms' OIDC token services (`identity`), so federated sign-in
//! can be tested end to end.
//!
//! Test hooks live under `/_simulator/` (request log, state dump, seeding, credentials,
//! sign-ins, OIDC settings).

// Handlers return axum's `Response` as their error: that is the answer to send.
#![allow(clippy::result_large_err)]

mod api;
mod blob;
mod checks;
mod faults;
mod identity;
pub mod msi;
mod preprocess;
mod pricing;
mod quirks;
mod rollout;
mod state;
pub mod storage;
mod token;
mod validate;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::oneshot;

pub use self::identity::{
    DEFAULT_GITHUB_SUBJECT, DEFAULT_SERVICE_CONNECTION_ID, GITHUB_ISSUER, azure_issuer,
};
use self::state::State;
pub use self::state::{CredentialRegistration, Credentials, FederatedIdentityCredential};

/// Test credentials the simulator always accepts.
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-4000-8000-5157e1a70001";
pub const DEFAULT_CLIENT_ID: &str = "00000000-0000-4000-8000-5157e1a70002";
pub const DEFAULT_CLIENT_SECRET: &str = "simulator-client-secret";
/// The app the simulator always has: the Store ID of the docs' examples.
pub const DEFAULT_APP_ID: &str = "9NBLGGH4R315";

#[derive(Debug, Clone)]
pub struct Options {
    /// How long each processing phase after commit lasts.
    pub phase: Duration,
    /// Lifetime of the access tokens it issues.
    pub token_lifetime: Duration,
    /// How long an upload URL (`fileUploadUrl`) stays valid after it is handed out.
    pub upload_url_lifetime: Duration,
    /// Products to seed besides [`DEFAULT_APP_ID`] (each app with a published submission,
    /// a flight and an add-on): what a user names works unchanged.
    pub products: Vec<crate::config::ProductSpec>,
    /// The seller that owns the MSI/EXE products of `products`.
    pub seller_id: String,
    /// Extra accepted client credentials (besides the default ones).
    pub credentials: Vec<CredentialRegistration>,
    /// Where uploaded blobs are kept; a temporary folder when not given.
    pub data_dir: Option<PathBuf>,
    /// Real blob storage for the upload URLs (Azurite); the built-in blob endpoint when
    /// not given.
    pub storage: Option<storage::StorageAccount>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            phase: Duration::from_secs(2),
            token_lifetime: Duration::from_secs(3599),
            upload_url_lifetime: Duration::from_secs(24 * 3600),
            products: Vec::new(),
            seller_id: msi::DEFAULT_SELLER_ID.to_string(),
            credentials: Vec::new(),
            data_dir: None,
            storage: None,
        }
    }
}

/// A simulator serving on a local port until dropped.
pub struct Running {
    pub base_url: url::Url,
    pub credentials: Credentials,
    pub app_ids: Vec<String>,
    pub msi_product_ids: Vec<String>,
    pub seller_id: String,
    github_request_token: String,
    azure_access_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    _data_dir: Option<tempfile::TempDir>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What `simulator` prints: where it listens and how to sign in, including the variables
/// a GitHub or Azure Pipelines job would have for federated sign-in.
#[derive(Debug, Serialize)]
pub struct Announcement {
    pub api_base_url: String,
    pub authority_host: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub app_ids: Vec<String>,
    /// MSI/EXE products (GUIDs), their API (`--store-api-base-url`) and their seller.
    pub msi_product_ids: Vec<String>,
    pub store_api_base_url: String,
    pub seller_id: String,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub github_id_token_request_url: String,
    pub github_id_token_request_token: String,
    /// `SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN` and a service connection id.
    pub azure_oidc_request_uri: String,
    pub azure_access_token: String,
    pub azure_service_connection_id: String,
}

impl Running {
    pub fn announcement(&self) -> Announcement {
        let base = self.base_url.as_str().trim_end_matches('/').to_string();
        Announcement {
            github_id_token_request_url: format!("{base}/github/idtoken?api-version=2.0"),
            github_id_token_request_token: self.github_request_token.clone(),
            azure_oidc_request_uri: format!("{base}/azure-devops/oidctoken"),
            azure_access_token: self.azure_access_token.clone(),
            azure_service_connection_id: DEFAULT_SERVICE_CONNECTION_ID.to_string(),
            api_base_url: base.clone(),
            authority_host: base.clone(),
            tenant_id: self.credentials.tenant_id.clone(),
            client_id: self.credentials.client_id.clone(),
            client_secret: self.credentials.client_secret.clone(),
            app_ids: self.app_ids.clone(),
            msi_product_ids: self.msi_product_ids.clone(),
            store_api_base_url: base.clone(),
            seller_id: self.seller_id.clone(),
        }
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

/// Starts the simulator on `listen` in the current tokio runtime.
pub async fn start(listen: SocketAddr, options: Options) -> std::io::Result<Running> {
    let (data_dir, temp) = match &options.data_dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("msstore-simulator-")
                .tempdir()?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    std::fs::create_dir_all(data_dir.join("blobs"))?;
    std::fs::create_dir_all(data_dir.join("blocks"))?;
    if let Some(storage) = &options.storage {
        storage
            .ensure_container(&reqwest::Client::new())
            .await
            .map_err(std::io::Error::other)?;
    }
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let base_url: url::Url = format!("http://{addr}/")
        .parse()
        .map_err(std::io::Error::other)?;

    let default_credentials = Credentials {
        tenant_id: DEFAULT_TENANT_ID.into(),
        client_id: DEFAULT_CLIENT_ID.into(),
        client_secret: DEFAULT_CLIENT_SECRET.into(),
    };
    let mut state = State::new(base_url.clone(), data_dir, options.clone());
    // The default application also trusts the simulated GitHub and Azure DevOps issuers
    // for their default subjects, so federated sign-in works out of the box.
    let defaults = [
        CredentialRegistration::from(default_credentials.clone()),
        CredentialRegistration {
            federated_identity_credential: Some(FederatedIdentityCredential {
                issuer: GITHUB_ISSUER.into(),
                subject: DEFAULT_GITHUB_SUBJECT.into(),
                audiences: vec![crate::auth::federated::AUDIENCE.into()],
            }),
            ..CredentialRegistration::from(default_credentials.clone())
        },
        CredentialRegistration {
            federated_identity_credential: Some(FederatedIdentityCredential {
                issuer: azure_issuer(),
                subject: identity::DEFAULT_AZURE_SUBJECT.into(),
                audiences: vec![crate::auth::federated::AUDIENCE.into()],
            }),
            ..CredentialRegistration::from(default_credentials.clone())
        },
    ];
    for registration in defaults
        .into_iter()
        .chain(options.credentials.iter().cloned())
    {
        state
            .register(registration)
            .map_err(std::io::Error::other)?;
    }
    let github_request_token = state.identity.github_request_token.clone();
    let azure_access_token = state.identity.azure_access_token.clone();
    state.seed_app(DEFAULT_APP_ID);
    for product in &options.products {
        match product {
            // A GUID names an MSI/EXE product (docs/msi-exe.md).
            crate::config::ProductSpec::App { app_id }
                if crate::config::msi::is_product_id(app_id) =>
            {
                state.msi.seed(app_id, &options.seller_id)
            }
            _ => state.seed_product(product),
        }
    }
    state
        .msi
        .seed(msi::DEFAULT_PRODUCT_ID, msi::DEFAULT_SELLER_ID);
    let app_ids: Vec<String> = state.apps.keys().cloned().collect();
    let msi_product_ids: Vec<String> = state.msi.products.values().map(|p| p.id.clone()).collect();
    let shared: Shared = Arc::new(Mutex::new(state));
    let router = router(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running {
        base_url,
        credentials: default_credentials,
        app_ids,
        msi_product_ids,
        seller_id: options.seller_id.clone(),
        github_request_token,
        azure_access_token,
        shutdown: Some(tx),
        _data_dir: temp,
    })
}

fn router(shared: Shared) -> Router {
    // Paging links end some list paths with `/` (`inappproducts/?skip=5&top=5`,
    // https://learn.microsoft.com/windows/uwp/monetize/get-all-add-ons), so those lists answer with and without it.
    let mut api = Router::new()
        .route("/applications", get(api::list_applications))
        .route("/applications/{app_id}", get(api::get_application))
        .route("/applications/{app_id}/listflights", get(api::list_flights))
        .route(
            "/applications/{app_id}/listflights/",
            get(api::list_flights),
        )
        .route(
            "/applications/{app_id}/listinappproducts",
            get(api::list_app_addons),
        )
        .route(
            "/applications/{app_id}/listinappproducts/",
            get(api::list_app_addons),
        )
        .route("/applications/{app_id}/flights", post(api::create_flight))
        .route(
            "/applications/{app_id}/flights/{flight_id}",
            get(api::get_flight).delete(api::delete_flight),
        )
        .route(
            "/inappproducts",
            get(api::list_addons).post(api::create_addon),
        )
        .route("/inappproducts/", get(api::list_addons))
        .route(
            "/inappproducts/{addon_id}",
            get(api::get_addon).delete(api::delete_addon),
        );
    // The same submission endpoints under each kind of product. Path segments are
    // case-insensitive in the service (StoreBroker and msstore-cli call `/Commit`, the
    // docs `/commit`); `/Status` is answered as `/status` for the same reason. UNKNOWN:
    // other spellings (`/COMMIT`) are 404 here.
    for base in [
        "/applications/{app_id}",
        "/applications/{app_id}/flights/{flight_id}",
        "/inappproducts/{addon_id}",
    ] {
        let submission = format!("{base}/submissions/{{submission_id}}");
        api = api
            .route(&format!("{base}/submissions"), post(api::create_submission))
            .route(
                &submission,
                get(api::get_submission)
                    .put(api::update_submission)
                    .delete(api::delete_submission),
            )
            .route(
                &format!("{submission}/commit"),
                post(api::commit_submission),
            )
            .route(
                &format!("{submission}/Commit"),
                post(api::commit_submission),
            )
            .route(&format!("{submission}/status"), get(api::get_status))
            .route(&format!("{submission}/Status"), get(api::get_status));
        // Gradual rollout: apps (R1–R4) and flights (FR1–FR4); add-ons have none.
        if !base.starts_with("/inappproducts") {
            api = api
                .route(
                    &format!("{submission}/packagerollout"),
                    get(rollout::get_rollout),
                )
                .route(
                    &format!("{submission}/updatepackagerolloutpercentage"),
                    post(rollout::update_percentage),
                )
                .route(
                    &format!("{submission}/haltpackagerollout"),
                    post(rollout::halt),
                )
                .route(
                    &format!("{submission}/finalizepackagerollout"),
                    post(rollout::finalize),
                );
        }
    }
    let api = api
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            quirks::unsupported_features,
        ))
        .layer(axum::middleware::from_fn(correlation_id));

    Router::new()
        .nest("/v1.0/my", api)
        .merge(msi::router())
        .route("/_simulator/msi/products", post(msi::admin_seed))
        .route("/_simulator/msi/fail", post(msi::admin_fail))
        .route("/_simulator/msi/cancel", post(msi::admin_cancel))
        .route("/_simulator/msi/state", get(msi::admin_state))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token_v2))
        .route("/{tenant}/oauth2/token", post(token::token_v1))
        .route("/github/idtoken", get(identity::github_idtoken))
        .route("/azure-devops/oidctoken", post(identity::azure_oidctoken))
        .route(
            "/blob/ingestion/{name}",
            get(blob::get_blob)
                .head(blob::head_blob)
                .put(blob::put)
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(axum::middleware::from_fn(blob::azure_headers)),
        )
        .route(
            "/blob/listingassets/{name}",
            axum::routing::put(msi::put_asset),
        )
        .route(
            "/_simulator/requests",
            get(admin_requests).delete(admin_clear_requests),
        )
        .route("/_simulator/state", get(admin_state))
        .route("/_simulator/apps", post(admin_seed_app))
        .route("/_simulator/credentials", post(admin_add_credentials))
        .route("/_simulator/sign-ins", get(admin_sign_ins))
        .route("/_simulator/oidc", post(identity::admin_settings))
        .route("/_simulator/oidc/mint", post(identity::admin_mint))
        .route(
            "/_simulator/faults",
            get(admin_faults)
                .post(admin_add_fault)
                .delete(admin_clear_faults),
        )
        .route("/_simulator/settings", post(admin_settings))
        .route(
            "/_simulator/processing",
            get(preprocess::admin_get)
                .post(preprocess::admin_add)
                .delete(preprocess::admin_clear),
        )
        .route("/_simulator/pricing", post(pricing::admin_seed))
        .route(
            "/_simulator/partner-center-draft",
            post(quirks::admin_partner_center_draft),
        )
        .route(
            "/_simulator/published-packages",
            post(preprocess::admin_published_packages),
        )
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), record))
        .with_state(shared)
}

/// Every answer of the submission API carries `MS-CorrelationId` (https://github.com/microsoft/StoreBroker/issues/174,
/// https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md).
async fn correlation_id(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("MS-CorrelationId", value);
    }
    response
}

/// The request log the tests read (`GET /_simulator/requests`), without the test hooks:
/// each request's method, path, query and headers, credentials redacted (the SAS `sig`,
/// and the values of `Authorization` and of headers named like a secret, token, key,
/// signature or assertion), so a test can show which host a token went to without the
/// log holding one.
async fn record(AxumState(shared): AxumState<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(scrub_query);
    let headers = scrub_headers(request.headers());
    let response = next.run(request).await;
    if !path.starts_with("/_simulator/")
        && let Ok(mut state) = shared.lock()
    {
        state.record(method, path, query, headers, response.status().as_u16());
    }
    response
}

fn scrub_headers(headers: &axum::http::HeaderMap) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str().to_ascii_lowercase();
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let secret_name = ["secret", "token", "key", "signature", "assertion", "cookie"]
            .iter()
            .any(|word| name.contains(word));
        let shown = if name.ends_with("authorization") {
            // The scheme stays (it tells a bearer token from a SAS), its credential goes.
            match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} ***"),
                None => "***".to_string(),
            }
        } else if secret_name {
            "***".to_string()
        } else {
            value
        };
        // A header sent twice shows once, its values joined as HTTP allows.
        out.entry(name)
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(&shown);
            })
            .or_insert(shown);
    }
    out
}

fn scrub_query(query: &str) -> String {
    query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("sig") => format!("{k}=***"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn admin_requests(AxumState(shared): AxumState<Shared>) -> Response {
    let state = shared.lock().expect("simulator state");
    axum::Json(state.requests.clone()).into_response()
}

async fn admin_clear_requests(AxumState(shared): AxumState<Shared>) -> StatusCode {
    shared.lock().expect("simulator state").requests.clear();
    StatusCode::NO_CONTENT
}

async fn admin_state(AxumState(shared): AxumState<Shared>) -> Response {
    let mut state = shared.lock().expect("simulator state");
    state.advance();
    axum::Json(state.dump()).into_response()
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedApp {
    app_id: String,
    #[serde(default = "yes")]
    published: bool,
    /// Extra flights and add-ons, for paging.
    #[serde(default)]
    flights: usize,
    #[serde(default)]
    addons: usize,
}

fn yes() -> bool {
    true
}

async fn admin_seed_app(
    AxumState(shared): AxumState<Shared>,
    axum::Json(seed): axum::Json<SeedApp>,
) -> Response {
    let mut state = shared.lock().expect("simulator state");
    if seed.published {
        state.seed_app(&seed.app_id);
    } else {
        state.seed_unpublished_app(&seed.app_id);
    }
    for i in 0..seed.flights {
        let id = uuid::Uuid::new_v4().to_string();
        state.seed_flight(&seed.app_id, &id, Some(&format!("flight-{i:04}")));
    }
    for i in 0..seed.addons {
        let id = state.new_store_id();
        let product_id = format!("{}-addon-{i:04}", seed.app_id);
        state.seed_addon(Some(&seed.app_id), &id, Some(&product_id));
    }
    StatusCode::CREATED.into_response()
}

/// `POST /_simulator/credentials`: a secret, a certificate (PEM) or a federated identity
/// credential for an application (created on first use).
async fn admin_add_credentials(
    AxumState(shared): AxumState<Shared>,
    axum::Json(registration): axum::Json<CredentialRegistration>,
) -> Response {
    match shared
        .lock()
        .expect("simulator state")
        .register(registration)
    {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

/// `GET /_simulator/sign-ins`: every token request and how it was judged.
async fn admin_sign_ins(AxumState(shared): AxumState<Shared>) -> Response {
    let state = shared.lock().expect("simulator state");
    axum::Json(state.sign_ins.clone()).into_response()
}

async fn admin_faults(AxumState(shared): AxumState<Shared>) -> Response {
    let state = shared.lock().expect("simulator state");
    axum::Json(serde_json::json!({
        "rules": state.faults.rules,
        "rateLimit": state.faults.rate_limit,
        "throttled": state.faults.throttled,
    }))
    .into_response()
}

async fn admin_add_fault(
    AxumState(shared): AxumState<Shared>,
    axum::Json(rule): axum::Json<faults::FaultRule>,
) -> StatusCode {
    shared
        .lock()
        .expect("simulator state")
        .faults
        .rules
        .push(rule);
    StatusCode::CREATED
}

async fn admin_clear_faults(AxumState(shared): AxumState<Shared>) -> StatusCode {
    let mut state = shared.lock().expect("simulator state");
    state.faults.rules.clear();
    state.faults.rate_limit = None;
    StatusCode::NO_CONTENT
}

/// Settings a test may change while the simulator runs.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    /// Lifetime of tokens issued from now on, in seconds.
    token_lifetime_seconds: Option<f64>,
    /// The tenant rate limit; `null` leaves it as it is.
    rate_limit: Option<faults::RateLimit>,
    /// `true`: the tenant limit the Store is known to apply, 20 calls a minute
    /// (StoreBroker's USAGE.md: "The Submission API limits a Tenant to 20 requests per
    /// minute"); `false`: no limit.
    throttle: Option<bool>,
    /// How long upload URLs handed out from now on stay valid, in seconds.
    upload_url_lifetime_seconds: Option<f64>,
    /// Quirks of the service to play (`faults::Quirks`); only the fields given change.
    #[serde(default)]
    quirks: Option<serde_json::Value>,
}

async fn admin_settings(
    AxumState(shared): AxumState<Shared>,
    axum::Json(settings): axum::Json<Settings>,
) -> Response {
    let mut state = shared.lock().expect("simulator state");
    if let Some(seconds) = settings.token_lifetime_seconds {
        state.options.token_lifetime = Duration::from_secs_f64(seconds);
    }
    if let Some(limit) = settings.rate_limit {
        state.faults.rate_limit = Some(limit);
    }
    match settings.throttle {
        Some(true) => state.faults.rate_limit = Some(faults::RateLimit::TENANT),
        Some(false) => state.faults.rate_limit = None,
        None => {}
    }
    if let Some(seconds) = settings.upload_url_lifetime_seconds {
        state.options.upload_url_lifetime = Duration::from_secs_f64(seconds.max(0.0));
    }
    if let Some(change) = settings.quirks {
        let mut merged = serde_json::to_value(&state.quirks).unwrap_or_default();
        if let (Some(merged), serde_json::Value::Object(change)) = (merged.as_object_mut(), change)
        {
            merged.extend(change);
        }
        match serde_json::from_value(merged) {
            Ok(quirks) => state.quirks = quirks,
            Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        }
    }
    StatusCode::NO_CONTENT.into_response()
}
