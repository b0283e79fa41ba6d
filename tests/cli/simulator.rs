//! The simulator refuses what the Store refuses: each test calls its API as a client would
//! and checks the answer (status, the service's error body) and the state it leaves.

use serde_json::{Value, json};

use crate::util::*;

const SEED_FLIGHT_ID: &str = "7bfc11d5-f710-47c5-8a98-e04bb5aad310";
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

// ----- updates: types, enums, limits, fields -----

fn flight_path() -> String {
    format!("applications/{APP_ID}/flights/{SEED_FLIGHT_ID}/submissions")
}

/// A PUT of the app submission with one change made by `edit`: the answer, and whether
/// the stored submission is still what the create answered (refused PUTs change nothing).
fn put_app_edit(sim: &Simulator, edit: impl FnOnce(&mut Value)) -> ((u16, Value), bool) {
    let (id, created) = create(sim, &app_path());
    let mut body = created.clone();
    edit(&mut body);
    let answer = put(sim, &app_path(), &id, body);
    let unchanged = sim.submission(&id) == created;
    // Out of the way of the next one (one pending submission per app).
    let (status, _) = sim.api("DELETE", &format!("{}/{id}", app_path()), None);
    assert_eq!(status, 200);
    (answer, unchanged)
}

/// Asserts that the edit is refused with a 400 naming `field`, and changes nothing.
fn assert_app_edit_refused(sim: &Simulator, field: &str, edit: impl FnOnce(&mut Value)) {
    let (answer, unchanged) = put_app_edit(sim, edit);
    assert_refused(
        &answer,
        "InvalidParameterValue",
        "applicationSubmission",
        field,
    );
    assert!(unchanged, "a refused PUT changed the submission");
}

#[test]
fn an_update_with_nothing_but_the_publish_mode_is_refused() {
    let sim = Simulator::start();
    for (path, target, missing) in [
        (app_path(), "applicationSubmission", "applicationCategory"),
        (flight_path(), "flightSubmission", "flightPackages"),
        (addon_path(), "inAppProductSubmission", "contentType"),
    ] {
        let (id, created) = create(&sim, &path);
        let answer = put(&sim, &path, &id, json!({"targetPublishMode": "Immediate"}));
        assert_refused(
            &answer,
            "InvalidParameterValue",
            target,
            &format!("{missing} was not provided in the request."),
        );
        assert_eq!(sim.submission(&id), created, "{path}");
    }
}

#[test]
fn wrong_types_are_refused() {
    let sim = Simulator::start();
    assert_app_edit_refused(&sim, "automaticBackupEnabled", |b| {
        b["automaticBackupEnabled"] = json!("yes")
    });
    assert_app_edit_refused(&sim, "applicationPackages must be an array", |b| {
        b["applicationPackages"] = json!("x")
    });
    assert_app_edit_refused(&sim, "listings must be an object", |b| {
        b["listings"] = json!([])
    });
    assert_app_edit_refused(&sim, "allowTargetFutureDeviceFamilies.Desktop", |b| {
        b["allowTargetFutureDeviceFamilies"]["Desktop"] = json!("false")
    });
    assert_app_edit_refused(&sim, "notesForCertification must be a string", |b| {
        b["notesForCertification"] = json!(42)
    });
    assert_app_edit_refused(&sim, "gamingOptions", |b| b["gamingOptions"] = json!({}));
    assert_app_edit_refused(&sim, "packageRollout must be an object", |b| {
        b["packageDeliveryOptions"]["packageRollout"] = json!("on")
    });
    assert_app_edit_refused(&sim, "applicationPackages[0].id must be a string", |b| {
        b["applicationPackages"][0]["id"] = json!(1152921504620138797u64)
    });
    assert_app_edit_refused(
        &sim,
        "localMultiplayerMaxPlayers must be a whole number",
        |b| b["gamingOptions"] = json!([{"localMultiplayerMaxPlayers": "12"}]),
    );
    assert_app_edit_refused(&sim, "hardwarePreferences must be an array", |b| {
        b["hardwarePreferences"] = json!("Touch")
    });
}

#[test]
fn undocumented_enum_values_are_refused() {
    let sim = Simulator::start();
    assert_app_edit_refused(&sim, "'booksandreference_ereader'", |b| {
        b["applicationCategory"] = json!("booksandreference_ereader")
    });
    assert_app_edit_refused(&sim, "'Windows99'", |b| {
        b["listings"]["en-us"]["platformOverrides"]["Windows99"] = json!({"description": "x"})
    });
    assert_app_edit_refused(&sim, "'Games_Bogus'", |b| {
        b["gamingOptions"] = json!([{"genres": ["Games_Bogus"]}])
    });
    // The genre is `Games_RolePlaying`, the category `Games_Roleplaying`.
    assert_app_edit_refused(&sim, "'Games_Roleplaying'", |b| {
        b["gamingOptions"] = json!([{"genres": ["Games_Roleplaying"]}])
    });
    assert_app_edit_refused(&sim, "'screenshot'", |b| {
        b["listings"]["en-us"]["baseListing"]["images"][0]["imageType"] = json!("screenshot")
    });
    assert_app_edit_refused(&sim, "'enabled'", |b| {
        b["gamingOptions"] = json!([{"kinectDataForExternal": "enabled"}])
    });
    // What the docs list is taken.
    let (answer, _) = put_app_edit(&sim, |b| {
        b["applicationCategory"] = json!("Games_Roleplaying");
        b["gamingOptions"] =
            sample("app-submission-gaming-options-fragment.json")["gamingOptions"].clone();
        b["listings"]["en-us"]["platformOverrides"]["WindowsPhone81"] = json!({"description": "x"});
    });
    assert_eq!(answer.0, 200, "{}", answer.1);
}

#[test]
fn documented_limits_are_enforced() {
    let sim = Simulator::start();
    let many = |n: usize| json!((0..n).map(|i| format!("item {i}")).collect::<Vec<_>>());
    assert_app_edit_refused(&sim, "features: at most 20 items, not 25", |b| {
        b["listings"]["en-us"]["baseListing"]["features"] = many(25)
    });
    assert_app_edit_refused(&sim, "recommendedHardware: at most 11 items, not 20", |b| {
        b["listings"]["en-us"]["baseListing"]["recommendedHardware"] = many(20)
    });
    assert_app_edit_refused(&sim, "minimumHardware: at most 11 items, not 12", |b| {
        b["listings"]["en-us"]["baseListing"]["minimumHardware"] = many(12)
    });
    assert_app_edit_refused(&sim, "keywords: at most 7 items, not 8", |b| {
        b["listings"]["en-us"]["baseListing"]["keywords"] = many(8)
    });
    assert_app_edit_refused(&sim, "features[0]: at most 200 characters, not 201", |b| {
        b["listings"]["en-us"]["baseListing"]["features"] = json!(["x".repeat(201)])
    });
    assert_app_edit_refused(
        &sim,
        "description: at most 10000 characters, not 10001",
        |b| b["listings"]["en-us"]["baseListing"]["description"] = json!("x".repeat(10_001)),
    );
    assert_app_edit_refused(&sim, "releaseNotes: at most 1500 characters", |b| {
        b["listings"]["en-us"]["baseListing"]["releaseNotes"] = json!("x".repeat(1_501))
    });
    assert_app_edit_refused(&sim, "shortTitle: at most 50 characters", |b| {
        b["listings"]["en-us"]["platformOverrides"]["Windows81"]["shortTitle"] =
            json!("x".repeat(51))
    });
    let trailer = |thumbnails: usize| {
        json!({
            "videoFileName": "trailers/main.mp4",
            "trailerAssets": {"en-us": {"title": "Main", "imageList": (0..thumbnails)
                .map(|i| json!({"fileName": format!("trailers/thumb{i}.png"), "description": ""}))
                .collect::<Vec<_>>()}}
        })
    };
    assert_app_edit_refused(&sim, "trailers: at most 15, not 20", |b| {
        b["trailers"] = json!((0..20).map(|_| trailer(1)).collect::<Vec<_>>())
    });
    assert_app_edit_refused(&sim, "exactly one thumbnail, not 2", |b| {
        b["trailers"] = json!([trailer(2)])
    });
    let (answer, _) = put_app_edit(&sim, |b| {
        b["trailers"] = json!((0..15).map(|_| trailer(1)).collect::<Vec<_>>());
        b["listings"]["en-us"]["baseListing"]["features"] = many(20);
        b["listings"]["en-us"]["baseListing"]["recommendedHardware"] = many(11);
    });
    assert_eq!(answer.0, 200, "{}", answer.1);
}

#[test]
fn addon_updates_are_checked_against_their_own_fields() {
    let sim = Simulator::start();
    let (id, created) = create(&sim, &addon_path());
    let refused = |edit: &dyn Fn(&mut Value), message: &str| {
        let mut body = created.clone();
        edit(&mut body);
        assert_refused(
            &put(&sim, &addon_path(), &id, body),
            "InvalidParameterValue",
            "inAppProductSubmission",
            message,
        );
    };
    refused(
        &|b| b["keywords"] = json!((0..11).map(|i| format!("k{i}")).collect::<Vec<_>>()),
        "keywords: at most 10 items",
    );
    refused(
        &|b| b["keywords"] = json!(["x".repeat(31)]),
        "keywords[0]: at most 30 characters",
    );
    refused(
        &|b| b["listings"]["en"]["title"] = json!("x".repeat(101)),
        "listings.en.title: at most 100 characters",
    );
    refused(
        &|b| b["listings"]["en"]["description"] = json!("x".repeat(201)),
        "listings.en.description: at most 200 characters",
    );
    refused(
        &|b| b["listings"]["de"] = json!({"description": "no title"}),
        "listings.de.title is required",
    );
    refused(
        &|b| b["tag"] = json!("x".repeat(3_001)),
        "tag: at most 3000 characters",
    );
    refused(&|b| b["lifetime"] = json!("forever"), "'forever'");
    refused(&|b| b["listings"] = json!([]), "listings must be an object");
    assert_eq!(sim.submission(&id), created);
}

#[test]
fn fields_that_are_not_api_fields_or_are_the_services_are_not_stored() {
    let sim = Simulator::start();
    let (id, created) = create(&sim, &app_path());
    let mut body = created.clone();
    // The docs' Python sample's `packages` is no API field.
    body["packages"] = json!([{"fileName": "ghost.msix", "fileStatus": "PendingUpload"}]);
    // A package's version is the service's.
    body["applicationPackages"][0]["version"] = json!("9.9.9.9");
    body["applicationPackages"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "fileName": "new.msix", "fileStatus": "PendingUpload",
            "minimumDirectXVersion": "None", "minimumSystemRam": "None",
            "version": "2.0.0.0", "architecture": "x64"
        }));
    let (status, answer) = put(&sim, &app_path(), &id, body);
    assert_eq!(status, 200, "{answer}");
    let stored = sim.submission(&id);
    assert_eq!(answer, stored);
    assert!(stored.get("packages").is_none(), "{stored}");
    assert_eq!(
        stored["applicationPackages"][0]["version"],
        created["applicationPackages"][0]["version"]
    );
    let new = &stored["applicationPackages"][1];
    assert_eq!(new["fileName"], "new.msix");
    assert!(
        new.get("version").is_none() && new.get("architecture").is_none(),
        "{new}"
    );
    // Fields the submission already had, unknown to the docs, stay.
    assert_eq!(
        stored["contosoFutureSettings"],
        created["contosoFutureSettings"]
    );
    assert_eq!(stored["isSeekEnabled"], false);
    assert_eq!(
        stored["listings"]["en-us"]["baseListing"]["contosoAccessibilityNotes"],
        "Screen reader tested"
    );
}

#[test]
fn property_names_are_taken_in_any_case() {
    let sim = Simulator::start();
    let (id, created) = create(&sim, &app_path());
    let mut body = created.clone();
    body["applicationPackages"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "FileName": "new.msix", "FileStatus": "PendingUpload",
            "MinimumDirectXVersion": "None", "minimumSystemRam": "None"
        }));
    let (status, answer) = put(&sim, &app_path(), &id, body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        sim.submission(&id)["applicationPackages"][1],
        json!({"fileName": "new.msix", "fileStatus": "PendingUpload", "minimumDirectXVersion": "None", "minimumSystemRam": "None"})
    );
}

#[test]
fn rank_higher_than_takes_what_the_service_writes() {
    let sim = Simulator::start();
    let flights = format!("applications/{APP_ID}/flights");
    // The seeded flight is the lowest: "Non-flighted submission" is below it.
    let (_, seeded) = sim.api("GET", &format!("{flights}/{SEED_FLIGHT_ID}"), None);
    assert_eq!(seeded["rankHigherThan"], "Non-flighted submission");
    let (status, by_id) = sim.api(
        "POST",
        &flights,
        Some(json!({"friendlyName": "by-id", "groupIds": ["1"], "rankHigherThan": SEED_FLIGHT_ID})),
    );
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(by_id["rankHigherThan"], SEED_FLIGHT_ID);
    let (status, lowest) = sim.api(
        "POST",
        &flights,
        Some(json!({"friendlyName": "lowest", "groupIds": ["1"], "rankHigherThan": "Non-flighted submission"})),
    );
    assert_eq!(status, 200, "{lowest}");
    assert_eq!(lowest["rankHigherThan"], "Non-flighted submission");
    let (_, seeded) = sim.api("GET", &format!("{flights}/{SEED_FLIGHT_ID}"), None);
    assert_eq!(seeded["rankHigherThan"], lowest["flightId"]);
    let (status, _) = sim.api(
        "POST",
        &flights,
        Some(json!({"friendlyName": "nowhere", "rankHigherThan": "no-such-flight"})),
    );
    assert_eq!(status, 400);
}

// ----- commit and processing -----

/// PUTs `body`, uploads `zip` (if any), commits and waits for a final status; answers the
/// stored submission.
fn commit(sim: &Simulator, path: &str, id: &str, body: Value, zip: Option<Vec<u8>>) -> Value {
    let (status, answer) = put(sim, path, id, body);
    assert_eq!(status, 200, "{answer}");
    if let Some(zip) = zip {
        let url = answer["fileUploadUrl"]
            .as_str()
            .unwrap()
            .replace('+', "%2B");
        ureq::put(&url)
            .header("x-ms-blob-type", "BlockBlob")
            .send(&zip[..])
            .expect("upload");
    }
    let (status, answer) = sim.api("POST", &format!("{path}/{id}/commit"), None);
    assert_eq!(status, 200, "{answer}");
    let started = std::time::Instant::now();
    loop {
        let (_, now) = sim.api("GET", &format!("{path}/{id}/status"), None);
        let status = now["status"].as_str().unwrap_or_default().to_string();
        if status.ends_with("Failed") || status == "Release" || status == "Published" {
            return sim.submission(id);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "stuck in {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn assert_failed(submission: &Value, status: &str, code: &str, names: &str) {
    assert_eq!(submission["status"], status, "{submission}");
    let error = &submission["statusDetails"]["errors"][0];
    assert_eq!(error["code"], code, "{submission}");
    assert!(
        error["details"].as_str().unwrap().contains(names),
        "{names:?} not in {error}"
    );
}

#[test]
fn an_uploaded_package_the_service_never_received_fails_the_commit() {
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &app_path());
    body["applicationPackages"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "fileName": "ghost.msix", "fileStatus": "Uploaded",
            "minimumDirectXVersion": "None", "minimumSystemRam": "None"
        }));
    let stored = commit(&sim, &app_path(), &id, body, None);
    assert_failed(&stored, "CommitFailed", "MissingFiles", "ghost.msix");
    assert_ne!(
        sim.state()["apps"][APP_ID]["lastPublishedApplicationSubmission"]["id"],
        json!(id)
    );
}

#[test]
fn an_uploaded_image_or_icon_the_service_never_received_fails_the_commit() {
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &app_path());
    body["listings"]["en-us"]["baseListing"]["images"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"fileName": "ghost.png", "fileStatus": "Uploaded", "imageType": "Screenshot"}),
        );
    let stored = commit(&sim, &app_path(), &id, body, None);
    assert_failed(&stored, "CommitFailed", "MissingFiles", "ghost.png");

    let (id, mut body) = create(&sim, &addon_path());
    body["listings"]["en"]["icon"] = json!({"fileName": "ghost.png", "fileStatus": "Uploaded"});
    let stored = commit(&sim, &addon_path(), &id, body, None);
    assert_failed(&stored, "CommitFailed", "MissingFiles", "ghost.png");
}

#[test]
fn an_app_submission_without_a_package_fails() {
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &app_path());
    for package in body["applicationPackages"].as_array_mut().unwrap() {
        package["fileStatus"] = json!("PendingDelete");
    }
    let stored = commit(&sim, &app_path(), &id, body, None);
    assert_failed(
        &stored,
        "CommitFailed",
        "InvalidParameterValue",
        "no packages",
    );
    let (status, _) = sim.api("DELETE", &format!("{}/{id}", app_path()), None);
    assert_eq!(status, 200);

    let (id, mut body) = create(&sim, &app_path());
    body["applicationPackages"] = json!([]);
    // Leaving the published package out does not delete it: the submission keeps it.
    let stored = commit(&sim, &app_path(), &id, body, None);
    assert_ne!(stored["status"], "CommitFailed", "{stored}");
}

#[test]
fn addon_icons_that_are_not_300_by_300_png_fail_pre_processing() {
    for (bytes, problem) in [
        (png(30, 30), "is 30 x 30 pixels"),
        (b"GIF89a not a png at all".to_vec(), "is not a PNG"),
    ] {
        let sim = Simulator::start();
        let (id, mut body) = create(&sim, &addon_path());
        body["listings"]["en"]["icon"] =
            json!({"fileName": "icons/coin.png", "fileStatus": "PendingUpload"});
        let zip = zip_of(&[("icons/coin.png", &bytes)]);
        let stored = commit(&sim, &addon_path(), &id, body, Some(zip));
        assert_failed(
            &stored,
            "PreProcessingFailed",
            "InvalidParameterValue",
            problem,
        );
        assert!(
            stored["statusDetails"]["errors"][0]["details"]
                .as_str()
                .unwrap()
                .contains("icons/coin.png")
        );
    }
    // A 300 × 300 PNG goes through.
    let sim = Simulator::start();
    let (id, mut body) = create(&sim, &addon_path());
    body["listings"]["en"]["icon"] =
        json!({"fileName": "icons/coin.png", "fileStatus": "PendingUpload"});
    let zip = zip_of(&[("icons/coin.png", &png(300, 300))]);
    let stored = commit(&sim, &addon_path(), &id, body, Some(zip));
    assert!(
        ["Release", "Published"].contains(&stored["status"].as_str().unwrap()),
        "{stored}"
    );
}

#[test]
fn each_kind_of_submission_keeps_only_its_own_fields() {
    let sim = Simulator::start();
    // A flight submission has no listings or pricing.
    let (id, mut body) = create(&sim, &flight_path());
    body["listings"] = json!({"en-us": {"baseListing": {"title": "x"}}});
    body["pricing"] = json!({"priceId": "Free"});
    let (status, answer) = put(&sim, &flight_path(), &id, body);
    assert_eq!(status, 200, "{answer}");
    let stored = sim.submission(&id);
    assert!(
        stored.get("listings").is_none() && stored.get("pricing").is_none(),
        "{stored}"
    );
    // An add-on's pricing has no trial period.
    let (id, mut body) = create(&sim, &addon_path());
    body["pricing"]["trialPeriod"] = json!("SevenDays");
    body["applicationPackages"] = json!("x");
    let (status, answer) = put(&sim, &addon_path(), &id, body);
    assert_eq!(status, 200, "{answer}");
    let stored = sim.submission(&id);
    assert!(stored["pricing"].get("trialPeriod").is_none(), "{stored}");
    assert!(stored.get("applicationPackages").is_none(), "{stored}");
}
