//! The commands, one file each, and what they share: the connection to Partner Center
//! (HTTP client, sign-in, the in-process simulator with `simulate`), outputs, names resolved
//! to ids, and the step summary.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::api::Client;
use crate::api::pace::Pacer;
use crate::auth::TokenSource;
use crate::config::{
    AddonSpec, Command, Config, Credential, FlightSpec, ProductRef, ProductSpec, Session,
};
use crate::error::Error;
use crate::package::manifest::PackageInfo;
use crate::products;
use crate::report::Reporter;
use crate::report::summary::{Failure, RunSummary};
use crate::retry::RetryPolicy;

pub(crate) mod checks;
mod create;
mod delete;
mod import_pdp;
mod list;
mod msi;
mod pack;
mod pull;
pub(crate) mod rollout;
mod simulator;
pub(crate) mod status;
mod submit;

/// Runs the command `config` names; `packages` are the new packages' manifests, read by
/// [`checks::validate`].
pub(crate) async fn execute(
    config: &Config,
    packages: &[PackageInfo],
    reporter: &Reporter,
) -> Result<(), Error> {
    match &config.command {
        Command::Submit(submit) => submit::run(submit, packages, reporter).await,
        Command::MsiSubmit(submit) => msi::submit(submit, reporter).await,
        Command::Status(status) => status::run(status, reporter).await,
        Command::MsiStatus(status) => msi::status(status, reporter).await,
        Command::Rollout(rollout) => rollout::run(rollout, reporter).await,
        Command::CreateFlight(create) => create::flight(create, reporter).await,
        Command::DeleteFlight(delete) => delete::flight(delete, reporter).await,
        Command::CreateAddon(create) => create::addon(create, reporter).await,
        Command::DeleteAddon(delete) => delete::addon(delete, reporter).await,
        Command::List(list) => list::run(list, reporter).await,
        Command::Pack(pack) => pack::run(pack, reporter).await,
        Command::Simulator(sim) => simulator::run(sim, config.output).await,
        Command::Pull(pull) => pull::run(pull, reporter).await,
        Command::ImportPdp(import) => import_pdp::run(import),
    }
}

/// How the summary names the product when the run fails before names are resolved to ids.
pub(crate) fn describe_spec(spec: &ProductSpec) -> String {
    match spec {
        ProductSpec::App { app_id } => format!("app {app_id}"),
        ProductSpec::Flight {
            app_id,
            flight: FlightSpec::Id(id),
        } => format!("flight {id} of app {app_id}"),
        ProductSpec::Flight {
            app_id,
            flight: FlightSpec::Name(name),
        } => format!("flight \"{name}\" of app {app_id}"),
        ProductSpec::Addon {
            addon: AddonSpec::Id(id),
            ..
        } => format!("add-on {id}"),
        ProductSpec::Addon {
            addon: AddonSpec::ProductId(product_id),
            ..
        } => format!("add-on with product id {product_id}"),
    }
}

/// Names to ids, and the resolved ids as outputs (`flight-id`, `addon-id`).
pub(crate) async fn resolve(
    client: &Client,
    spec: &ProductSpec,
    reporter: &Reporter,
) -> Result<ProductRef, Error> {
    let product = products::resolve(client, spec).await?;
    match &product {
        ProductRef::Flight { flight_id, .. } => reporter.output("flight-id", flight_id),
        ProductRef::Addon { addon_id } => reporter.output("addon-id", addon_id),
        ProductRef::App { .. } => {}
    }
    Ok(product)
}

/// Everything a networked command needs: the HTTP client, the token source, the API client,
/// and the in-process simulator when `simulate` is on.
pub(crate) struct Connection {
    pub(crate) http: reqwest::Client,
    pub(crate) client: Client,
    _simulator: Option<crate::simulator::Running>,
}

impl Connection {
    /// With `simulate`, the simulator starts with `product` published, so the user's own
    /// inputs work unchanged.
    pub(crate) async fn open(
        session: &Session,
        product: Option<&ProductSpec>,
    ) -> Result<Connection, Error> {
        let simulator = crate::simulator::Options {
            products: product.into_iter().cloned().collect(),
            ..Default::default()
        };
        let signed_in = SignedIn::open(session, simulator, None, "Partner Center").await?;
        let api = signed_in
            .simulator_url()
            .unwrap_or_else(|| session.api_base_url.clone());
        let client = Client::new(
            signed_in.http.clone(),
            &api,
            signed_in.tokens,
            signed_in.retry,
            Pacer::new(session.rate_limit),
            session.request_timeout,
        );
        Ok(Connection {
            http: signed_in.http,
            client,
            _simulator: signed_in.simulator,
        })
    }
}

/// What every connection to a Store API shares (Partner Center's and the MSI/EXE API's):
/// the HTTP client, the token source, the retry policy, and with `simulate` the in-process
/// simulator, which the token source and the API client then talk to.
pub(crate) struct SignedIn {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: Arc<TokenSource>,
    pub(crate) retry: RetryPolicy,
    pub(crate) simulator: Option<crate::simulator::Running>,
}

impl SignedIn {
    /// `simulator` gives what the simulator starts with (its products, a seller id); the
    /// session's settings and the user's own credential are added here. `scope` is the
    /// token scope when it is not Partner Center's; `api` names the API in the log.
    pub(crate) async fn open(
        session: &Session,
        simulator: crate::simulator::Options,
        scope: Option<&'static str>,
        api: &str,
    ) -> Result<SignedIn, Error> {
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("cannot set up HTTPS: {e}")))?;
        let (authority, credential, running) = match &session.simulate {
            None => (
                session.authority_host.clone(),
                session.credential.clone(),
                None,
            ),
            Some(settings) => {
                let mut options = crate::simulator::Options {
                    phase: settings.phase,
                    storage: settings.storage.clone(),
                    token_lifetime: settings.token_lifetime,
                    upload_url_lifetime: settings.upload_url_lifetime,
                    ..simulator
                };
                // The user's own secret or certificate is registered, so signing in with
                // it runs for real.
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
                    "simulate: talking to the built-in {api} simulator at {}",
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
                (running.base_url.clone(), credential, Some(running))
            }
        };
        let mut tokens = TokenSource::new(http.clone(), authority, credential).with_bounds(
            crate::auth::Bounds::from_request_timeout(session.request_timeout),
        );
        if let Some(scope) = scope {
            tokens = tokens.with_scope(scope);
        }
        // The simulator answers at once: retrying it quickly keeps the tests short.
        let retry = if running.is_some() {
            RetryPolicy {
                first_delay: Duration::from_millis(200),
                ..RetryPolicy::default()
            }
        } else {
            RetryPolicy::default()
        };
        Ok(SignedIn {
            http,
            tokens: Arc::new(tokens),
            retry,
            simulator: running,
        })
    }

    /// The simulator's address, which stands in for every API's base URL.
    pub(crate) fn simulator_url(&self) -> Option<url::Url> {
        self.simulator.as_ref().map(|r| r.base_url.clone())
    }
}

/// The step summary (GitHub) or attached summary (Azure): what was submitted and where
/// it stands, also (above all) when the run failed.
pub(crate) fn write_summary(
    reporter: &Reporter,
    title: &str,
    mut summary: RunSummary,
    error: Option<&Error>,
) {
    if !reporter.platform().is_ci() {
        return;
    }
    // Every warning of the run: those shown as annotations, then those only logged (a
    // retry, a report's warning while waiting).
    let shown: Vec<String> = summary
        .warnings
        .iter()
        .map(|w| crate::secrets::redact(w).into_owned())
        .collect();
    for logged in crate::report::log::warnings_logged() {
        if !shown.contains(&logged) {
            summary.warnings.push(logged);
        }
    }
    summary.failure = error.map(|error| Failure {
        exit_code: error.exit_code().code(),
        message: match error {
            Error::Internal(e) => format!("{e:#}"),
            Error::Input(problems) => problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        },
        hint: error.hint().map(str::to_string),
    });
    if let Err(e) = reporter.summary(&summary.to_markdown(title)) {
        tracing::warn!("cannot write the step summary: {e}");
    }
}
