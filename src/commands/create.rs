//! `create-flight` and `create-addon`
//! (https://learn.microsoft.com/windows/uwp/monetize/manage-flights,
//! https://learn.microsoft.com/windows/uwp/monetize/manage-add-ons).

use serde_json::{Value, json};

use super::Connection;
use crate::api::Client;
use crate::config::{CreateAddonConfig, CreateFlightConfig, ProductRef};
use crate::error::{Error, Result};
use crate::products::pending_id;
use crate::report::Reporter;

pub(crate) async fn flight(create: &CreateFlightConfig, reporter: &Reporter) -> Result<()> {
    let connection = Connection::open(&create.session, None).await?;
    create_flight(create, &connection.client, reporter).await
}

pub(crate) async fn addon(create: &CreateAddonConfig, reporter: &Reporter) -> Result<()> {
    let connection = Connection::open(&create.session, None).await?;
    create_addon(create, &connection.client, reporter).await
}

async fn create_flight(
    config: &CreateFlightConfig,
    client: &Client,
    reporter: &Reporter,
) -> Result<()> {
    let app_id = &config.app_id;
    let body = json!({
        "friendlyName": config.friendly_name,
        // Strings: group ids are 19-digit numbers, past what a JSON number keeps exactly in
        // many parsers; the service returns them as strings.
        "groupIds": config.group_ids,
        "rankHigherThan": config.rank_higher_than,
    });
    tracing::info!(
        "creating flight `{}` of app {app_id} for group(s) {}",
        config.friendly_name,
        config.group_ids.join(", ")
    );
    let flight = client
        .post_json(&format!("applications/{app_id}/flights"), &body)
        .await
        .map_err(|e| match e.status() {
            Some(404) => Error::input(
                "app-id",
                format!("no app with Store ID {app_id} in this Partner Center account"),
            ),
            Some(400) => Error::input(
                "group-ids",
                format!("Partner Center refused the new flight: {}", e.summary()),
            ),
            _ => e.into_error(&format!("creating flight `{}`", config.friendly_name)),
        })?;
    let flight_id = flight
        .get("flightId")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the new flight has no flightId")))?
        .to_string();
    tracing::info!("created flight {flight_id}");
    reporter.output("flight-id", &flight_id);
    // StoreBroker reads the submission the service starts with a new flight from the
    // answer; the docs' example answer does not show it, so ask the flight when absent.
    let pending = match pending_id(&flight, "pendingFlightSubmission") {
        Some(id) => Some(id),
        None => {
            let product = ProductRef::Flight {
                app_id: app_id.clone(),
                flight_id: flight_id.clone(),
            };
            let resource = client
                .get(&product.resource_path())
                .await
                .map_err(|e| e.into_error(&format!("reading flight {flight_id}")))?;
            pending_id(&resource, "pendingFlightSubmission")
        }
    };
    if let Some(id) = pending {
        tracing::info!(
            "the service started flight submission {id}; `submit` to this flight continues it"
        );
        reporter.output("submission-id", &id);
    }
    Ok(())
}

async fn create_addon(
    config: &CreateAddonConfig,
    client: &Client,
    reporter: &Reporter,
) -> Result<()> {
    let body = json!({
        "applicationIds": [config.app_id],
        "productId": config.product_id,
        "productType": config.addon_type.as_str(),
    });
    tracing::info!(
        "creating {} add-on `{}` for app {}",
        config.addon_type.as_str(),
        config.product_id,
        config.app_id
    );
    let addon = client
        .post_json("inappproducts", &body)
        .await
        .map_err(|e| match e.status() {
            Some(400) | Some(404) => Error::input(
                "addon-product-id",
                format!("Partner Center refused the new add-on: {}", e.summary()),
            ),
            _ => e.into_error(&format!("creating add-on `{}`", config.product_id)),
        })?;
    let addon_id = addon
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the new add-on has no id")))?;
    tracing::info!("created add-on {addon_id}");
    reporter.output("addon-id", addon_id);
    Ok(())
}
