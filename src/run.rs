//! From process arguments and environment to an exit code: read inputs, mask secrets,
//! validate everything, run the command, report the outcome on the platform.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::api::Client;
use crate::api::pace::Pacer;
use crate::api::retry::RetryPolicy;
use crate::auth::TokenSource;
use crate::config::{
    self, AddonSpec, Command, Config, Credential, Environment, FlightSpec, Inputs, LogLevel,
    OutputFormat, ProductRef, ProductSpec, Session,
};
use crate::error::{Error, ExitCode};
use crate::report::summary::{Failure, RunSummary};
use crate::report::{Platform, Reporter};
use crate::submission::flow::Submit;
use crate::{package, products, simulator};

/// Runs the tool as a process would: `args` with the program name first.
pub fn main(args: Vec<OsString>, vars: impl IntoIterator<Item = (OsString, OsString)>) -> ExitCode {
    let env: BTreeMap<String, String> = vars
        .into_iter()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    // The environment's `command` and `output` are read before the command line is parsed:
    // the first says which command's flags to expect when the arguments name none, the
    // second how to report a command line that does not parse.
    let from_env = Inputs::gather(BTreeMap::new(), env.clone());
    let flags = match config::cli::parse(args.clone(), from_env.value("command")) {
        Ok(config::cli::Parsed::Run(flags)) => flags,
        Ok(config::cli::Parsed::Completions(shell)) => {
            config::cli::completions(shell, &mut std::io::stdout());
            return ExitCode::Success;
        }
        Ok(config::cli::Parsed::Man(dir)) => {
            let written = match &dir {
                Some(dir) => config::cli::write_man_pages(dir),
                None => config::cli::man_page(&mut std::io::stdout()),
            };
            return match written {
                Ok(()) => ExitCode::Success,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    ExitCode::Internal
                }
            };
        }
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::Success
                }
                _ => ExitCode::InvalidInput,
            };
            let _ = e.print();
            if code != ExitCode::Success && wants_json(&args, &from_env) {
                crate::report::print_json(&crate::report::command_line_error(&e));
            }
            return code;
        }
    };
    let inputs = Inputs::gather(flags, env.clone());
    let platform = Platform::detect(&env);
    let format = match inputs.value("output") {
        Some("json") => OutputFormat::Json,
        _ => OutputFormat::Text,
    };
    let reporter = Arc::new(Reporter::new(platform, format));
    // A panic message can quote anything (a URL, a body): it is scrubbed like a log line.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!(
            "internal error (a bug; please report it){location}: {}",
            crate::secrets::redact(&message)
        );
    }));
    // Masks first: nothing below may print a secret before the runner knows it.
    {
        let reporter = reporter.clone();
        crate::secrets::set_mask_hook(move |value| reporter.mask(value));
    }
    for name in config::catalog::secret_names() {
        if let Some(value) = inputs.value(name) {
            crate::secrets::register(value);
        }
    }
    for name in config::SECRET_VARIABLES {
        if let Some(value) = env.get(*name) {
            crate::secrets::register(value);
        }
    }
    let level = log_level(&inputs, &env);
    crate::report::log::init(level, reporter.logs_to_stdout());
    // A live bar only where a person watches a terminal; CI logs get progress lines.
    crate::progress::enable_live_bars(
        !reporter.platform().is_ci()
            && level >= LogLevel::Info
            && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );

    // Before validation: a misspelled variable may be why an input is missing.
    for warning in config::unknown_variables(&env) {
        reporter.warning(&warning);
    }
    let config = match config::validate(&inputs, &Environment::from_vars(&env)) {
        Ok(config) => config,
        Err(problems) => {
            let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
            reporter.errors("Invalid input", &messages);
            let error = Error::Input(problems);
            reporter.finish(Some(&error));
            return error.exit_code();
        }
    };
    for warning in &config.warnings {
        reporter.warning(warning);
    }
    for note in &config.notes {
        reporter.note(note);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::Internal;
        }
    };
    let result = runtime.block_on(execute(&config, &reporter));
    // Let in-process servers (simulate, simulator) wind down before the process ends.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => {
            // `simulator` printed its one result line (the announcement) when it started;
            // a second one as it stops would break readers of `--output json`
            // (docs/simulator.md).
            if !(matches!(config.command, Command::Simulator(_))
                && config.output == OutputFormat::Json)
            {
                reporter.finish(None);
            }
            ExitCode::Success
        }
        Err(error) => {
            report_error(&reporter, &config, &error);
            reporter.finish(Some(&error));
            error.exit_code()
        }
    }
}

/// `--output json` on a command line that did not parse: asked for in the arguments, or
/// else in the environment.
fn wants_json(args: &[OsString], from_env: &Inputs) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let mut asked = None;
    for (i, arg) in args.iter().enumerate() {
        if *arg == "--output" {
            asked = args.get(i + 1).copied();
        } else if let Some(value) = arg.strip_prefix("--output=") {
            asked = Some(value);
        }
    }
    asked.or(from_env.value("output")) == Some("json")
}

/// `log-level` if valid; otherwise debug when the runner runs in debug mode.
fn log_level(inputs: &Inputs, env: &BTreeMap<String, String>) -> LogLevel {
    match inputs.value("log-level") {
        Some("error") => LogLevel::Error,
        Some("warn") => LogLevel::Warn,
        Some("debug") => LogLevel::Debug,
        Some("trace") => LogLevel::Trace,
        Some("info") => LogLevel::Info,
        _ if env.get("RUNNER_DEBUG").is_some_and(|v| v == "1")
            || env
                .get("SYSTEM_DEBUG")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")) =>
        {
            LogLevel::Debug
        }
        _ => LogLevel::Info,
    }
}

fn report_error(reporter: &Reporter, config: &Config, error: &Error) {
    if let Error::Input(problems) = error {
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        reporter.errors("Invalid input", &messages);
        return;
    }
    let mut message = error.to_string();
    if let Error::Internal(e) = error {
        message = format!("{e:#}");
    }
    if let Some(context) = error.call_context() {
        message.push_str(&format!("\n  call: {context}"));
    }
    if let Some(hint) = error.hint() {
        message.push_str(&format!("\n  what to do: {hint}"));
    }
    let title = format!(
        "msstore-submit {} failed (exit {})",
        config.command.name(),
        error.exit_code().code()
    );
    reporter.errors(&title, &[message]);
}

async fn execute(config: &Config, reporter: &Reporter) -> Result<(), Error> {
    match &config.command {
        Command::Submit(submit) => {
            let mut summary = RunSummary::new(describe_spec(&submit.product));
            let result = async {
                let connection = Connection::open(&submit.session, Some(&submit.product)).await?;
                let product = resolve(&connection.client, &submit.product, reporter).await?;
                summary.product = product.describe();
                Submit {
                    config: submit,
                    product: &product,
                    client: &connection.client,
                    http: &connection.http,
                    reporter,
                }
                .run(&mut summary)
                .await
            }
            .await;
            if submit.temporary_zip
                && let Some(path) = submit.zip.path()
                && std::fs::remove_file(path).is_ok()
            {
                tracing::info!(
                    "removed the zip {} (built in the system temp folder; give `zip-path` to keep it)",
                    path.display()
                );
            }
            let title = format!("Microsoft Store submission: {}", summary.product);
            summary.warnings = reporter.warnings_shown();
            write_summary(reporter, &title, summary, result.as_ref().err());
            result
        }
        Command::Status(status) => {
            let mut summary = RunSummary::new(describe_spec(&status.product));
            let result = async {
                let connection = Connection::open(&status.session, Some(&status.product)).await?;
                let product = resolve(&connection.client, &status.product, reporter).await?;
                summary.product = product.describe();
                crate::submission::status::run(
                    status,
                    &product,
                    &connection.client,
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
        Command::Rollout(rollout) => {
            let mut summary = RunSummary::new(describe_spec(&rollout.product));
            let result = async {
                let connection = Connection::open(&rollout.session, Some(&rollout.product)).await?;
                let product = resolve(&connection.client, &rollout.product, reporter).await?;
                summary.product = product.describe();
                crate::rollout::run(
                    rollout,
                    &product,
                    &connection.client,
                    reporter,
                    &mut summary,
                )
                .await
            }
            .await;
            let title = format!("Microsoft Store rollout: {}", summary.product);
            summary.warnings = reporter.warnings_shown();
            write_summary(reporter, &title, summary, result.as_ref().err());
            result
        }
        Command::CreateFlight(create) => {
            let connection = Connection::open(&create.session, None).await?;
            products::create_flight(create, &connection.client, reporter).await
        }
        Command::DeleteFlight(delete) => {
            let connection = Connection::open(&delete.session, None).await?;
            products::delete_flight(delete, &connection.client, reporter).await
        }
        Command::CreateAddon(create) => {
            let connection = Connection::open(&create.session, None).await?;
            products::create_addon(create, &connection.client, reporter).await
        }
        Command::DeleteAddon(delete) => {
            let connection = Connection::open(&delete.session, None).await?;
            products::delete_addon(delete, &connection.client, reporter).await
        }
        Command::ImportPdp(import) => crate::listings::pdp::run(import),
        Command::Pull(pull) => {
            let connection = Connection::open(&pull.session, Some(&pull.product)).await?;
            let product = resolve(&connection.client, &pull.product, reporter).await?;
            crate::listings::pull::run(&connection.client, &product, &pull.dir, reporter).await
        }
        Command::List(list) => {
            let connection = Connection::open(&list.session, None).await?;
            products::list(list, &connection.client, reporter).await
        }
        Command::Pack(pack) => {
            let (files, path) = (pack.files.clone(), pack.zip_path.clone());
            let zip = tokio::task::spawn_blocking(move || package::build_zip(&files, &path))
                .await
                .map_err(|e| Error::Internal(e.into()))?
                .map_err(|e| Error::Internal(anyhow::anyhow!("cannot write the zip: {e}")))?;
            for (name, value) in [
                ("zip-path", zip.path.display().to_string()),
                ("zip-sha256", zip.sha256.clone()),
                ("zip-size", zip.size.to_string()),
            ] {
                reporter
                    .set_output(name, &value)
                    .map_err(|e| Error::Internal(e.into()))?;
            }
            Ok(())
        }
        Command::Simulator(sim) => {
            let running = simulator::start(
                sim.listen,
                simulator::Options {
                    phase: sim.settings.phase,
                    storage: sim.settings.storage.clone(),
                    token_lifetime: sim.settings.token_lifetime,
                    upload_url_lifetime: sim.settings.upload_url_lifetime,
                    products: sim.products.clone(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "cannot start the simulator on {}: {e}",
                    sim.listen
                ))
            })?;
            let announcement = running.announcement();
            let shutdown = shutdown_signal();
            match config.output {
                OutputFormat::Json => println!(
                    "{}",
                    serde_json::to_string(&announcement).unwrap_or_default()
                ),
                OutputFormat::Text => {
                    println!("Partner Center simulator listening. Use it with:");
                    println!("  --api-base-url {}", announcement.api_base_url);
                    println!("  --authority-host {}", announcement.authority_host);
                    println!("  --tenant-id {}", announcement.tenant_id);
                    println!("  --client-id {}", announcement.client_id);
                    println!("  --client-secret {}", announcement.client_secret);
                    println!("  --app-id {}", announcement.app_ids.join(" | "));
                    println!("Federated sign-in (only --tenant-id and --client-id), as on GitHub:");
                    println!(
                        "  ACTIONS_ID_TOKEN_REQUEST_URL='{}'",
                        announcement.github_id_token_request_url
                    );
                    println!(
                        "  ACTIONS_ID_TOKEN_REQUEST_TOKEN={}",
                        announcement.github_id_token_request_token
                    );
                    println!("or as on Azure Pipelines:");
                    println!(
                        "  SYSTEM_OIDCREQUESTURI={}",
                        announcement.azure_oidc_request_uri
                    );
                    println!("  SYSTEM_ACCESSTOKEN={}", announcement.azure_access_token);
                    println!(
                        "  --azure-service-connection-id {}",
                        announcement.azure_service_connection_id
                    );
                    println!("Stop it with Ctrl-C.");
                }
            }
            shutdown.await;
            drop(running);
            Ok(())
        }
    }
}

/// Names to ids, and the resolved ids as outputs (`flight-id`, `addon-id`).
/// How the summary names the product when the run fails before names are resolved to ids.
fn describe_spec(spec: &ProductSpec) -> String {
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

async fn resolve(
    client: &Client,
    spec: &ProductSpec,
    reporter: &Reporter,
) -> Result<ProductRef, Error> {
    let product = products::resolve(client, spec).await?;
    let output = |name: &str, value: &str| {
        if let Err(e) = reporter.set_output(name, value) {
            tracing::error!("cannot write output `{name}`: {e}");
        }
    };
    match &product {
        ProductRef::Flight { flight_id, .. } => output("flight-id", flight_id),
        ProductRef::Addon { addon_id } => output("addon-id", addon_id),
        ProductRef::App { .. } => {}
    }
    Ok(product)
}

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the future
/// is first polled: a signal that comes right after the announcement (a test or a service
/// manager stopping it at once) still ends the simulator in order.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            match (term, interrupt) {
                (Some(mut term), Some(mut interrupt)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Everything a networked command needs: the HTTP client, the token source, the API client,
/// and the in-process simulator when `simulate` is on.
struct Connection {
    http: reqwest::Client,
    client: Client,
    _simulator: Option<simulator::Running>,
}

impl Connection {
    /// With `simulate`, the simulator starts with `product` published, so the user's own
    /// inputs work unchanged.
    async fn open(session: &Session, product: Option<&ProductSpec>) -> Result<Connection, Error> {
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("cannot set up HTTPS: {e}")))?;
        let (authority, api, credential, running) = match &session.simulate {
            None => (
                session.authority_host.clone(),
                session.api_base_url.clone(),
                session.credential.clone(),
                None,
            ),
            Some(settings) => {
                let mut options = simulator::Options {
                    phase: settings.phase,
                    storage: settings.storage.clone(),
                    token_lifetime: settings.token_lifetime,
                    upload_url_lifetime: settings.upload_url_lifetime,
                    products: product.into_iter().cloned().collect(),
                    ..Default::default()
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
                        options.credentials.push(simulator::CredentialRegistration {
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
                    } => options.credentials.push(simulator::CredentialRegistration {
                        tenant_id: tenant_id.clone(),
                        client_id: client_id.clone(),
                        certificate: Some(certificate.certificate_pem()),
                        ..Default::default()
                    }),
                    _ => {}
                }
                let running =
                    simulator::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), options)
                        .await
                        .map_err(|e| {
                            Error::Internal(anyhow::anyhow!("cannot start the simulator: {e}"))
                        })?;
                tracing::info!(
                    "simulate: talking to the built-in Partner Center simulator at {}",
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
            TokenSource::new(http.clone(), authority, credential).with_bounds(
                crate::auth::Bounds::from_request_timeout(session.request_timeout),
            ),
        );
        let retry = if running.is_some() {
            RetryPolicy {
                first_delay: Duration::from_millis(200),
                ..RetryPolicy::default()
            }
        } else {
            RetryPolicy::default()
        };
        let client = Client::new(
            http.clone(),
            &api,
            tokens,
            retry,
            Pacer::new(session.rate_limit),
            session.request_timeout,
        );
        Ok(Connection {
            http,
            client,
            _simulator: running,
        })
    }
}

/// The step summary (GitHub) or attached summary (Azure): what was submitted and where
/// it stands, also (above all) when the run failed.
fn write_summary(reporter: &Reporter, title: &str, mut summary: RunSummary, error: Option<&Error>) {
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
