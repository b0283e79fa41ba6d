//! Products other than through submissions: listing apps, flights and add-ons (every page),
//! resolving a flight name or an add-on product id to its id, creating and deleting flights
//! and add-ons (https://learn.microsoft.com/windows/uwp/monetize/manage-flights, https://learn.microsoft.com/windows/uwp/monetize/manage-add-ons).

use serde_json::{Value, json};

use crate::api::{ApiError, Client};
use crate::config::{
    AddonSpec, CreateAddonConfig, CreateFlightConfig, DeleteAddonConfig, DeleteFlightConfig,
    FlightSpec, ListConfig, ListKind, ProductRef, ProductSpec,
};
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::report::escape::inert_single_line;

/// Page size asked for. UNKNOWN: the service's maximum `top`; StoreBroker asks for 100.
const PAGE_SIZE: u32 = 100;
/// A list longer than this many pages is a loop in `@nextLink`, not data.
const MAX_PAGES: usize = 10_000;

/// Every item of a list endpoint, following `@nextLink` (relative to `/v1.0/my/`) until it
/// is absent. The API answers 404 when a list is empty (https://learn.microsoft.com/windows/uwp/monetize/get-all-apps): that is `[]`.
pub async fn list_all(client: &Client, path: &str) -> Result<Vec<Value>, ApiError> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut next = Some(format!("{path}{separator}top={PAGE_SIZE}&skip=0"));
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(page_path) = next.take() {
        if !seen.insert(page_path.clone()) || seen.len() > MAX_PAGES {
            tracing::warn!("stopped paging {path}: @nextLink repeats itself");
            break;
        }
        let page = match client.get(&page_path).await {
            Ok(page) => page,
            Err(e) if e.is_not_found() => break,
            Err(e) => return Err(e),
        };
        if let Some(values) = page.get("value").and_then(Value::as_array) {
            items.extend(values.iter().cloned());
        }
        next = page
            .get("@nextLink")
            .and_then(Value::as_str)
            .filter(|link| !link.is_empty())
            .map(|link| link.trim_start_matches('/').to_string());
    }
    Ok(items)
}

/// Turns names into ids: a flight name through the app's flights, an add-on product id
/// through the add-ons. The app (for flights) must exist, so that "no flights" (a 404 of
/// the list) is not mistaken for a wrong app id.
pub async fn resolve(client: &Client, spec: &ProductSpec) -> Result<ProductRef> {
    match spec {
        ProductSpec::App { app_id } => Ok(ProductRef::App {
            app_id: app_id.clone(),
        }),
        ProductSpec::Flight { app_id, flight } => {
            let flight_id = match flight {
                FlightSpec::Id(id) => id.clone(),
                FlightSpec::Name(name) => match find_flight(client, app_id, name).await? {
                    Some(id) => id,
                    None => return Err(no_such_flight(client, app_id, name).await),
                },
            };
            Ok(ProductRef::Flight {
                app_id: app_id.clone(),
                flight_id,
            })
        }
        ProductSpec::Addon { addon, app_id } => {
            let addon_id = match addon {
                AddonSpec::Id(id) => id.clone(),
                AddonSpec::ProductId(product_id) => {
                    match find_addon(client, product_id, app_id.as_deref()).await? {
                        Some(id) => id,
                        None => {
                            let scope = app_id
                                .as_ref()
                                .map(|a| format!(" of app {a}"))
                                .unwrap_or_default();
                            return Err(Error::input(
                                "addon-product-id",
                                format!(
                                    "no add-on{scope} has the product id `{product_id}`; `msstore-submit list --list addons` shows them"
                                ),
                            ));
                        }
                    }
                }
            };
            Ok(ProductRef::Addon { addon_id })
        }
    }
}

async fn require_app(client: &Client, app_id: &str) -> Result<Value> {
    client
        .get(&format!("applications/{app_id}"))
        .await
        .map_err(|e| {
            if e.is_not_found() {
                Error::input(
                    "app-id",
                    format!("no app with Store ID {app_id} in this Partner Center account"),
                )
            } else {
                e.into_error(&format!("reading app {app_id}"))
            }
        })
}

async fn flights_of(client: &Client, app_id: &str) -> Result<Vec<Value>> {
    require_app(client, app_id).await?;
    list_all(client, &format!("applications/{app_id}/listflights"))
        .await
        .map_err(|e| e.into_error(&format!("listing the flights of app {app_id}")))
}

/// The id of the flight whose friendly name is `name` exactly; an error when several are.
async fn find_flight(client: &Client, app_id: &str, name: &str) -> Result<Option<String>> {
    let flights = flights_of(client, app_id).await?;
    let matching: Vec<&Value> = flights
        .iter()
        .filter(|f| f.get("friendlyName").and_then(Value::as_str) == Some(name))
        .collect();
    match matching.as_slice() {
        [] => Ok(None),
        [one] => Ok(one
            .get("flightId")
            .and_then(Value::as_str)
            .map(str::to_string)),
        several => Err(Error::input(
            "flight-name",
            format!(
                "{} flights of app {app_id} are named `{name}` ({}); give `flight-id` instead",
                several.len(),
                several
                    .iter()
                    .filter_map(|f| f.get("flightId").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

async fn no_such_flight(client: &Client, app_id: &str, name: &str) -> Error {
    let flights = match flights_of(client, app_id).await {
        Ok(flights) => flights,
        Err(e) => return e,
    };
    let names: Vec<String> = flights
        .iter()
        .filter_map(|f| {
            Some(format!(
                "`{}` ({})",
                f.get("friendlyName")?.as_str()?,
                f.get("flightId")?.as_str()?
            ))
        })
        .collect();
    let near = flights
        .iter()
        .filter_map(|f| f.get("friendlyName").and_then(Value::as_str))
        .find(|n| n.eq_ignore_ascii_case(name))
        .map(|n| format!(" (names are case-sensitive: did you mean `{n}`?)"))
        .unwrap_or_default();
    let existing = if names.is_empty() {
        "the app has no flights".to_string()
    } else {
        format!("its flights are {}", names.join(", "))
    };
    Error::input(
        "flight-name",
        format!(
            "app {app_id} has no flight named `{}`{near}; {existing}",
            inert_single_line(name)
        ),
    )
}

/// The Store ID of the add-on with `product_id` (of `app_id`, when given).
async fn find_addon(
    client: &Client,
    product_id: &str,
    app_id: Option<&str>,
) -> Result<Option<String>> {
    let addons = list_all(client, "inappproducts")
        .await
        .map_err(|e| e.into_error("listing add-ons"))?;
    Ok(addons
        .iter()
        .filter(|a| a.get("productId").and_then(Value::as_str) == Some(product_id))
        .filter(|a| app_id.is_none_or(|app| addon_apps(a).iter().any(|x| x == app)))
        .find_map(|a| a.get("id").and_then(Value::as_str).map(str::to_string)))
}

fn addon_apps(addon: &Value) -> Vec<String> {
    addon
        .pointer("/applications/value")
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .filter_map(|a| a.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn output(reporter: &Reporter, name: &str, value: &str) {
    if let Err(e) = reporter.set_output(name, value) {
        tracing::error!("cannot write output `{name}`: {e}");
    }
}

pub async fn create_flight(
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
    output(reporter, "flight-id", &flight_id);
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
        output(reporter, "submission-id", &id);
    }
    Ok(())
}

pub async fn delete_flight(
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
    output(reporter, "flight-id", &flight_id);
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

pub async fn create_addon(
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
    output(reporter, "addon-id", addon_id);
    Ok(())
}

pub async fn delete_addon(
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
    output(reporter, "addon-id", &addon_id);
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

/// `list`: a table in the log (and on stdout in a terminal), all items under `items` with
/// `--output json`.
pub async fn list(config: &ListConfig, client: &Client, reporter: &Reporter) -> Result<()> {
    let (items, columns): (Vec<Value>, &[(&str, &str)]) = match &config.what {
        ListKind::Apps => (
            list_all(client, "applications")
                .await
                .map_err(|e| e.into_error("listing apps"))?,
            &[
                ("id", "/id"),
                ("name", "/primaryName"),
                ("package identity", "/packageIdentityName"),
                ("pending", "/pendingApplicationSubmission/id"),
                ("last published", "/lastPublishedApplicationSubmission/id"),
            ],
        ),
        ListKind::Flights { app_id } => (
            flights_of(client, app_id).await?,
            &[
                ("flight id", "/flightId"),
                ("name", "/friendlyName"),
                ("groups", "/groupIds"),
                ("ranks above", "/rankHigherThan"),
                ("pending", "/pendingFlightSubmission/id"),
                ("last published", "/lastPublishedFlightSubmission/id"),
            ],
        ),
        ListKind::Addons { app_id } => {
            // A wrong app id is an input error, not an empty list (docs/exit-codes.md).
            if let Some(app) = app_id {
                require_app(client, app).await?;
            }
            let all = list_all(client, "inappproducts")
                .await
                .map_err(|e| e.into_error("listing add-ons"))?;
            let items = match app_id {
                Some(app) => all
                    .into_iter()
                    .filter(|a| addon_apps(a).iter().any(|x| x == app))
                    .collect(),
                None => all,
            };
            (
                items,
                &[
                    ("id", "/id"),
                    ("product id", "/productId"),
                    ("type", "/productType"),
                    ("apps", "/applications/value"),
                    ("pending", "/pendingInAppProductSubmission/id"),
                    ("last published", "/lastPublishedInAppProductSubmission/id"),
                ],
            )
        }
    };
    let table = render_table(&items, columns);
    tracing::info!("{} item(s)", items.len());
    reporter.table(&table);
    reporter.add_result("items", Value::Array(items));
    Ok(())
}

fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    };
    inert_single_line(&text)
}

/// A plain-text table, columns padded to their widest cell.
pub fn render_table(items: &[Value], columns: &[(&str, &str)]) -> Vec<String> {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|(_, ptr)| cell(item.pointer(ptr)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (title, _))| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([title.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut lines = vec![line(columns.iter().map(|(t, _)| t.to_string()).collect())];
    lines.extend(rows.into_iter().map(line));
    lines
}

pub fn pending_id(resource: &Value, field: &str) -> Option<String> {
    resource
        .get(field)
        .and_then(|r| r.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && *id != "0")
        .map(str::to_string)
}
