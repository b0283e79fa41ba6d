//! The submission API (`/v1.0/my/…`): applications and app submissions (reference §2.1,
//! A2 and S1–S6).

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::state::{Blob, State as World, Submission};
use super::token::AUDIENCE;
use super::validate;

/// The service's error body (reference §5.2; `samples/error-409-…`, `error-500-…`).
pub fn api_error(status: StatusCode, code: &str, message: &str, target: &str) -> Response {
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

fn ok(value: Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// Checks the bearer token. UNKNOWN: the body of the service's 401; this sends the error
/// shape the service uses elsewhere.
fn authorize(world: &World, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
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
    match world.tokens.get(token) {
        None => Err(refuse("The access token is invalid.")),
        Some(issued) if issued.expires <= Instant::now() => {
            Err(refuse("The access token has expired."))
        }
        Some(issued) if issued.audience != AUDIENCE => {
            Err(refuse("The access token was issued for another audience."))
        }
        Some(_) => Ok(()),
    }
}

/// Locks the world, moves the clock, and checks the token: the start of every handler.
fn enter<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
) -> Result<std::sync::MutexGuard<'a, World>, Response> {
    let mut world = shared.lock().expect("simulator state");
    world.advance();
    authorize(&world, headers)?;
    Ok(world)
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

pub async fn get_application(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match world.apps.get(&app_id) {
        Some(app) => ok(world.application_json(app, &app_id)),
        None => app_not_found(&app_id),
    }
}

pub async fn create_app_submission(
    State(shared): State<Shared>,
    Path(app_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(app) = world.apps.get(&app_id) else {
        return app_not_found(&app_id);
    };
    // One pending submission per app (reference §0; body from vsts#80).
    if app.pending.is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            "Create submission failed, status code Conflict, reason phrase Conflict",
            "submission",
        );
    }
    // UNKNOWN: the exact answer for an app whose first submission was never completed;
    // the docs only say the API cannot be used then.
    let Some(published_id) = app.published.clone() else {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            "Create submission failed: the application has no published submission to clone.",
            "submission",
        );
    };
    let made = app.submissions_made + 1;
    let id = world.next_id();
    let (blob, upload_url) = world.new_upload_url();
    let mut body = world.submissions[&published_id].body.clone();
    body["id"] = json!(id);
    body["status"] = json!("PendingCommit");
    body["statusDetails"] = json!({"errors": [], "warnings": [], "certificationReports": []});
    body["fileUploadUrl"] = json!(upload_url);
    body["friendlyName"] = json!(format!("Submission {made}"));
    world.submissions.insert(
        id.clone(),
        Submission {
            id: id.clone(),
            app_id: app_id.clone(),
            body: body.clone(),
            blob,
            timeline: Vec::new(),
            failure: Vec::new(),
            publish_applied: false,
        },
    );
    let app = world.apps.get_mut(&app_id).expect("checked above");
    app.pending = Some(id);
    app.submissions_made = made;
    // `isMinimalResponse=true` answers sparsely: "listings and packages are missing"
    // (StoreBroker changelog 1.18.0).
    if query
        .get("isMinimalResponse")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        && let Some(object) = body.as_object_mut()
    {
        object.remove("listings");
        object.remove("applicationPackages");
    }
    ok(body)
}

/// The submission `id` of `app_id`, or the error the service gives.
fn find<'a>(world: &'a World, app_id: &str, id: &str) -> Result<&'a Submission, Response> {
    if !world.apps.contains_key(app_id) {
        return Err(app_not_found(app_id));
    }
    match world.submissions.get(id) {
        None => Err(api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("Submission {id} was not found."),
            "submission",
        )),
        // A submission of another app is a 409, as documented.
        Some(s) if s.app_id != app_id => Err(api_error(
            StatusCode::CONFLICT,
            "InvalidOperation",
            &format!("Submission {id} does not belong to application {app_id}."),
            "submission",
        )),
        Some(s) => Ok(s),
    }
}

pub async fn get_submission(
    State(shared): State<Shared>,
    Path((app_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match find(&world, &app_id, &id) {
        Ok(s) => ok(s.body.clone()),
        Err(r) => r,
    }
}

pub async fn get_status(
    State(shared): State<Shared>,
    Path((app_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match find(&world, &app_id, &id) {
        Ok(s) => ok(json!({
            "status": s.body["status"],
            "statusDetails": s.body.get("statusDetails").cloned().unwrap_or(json!({"errors": [], "warnings": [], "certificationReports": []})),
        })),
        Err(r) => r,
    }
}

/// Fields the server owns: echoed values are ignored (reference §2.3, S3).
const READ_ONLY: &[&str] = &[
    "id",
    "status",
    "statusDetails",
    "fileUploadUrl",
    "friendlyName",
];

pub async fn update_submission(
    State(shared): State<Shared>,
    Path((app_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let stored = match find(&world, &app_id, &id) {
        Ok(s) => s.body.clone(),
        Err(r) => return r,
    };
    if stored["status"] != "PendingCommit" {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!(
                "Submission {id} is in state {} and cannot be updated.",
                stored["status"].as_str().unwrap_or("?")
            ),
            "applicationSubmission",
        );
    }
    let mut new: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "InvalidParameterValue",
                "The request body is not a valid submission object.",
                "applicationSubmission",
            );
        }
    };
    if let Some(problem) = validate::app_submission(&new) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            &problem,
            "applicationSubmission",
        );
    }
    for field in READ_ONLY {
        match stored.get(*field) {
            Some(value) => new[*field] = value.clone(),
            None => {
                new.as_object_mut().map(|o| o.remove(*field));
            }
        }
    }
    for pointer in [
        "/pricing/isAdvancedPricingModel",
        "/packageDeliveryOptions/packageRollout/packageRolloutStatus",
        "/packageDeliveryOptions/packageRollout/fallbackSubmissionId",
    ] {
        if let (Some(server), Some(slot)) = (stored.pointer(pointer), new.pointer_mut(pointer)) {
            *slot = server.clone();
        }
    }
    keep_omitted_files(&stored, &mut new);
    let submission = world.submissions.get_mut(&id).expect("found above");
    submission.body = new.clone();
    ok(new)
}

/// Leaving a package or image out of the array does not delete it: it stays, unchanged
/// (reference §2.4.8, "they will still remain there in the Dev Portal").
fn keep_omitted_files(stored: &Value, new: &mut Value) {
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
    let pointers = std::iter::once("/applicationPackages".to_string()).chain(
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
}

pub async fn commit_submission(
    State(shared): State<Shared>,
    Path((app_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let fetched = match fetch_external_blob(&shared, &app_id, &id, &headers).await {
        Ok(fetched) => fetched,
        Err(response) => return response,
    };
    let mut world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let status = match find(&world, &app_id, &id) {
        Ok(s) => s.status().to_string(),
        Err(r) => return r,
    };
    // "A submission can only be committed once" (StoreBroker).
    if status != "PendingCommit" {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!("Submission {id} is in state {status} and cannot be committed."),
            "applicationSubmission",
        );
    }
    world.commit(&id, fetched.as_ref().and_then(|f| f.blob.as_ref()));
    ok(json!({"status": "CommitStarted"}))
}

/// A blob read back from external storage for the commit check, deleted afterwards.
struct FetchedBlob {
    blob: Option<Blob>,
}

impl Drop for FetchedBlob {
    fn drop(&mut self) {
        if let Some(blob) = &self.blob {
            let _ = std::fs::remove_file(&blob.path);
        }
    }
}

/// With external storage (Azurite), the commit check reads the blob from there, as the
/// service reads its own ingestion storage. `None` when the simulator keeps blobs itself.
async fn fetch_external_blob(
    shared: &Shared,
    app_id: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<Option<FetchedBlob>, Response> {
    let (storage, blob_name, target) = {
        let world = enter(shared, headers)?;
        let Some(storage) = world.options.storage.clone() else {
            return Ok(None);
        };
        let submission = find(&world, app_id, id)?;
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
        Ok(Some(downloaded)) => Ok(Some(FetchedBlob {
            blob: Some(Blob {
                path: target,
                size: downloaded.size,
                content_md5: downloaded.content_md5,
                content_type: downloaded.content_type,
                metadata: Default::default(),
            }),
        })),
        Ok(None) => Ok(Some(FetchedBlob { blob: None })),
        Err(problem) => {
            let _ = std::fs::remove_file(&target);
            // UNKNOWN: how the service answers when its own storage fails; a 500 is what
            // any of its outages look like to clients.
            Err(api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                &format!("The uploaded file could not be read: {problem}"),
                "applicationSubmission",
            ))
        }
    }
}

pub async fn delete_submission(
    State(shared): State<Shared>,
    Path((app_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut world = match enter(&shared, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let status = match find(&world, &app_id, &id) {
        Ok(s) => s.status().to_string(),
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
            "applicationSubmission",
        );
    }
    world.submissions.remove(&id);
    if let Some(app) = world.apps.get_mut(&app_id)
        && app.pending.as_deref() == Some(id.as_str())
    {
        app.pending = None;
    }
    StatusCode::OK.into_response()
}
