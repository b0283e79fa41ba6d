//! The submission API (`/v1.0/my/…`, https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services;
//! the ids are those of docs/simulator.md, "Endpoint ids"): apps (A1–A4), flights (F1–F3),
//! add-ons (I1–I4), and submissions of all three (S1–S6, FS1–FS6, IS1–IS6), which share one
//! set of handlers keyed by what the submission belongs to.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::quirks::{AddonDelete, FlightCreate};
use super::state::{
    Blob, Owner, State as World, Submission, empty_addon_submission, empty_flight_submission,
    reference,
};
use super::validate;

/// The service's error body (`samples/error-409-…` from
/// https://github.com/microsoft/windows-dev-center-vsts-extension/issues/80, `error-500-…` from
/// https://github.com/microsoft/StoreBroker/issues/174 and /issues/208).
pub(super) fn api_error(status: StatusCode, code: &str, message: &str, target: &str) -> Response {
    let body = json!({
        "code": code,
        "data": [],
        "details": [],
        "message": message,
        "source": "Ingestion Api",
        "target": target,
    });
    (status, axum::Json(body)).into_response()
}

/// A JSON request body without a leading UTF-8 byte-order mark. UNKNOWN: what the service
/// does with one; ASP.NET's JSON readers, Web API's and ASP.NET Core's alike, skip it, and
/// Windows tools (PowerShell 5's `Out-File -Encoding utf8`) write it, so it is accepted.
pub(super) fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(body)
}

pub(super) fn ok(value: Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// Checks the bearer token: an Entra access token for this API, signed with the simulated
/// Entra's key, current, and not ended early by the `expire-token` fault. The scheme is
/// matched ignoring case (`bearer` works), as HTTP authentication schemes are
/// case-insensitive (RFC 7235 §2.1) and ASP.NET, which serves the API, matches them so.
/// UNKNOWN: the body of the service's 401; this sends the error shape the service uses
/// elsewhere.
fn authorize(world: &World, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token.trim());
    let refuse = |message: &str| {
        let mut response = api_error(StatusCode::UNAUTHORIZED, "Unauthorized", message, "");
        response.headers_mut().insert(
            "WWW-Authenticate",
            axum::http::HeaderValue::from_static("Bearer"),
        );
        response
    };
    let Some(token) = token else {
        return Err(refuse("No bearer token."));
    };
    world.entra.validate(token).map_err(refuse)?;
    match world.tokens.get(token) {
        Some(issued) if issued.expires <= Instant::now() => {
            Err(refuse("The access token has expired."))
        }
        _ => Ok(()),
    }
}

/// Locks the world, moves the clock, and checks the token: the start of every handler.
pub(super) fn enter<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
) -> Result<std::sync::MutexGuard<'a, World>, Response> {
    let mut world = shared.lock().expect("simulator state");
    world.advance();
    authorize(&world, headers)?;
    Ok(world)
}

macro_rules! enter {
    ($shared:expr, $headers:expr) => {
        match enter(&$shared, &$headers) {
            Ok(world) => world,
            Err(response) => return response,
        }
    };
}

pub async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The requested resource was not found.",
        "",
    )
}

fn app_not_found(app_id: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("Application {app_id} was not found."),
        "application",
    )
}

fn flight_not_found(flight_id: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("Flight {flight_id} was not found."),
        "flight",
    )
}

fn addon_not_found(addon_id: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("In-app product {addon_id} was not found."),
        "inAppProduct",
    )
}

// ----- lists -----

/// One page of a list: `top`/`skip`, `@nextLink` relative to `/v1.0/my/` while more
/// remain, `totalCount`. Empty lists are 404s ("No apps/add-ons/package flights were
/// found": https://learn.microsoft.com/windows/uwp/monetize/get-all-apps, get-all-add-ons, get-flights-for-an-app). Without `top`, apps come ten at a time as documented; the other
/// lists return everything (the docs say so for add-ons).
fn page(
    items: Vec<Value>,
    query: &HashMap<String, String>,
    link_base: &str,
    default_top: Option<usize>,
    what: &str,
) -> Response {
    if items.is_empty() {
        return api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("No {what} were found."),
            "",
        );
    }
    let number = |name: &str| query.get(name).and_then(|v| v.parse::<usize>().ok());
    let skip = number("skip").unwrap_or(0);
    let top = number("top").or(default_top).unwrap_or(items.len()).max(1);
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({"value": value, "totalCount": total});
    if skip + top < total {
        body["@nextLink"] = json!(format!("{link_base}?skip={}&top={top}", skip + top));
    }
    ok(body)
}

pub async fn list_applications(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    let items = world
        .apps
        .iter()
        .map(|(id, app)| world.application_json(app, id))
        .collect();
    page(items, &query, "applications", Some(10), "apps")
}

pub async fn list_flights(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    // UNKNOWN: whether an unknown app gives a 404 different from "no flights"; both are 404.
    let items = world
        .apps
        .get(&app_id)
        .map(|app| {
            app.flights
                .iter()
                .filter_map(|id| world.flight_json(id))
                .collect()
        })
        .unwrap_or_default();
    page(
        items,
        &query,
        &format!("applications/{app_id}/listflights"),
        None,
        "package flights",
    )
}

pub async fn list_app_addons(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    let items = world
        .addons
        .iter()
        .filter(|(_, a)| a.app_ids.contains(&app_id))
        .map(|(id, _)| json!({"inAppProductId": id}))
        .collect();
    page(
        items,
        &query,
        &format!("applications/{app_id}/listinappproducts/"),
        None,
        "add-ons",
    )
}

pub async fn list_addons(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    let items = world
        .addons
        .keys()
        .filter_map(|id| world.addon_json(id))
        .collect();
    page(items, &query, "inappproducts/", None, "add-ons")
}

// ----- apps, flights, add-ons -----

pub async fn get_application(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    match world.apps.get(&app_id) {
        Some(app) => ok(world.application_json(app, &app_id)),
        None => app_not_found(&app_id),
    }
}

pub async fn get_flight(
    State(shared): State<Shared>,
    Path((app_id, flight_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    if !world.apps.contains_key(&app_id) {
        return app_not_found(&app_id);
    }
    match world.flights.get(&flight_id) {
        Some(flight) if flight.app_id == app_id => {
            ok(world.flight_json(&flight_id).unwrap_or_default())
        }
        _ => flight_not_found(&flight_id),
    }
}

/// F2. The service starts a pending submission with the new flight: StoreBroker reads
/// `pendingFlightSubmission` from this answer, although the docs say none is created and
/// their example answer has only the four fields below (https://learn.microsoft.com/windows/uwp/monetize/create-a-flight; StoreBroker's
/// `New-ApplicationFlight` relies on the pending submission). Numeric
/// `groupIds` are accepted and returned as strings; `rankHigherThan` is taken as a friendly
/// name and returned as the id of that flight (the example of https://learn.microsoft.com/windows/uwp/monetize/create-a-flight).
pub async fn create_flight(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers);
    if !world.apps.contains_key(&app_id) {
        return app_not_found(&app_id);
    }
    let bad = |message: &str| {
        api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            message,
            "flight",
        )
    };
    let Ok(request) = serde_json::from_slice::<Value>(without_bom(&body)) else {
        return bad("The request body is not valid JSON.");
    };
    // UNKNOWN: the docs call every field optional; a flight without a name cannot be told
    // apart in Partner Center, so this asks for one.
    let Some(name) = request
        .get("friendlyName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
    else {
        return bad("friendlyName is required.");
    };
    let mut group_ids = Vec::new();
    for id in request
        .get("groupIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match id {
            Value::String(s) if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() => {
                group_ids.push(s.clone())
            }
            Value::Number(n) if n.is_u64() => group_ids.push(n.to_string()),
            other => return bad(&format!("Invalid group id {other}.")),
        }
    }
    // UNKNOWN: the answer for a name already used by another flight of the app.
    if world.flight_named(&app_id, name).is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!("A flight named '{name}' already exists."),
            "flight",
        );
    }
    // `rankHigherThan` is documented as the friendly name of the flight just below, but the
    // service's own answers carry a flight id there, or "Non-flighted submission" for the
    // lowest: all three are taken. UNKNOWN: whether the service takes an id or "Non-flighted
    // submission" on input (here: yes, as it writes them), and the answer for a name it
    // does not know (here: 400).
    let ranks = world.apps[&app_id].flights.clone();
    let position = match request.get("rankHigherThan") {
        None | Some(Value::Null) => 0,
        Some(Value::String(lower)) if lower == "Non-flighted submission" => ranks.len(),
        Some(Value::String(lower)) => {
            let lower_id = world
                .flight_named(&app_id, lower)
                .cloned()
                .or_else(|| ranks.iter().find(|id| *id == lower).cloned());
            match lower_id {
                Some(lower_id) => ranks.iter().position(|id| *id == lower_id).unwrap_or(0),
                None => return bad(&format!("rankHigherThan: no flight named '{lower}'.")),
            }
        }
        Some(other) => return bad(&format!("rankHigherThan must be a string, not {other}.")),
    };
    let flight_id = uuid::Uuid::new_v4().to_string();
    let owner = Owner::Flight {
        app_id: app_id.clone(),
        flight_id: flight_id.clone(),
    };
    let answer = world.quirks.flight_create;
    if answer == FlightCreate::NoSubmission {
        world.flights.insert(
            flight_id.clone(),
            super::state::Flight {
                app_id: app_id.clone(),
                friendly_name: name.to_string(),
                group_ids,
                pending: None,
                published: None,
                submissions_made: 0,
            },
        );
        world
            .apps
            .get_mut(&app_id)
            .expect("checked above")
            .flights
            .insert(position, flight_id.clone());
        let resource = world.flight_json(&flight_id).unwrap_or_default();
        return ok(json!({
            "flightId": flight_id,
            "friendlyName": resource["friendlyName"],
            "groupIds": resource["groupIds"],
            "rankHigherThan": resource["rankHigherThan"],
        }));
    }
    let submission_id = world.next_id();
    let (blob, url) = world.new_upload_url();
    let mut submission = empty_flight_submission();
    submission["id"] = json!(submission_id);
    submission["flightId"] = json!(flight_id);
    submission["status"] = json!("PendingCommit");
    submission["fileUploadUrl"] = json!(url);
    world.submissions.insert(
        submission_id.clone(),
        Submission {
            id: submission_id.clone(),
            owner: owner.clone(),
            body: submission,
            blob,
            timeline: Vec::new(),
            failure: Vec::new(),
            publish_applied: false,
        },
    );
    world.flights.insert(
        flight_id.clone(),
        super::state::Flight {
            app_id: app_id.clone(),
            friendly_name: name.to_string(),
            group_ids,
            pending: Some(submission_id.clone()),
            published: None,
            submissions_made: 1,
        },
    );
    world
        .apps
        .get_mut(&app_id)
        .expect("checked above")
        .flights
        .insert(position, flight_id.clone());
    let resource = world.flight_json(&flight_id).unwrap_or_default();
    let mut created = json!({
        "flightId": flight_id,
        "friendlyName": resource["friendlyName"],
        "groupIds": resource["groupIds"],
        "rankHigherThan": resource["rankHigherThan"],
    });
    if answer == FlightCreate::StoreBroker {
        created["pendingFlightSubmission"] = reference(&owner, &submission_id);
    }
    ok(created)
}

pub async fn delete_flight(
    State(shared): State<Shared>,
    Path((app_id, flight_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers);
    if !world.apps.contains_key(&app_id) {
        return app_not_found(&app_id);
    }
    if world
        .flights
        .get(&flight_id)
        .is_none_or(|f| f.app_id != app_id)
    {
        return flight_not_found(&flight_id);
    }
    // UNKNOWN: whether a flight with a submission in certification can be deleted.
    world.flights.remove(&flight_id);
    world
        .submissions
        .retain(|_, s| !matches!(&s.owner, Owner::Flight { flight_id: f, .. } if *f == flight_id));
    if let Some(app) = world.apps.get_mut(&app_id) {
        app.flights.retain(|id| *id != flight_id);
    }
    StatusCode::OK.into_response()
}

pub async fn get_addon(
    State(shared): State<Shared>,
    Path(addon_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    match world.addon_json(&addon_id) {
        Some(resource) => ok(resource),
        None => addon_not_found(&addon_id),
    }
}

/// I3. The answer has no submission pointers: a new add-on has none
/// (https://learn.microsoft.com/windows/uwp/monetize/create-an-add-on).
pub async fn create_addon(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers);
    let bad = |message: &str| {
        api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            message,
            "inAppProduct",
        )
    };
    let Ok(request) = serde_json::from_slice::<Value>(without_bom(&body)) else {
        return bad("The request body is not valid JSON.");
    };
    let apps: Vec<String> = request
        .get("applicationIds")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // "Currently, only one app ID is supported" (https://learn.microsoft.com/windows/uwp/monetize/create-an-add-on).
    if apps.len() != 1 {
        return bad("applicationIds must hold exactly one application id.");
    }
    if !world.apps.contains_key(&apps[0]) {
        return app_not_found(&apps[0]);
    }
    let Some(product_id) = request
        .get("productId")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
    else {
        return bad("productId is required.");
    };
    // The docs list Durable and Consumable; StoreBroker also sends NotSet and Subscription.
    let product_type = request
        .get("productType")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !["Durable", "Consumable", "NotSet", "Subscription"].contains(&product_type) {
        return bad(&format!("Invalid value '{product_type}' for productType."));
    }
    // UNKNOWN: the exact answer for a product id already used in the account.
    if world.addons.values().any(|a| a.product_id == product_id) {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!("An in-app product with product id '{product_id}' already exists."),
            "inAppProduct",
        );
    }
    let addon_id = world.new_store_id();
    world.addons.insert(
        addon_id.clone(),
        super::state::Addon {
            product_id: product_id.to_string(),
            product_type: product_type.to_string(),
            app_ids: apps,
            pending: None,
            published: None,
            submissions_made: 0,
        },
    );
    ok(world.addon_json(&addon_id).unwrap_or_default())
}

pub async fn delete_addon(
    State(shared): State<Shared>,
    Path(addon_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers);
    let Some(addon) = world.addons.get(&addon_id) else {
        return addon_not_found(&addon_id);
    };
    // See `AddonDelete` for why this refuses by default.
    if let Some(pending) = &addon.pending
        && world.quirks.addon_delete_with_pending == AddonDelete::Refuse
    {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!(
                "In-app product {addon_id} has a pending submission ({pending}) and cannot be deleted."
            ),
            "inAppProduct",
        );
    }
    world.addons.remove(&addon_id);
    world
        .submissions
        .retain(|_, s| s.owner != Owner::Addon(addon_id.clone()));
    StatusCode::OK.into_response()
}

// ----- submissions -----

/// Which product a submission path names, or the 404 for it.
fn owner_of(world: &World, params: &HashMap<String, String>) -> Result<Owner, Response> {
    if let Some(addon_id) = params.get("addon_id") {
        return if world.addons.contains_key(addon_id) {
            Ok(Owner::Addon(addon_id.clone()))
        } else {
            Err(addon_not_found(addon_id))
        };
    }
    let app_id = params.get("app_id").cloned().unwrap_or_default();
    if !world.apps.contains_key(&app_id) {
        return Err(app_not_found(&app_id));
    }
    match params.get("flight_id") {
        None => Ok(Owner::App(app_id)),
        Some(flight_id)
            if world
                .flights
                .get(flight_id)
                .is_some_and(|f| f.app_id == app_id) =>
        {
            Ok(Owner::Flight {
                app_id,
                flight_id: flight_id.clone(),
            })
        }
        Some(flight_id) => Err(flight_not_found(flight_id)),
    }
}

/// The submission `id` of `owner`, or the error the service gives.
fn find<'a>(world: &'a World, owner: &Owner, id: &str) -> Result<&'a Submission, Response> {
    match world.submissions.get(id) {
        None => Err(api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("Submission {id} was not found."),
            "submission",
        )),
        // A submission of another product is a 409, as documented.
        Some(s) if s.owner != *owner => Err(api_error(
            StatusCode::CONFLICT,
            "InvalidOperation",
            &format!("Submission {id} does not belong to the specified product."),
            "submission",
        )),
        Some(s) => Ok(s),
    }
}

/// Resolves the owner and the submission of a submission path.
pub(super) fn locate<'a>(
    world: &'a World,
    params: &HashMap<String, String>,
) -> Result<(Owner, &'a Submission), Response> {
    let owner = owner_of(world, params)?;
    let id = params.get("submission_id").cloned().unwrap_or_default();
    let submission = find(world, &owner, &id)?;
    Ok((owner, submission))
}

/// S1/FS1/IS1: a new pending submission, cloned from the last published one.
pub async fn create_submission(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers);
    let owner = match owner_of(&world, &params) {
        Ok(o) => o,
        Err(r) => return r,
    };
    // A flight submission needs the app to have a published submission: users get a 404
    // when none exists. UNKNOWN: the body of that 404; this is the service's usual one.
    if let Owner::Flight { app_id, .. } = &owner
        && world.apps[app_id].published.is_none()
    {
        return api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "The requested resource was not found.",
            "submission",
        );
    }
    let (pending, published, made) = {
        let (pending, published, made) = world.owner_slots(&owner).expect("owner exists");
        (pending.clone(), published.clone(), *made)
    };
    // One pending submission per app, flight and add-on (https://learn.microsoft.com/windows/uwp/monetize/create-an-app-submission;
    // body from https://github.com/microsoft/windows-dev-center-vsts-extension/issues/80).
    if pending.is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            "Create submission failed, status code Conflict, reason phrase Conflict",
            "submission",
        );
    }
    if let Some(refused) = super::rollout::blocks_create(&world, &owner) {
        return refused;
    }
    let mut body = match (&owner, &published) {
        (_, Some(published_id)) => world.submissions[published_id].body.clone(),
        // UNKNOWN: the exact answer for an app whose first submission was never completed;
        // the docs only say the API cannot be used then.
        (Owner::App(_), None) => {
            return api_error(
                StatusCode::CONFLICT,
                "InvalidState",
                "Create submission failed: the application has no published submission to clone.",
                "submission",
            );
        }
        (Owner::Flight { flight_id, .. }, None) => {
            let mut body = empty_flight_submission();
            body["flightId"] = json!(flight_id);
            body
        }
        (Owner::Addon(_), None) => empty_addon_submission(),
    };
    super::rollout::reset_for_clone(&mut body);
    let id = world.next_id();
    let (blob, upload_url) = world.new_upload_url();
    body["id"] = json!(id);
    body["status"] = json!("PendingCommit");
    body["statusDetails"] = json!({"errors": [], "warnings": [], "certificationReports": []});
    body["fileUploadUrl"] = json!(upload_url);
    if !matches!(owner, Owner::Flight { .. }) {
        body["friendlyName"] = json!(format!("Submission {}", made + 1));
    }
    world.submissions.insert(
        id.clone(),
        Submission {
            id: id.clone(),
            owner: owner.clone(),
            body: body.clone(),
            blob,
            timeline: Vec::new(),
            failure: Vec::new(),
            publish_applied: false,
        },
    );
    let (pending, _, made) = world.owner_slots(&owner).expect("owner exists");
    *pending = Some(id);
    *made += 1;
    // `isMinimalResponse=true` answers sparsely: "listings and packages are missing"
    // (StoreBroker changelog 1.18.0; apps and flights).
    if query
        .get("isMinimalResponse")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        && let Some(object) = body.as_object_mut()
    {
        object.remove("listings");
        object.remove("applicationPackages");
        object.remove("flightPackages");
    }
    ok(body)
}

pub async fn get_submission(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    match locate(&world, &params) {
        Ok((_, s)) => ok(s.body.clone()),
        Err(r) => r,
    }
}

pub async fn get_status(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = enter!(shared, headers);
    match locate(&world, &params) {
        Ok((_, s)) => ok(json!({
            "status": s.body["status"],
            "statusDetails": s.body.get("statusDetails").cloned().unwrap_or(json!({"errors": [], "warnings": [], "certificationReports": []})),
        })),
        Err(r) => r,
    }
}

/// Fields the server owns: echoed values are ignored (https://learn.microsoft.com/windows/uwp/monetize/update-an-app-submission).
const READ_ONLY: &[&str] = &[
    "id",
    "flightId",
    "status",
    "statusDetails",
    "fileUploadUrl",
    "friendlyName",
];

pub async fn update_submission(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers);
    let (owner, stored, id) = match locate(&world, &params) {
        Ok((owner, s)) => (owner, s.body.clone(), s.id.clone()),
        Err(r) => return r,
    };
    let target = owner.target();
    if stored["status"] != "PendingCommit" {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!(
                "Submission {id} is in state {} and cannot be updated.",
                stored["status"].as_str().unwrap_or("?")
            ),
            target,
        );
    }
    let mut new: Value = match serde_json::from_slice(without_bom(&body)) {
        Ok(v @ Value::Object(_)) => {
            world.put_bodies.insert(id.clone(), v.clone());
            v
        }
        _ => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "InvalidParameterValue",
                "The request body is not a valid submission object.",
                target,
            );
        }
    };
    // Property names are matched without regard to case (`FileStatus`, `Icon`).
    validate::normalize_names(&mut new);
    let problem = match owner {
        Owner::App(_) => validate::app_submission(&new),
        Owner::Flight { .. } => validate::flight_submission(&new),
        Owner::Addon(_) => validate::addon_submission(&new),
    };
    if let Some(problem) = problem {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            &problem,
            target,
        );
    }
    if !matches!(owner, Owner::Flight { .. }) {
        let advanced = stored
            .pointer("/pricing/isAdvancedPricingModel")
            .and_then(Value::as_bool);
        if let Err(refused) =
            super::pricing::on_put(&mut new, advanced, matches!(owner, Owner::App(_)))
        {
            return refused;
        }
    }
    for field in READ_ONLY {
        match stored.get(*field) {
            Some(value) => new[*field] = value.clone(),
            None => {
                new.as_object_mut().map(|o| o.remove(*field));
            }
        }
    }
    // Nested read-only fields: the stored value stands, sent or not (the docs' own update
    // requests leave `isAdvancedPricingModel` out).
    for pointer in [
        "/pricing/isAdvancedPricingModel",
        "/packageDeliveryOptions/packageRollout/packageRolloutStatus",
        "/packageDeliveryOptions/packageRollout/fallbackSubmissionId",
    ] {
        let Some(server) = stored.pointer(pointer) else {
            continue;
        };
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        if let Some(object) = new.pointer_mut(parent).and_then(Value::as_object_mut) {
            object.insert(key.to_string(), server.clone());
        }
    }
    drop_unknown_fields(&owner, &stored, &mut new);
    settle_package_fields(&owner, &stored, &mut new);
    keep_omitted_files(&owner, &stored, &mut new);
    let submission = world.submissions.get_mut(&id).expect("found above");
    submission.body = new.clone();
    ok(new)
}

/// Top-level fields that are not API fields of this kind of submission are ignored, as a
/// typed service model ignores them: the official Python sample's `packages` (for
/// `applicationPackages`) "silently leaves packages unchanged". Fields the submission
/// already has stay (the service's own fields the docs do not list, like the seed's
/// `contoso…` ones). UNKNOWN: whether the service ignores or refuses unknown fields; the
/// Python sample's experience says ignores.
fn drop_unknown_fields(owner: &Owner, stored: &Value, new: &mut Value) {
    let fields = match owner {
        Owner::App(_) => validate::APP_FIELDS,
        Owner::Flight { .. } => validate::FLIGHT_FIELDS,
        Owner::Addon(_) => validate::ADDON_FIELDS,
    };
    if let Some(object) = new.as_object_mut() {
        object.retain(|key, _| fields.contains(&key.as_str()) || stored.get(key).is_some());
    }
}

/// A package's `version`, `architecture`, `languages`, `capabilities` and
/// `targetDeviceFamilies` are the service's (read-only, "the rest is server-populated",
/// https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions): for a package
/// the submission already holds they stay as stored, for a new one they are dropped until
/// pre-processing reads the package. So are the package facts StoreBroker strips from new
/// entries (`targetPlatform`, `targetDeviceFamiliesEx`, `minOSVersion`, `innerPackages`,
/// https://github.com/microsoft/StoreBroker, `Remove-UnofficialSubmissionProperties`).
fn settle_package_fields(owner: &Owner, stored: &Value, new: &mut Value) {
    const SERVER: &[&str] = &[
        "version",
        "architecture",
        "languages",
        "capabilities",
        "targetDeviceFamilies",
        "targetPlatform",
        "targetDeviceFamiliesEx",
        "minOSVersion",
        "innerPackages",
    ];
    let Some(field) = owner.packages_field() else {
        return;
    };
    let held: Vec<&Value> = stored
        .get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let Some(packages) = new.get_mut(field).and_then(Value::as_array_mut) else {
        return;
    };
    for package in packages {
        let new_file = package.get("fileStatus").and_then(Value::as_str) == Some("PendingUpload");
        let id = package
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let existing = held
            .iter()
            .find(|old| {
                let old_id = old
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty());
                match (id, old_id) {
                    (Some(a), Some(b)) => a == b,
                    _ => old.get("fileName") == package.get("fileName"),
                }
            })
            .filter(|_| !new_file);
        let Some(object) = package.as_object_mut() else {
            continue;
        };
        for key in SERVER {
            match existing.and_then(|old| old.get(*key)) {
                Some(value) => {
                    object.insert(key.to_string(), value.clone());
                }
                None => {
                    object.remove(*key);
                }
            }
        }
    }
}

/// Leaving a package, image or icon out does not delete it: it stays, unchanged
/// ("they will still remain there in the Dev Portal", StoreBroker's `Patch-ApplicationSubmission`,
/// https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApplicationApi.ps1).
fn keep_omitted_files(owner: &Owner, stored: &Value, new: &mut Value) {
    let same = |a: &Value, b: &Value| {
        let id = |v: &Value| {
            v.get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match (id(a), id(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a.get("fileName") == b.get("fileName"),
        }
    };
    let uploaded = |v: &&Value| v.get("fileStatus").and_then(Value::as_str) == Some("Uploaded");
    let languages: Vec<String> = new
        .get("listings")
        .and_then(Value::as_object)
        .map(|l| l.keys().cloned().collect())
        .unwrap_or_default();
    let pointers = owner
        .packages_field()
        .map(|f| format!("/{f}"))
        .into_iter()
        .chain(
            languages
                .iter()
                .map(|l| format!("/listings/{l}/baseListing/images")),
        );
    for pointer in pointers {
        let old: Vec<Value> = stored
            .pointer(&pointer)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter(uploaded).cloned().collect())
            .unwrap_or_default();
        let Some(list) = new.pointer_mut(&pointer).and_then(Value::as_array_mut) else {
            continue;
        };
        for file in old {
            if !list.iter().any(|f| same(f, &file)) {
                list.push(file);
            }
        }
    }
    if matches!(owner, Owner::Addon(_)) {
        for language in languages {
            let pointer = format!("/listings/{language}/icon");
            if let Some(icon) = stored.pointer(&pointer).filter(|i| uploaded(i))
                && new.pointer(&pointer).is_none()
                && let Some(listing) = new.pointer_mut(&format!("/listings/{language}"))
                && listing.is_object()
            {
                listing["icon"] = icon.clone();
            }
        }
    }
}

pub async fn commit_submission(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let fetched = match fetch_external_blob(&shared, &params, &headers).await {
        Ok(fetched) => fetched,
        Err(response) => return response,
    };
    let mut world = enter!(shared, headers);
    let (owner, status, id, blob_name) = match locate(&world, &params) {
        Ok((owner, s)) => (owner, s.status().to_string(), s.id.clone(), s.blob.clone()),
        Err(r) => return r,
    };
    // "A submission can only be committed once" (StoreBroker).
    if status != "PendingCommit" {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!("Submission {id} is in state {status} and cannot be committed."),
            owner.target(),
        );
    }
    // With external storage, what was read back from it is what commit and pre-processing
    // look at, kept like a blob of the simulator's own store.
    if let Some(fetched) = fetched {
        let previous = match fetched {
            Some(blob) => world.blobs.insert(blob_name, blob),
            None => world.blobs.remove(&blob_name),
        };
        if let Some(old) = previous {
            let _ = std::fs::remove_file(old.path);
        }
    }
    world.commit(&id);
    ok(json!({"status": "CommitStarted"}))
}

/// With external storage (Azurite), the commit check reads the blob from there, as the
/// service reads its own ingestion storage: `Some(None)` when storage has no such blob,
/// `None` when the simulator keeps blobs itself.
async fn fetch_external_blob(
    shared: &Shared,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Option<Option<Blob>>, Response> {
    let (storage, blob_name, target) = {
        let world = enter(shared, headers)?;
        let Some(storage) = world.options.storage.clone() else {
            return Ok(None);
        };
        let (_, submission) = locate(&world, params)?;
        let target = world.data_dir.join("blobs").join(format!(
            "{}.fetched.{}",
            submission.blob,
            uuid::Uuid::new_v4()
        ));
        (storage, submission.blob.clone(), target)
    };
    match storage
        .download(&reqwest::Client::new(), &blob_name, &target)
        .await
    {
        Ok(Some(downloaded)) => Ok(Some(Some(Blob::written(
            target,
            downloaded.size,
            downloaded.content_md5,
            downloaded.content_type,
            Default::default(),
        )))),
        Ok(None) => Ok(Some(None)),
        Err(problem) => {
            let _ = std::fs::remove_file(&target);
            // UNKNOWN: how the service answers when its own storage fails; a 500 is what
            // any of its outages look like to clients.
            Err(api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                &format!("The uploaded file could not be read: {problem}"),
                "submission",
            ))
        }
    }
}

pub async fn delete_submission(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers);
    let (owner, status, id) = match locate(&world, &params) {
        Ok((owner, s)) => (owner, s.status().to_string(), s.id.clone()),
        Err(r) => return r,
    };
    // UNKNOWN: exactly which states allow deletion; a submission in processing cannot be
    // deleted (there is no "cancel certification" endpoint), a draft or a failed one can.
    let deletable = status == "PendingCommit" || status.ends_with("Failed");
    if !deletable {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidOperation",
            &format!("Submission {id} is in state {status} and cannot be deleted."),
            owner.target(),
        );
    }
    world.submissions.remove(&id);
    if let Some((pending, _, _)) = world.owner_slots(&owner)
        && pending.as_deref() == Some(id.as_str())
    {
        *pending = None;
    }
    StatusCode::OK.into_response()
}
