//! Products other than through submissions: listing apps, flights and add-ons (every page),
//! resolving a flight name or an add-on product id to its id; the commands that create,
//! delete and list them are in `commands/` (https://learn.microsoft.com/windows/uwp/monetize/manage-flights, https://learn.microsoft.com/windows/uwp/monetize/manage-add-ons).

use serde_json::Value;

use crate::api::types::is_submission_id;
use crate::api::{ApiError, Client};
use crate::config::{AddonSpec, FlightSpec, ProductRef, ProductSpec};
use crate::error::{Error, Result};
use crate::escape::{escape_debug, inert_single_line};

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

/// The product resource; a 404 is the input that names the product (exit 2), not a failure.
pub(crate) async fn read_product(client: &Client, product: &ProductRef) -> Result<Value> {
    let (resource, context) = client
        .get_answer(&product.resource_path())
        .await
        .map_err(|e| {
            if e.is_not_found() {
                Error::input(
                    product.naming_input(),
                    format!(
                        "{} does not exist in this Partner Center account (HTTP 404{})",
                        product.describe(),
                        e.context
                            .correlation_id
                            .as_deref()
                            .map(|c| format!(
                                ", {} {c}",
                                e.context
                                    .correlation_header
                                    .unwrap_or(crate::error::MS_CORRELATION_ID)
                            ))
                            .unwrap_or_default()
                    ),
                )
            } else {
                e.into_error(&format!("reading {}", product.describe()))
            }
        })?;
    // The ids go into URLs: one that is not an id (a line break in it) would be changed on
    // the way, and the call would go elsewhere.
    for field in [product.pending_field(), product.published_field()] {
        if let Some(Value::String(id)) = resource.get(field).and_then(|r| r.get("id"))
            && !id.is_empty()
            && id != "0"
            && !is_submission_id(id)
        {
            return Err(Error::Api {
                message: format!(
                    "Partner Center answered {} with `{field}.id` \"{}\", which is not a submission id",
                    product.describe(),
                    escape_debug(id)
                ),
                hint: "Nothing was changed. Check the product in Partner Center, and report the answer to Partner Center support with the correlation id.".into(),
                context,
            });
        }
    }
    Ok(resource)
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

pub(crate) async fn require_app(client: &Client, app_id: &str) -> Result<Value> {
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

pub(crate) async fn flights_of(client: &Client, app_id: &str) -> Result<Vec<Value>> {
    require_app(client, app_id).await?;
    list_all(client, &format!("applications/{app_id}/listflights"))
        .await
        .map_err(|e| e.into_error(&format!("listing the flights of app {app_id}")))
}

/// The id of the flight whose friendly name is `name` exactly; an error when several are.
pub(crate) async fn find_flight(
    client: &Client,
    app_id: &str,
    name: &str,
) -> Result<Option<String>> {
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
pub(crate) async fn find_addon(
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

pub(crate) fn addon_apps(addon: &Value) -> Vec<String> {
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

pub fn pending_id(resource: &Value, field: &str) -> Option<String> {
    resource
        .get(field)
        .and_then(|r| r.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && *id != "0")
        .map(str::to_string)
}
