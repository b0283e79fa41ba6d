//! `dry-run: true`: the submit flow's reads and checks, and instead of its writes a plan —
//! the calls it would make, and the submission as it would be PUT, shown as an RFC 6902
//! diff against the submission it starts from (in the log, the step summary and the
//! `--output json` result). It signs in, reads the product and its submissions, builds and
//! hashes the zip (a local file), and changes nothing in Partner Center or storage.
//!
//! It follows the real run's decisions with the same helpers (continue, recognise, the
//! flight's own first submission, `on-pending`, `existing-rollout`), and its body is made by
//! the same edit ([`apply_changes`] then [`put_body`]), so what it shows is what a run would
//! send: for a new submission the body comes from the published submission the service
//! clones, which is what the run's clone holds.

use serde_json::{Value, json};

use super::{Done, Recognised, Submit, pending_id, string_field};
use crate::api::types::SubmissionStatus;
use crate::config::values::format_size;
use crate::config::{OnPending, ProductRef, RolloutAction, WaitFor};
use crate::error::Result;
use crate::package::ZipSummary;
use crate::report::summary::{PlanSummary, RunSummary};
use crate::submission::edit::{apply_changes, put_body};
use crate::submission::release::{self, BeforeCreate};
use crate::submission::safety;

/// Values longer than this are cut in the readable diff (the JSON result has them whole).
const MAX_SHOWN_VALUE: usize = 300;

/// One call the run would make.
struct Call {
    method: &'static str,
    path: String,
    why: String,
}

impl Call {
    fn new(method: &'static str, path: impl Into<String>, why: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            why: why.into(),
        }
    }

    fn line(&self) -> String {
        format!("{} {} — {}", self.method, self.path, self.why)
    }
}

/// What the run would work on.
enum Target {
    /// A submission that exists: the run changes it (or, when `done`, only follows it).
    Existing { id: String, done: Done },
    /// A submission the run would create, cloned from the published one (if any).
    New { clone_of: Option<String> },
}

impl Submit<'_> {
    pub(super) async fn dry_run(&self, summary: &mut RunSummary) -> Result<()> {
        tracing::info!("dry run: reading and checking only; nothing in Partner Center changes");
        // The pre-flight runs as in a real run: its findings are part of the plan.
        crate::submission::preflight::run(self, summary).await?;
        self.reporter.group_start("Upload zip");
        let zip = self.prepare_zip().await;
        self.reporter.group_end();
        let zip = zip?;
        summary.zip = zip.clone();
        self.output(
            "packages",
            &serde_json::to_string(&self.config.changes.packages).unwrap_or_default(),
        );
        summary.packages = Some(self.config.changes.packages.clone());

        self.reporter
            .group_start(&format!("Plan for {} (dry run)", self.product.describe()));
        let planned = self.plan(zip.as_ref(), summary).await;
        self.reporter.group_end();
        let plan = planned?;
        tracing::info!("Plan (dry run: nothing was changed):");
        for (i, call) in plan.calls.iter().enumerate() {
            tracing::info!("  {}. {}", i + 1, call.line());
        }
        let lines = readable_diff(&plan.current, &plan.changes);
        tracing::info!(
            "Changes to the submission (against {}): {}",
            plan.against,
            if lines.is_empty() {
                "none".to_string()
            } else {
                format!("{}", lines.len())
            }
        );
        for line in &lines {
            tracing::info!("  {line}");
        }
        self.reporter.add_result(
            "plan",
            json!({
                "calls": plan.calls.iter().map(|c| json!({"method": c.method, "path": c.path, "why": c.why})).collect::<Vec<_>>(),
                "against": plan.against,
                "current": plan.current,
                "changes": serde_json::to_value(&plan.changes).unwrap_or_default(),
                "submission": plan.body,
            }),
        );
        summary.plan = Some(PlanSummary {
            calls: plan.calls.iter().map(Call::line).collect(),
            against: plan.against,
            changes: lines,
        });
        Ok(())
    }

    async fn plan(&self, zip: Option<&ZipSummary>, summary: &mut RunSummary) -> Result<Plan> {
        let config = self.config;
        let product = self.product;
        let resource = self.read_product().await?;
        let mut calls = Vec::new();
        // A differing draft is rebuilt from the published submission (as the run does).
        let mut start = None;
        let (base, target) = match &config.submission_id {
            Some(id) => {
                let submission = self.continue_submission(id, "submission-id").await?;
                existing(submission, Done::default())
            }
            None => match pending_id(&resource, product) {
                Some(pending) => match self.recognise(&pending, zip).await? {
                    Recognised::Ours(earlier, done, rebuilt) => {
                        start = rebuilt;
                        existing(earlier, done)
                    }
                    Recognised::NotOurs { differs } => {
                        match self.flight_starter(&resource, &pending).await? {
                            Some(started) => existing(started, Done::default()),
                            None => match config.on_pending {
                                // Both only read: fail refuses, reuse checks the submission.
                                OnPending::Fail => {
                                    let _ = self
                                        .handle_pending(&pending, &resource, differs, summary)
                                        .await?;
                                    unreachable!("on-pending: fail always refuses")
                                }
                                OnPending::Reuse => existing(
                                    self.continue_submission(&pending, "on-pending").await?,
                                    Done::default(),
                                ),
                                OnPending::Delete => {
                                    // The same refusal as the run: never a DELETE the service
                                    // refuses in this state.
                                    self.refuse_undeletable(&pending).await?;
                                    let before = self.before_create(&resource).await?;
                                    settle_call(product, &before, &mut calls);
                                    calls.push(Call::new(
                                    "DELETE",
                                    product.submission_path(&pending),
                                    format!(
                                        "delete pending submission {pending} (on-pending: delete)"
                                    ),
                                ));
                                    self.new_submission(&resource, before)?
                                }
                            },
                        }
                    }
                },
                None => {
                    let before = self.before_create(&resource).await?;
                    settle_call(product, &before, &mut calls);
                    self.new_submission(&resource, before)?
                }
            },
        };
        let (id_shown, against) = match &target {
            Target::Existing { id, .. } => {
                self.output("submission-id", id);
                self.output("submission-url", &product.dashboard_url(id));
                summary.submission_id = Some(id.clone());
                summary.submission_url = Some(product.dashboard_url(id));
                self.set_status(&SubmissionStatus::from_submission(&base), summary);
                (id.clone(), format!("submission {id} as it is now"))
            }
            Target::New { clone_of } => {
                calls.push(Call::new(
                    "POST",
                    product.create_path(),
                    match clone_of {
                        Some(id) => {
                            format!("create a submission: a clone of published submission {id}")
                        }
                        None => "create the first submission".to_string(),
                    },
                ));
                calls.push(Call::new(
                    "GET",
                    product.submission_path("{new}"),
                    "read the new submission",
                ));
                (
                    "{new}".to_string(),
                    match clone_of {
                        Some(id) => format!("published submission {id}, which the new one is a clone of"),
                        None => "an empty submission (UNKNOWN: what the service puts in a first submission)".to_string(),
                    },
                )
            }
        };
        let done = match &target {
            Target::Existing { done, .. } => *done,
            Target::New { .. } => Done::default(),
        };

        let current = put_body(&base);
        let mut planned = start.unwrap_or_else(|| base.clone());
        let source = planned.clone();
        if !done.committed {
            release::changes_fit(&source, &config.changes)?;
            let report = apply_changes(&mut planned, product, &config.changes);
            for note in &report.notes {
                tracing::info!("{note}");
            }
            for warning in &report.warnings {
                self.reporter.warning(warning);
            }
            self.warn_files_missing_from_zip(&planned);
            // What would stop the run before its PUT stops the plan.
            self.check_body(&source, &planned, &against)?;
        }
        let (rollout, publish) = safety::describe_release(product, &planned);
        summary.rollout = rollout;
        summary.publish = publish;
        summary.visibility = string_field(&planned, "visibility");
        let body = put_body(&planned);
        let changes = json_patch::diff(&current, &body);
        let put = !done.committed && planned != base;
        if put {
            calls.push(Call::new(
                "PUT",
                product.submission_path(&id_shown),
                format!(
                    "update the submission: {} change(s), below",
                    changes.0.len()
                ),
            ));
        }
        if let Some(zip) = zip
            && !done.uploaded
        {
            calls.push(Call::new(
                "PUT",
                "fileUploadUrl (Azure blob)",
                format!(
                    "upload the zip: {} entries, {}, SHA-256 {}",
                    zip.entries.len(),
                    format_size(zip.size),
                    zip.sha256
                ),
            ));
        }
        if config.commit && !done.committed {
            calls.push(Call::new(
                "POST",
                format!("{}/commit", product.submission_path(&id_shown)),
                "commit the submission",
            ));
        }
        if config.commit && config.wait.wait_for != WaitFor::None {
            calls.push(Call::new(
                "GET",
                format!("{}/status", product.submission_path(&id_shown)),
                format!(
                    "follow the status until `{}` (at most {})",
                    config.wait.wait_for.as_str(),
                    crate::config::values::format_duration(config.wait.timeout)
                ),
            ));
        }
        Ok(Plan {
            calls,
            against,
            current,
            changes,
            body: put.then_some(body),
        })
    }

    /// A new submission: a clone of the published one, which must exist for an app (the
    /// same refusal as the real create).
    fn new_submission(&self, resource: &Value, before: BeforeCreate) -> Result<(Value, Target)> {
        if let Some(refusal) = self.nothing_to_clone(resource) {
            return Err(refusal);
        }
        Ok(match before.published {
            Some((id, published)) => (published, Target::New { clone_of: Some(id) }),
            None => (json!({}), Target::New { clone_of: None }),
        })
    }
}

fn existing(submission: Value, done: Done) -> (Value, Target) {
    let id = string_field(&submission, "id").unwrap_or_default();
    (submission, Target::Existing { id, done })
}

/// The halt or finalize `existing-rollout` asks for, before the create.
fn settle_call(product: &ProductRef, before: &BeforeCreate, calls: &mut Vec<Call>) {
    if let (Some((action, state)), Some((published, _))) = (&before.settle, &before.published) {
        calls.push(Call::new(
            "POST",
            release::rollout_path(product, published, *action),
            format!(
                "{} the unfinished gradual rollout of published submission {published}, {} (existing-rollout: {})",
                if *action == RolloutAction::Halt {
                    "halt"
                } else {
                    "finalize"
                },
                state.describe(),
                action.as_str()
            ),
        ));
    }
}

struct Plan {
    calls: Vec<Call>,
    against: String,
    /// The submission the run starts from, as it would be PUT unchanged.
    current: Value,
    /// `current` → the body, as RFC 6902 operations.
    changes: json_patch::Patch,
    /// The body of the PUT, when there would be one.
    body: Option<Value>,
}

/// The patch as lines a person reads: `~ /path: old → new`, `+ /path: new`, `- /path: old`.
pub(super) fn readable_diff(current: &Value, changes: &json_patch::Patch) -> Vec<String> {
    use json_patch::PatchOperation as Op;
    let shown = |value: &Value| {
        let text = value.to_string();
        if text.len() > MAX_SHOWN_VALUE {
            let mut end = MAX_SHOWN_VALUE;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &text[..end])
        } else {
            text
        }
    };
    // Removals and additions in arrays shift later indices; the old value of a removed or
    // replaced entry is looked up as the patch goes, on a copy it is applied to.
    let mut doc = current.clone();
    let mut lines = Vec::new();
    for op in &changes.0 {
        let line = match op {
            Op::Replace(r) => {
                let old = doc.pointer(r.path.as_str()).cloned().unwrap_or(Value::Null);
                format!("~ {}: {} → {}", r.path, shown(&old), shown(&r.value))
            }
            Op::Add(a) => format!("+ {}: {}", a.path, shown(&a.value)),
            Op::Remove(r) => {
                let old = doc.pointer(r.path.as_str()).cloned().unwrap_or(Value::Null);
                format!("- {}: {}", r.path, shown(&old))
            }
            other => format!("{other:?}"),
        };
        lines.push(line);
        let _ = json_patch::patch(&mut doc, std::slice::from_ref(op));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readable_diff_shows_old_and_new_values() {
        let current = json!({"a": 1, "list": [{"s": "Uploaded"}], "gone": true});
        let next = json!({"a": 2, "list": [{"s": "PendingDelete"}, {"s": "PendingUpload"}]});
        let changes = json_patch::diff(&current, &next);
        assert_eq!(
            readable_diff(&current, &changes),
            [
                "~ /a: 1 → 2",
                "~ /list/0/s: \"Uploaded\" → \"PendingDelete\"",
                "+ /list/1: {\"s\":\"PendingUpload\"}",
                "- /gone: true",
            ]
        );
        let mut applied = current.clone();
        json_patch::patch(&mut applied, &changes).unwrap();
        assert_eq!(applied, next);
    }
}
