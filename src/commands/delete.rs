//! `delete-flight` and `delete-addon`: deleting what is already gone is done, with a warning.

use super::Connection;
use crate::api::Client;
use crate::config::{AddonSpec, DeleteAddonConfig, DeleteFlightConfig, FlightSpec};
use crate::error::Result;
use crate::escape::inert_single_line;
use crate::products::{find_addon, find_flight, require_app};
use crate::report::Reporter;

pub(crate) async fn flight(delete: &DeleteFlightConfig, reporter: &Reporter) -> Result<()> {
    let connection = Connection::open(&delete.session, None).await?;
    delete_flight(delete, &connection.client, reporter).await
}

pub(crate) async fn addon(delete: &DeleteAddonConfig, reporter: &Reporter) -> Result<()> {
    let connection = Connection::open(&delete.session, None).await?;
    delete_addon(delete, &connection.client, reporter).await
}

async fn delete_flight(
    config: &DeleteFlightConfig,
    client: &Client,
    reporter: &Reporter,
) -> Result<()> {
    let app_id = &config.app_id;
    let flight_id = match &config.flight {
        FlightSpec::Id(id) => {
            // A wrong app id is an input error, not "nothing to delete"
            // (docs/exit-codes.md); a name is looked up in the app, which checks it.
            require_app(client, app_id).await?;
            id.clone()
        }
        FlightSpec::Name(name) => match find_flight(client, app_id, name).await? {
            Some(id) => id,
            None => {
                reporter.warning(&format!(
                    "app {app_id} has no flight named `{}`: nothing to delete",
                    inert_single_line(name)
                ));
                return Ok(());
            }
        },
    };
    reporter.output("flight-id", &flight_id);
    match client
        .delete(&format!("applications/{app_id}/flights/{flight_id}"))
        .await
    {
        Ok(()) => {
            tracing::info!("deleted flight {flight_id} of app {app_id}");
            Ok(())
        }
        // Already gone (deleted by an earlier run whose answer was lost): done.
        Err(e) if e.is_not_found() => {
            reporter.warning(&format!(
                "flight {flight_id} of app {app_id} does not exist: nothing to delete"
            ));
            Ok(())
        }
        Err(e) => Err(e.into_error(&format!("deleting flight {flight_id}"))),
    }
}

async fn delete_addon(
    config: &DeleteAddonConfig,
    client: &Client,
    reporter: &Reporter,
) -> Result<()> {
    let addon_id = match &config.addon {
        AddonSpec::Id(id) => id.clone(),
        AddonSpec::ProductId(product_id) => {
            match find_addon(client, product_id, config.app_id.as_deref()).await? {
                Some(id) => id,
                None => {
                    reporter.warning(&format!(
                        "no add-on has the product id `{}`: nothing to delete",
                        inert_single_line(product_id)
                    ));
                    return Ok(());
                }
            }
        }
    };
    reporter.output("addon-id", &addon_id);
    match client.delete(&format!("inappproducts/{addon_id}")).await {
        Ok(()) => {
            tracing::info!("deleted add-on {addon_id}");
            Ok(())
        }
        Err(e) if e.is_not_found() => {
            reporter.warning(&format!(
                "add-on {addon_id} does not exist: nothing to delete"
            ));
            Ok(())
        }
        Err(e) => Err(e.into_error(&format!("deleting add-on {addon_id}"))),
    }
}
