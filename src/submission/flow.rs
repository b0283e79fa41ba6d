//! `submit`: zip → read the product → pending submission per `on-pending` → create (a clone
//! of the last published submission) → edit → PUT → upload → commit → wait → outputs.
//!
//! The zip is built first, before anything changes in Partner Center, so a problem with
//! the files never leaves a half-made submission behind. A run that finds the pending
//! submission an earlier run with the same inputs left (same new packages, our zip's
//! SHA-256 on its blob) continues it and skips what is done, so a re-run after a failure
//! at any step finishes the job without a second submission.

use std::time::Instant;

use serde_json::Value;

use super::edit::{apply_changes, put_body, with_service_fields};
use super::release::{self, Publication};
use super::safety;
use super::wait::{WaitResult, wait};
use crate::api::types::{Status, SubmissionStatus, is_submission_id};
use crate::api::{ApiError, Client};
use crate::config::patch_files::new_files_in_patch;
use crate::config::values::format_size;
use crate::config::{OnPending, ProductRef, SubmitConfig, WaitFor, ZipSource};
use crate::error::{CallContext, Error, Result};
use crate::escape::{escape_debug, inert_single_line};
use crate::package::manifest::PackageInfo;
use crate::package::{self, ZipSummary};
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::upload::{self, UploadOptions, UploadUrl};

mod listings;
mod plan;

pub struct Submit<'a> {
    pub config: &'a SubmitConfig,
    /// The new packages' manifests, read before any call (`commands::checks`).
    pub packages: &'a [PackageInfo],
    /// The product with names resolved to ids.
    pub product: &'a ProductRef,
    pub client: &'a Client,
    pub http: &'a reqwest::Client,
    pub reporter: &'a Reporter,
}

/// How far an earlier run with the same inputs got with the submission we continue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Done {
    uploaded: bool,
    committed: bool,
}

impl Submit<'_> {
    /// Runs the submission, filling `summary` as it goes (so a failure still reports how
    /// far it got).
    pub async fn run(&self, summary: &mut RunSummary) -> Result<()> {
        let config = self.config;
        let product = self.product;
        if config.dry_run {
            return self.dry_run(summary).await;
        }

        // Pre-flight (issue 9): the packages against the product, reads only, before the
        // zip is built and before anything is written.
        super::preflight::run(self, summary).await?;

        self.reporter.group_start("Upload zip");
        let started = Instant::now();
        let zip = self.prepare_zip().await;
        summary.timed("zip", started.elapsed());
        self.reporter.group_end();
        let zip = zip?;
        summary.zip = zip.clone();
        self.output(
            "packages",
            &serde_json::to_string(&config.changes.packages).unwrap_or_default(),
        );
        summary.packages = Some(config.changes.packages.clone());

        self.reporter
            .group_start(&format!("Submission for {}", product.describe()));
        let started = Instant::now();
        let prepared = self.prepare_submission(zip.as_ref(), summary).await;
        summary.timed("prepare", started.elapsed());
        self.reporter.group_end();
        let (submission, done) = prepared?;
        let submission_id = string_field(&submission, "id").unwrap_or_default();

        if let Some(zip) = &zip {
            if done.uploaded {
                tracing::info!(
                    "the zip is already uploaded (its SHA-256 is on the blob): skipping the upload"
                );
            } else {
                self.reporter.group_start("Upload");
                let started = Instant::now();
                let uploaded = self.upload(&submission, zip).await;
                summary.timed("upload", started.elapsed());
                self.reporter.group_end();
                uploaded?;
            }
        }

        if done.committed {
            tracing::info!("submission {submission_id} is already committed: following its status");
            self.set_status(&SubmissionStatus::from_submission(&submission), summary);
        } else if !config.commit {
            tracing::info!(
                "submission {submission_id} left as an uncommitted draft (commit: false); see {}",
                product.dashboard_url(&submission_id)
            );
            self.set_status(&SubmissionStatus::from_submission(&submission), summary);
            return Ok(());
        }

        if !done.committed {
            self.reporter.group_start("Commit");
            let started = Instant::now();
            let committed = self.commit(&submission_id).await;
            summary.timed("commit", started.elapsed());
            self.reporter.group_end();
            let status = committed?;
            self.set_status(&status, summary);
        }
        if config.wait.wait_for == WaitFor::None {
            return Ok(());
        }
        self.reporter
            .group_start(&format!("Waiting for `{}`", config.wait.wait_for.as_str()));
        let publication = Publication::of(&submission);
        let started = Instant::now();
        let waited = wait(
            self.client,
            product,
            &submission_id,
            &publication,
            &config.wait,
            true,
            |status| self.set_status(status, summary),
        )
        .await;
        summary.timed("wait", started.elapsed());
        self.reporter.group_end();
        let WaitResult {
            status,
            stopped_at_release,
        } = waited?;
        self.set_status(&status, summary);
        if stopped_at_release {
            release::report_waiting_in_release(
                self.reporter,
                summary,
                &publication,
                product,
                &submission_id,
            );
        }
        // Post-commit verification (issue 9): the packages as processed, once past
        // PreProcessing.
        super::verify::after_wait(self, &submission, &status, summary).await
    }

    async fn prepare_zip(&self) -> Result<Option<ZipSummary>> {
        let summary = match &self.config.zip {
            ZipSource::Nothing => {
                tracing::info!("no new files: nothing to upload");
                return Ok(None);
            }
            ZipSource::Build { path, files } => {
                let mut files = files.clone();
                files.extend(self.listing_uploads().await?);
                if files.is_empty() {
                    tracing::info!("no new files: nothing to upload");
                    return Ok(None);
                }
                let path = path.clone();
                tracing::info!("building {} from {} file(s)", path.display(), files.len());
                tokio::task::spawn_blocking(move || package::build_zip(&files, &path))
                    .await
                    .map_err(|e| Error::Internal(e.into()))?
                    .map_err(|e| {
                        Error::Internal(anyhow::anyhow!("cannot write the upload zip: {e}"))
                    })?
            }
            ZipSource::Ready { path } => {
                let path = path.clone();
                let (sha256, size) = tokio::task::spawn_blocking({
                    let path = path.clone();
                    move || package::zip::sha256_file(&path)
                })
                .await
                .map_err(|e| Error::Internal(e.into()))?
                .map_err(|e| {
                    Error::input("upload-zip", format!("cannot read {}: {e}", path.display()))
                })?;
                let entries = package::zip_entry_names(&path)
                    .map(|names| {
                        names
                            .into_iter()
                            .map(|name| package::zip::ZipEntry { name, size: 0 })
                            .collect()
                    })
                    .unwrap_or_default();
                ZipSummary {
                    path,
                    sha256,
                    size,
                    entries,
                }
            }
        };
        tracing::info!(
            "zip {}: {} entries, {}, SHA-256 {}",
            summary.path.display(),
            summary.entries.len(),
            format_size(summary.size),
            summary.sha256
        );
        self.output("zip-path", &summary.path.display().to_string());
        self.output("zip-sha256", &summary.sha256);
        self.output("zip-size", &summary.size.to_string());
        Ok(Some(summary))
    }

    /// Finds, continues or creates the pending submission, applies the changes and PUTs
    /// it (unless it already holds them). Says what an earlier run already did.
    async fn prepare_submission(
        &self,
        zip: Option<&ZipSummary>,
        summary: &mut RunSummary,
    ) -> Result<(Value, Done)> {
        let config = self.config;
        let product = self.product;
        let resource = self.read_product().await?;
        let mut done = Done::default();
        // Whether this run made the submission: then a problem found before its update
        // deletes it again rather than leaving it behind.
        let mut created = false;
        // A draft an earlier run left that differs from these inputs is rebuilt from what
        // they make of the published submission, not patched where it stands.
        let mut start = None;
        let mut submission = match &config.submission_id {
            Some(id) => self.continue_submission(id, "submission-id").await?,
            None => match pending_id(&resource, product) {
                Some(pending) => match self.recognise(&pending, zip).await? {
                    Recognised::Ours(earlier, earlier_done, rebuilt) => {
                        done = earlier_done;
                        start = rebuilt;
                        earlier
                    }
                    Recognised::NotOurs { differs } => {
                        match self.flight_starter(&resource, &pending).await? {
                            Some(started) => started,
                            None => {
                                created = config.on_pending == OnPending::Delete;
                                self.handle_pending(&pending, &resource, differs, summary)
                                    .await?
                            }
                        }
                    }
                },
                None => {
                    created = true;
                    self.create(&resource, summary).await?
                }
            },
        };
        let submission_id = string_field(&submission, "id")
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("the submission has no id")))?;
        summary.submission_id = Some(submission_id.clone());
        summary.submission_url = Some(product.dashboard_url(&submission_id));
        self.output("submission-id", &submission_id);
        self.output("submission-url", &product.dashboard_url(&submission_id));

        if done.committed {
            self.describe_release(&submission, summary);
            return Ok((submission, done));
        }
        // An upload URL the run will not send to (plain http off loopback) stops it before
        // its update, not after (the upload checks again).
        if zip.is_some()
            && !done.uploaded
            && let Some(e) = cleartext_upload_url(&submission)
        {
            return Err(if created {
                self.remove_created(&submission_id, e).await
            } else {
                e
            });
        }
        let before = submission.clone();
        if let Some(start) = start {
            submission = start;
        }
        let source = submission.clone();
        if let Err(e) = self.edit(&mut submission, &source) {
            return Err(if created {
                self.remove_created(&submission_id, e).await
            } else {
                e
            });
        }
        self.describe_release(&submission, summary);
        if submission == before {
            tracing::info!(
                "submission {submission_id} already holds these changes: no update needed"
            );
            return Ok((submission, done));
        }

        tracing::info!("updating submission {submission_id}");
        let updated = self
            .client
            .put(
                &product.submission_path(&submission_id),
                &put_body(&submission),
            )
            .await
            .map_err(|e| self.update_error(e, &submission_id))?;
        if zip.is_some()
            && !done.uploaded
            && let Some(e) = cleartext_upload_url(&updated)
        {
            return Err(if created {
                self.remove_created(&submission_id, e).await
            } else {
                e
            });
        }
        // The answer is the submission as stored; keep what we sent where it has no body.
        Ok((
            if updated.is_object() {
                updated
            } else {
                submission
            },
            done,
        ))
    }

    /// Applies the inputs to `submission` (which is `before`), then checks what would be
    /// sent: never a price the service turns into Free, never a rollout at 0 % unasked.
    fn edit(&self, submission: &mut Value, before: &Value) -> Result<()> {
        let (config, product) = (self.config, self.product);
        release::changes_fit(before, &config.changes)?;
        let report = apply_changes(submission, product, &config.changes);
        for note in &report.notes {
            tracing::info!("{note}");
        }
        for warning in &report.warnings {
            self.reporter.warning(warning);
        }
        self.warn_files_missing_from_zip(submission);
        self.check_body(before, submission, "the submission it starts from")
    }

    /// The checks on a body about to be sent (or, for a new submission, that would be).
    pub(super) fn check_body(&self, source: &Value, planned: &Value, from: &str) -> Result<()> {
        let (config, product) = (self.config, self.product);
        if let Some(e) = safety::price_error(product, source, planned, &config.changes) {
            return Err(e);
        }
        if config.commit
            && let Some(e) = safety::zero_rollout_error(product, planned, &config.changes, from)
        {
            return Err(e);
        }
        Ok(())
    }

    /// The rollout and publish mode the submission goes out with, for the step summary.
    fn describe_release(&self, submission: &Value, summary: &mut RunSummary) {
        let (rollout, publish) = safety::describe_release(self.product, submission);
        summary.rollout = rollout;
        summary.publish = publish;
        summary.visibility = string_field(submission, "visibility");
    }

    /// Deletes a submission this run created when the run stops before updating it, so that
    /// the next run does not meet it as pending; says how to remove it when that fails.
    async fn remove_created(&self, id: &str, error: Error) -> Error {
        let product = self.product;
        match self.client.delete(&product.submission_path(id)).await {
            Ok(()) => tracing::info!(
                "deleted submission {id}, which this run created: nothing is left behind"
            ),
            Err(e) => tracing::error!(
                "submission {id}, which this run created, is left behind ({e}); delete it in Partner Center ({}) or run again with `on-pending: delete`",
                product.dashboard_url(id)
            ),
        }
        error
    }

    /// Whether `submission` equals the product's last published submission but for the
    /// fields the service sets on every new one, and nothing was uploaded for it.
    async fn is_untouched_clone(&self, submission: &Value) -> Result<bool> {
        let product = self.product;
        let resource = self.read_product().await?;
        let Some(published) = crate::products::pending_id(&resource, product.published_field())
        else {
            return Ok(false);
        };
        let published = self
            .client
            .get(&product.submission_path(&published))
            .await
            .map_err(|e| e.into_error(&format!("reading published submission {published}")))?;
        // The service's own fields differ on every clone (the rollout's status is reset too).
        if put_body(submission) != put_body(&published) {
            return Ok(false);
        }
        let blob = match string_field(submission, "fileUploadUrl")
            .and_then(|raw| UploadUrl::parse(&raw).ok())
        {
            Some(url) => upload::probe::blob_state(self.http, &url).await,
            None => return Ok(false),
        };
        Ok(blob == upload::probe::BlobState::Missing)
    }

    /// Whether the pending submission is one an earlier run with these inputs left: its new
    /// packages are ours (when there are any), its blob holds our zip (or nothing yet), and
    /// it is what these inputs make of the published submission. Failed submissions are
    /// never continued; they follow `on-pending`.
    async fn recognise(&self, pending: &str, zip: Option<&ZipSummary>) -> Result<Recognised> {
        let Some((submission, done)) = self.recognise_packages(pending, zip).await? else {
            return Ok(Recognised::NotOurs { differs: None });
        };
        let base = self.clone_base(&submission).await?;
        Ok(match self.differences(&submission, &base) {
            Some(differs) if done.committed => {
                // Committed, it cannot be changed any more: it is not what these inputs
                // ask for, whoever made it.
                tracing::info!(
                    "pending submission {pending} holds this run's packages but differs from these inputs: {differs}"
                );
                Recognised::NotOurs {
                    differs: Some(differs),
                }
            }
            None => {
                tracing::info!(
                    "pending submission {pending} ({}) was left by an earlier run with these inputs: continuing it",
                    string_field(&submission, "status").unwrap_or_default(),
                );
                Recognised::Ours(submission, done, None)
            }
            Some(differs) => {
                tracing::info!(
                    "pending submission {pending} ({}) is an uncommitted draft an earlier run left with this run's packages, but other inputs ({differs}): continuing it, rebuilt to what these inputs ask",
                    string_field(&submission, "status").unwrap_or_default(),
                );
                let rebuilt = with_service_fields(&base, &submission);
                Recognised::Ours(submission, done, Some(rebuilt))
            }
        })
    }

    /// The submission the service would clone for a new one (the last published), which
    /// these inputs are applied to; the pending one itself when nothing was published (a
    /// flight's or add-on's first submission starts from nothing).
    async fn clone_base(&self, pending: &Value) -> Result<Value> {
        let product = self.product;
        let resource = self.read_product().await?;
        let Some(published) = crate::products::pending_id(&resource, product.published_field())
        else {
            return Ok(pending.clone());
        };
        self.client
            .get(&product.submission_path(&published))
            .await
            .map_err(|e| e.into_error(&format!("reading published submission {published}")))
    }

    /// Where the submission differs from what these inputs make of `base` (the PUT body the
    /// run would send, packages left out: the caller compared those; fields the service sets
    /// ignored), as readable diff lines.
    fn differences(&self, submission: &Value, base: &Value) -> Option<String> {
        let mut planned = base.clone();
        let _ = apply_changes(&mut planned, self.product, &self.config.changes);
        let (mut now, mut wanted) = (comparable(submission), comparable(&planned));
        if let Some(field) = self.product.packages_field() {
            for body in [&mut now, &mut wanted] {
                if let Some(object) = body.as_object_mut() {
                    object.remove(field);
                }
            }
        }
        let changes = json_patch::diff(&now, &wanted);
        if changes.0.is_empty() {
            return None;
        }
        let lines = plan::readable_diff(&now, &changes);
        const SHOWN: usize = 5;
        let mut text = lines
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if lines.len() > SHOWN {
            text.push_str(&format!("; and {} more", lines.len() - SHOWN));
        }
        Some(text)
    }

    /// The packages and blob half of [`Submit::recognise`].
    async fn recognise_packages(
        &self,
        pending: &str,
        zip: Option<&ZipSummary>,
    ) -> Result<Option<(Value, Done)>> {
        let product = self.product;
        let Some(zip) = zip else {
            // Without a zip there is nothing that proves the submission is ours.
            return Ok(None);
        };
        let (submission, context) = self
            .client
            .get_answer(&product.submission_path(pending))
            .await
            .map_err(|e| e.into_error(&format!("reading pending submission {pending}")))?;
        check_status(&submission, pending, &context)?;
        let status = SubmissionStatus::from_submission(&submission);
        if status.is_failed() {
            return Ok(None);
        }
        let ours = &self.config.changes.packages;
        // Ours: every one of our packages is there (to upload, or uploaded once processing
        // began), and nothing else waits for upload.
        let packages_match = match product.packages_field() {
            Some(field) if !ours.is_empty() => {
                let entries: Vec<(&str, &str)> = submission
                    .get(field)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        Some((p.get("fileName")?.as_str()?, p.get("fileStatus")?.as_str()?))
                    })
                    .collect();
                let all_ours_there = ours.iter().all(|name| {
                    entries
                        .iter()
                        .any(|(n, s)| n == name && matches!(*s, "PendingUpload" | "Uploaded"))
                });
                let nothing_else_pending = entries
                    .iter()
                    .filter(|(_, s)| *s == "PendingUpload")
                    .all(|(n, _)| ours.iter().any(|o| o == n));
                Some(all_ours_there && nothing_else_pending)
            }
            _ => None,
        };
        if packages_match == Some(false) {
            // A run stopped between create and update leaves a clone nobody changed: it is
            // what a create would give us now, so it is taken rather than refused.
            if status.status == Status::PendingCommit
                && self.is_untouched_clone(&submission).await?
            {
                tracing::info!(
                    "pending submission {pending} is an unchanged clone of the published one (a run stopped after creating it): continuing it"
                );
                return Ok(Some((submission, Done::default())));
            }
            return Ok(None);
        }
        let blob = match string_field(&submission, "fileUploadUrl")
            .and_then(|raw| UploadUrl::parse(&raw).ok())
        {
            Some(url) => upload::probe::blob_state(self.http, &url).await,
            None => upload::probe::BlobState::Unknown("no upload URL".into()),
        };
        use upload::probe::BlobState;
        let uploaded = match (&blob, packages_match) {
            (BlobState::Present { sha256: Some(sha) }, _) if *sha == zip.sha256 => true,
            // Packages equal and nothing uploaded yet: the earlier run stopped before its
            // upload finished.
            (BlobState::Missing, Some(true)) => false,
            (BlobState::Unknown(why), Some(true)) if status.status == Status::PendingCommit => {
                tracing::debug!("cannot read the blob of {pending} ({why}); uploading again");
                false
            }
            _ => return Ok(None),
        };
        let committed = status.status != Status::PendingCommit;
        if committed && !uploaded {
            return Ok(None);
        }
        Ok(Some((
            submission,
            Done {
                uploaded,
                committed,
            },
        )))
    }

    /// Creating a flight starts a submission for it (StoreBroker relies on it); the first
    /// `submit` to a new flight continues that one instead of failing on it as pending.
    /// Recognised as: the flight has never published, and its pending submission is an
    /// untouched draft with no packages.
    async fn flight_starter(&self, resource: &Value, pending: &str) -> Result<Option<Value>> {
        if !matches!(self.product, ProductRef::Flight { .. })
            || self.config.on_pending == OnPending::Delete
            || resource
                .get(self.product.published_field())
                .is_some_and(|r| !r.is_null())
        {
            return Ok(None);
        }
        let submission = self
            .client
            .get(&self.product.submission_path(pending))
            .await
            .map_err(|e| e.into_error(&format!("reading pending submission {pending}")))?;
        let untouched = SubmissionStatus::from_submission(&submission).status
            == Status::PendingCommit
            && submission
                .get("flightPackages")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
        if !untouched {
            return Ok(None);
        }
        tracing::info!(
            "continuing submission {pending}, which the service started when the flight was created"
        );
        Ok(Some(submission))
    }

    pub(super) async fn read_product(&self) -> Result<Value> {
        crate::products::read_product(self.client, self.product).await
    }

    /// The pending submission's status and publish mode, to say what can be done with it.
    pub(super) async fn pending_state(&self, pending: &str) -> Result<Value> {
        let (submission, context) = self
            .client
            .get_answer(&self.product.submission_path(pending))
            .await
            .map_err(|e| e.into_error(&format!("reading pending submission {pending}")))?;
        check_status(&submission, pending, &context)?;
        Ok(submission)
    }

    async fn handle_pending(
        &self,
        pending: &str,
        resource: &Value,
        differs: Option<String>,
        summary: &mut RunSummary,
    ) -> Result<Value> {
        let product = self.product;
        let differs = differs
            .map(|d| format!(" (it holds this run's packages but differs from these inputs: {d})"))
            .unwrap_or_default();
        match self.config.on_pending {
            OnPending::Fail => {
                let submission = self.pending_state(pending).await?;
                let status = string_field(&submission, "status").unwrap_or_default();
                Err(Error::Conflict {
                    message: format!(
                        "{} already has a pending submission, {pending}, in state {status}{differs}",
                        product.describe()
                    ),
                    hint: way_out(product, pending, &submission),
                    context: None,
                })
            }
            OnPending::Reuse => {
                tracing::info!("reusing pending submission {pending} (on-pending: reuse)");
                self.continue_submission(pending, "on-pending").await
            }
            OnPending::Delete => {
                self.refuse_undeletable(pending).await?;
                // What would stop the create stops the run before the delete.
                let before = self.before_create(resource).await?;
                tracing::info!("deleting pending submission {pending} (on-pending: delete)");
                match self.client.delete(&product.submission_path(pending)).await {
                    Ok(()) => {}
                    // Gone already (a repeated DELETE after a lost answer): done.
                    Err(e) if e.is_not_found() => {}
                    Err(e) => {
                        return Err(e.into_error(&format!("deleting pending submission {pending}")));
                    }
                }
                if let Some((action, state)) = &before.settle {
                    let (published, _) = before.published.as_ref().expect("settle has one");
                    self.settle_rollout(published, *action, state, summary)
                        .await?;
                }
                let resource = self.read_product().await?;
                self.create_clone(&resource).await
            }
        }
    }

    /// A submission we are told to continue must still be editable.
    async fn continue_submission(&self, id: &str, input: &str) -> Result<Value> {
        let product = self.product;
        let (submission, context) = self
            .client
            .get_answer(&product.submission_path(id))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    Error::input(
                        input,
                        format!("submission {id} of {} was not found", product.describe()),
                    )
                } else {
                    e.into_error(&format!("reading submission {id}"))
                }
            })?;
        check_status(&submission, id, &context)?;
        let status = Status::parse(&string_field(&submission, "status").unwrap_or_default());
        if status != Status::PendingCommit {
            return Err(Error::Conflict {
                message: format!(
                    "submission {id} is {status}; only a PendingCommit submission can be changed"
                ),
                hint: way_out(product, id, &submission),
                context: None,
            });
        }
        if submission.get("fileUploadUrl").is_none_or(Value::is_null)
            && self.config.zip.path().is_some()
        {
            return Err(Error::Conflict {
                message: format!(
                    "submission {id} has no upload URL (it was created in Partner Center), so files cannot be added to it"
                ),
                hint: "Use `on-pending: delete` to replace it with a submission created through the API.".into(),
                context: None,
            });
        }
        Ok(submission)
    }

    /// `on-pending: delete` on a submission the service does not delete in its state (one in
    /// certification or waiting for release): the way out instead of a refused DELETE.
    pub(super) async fn refuse_undeletable(&self, pending: &str) -> Result<()> {
        let submission = self.pending_state(pending).await?;
        let status = Status::parse(&string_field(&submission, "status").unwrap_or_default());
        if is_deletable(&status) {
            return Ok(());
        }
        Err(Error::Conflict {
            message: format!(
                "pending submission {pending} is in state {status}, in which Partner Center does not delete a submission (on-pending: delete)"
            ),
            hint: way_out(self.product, pending, &submission),
            context: None,
        })
    }

    /// Creates a submission once the last published one allows it (`existing-rollout`)
    /// and the changes fit it (release-control checks, `release`).
    async fn create(&self, resource: &Value, summary: &mut RunSummary) -> Result<Value> {
        let before = self.before_create(resource).await?;
        if let Some((action, state)) = &before.settle {
            let (published, _) = before.published.as_ref().expect("settle has one");
            self.settle_rollout(published, *action, state, summary)
                .await?;
        }
        self.create_clone(resource).await
    }

    /// An app's submissions are clones of its last published one, and the API cannot make
    /// a first submission; flights and add-ons can start from nothing (the prerequisites of
    /// https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services).
    fn nothing_to_clone(&self, resource: &Value) -> Option<Error> {
        let product = self.product;
        (matches!(product, ProductRef::App { .. })
            && resource
                .get(product.published_field())
                .is_none_or(Value::is_null))
        .then(|| Error::Conflict {
            message: format!(
                "{} has no published submission to clone",
                product.describe()
            ),
            hint: "The API can only update a product whose first submission (with the age-ratings questionnaire) was completed in Partner Center.".into(),
            context: None,
        })
    }

    async fn create_clone(&self, resource: &Value) -> Result<Value> {
        let product = self.product;
        if let Some(refusal) = self.nothing_to_clone(resource) {
            return Err(refusal);
        }
        tracing::info!("creating a submission (a clone of the last published one)");
        let mut attempts = 0;
        let id = loop {
            attempts += 1;
            let error = match self.client.post_answer(&product.create_path()).await {
                Ok((created, context)) => match created.get("id").and_then(Value::as_str) {
                    Some(id) if is_submission_id(id) => break id.to_string(),
                    _ => return Err(self.unusable_created_id(&created, context).await),
                },
                Err(e) => e,
            };
            // Create is not idempotent: after an answer that may hide a success, look
            // whether the submission exists before anything else.
            if !error.outcome_unknown() || attempts > 2 {
                // The flow's own tries count as retries too (exit 7 only after real ones).
                let mut error = error;
                error.attempts = error.attempts.max(attempts);
                return Err(self.create_error(error).await);
            }
            tracing::warn!("{error}; checking whether the submission was created");
            let now = self.read_product().await?;
            match pending_id(&now, product) {
                Some(id) => {
                    tracing::info!("it was: continuing with submission {id}");
                    break id;
                }
                None => tracing::info!("it was not: creating it again"),
            }
        };
        tracing::info!("created submission {id}");
        self.client
            .get(&product.submission_path(&id))
            .await
            .map_err(|e| e.into_error(&format!("reading the new submission {id}")))
    }

    /// The create succeeded but its answer names no usable id: the id is shown as it came,
    /// and the submission the service made is named from the product, with how to remove it
    /// (the tool does not delete what it cannot be sure is the one it made).
    async fn unusable_created_id(&self, created: &Value, context: CallContext) -> Error {
        let product = self.product;
        let shown = match created.get("id") {
            Some(Value::String(id)) => format!("\"{}\"", escape_debug(id)),
            Some(other) => escape_debug(&other.to_string()),
            None => "no id".to_string(),
        };
        let left = match self
            .read_product()
            .await
            .ok()
            .and_then(|r| pending_id(&r, product))
        {
            Some(id) if is_submission_id(&id) => format!(
                "The submission it made is left behind as the pending submission {id}: delete it in Partner Center ({}) or run again with `on-pending: delete`.",
                product.dashboard_url(&id)
            ),
            _ => format!(
                "A submission may have been made for {}: check its pending submission in Partner Center and delete it there.",
                product.describe()
            ),
        };
        Error::Api {
            message: format!(
                "Partner Center created a submission for {} but answered with an id that is not one: {shown}",
                product.describe()
            ),
            hint: format!(
                "{left} Report the answer to Partner Center support with the correlation id."
            ),
            context,
        }
    }

    /// Explains a refused create: a flight's app must have a published submission first
    /// ("404s when no production submission exists":
    /// https://github.com/microsoft/windows-dev-center-vsts-extension/issues/75).
    async fn create_error(&self, e: ApiError) -> Error {
        let product = self.product;
        if e.status() == Some(409)
            && let Some(explained) =
                release::explain_create_conflict(self.client, product, &e).await
        {
            return explained;
        }
        if let (ProductRef::Flight { app_id, .. }, Some(404 | 409)) = (product, e.status()) {
            let app = ProductRef::App {
                app_id: app_id.clone(),
            };
            if let Ok(resource) = self.client.get(&app.resource_path()).await
                && resource
                    .get(app.published_field())
                    .is_none_or(Value::is_null)
            {
                return Error::Conflict {
                    message: format!(
                        "cannot create a submission for {}: app {app_id} has no published submission yet",
                        product.describe()
                    ),
                    hint: "Publish the app's first submission in Partner Center before submitting to its flights.".into(),
                    context: Some(e.context),
                };
            }
        }
        e.into_error(&format!("creating a submission for {}", product.describe()))
    }

    fn warn_files_missing_from_zip(&self, submission: &Value) {
        let in_zip: Vec<String> = match &self.config.zip {
            ZipSource::Build { files, .. } => files
                .iter()
                .chain(
                    self.config
                        .changes
                        .listings
                        .as_ref()
                        .and_then(|l| l.uploads.get())
                        .into_iter()
                        .flatten(),
                )
                .map(|f| f.entry_name.clone())
                .collect(),
            ZipSource::Ready { path } => package::zip_entry_names(path).unwrap_or_default(),
            ZipSource::Nothing => Vec::new(),
        };
        let missing: Vec<String> = new_files_in_patch(submission)
            .into_iter()
            .filter(|name| !in_zip.iter().any(|e| e == &name.replace('\\', "/")))
            .collect();
        if !missing.is_empty() {
            self.reporter.warning(&format!(
                "the submission marks {} for upload but the zip does not hold {}: {}; the commit will fail with MissingFiles",
                if missing.len() == 1 { "a file" } else { "files" },
                if missing.len() == 1 { "it" } else { "them" },
                missing.join(", ")
            ));
        }
    }

    fn update_error(&self, e: ApiError, submission_id: &str) -> Error {
        match e.status() {
            Some(400) => Error::SubmissionFailed {
                message: format!(
                    "Partner Center rejected the changed submission {submission_id}: {}",
                    e.summary(),
                ),
                hint: format!(
                    "Fix the patch or inputs and run again with `on-pending: delete` (or `reuse`). The draft is at {}",
                    self.product.dashboard_url(submission_id)
                ),
                context: Some(e.context.clone()),
            },
            _ => e.into_error(&format!("updating submission {submission_id}")),
        }
    }

    async fn upload(&self, submission: &Value, zip: &ZipSummary) -> Result<()> {
        let id = string_field(submission, "id").unwrap_or_default();
        let raw = string_field(submission, "fileUploadUrl").unwrap_or_default();
        let url = UploadUrl::parse(&raw).map_err(|e| match e {
            // Not a state of the submission but an answer we will not act on (exit 1).
            upload::UploadUrlError::Cleartext(_) => cleartext_error(&id, &e),
            _ => Error::Conflict {
                message: format!("cannot upload to submission {id}: {e}"),
                hint: "Delete the submission (on-pending: delete) and run again.".into(),
                context: None,
            },
        })?;
        tracing::info!("uploading {} to {url}", format_size(zip.size));
        // A block size too small for the zip grows (at most 50,000 blocks per blob); say so.
        let preferred = self.config.upload.block_size;
        if zip.size > preferred.min(upload::MAX_PUT_BLOB) {
            let (used, _) = upload::plan_blocks(zip.size, preferred);
            if used != preferred {
                self.reporter.warning(&format!(
                    "`upload-block-size` {} is too small for a {} zip (a blob holds at most 50,000 blocks): uploading in blocks of {}",
                    format_size(preferred),
                    format_size(zip.size),
                    format_size(used)
                ));
            }
        }
        let options = UploadOptions {
            concurrency: self.config.upload.concurrency,
            block_size: self.config.upload.block_size,
            sha256: Some(zip.sha256.clone()),
            stall_timeout: upload::stall_bound(self.config.session.request_timeout),
            ..UploadOptions::default()
        };
        let report = upload::upload_file(&url, &zip.path, &options)
            .await
            .map_err(|e| upload_error(e, &id))?;
        if report.retries > 0 {
            tracing::info!("upload: done after {} retried request(s)", report.retries);
        }
        Ok(())
    }

    /// Commits once. When the answer is lost, the status says whether the commit happened
    /// (it can be made only once); only a submission still `PendingCommit` is committed again.
    async fn commit(&self, submission_id: &str) -> Result<SubmissionStatus> {
        let path = format!("{}/commit", self.product.submission_path(submission_id));
        tracing::info!("committing submission {submission_id}");
        let mut attempts = 0;
        let answer = loop {
            attempts += 1;
            let error = match self.client.post(&path).await {
                Ok(answer) => break answer,
                Err(e) => e,
            };
            if !error.outcome_unknown() || attempts > 2 {
                let mut error = error;
                error.attempts = error.attempts.max(attempts);
                return Err(error.into_error(&format!("committing submission {submission_id}")));
            }
            tracing::warn!("{error}; checking whether the commit happened");
            let status_path = format!("{}/status", self.product.submission_path(submission_id));
            let now: SubmissionStatus = self
                .client
                .get(&status_path)
                .await
                .map_err(|e| {
                    e.into_error(&format!("reading the status of submission {submission_id}"))
                })
                .and_then(|v| serde_json::from_value(v).map_err(|e| Error::Internal(e.into())))?;
            if now.status != Status::PendingCommit {
                tracing::info!("it did: the submission is {}", now.status);
                return Ok(now);
            }
            tracing::info!("it did not: committing again");
        };
        let status = answer
            .get("status")
            .and_then(Value::as_str)
            .map_or(Status::CommitStarted, Status::parse);
        Ok(SubmissionStatus {
            status,
            status_details: Value::Null,
        })
    }

    fn set_status(&self, status: &SubmissionStatus, summary: &mut RunSummary) {
        summary.record_status(status.status.as_str(), &status.status_details);
        self.output("status", status.status.as_str());
        self.output("status-details", &status.details_json());
    }

    fn output(&self, name: &str, value: &str) {
        self.reporter.output(name, value);
    }
}

fn upload_error(e: upload::UploadError, submission_id: &str) -> Error {
    use upload::UploadError as U;
    match &e {
        U::Url(u) => Error::Conflict {
            message: format!("cannot upload to submission {submission_id}: {u}"),
            hint: "The upload URL is no longer usable. Delete the submission (on-pending: delete) and run again.".into(),
            context: None,
        },
        U::Refused { status: 403, .. } => Error::Service {
            message: format!("upload for submission {submission_id} failed: {}", inert_single_line(&e.to_string())),
            hint: "Storage refused the upload URL's signature (it may have expired while the upload ran). Delete the submission (on-pending: delete) and run again for a fresh URL.".into(),
            context: None,
        },
        U::Read { path, error } => Error::Internal(anyhow::anyhow!("cannot read {path}: {error}")),
        U::Unsafe { .. } => Error::Api {
            message: format!("upload for submission {submission_id} failed: {}", inert_single_line(&e.to_string())),
            hint: "Blob storage does not redirect upload requests: check the proxy between the runner and storage.".into(),
            context: crate::error::CallContext {
                call: format!("upload for submission {submission_id}"),
                ..Default::default()
            },
        },
        other => Error::Service {
            message: format!("upload for submission {submission_id} failed: {}", inert_single_line(&other.to_string())),
            hint: "Run again with `on-pending: reuse` to retry the upload into the same submission.".into(),
            context: None,
        },
    }
}

pub fn string_field(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_string)
}

/// An upload URL that would carry the zip and its signature in cleartext (plain http to a
/// host other than loopback; docs/inputs.md): refused, naming the host, never its query.
fn cleartext_upload_url(submission: &Value) -> Option<Error> {
    let id = string_field(submission, "id").unwrap_or_default();
    let raw = string_field(submission, "fileUploadUrl")?;
    match UploadUrl::parse(&raw) {
        Err(e @ upload::UploadUrlError::Cleartext(_)) => Some(cleartext_error(&id, &e)),
        _ => None,
    }
}

fn cleartext_error(id: &str, e: &upload::UploadUrlError) -> Error {
    Error::Api {
        message: format!("cannot upload to submission {id}: {e}"),
        hint: "Partner Center hands out https upload URLs: check `api-base-url` and any proxy between the runner and the service.".into(),
        context: crate::error::CallContext {
            call: format!("fileUploadUrl of submission {id}"),
            ..Default::default()
        },
    }
}

/// A submission whose status the tool cannot interpret is not acted on (exit 1, at once).
fn check_status(submission: &Value, id: &str, context: &CallContext) -> Result<()> {
    super::wait::check_documented(
        &format!("the status of submission {id}"),
        submission.get("status"),
        |s| Status::parse(s).is_documented(),
        context,
    )
}

fn pending_id(resource: &Value, product: &ProductRef) -> Option<String> {
    crate::products::pending_id(resource, product.pending_field())
}

/// What a run found in the product's pending submission.
enum Recognised {
    /// An earlier run's with these packages and zip: continue it; from the submission given
    /// (the published one as these inputs make it) when it is a draft that differs.
    Ours(Value, Done, Option<Value>),
    /// Not one this run can continue; `differs` says how it differs from these inputs when
    /// it holds this run's packages.
    NotOurs { differs: Option<String> },
}

/// The body as it is compared with what the inputs make: the PUT body, with images the
/// service has processed (their status) or removed (`PendingDelete` ones, gone after the
/// commit) compared by what the inputs choose — file name, type and text.
fn comparable(submission: &Value) -> Value {
    let mut body = put_body(submission);
    normalize_images(&mut body);
    body
}

fn normalize_images(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "images"
                    && let Value::Array(images) = child
                {
                    images.retain(|i| {
                        i.get("fileStatus").and_then(Value::as_str) != Some("PendingDelete")
                    });
                    for image in images.iter_mut() {
                        if let Some(image) = image.as_object_mut() {
                            image.remove("fileStatus");
                            image.remove("id");
                        }
                    }
                } else {
                    normalize_images(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_images),
        _ => {}
    }
}

/// Whether Partner Center deletes a submission in this state: a draft or a failed one; not
/// one in processing, certification or waiting for release (there is no API to cancel those;
/// https://learn.microsoft.com/windows/uwp/monetize/delete-an-app-submission).
pub fn is_deletable(status: &Status) -> bool {
    *status == Status::PendingCommit || status.is_failed()
}

/// The way out of a pending submission for the state it is in (docs/troubleshooting.md).
pub fn way_out(product: &ProductRef, id: &str, submission: &Value) -> String {
    let url = product.dashboard_url(id);
    let status = Status::parse(&string_field(submission, "status").unwrap_or_default());
    let mode = string_field(submission, "targetPublishMode").unwrap_or_default();
    match status {
        Status::PendingCommit => format!(
            "It is a draft: set `on-pending` to `reuse` to continue it with these inputs or to `delete` to replace it; or finish or delete it in Partner Center: {url}"
        ),
        s if s.is_failed() => format!(
            "It failed ({s}): set `on-pending: delete` to delete it and start over, or delete it in Partner Center: {url}"
        ),
        Status::Release if mode == "Manual" => format!(
            "It passed certification and waits for someone to publish it (publish mode Manual): publish it, or cancel it, in Partner Center ({url}), then run again. The API can neither publish nor delete it."
        ),
        Status::Release if mode == "SpecificDate" => format!(
            "It passed certification and publishes on its date ({}): wait for it, or publish it now or cancel it in Partner Center ({url}), then run again.",
            string_field(submission, "targetPublishDate").unwrap_or_else(|| "unknown".into())
        ),
        Status::Release | Status::PendingPublication | Status::Publishing => format!(
            "It is being published: wait for it (`command: status` with `wait-for: published`), then run again. Partner Center: {url}"
        ),
        Status::CommitStarted | Status::PreProcessing | Status::Certification => format!(
            "It is in certification: wait for it to finish (`command: status` with `wait-for: certified`), or cancel it in Partner Center ({url}), then run again. The API cannot delete it in this state."
        ),
        _ => format!("Check it in Partner Center: {url}"),
    }
}
