//! Following a submission's status until the `wait-for` target, a failure, or the timeout
//! (StoreBroker's monitor stop rules, `Start-SubmissionMonitor` in
//! https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApi.psm1).

use std::time::{Duration, Instant};

use super::release::Publication;
use crate::api::Client;
use crate::api::status_codes::{self, Detail};
use crate::api::types::{Status, SubmissionStatus};
use crate::config::values::format_duration;
use crate::config::{ProductRef, WaitConfig, WaitFor};
use crate::error::{CallContext, Error, Result};
use crate::escape::escape_debug;

/// Polls back off from `poll-interval` by half each time, up to this.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What the wait saw last, and whether it ended because a person must act now.
#[derive(Debug, Clone)]
pub struct WaitResult {
    pub status: SubmissionStatus,
    /// Set when `published` was asked for but the submission waits in `Release` for a
    /// manual or dated publish.
    pub stopped_at_release: bool,
}

/// Whether `status` satisfies `target`.
pub fn reached(target: WaitFor, status: &Status) -> bool {
    let Some(rank) = status.progress_rank() else {
        return false;
    };
    let at_least = |other: Status| other.progress_rank().is_some_and(|r| rank >= r);
    match target {
        WaitFor::None => true,
        WaitFor::Committed => at_least(Status::PreProcessing),
        WaitFor::Certified => at_least(Status::Release),
        WaitFor::Published => *status == Status::Published,
    }
}

/// Polls `…/status` of the submission. `committed` says the caller has just committed it
/// (so `PendingCommit` means the commit fell back, a server-side failure).
/// `on_status` sees every status change, so outputs stay current even on timeout.
pub async fn wait(
    client: &Client,
    product: &ProductRef,
    submission_id: &str,
    publication: &Publication,
    config: &WaitConfig,
    committed: bool,
    mut on_status: impl FnMut(&SubmissionStatus),
) -> Result<WaitResult> {
    let started = Instant::now();
    let deadline = started + config.timeout;
    // The same moment on the calendar, for a `SpecificDate` publish date.
    let deadline_at = jiff::SignedDuration::try_from(config.timeout)
        .ok()
        .and_then(|timeout| jiff::Timestamp::now().checked_add(timeout).ok())
        .unwrap_or(jiff::Timestamp::MAX);
    let mut interval = config.poll_interval;
    let mut last_status: Option<Status> = None;
    let mut saw_commit = committed;
    let mut warned: Vec<String> = Vec::new();
    let path = format!("{}/status", product.submission_path(submission_id));
    loop {
        let status = read_status(client, &path, submission_id).await?;
        if last_status.as_ref() != Some(&status.status) {
            tracing::info!(
                "submission {submission_id}: {} (after {})",
                status.status,
                format_duration(started.elapsed())
            );
            if status.is_failed() {
                log_status_details(&status.status_details);
            } else {
                // A report stays in statusDetails from one status to the next: once each.
                for line in warning_lines(&status.status_details) {
                    if !warned.contains(&line) {
                        tracing::warn!("{line}");
                        warned.push(line);
                    }
                }
            }
            last_status = Some(status.status.clone());
            on_status(&status);
        }
        if status.is_failed() {
            return Err(failed(submission_id, &status));
        }
        if status.status == Status::PendingCommit {
            if saw_commit {
                return Err(Error::SubmissionFailed {
                    message: format!(
                        "submission {submission_id} fell back from CommitStarted to PendingCommit: the service could not process the commit"
                    ),
                    // It is a draft again and may be committed again; a run with the same
                    // inputs recognises it as its own and does (docs/simulator.md, quirks).
                    hint: "Run again with the same inputs: the run continues this submission and commits it again (the upload is kept). If it falls back again, delete it (on-pending: delete) or contact Partner Center support with the correlation ids in this log.".into(),
                    context: None,
                });
            }
            if config.wait_for > WaitFor::None {
                return Err(Error::SubmissionFailed {
                    message: format!("submission {submission_id} is not committed (PendingCommit); there is nothing to wait for"),
                    hint: "Commit it with `submit` (submission-id and commit: true), or set wait-for: none.".into(),
                    context: None,
                });
            }
        }
        if status.status == Status::CommitStarted {
            saw_commit = true;
        }
        if reached(config.wait_for, &status.status) {
            return Ok(WaitResult {
                status,
                stopped_at_release: false,
            });
        }
        // A person (Manual) or a date after the wait (SpecificDate) publishes it; the
        // caller says which (release::report_waiting_in_release).
        if config.wait_for == WaitFor::Published
            && status.status == Status::Release
            && publication.stops_at_release(deadline_at)
        {
            return Ok(WaitResult {
                status,
                stopped_at_release: true,
            });
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::TimedOut {
                target: config.wait_for.as_str().to_string(),
                status: status.status.to_string(),
                waited: format_duration(config.timeout),
            });
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        interval = (interval.mul_f64(1.5)).min(MAX_POLL_INTERVAL.max(config.poll_interval));
    }
}

pub fn failed(submission_id: &str, status: &SubmissionStatus) -> Error {
    let errors = status.errors();
    let mut message = format!("submission {submission_id} failed: {}", status.status);
    if !errors.is_empty() {
        message.push_str(&format!(" — {}", errors.join("; ")));
    }
    Error::SubmissionFailed {
        message,
        hint: failure_hint(status),
        context: None,
    }
}

/// What to do: the explanation of the first error code we know, then where to look.
fn failure_hint(status: &SubmissionStatus) -> String {
    let known = status_codes::details(&status.status_details)
        .into_iter()
        .find_map(|d| match d {
            Detail::Error { code, .. } => status_codes::explain(&code),
            _ => None,
        });
    let next = "Delete the failed submission (on-pending: delete) before submitting again; status-details and the step summary have everything the service said.";
    match known {
        Some(line) => format!("{line} {next}"),
        None => format!("See the certification report in Partner Center. {next}"),
    }
}

/// Every error, warning and certification report of `statusDetails`, in full, each code
/// followed by what it means.
pub fn log_status_details(details: &serde_json::Value) {
    for (is_error, line) in status_codes::report_lines(details) {
        if is_error {
            tracing::error!("{line}");
        } else {
            tracing::warn!("{line}");
        }
    }
}

/// The warnings and certification reports alone: a submission on its way can carry them.
fn warning_lines(details: &serde_json::Value) -> Vec<String> {
    status_codes::report_lines(details)
        .into_iter()
        .filter(|(is_error, _)| !is_error)
        .map(|(_, line)| line)
        .collect()
}

/// `GET …/status`, refusing an answer the tool cannot interpret (no status, or one the API
/// does not document) at once, with the value as it came and the correlation id: polling an
/// unknown status until `timeout` would report a time-out for what is not one.
pub async fn read_status(
    client: &Client,
    path: &str,
    submission_id: &str,
) -> Result<SubmissionStatus> {
    let (value, context) = client
        .get_answer(path)
        .await
        .map_err(|e| e.into_error(&format!("reading the status of submission {submission_id}")))?;
    check_documented(
        &format!("the status of submission {submission_id}"),
        value.get("status"),
        |s| Status::parse(s).is_documented(),
        &context,
    )?;
    serde_json::from_value::<SubmissionStatus>(value).map_err(|_| {
        undocumented(
            &format!("the status of submission {submission_id}"),
            None,
            &context,
        )
    })
}

/// Every status the API documents for a gradual rollout
/// (https://learn.microsoft.com/windows/uwp/monetize/get-package-rollout-info-for-an-app-submission).
pub const ROLLOUT_STATUSES: &[&str] = &[
    "PackageRolloutNotStarted",
    "PackageRolloutInProgress",
    "PackageRolloutComplete",
    "PackageRolloutStopped",
];

/// Refuses a status the tool cannot interpret (missing, not a string, or not
/// `documented`) at once, with the value as it came (escaped) and the correlation id: the
/// one check of every status read (the status command, the wait, pending submissions,
/// rollouts), so no path acts on, prints or waits for a status it does not know.
pub fn check_documented(
    subject: &str,
    raw: Option<&serde_json::Value>,
    documented: impl Fn(&str) -> bool,
    context: &CallContext,
) -> Result<()> {
    match raw {
        Some(serde_json::Value::String(s)) if documented(s) => Ok(()),
        _ => Err(undocumented(subject, raw, context)),
    }
}

fn undocumented(subject: &str, raw: Option<&serde_json::Value>, context: &CallContext) -> Error {
    Error::Api {
        message: format!(
            "Partner Center answered {subject} with {}, which is not a status the API documents; the tool cannot tell what it means",
            match raw {
                Some(serde_json::Value::String(s)) => format!("\"{}\"", escape_debug(s)),
                Some(other) => escape_debug(&other.to_string()),
                None => "no status".to_string(),
            }
        ),
        hint: "Nothing was changed. Check the submission in Partner Center; if the status is new, this tool needs an update (report it with the correlation id).".into(),
        context: context.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert!(!reached(WaitFor::Committed, &Status::CommitStarted));
        assert!(reached(WaitFor::Committed, &Status::PreProcessing));
        assert!(reached(WaitFor::Committed, &Status::Published));
        assert!(!reached(WaitFor::Certified, &Status::Certification));
        assert!(reached(WaitFor::Certified, &Status::Release));
        assert!(reached(WaitFor::Certified, &Status::Publishing));
        assert!(!reached(WaitFor::Published, &Status::Publishing));
        assert!(reached(WaitFor::Published, &Status::Published));
        assert!(!reached(WaitFor::Committed, &Status::CommitFailed));
        assert!(!reached(WaitFor::None, &Status::Unknown("Later".into())));
    }
}
