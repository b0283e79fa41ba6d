//! What a submission must never carry when it is sent (issue 14, "never silently wrong"):
//! a price the service turns into Free, and a gradual rollout at 0 % nobody asked for.
//!
//! The same checks run three times: on the inputs alone (the patch, before any network
//! call), on the body a new submission would get (a clone of the last published one,
//! before anything is created), and on the body just before the PUT (belt and braces).

use serde_json::Value;

use super::release::RolloutState;
use crate::config::values::format_percentage;
use crate::config::{ProductRef, SubmissionChanges};
use crate::error::Error;
use crate::escape::inert_single_line;

/// The price a product has when it is priced per market in Partner Center: the API cannot
/// carry it (an update that sends it back is refused with 400, one that leaves it out makes
/// the product free; msstore-cli issue https://github.com/microsoft/msstore-cli/issues/112).
pub const PER_MARKET_PRICE: &str = "Base";

/// What is wrong with a `priceId` as sent, if anything: missing, null, not a string,
/// empty, or the per-market `Base`.
pub fn bad_price(price: Option<&Value>) -> Option<String> {
    match price {
        None => Some("missing".into()),
        Some(Value::Null) => Some("null".into()),
        Some(Value::String(s)) if s.trim().is_empty() => Some("empty".into()),
        Some(Value::String(s)) if s == PER_MARKET_PRICE => Some(format!("\"{PER_MARKET_PRICE}\"")),
        Some(Value::String(_)) => None,
        Some(other) => Some(format!(
            "not a tier: {}",
            inert_single_line(&other.to_string())
        )),
    }
}

/// The problem with a `submission-patch` that would remove or null the price, found from
/// the patch alone (a JSON merge patch: `null` removes, an object merges).
pub fn patch_price_problem(patch: &Value) -> Option<String> {
    let pricing = patch.get("pricing")?;
    let problem = match pricing {
        Value::Null => "sets `pricing` to null, which removes the price".to_string(),
        Value::Object(fields) => match fields.get("priceId") {
            // `{"pricing": {}}` and other fields alone merge into the price, keeping it.
            None => return None,
            Some(price) => match bad_price(Some(price))? {
                reason if reason == "null" => {
                    "sets `pricing.priceId` to null, which removes the price".to_string()
                }
                reason => {
                    format!("sets `pricing.priceId` to a value that is not a price tier ({reason})")
                }
            },
        },
        other => format!(
            "sets `pricing` to {}, which is not a pricing object",
            inert_single_line(&other.to_string())
        ),
    };
    Some(format!(
        "{problem}; Partner Center makes a product sent without a price free (https://github.com/microsoft/msstore-cli/issues/112). Leave `pricing` out of the patch to keep the price, or give a tier such as {{\"pricing\": {{\"priceId\": \"Tier2\"}}}} (\"Free\" only if the product is meant to become free)"
    ))
}

/// The price check on the body to send: `source` is the submission it was made from (the
/// published one for a new submission), `planned` the body after the changes.
pub fn price_error(
    product: &ProductRef,
    source: &Value,
    planned: &Value,
    changes: &SubmissionChanges,
) -> Option<Error> {
    if matches!(product, ProductRef::Flight { .. }) {
        // Flights have no pricing of their own (the app's applies).
        return None;
    }
    let reason = bad_price(planned.pointer("/pricing/priceId"))?;
    if let Some(problem) = changes.patch.as_ref().and_then(patch_price_problem) {
        return Some(Error::input("submission-patch", problem));
    }
    let source_price = source.pointer("/pricing/priceId");
    if source_price.and_then(Value::as_str) == Some(PER_MARKET_PRICE) {
        return Some(Error::Conflict {
            message: format!(
                "{} is priced per market in Partner Center (pricing.priceId \"Base\"), and the submission API cannot carry such a price: sending it back is refused, and leaving it out makes the product free",
                product.describe()
            ),
            hint: "Set a price tier explicitly with `submission-patch`, e.g. {\"pricing\": {\"priceId\": \"Tier2\"}} — this replaces the per-market prices with that one tier in every market — or publish this update in Partner Center, which keeps them. Nothing was changed.".into(),
            context: None,
        });
    }
    Some(Error::Conflict {
        message: format!(
            "the submission of {} would be sent with a price that is {reason} (pricing.priceId), which Partner Center treats as free",
            product.describe()
        ),
        hint: "Give the price with `submission-patch` ({\"pricing\": {\"priceId\": \"Tier2\"}}, or \"Free\" if it is meant to be free), or check the product's pricing in Partner Center. Nothing was sent.".into(),
        context: None,
    })
}

/// A gradual rollout that would be on at 0 %: the new packages reach nobody. Allowed only
/// when asked for (`rollout-percentage: 0`, or the patch sets the percentage itself).
pub fn zero_rollout_error(
    product: &ProductRef,
    planned: &Value,
    changes: &SubmissionChanges,
    inherited_from: &str,
) -> Option<Error> {
    product.packages_field()?;
    let state = RolloutState::of_submission(planned)?;
    if !state.is_rollout || state.percentage > 0.0 {
        return None;
    }
    if changes.release.rollout_percentage.is_some()
        || changes.patch.as_ref().is_some_and(|p| {
            p.pointer("/packageDeliveryOptions/packageRollout/packageRolloutPercentage")
                .is_some_and(|v| !v.is_null())
        })
    {
        return None;
    }
    Some(Error::input(
        "rollout-percentage",
        format!(
            "the submission would roll out to {}% of customers: it inherits a gradual rollout at {}% from {inherited_from} (a halted rollout is left at 0%), so the new packages would reach nobody. Give `rollout-percentage` (e.g. 100), turn the rollout off with the patch {{\"packageDeliveryOptions\": {{\"packageRollout\": {{\"isPackageRollout\": false}}}}}}, or give `rollout-percentage: 0` to ship at 0% on purpose",
            format_percentage(state.percentage),
            format_percentage(state.percentage)
        ),
    ))
}

/// The rollout and publish mode of a body, for the step summary: `10% of customers
/// (gradual rollout)`, `every customer`; `Manual`, `SpecificDate 2026-12-01T09:00:00Z`.
pub fn describe_release(product: &ProductRef, body: &Value) -> (Option<String>, Option<String>) {
    let rollout = product.packages_field().map(|_| {
        match RolloutState::of_submission(body).filter(|s| s.is_rollout) {
            Some(state) => format!(
                "gradual: {}% of customers",
                format_percentage(state.percentage)
            ),
            None => "off: every customer gets the new packages".into(),
        }
    });
    let publish = body
        .get("targetPublishMode")
        .and_then(Value::as_str)
        .map(
            |mode| match (mode, body.get("targetPublishDate").and_then(Value::as_str)) {
                ("SpecificDate", Some(date)) => format!("SpecificDate {date}"),
                (mode, _) => mode.to_string(),
            },
        );
    (rollout, publish)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prices_that_cannot_be_sent() {
        assert_eq!(bad_price(None).as_deref(), Some("missing"));
        assert_eq!(bad_price(Some(&json!(null))).as_deref(), Some("null"));
        assert_eq!(bad_price(Some(&json!(" "))).as_deref(), Some("empty"));
        assert_eq!(bad_price(Some(&json!("Base"))).as_deref(), Some("\"Base\""));
        assert!(bad_price(Some(&json!(3))).is_some());
        assert_eq!(bad_price(Some(&json!("Tier2"))), None);
        assert_eq!(bad_price(Some(&json!("Free"))), None);
    }

    #[test]
    fn patches_that_remove_the_price() {
        for patch in [
            json!({"pricing": null}),
            json!({"pricing": {"priceId": null}}),
            json!({"pricing": {"priceId": ""}}),
            json!({"pricing": {"priceId": "Base"}}),
            json!({"pricing": "Tier2"}),
        ] {
            assert!(patch_price_problem(&patch).is_some(), "{patch}");
        }
        for patch in [
            json!({}),
            json!({"pricing": {}}),
            json!({"pricing": {"priceId": "Tier3"}}),
            json!({"pricing": {"sales": []}}),
        ] {
            assert_eq!(patch_price_problem(&patch), None, "{patch}");
        }
    }
}
