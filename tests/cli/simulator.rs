//! The simulator refuses what the Store refuses: each test calls its API as a client would
//! and checks the answer (status, the service's error body) and the state it leaves.

use serde_json::{Value, json};

use crate::util::*;

const SEED_ADDON_ID: &str = "9NBLGGH4TNMP";

/// The submissions path of the seeded app, flight or add-on.
fn app_path() -> String {
    format!("applications/{APP_ID}/submissions")
}

fn addon_path() -> String {
    format!("inappproducts/{SEED_ADDON_ID}/submissions")
}

/// A new pending submission under `path`: its id and body.
fn create(sim: &Simulator, path: &str) -> (String, Value) {
    let (status, body) = sim.api("POST", path, None);
    assert_eq!(status, 200, "{body}");
    (body["id"].as_str().unwrap().to_string(), body)
}

fn put(sim: &Simulator, path: &str, id: &str, body: Value) -> (u16, Value) {
    sim.api("PUT", &format!("{path}/{id}"), Some(body))
}

/// Asserts a 400 in the service's error shape, with `code`, `target`, and a message
/// containing `message`.
fn assert_refused(answer: &(u16, Value), code: &str, target: &str, message: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 400, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["target"], target, "{body}");
    assert_eq!(body["source"], "Ingestion Api", "{body}");
    assert_eq!(body["data"], json!([]), "{body}");
    assert_eq!(body["details"], json!([]), "{body}");
    let text = body["message"].as_str().unwrap_or_default();
    assert!(text.contains(message), "{message:?} not in {body}");
}

// ----- pricing, as measured against the live API -----

#[test]
fn a_product_priced_per_market_comes_back_as_base() {
    let sim = Simulator::start();
    let seeded = sim.post(
        "/_simulator/pricing",
        json!({"appId": APP_ID, "priceId": "Base"}),
    );
    assert_eq!(seeded["priceId"], "Base");
    assert_eq!(sim.state()["prices"][APP_ID]["published"], "Base");
    let (_, body) = create(&sim, &app_path());
    assert_eq!(body["pricing"]["priceId"], "Base");
}

#[test]
fn sending_base_back_is_refused_word_for_word() {
    let sim = Simulator::start();
    sim.post(
        "/_simulator/pricing",
        json!({"appId": APP_ID, "priceId": "Base"}),
    );
    let (id, body) = create(&sim, &app_path());
    let answer = put(&sim, &app_path(), &id, body);
    assert_refused(&answer, "InvalidParameterValue", "pricing", "");
    assert_eq!(
        answer.1["message"],
        "'Base' is not a valid PriceId for base price."
    );
    assert_eq!(sim.submission(&id)["pricing"]["priceId"], "Base");
}

#[test]
fn no_price_silently_makes_the_product_free() {
    for pricing in [
        json!({"marketSpecificPricings": {}, "sales": []}),
        json!({"marketSpecificPricings": {}, "sales": [], "priceId": null}),
        json!({}),
    ] {
        let sim = Simulator::start();
        sim.post(
            "/_simulator/pricing",
            json!({"appId": APP_ID, "priceId": "Base"}),
        );
        let (id, mut body) = create(&sim, &app_path());
        body["pricing"] = pricing.clone();
        let (status, answer) = put(&sim, &app_path(), &id, body);
        assert_eq!(status, 200, "{pricing}: {answer}");
        assert_eq!(answer["pricing"]["priceId"], "Free", "{pricing}");
        let prices = &sim.state()["prices"][APP_ID];
        assert_eq!(prices["pending"], "Free", "{pricing}");
        assert_eq!(prices["published"], "Base", "{pricing}");
    }
}

#[test]
fn no_pricing_at_all_is_refused() {
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &app_path());
    body["pricing"] = Value::Null;
    assert_refused(
        &put(&sim, &app_path(), &id, body.clone()),
        "InvalidParameterValue",
        "pricing",
        "Pricing data was not provided in the request.",
    );
    body.as_object_mut().unwrap().remove("pricing");
    assert_refused(
        &put(&sim, &app_path(), &id, body),
        "InvalidParameterValue",
        "pricing",
        "Pricing data was not provided in the request.",
    );
    assert_eq!(sim.state()["prices"][APP_ID]["pending"], "Tier2");
}

#[test]
fn an_addon_priced_per_market_and_the_hook_refusals() {
    let sim = Simulator::start();
    let seeded = sim.post(
        "/_simulator/pricing",
        json!({"appId": APP_ID, "addonId": SEED_ADDON_ID, "priceId": "Base"}),
    );
    assert_eq!(seeded["priceId"], "Base");
    let (id, body) = create(&sim, &addon_path());
    assert_eq!(body["pricing"]["priceId"], "Base");
    let answer = put(&sim, &addon_path(), &id, body);
    assert_eq!(
        answer.1["message"],
        "'Base' is not a valid PriceId for base price."
    );
    // Unknown products are 404s.
    for seed in [
        json!({"appId": "9NOSUCHAPP00", "priceId": "Base"}),
        json!({"appId": APP_ID, "addonId": "9NOSUCHADDON", "priceId": "Base"}),
    ] {
        let status = ureq::post(&format!("{}/_simulator/pricing", sim.url))
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(&seed)
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 404, "{seed}");
    }
}

#[test]
fn a_tier_outside_the_pricing_model_is_refused() {
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &app_path());
    for tier in ["Tier99999", "Tier1012", "tier2", "Free ", "Base"] {
        body["pricing"]["priceId"] = json!(tier);
        assert_refused(
            &put(&sim, &app_path(), &id, body.clone()),
            "InvalidParameterValue",
            "pricing",
            "is not a valid PriceId",
        );
    }
    body["pricing"]["priceId"] = json!("Tier96");
    body["pricing"]["marketSpecificPricings"] = json!({"US": "Tier5", "NZ": "NotAvailable"});
    let (status, answer) = put(&sim, &app_path(), &id, body.clone());
    assert_eq!(status, 200, "{answer}");
    body["pricing"]["marketSpecificPricings"] = json!({"US": "Tier99999"});
    assert_refused(
        &put(&sim, &app_path(), &id, body),
        "InvalidParameterValue",
        "pricing",
        "'Tier99999' is not a valid PriceId for market 'US'",
    );
}
