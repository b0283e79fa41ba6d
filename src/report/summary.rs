//! The run summary: a Markdown page for GitHub's step summary (`GITHUB_STEP_SUMMARY`) and
//! Azure Pipelines' attached summary (`task.uploadsummary`). One table says what was
//! submitted and where it stands; the status details (errors, warnings, certification
//! reports) follow. The page stays under the runner's 1 MiB cap whatever the service sends:
//! long lists are cut with a note, and the raw JSON is the first thing to give way.

use std::time::Duration;

use serde_json::Value;

use crate::api::types::Status;
use crate::config::values::{format_duration, format_size};
use crate::error::ExitCode;
use crate::package::ZipSummary;
use crate::package::checks::{Finding, Preflight, Severity, Verification};

/// GitHub refuses a step summary over 1 MiB and shows nothing (`UnsupportedSummarySize`,
/// `AttachmentSizeLimit` in https://github.com/actions/runner/blob/main/src/Runner.Worker/FileCommandManager.cs).
/// Stay well below, so that masking (which can lengthen a
/// line) and the runner's own accounting never tip it over.
pub const MAX_SUMMARY_BYTES: usize = 1024 * 1024 - 64 * 1024;
/// Rows of a list (packages, errors, reports) before the rest is summarised in one line.
const MAX_ROWS: usize = 100;
/// Characters of one piece of service text (an error's details) in the page.
const MAX_TEXT: usize = 2000;

/// What a run knew at its end, filled in as it goes so a failed run still reports what it
/// had reached.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// `app 9NBLGGH4R315`.
    pub product: String,
    pub submission_id: Option<String>,
    pub submission_url: Option<String>,
    pub status: Option<String>,
    /// `statusDetails` as the service sent it.
    pub status_details: Option<Value>,
    pub zip: Option<ZipSummary>,
    /// Package file names submitted, in the order of the `packages` output: `None` until
    /// the run got that far, empty for a metadata-only submission.
    pub packages: Option<Vec<String>>,
    /// Phases in the order they ran, with how long each took.
    pub timings: Vec<(String, Duration)>,
    pub failure: Option<Failure>,
    /// The gradual rollout, as `25% (PackageRolloutInProgress)` (the `rollout` command).
    pub rollout: Option<String>,
    /// Things that happened a reader should know (a rollout finalized on the way, a release
    /// that waits for a person).
    pub notes: Vec<String>,
    /// A dry run's plan.
    pub plan: Option<PlanSummary>,
    /// Every warning the run printed, once each.
    pub warnings: Vec<String>,
    /// The publish mode (and date) the submission carries, as `Manual` or
    /// `SpecificDate 2026-12-01T09:00:00Z`.
    pub publish: Option<String>,
    /// The visibility the submission carries (`Public`, `Private`, `Hidden`; apps and
    /// add-ons).
    pub visibility: Option<String>,
    /// Every status the run saw, when it first saw it.
    pub timeline: Vec<StatusChange>,
    /// What the pre-flight read and found.
    pub preflight: Option<Preflight>,
    /// The post-commit check of the packages.
    pub verification: Option<Verification>,
}

/// What a dry run would do: the calls in order, and the changes to the submission as diff
/// lines (`~ /path: old → new`).
#[derive(Debug, Default)]
pub struct PlanSummary {
    pub calls: Vec<String>,
    /// What the changes are compared with (`the published submission 1152…`).
    pub against: String,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug)]
pub struct Failure {
    pub exit_code: i32,
    pub message: String,
    pub hint: Option<String>,
}

/// How a run ended, as the page's heading says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The run stopped with an error (exit 1–5, 7), or the submission ended `*Failed`.
    Failed,
    /// `wait-for` was not reached in time (exit 6); the submission goes on.
    TimedOut,
    /// `dry-run`: read and checked only.
    DryRun,
    /// `commit: false`: the submission waits as a draft.
    Draft,
    /// Committed; the run did not wait (or was not asked to wait) past processing.
    Committed,
    /// Certified, in the release phase (a manual or dated release waits here).
    Certified,
    Published,
    /// Nothing more to tell than the title and the table (the `rollout` command, a
    /// canceled submission).
    Done,
}

impl Outcome {
    /// The heading's first words; `None` when the title says it all.
    pub fn label(self) -> Option<&'static str> {
        Some(match self {
            Outcome::Failed => "Failed",
            Outcome::TimedOut => "Timed out",
            Outcome::DryRun => "Dry run",
            Outcome::Draft => "Draft left uncommitted",
            Outcome::Committed => "Committed",
            Outcome::Certified => "Certified",
            Outcome::Published => "Published",
            Outcome::Done => return None,
        })
    }
}

impl RunSummary {
    pub fn new(product: impl Into<String>) -> Self {
        RunSummary {
            product: product.into(),
            ..Default::default()
        }
    }

    pub fn timed(&mut self, phase: &str, took: Duration) {
        self.timings.push((phase.to_string(), took));
    }

    /// The status now, and in the timeline when it changed.
    pub fn record_status(&mut self, status: &str, details: &Value) {
        self.status = Some(status.to_string());
        self.status_details = Some(details.clone()).filter(|d| !d.is_null());
        if self
            .timeline
            .last()
            .is_none_or(|last| last.status != status)
        {
            self.timeline.push(StatusChange {
                status: status.to_string(),
                at: jiff::Timestamp::now(),
            });
        }
    }

    /// How the run ended, for the page's heading.
    pub fn outcome(&self) -> Outcome {
        if let Some(failure) = &self.failure {
            return if failure.exit_code == ExitCode::TimedOut.code() {
                Outcome::TimedOut
            } else {
                Outcome::Failed
            };
        }
        if self.plan.is_some() {
            return Outcome::DryRun;
        }
        // The statuses of MSI/EXE products, as the Store's MSI/EXE API names them
        // (https://learn.microsoft.com/windows/apps/publish/store-submission-api, docs/msi-exe.md).
        match self.status.as_deref() {
            Some("PUBLISHED") => return Outcome::Published,
            Some("INPROGRESS") => return Outcome::Committed,
            Some("DRAFT") => return Outcome::Draft,
            Some("FAILED") => return Outcome::Failed,
            _ => {}
        }
        match self.status.as_deref().map(Status::parse) {
            None => Outcome::Done,
            Some(Status::Published) => Outcome::Published,
            // Past certification, what remains is the release (a person, a date, or the
            // Store's own pace); the statuses are those of
            // https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission.
            Some(Status::Release | Status::PendingPublication | Status::Publishing) => {
                Outcome::Certified
            }
            Some(Status::PendingCommit) => Outcome::Draft,
            // A `*Failed` status, an undocumented one too.
            Some(status) if status.is_failed() => Outcome::Failed,
            Some(Status::CommitStarted | Status::PreProcessing | Status::Certification) => {
                Outcome::Committed
            }
            // `Canceled`, `None`, or one the documentation does not list: the table says it.
            Some(_) => Outcome::Done,
        }
    }

    /// The page, at most [`MAX_SUMMARY_BYTES`] long.
    pub fn to_markdown(&self, title: &str) -> String {
        let outcome = self.outcome();
        let mut page = match outcome.label() {
            Some(label) => format!("### {label} — {}\n\n", text(title)),
            None => format!("### {}\n\n", text(title)),
        };
        page.push_str(&self.outcome_line(outcome));
        page.push_str(&self.table());
        if !self.warnings.is_empty() {
            page.push_str("\n**Warnings**\n\n");
            for warning in self.warnings.iter().take(MAX_ROWS) {
                page.push_str(&format!("- {}\n", text(warning)));
            }
            if self.warnings.len() > MAX_ROWS {
                page.push_str(&format!(
                    "- … and {} more (see the log)\n",
                    self.warnings.len() - MAX_ROWS
                ));
            }
        }
        if !self.notes.is_empty() {
            page.push('\n');
            for note in self.notes.iter().take(MAX_ROWS) {
                page.push_str(&format!("- {}\n", text(note)));
            }
        }
        if let Some(plan) = &self.plan {
            page.push_str(&plan_section(plan, MAX_SUMMARY_BYTES / 2));
        }
        if let Some(details) = &self.status_details {
            page.push_str(&details_section(details));
        }
        page.push_str(&self.preflight_section());
        page.push_str(&self.verification_section());
        page.push_str(&self.timeline_section());
        page.push('\n');
        let raw = self.status_details.as_ref().and_then(raw_details);
        if let Some(raw) = raw {
            let room = MAX_SUMMARY_BYTES.saturating_sub(page.len());
            page.push_str(&raw_details_block(&raw, room));
        }
        if page.len() > MAX_SUMMARY_BYTES {
            // Only a pathological product name or message gets here.
            let note = "\n\n_(summary cut to stay under the runner's 1 MiB limit)_\n";
            page.truncate(floor_char_boundary(&page, MAX_SUMMARY_BYTES - note.len()));
            page.push_str(note);
        }
        page
    }

    /// The sentence under the heading: what the outcome means for the reader, and for a
    /// failure the error and what to do.
    fn outcome_line(&self, outcome: Outcome) -> String {
        let status = || {
            self.status
                .as_deref()
                .map(|s| format!(" (now `{}`)", cell(s)))
                .unwrap_or_default()
        };
        let mut out = match outcome {
            Outcome::Failed | Outcome::TimedOut => match &self.failure {
                Some(failure) => format!(
                    "**{} (exit {})**: {}\n",
                    if outcome == Outcome::TimedOut {
                        "Timed out"
                    } else {
                        "Failed"
                    },
                    failure.exit_code,
                    match &self.preflight {
                        // Its errors are the input problems of this exit 2: listed below
                        // with what the pre-flight read, not run together here.
                        Some(preflight)
                            if failure.exit_code == ExitCode::InvalidInput.code()
                                && preflight.has_errors() =>
                        {
                            format!(
                                "the pre-flight found {} error(s) in the packages, listed below; nothing was written",
                                preflight.errors().count()
                            )
                        }
                        _ => text(&failure.message),
                    }
                ),
                None => format!("The submission failed{}.\n", status()),
            },
            Outcome::DryRun => {
                "Nothing was changed in Partner Center: the plan below is what a run with these inputs would do.\n".into()
            }
            Outcome::Draft => "The submission is left as an uncommitted draft (`commit: false`): review it in Partner Center and commit it there, or run again with `commit: true`.\n".into(),
            Outcome::Committed => format!(
                "Partner Center processes and certifies the submission{}.\n",
                status()
            ),
            Outcome::Certified => "The submission passed certification and is in its release phase: it goes live as its publish mode says.\n".into(),
            Outcome::Published => "The submission is live in the Store.\n".into(),
            Outcome::Done => String::new(),
        };
        if let Some(hint) = self.failure.as_ref().and_then(|f| f.hint.as_ref()) {
            out.push_str(&format!("\n{}\n", text(hint)));
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    fn table(&self) -> String {
        let mut rows: Vec<(String, String)> = vec![("Product".into(), cell(&self.product))];
        rows.push((
            "Submission".into(),
            match (&self.submission_id, &self.submission_url) {
                (Some(id), Some(url)) => format!("[{}]({})", cell(id), link_target(url)),
                (Some(id), None) => cell(id),
                (None, _) => "not created".into(),
            },
        ));
        rows.push((
            "Status".into(),
            self.status
                .as_deref()
                .map(|s| format!("`{}`", cell(s)))
                .unwrap_or_else(|| "—".into()),
        ));
        let sizes = |name: &str| {
            self.zip
                .as_ref()
                .and_then(|z| z.entries.iter().find(|e| e.name == name))
                .filter(|e| e.size > 0)
                .map(|e| format!(" ({})", format_size(e.size)))
                .unwrap_or_default()
        };
        let read = |name: &str| {
            self.preflight
                .as_ref()
                .and_then(|p| p.packages.iter().find(|i| i.file_name == name))
                .map(|i| format!(" — {}", cell(&i.describe())))
                .unwrap_or_default()
        };
        let submitted = self.packages.as_deref().unwrap_or_default();
        let mut packages: Vec<String> = submitted
            .iter()
            .take(MAX_ROWS)
            .map(|p| format!("`{}`{}{}", cell(p), sizes(p), read(p)))
            .collect();
        if submitted.len() > MAX_ROWS {
            packages.push(format!(
                "… and {} more (see the `packages` output)",
                submitted.len() - MAX_ROWS
            ));
        }
        let preflight_read = self.preflight.as_ref().map_or(0, |p| p.packages.len());
        rows.push((
            "Packages".into(),
            match &self.packages {
                Some(_) if !packages.is_empty() => packages.join("<br>"),
                Some(_) => "none (metadata only)".into(),
                // The run stopped before the upload: the pre-flight shows what it read.
                None if preflight_read > 0 => {
                    format!("none uploaded ({preflight_read} read by the pre-flight, below)")
                }
                None => "none uploaded".into(),
            },
        ));
        if let Some(rollout) = &self.rollout {
            rows.push(("Rollout".into(), cell(rollout)));
        }
        if let Some(publish) = &self.publish {
            rows.push(("Publish".into(), cell(publish)));
        }
        if let Some(visibility) = &self.visibility {
            rows.push(("Visibility".into(), cell(visibility)));
        }
        if let Some(zip) = &self.zip {
            rows.push((
                "Upload zip".into(),
                format!(
                    "{}, {} {}, SHA-256 `{}`",
                    format_size(zip.size),
                    zip.entries.len(),
                    if zip.entries.len() == 1 {
                        "entry"
                    } else {
                        "entries"
                    },
                    cell(&zip.sha256)
                ),
            ));
        }
        if let Some(preflight) = &self.preflight {
            let count = |severity| {
                preflight
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .count()
            };
            let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
            rows.push((
                "Pre-flight".into(),
                match (errors, warnings) {
                    (0, 0) => format!("passed ({} package(s) read)", preflight.packages.len()),
                    (0, w) => format!("passed with {w} warning(s)"),
                    (e, _) => format!("**failed**: {e} error(s)"),
                },
            ));
        }
        if let Some(verification) = &self.verification {
            rows.push((
                "Verified".into(),
                if verification.passed() {
                    format!("packages as uploaded, at `{}`", cell(&verification.status))
                } else {
                    "**packages differ** from what was uploaded (below)".into()
                },
            ));
        }
        if !self.timings.is_empty() {
            let total: Duration = self.timings.iter().map(|(_, d)| *d).sum();
            let phases: Vec<String> = self
                .timings
                .iter()
                .map(|(phase, took)| format!("{} {}", cell(phase), timing(*took)))
                .collect();
            rows.push((
                "Timings".into(),
                format!("{} (total {})", phases.join(" · "), timing(total)),
            ));
        }
        // GitHub-flavoured Markdown tables need a header row: the product is it, rather
        // than an empty row above the first (https://github.github.com/gfm/#tables-extension-).
        let mut table = String::new();
        for (i, (name, value)) in rows.into_iter().enumerate() {
            table.push_str(&format!("| {name} | {value} |\n"));
            if i == 0 {
                table.push_str("|---|---|\n");
            }
        }
        table
    }
}

/// A dry run's plan: the calls as a numbered list, the changes as a `diff` block (cut to
/// `room` bytes; the whole plan is in the log and the `--output json` result).
fn plan_section(plan: &PlanSummary, room: usize) -> String {
    let mut out = String::from("\n**Plan (dry run: nothing was changed)**\n\n");
    for (i, call) in plan.calls.iter().take(MAX_ROWS).enumerate() {
        out.push_str(&format!("{}. `{}`\n", i + 1, cell(call)));
    }
    out.push_str(&format!(
        "\n**Changes to the submission** (against {})\n\n",
        text(&plan.against)
    ));
    if plan.changes.is_empty() {
        out.push_str("none\n");
        return out;
    }
    let mut body = String::new();
    let mut cut = 0;
    for line in &plan.changes {
        let line = defuse_fences(line);
        if body.len() + line.len() + 1 > room {
            cut += 1;
            continue;
        }
        body.push_str(&line);
        body.push('\n');
    }
    out.push_str(&format!("```diff\n{body}```\n"));
    if cut > 0 {
        out.push_str(&format!(
            "\n… and {cut} more change(s) (see the log or the `--output json` plan)\n"
        ));
    }
    out
}

impl RunSummary {
    /// What the pre-flight read (a table of the packages, then what they were compared
    /// with) and found, whether it passed or stopped the run.
    fn preflight_section(&self) -> String {
        let Some(preflight) = &self.preflight else {
            return String::new();
        };
        let errors = preflight.errors().count();
        let mut out = format!(
            "\n**Pre-flight** ({})\n\n",
            if errors > 0 {
                format!("failed: {errors} error(s), nothing was written")
            } else {
                "passed".into()
            }
        );
        if !preflight.packages.is_empty() {
            out.push_str(
                "| Package | Identity | Version, architecture, device families |\n|---|---|---|\n",
            );
            for package in preflight.packages.iter().take(MAX_ROWS) {
                out.push_str(&format!(
                    "| `{}` | `{}` by `{}` | {} |\n",
                    cell(&package.file_name),
                    cell(&package.name),
                    cell(&package.publisher),
                    cell(&package.describe())
                ));
            }
            if preflight.packages.len() > MAX_ROWS {
                out.push_str(&format!(
                    "| … and {} more | | |\n",
                    preflight.packages.len() - MAX_ROWS
                ));
            }
            out.push('\n');
        }
        match &preflight.published_submission {
            Some(id) if preflight.published.is_empty() => out.push_str(&format!(
                "Compared with the published submission `{}`, which has no packages.\n",
                cell(id)
            )),
            Some(id) => {
                let published: Vec<String> = preflight
                    .published
                    .iter()
                    .take(MAX_ROWS)
                    .map(|p| format!("`{}` {}", cell(&p.file_name), cell(&p.describe())))
                    .collect();
                out.push_str(&format!(
                    "Compared with the published submission `{}`: {}.\n",
                    cell(id),
                    published.join(", ")
                ));
            }
            None => out.push_str("No published submission to compare with.\n"),
        }
        let shown: Vec<&Finding> = preflight
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Note)
            .collect();
        if !shown.is_empty() {
            out.push('\n');
        }
        for finding in shown.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "- {} ({}): {}\n",
                if finding.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                finding.check.as_str(),
                text(&shorten(&finding.message, MAX_TEXT))
            ));
        }
        out
    }

    fn verification_section(&self) -> String {
        let Some(verification) = &self.verification else {
            return String::new();
        };
        if verification.passed() {
            return String::new();
        }
        let mut out = format!(
            "\n**Packages after processing** (submission `{}`, `{}`)\n\n| package | expected | found | |\n|---|---|---|---|\n",
            cell(&verification.submission_id),
            cell(&verification.status)
        );
        for row in verification.rows.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                cell(&row.package),
                cell(&row.expected),
                cell(&row.found),
                if row.ok { "✓" } else { "**✗**" }
            ));
        }
        out
    }

    fn timeline_section(&self) -> String {
        if self.timeline.is_empty() {
            return String::new();
        }
        let first = self.timeline[0].at;
        let mut out = String::from(
            "\n**Status timeline**\n\n| time (UTC) | status | after |\n|---|---|---|\n",
        );
        for change in self.timeline.iter().take(MAX_ROWS) {
            let after = change.at.duration_since(first).unsigned_abs();
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                change.at.strftime("%Y-%m-%d %H:%M:%S"),
                cell(&change.status),
                timing(after)
            ));
        }
        out
    }
}

/// Errors, warnings and certification reports as lists a person reads.
fn details_section(details: &Value) -> String {
    let mut out = String::new();
    for (key, heading) in [
        ("errors", "Errors from Partner Center"),
        ("warnings", "Warnings from Partner Center"),
    ] {
        let Some(items) = details.get(key).and_then(Value::as_array) else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n**{heading}**\n\n"));
        for item in items.iter().take(MAX_ROWS) {
            let code = item.get("code").and_then(Value::as_str).unwrap_or("?");
            let detail = item.get("details").and_then(Value::as_str).unwrap_or("");
            out.push_str(&format!("- `{}`", cell(code)));
            if !detail.is_empty() {
                out.push_str(&format!(": {}", text(&shorten(detail, MAX_TEXT))));
            }
            if let Some(line) = crate::api::status_codes::explain(code) {
                out.push_str(&format!(" — _{}_", text(line)));
            }
            out.push('\n');
        }
        if items.len() > MAX_ROWS {
            out.push_str(&format!(
                "- … and {} more (see the `status-details` output)\n",
                items.len() - MAX_ROWS
            ));
        }
    }
    if let Some(reports) = details
        .get("certificationReports")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
    {
        out.push_str("\n**Certification reports**\n\n");
        for report in reports.iter().take(MAX_ROWS) {
            let date = report.get("date").and_then(Value::as_str).unwrap_or("");
            match report.get("reportUrl").and_then(Value::as_str) {
                Some(url) if url.starts_with("https://") => out.push_str(&format!(
                    "- [{}]({})\n",
                    cell(if date.is_empty() { "report" } else { date }),
                    link_target(url)
                )),
                _ => out.push_str(&format!("- {}\n", cell(date))),
            }
        }
    }
    out
}

/// The JSON worth showing raw: only when it holds more than empty lists.
fn raw_details(details: &Value) -> Option<String> {
    let empty = details
        .as_object()
        .is_some_and(|o| o.values().all(|v| v.as_array().is_some_and(Vec::is_empty)));
    (!details.is_null() && !empty)
        .then(|| serde_json::to_string_pretty(details).unwrap_or_default())
}

/// A collapsed block with the raw JSON, cut to `room` bytes with a note.
fn raw_details_block(raw: &str, room: usize) -> String {
    let head = "<details><summary>statusDetails (JSON)</summary>\n\n```json\n";
    let tail = "\n```\n\n</details>\n";
    let cut_note = "\n… (cut; the whole JSON is in the `status-details` output)";
    let frame = head.len() + tail.len() + cut_note.len();
    if room <= frame + 64 {
        return String::new();
    }
    let raw = defuse_fences(raw);
    let body = if raw.len() > room - frame {
        let end = floor_char_boundary(&raw, room - frame);
        format!("{}{cut_note}", &raw[..end])
    } else {
        raw
    };
    format!("{head}{body}{tail}")
}

/// Text for inside a fenced code block: a run of three backticks would end the block early,
/// so a zero-width space goes into every such run until none is left (one pass leaves one in
/// "````": found by fuzz/fuzz_targets/status_details.rs).
fn defuse_fences(text: &str) -> String {
    let mut out = text.to_string();
    while out.contains("```") {
        out = out.replace("```", "`\u{200b}``");
    }
    out
}

/// Service or user text in running Markdown: one line, no HTML, no table breaks.
fn text(value: &str) -> String {
    // Scrubbed before it is escaped: an escaped secret would no longer be recognised.
    let one_line = crate::escape::inert_single_line(&crate::secrets::redact(value));
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for a table cell or inside backticks, where `` ` `` would end the code span.
fn cell(value: &str) -> String {
    text(value).replace('`', "'")
}

/// A URL as a Markdown link target: no spaces or parentheses that would end it early.
fn link_target(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

/// Phase durations with a tenth of a second below a minute: most phases take seconds.
fn timing(took: Duration) -> String {
    if took < Duration::from_secs(1) {
        format!("{}ms", took.as_millis())
    } else if took < Duration::from_secs(60) {
        format!("{:.1}s", took.as_secs_f64())
    } else {
        format_duration(took)
    }
}

fn shorten(value: &str, max: usize) -> String {
    if value.len() <= max {
        return value.to_string();
    }
    format!("{}…", &value[..floor_char_boundary(value, max)])
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::package::zip::ZipEntry;

    fn summary() -> RunSummary {
        let mut summary = RunSummary::new("app 9NBLGGH4R315");
        summary.submission_id = Some("1152921504621243617".into());
        summary.submission_url = Some(
            "https://partner.microsoft.com/dashboard/products/9NBLGGH4R315/submissions/1152921504621243617/".into(),
        );
        summary.status = Some("PreProcessing".into());
        summary.packages = Some(vec!["Contoso_1.0.0.0_x64.msix".into()]);
        summary.zip = Some(ZipSummary {
            path: PathBuf::from("/tmp/x.zip"),
            sha256: "ab".repeat(32),
            size: 3 * 1024 * 1024,
            entries: vec![ZipEntry {
                name: "Contoso_1.0.0.0_x64.msix".into(),
                size: 3 * 1024 * 1024 - 200,
            }],
        });
        summary.timed("zip", Duration::from_millis(1200));
        summary.timed("upload", Duration::from_secs(3));
        summary
    }

    #[test]
    fn the_table_names_the_submission_packages_zip_and_timings() {
        let page = summary().to_markdown("Microsoft Store submission: app 9NBLGGH4R315");
        assert!(
            page.starts_with("### Committed — Microsoft Store submission: app 9NBLGGH4R315\n"),
            "{page}"
        );
        assert!(
            page.contains("\n| Product | app 9NBLGGH4R315 |\n|---|---|\n| Submission |"),
            "the product row is the header: no empty row above it\n{page}"
        );
        assert!(page.contains(
            "| Submission | [1152921504621243617](https://partner.microsoft.com/dashboard/products/9NBLGGH4R315/submissions/1152921504621243617/) |"
        ), "{page}");
        assert!(page.contains("| Status | `PreProcessing` |"), "{page}");
        assert!(
            page.contains("`Contoso_1.0.0.0_x64.msix` (3.0 MiB)"),
            "{page}"
        );
        assert!(
            page.contains(&format!("SHA-256 `{}`", "ab".repeat(32))),
            "{page}"
        );
        assert!(
            page.contains("| Timings | zip 1.2s · upload 3.0s (total 4.2s) |"),
            "{page}"
        );
    }

    #[test]
    fn status_details_are_listed_and_failures_explained() {
        let mut summary = summary();
        summary.status = Some("CommitFailed".into());
        summary.status_details = Some(json!({
            "errors": [{"code": "MissingFiles", "details": "Contoso.msix | <b>x</b>"}],
            "warnings": [],
            "certificationReports": [{"date": "2026-11-01T10:00:00Z", "reportUrl": "https://example.com/r (1)"}]
        }));
        summary.failure = Some(Failure {
            exit_code: 5,
            message: "submission 1 failed: CommitFailed".into(),
            hint: Some("Add the file to the zip.".into()),
        });
        let page = summary.to_markdown("t");
        assert!(page.contains("**Failed (exit 5)**: submission 1 failed: CommitFailed"));
        assert!(
            page.contains("- `MissingFiles`: Contoso.msix \\| &lt;b&gt;x&lt;/b&gt;"),
            "{page}"
        );
        assert!(page.contains("**Errors from Partner Center**"), "{page}");
        assert!(!page.contains("Warnings"), "empty lists are left out");
        assert!(
            page.contains("- [2026-11-01T10:00:00Z](https://example.com/r%20%281%29)"),
            "{page}"
        );
        assert!(page.contains("<details><summary>statusDetails (JSON)</summary>"));
    }

    #[test]
    fn untrusted_text_cannot_break_the_table() {
        let mut summary = RunSummary::new("app X");
        summary.packages = Some(vec!["a|b`c\n::error::x".into()]);
        let page = summary.to_markdown("t");
        let row = page.lines().find(|l| l.starts_with("| Packages")).unwrap();
        let unescaped_pipes = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(unescaped_pipes, 3, "{row}");
        assert!(!page.lines().any(|l| l.trim_start().starts_with("::")));
    }

    #[test]
    fn no_run_of_backticks_closes_the_raw_json_block() {
        for raw in ["````", "`````` x ``", "```", "a```b````c"] {
            let mut summary = summary();
            summary.status_details = Some(json!({"errors": [{"code": raw, "details": raw}]}));
            let page = summary.to_markdown("t");
            let start = page.find("```json\n").expect("the raw JSON block") + 8;
            let end = start + page[start..].find("\n```\n").expect("closed");
            assert!(!page[start..end].contains("```"), "{raw:?}: {page}");
        }
    }

    #[test]
    fn huge_status_details_stay_under_the_cap() {
        let mut summary = summary();
        let errors: Vec<Value> = (0..5000)
            .map(|i| json!({"code": "InvalidParameterValue", "details": format!("é{}", "x".repeat(1000 + i))}))
            .collect();
        summary.status_details = Some(json!({"errors": errors}));
        summary.packages = Some((0..500).map(|i| format!("p{i}.msix")).collect());
        let page = summary.to_markdown("t");
        assert!(page.len() <= MAX_SUMMARY_BYTES, "{}", page.len());
        assert!(page.contains("… and 4900 more (see the `status-details` output)"));
        assert!(page.contains("… and 400 more (see the `packages` output)"));
        assert!(page.contains("… (cut; the whole JSON is in the `status-details` output)"));
        assert!(page.ends_with("</details>\n"), "the code block is closed");
    }

    #[test]
    fn the_heading_says_how_the_run_ended() {
        let heading = |summary: &RunSummary| {
            summary
                .to_markdown("Microsoft Store submission: app X")
                .lines()
                .next()
                .unwrap()
                .to_string()
        };
        let with_status = |status: &str| {
            let mut summary = summary();
            summary.status = Some(status.into());
            heading(&summary)
        };
        let title = "Microsoft Store submission: app X";
        assert_eq!(with_status("Published"), format!("### Published — {title}"));
        assert_eq!(with_status("Release"), format!("### Certified — {title}"));
        assert_eq!(
            with_status("Certification"),
            format!("### Committed — {title}")
        );
        assert_eq!(
            with_status("PendingCommit"),
            format!("### Draft left uncommitted — {title}")
        );
        assert_eq!(
            with_status("CertificationFailed"),
            format!("### Failed — {title}")
        );
        assert_eq!(with_status("Canceled"), format!("### {title}"));

        let mut failed = summary();
        failed.failure = Some(Failure {
            exit_code: 6,
            message: "timed out after 1m waiting for `published`; last status Certification".into(),
            hint: Some("The submission goes on in Partner Center.".into()),
        });
        assert_eq!(heading(&failed), format!("### Timed out — {title}"));
        let page = failed.to_markdown(title);
        assert!(
            page.contains("**Timed out (exit 6)**: timed out after 1m"),
            "{page}"
        );
        assert!(
            page.contains("The submission goes on in Partner Center"),
            "{page}"
        );
        failed.failure.as_mut().unwrap().exit_code = 4;
        assert_eq!(heading(&failed), format!("### Failed — {title}"));

        let mut dry = summary();
        dry.plan = Some(PlanSummary::default());
        assert_eq!(heading(&dry), format!("### Dry run — {title}"));
        let mut rollout = RunSummary::new("app X");
        rollout.rollout = Some("25% (PackageRolloutInProgress)".into());
        assert_eq!(heading(&rollout), "### Microsoft Store submission: app X");
    }

    #[test]
    fn release_settings_and_every_warning_are_shown() {
        let mut summary = summary();
        summary.rollout = Some("gradual: 25% of customers".into());
        summary.publish = Some("SpecificDate 2026-12-01T09:00:00Z".into());
        summary.visibility = Some("Hidden".into());
        summary.warnings = (0..MAX_ROWS + 3).map(|i| format!("warning {i}")).collect();
        let page = summary.to_markdown("t");
        assert!(
            page.contains("| Rollout | gradual: 25% of customers |"),
            "{page}"
        );
        assert!(
            page.contains("| Publish | SpecificDate 2026-12-01T09:00:00Z |"),
            "{page}"
        );
        assert!(page.contains("| Visibility | Hidden |"), "{page}");
        assert!(
            page.contains("- warning 99\n- … and 3 more (see the log)\n"),
            "{page}"
        );
    }

    #[test]
    fn packages_not_reached_are_not_called_metadata_only() {
        let mut summary = RunSummary::new("app X");
        assert!(
            summary
                .to_markdown("t")
                .contains("| Packages | none uploaded |")
        );
        summary.packages = Some(Vec::new());
        assert!(
            summary
                .to_markdown("t")
                .contains("| Packages | none (metadata only) |")
        );
    }
}
