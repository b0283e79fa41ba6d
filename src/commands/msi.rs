//! `submit` and `status` for MSI/EXE products (a GUID `app-id`, docs/msi-exe.md): the
//! connection to the Store's MSI/EXE API (its token scope, `X-Seller-Account-Id`, the
//! in-process simulator with `simulate`), the flow of src/msi/, and the step summary.

use super::{SignedIn, write_summary};
use crate::api::Client;
use crate::api::pace::Pacer;
use crate::config::msi::MsiSubmitConfig;
use crate::error::Error;
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::store_api::StoreApi;

pub(crate) async fn submit(config: &MsiSubmitConfig, reporter: &Reporter) -> Result<(), Error> {
    run(config, reporter, Command::Submit).await
}

pub(crate) async fn status(config: &MsiSubmitConfig, reporter: &Reporter) -> Result<(), Error> {
    run(config, reporter, Command::Status).await
}

/// `pull` for an MSI/EXE product: its listings module and listing assets into `dir`.
pub(crate) async fn pull(
    config: &MsiSubmitConfig,
    dir: &std::path::Path,
    reporter: &Reporter,
) -> Result<(), Error> {
    let connection = Connection::open(config).await?;
    reporter.group_start(&format!(
        "Pull the listings of MSI/EXE product {}",
        config.product_id
    ));
    let pulled = crate::msi::listings::pull(&connection.api, &config.product_id, dir).await;
    reporter.group_end();
    let pulled = pulled?;
    super::pull::log_pulled(
        &pulled,
        &format!("MSI/EXE product {}", config.product_id),
        dir,
    );
    Ok(())
}

#[derive(Clone, Copy)]
enum Command {
    Submit,
    Status,
}

/// Both commands: connect, run the flow, and write the step summary whatever happened.
async fn run(config: &MsiSubmitConfig, reporter: &Reporter, command: Command) -> Result<(), Error> {
    let mut summary = RunSummary::new(format!("MSI/EXE product {}", config.product_id));
    let result = async {
        let connection = Connection::open(config).await?;
        let (api, http) = (&connection.api, &connection.http);
        match command {
            Command::Submit => {
                crate::msi::flow::submit(config, api, http, reporter, &mut summary).await
            }
            Command::Status => {
                crate::msi::flow::status(config, api, http, reporter, &mut summary).await
            }
        }
    }
    .await;
    let title = match command {
        Command::Submit => format!("Microsoft Store submission: {}", summary.product),
        Command::Status => format!("Microsoft Store submission status: {}", summary.product),
    };
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
        let simulator = crate::simulator::Options {
            products: vec![crate::config::ProductSpec::App {
                app_id: config.product_id.clone(),
            }],
            seller_id: config.seller_id.clone(),
            ..Default::default()
        };
        let signed_in =
            SignedIn::open(session, simulator, Some(crate::config::msi::SCOPE), "Store").await?;
        let base = signed_in
            .simulator_url()
            .unwrap_or_else(|| config.store_api_base_url.clone());
        let client = Client::at(
            signed_in.http.clone(),
            StoreApi::base(&base, &config.product_id),
            signed_in.tokens,
            signed_in.retry,
            Pacer::new(session.rate_limit),
            session.request_timeout,
        )
        .with_header("X-Seller-Account-Id", config.seller_id.clone());
        Ok(Connection {
            http: signed_in.http,
            api: StoreApi::new(client, &config.product_id),
            _simulator: signed_in.simulator,
        })
    }
}
