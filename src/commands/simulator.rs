//! `simulator`: the built-in Partner Center simulator as a server, until Ctrl-C or SIGTERM
//! (docs/simulator.md).

use crate::config::{OutputFormat, SimulatorConfig};
use crate::error::Error;

pub(crate) async fn run(sim: &SimulatorConfig, output: OutputFormat) -> Result<(), Error> {
    let running = crate::simulator::start(
        sim.listen,
        crate::simulator::Options {
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
    match output {
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
            println!("MSI/EXE products, with the same sign-in:");
            println!(
                "  --store-api-base-url {} --seller-id {} --app-id {}",
                announcement.store_api_base_url,
                announcement.seller_id,
                announcement.msi_product_ids.join(" | ")
            );
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
