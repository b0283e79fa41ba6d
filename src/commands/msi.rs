//! `submit` and `status` for MSI/EXE products (a GUID `app-id`, docs/msi-exe.md): the
//! connection to the Store's MSI/EXE API (its token scope, `X-Seller-Account-Id`, the
//! in-process simulator with `simulate`), the flow of src/msi/, and the step summary.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::write_summary;
use crate::api::Client;
use crate::api::pace::Pacer;
use crate::api::retry::RetryPolicy;
use crate::auth::TokenSource;
use crate::config::Credential;
use crate::config::msi::MsiSubmitConfig;
use crate::error::Error;
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::store_api::StoreApi;

pub(crate) async fn submit(config: &MsiSubmitConfig, reporter: &Reporter) -> Result<(), Error> {
    let mut summary = RunSummary::new(format!("MSI/EXE product {}", config.product_id));
    let result = async {
        let connection = Connection::open(config).await?;
        crate::msi::flow::submit(
            config,
            &connection.api,
            &connection.http,
            reporter,
            &mut summary,
        )
        .await
    }
    .await;
    let title = format!("Microsoft Store submission: {}", summary.product);
    summary.warnings = reporter.warnings_shown();
    write_summary(reporter, &title, summary, result.as_ref().err());
    result
}

pub(crate) async fn status(config: &MsiSubmitConfig, reporter: &Reporter) -> Result<(), Error> {
    let mut summary = RunSummary::new(format!("MSI/EXE product {}", config.product_id));
    let result = async {
        let connection = Connection::open(config).await?;
        crate::msi::flow::status(
            config,
            &connection.api,
            &connection.http,
            reporter,
            &mut summary,
        )
        .await
    }
    .await;
    let title = format!("Microsoft Store submission status: {}", summary.product);
    summary.warnings = reporter.warnings_shown();
    write_summary(reporter, &title, summary, result.as_ref().err());
    result
}

struct Connection {
    http: reqwest::Client,
    api: StoreApi,
    _simulator: Option<crate::simulator::Running>,
}

impl Connection {
    async fn open(config: &MsiSubmitConfig) -> Result<Connection, Error> {
        let session = &config.session;
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("cannot set up HTTPS: {e}")))?;
        let (authority, base, credential, running) = match &session.simulate {
            None => (
                session.authority_host.clone(),
                config.store_api_base_url.clone(),
                session.credential.clone(),
                None,
            ),
            Some(settings) => {
                let mut options = crate::simulator::Options {
                    phase: settings.phase,
                    storage: settings.storage.clone(),
                    token_lifetime: settings.token_lifetime,
                    upload_url_lifetime: settings.upload_url_lifetime,
                    products: vec![crate::config::ProductSpec::App {
                        app_id: config.product_id.clone(),
                    }],
                    seller_id: config.seller_id.clone(),
                    ..Default::default()
                };
                match &session.credential {
                    Credential::ClientSecret {
                        tenant_id,
                        client_id,
                        secret,
                    } => {
                        use secrecy::ExposeSecret;
                        options
                            .credentials
                            .push(crate::simulator::CredentialRegistration {
                                tenant_id: tenant_id.clone(),
                                client_id: client_id.clone(),
                                client_secret: Some(secret.expose_secret().to_string()),
                                ..Default::default()
                            });
                    }
                    Credential::Certificate {
                        tenant_id,
                        client_id,
                        certificate,
                    } => options
                        .credentials
                        .push(crate::simulator::CredentialRegistration {
                            tenant_id: tenant_id.clone(),
                            client_id: client_id.clone(),
                            certificate: Some(certificate.certificate_pem()),
                            ..Default::default()
                        }),
                    _ => {}
                }
                let running = crate::simulator::start(
                    std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                    options,
                )
                .await
                .map_err(|e| Error::Internal(anyhow::anyhow!("cannot start the simulator: {e}")))?;
                tracing::info!(
                    "simulate: talking to the built-in Store simulator at {}",
                    running.base_url
                );
                let credential = match &session.credential {
                    Credential::SimulatorDefault => Credential::ClientSecret {
                        tenant_id: running.credentials.tenant_id.clone(),
                        client_id: running.credentials.client_id.clone(),
                        secret: SecretString::from(running.credentials.client_secret.clone()),
                    },
                    other => other.clone(),
                };
                (
                    running.base_url.clone(),
                    running.base_url.clone(),
                    credential,
                    Some(running),
                )
            }
        };
        let tokens = Arc::new(
            TokenSource::new(http.clone(), authority, credential)
                .with_bounds(crate::auth::Bounds::from_request_timeout(
                    session.request_timeout,
                ))
                .with_scope(crate::config::msi::SCOPE),
        );
        let retry = if running.is_some() {
            RetryPolicy {
                first_delay: Duration::from_millis(200),
                ..RetryPolicy::default()
            }
        } else {
            RetryPolicy::default()
        };
        let client = Client::at(
            http.clone(),
            StoreApi::base(&base, &config.product_id),
            tokens,
            retry,
            Pacer::new(session.rate_limit),
            session.request_timeout,
        )
        .with_header("X-Seller-Account-Id", config.seller_id.clone());
        Ok(Connection {
            http,
            api: StoreApi::new(client, &config.product_id),
            _simulator: running,
        })
    }
}
