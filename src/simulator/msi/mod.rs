//! The Store's submission API for MSI or EXE products
//! (https://learn.microsoft.com/windows/apps/publish/store-submission-api), under
//! `/submission/v1/product/{productId}/…`, as docs/simulator.md ("MSI/EXE products")
//! describes it: one draft per product split into modules, packages that are URLs the
//! Store fetches on commit, `submit` turning the draft into a submission that runs on the
//! processing clock, and at most one active submission, which no call can cancel.
//!
//! Answers are the envelope as observed: `{"responseData": …, "isSuccess": true}` with no
//! `errors` on a clean success, `responseData: {}` on updates, a `pollingUrl` without a
//! leading `/`, and no `ongoingSubmissionId` when nothing is in flight
//! (https://github.com/jaimerodriguez/windows-store-submission-api-samples,
//! `submissions_api_rest/sample_output/unpackaged_output.txt`).

pub mod rules;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Shared;

/// The MSI/EXE API's App ID URI, asked for as `https://api.store.microsoft.com/.default`.
pub const AUDIENCE: &str = "https://api.store.microsoft.com";
/// Its application id, which v2.0 tokens name in `aud`. UNKNOWN: the real id; made up.
pub const RESOURCE_APP_ID: &str = "00000000-0000-4000-8000-5157e1a7d3c1";
/// The seller id of the documentation's C# sample, owner of every seeded product unless a
/// test says otherwise.
pub const DEFAULT_SELLER_ID: &str = "123456892";
/// The MSI product the simulator always has (a Partner Center product id is a GUID).
pub const DEFAULT_PRODUCT_ID: &str = "3e31a9f9-84e8-4d2d-9eba-487878d02ebf";

#[derive(Debug, Default)]
pub struct MsiState {
    pub products: BTreeMap<String, Product>,
    next_package_id: u64,
    next_submission_id: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub seller_id: String,
    /// The draft's package set, as last updated.
    pub packages: Vec<Value>,
    /// The set last committed (what a submission ships).
    pub committed: Vec<Value>,
    /// Updated since the last commit.
    pub uncommitted: bool,
    /// The Store fetching committed installers: ready at, failing or not.
    #[serde(skip)]
    pub upload: Option<(Instant, bool)>,
    /// Errors of a failed package fetch, shown by `status` until the next commit.
    pub upload_errors: Vec<Value>,
    pub listings: BTreeMap<String, Value>,
    pub properties: Value,
    pub availability: Value,
    pub assets: BTreeMap<String, Value>,
    /// Upload slots `listings/assets/create` gave and not yet committed, by asset id.
    pub slots: BTreeMap<String, AssetSlot>,
    /// Every listing image Put Blob received, in order, for tests: `{assetId, sha256, bytes}`.
    pub uploads: Vec<Value>,
    /// Test hook: the next asset commit fails (after the uploads, before anything changes).
    pub fail_next_asset_commit: bool,
    pub submissions: BTreeMap<String, Submission>,
    pub active: Option<String>,
    /// The packages of the last published submission (what customers install).
    pub live: Vec<Value>,
    /// Test hooks: the next package fetch fails; the next submission fails with this message.
    pub fail_next_upload: bool,
    pub fail_next_submission: Option<String>,
    /// Every metadata and package update body as received, for tests.
    pub bodies: Vec<Value>,
}

/// One upload slot of `listings/assets/create`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetSlot {
    pub language: String,
    /// `screenshots` or `storeLogos`.
    pub kind: String,
    #[serde(skip)]
    pub signature: String,
    /// Its blob URL (no SAS), which the committed asset keeps as `assetUrl`.
    pub blob_url: String,
    /// The pixel size of the PNG uploaded to it; `None` until uploaded.
    pub uploaded: Option<(u32, u32)>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    pub id: String,
    pub status: &'static str,
    #[serde(skip)]
    pub done_at: Instant,
    pub failure: Option<String>,
    pub packages: Vec<Value>,
}

impl MsiState {
    fn package_id(&mut self) -> String {
        self.next_package_id += 1;
        (72541436 + self.next_package_id).to_string()
    }

    fn submission_id(&mut self) -> String {
        self.next_submission_id += 1;
        (1152921505700520060u64 + self.next_submission_id * 7).to_string()
    }

    /// A product whose first submission was made in Partner Center (the API cannot create
    /// one): an x64 MSI and an arm64 EXE published, a listing in `en-us`.
    pub fn seed(&mut self, product_id: &str, seller_id: &str) {
        let key = product_id.to_ascii_lowercase();
        if self.products.contains_key(&key) {
            return;
        }
        let mut packages = Vec::new();
        for (arch, kind, params) in [("X64", "msi", None), ("Arm64", "exe", Some("/S"))] {
            let mut body = json!({
                "packageUrl": format!("https://cdn.contoso.com/1.0.0/setup-{}.{kind}", arch.to_ascii_lowercase()),
                "languages": ["en-us"],
                "architectures": [arch],
                "isSilentInstall": params.is_none(),
                "packageType": kind,
                "errorDetails": [{"errorScenario": "rebootRequired", "errorScenarioDetails": [{"errorValue": "3010", "errorUrl": "https://docs.contoso.com/errors/3010"}]}],
            });
            if let Some(p) = params {
                body["installerParameters"] = json!(p);
                body["genericDocUrl"] = json!("https://docs.contoso.com/installer");
            }
            let mut stored = rules::package(&body, false).expect("seed package is valid");
            stored["packageId"] = json!(self.package_id());
            packages.push(stored);
        }
        let listing = json!({
            "language": "en-us",
            "description": "Contoso Tool manages your widgets.",
            "whatsNew": "First release.",
            "productFeatures": ["Widgets"],
            "shortDescription": "Widgets, managed.",
            "searchTerms": ["widgets"],
            "additionalLicenseTerms": "See https://contoso.com/license",
            "copyright": "© Contoso",
            "developedBy": "Contoso",
            "requirements": [],
            "heroArts": [],
            "trailers": [],
        });
        let product = Product {
            id: product_id.to_string(),
            seller_id: seller_id.to_string(),
            committed: packages.clone(),
            live: packages.clone(),
            packages,
            uncommitted: false,
            upload: None,
            upload_errors: Vec::new(),
            listings: BTreeMap::from([("en-us".to_string(), listing)]),
            properties: json!({
                "isPrivacyPolicyRequired": true,
                "privacyPolicyUrl": "https://contoso.com/privacy",
                "website": "https://contoso.com",
                "supportContactInfo": "support@contoso.com",
                "certificationNotes": "",
                "category": "DeveloperTools",
                "subcategory": "Utilities",
                "productDeclarations": {"dependsOnDriversOrNT": false, "accessibilitySupport": false, "penAndInkSupport": false, "usesGenerativeAI": false},
                "isSystemFeatureRequired": [],
                "systemRequirementDetails": [],
                "genres": [],
            }),
            availability: json!({
                "markets": ["US"],
                "discoverability": "DISCOVERABLE",
                "enableInFutureMarkets": true,
                "pricing": "FREE",
                "freeTrial": "NO_FREE_TRIAL",
            }),
            assets: BTreeMap::from([(
                "en-us".to_string(),
                json!({
                    "language": "en-us",
                    "storeLogos": [{"id": uuid::Uuid::new_v4().to_string(), "assetUrl": "https://sparkstorageaccwus2prod.blob.core.windows.net/listingassets/logo", "imageSize": {"width": 1080, "height": 1080}}],
                    "screenshots": [{"id": uuid::Uuid::new_v4().to_string(), "assetUrl": "https://sparkstorageaccwus2prod.blob.core.windows.net/listingassets/shot", "imageSize": {"width": 1366, "height": 768}}],
                }),
            )]),
            slots: BTreeMap::new(),
            uploads: Vec::new(),
            fail_next_asset_commit: false,
            submissions: BTreeMap::new(),
            active: None,
            fail_next_upload: false,
            fail_next_submission: None,
            bodies: Vec::new(),
        };
        self.products.insert(key, product);
    }

    /// Moves the processing clock: package fetches end, submissions reach `PUBLISHED` or
    /// `FAILED`, and the product's active submission clears.
    pub fn advance(&mut self, now: Instant) {
        for product in self.products.values_mut() {
            if let Some((at, fails)) = product.upload
                && at <= now
            {
                product.upload = None;
                if fails {
                    // Seen together when the Store could not fetch a package (btsouth/ceiling
                    // docs/RELEASING.md). UNKNOWN: their targets and messages.
                    product.upload_errors = vec![
                        rules::error(
                            "packageuploaderror",
                            "Package Upload Failed. The installer could not be downloaded from its URL.",
                            "packages",
                        ),
                        rules::error(
                            "modulenotready",
                            "Packages module is not in ready state.",
                            "packages",
                        ),
                    ];
                }
            }
            let mut published = None;
            for submission in product.submissions.values_mut() {
                if submission.status == "INPROGRESS" && submission.done_at <= now {
                    if submission.failure.is_some() {
                        submission.status = "FAILED";
                    } else {
                        submission.status = "PUBLISHED";
                        published = Some(submission.packages.clone());
                    }
                }
            }
            if let Some(packages) = published {
                product.live = packages;
            }
            if let Some(id) = &product.active
                && product
                    .submissions
                    .get(id)
                    .is_some_and(|s| s.status != "INPROGRESS")
            {
                product.active = None;
            }
        }
    }
}

/// The observed envelope of a success: no `errors` member.
fn ok(data: Value) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({"responseData": data, "isSuccess": true})),
    )
        .into_response()
}

/// A refused call. UNKNOWN: the HTTP status the service gives business-rule failures and
/// validation errors; 400 with the envelope `isSuccess: false` here, which msstore-cli
/// reads as an error (`SubmissionClient.InvokeAsync`).
fn refused(status: StatusCode, errors: Vec<Value>) -> Response {
    (
        status,
        axum::Json(json!({"responseData": {}, "isSuccess": false, "errors": errors})),
    )
        .into_response()
}

fn active_error(id: &str) -> Value {
    // Observed wording (https://github.com/jaimerodriguez/windows-store-submission-api-samples,
    // docs/CLI_API_MAPPING.md; https://github.com/btsouth/ceiling/pull/211).
    rules::error(
        "error",
        &format!("Product already has One Active Submission In-Progress. SubmissionId: {id}"),
        "submission",
    )
}

/// UNKNOWN: the body of a 401 from this host; `{statusCode, message}` as
/// microsoft/store-submission reads it (`src/store_apis.ts`).
fn unauthorized(message: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"statusCode": 401, "message": message})),
    )
        .into_response();
    response
        .headers_mut()
        .insert("WWW-Authenticate", HeaderValue::from_static("Bearer"));
    response
}

/// Locks the world, moves both clocks, checks the token (for this API's audience) and the
/// seller, and finds the product.
fn enter<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    product_id: &str,
) -> Result<std::sync::MutexGuard<'a, super::state::State>, Response> {
    let mut world = shared.lock().expect("simulator state");
    world.advance();
    world.msi.advance(Instant::now());
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token.trim().to_string());
    let Some(token) = token else {
        return Err(unauthorized("No bearer token."));
    };
    world
        .entra
        .validate_for(&token, AUDIENCE, RESOURCE_APP_ID)
        .map_err(unauthorized)?;
    if world
        .tokens
        .get(&token)
        .is_some_and(|t| t.expires <= Instant::now())
    {
        return Err(unauthorized("The access token has expired."));
    }
    // Required on every call (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
    // UNKNOWN: the answer without it or with a non-numeric one; 400 here.
    let seller = headers
        .get("x-seller-account-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if seller.is_empty() || !seller.chars().all(|c| c.is_ascii_digit()) {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "X-Seller-Account-Id header is missing or invalid",
                "",
            )],
        ));
    }
    match world.msi.products.get(&product_id.to_ascii_lowercase()) {
        // Observed text for a product this API does not know (an MSIX Store ID).
        // UNKNOWN: its status and code; 404 here.
        None => Err(refused(
            StatusCode::NOT_FOUND,
            vec![rules::error("notfound", "No Product Found", "product")],
        )),
        // msstore-cli reads a 403 as "Could not find the Application or submission"
        // (`GetCommand`). UNKNOWN: that a foreign seller gets it; here it does.
        Some(p) if p.seller_id != seller => Err(refused(
            StatusCode::FORBIDDEN,
            vec![rules::error(
                "forbidden",
                "The product does not belong to this seller account",
                "product",
            )],
        )),
        Some(_) => Ok(world),
    }
}

macro_rules! enter {
    ($shared:expr, $headers:expr, $id:expr) => {
        match enter(&$shared, &$headers, &$id) {
            Ok(world) => world,
            Err(response) => return response,
        }
    };
}

fn product<'a>(world: &'a mut super::state::State, id: &str) -> &'a mut Product {
    world
        .msi
        .products
        .get_mut(&id.to_ascii_lowercase())
        .expect("checked by enter")
}

fn parse(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice::<Value>(super::api::without_bom(body))
        .map(|v| rules::canonical(&v))
        .map_err(|e| {
            refused(
                StatusCode::BAD_REQUEST,
                vec![rules::error(
                    "badrequest",
                    &format!("The request body is not valid JSON: {e}"),
                    "",
                )],
            )
        })
}

/// Updates and `submit` are refused while a submission is active, and while a module is
/// not ready ("If all modules are in ready status to allow Save Draft operation").
fn writable(product: &Product) -> Result<(), Response> {
    if let Some(id) = &product.active {
        return Err(refused(StatusCode::BAD_REQUEST, vec![active_error(id)]));
    }
    if product.upload.is_some() {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "modulenotready",
                "Packages module is not in ready state: the package upload is in progress.",
                "packages",
            )],
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    languages: Option<String>,
    includelanguagelist: Option<String>,
}

fn wanted(query: &LanguageQuery) -> Option<Vec<String>> {
    query.languages.as_ref().map(|l| {
        l.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn listings_of(product: &Product, query: &LanguageQuery) -> Vec<Value> {
    let wanted = wanted(query);
    product
        .listings
        .iter()
        .filter(|(lang, _)| wanted.as_ref().is_none_or(|w| w.contains(lang)))
        .take(200)
        .map(|(_, l)| strip_empty(l))
        .collect()
}

/// Empty fields are omitted from GET answers (`copyright`, `developedBy`, `contactInfo`,
/// `sortTitle` were missing once unset).
fn strip_empty(listing: &Value) -> Value {
    let mut out = listing.clone();
    if let Some(map) = out.as_object_mut() {
        map.retain(|k, v| {
            !(matches!(
                k.as_str(),
                "copyright" | "developedBy" | "contactInfo" | "sortTitle"
            ) && (v.is_null() || v.as_str() == Some("")))
        });
    }
    out
}

pub async fn get_metadata(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<LanguageQuery>,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    let mut data = json!({
        "availability": p.availability,
        "properties": p.properties,
        "listings": listings_of(p, &query),
    });
    if query
        .includelanguagelist
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        data["listingLanguages"] = p
            .listings
            .keys()
            .map(|l| json!({"language": l, "isComplete": true}))
            .collect();
    }
    ok(data)
}

pub async fn get_module(
    State(shared): State<Shared>,
    Path((id, module)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<LanguageQuery>,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    match module.to_ascii_lowercase().as_str() {
        "listings" => ok(json!({"listings": listings_of(p, &query)})),
        "properties" => ok(json!({"properties": p.properties})),
        "availability" => ok(json!({"availability": p.availability})),
        _ => refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                &format!("Module {module} is not one of listings, properties, availability"),
                "",
            )],
        ),
    }
}

/// Defaults a module takes for fields a full update leaves out. UNKNOWN: the service's
/// defaults; empty values and `false` here.
fn full(module: &str, given: &Value) -> Value {
    let defaults = match module {
        "availability" => json!({
            "markets": [], "discoverability": "DISCOVERABLE", "enableInFutureMarkets": false,
            "pricing": "FREE", "freeTrial": "NO_FREE_TRIAL",
        }),
        "properties" => json!({
            "isPrivacyPolicyRequired": false, "privacyPolicyUrl": "", "website": "",
            "supportContactInfo": "", "certificationNotes": "", "category": "", "subcategory": "",
            "productDeclarations": {"dependsOnDriversOrNT": false, "accessibilitySupport": false, "penAndInkSupport": false, "usesGenerativeAI": false},
            "isSystemFeatureRequired": [], "systemRequirementDetails": [], "genres": [],
        }),
        _ => json!({
            "description": "", "whatsNew": "", "productFeatures": [], "shortDescription": "",
            "searchTerms": [], "additionalLicenseTerms": "", "copyright": "", "developedBy": "",
            "sortTitle": "", "requirements": [], "contactInfo": "", "heroArts": [], "trailers": [],
        }),
    };
    let mut out = defaults;
    if let (Some(out), Some(given)) = (out.as_object_mut(), given.as_object()) {
        for (k, v) in given {
            if !v.is_null() {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn merge(current: &Value, given: &Value) -> Value {
    let mut out = current.clone();
    if let (Some(out), Some(given)) = (out.as_object_mut(), given.as_object()) {
        for (k, v) in given {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// `PUT P/metadata` (full module update) and `PATCH P/metadata` (module patch). A module
/// the body leaves out stays as it is (UNKNOWN: the docs do not say; every client sends
/// only the module it changes). `listings` is one object, one language per call.
async fn update_metadata(
    shared: Shared,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    patch: bool,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    let mut listings = p.listings.clone();
    let mut errors = Vec::new();
    for language in body
        .get("listingsToAdd")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if rules::is_language(language) {
            listings
                .entry(language.to_ascii_lowercase())
                .or_insert_with(|| json!({"language": language.to_ascii_lowercase()}));
        } else {
            errors.push(rules::error(
                "badrequest",
                &format!("Listings, language `{language}` is not supported"),
                "listings",
            ));
        }
    }
    for language in body
        .get("listingsToRemove")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        listings.remove(&language.to_ascii_lowercase());
    }
    if let Some(listing) = body.get("listings").filter(|l| !l.is_null()) {
        if !listing.is_object() {
            errors.push(rules::error(
                "badrequest",
                "Listings must be one listing object (one language per call)",
                "listings",
            ));
        } else {
            let language = listing
                .get("language")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            match listings.get(&language) {
                None => errors.push(rules::error(
                    "badrequest",
                    &format!("Listing language `{language}` is not in the product; add it with listingsToAdd"),
                    "listings",
                )),
                Some(current) => {
                    let mut updated = if patch { merge(current, listing) } else { full("listings", listing) };
                    updated["language"] = json!(language);
                    errors.extend(rules::listing_problems(&updated));
                    listings.insert(language, updated);
                }
            }
        }
    }
    let mut properties = p.properties.clone();
    if let Some(given) = body.get("properties").filter(|v| !v.is_null()) {
        properties = if patch {
            merge(&properties, given)
        } else {
            full("properties", given)
        };
        errors.extend(rules::properties_problems(&properties));
    }
    let mut availability = p.availability.clone();
    if let Some(given) = body.get("availability").filter(|v| !v.is_null()) {
        availability = if patch {
            merge(&availability, given)
        } else {
            full("availability", given)
        };
    }
    if !errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, errors);
    }
    p.listings = listings;
    p.properties = properties;
    p.availability = availability;
    p.bodies
        .push(json!({"call": if patch {"PATCH metadata"} else {"PUT metadata"}, "body": body}));
    // Observed: `{}`, not the documented `pollingUrl`/`ongoingSubmissionId`.
    ok(json!({}))
}

pub async fn put_metadata(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    update_metadata(shared, id, headers, body, false).await
}

pub async fn patch_metadata(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    update_metadata(shared, id, headers, body, true).await
}

pub async fn get_packages(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    ok(json!({"packages": p.packages}))
}

pub async fn get_package(
    State(shared): State<Shared>,
    Path((id, package_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    match p
        .packages
        .iter()
        .find(|x| x["packageId"] == json!(package_id))
    {
        // An array of one, as the docs' sample code reads it (`packages[0]`).
        Some(found) => ok(json!({"packages": [found]})),
        None => refused(
            StatusCode::NOT_FOUND,
            vec![rules::error(
                "notfound",
                &format!("Package {package_id} was not found"),
                "packages",
            )],
        ),
    }
}

/// `PUT P/packages`: "overwriting of all existing packages with a new set". A package that
/// carries the id of a current one keeps it (observed: a PATCH on an id echoed through a
/// PUT succeeded); others get new ids. UNKNOWN: the docs say a full update regenerates
/// every id.
pub async fn put_packages(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    let Some(given) = body.get("packages").and_then(Value::as_array).cloned() else {
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "Packages is required",
                "packages",
            )],
        );
    };
    // UNKNOWN: whether an empty set is accepted; a product cannot ship without one.
    if given.is_empty() {
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "Packages, at least one package is required",
                "packages",
            )],
        );
    }
    let current_ids: Vec<Value> = p.packages.iter().map(|x| x["packageId"].clone()).collect();
    let mut stored = Vec::new();
    let mut errors = Vec::new();
    for package in &given {
        match rules::package(package, true) {
            Ok(mut s) => {
                let keep = package
                    .get("packageId")
                    .filter(|i| current_ids.contains(i))
                    .cloned();
                s["packageId"] = keep.unwrap_or(Value::Null);
                stored.push(s);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, errors);
    }
    p.bodies.push(json!({"call": "PUT packages", "body": body}));
    for s in &mut stored {
        if s["packageId"].is_null() {
            s["packageId"] = json!(world.msi.package_id());
        }
    }
    let p = product(&mut world, &id);
    p.packages = stored;
    p.uncommitted = true;
    ok(json!({}))
}

/// `PATCH P/packages/{packageId}`: one package, only the fields given change.
pub async fn patch_package(
    State(shared): State<Shared>,
    Path((id, package_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    let Some(index) = p
        .packages
        .iter()
        .position(|x| x["packageId"] == json!(package_id))
    else {
        return refused(
            StatusCode::NOT_FOUND,
            vec![rules::error(
                "notfound",
                &format!("Package {package_id} was not found"),
                "packages",
            )],
        );
    };
    let merged = merge(&p.packages[index], &body);
    match rules::package(&merged, true) {
        Ok(mut s) => {
            s["packageId"] = json!(package_id);
            p.packages[index] = s;
            p.uncommitted = true;
            p.bodies
                .push(json!({"call": "PATCH package", "body": body}));
            ok(json!({}))
        }
        Err(e) => refused(StatusCode::BAD_REQUEST, e),
    }
}

/// `POST P/packages/commit`: the Store fetches the installers of the new set (one
/// processing phase); `status` is not ready until it has. A commit of an unchanged set
/// succeeds at once (observed). The installers are fetched for real: an unreachable URL or
/// a file that is neither an MSI nor a PE ends in `packageuploaderror`.
pub async fn commit_packages(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (urls, phase, fail) = {
        let mut world = enter!(shared, headers, id);
        let phase = world.options.phase;
        let p = product(&mut world, &id);
        if let Err(r) = writable(p) {
            return r;
        }
        let fresh: Vec<String> = p
            .packages
            .iter()
            .filter(|x| {
                !p.committed
                    .iter()
                    .any(|c| c["packageUrl"] == x["packageUrl"])
            })
            .filter_map(|x| x["packageUrl"].as_str().map(str::to_string))
            .collect();
        let fail = std::mem::take(&mut p.fail_next_upload);
        (fresh, phase, fail)
    };
    let mut fetch_failed = false;
    for url in &urls {
        if !fetchable(url).await {
            fetch_failed = true;
        }
    }
    let mut world = shared.lock().expect("simulator state");
    let p = product(&mut world, &id);
    p.committed = p.packages.clone();
    p.uncommitted = false;
    p.upload_errors.clear();
    if !urls.is_empty() || fail {
        p.upload = Some((Instant::now() + phase, fail || fetch_failed));
    }
    ok(json!({"pollingUrl": format!("submission/v1/product/{}/status", p.id)}))
}

/// Whether the Store could take the installer behind `url`: it answers, and its first
/// bytes are an MSI (compound file) or a PE (`MZ`). Only installers on this machine are
/// fetched (the tests serve theirs there); the simulator never calls out to another host,
/// so any other URL counts as fetched (a failed fetch is then played with the
/// `package-upload` hook).
async fn fetchable(url: &str) -> bool {
    if !url::Url::parse(url).is_ok_and(|u| crate::net::is_loopback(&u)) {
        return true;
    }
    let Ok(client) = crate::net::client_builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return false;
    };
    let Ok(response) = client.get(url).header("Range", "bytes=0-7").send().await else {
        return false;
    };
    if !response.status().is_success() {
        return false;
    }
    let Ok(bytes) = response.bytes().await else {
        return false;
    };
    bytes.starts_with(b"MZ") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// `GET P/status`: `isReady` false while installers are fetched or a submission is in
/// flight; then `ongoingSubmissionId` and the "One Active Submission" error with
/// `isSuccess: true` (observed through msstore-cli). Nothing in flight: `{"isReady": true}`.
pub async fn get_status(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    let mut errors = p.upload_errors.clone();
    let mut data =
        json!({"isReady": p.upload.is_none() && p.upload_errors.is_empty() && p.active.is_none()});
    if let Some(active) = &p.active {
        data["ongoingSubmissionId"] = json!(active);
        errors.push(active_error(active));
    }
    let mut body = json!({"responseData": data, "isSuccess": true});
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `POST P/submit`: the same checks as an update, and the packages must be committed.
/// UNKNOWN: what the service does with uncommitted package changes; refused here, so a
/// client that forgets the commit is caught.
pub async fn submit(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let phase = world.options.phase;
    let submission_id = world.msi.submission_id();
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    if !p.upload_errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, p.upload_errors.clone());
    }
    if p.uncommitted {
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "modulenotready",
                "Packages have changes that were not committed",
                "packages",
            )],
        );
    }
    // Create Submission validates the draft's fields
    // (https://learn.microsoft.com/windows/apps/publish/store-submission-api, "Create
    // Submission API"): a draft whose listing or properties break a rule (say a field set
    // in Partner Center) is refused, not submitted.
    let mut errors: Vec<Value> = p
        .listings
        .values()
        .flat_map(rules::listing_problems)
        .collect();
    errors.extend(rules::properties_problems(&p.properties));
    if !errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, errors);
    }
    let failure = p.fail_next_submission.take();
    // "File Scanning, App Certification and Publishing": three phases, all INPROGRESS.
    p.submissions.insert(
        submission_id.clone(),
        Submission {
            id: submission_id.clone(),
            status: "INPROGRESS",
            done_at: Instant::now() + phase * 3,
            failure,
            packages: p.committed.clone(),
        },
    );
    p.active = Some(submission_id.clone());
    ok(json!({
        "pollingUrl": format!("submission/v1/product/{}/submission/{submission_id}/status", p.id),
        "submissionId": submission_id,
    }))
}

/// `GET P/submission/{id}/status`: `{publishingStatus, hasFailed}`. UNKNOWN: how the
/// service says why a submission failed; here as envelope errors next to `FAILED`.
pub async fn submission_status(
    State(shared): State<Shared>,
    Path((id, submission_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    let Some(s) = p.submissions.get(&submission_id) else {
        return refused(
            StatusCode::NOT_FOUND,
            vec![rules::error(
                "notfound",
                &format!("Submission {submission_id} was not found"),
                "submission",
            )],
        );
    };
    let mut body = json!({
        "responseData": {"publishingStatus": s.status, "hasFailed": s.status == "FAILED"},
        "isSuccess": true,
    });
    if s.status == "FAILED" {
        body["errors"] = json!([rules::error(
            "error",
            s.failure.as_deref().unwrap_or("The submission failed"),
            "submission"
        )]);
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET P/listings/assets`: an array, one entry per language.
pub async fn get_assets(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<LanguageQuery>,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let p = product(&mut world, &id);
    let wanted = wanted(&query);
    let assets: Vec<Value> = p
        .assets
        .iter()
        .filter(|(l, _)| wanted.as_ref().is_none_or(|w| w.contains(l)))
        .map(|(_, a)| a.clone())
        .collect();
    ok(json!({"listingAssets": assets}))
}

/// `POST P/listings/assets/create`: upload slots (an object, not an array), capitalised
/// counts `Screenshot` 1–10 and `Logo` 0–2; no `storeLogos` key when `Logo` is 0. The slot
/// URLs point at this simulator's blob endpoint. UNKNOWN: that an upload is checked before
/// commit; here the commit takes the slot's URL as it is.
pub async fn create_assets(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let base = world.base_url.clone();
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    let language = body.get("language").and_then(Value::as_str).unwrap_or("");
    let request = body.get("createAssetRequest").cloned().unwrap_or(json!({}));
    let count = |k: &str| request.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (shots, logos) = (count("Screenshot"), count("Logo"));
    if !rules::is_language(language) || shots > 10 || logos > 2 || shots + logos == 0 {
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "CreateAssetRequest needs a supported language, Screenshot 1–10 and/or Logo 1–2",
                "listingAssets",
            )],
        );
    }
    let signature = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().into_bytes())
    };
    let language = language.to_ascii_lowercase();
    let mut slot = |kind: &str| {
        let asset = uuid::Uuid::new_v4().to_string();
        let blob_url = format!("{}blob/listingassets/{}_{asset}", base, p.id);
        let url = format!(
            "{blob_url}?sv=2021-08-06&sr=b&sp=rcw&sig={}",
            urlencoding_minimal(&signature)
        );
        p.slots.insert(
            asset.clone(),
            AssetSlot {
                language: language.clone(),
                kind: kind.to_string(),
                signature: signature.clone(),
                blob_url,
                uploaded: None,
            },
        );
        json!({
            "id": asset, "primaryAssetUploadUrl": url, "secondaryAssetUploadUrl": url,
            "httpMethod": "PUT",
            "httpHeaders": {"Content-Type": "image/png", "Content-Length": "", "Host": "", "x-ms-blob-type": "BlockBlob"},
        })
    };
    let screenshots: Vec<Value> = (0..shots).map(|_| slot("screenshots")).collect();
    let store_logos: Vec<Value> = (0..logos).map(|_| slot("storeLogos")).collect();
    let mut data = json!({"language": language, "screenshots": screenshots});
    if logos > 0 {
        data["storeLogos"] = json!(store_logos);
    }
    ok(json!({"listingAssets": data}))
}

/// `+`, `/` and `=` of a base64 signature, percent-encoded for a query.
fn urlencoding_minimal(text: &str) -> String {
    text.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// `PUT /blob/listingassets/{name}?…&sig=…`: Azure's Put Blob for a listing image's upload
/// slot (https://learn.microsoft.com/rest/api/storageservices/put-blob): `x-ms-blob-type:
/// BlockBlob` and `Content-Type: image/png` (the slot's headers) each sent once, no
/// `Authorization` (the SAS authorises it), 201 Created; the SAS
/// must be the one its slot was given (`sig`), for a slot not committed yet. UNKNOWN: the
/// formats and sizes the Store accepts; any bytes here, the commit checks them.
pub async fn put_asset(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    if headers.get("authorization").is_some() || !query.contains_key("sig") {
        return (StatusCode::FORBIDDEN, "AuthenticationFailed").into_response();
    }
    let mut world = shared.lock().expect("simulator state");
    // The blob name is `<productId>_<assetId>`; both are GUIDs, without `_`.
    let Some((product_id, asset)) = name.split_once('_') else {
        return (StatusCode::FORBIDDEN, "AuthenticationFailed").into_response();
    };
    let Some(p) = world.msi.products.get_mut(&product_id.to_ascii_lowercase()) else {
        return (StatusCode::FORBIDDEN, "AuthenticationFailed").into_response();
    };
    let Some(slot) = p
        .slots
        .get_mut(asset)
        .filter(|s| Some(&s.signature) == query.get("sig"))
    else {
        return (StatusCode::FORBIDDEN, "AuthenticationFailed").into_response();
    };
    // The slot's non-empty `httpHeaders` "need to have specific values"
    // (https://learn.microsoft.com/windows/apps/publish/store-submission-api): each is sent
    // once, with that value. A header sent twice is one field whose value is both joined by
    // a comma (https://www.rfc-editor.org/rfc/rfc9110#section-5.3), which is neither value.
    // UNKNOWN: what Azure answers to a repeated or a missing `Content-Type`; 400 here.
    for (name, want) in [
        ("x-ms-blob-type", "BlockBlob"),
        ("content-type", "image/png"),
    ] {
        let values: Vec<&[u8]> = headers.get_all(name).iter().map(|v| v.as_bytes()).collect();
        match values.as_slice() {
            [] => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("MissingRequiredHeader: {name}"),
                )
                    .into_response();
            }
            [value] if *value == want.as_bytes() => {}
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("InvalidHeaderValue: {name} must be {want}, sent once"),
                )
                    .into_response();
            }
        }
    }
    let size = crate::config::listings::limits::png_size(&body).unwrap_or((0, 0));
    slot.uploaded = Some(size);
    p.uploads.push(json!({
        "assetId": asset,
        "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        "bytes": body.len(),
    }));
    tracing::debug!("listing asset {name} uploaded ({} bytes)", body.len());
    StatusCode::CREATED.into_response()
}

/// `PUT P/listings/assets/commit`: per language and type, the list sent replaces the
/// stored one; "the single API will internally commit the listing assets data after
/// validation" (https://learn.microsoft.com/windows/apps/publish/store-submission-api): each
/// id is a live asset of that language and type or a slot created for them and uploaded
/// (UNKNOWN: what the Store does with a slot never uploaded, or with another type's id;
/// refused here), named once with its own URL (UNKNOWN, refused otherwise), at most 10 screenshots and 2 logos, a new asset uploaded as a PNG (UNKNOWN:
/// the formats it takes). A committed asset's `assetUrl` is its blob URL without the SAS,
/// as `GET` shows them. UNKNOWN: a type left out (no key) keeps its assets here.
pub async fn commit_assets(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = enter!(shared, headers, id);
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let p = product(&mut world, &id);
    if let Err(r) = writable(p) {
        return r;
    }
    let assets = body.get("listingAssets").cloned().unwrap_or(json!({}));
    let language = assets
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if !p.listings.contains_key(&language) {
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "ListingAssets, language is not a listing of the product",
                "listingAssets",
            )],
        );
    }
    if std::mem::take(&mut p.fail_next_asset_commit) {
        // A refusal, not a 5xx: the client retries those, and the hook is for one failure.
        return refused(
            StatusCode::BAD_REQUEST,
            vec![rules::error(
                "badrequest",
                "ListingAssets, the commit failed (simulator hook `asset-commit`)",
                "listingAssets",
            )],
        );
    }
    let current = p
        .assets
        .get(&language)
        .cloned()
        .unwrap_or_else(|| json!({"language": language, "storeLogos": [], "screenshots": []}));
    let mut updated = current.clone();
    let mut used = Vec::new();
    let mut errors = Vec::new();
    for (kind, max) in [("storeLogos", 2), ("screenshots", 10)] {
        let Some(list) = assets.get(kind).and_then(Value::as_array) else {
            continue;
        };
        if list.len() > max {
            errors.push(rules::error(
                "badrequest",
                &format!("ListingAssets, at most {max} {kind}"),
                "listingAssets",
            ));
        }
        let mut stored = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        // The blob a URL names: its SAS left out.
        let blob = |u: &str| {
            url::Url::parse(u).ok().map(|mut u| {
                u.set_query(None);
                u
            })
        };
        for a in list {
            let id = a.get("id").and_then(Value::as_str).unwrap_or("");
            let Some(named) = a.get("assetUrl").and_then(Value::as_str).and_then(blob) else {
                errors.push(rules::error(
                    "badrequest",
                    "ListingAssets, AssetUrl must be a valid URL",
                    "listingAssets",
                ));
                continue;
            };
            // UNKNOWN: what the Store does with one id twice in a list, or with an
            // `assetUrl` that is not that asset's ("either existing Asset's URL … or the
            // Upload URL", https://learn.microsoft.com/windows/apps/publish/store-submission-api):
            // both refused here.
            if !seen.insert(id.to_string()) {
                errors.push(rules::error(
                    "badrequest",
                    &format!("ListingAssets, asset {id} is named twice"),
                    "listingAssets",
                ));
                continue;
            }
            let not_its_url = || {
                rules::error(
                    "badrequest",
                    &format!("ListingAssets, the AssetUrl of {id} is not its URL"),
                    "listingAssets",
                )
            };
            if let Some(live) = current[kind]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| l["id"] == id)
            {
                if live["assetUrl"].as_str().and_then(blob) != Some(named) {
                    errors.push(not_its_url());
                    continue;
                }
                stored.push(live.clone());
                continue;
            }
            match p.slots.get(id) {
                Some(slot) if blob(&slot.blob_url) != Some(named.clone()) => {
                    errors.push(not_its_url());
                }
                Some(slot) if slot.language == language && slot.kind == kind => {
                    match slot.uploaded {
                        Some((w, h)) if w > 0 => {
                            used.push(id.to_string());
                            stored.push(json!({"id": id, "assetUrl": slot.blob_url, "imageSize": {"width": w, "height": h}}));
                        }
                        Some(_) => errors.push(rules::error(
                            "badrequest",
                            &format!("ListingAssets, asset {id} is not a PNG image"),
                            "listingAssets",
                        )),
                        None => errors.push(rules::error(
                            "badrequest",
                            &format!("ListingAssets, asset {id} was not uploaded"),
                            "listingAssets",
                        )),
                    }
                }
                _ => errors.push(rules::error(
                    "badrequest",
                    &format!("ListingAssets, {id} is neither a current {kind} asset of {language} nor one created for it"),
                    "listingAssets",
                )),
            }
        }
        updated[kind] = json!(stored);
    }
    if !errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, errors);
    }
    for id in used {
        p.slots.remove(&id);
    }
    p.bodies
        .push(json!({"call": "PUT listings/assets/commit", "body": body}));
    p.assets.insert(language, updated);
    ok(json!({}))
}

/// Every answer of this API carries `X-Correlation-ID`, "the GUID type unique ID for each
/// request" (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
async fn correlation_id(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("X-Correlation-ID", value);
    }
    response
}

pub fn router() -> Router<Shared> {
    let p = "/submission/v1/product/{product_id}";
    Router::new()
        .route(
            &format!("{p}/metadata"),
            get(get_metadata).put(put_metadata).patch(patch_metadata),
        )
        .route(&format!("{p}/metadata/{{module}}"), get(get_module))
        .route(
            &format!("{p}/packages"),
            get(get_packages).put(put_packages),
        )
        .route(&format!("{p}/packages/commit"), post(commit_packages))
        .route(
            &format!("{p}/packages/{{package_id}}"),
            get(get_package).patch(patch_package),
        )
        .route(&format!("{p}/listings/assets"), get(get_assets))
        .route(&format!("{p}/listings/assets/create"), post(create_assets))
        .route(
            &format!("{p}/listings/assets/commit"),
            axum::routing::put(commit_assets),
        )
        .route(&format!("{p}/status"), get(get_status))
        .route(&format!("{p}/submit"), post(submit))
        .route(
            &format!("{p}/submission/{{submission_id}}/status"),
            get(submission_status),
        )
        .layer(axum::middleware::from_fn(correlation_id))
}

// ----- test hooks (`/_simulator/msi/…`) -----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seed {
    product_id: String,
    #[serde(default)]
    seller_id: Option<String>,
    /// The Arm64 package's `installerParameters`, as Partner Center's UI may store them
    /// (it accepts more than the API's 40 characters).
    #[serde(default)]
    arm64_installer_parameters: Option<String>,
}

/// `POST /_simulator/msi/products`: another MSI/EXE product (published, as the API needs).
pub async fn admin_seed(
    State(shared): State<Shared>,
    axum::Json(seed): axum::Json<Seed>,
) -> Response {
    let mut world = shared.lock().expect("simulator state");
    world.msi.seed(
        &seed.product_id,
        seed.seller_id.as_deref().unwrap_or(DEFAULT_SELLER_ID),
    );
    if let Some(parameters) = seed.arm64_installer_parameters
        && let Some(p) = world
            .msi
            .products
            .get_mut(&seed.product_id.to_ascii_lowercase())
    {
        for list in [&mut p.packages, &mut p.committed, &mut p.live] {
            for package in list.iter_mut() {
                if package["architectures"][0] == "Arm64" {
                    package["installerParameters"] = json!(parameters);
                }
            }
        }
    }
    StatusCode::CREATED.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fail {
    product_id: String,
    /// `package-upload`: the next commit's fetch fails; `asset-commit`: the next listing
    /// assets commit is refused; `submission`: the next submission ends `FAILED` with
    /// `message`.
    stage: String,
    #[serde(default)]
    message: Option<String>,
}

/// `POST /_simulator/msi/fail`.
pub async fn admin_fail(
    State(shared): State<Shared>,
    axum::Json(fail): axum::Json<Fail>,
) -> Response {
    let mut world = shared.lock().expect("simulator state");
    let Some(p) = world
        .msi
        .products
        .get_mut(&fail.product_id.to_ascii_lowercase())
    else {
        return (StatusCode::NOT_FOUND, "no such product").into_response();
    };
    match fail.stage.as_str() {
        "package-upload" => p.fail_next_upload = true,
        "asset-commit" => p.fail_next_asset_commit = true,
        "submission" => p.fail_next_submission = Some(fail.message.unwrap_or_else(|| {
            "10.2.9.2 Security - Package Submissions | Win32 products must install silently.".into()
        })),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "stage: package-upload, asset-commit or submission",
            )
                .into_response();
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_simulator/msi/cancel`: "Cancel review" in Partner Center, which no API offers;
/// the draft is editable again.
pub async fn admin_cancel(
    State(shared): State<Shared>,
    axum::Json(seed): axum::Json<Seed>,
) -> Response {
    let mut world = shared.lock().expect("simulator state");
    let Some(p) = world
        .msi
        .products
        .get_mut(&seed.product_id.to_ascii_lowercase())
    else {
        return (StatusCode::NOT_FOUND, "no such product").into_response();
    };
    // After "Cancel review" the submission "returns to draft" (docs/msi-exe.md): no longer
    // active, not failed. UNKNOWN: what its status reads afterwards; here `UNKNOWN` with
    // `hasFailed: false`, a value the API documents.
    if let Some(id) = p.active.take()
        && let Some(s) = p.submissions.get_mut(&id)
    {
        s.status = "UNKNOWN";
        s.failure = None;
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_simulator/msi/state`: every product's draft, submissions and received bodies.
pub async fn admin_state(State(shared): State<Shared>) -> Response {
    let mut world = shared.lock().expect("simulator state");
    world.advance();
    world.msi.advance(Instant::now());
    axum::Json(json!(world.msi.products)).into_response()
}
