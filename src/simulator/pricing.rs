//! Pricing of app and add-on submissions, as measured against the live API
//! (https://github.com/microsoft/msstore-cli/pull/175; also
//! https://github.com/microsoft/StoreBroker/issues/68,
//! https://github.com/microsoft/msstore-cli/issues/66 and
//! https://github.com/microsoft/msstore-cli/issues/112):
//!
//! - a product priced per market comes back with `pricing.priceId: "Base"`, and a PUT that
//!   sends `"Base"` back is a 400 `InvalidParameterValue`, "'Base' is not a valid PriceId for
//!   base price." (target `pricing`);
//! - a PUT whose `priceId` is null or missing, or whose `pricing` is `{}`, is a 200 and makes
//!   the product **Free**, silently;
//! - a PUT whose `pricing` is null or missing is a 400, "Pricing data was not provided in the
//!   request.".
//!
//! Tiers: `Free`, `NotAvailable`, `Tier<n>` with `n` in the range of the product's pricing
//! model (`isAdvancedPricingModel`: true → 1012–1424, false → 2–96; see
//! https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
//!
//! The test hook `POST /_simulator/pricing` sets the price of a product's last published
//! submission (e.g. `"Base"`), and the state dump shows each product's price under `prices`.

use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::api::api_error;
use super::state::{Owner, State};

const TARGET: &str = "pricing";

fn refuse(message: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "InvalidParameterValue",
        message,
        TARGET,
    )
}

/// The range of `Tier<n>` a pricing model allows; `None` (model not known): either.
fn tier_allowed(n: u32, advanced: Option<bool>) -> bool {
    let advanced_range = (1012..=1424).contains(&n);
    let legacy_range = (2..=96).contains(&n);
    match advanced {
        Some(true) => advanced_range,
        Some(false) => legacy_range,
        None => advanced_range || legacy_range,
    }
}

/// `Tier<n>` written as the service writes it (no sign, no leading zero).
fn tier_number(value: &str) -> Option<u32> {
    let digits = value.strip_prefix("Tier")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks the `pricing` of an app (`app`) or add-on submission PUT and settles it as the
/// service does: `priceId` null or missing becomes `Free`; `sales` (deprecated, "PUT ignores
/// it") comes back empty. `advanced` is the stored `isAdvancedPricingModel`.
pub fn on_put(new: &mut Value, advanced: Option<bool>, app: bool) -> Result<(), Response> {
    let pricing = match new.get_mut("pricing") {
        None | Some(Value::Null) => {
            // UNKNOWN: the code and target of this answer; the message is the measured one.
            return Err(refuse("Pricing data was not provided in the request."));
        }
        Some(Value::Object(pricing)) => pricing,
        // UNKNOWN: the answer for a pricing that is no object; refused like a bad value.
        Some(other) => return Err(refuse(&format!("Invalid pricing: {other}."))),
    };
    match pricing.get("priceId") {
        None | Some(Value::Null) => {
            // The trap: no price means Free, with a 200.
            pricing.insert("priceId".into(), json!("Free"));
        }
        Some(Value::String(id))
            if id == "Free"
                || id == "NotAvailable"
                || tier_number(id).is_some_and(|n| tier_allowed(n, advanced)) => {}
        // Word for word as measured for `Base`; UNKNOWN: the wording for other values,
        // which follows it.
        Some(other) => {
            return Err(refuse(&format!(
                "'{}' is not a valid PriceId for base price.",
                describe(other)
            )));
        }
    }
    match pricing.get("marketSpecificPricings") {
        None | Some(Value::Null) => {}
        Some(Value::Object(markets)) => {
            for (market, tier) in markets {
                // ISO 3166-1 alpha-2 codes, as the docs write them (`US`, `RU`).
                // UNKNOWN: whether the service checks the code against the markets it sells
                // in; here only the form is checked.
                if market.len() != 2 || !market.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(refuse(&format!("'{market}' is not a valid market.")));
                }
                // UNKNOWN: whether `Base` ("use the base price") is accepted per market;
                // the docs list it among the tiers, so it is here.
                let valid = match tier {
                    Value::String(id) => {
                        id == "Base"
                            || id == "Free"
                            || id == "NotAvailable"
                            || tier_number(id).is_some_and(|n| tier_allowed(n, advanced))
                    }
                    _ => false,
                };
                if !valid {
                    return Err(refuse(&format!(
                        "'{}' is not a valid PriceId for market '{market}'.",
                        describe(tier)
                    )));
                }
            }
        }
        Some(other) => {
            return Err(refuse(&format!(
                "marketSpecificPricings must be an object, not {other}."
            )));
        }
    }
    if !app {
        // An add-on's pricing has no trial period (the docs' add-on pricing object).
        // UNKNOWN: whether the service refuses or ignores one; here it is dropped.
        pricing.remove("trialPeriod");
    }
    if pricing
        .get("sales")
        .is_some_and(|s| !s.is_array() && !s.is_null())
    {
        return Err(refuse("sales must be an array."));
    }
    pricing.insert("sales".into(), json!([]));
    Ok(())
}

/// The `pricing.priceId` of a submission.
fn price_of(state: &State, submission: Option<&String>) -> Value {
    submission
        .and_then(|id| state.submissions.get(id))
        .and_then(|s| s.body.pointer("/pricing/priceId"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// `prices` in the state dump: for each app and add-on, the price of its last published
/// submission (what customers pay) and of its pending one (what it will be once that
/// publishes), so tests can see whether a run made a product Free.
pub fn dump(state: &State) -> Value {
    let mut prices = serde_json::Map::new();
    for (id, app) in &state.apps {
        prices.insert(
            id.clone(),
            json!({"published": price_of(state, app.published.as_ref()), "pending": price_of(state, app.pending.as_ref())}),
        );
    }
    for (id, addon) in &state.addons {
        prices.insert(
            id.clone(),
            json!({"published": price_of(state, addon.published.as_ref()), "pending": price_of(state, addon.pending.as_ref())}),
        );
    }
    Value::Object(prices)
}

/// `POST /_simulator/pricing`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedPrice {
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    addon_id: Option<String>,
    price_id: String,
    /// Optionally the pricing model too (which tiers are valid).
    #[serde(default)]
    is_advanced_pricing_model: Option<bool>,
}

/// Sets `pricing.priceId` of a product's last published submission, so the next clone
/// carries it: `"Base"` stands for a product priced per market. Answers the resulting
/// pricing object; 404 for an unknown product or one with nothing published.
pub async fn admin_seed(
    AxumState(shared): AxumState<Shared>,
    axum::Json(seed): axum::Json<SeedPrice>,
) -> Response {
    let mut state = shared.lock().expect("simulator state");
    let known = seed.price_id == "Base"
        || seed.price_id == "Free"
        || seed.price_id == "NotAvailable"
        || tier_number(&seed.price_id).is_some();
    if !known {
        return (
            StatusCode::BAD_REQUEST,
            format!(
                "priceId must be Base, Free, NotAvailable or Tier<n>, not '{}'",
                seed.price_id
            ),
        )
            .into_response();
    }
    let not_found = |what: String| (StatusCode::NOT_FOUND, what).into_response();
    let owner = match (&seed.addon_id, &seed.app_id) {
        (Some(addon_id), app_id) => match state.addons.get(addon_id) {
            Some(addon) if app_id.as_ref().is_none_or(|a| addon.app_ids.contains(a)) => {
                Owner::Addon(addon_id.clone())
            }
            _ => return not_found(format!("no add-on {addon_id}")),
        },
        (None, Some(app_id)) if state.apps.contains_key(app_id) => Owner::App(app_id.clone()),
        (None, Some(app_id)) => return not_found(format!("no app {app_id}")),
        (None, None) => {
            return (StatusCode::BAD_REQUEST, "appId or addonId is required").into_response();
        }
    };
    let Some(published) = state
        .owner_slots(&owner)
        .and_then(|(_, published, _)| published.clone())
    else {
        return not_found(format!("{owner:?} has no published submission"));
    };
    let Some(submission) = state.submissions.get_mut(&published) else {
        return not_found(format!("{owner:?} has no published submission"));
    };
    let body = &mut submission.body;
    if !body.get("pricing").is_some_and(Value::is_object) {
        body["pricing"] =
            json!({"marketSpecificPricings": {}, "sales": [], "isAdvancedPricingModel": true});
    }
    body["pricing"]["priceId"] = json!(seed.price_id);
    if let Some(advanced) = seed.is_advanced_pricing_model {
        body["pricing"]["isAdvancedPricingModel"] = json!(advanced);
    }
    (StatusCode::OK, axum::Json(body["pricing"].clone())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(pricing: Option<Value>, advanced: Option<bool>) -> Result<Value, String> {
        let mut body = json!({"visibility": "Public"});
        if let Some(p) = pricing {
            body["pricing"] = p;
        }
        match on_put(&mut body, advanced, true) {
            Ok(()) => Ok(body),
            Err(response) => Err(format!("{}", response.status())),
        }
    }

    #[test]
    fn tiers_follow_the_pricing_model() {
        assert!(put(Some(json!({"priceId": "Tier2"})), Some(false)).is_ok());
        assert!(put(Some(json!({"priceId": "Tier96"})), Some(false)).is_ok());
        assert!(put(Some(json!({"priceId": "Tier97"})), Some(false)).is_err());
        assert!(put(Some(json!({"priceId": "Tier1012"})), Some(false)).is_err());
        assert!(put(Some(json!({"priceId": "Tier1012"})), Some(true)).is_ok());
        assert!(put(Some(json!({"priceId": "Tier1424"})), Some(true)).is_ok());
        assert!(put(Some(json!({"priceId": "Tier1425"})), Some(true)).is_err());
        assert!(put(Some(json!({"priceId": "Tier2"})), Some(true)).is_err());
        assert!(put(Some(json!({"priceId": "Tier99999"})), None).is_err());
        assert!(put(Some(json!({"priceId": "Tier02"})), None).is_err());
        assert!(put(Some(json!({"priceId": "tier2"})), None).is_err());
        assert!(put(Some(json!({"priceId": "free"})), None).is_err());
        assert!(put(Some(json!({"priceId": "NotAvailable"})), None).is_ok());
    }

    #[test]
    fn no_price_is_free_and_no_pricing_is_refused() {
        assert_eq!(
            put(Some(json!({})), None).unwrap()["pricing"]["priceId"],
            "Free"
        );
        assert_eq!(
            put(Some(json!({"priceId": null})), None).unwrap()["pricing"]["priceId"],
            "Free"
        );
        assert!(put(None, None).is_err());
        assert!(put(Some(Value::Null), None).is_err());
        assert!(put(Some(json!({"priceId": "Base"})), None).is_err());
    }

    #[test]
    fn markets_are_checked_and_sales_ignored() {
        let ok = put(
            Some(json!({"priceId": "Free", "marketSpecificPricings": {"US": "Tier4", "RU": "Base"}, "sales": [{"name": "x"}]})),
            Some(false),
        )
        .unwrap();
        assert_eq!(ok["pricing"]["sales"], json!([]));
        assert!(
            put(
                Some(json!({"priceId": "Free", "marketSpecificPricings": {"us": "Tier4"}})),
                None
            )
            .is_err()
        );
        assert!(
            put(
                Some(json!({"priceId": "Free", "marketSpecificPricings": {"US": "Tier0"}})),
                None
            )
            .is_err()
        );
    }
}
