//! Flights and add-ons: the flows of the API's own samples (token, create and delete an
//! add-on, create and delete a flight, add-on and flight submissions), paging, name
//! resolution, and `status` for each kind of product.

use serde_json::{Value, json};

use crate::util::*;

const SEED_FLIGHT_ID: &str = "7bfc11d5-f710-47c5-8a98-e04bb5aad310";
const SEED_ADDON_ID: &str = "9NBLGGH4TNMP";

fn run(sim: &Simulator, ws: &Workspace, args: &[&str]) -> Outcome {
    let mut run = Run::against(ws, sim);
    run.github(ws).args(args);
    run.run()
}

#[test]
fn obtain_a_token_from_both_endpoints() {
    let sim = Simulator::start();
    // v1 (`resource=`, numbers as strings) answers a token the API takes.
    let (status, app) = sim.api("GET", &format!("applications/{APP_ID}"), None);
    assert_eq!(status, 200);
    assert_eq!(app["id"], APP_ID);
    // The tool itself uses v2 (`scope=…/.default`).
    let ws = Workspace::new();
    let out = run(&sim, &ws, &["list", "--list", "apps"]);
    out.assert_code(0);
    let requests = sim.requests();
    let v2 = format!("/{}/oauth2/v2.0/token", sim.tenant_id);
    let after_v1: Vec<&Value> = requests
        .iter()
        .skip_while(|r| r["path"] != v2.as_str())
        .collect();
    assert!(!after_v1.is_empty(), "{requests:?}");
    assert_eq!(after_v1[0]["status"], 200);
    assert_eq!(after_v1[1]["path"], "/v1.0/my/applications");
    assert_eq!(after_v1[1]["status"], 200);
}

#[test]
fn create_and_delete_an_addon() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let out = run(
        &sim,
        &ws,
        &[
            "create-addon",
            "--app-id",
            APP_ID,
            "--addon-product-id",
            "coins-100",
            "--addon-type",
            "Consumable",
        ],
    );
    out.assert_code(0);
    let addon_id = out.output("addon-id").to_string();
    assert_eq!(addon_id.len(), 12, "{addon_id}");
    let addon = &sim.state()["addons"][&addon_id];
    assert_eq!(addon["productId"], "coins-100");
    assert_eq!(addon["productType"], "Consumable");
    assert_eq!(addon["applications"]["value"][0]["id"], APP_ID);
    assert!(addon.get("pendingInAppProductSubmission").is_none());

    // A second add-on with the same product id is refused by the service: a conflict.
    let again = run(
        &sim,
        &ws,
        &[
            "create-addon",
            "--app-id",
            APP_ID,
            "--addon-product-id",
            "coins-100",
            "--addon-type",
            "Consumable",
        ],
    );
    again.assert_code(4);

    let deleted = run(
        &sim,
        &ws,
        &["delete-addon", "--addon-product-id", "coins-100"],
    );
    deleted.assert_code(0);
    assert_eq!(deleted.output("addon-id"), addon_id);
    assert!(sim.state()["addons"].get(&addon_id).is_none());
    // Deleting what is gone is done, not an error (a re-run after a lost answer).
    let repeat = run(&sim, &ws, &["delete-addon", "--addon-id", &addon_id]);
    repeat.assert_code(0);
    assert!(
        repeat.stdout.contains("nothing to delete"),
        "{}",
        repeat.log()
    );
}

#[test]
fn create_a_flight_then_submit_to_it_by_name_and_delete_it() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let out = run(
        &sim,
        &ws,
        &[
            "create-flight",
            "--app-id",
            APP_ID,
            "--flight-name",
            "Insiders",
            "--group-ids",
            "1152921504606962205, 1152921504607280735",
        ],
    );
    out.assert_code(0);
    let flight_id = out.output("flight-id").to_string();
    let started = out.output("submission-id").to_string();
    let flight = &sim.state()["flights"][&flight_id];
    assert_eq!(flight["friendlyName"], "Insiders");
    assert_eq!(
        flight["groupIds"],
        json!(["1152921504606962205", "1152921504607280735"])
    );
    assert_eq!(flight["pendingFlightSubmission"]["id"], json!(started));
    // The flight quirk: its resourceLocation cannot be appended to /v1.0/my/.
    assert_eq!(
        flight["pendingFlightSubmission"]["resourceLocation"],
        json!(format!("flights/{flight_id}/submissions/{started}"))
    );
    // The new flight ranks highest: above the seeded one.
    assert_eq!(flight["rankHigherThan"], SEED_FLIGHT_ID);

    // The submission the service started with the flight is used, not refused as pending.
    ws.package("ContosoReader_1.1.0.0_x64.msix");
    let submitted = run(
        &sim,
        &ws,
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "Insiders",
            "--packages",
            "*.msix",
        ],
    );
    submitted.assert_code(0);
    assert_eq!(submitted.output("submission-id"), started);
    assert_eq!(submitted.output("flight-id"), flight_id);
    // What the run sent, not the stored entry: processing goes on after the run and adds the
    // package's metadata once PreProcessing is left (docs/simulator.md, "Pre-processing").
    let sent = &sim.state()["submissions"][&started]["lastPut"];
    assert_eq!(
        sent["flightPackages"],
        json!([{"fileName": "ContosoReader_1.1.0.0_x64.msix", "fileStatus": "PendingUpload", "minimumDirectXVersion": "None", "minimumSystemRam": "None"}])
    );
    assert!(
        !sim.writes()
            .iter()
            .any(|w| w.ends_with(&format!("/flights/{flight_id}/submissions")))
    );

    let deleted = run(
        &sim,
        &ws,
        &[
            "delete-flight",
            "--app-id",
            APP_ID,
            "--flight-id",
            &flight_id,
        ],
    );
    deleted.assert_code(0);
    assert!(sim.state()["flights"].get(&flight_id).is_none());
}

#[test]
fn numeric_group_ids_are_returned_as_strings() {
    let sim = Simulator::start();
    // The docs' own request (`groupIds: [0]`, `rankHigherThan: null`), under another name:
    // the seeded app already has a flight called `myflight`.
    let mut request = sample("create-a-flight-request.json");
    assert_eq!(request["groupIds"], json!([0]));
    request["friendlyName"] = json!("docs-flight");
    let (status, flight) = sim.api(
        "POST",
        &format!("applications/{APP_ID}/flights"),
        Some(request),
    );
    assert_eq!(status, 200, "{flight}");
    assert_eq!(flight["groupIds"], json!(["0"]));
    assert_eq!(flight["friendlyName"], "docs-flight");
    // The same name again is refused.
    let (again, _) = sim.api(
        "POST",
        &format!("applications/{APP_ID}/flights"),
        Some(json!({"friendlyName": "docs-flight", "groupIds": ["1"]})),
    );
    assert_eq!(again, 409);
}

#[test]
fn flight_submission_end_to_end_with_the_seeded_flight() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.1.0.0_x64.msix");
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "myflight",
            "--packages",
            "*.msix",
            "--submission-patch",
            r#"{"notesForCertification": "Beta build"}"#,
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("flight-id"), SEED_FLIGHT_ID);
    let id = out.output("submission-id");
    assert_eq!(
        out.output("submission-url"),
        format!(
            "https://partner.microsoft.com/dashboard/products/{APP_ID}/flights/{SEED_FLIGHT_ID}/submissions/{id}/"
        )
    );
    let stored = sim.submission(id);
    let packages: Vec<(String, String)> = stored["flightPackages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["fileName"].as_str().unwrap().into(),
                p["fileStatus"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        packages,
        [
            ("newPackage.appx".to_string(), "PendingDelete".to_string()),
            (
                "ContosoReader_1.1.0.0_x64.msix".into(),
                "PendingUpload".into()
            ),
        ]
    );
    assert_eq!(stored["notesForCertification"], "Beta build");
    assert_eq!(stored["flightId"], SEED_FLIGHT_ID);
    assert_eq!(
        zip_entries(&sim.uploaded_zip(&stored)),
        ["ContosoReader_1.1.0.0_x64.msix"]
    );
    // The flight publishes Immediate: give it time and it is published.
    let status = Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "status",
            "--app-id",
            APP_ID,
            "--flight-id",
            SEED_FLIGHT_ID,
            "--submission-id",
            id,
            "--wait-for",
            "published",
            "--timeout",
            "30s",
        ])
        .run();
    status.assert_code(0);
    assert_eq!(status.output("status"), "Published");
    let flight = &sim.state()["flights"][SEED_FLIGHT_ID];
    assert_eq!(flight["lastPublishedFlightSubmission"]["id"], json!(id));
    assert!(flight.get("pendingFlightSubmission").is_none());
}

#[test]
fn addon_submission_with_a_new_icon() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("icons/coin-en.png", &png(300, 300));
    let patch = json!({
        "listings": {"en": {"icon": {"fileName": "icons/coin-en.png", "fileStatus": "PendingUpload"}, "title": "Gold coins"}},
        "pricing": {"priceId": "Tier5"},
        "keywords": ["coins", "gold"],
    });
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--addon-id",
            SEED_ADDON_ID,
            "--submission-patch",
            &patch.to_string(),
            "--assets-dir",
            ".",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.output("addon-id"), SEED_ADDON_ID);
    assert_eq!(out.output("packages"), "[]");
    let stored = sim.submission(out.output("submission-id"));
    assert_eq!(
        stored["listings"]["en"]["icon"]["fileStatus"],
        "PendingUpload"
    );
    assert_eq!(stored["listings"]["en"]["title"], "Gold coins");
    // What the patch did not touch is as published, including the docs' sample fields.
    assert_eq!(
        stored["listings"]["ru"]["icon"]["fileName"],
        "add-on-ru-listing.png"
    );
    assert_eq!(
        stored["pricing"]["marketSpecificPricings"],
        json!({"RU": "Tier3", "US": "Tier4"})
    );
    assert_eq!(stored["pricing"]["priceId"], "Tier5");
    assert_eq!(stored["tag"], "SampleTag");
    assert_eq!(stored["lifetime"], "FiveDays");
    let zip = sim.uploaded_zip(&stored);
    assert_eq!(zip_entries(&zip), ["icons/coin-en.png"]);
}

#[test]
fn addon_icons_must_be_300_by_300_png() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("small.png", &png(64, 64));
    ws.write("fake.png", b"GIF89a");
    let patch = json!({"listings": {
        "en": {"icon": {"fileName": "small.png", "fileStatus": "PendingUpload"}},
        "ru": {"icon": {"fileName": "fake.png", "fileStatus": "PendingUpload"}}
    }});
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--addon-id",
            SEED_ADDON_ID,
            "--submission-patch",
            &patch.to_string(),
            "--assets-dir",
            ".",
            "--release-notes",
            "x",
        ],
    );
    out.assert_code(2);
    assert!(out.stdout.contains("`small.png` is 64×64"), "{}", out.log());
    assert!(
        out.stdout.contains("`fake.png` is not a PNG"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("input `release-notes`"),
        "{}",
        out.log()
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn a_flight_needs_a_published_app() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    sim.seed(json!({"appId": "9PNEWAPP0001", "published": false}));
    let created = run(
        &sim,
        &ws,
        &[
            "create-flight",
            "--app-id",
            "9PNEWAPP0001",
            "--flight-name",
            "Early",
            "--group-ids",
            "1",
        ],
    );
    created.assert_code(0);
    ws.package("App.msix");
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--app-id",
            "9PNEWAPP0001",
            "--flight-name",
            "Early",
            "--packages",
            "App.msix",
            "--on-pending",
            "delete",
        ],
    );
    out.assert_code(4);
    assert!(
        out.stdout.contains("has no published submission yet"),
        "{}",
        out.log()
    );
}

#[test]
fn lists_follow_every_page() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    sim.seed(json!({"appId": "9PAGEDAPP001", "flights": 230, "addons": 120}));
    let out = Run::against(&ws, &sim)
        .args([
            "list",
            "--list",
            "flights",
            "--app-id",
            "9PAGEDAPP001",
            "--output",
            "json",
        ])
        .run();
    out.assert_code(0);
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let flights = result["items"].as_array().unwrap();
    assert_eq!(flights.len(), 231); // the seeded default flight and 230 more
    let names: std::collections::BTreeSet<&str> = flights
        .iter()
        .map(|f| f["friendlyName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 231);
    let pages = sim
        .requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("/listflights"))
        .count();
    assert_eq!(pages, 3);

    let addons = Run::against(&ws, &sim)
        .args([
            "list",
            "--list",
            "addons",
            "--app-id",
            "9PAGEDAPP001",
            "--output",
            "json",
        ])
        .run();
    addons.assert_code(0);
    let result: Value = serde_json::from_str(addons.stdout.trim()).unwrap();
    assert_eq!(result["items"].as_array().unwrap().len(), 121);

    // The text table in a terminal.
    let table = Run::against(&ws, &sim)
        .args(["list", "--list", "apps"])
        .run();
    table.assert_code(0);
    assert!(
        table.stdout.lines().next().unwrap().starts_with("id "),
        "{}",
        table.log()
    );
    assert!(table.stdout.contains("9PAGEDAPP001"));
}

#[test]
fn an_empty_list_is_a_404_and_an_empty_list() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    sim.seed(json!({"appId": "9PEMPTY00001", "published": false}));
    let out = Run::against(&ws, &sim)
        .args([
            "list",
            "--list",
            "flights",
            "--app-id",
            "9PEMPTY00001",
            "--output",
            "json",
        ])
        .run();
    out.assert_code(0);
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(result["items"], json!([]));
    assert!(
        sim.requests()
            .iter()
            .any(|r| r["path"].as_str().unwrap().ends_with("/listflights") && r["status"] == 404)
    );
    // An app that does not exist is not an empty list.
    let missing = Run::against(&ws, &sim)
        .args(["list", "--list", "flights", "--app-id", "9PNOSUCHAPP1"])
        .run();
    missing.assert_code(2);
    assert!(
        missing.stderr.contains("no app with Store ID 9PNOSUCHAPP1"),
        "{}",
        missing.log()
    );
}

#[test]
fn names_that_resolve_to_nothing() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("App.msix");
    let out = run(
        &sim,
        &ws,
        &[
            "submit",
            "--app-id",
            APP_ID,
            "--flight-name",
            "MyFlight",
            "--packages",
            "App.msix",
        ],
    );
    out.assert_code(2);
    assert!(
        out.stdout.contains("no flight named `MyFlight`"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("did you mean `myflight`"),
        "{}",
        out.log()
    );
    assert!(out.stdout.contains(SEED_FLIGHT_ID), "{}", out.log());
    let addon = run(
        &sim,
        &ws,
        &[
            "submit",
            "--addon-product-id",
            "NoSuchThing",
            "--submission-patch",
            "{\"tag\": \"x\"}",
        ],
    );
    addon.assert_code(2);
    assert!(
        addon
            .stdout
            .contains("no add-on has the product id `NoSuchThing`"),
        "{}",
        addon.log()
    );
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
}

#[test]
fn status_of_flights_and_addons() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let flight = run(
        &sim,
        &ws,
        &["status", "--app-id", APP_ID, "--flight-name", "myflight"],
    );
    flight.assert_code(0);
    assert_eq!(flight.output("status"), "Published");
    assert_eq!(flight.output("flight-id"), SEED_FLIGHT_ID);
    let addon = run(&sim, &ws, &["status", "--addon-product-id", "TestAddOn"]);
    addon.assert_code(0);
    assert_eq!(addon.output("addon-id"), SEED_ADDON_ID);
    assert_eq!(addon.output("status"), "Published");
}
