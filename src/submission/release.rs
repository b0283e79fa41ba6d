//! Release control in `submit` (docs/decisions/0007-release-control.md): the publish
//! settings and gradual rollout written into the submission, what happens when the last
//! published submission is still rolling out (it blocks creating a new one,
//! https://learn.microsoft.com/windows/apps/publish/gradual-package-rollout),
//! and when a wait for `published` ends at `Release`.

use serde_json::{Map, Value, json};

use super::edit::{EditReport, check_changes_fit};
use super::flow::{Submit, string_field};
use crate::api::{ApiError, Client};
use crate::config::values::{format_percentage, format_timestamp};
use crate::config::{
    ExistingRollout, ProductRef, ReleaseOptions, RolloutAction, SubmissionChanges,
};
use crate::error::{CallContext, Error, Result};
use crate::report::Reporter;
use crate::report::summary::RunSummary;

// ----- settings written into the submission -----

/// Writes the release settings that were given. What was not given keeps the value the
/// submission was cloned with: unlike StoreBroker, which always writes `isMandatoryUpdate`
/// (so leaving its switch out clears an inherited `true`, `Update-ApplicationSubmission` in
/// https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApplicationApi.ps1), an input left out
/// never changes anything here.
pub fn apply_release_options(
    submission: &mut Value,
    product: &ProductRef,
    options: &ReleaseOptions,
    report: &mut EditReport,
) {
    if let Some(mode) = options.publish_mode {
        submission["targetPublishMode"] = json!(mode.as_str());
        match options.publish_date {
            Some(date) => {
                submission["targetPublishDate"] = json!(format_timestamp(date));
                report.notes.push(format!(
                    "publish mode SpecificDate: publishes at {} once certified",
                    format_timestamp(date)
                ));
            }
            None => report.notes.push(format!("publish mode {}", mode.as_str())),
        }
    }
    if let Some(visibility) = options.visibility {
        submission["visibility"] = json!(visibility.as_str());
        report
            .notes
            .push(format!("visibility {}", visibility.as_str()));
    }
    // Apps and flights deliver packages; add-ons have no packageDeliveryOptions
    // (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions).
    if product.packages_field().is_none() {
        return;
    }
    if let Some(percentage) = options.rollout_percentage {
        let rollout = object_at(delivery_options(submission), "packageRollout");
        rollout.insert("isPackageRollout".into(), json!(true));
        rollout.insert("packageRolloutPercentage".into(), json!(percentage));
        report.notes.push(format!(
            "gradual rollout on: {}% of customers get the new packages once it publishes",
            format_percentage(percentage)
        ));
    } else if let Some(state) = RolloutState::of_submission(submission)
        && state.is_rollout
    {
        report.warnings.push(format!(
            "the submission keeps the gradual rollout it was cloned with ({}% of customers); give `rollout-percentage` to choose another, or turn it off with the patch {{\"packageDeliveryOptions\": {{\"packageRollout\": {{\"isPackageRollout\": false}}}}}}",
            format_percentage(state.percentage)
        ));
    }
    if let Some(mandatory) = options.mandatory_update {
        delivery_options(submission).insert("isMandatoryUpdate".into(), json!(mandatory));
        report.notes.push(format!(
            "mandatory update {}",
            if mandatory { "on" } else { "off" }
        ));
    }
    if let Some(date) = options.mandatory_update_effective_date {
        delivery_options(submission).insert(
            "mandatoryUpdateEffectiveDate".into(),
            json!(format_timestamp(date)),
        );
        report.notes.push(format!(
            "the update is mandatory from {}",
            format_timestamp(date)
        ));
    }
}

fn delivery_options(submission: &mut Value) -> &mut Map<String, Value> {
    let Some(object) = submission.as_object_mut() else {
        unreachable!("a submission is a JSON object")
    };
    object_at(object, "packageDeliveryOptions")
}

fn object_at<'a>(object: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = object.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("made an object above")
}

/// [`check_changes_fit`] as the run's error: bad input, exit 2, nothing changed.
pub fn changes_fit(submission: &Value, changes: &SubmissionChanges) -> Result<()> {
    let problems = check_changes_fit(submission, changes);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

// ----- gradual rollout -----

/// `packageDeliveryOptions.packageRollout` (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions), as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutState {
    pub is_rollout: bool,
    pub percentage: f64,
    pub status: String,
    pub fallback_submission_id: String,
}

impl RolloutState {
    /// The rollout object as R1–R4 answer it (`samples/package-rollout-*.json`).
    pub fn from_rollout(rollout: &Value) -> RolloutState {
        RolloutState {
            is_rollout: rollout
                .get("isPackageRollout")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            // `0`, `0.0` and `25.0` all occur (the examples of https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions
            // and get-package-rollout-info-for-an-app-submission).
            percentage: rollout
                .get("packageRolloutPercentage")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            status: string_field(rollout, "packageRolloutStatus").unwrap_or_default(),
            fallback_submission_id: string_field(rollout, "fallbackSubmissionId")
                .unwrap_or_default(),
        }
    }

    pub fn of_submission(submission: &Value) -> Option<RolloutState> {
        submission
            .pointer("/packageDeliveryOptions/packageRollout")
            .filter(|r| r.is_object())
            .map(RolloutState::from_rollout)
    }

    /// Still rolling out, so that no new submission can be created (StoreBroker's test in
    /// `New-ApplicationSubmission -ExistingPackageRolloutAction`).
    pub fn is_unfinished(&self) -> bool {
        self.is_rollout
            && matches!(
                self.status.as_str(),
                "PackageRolloutNotStarted" | "PackageRolloutInProgress"
            )
    }

    /// `25% (PackageRolloutInProgress)`, or `not a gradual rollout`.
    pub fn describe(&self) -> String {
        if !self.is_rollout {
            return "not a gradual rollout".into();
        }
        format!("{}% ({})", format_percentage(self.percentage), self.status)
    }
}

/// The path of a rollout call (R1–R4, FR1–FR4) on a submission.
pub fn rollout_path(product: &ProductRef, submission_id: &str, action: RolloutAction) -> String {
    let submission = product.submission_path(submission_id);
    match action {
        RolloutAction::Get => format!("{submission}/packagerollout"),
        RolloutAction::Update(percentage) => format!(
            "{submission}/updatepackagerolloutpercentage?percentage={}",
            format_percentage(percentage)
        ),
        RolloutAction::Halt => format!("{submission}/haltpackagerollout"),
        RolloutAction::Finalize => format!("{submission}/finalizepackagerollout"),
    }
}

/// The error for a rollout that blocks creating a submission, with the ways out.
pub fn unfinished_rollout_error(
    product: &ProductRef,
    published_id: &str,
    state: &RolloutState,
    context: Option<CallContext>,
) -> Error {
    Error::Conflict {
        message: format!(
            "{} cannot get a new submission while the gradual rollout of its last published submission {published_id} is unfinished: {}",
            product.describe(),
            state.describe()
        ),
        hint: format!(
            "Set `existing-rollout` to `finalize` (every customer gets that submission's packages) or `halt` (customers who have not got them keep the earlier ones; the new submission is still a clone of the halted one), or do it first with `command: rollout` and `rollout-action: finalize` or `halt`. The rollout: {}",
            product.dashboard_url(published_id)
        ),
        context,
    }
}

/// What creating a submission needs first, found by reading the last published one.
#[derive(Debug, Default)]
pub struct BeforeCreate {
    /// The last published submission: id and body (what the new one will be a clone of).
    pub published: Option<(String, Value)>,
    /// `existing-rollout: halt` or `finalize` on a rollout that blocks the create.
    pub settle: Option<(RolloutAction, RolloutState)>,
}

impl Submit<'_> {
    /// Before a create: the last published submission's rollout must not block it (acted on
    /// per `existing-rollout`), and the changes must fit the clone it will be. Reads only.
    pub(super) async fn before_create(&self, resource: &Value) -> Result<BeforeCreate> {
        let product = self.product;
        let Some(published_id) = crate::products::pending_id(resource, product.published_field())
        else {
            return Ok(BeforeCreate::default());
        };
        let published = self
            .client
            .get(&product.submission_path(&published_id))
            .await
            .map_err(|e| {
                e.into_error(&format!("reading the published submission {published_id}"))
            })?;
        changes_fit(&published, &self.config.changes)?;
        let mut before = BeforeCreate::default();
        if product.packages_field().is_some()
            && let Some(state) = RolloutState::of_submission(&published)
            && state.is_unfinished()
        {
            before.settle = match self.config.existing_rollout {
                ExistingRollout::Fail => {
                    return Err(unfinished_rollout_error(
                        product,
                        &published_id,
                        &state,
                        None,
                    ));
                }
                ExistingRollout::Halt => Some((RolloutAction::Halt, state)),
                ExistingRollout::Finalize => Some((RolloutAction::Finalize, state)),
            };
        }
        // The new submission is a clone of `published` as it will be after the settle (a
        // halt leaves the rollout at 0 %, a finalize at 100 %); what would stop its PUT
        // stops the run now, before anything is created or settled.
        let mut planned = published.clone();
        if let Some((action, _)) = &before.settle
            && let Some(rollout) = planned.pointer_mut("/packageDeliveryOptions/packageRollout")
        {
            rollout["packageRolloutPercentage"] = json!(if *action == RolloutAction::Halt {
                0.0
            } else {
                100.0
            });
        }
        let _ = super::edit::apply_changes(&mut planned, product, &self.config.changes);
        self.check_body(
            &published,
            &planned,
            &format!(
                "published submission {published_id}{}",
                match &before.settle {
                    Some((RolloutAction::Halt, _)) => ", once halted (existing-rollout: halt)",
                    _ => "",
                }
            ),
        )?;
        before.published = Some((published_id, published));
        Ok(before)
    }

    /// Halts or finalizes the rollout that blocks the create (`existing-rollout`).
    pub(super) async fn settle_rollout(
        &self,
        published_id: &str,
        action: RolloutAction,
        state: &RolloutState,
        summary: &mut RunSummary,
    ) -> Result<()> {
        tracing::info!(
            "the gradual rollout of published submission {published_id} is unfinished ({}): {} it (existing-rollout: {})",
            state.describe(),
            if action == RolloutAction::Halt {
                "halting"
            } else {
                "finalizing"
            },
            action.as_str()
        );
        let after = act_on_rollout(self.client, self.product, published_id, action).await?;
        let after = RolloutState::from_rollout(&after);
        let note = format!(
            "{} the gradual rollout of published submission {published_id}: now {}",
            if action == RolloutAction::Halt {
                "halted"
            } else {
                "finalized"
            },
            after.describe()
        );
        tracing::info!("{note}");
        summary.notes.push(note);
        Ok(())
    }
}

/// Runs a rollout action and returns the rollout object as the service answered it. An
/// answer lost after the change was made is recognised on a re-read: a halt that finds the
/// rollout stopped, a finalize that finds it complete, an update that finds the percentage
/// set, are done (so re-runs finish the job).
pub async fn act_on_rollout(
    client: &Client,
    product: &ProductRef,
    submission_id: &str,
    action: RolloutAction,
) -> Result<Value> {
    let path = rollout_path(product, submission_id, action);
    let call = match action {
        RolloutAction::Get => client.get(&path).await,
        _ => client.post(&path).await,
    };
    let error = match call {
        Ok(rollout) if rollout.is_object() => return Ok(rollout),
        // UNKNOWN: an empty answer; the docs show the rollout object every time.
        Ok(_) => return read_rollout(client, product, submission_id).await,
        Err(e) => e,
    };
    if action == RolloutAction::Get || !(error.status() == Some(409) || error.outcome_unknown()) {
        return Err(rollout_error(product, submission_id, action, error, None));
    }
    let (raw, now) = match read_rollout(client, product, submission_id).await {
        Ok(raw) => {
            let now = RolloutState::from_rollout(&raw);
            (raw, now)
        }
        Err(_) => return Err(rollout_error(product, submission_id, action, error, None)),
    };
    let done = match action {
        RolloutAction::Halt => now.status == "PackageRolloutStopped",
        RolloutAction::Finalize => now.status == "PackageRolloutComplete",
        RolloutAction::Update(p) => {
            now.status == "PackageRolloutInProgress" && (now.percentage - p).abs() < 1e-9
        }
        RolloutAction::Get => false,
    };
    if done {
        tracing::info!(
            "the rollout of submission {submission_id} is already {}: nothing to do",
            now.describe()
        );
        return Ok(raw);
    }
    Err(rollout_error(
        product,
        submission_id,
        action,
        error,
        Some(&now),
    ))
}

async fn read_rollout(client: &Client, product: &ProductRef, submission_id: &str) -> Result<Value> {
    client
        .get(&rollout_path(product, submission_id, RolloutAction::Get))
        .await
        .map_err(|e| {
            e.into_error(&format!(
                "reading the rollout of submission {submission_id}"
            ))
        })
}

/// A refused rollout call, explained with the rollout's state when it is known (the API's
/// 409 means: not published, or not a rollout in progress).
fn rollout_error(
    product: &ProductRef,
    submission_id: &str,
    action: RolloutAction,
    error: ApiError,
    now: Option<&RolloutState>,
) -> Error {
    let doing = match action {
        RolloutAction::Get => "reading".to_string(),
        RolloutAction::Update(p) => format!("setting to {}%", format_percentage(p)),
        RolloutAction::Halt => "halting".to_string(),
        RolloutAction::Finalize => "finalizing".to_string(),
    };
    match (error.status(), now) {
        (Some(409), Some(now)) => Error::Conflict {
            message: format!(
                "Partner Center refused {doing} the rollout of submission {submission_id} of {}: it is {} ({})",
                product.describe(),
                now.describe(),
                error.summary()
            ),
            hint: "Only a rollout in progress (PackageRolloutInProgress) of a published submission can be updated, halted or finalized; a halted or finalized one is over. Start a new one with `submit` and `rollout-percentage`.".into(),
            context: Some(error.context),
        },
        (Some(409), None) => Error::Conflict {
            message: format!(
                "Partner Center refused {doing} the rollout of submission {submission_id} of {}: {}",
                product.describe(),
                error.summary()
            ),
            hint: "The submission must be published and its rollout in progress; check it in Partner Center.".into(),
            context: Some(error.context),
        },
        _ => error.into_error(&format!(
            "{doing} the rollout of submission {submission_id}"
        )),
    }
}

/// A create refused with 409 although the check before it passed (another run, or a
/// person in Partner Center, got there first): when the last published submission is
/// rolling out, that is the reason, and the error says so.
pub async fn explain_create_conflict(
    client: &Client,
    product: &ProductRef,
    error: &ApiError,
) -> Option<Error> {
    product.packages_field()?;
    let resource = client.get(&product.resource_path()).await.ok()?;
    let published_id = crate::products::pending_id(&resource, product.published_field())?;
    let published = client
        .get(&product.submission_path(&published_id))
        .await
        .ok()?;
    let state = RolloutState::of_submission(&published).filter(RolloutState::is_unfinished)?;
    Some(unfinished_rollout_error(
        product,
        &published_id,
        &state,
        Some(error.context.clone()),
    ))
}

// ----- publishing -----

/// How a submission publishes once certified: `targetPublishMode` and `targetPublishDate`.
#[derive(Debug, Clone, Default)]
pub struct Publication {
    pub mode: Option<String>,
    /// `None` when unset (`""`, or the API's `1601-01-01…` is parsed and kept as is).
    pub date: Option<jiff::Timestamp>,
}

impl Publication {
    pub fn of(submission: &Value) -> Publication {
        Publication {
            mode: string_field(submission, "targetPublishMode"),
            date: string_field(submission, "targetPublishDate")
                .and_then(|d| d.parse::<jiff::Timestamp>().ok()),
        }
    }

    /// Whether waiting for `Published` ends at `Release`: always with `Manual` (a person
    /// publishes it), with `SpecificDate` when the date is after `until` (the wait's end)
    /// or unknown; a date before that publishes within the wait, so the wait goes on.
    pub fn stops_at_release(&self, until: jiff::Timestamp) -> bool {
        match self.mode.as_deref() {
            Some("Manual") => true,
            Some("SpecificDate") => self.date.is_none_or(|date| date > until),
            _ => false,
        }
    }

    /// What a run that stopped at `Release` tells the user.
    pub fn waiting_note(&self, product: &ProductRef, submission_id: &str) -> String {
        let url = product.dashboard_url(submission_id);
        match (self.mode.as_deref(), self.date) {
            (Some("SpecificDate"), Some(date)) => format!(
                "submission {submission_id} passed certification and waits in Release for its publish date, {} (after this run's timeout); it publishes by itself then: {url}",
                format_timestamp(date)
            ),
            _ => format!(
                "submission {submission_id} passed certification and now waits in Release for a person to publish it in Partner Center (publish mode {}): {url}",
                self.mode.as_deref().unwrap_or("Manual")
            ),
        }
    }
}

/// A wait that ended at `Release`: said in the log (as a notice on GitHub) and the summary.
pub fn report_waiting_in_release(
    reporter: &Reporter,
    summary: &mut RunSummary,
    publication: &Publication,
    product: &ProductRef,
    submission_id: &str,
) {
    let note = publication.waiting_note(product, submission_id);
    reporter.notice(&note);
    summary.notes.push(note);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PublishMode, Visibility};

    fn app() -> ProductRef {
        ProductRef::App {
            app_id: "9NBLGGH4R315".into(),
        }
    }

    fn sample() -> Value {
        serde_json::from_str(include_str!(
            "../simulator/samples/app-submission-resource.json"
        ))
        .unwrap()
    }

    #[test]
    fn given_settings_are_written_and_the_rest_kept() {
        let mut submission = sample();
        submission["packageDeliveryOptions"]["isMandatoryUpdate"] = json!(true);
        let options = ReleaseOptions {
            rollout_percentage: Some(12.5),
            publish_mode: Some(PublishMode::SpecificDate),
            publish_date: Some("2026-12-01T10:00:00+01:00".parse().unwrap()),
            visibility: Some(Visibility::Hidden),
            ..Default::default()
        };
        let mut report = EditReport::default();
        apply_release_options(&mut submission, &app(), &options, &mut report);
        assert_eq!(submission["targetPublishMode"], "SpecificDate");
        assert_eq!(submission["targetPublishDate"], "2026-12-01T09:00:00Z");
        assert_eq!(submission["visibility"], "Hidden");
        let rollout = &submission["packageDeliveryOptions"]["packageRollout"];
        assert_eq!(rollout["isPackageRollout"], true);
        assert_eq!(rollout["packageRolloutPercentage"], json!(12.5));
        // Read-only fields are not written; an inherited mandatory update stays.
        assert_eq!(rollout["packageRolloutStatus"], "PackageRolloutNotStarted");
        assert_eq!(
            submission["packageDeliveryOptions"]["isMandatoryUpdate"],
            true
        );
        assert_eq!(
            serde_json::to_string(&rollout["packageRolloutPercentage"]).unwrap(),
            "12.5"
        );
    }

    #[test]
    fn add_ons_get_no_delivery_options() {
        let mut submission = json!({"visibility": "Public"});
        let options = ReleaseOptions {
            visibility: Some(Visibility::Private),
            mandatory_update: Some(true),
            ..Default::default()
        };
        let addon = ProductRef::Addon {
            addon_id: "9NBLGGH4TNMP".into(),
        };
        apply_release_options(
            &mut submission,
            &addon,
            &options,
            &mut EditReport::default(),
        );
        assert_eq!(submission, json!({"visibility": "Private"}));
    }

    #[test]
    fn unfinished_rollouts_are_the_ones_that_block_a_create() {
        let state = |sample: &str| {
            RolloutState::from_rollout(
                &crate::api::parse_lenient(
                    &std::fs::read_to_string(format!(
                        "{}/src/simulator/samples/{sample}",
                        env!("CARGO_MANIFEST_DIR")
                    ))
                    .unwrap(),
                )
                .unwrap(),
            )
        };
        assert!(state("package-rollout-get-enabled-response.json").is_unfinished());
        assert!(!state("package-rollout-get-not-enabled-response.json").is_unfinished());
        assert!(!state("package-rollout-halt-response.json").is_unfinished());
        assert!(!state("package-rollout-finalize-response.json").is_unfinished());
        assert_eq!(
            state("package-rollout-get-enabled-response.json").describe(),
            "25% (PackageRolloutInProgress)"
        );
    }

    #[test]
    fn rollout_paths_format_percentages_with_a_dot() {
        let id = "1152921504621243540";
        assert_eq!(
            rollout_path(&app(), id, RolloutAction::Update(12.5)),
            format!(
                "applications/9NBLGGH4R315/submissions/{id}/updatepackagerolloutpercentage?percentage=12.5"
            )
        );
        let flight = ProductRef::Flight {
            app_id: "9NBLGGH4R315".into(),
            flight_id: "7bfc11d5-f710-47c5-8a98-e04bb5aad310".into(),
        };
        assert_eq!(
            rollout_path(&flight, id, RolloutAction::Finalize),
            format!(
                "applications/9NBLGGH4R315/flights/7bfc11d5-f710-47c5-8a98-e04bb5aad310/submissions/{id}/finalizepackagerollout"
            )
        );
    }

    #[test]
    fn release_stops_for_manual_and_for_dates_beyond_the_wait() {
        let until: jiff::Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let publication = |mode: &str, date: &str| {
            Publication::of(&json!({"targetPublishMode": mode, "targetPublishDate": date}))
        };
        assert!(publication("Manual", "1601-01-01T00:00:00Z").stops_at_release(until));
        assert!(!publication("Immediate", "").stops_at_release(until));
        assert!(!publication("SpecificDate", "2026-06-01T11:00:00Z").stops_at_release(until));
        assert!(publication("SpecificDate", "2026-06-01T13:00:00Z").stops_at_release(until));
        assert!(publication("SpecificDate", "").stops_at_release(until));
        let note = publication("Manual", "").waiting_note(&app(), "1");
        assert!(note.contains("waits in Release for a person"), "{note}");
    }
}
