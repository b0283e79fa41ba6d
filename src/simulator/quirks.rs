//! Behaviours of the Store that users have met but that a well-behaved service would not
//! show, played on request so that tests can show what the client does under each
//! (docs/simulator.md, "Quirks"). Each is off unless a test turns it on through
//! `POST /_simulator/settings {"quirks": {…}}`, except where the quirk is the only behaviour
//! known.
//!
//! Also here: `POST /_simulator/partner-center-draft`, a pending submission made the way
//! Partner Center's dashboard makes one (no `fileUploadUrl`).

use axum::extract::{Request, State as AxumState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Shared;
use super::api::api_error;
use super::state::{Owner, Submission};

/// What `POST …/flights` answers and starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FlightCreate {
    /// A pending flight submission is started and the answer names it in
    /// `pendingFlightSubmission`, as StoreBroker relies on.
    #[default]
    StoreBroker,
    /// A pending flight submission is started, but the answer has only the docs' four
    /// fields (`flightId`, `friendlyName`, `groupIds`, `rankHigherThan`).
    DocsAnswer,
    /// As the docs say: the flight is created without any submission, and the answer has
    /// the four fields.
    NoSubmission,
}

/// What `DELETE inappproducts/{id}` does while the add-on has a pending submission.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AddonDelete {
    /// 409 `InvalidState`. UNKNOWN: whether the service refuses it and with which body;
    /// the docs list 409 among the answers of this call, and refusing is the safer guess
    /// for a client (it must not count on the pending work being thrown away).
    #[default]
    Refuse,
    /// Deletes the add-on and its submissions.
    Allow,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quirks {
    /// Apps and add-ons (Store ids) that use features the submission API does not support
    /// (mandatory app updates, Store-managed consumables): every call about them answers
    /// 409 `InvalidState` "This application uses features that are not supported by the
    /// submission API…" (https://github.com/microsoft/StoreBroker/issues/192).
    #[serde(default)]
    pub unsupported_products: Vec<String>,
    #[serde(default)]
    pub flight_create: FlightCreate,
    #[serde(default)]
    pub addon_delete_with_pending: AddonDelete,
}

/// The message the service gives for a product it cannot handle
/// (https://github.com/microsoft/StoreBroker/issues/192).
pub const UNSUPPORTED_FEATURES: &str = "This application uses features that are not supported by the submission API. To perform this operation, use the Dev Center dashboard.";

/// Answers 409 for every API call naming a product listed in `unsupportedProducts`.
pub async fn unsupported_features(
    AxumState(shared): AxumState<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let refused = {
        let world = shared.lock().expect("simulator state");
        let segments: Vec<&str> = request.uri().path().split('/').collect();
        segments.windows(2).any(|pair| {
            matches!(pair[0], "applications" | "inappproducts")
                && world
                    .quirks
                    .unsupported_products
                    .iter()
                    .any(|p| p == pair[1])
        })
    };
    if refused {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            UNSUPPORTED_FEATURES,
            "",
        );
    }
    next.run(request).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftRequest {
    app_id: Option<String>,
    flight_id: Option<String>,
    addon_id: Option<String>,
}

/// `POST /_simulator/partner-center-draft {"appId"[, "flightId"] | "addonId"}`: a pending
/// submission as Partner Center's dashboard starts one — a clone of the published one,
/// `PendingCommit`, but with `fileUploadUrl: null`, so nothing can be uploaded to it through
/// the API (msstore-cli deletes such a submission and creates another:
/// https://github.com/microsoft/msstore-cli, `SubmissionCommand`). Answers the submission.
pub async fn admin_partner_center_draft(
    AxumState(shared): AxumState<Shared>,
    axum::Json(request): axum::Json<DraftRequest>,
) -> Response {
    let mut world = shared.lock().expect("simulator state");
    world.advance();
    let owner = match (request.app_id, request.flight_id, request.addon_id) {
        (Some(app_id), None, None) => Owner::App(app_id),
        (Some(app_id), Some(flight_id), None) => Owner::Flight { app_id, flight_id },
        (None, None, Some(addon_id)) => Owner::Addon(addon_id),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "give appId, appId and flightId, or addonId",
            )
                .into_response();
        }
    };
    let Some((pending, published, _)) = world.owner_slots(&owner) else {
        return (StatusCode::NOT_FOUND, "no such product").into_response();
    };
    if pending.is_some() {
        return (StatusCode::CONFLICT, "the product has a pending submission").into_response();
    }
    let Some(published) = published.clone() else {
        return (
            StatusCode::CONFLICT,
            "the product has no published submission",
        )
            .into_response();
    };
    let mut body = world.submissions[&published].body.clone();
    super::rollout::reset_for_clone(&mut body);
    let id = world.next_id();
    let (blob, _) = world.new_upload_url();
    body["id"] = json!(id);
    body["status"] = json!("PendingCommit");
    body["statusDetails"] = json!({"errors": [], "warnings": [], "certificationReports": []});
    body["fileUploadUrl"] = serde_json::Value::Null;
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
    let (pending, _, made) = world.owner_slots(&owner).expect("found above");
    *pending = Some(id);
    *made += 1;
    (StatusCode::CREATED, axum::Json(body)).into_response()
}
