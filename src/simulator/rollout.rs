//! Release control in the simulator: gradual rollout (R1–R4 for apps, FR1–FR4 for
//! flights; https://learn.microsoft.com/windows/uwp/monetize/get-package-rollout-info-for-an-app-submission and its siblings,
//! https://learn.microsoft.com/windows/apps/publish/gradual-package-rollout), the rollout's
//! rules for creating a submission, and when
//! a certified submission leaves `Release` (publish mode and date).
//!
//! The rollout lives where the service keeps it, in the submission's
//! `packageDeliveryOptions.packageRollout`; its `packageRolloutStatus` and
//! `fallbackSubmissionId` are the service's to set (ignored on PUT, `api.rs`).

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::api::{api_error, enter, locate, ok};
use super::state::{Owner, State as World};

const NOT_STARTED: &str = "PackageRolloutNotStarted";
const IN_PROGRESS: &str = "PackageRolloutInProgress";
const COMPLETE: &str = "PackageRolloutComplete";
const STOPPED: &str = "PackageRolloutStopped";

fn rollout_of(body: &Value) -> Value {
    body.pointer("/packageDeliveryOptions/packageRollout")
        .cloned()
        // The docs' answer for a submission without one (`package-rollout-get-not-enabled`).
        .unwrap_or_else(|| {
            json!({
                "isPackageRollout": false,
                "packageRolloutPercentage": 0.0,
                "packageRolloutStatus": NOT_STARTED,
                "fallbackSubmissionId": "0"
            })
        })
}

fn rollout_mut(body: &mut Value) -> &mut Value {
    if !body
        .get("packageDeliveryOptions")
        .is_some_and(Value::is_object)
    {
        body["packageDeliveryOptions"] = json!({});
    }
    let options = &mut body["packageDeliveryOptions"];
    if !options.get("packageRollout").is_some_and(Value::is_object) {
        options["packageRollout"] = rollout_of(&Value::Null);
    }
    &mut options["packageRollout"]
}

fn is_unfinished(rollout: &Value) -> bool {
    rollout.get("isPackageRollout").and_then(Value::as_bool) == Some(true)
        && matches!(
            rollout.get("packageRolloutStatus").and_then(Value::as_str),
            Some(NOT_STARTED | IN_PROGRESS)
        )
}

/// "A new submission cannot be created until that existing submission is either halted or
/// finalized" (StoreBroker's `New-ApplicationSubmission`, https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApplicationApi.ps1;
/// https://learn.microsoft.com/windows/apps/publish/gradual-package-rollout): the 409 for a create while the last published
/// submission still rolls out. UNKNOWN: the body the service sends for this case; this is
/// the one body seen for a refused create (vsts#80), which does not say why.
pub fn blocks_create(world: &World, owner: &Owner) -> Option<Response> {
    let published = match owner {
        Owner::App(id) => world.apps.get(id)?.published.clone(),
        Owner::Flight { flight_id, .. } => world.flights.get(flight_id)?.published.clone(),
        Owner::Addon(_) => None,
    }?;
    let submission = world.submissions.get(&published)?;
    is_unfinished(&rollout_of(&submission.body)).then(|| {
        api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            "Create submission failed, status code Conflict, reason phrase Conflict",
            "submission",
        )
    })
}

/// A clone starts with no rollout of its own: the service's fields are reset; the writable
/// ones (on or off, percentage) are cloned like every other writable field. UNKNOWN:
/// whether the service clones those too; a clone of the published submission is the
/// documented rule, so this keeps them.
pub fn reset_for_clone(body: &mut Value) {
    if body
        .pointer("/packageDeliveryOptions/packageRollout")
        .is_none()
    {
        return;
    }
    let rollout = rollout_mut(body);
    rollout["packageRolloutStatus"] = json!(NOT_STARTED);
    rollout["fallbackSubmissionId"] = json!("0");
}

/// On publication: a submission with `isPackageRollout` starts rolling out at its
/// percentage, and customers outside it keep `previous` (the submission published before
/// it). UNKNOWN: the fallback after a halt (here: the halted submission, which was the
/// last published one).
pub fn on_publish(body: &mut Value, previous: Option<&str>) {
    if body
        .pointer("/packageDeliveryOptions/packageRollout")
        .is_none()
    {
        return;
    }
    let rollout = rollout_mut(body);
    if rollout.get("isPackageRollout").and_then(Value::as_bool) == Some(true) {
        rollout["packageRolloutStatus"] = json!(IN_PROGRESS);
        rollout["fallbackSubmissionId"] = json!(previous.unwrap_or("0"));
    } else {
        rollout["packageRolloutStatus"] = json!(NOT_STARTED);
        rollout["fallbackSubmissionId"] = json!("0");
    }
}

/// When a certified submission leaves `Release` for publication, given when it reached
/// `Release`; `None` while it waits for a person (`Manual`).
///
/// The simulator's clock is accelerated for processing only (`simulator-phase` per phase);
/// dates are real dates. So `SpecificDate` compares `targetPublishDate` with the wall
/// clock: a date in the past (or the unset `1601-01-01…`) publishes as soon as the
/// submission is certified, a date in the future keeps it in `Release` until then, and
/// publication then takes its usual phases.
pub fn publication_start(body: &Value, released: Instant) -> Option<Instant> {
    match body.get("targetPublishMode").and_then(Value::as_str) {
        Some("Manual") => None,
        Some("SpecificDate") => {
            let date = body
                .get("targetPublishDate")
                .and_then(Value::as_str)
                .and_then(|d| d.parse::<jiff::Timestamp>().ok());
            // A past date gives a negative duration, which no std Duration holds.
            let wait = date
                .map(|date| date.duration_since(jiff::Timestamp::now()))
                .and_then(|d| std::time::Duration::try_from(d).ok())
                .filter(|d| !d.is_zero());
            Some(match wait {
                Some(wait) => released.max(Instant::now() + wait),
                None => released,
            })
        }
        _ => Some(released),
    }
}

// ----- R1–R4, FR1–FR4 -----

/// Finds a published submission of the path's app or flight, or the answer that refuses.
fn published<'a>(
    world: &'a World,
    params: &HashMap<String, String>,
) -> Result<(Owner, &'a super::state::Submission), Response> {
    let (owner, submission) = locate(world, params)?;
    if submission.status() != "Published" {
        return Err(api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!(
                "Submission {} is in state {} and is not published; package rollout applies to published submissions only.",
                submission.id,
                submission.status()
            ),
            owner.target(),
        ));
    }
    Ok((owner, submission))
}

/// R1/FR1: the rollout of a published submission.
pub async fn get_rollout(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let world = match enter(&shared, &headers) {
        Ok(world) => world,
        Err(response) => return response,
    };
    match published(&world, &params) {
        Ok((_, submission)) => ok(rollout_of(&submission.body)),
        Err(response) => response,
    }
}

/// What R2–R4 do to a rollout in progress.
enum Change {
    Percentage(f64),
    Halt,
    Finalize,
}

/// R2/FR2: `?percentage=` — a float from 0 to 100 ("25", "25.5"); the rollout stays in
/// progress. UNKNOWN: whether the service refuses lowering the percentage; it is allowed.
pub async fn update_percentage(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let percentage = query
        .get("percentage")
        .and_then(|p| p.trim().parse::<f64>().ok())
        .filter(|p| p.is_finite());
    let Some(percentage) = percentage.filter(|p| (0.0..=100.0).contains(p)) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            &format!(
                "percentage must be a number from 0 to 100, not '{}'.",
                query.get("percentage").map(String::as_str).unwrap_or("")
            ),
            "packageRollout",
        );
    };
    change(&shared, &params, &headers, Change::Percentage(percentage))
}

/// R3/FR3: customers who have the new packages keep them; nobody else gets them.
pub async fn halt(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    change(&shared, &params, &headers, Change::Halt)
}

/// R4/FR4: every customer gets the new packages.
pub async fn finalize(
    State(shared): State<Shared>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    change(&shared, &params, &headers, Change::Finalize)
}

/// R2–R4 require a published submission whose rollout is in progress, else 409
/// (the 409 of https://learn.microsoft.com/windows/uwp/monetize/update-the-package-rollout-percentage-for-an-app-submission).
fn change(
    shared: &Shared,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    change: Change,
) -> Response {
    let mut world = match enter(shared, headers) {
        Ok(world) => world,
        Err(response) => return response,
    };
    let (owner, id, rollout) = match published(&world, params) {
        Ok((owner, s)) => (owner, s.id.clone(), rollout_of(&s.body)),
        Err(response) => return response,
    };
    let status = rollout
        .get("packageRolloutStatus")
        .and_then(Value::as_str)
        .unwrap_or(NOT_STARTED);
    let enabled = rollout.get("isPackageRollout").and_then(Value::as_bool) == Some(true);
    if !enabled || status != IN_PROGRESS {
        return api_error(
            StatusCode::CONFLICT,
            "InvalidState",
            &format!(
                "The package rollout of submission {id} is {}; only a rollout in progress can be changed.",
                if enabled { status } else { "not enabled" }
            ),
            owner.target(),
        );
    }
    let submission = world.submissions.get_mut(&id).expect("found above");
    let rollout = rollout_mut(&mut submission.body);
    match change {
        Change::Percentage(p) => rollout["packageRolloutPercentage"] = json!(p),
        Change::Halt => {
            rollout["packageRolloutStatus"] = json!(STOPPED);
            rollout["packageRolloutPercentage"] = json!(0.0);
        }
        Change::Finalize => {
            rollout["packageRolloutStatus"] = json!(COMPLETE);
            rollout["packageRolloutPercentage"] = json!(100.0);
        }
    }
    ok(rollout.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_rollout_starts_and_clones_start_afresh() {
        let mut body: Value =
            serde_json::from_str(include_str!("samples/app-submission-resource.json")).unwrap();
        body["packageDeliveryOptions"]["packageRollout"]["isPackageRollout"] = json!(true);
        body["packageDeliveryOptions"]["packageRollout"]["packageRolloutPercentage"] = json!(25.0);
        on_publish(&mut body, Some("1212922684621243058"));
        // The docs' answer for a rollout in progress.
        let expected = crate::api::parse_lenient(include_str!(
            "samples/package-rollout-get-enabled-response.json"
        ))
        .unwrap();
        assert_eq!(rollout_of(&body), expected);
        assert!(is_unfinished(&rollout_of(&body)));
        reset_for_clone(&mut body);
        let clone = rollout_of(&body);
        assert_eq!(clone["packageRolloutStatus"], NOT_STARTED);
        assert_eq!(clone["fallbackSubmissionId"], "0");
        assert_eq!(clone["packageRolloutPercentage"], json!(25.0));
    }

    #[test]
    fn publication_waits_for_a_person_or_a_date() {
        let released = Instant::now();
        let body =
            |mode: &str, date: &str| json!({"targetPublishMode": mode, "targetPublishDate": date});
        assert_eq!(publication_start(&body("Manual", ""), released), None);
        assert_eq!(
            publication_start(&body("Immediate", ""), released),
            Some(released)
        );
        assert_eq!(
            publication_start(&body("SpecificDate", "1601-01-01T00:00:00Z"), released),
            Some(released)
        );
        let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600);
        let start = publication_start(&body("SpecificDate", &soon.to_string()), released).unwrap();
        let waits = start.duration_since(released).as_secs_f64();
        assert!((3590.0..=3601.0).contains(&waits), "{waits}");
    }
}
