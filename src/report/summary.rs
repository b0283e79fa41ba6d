//! The run summary: a Markdown page for GitHub's step summary (`GITHUB_STEP_SUMMARY`) and
//! Azure Pipelines' attached summary (`task.uploadsummary`). One table says what was
//! submitted and where it stands; the status details (errors, warnings, certification
//! reports) follow. The page stays under the runner's 1 MiB cap whatever the service sends:
//! long lists are cut with a note, and the raw JSON is the first thing to give way.

use std::time::Duration;

use serde_json::Value;

use crate::config::values::{format_duration, format_size};
use crate::package::ZipSummary;
use crate::submission::preflight::{Preflight, Severity};
use crate::submission::verify::Verification;

/// GitHub refuses a step summary over 1 MiB and shows nothing (`UnsupportedSummarySize`,
/// reference ci-platforms §1.7). Stay well below, so that masking (which can lengthen a
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
    /// Package file names submitted, in the order of the `packages` output.
    pub packages: Vec<String>,
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

    /// The page, at most [`MAX_SUMMARY_BYTES`] long.
    pub fn to_markdown(&self, title: &str) -> String {
        let mut page = format!("### {}\n\n", text(title));
        page.push_str(&self.table());
        if let Some(failure) = &self.failure {
            page.push_str(&format!(
                "\n**Failed (exit {})**: {}\n",
                failure.exit_code,
                text(&failure.message)
            ));
            if let Some(hint) = &failure.hint {
                page.push_str(&format!("\n{}\n", text(hint)));
            }
        }
        if !self.warnings.is_empty() {
            page.push_str("\n**Warnings**\n\n");
            for warning in self.warnings.iter().take(MAX_ROWS) {
                page.push_str(&format!("- {}\n", text(warning)));
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
        let packages: Vec<String> = self
            .packages
            .iter()
            .take(MAX_ROWS)
            .map(|p| format!("`{}`{}{}", cell(p), sizes(p), read(p)))
            .collect();
        let mut packages = packages.join("<br>");
        if self.packages.len() > MAX_ROWS {
            packages.push_str(&format!(
                "<br>… and {} more (see the `packages` output)",
                self.packages.len() - MAX_ROWS
            ));
        }
        rows.push((
            "Packages".into(),
            if packages.is_empty() {
                "none (metadata only)".into()
            } else {
                packages
            },
        ));
        if let Some(rollout) = &self.rollout {
            rows.push(("Rollout".into(), cell(rollout)));
        }
        if let Some(publish) = &self.publish {
            rows.push(("Publish".into(), cell(publish)));
        }
        if let Some(zip) = &self.zip {
            rows.push((
                "Upload zip".into(),
                format!(
                    "{}, {} entries, SHA-256 `{}`",
                    format_size(zip.size),
                    zip.entries.len(),
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
        let mut table = String::from("| | |\n|---|---|\n");
        for (name, value) in rows {
            table.push_str(&format!("| {name} | {value} |\n"));
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
        // A fence inside a value would end the code block early.
        let line = line.replace("```", "`\u{200b}``");
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
    fn preflight_section(&self) -> String {
        let Some(preflight) = &self.preflight else {
            return String::new();
        };
        let shown: Vec<&crate::submission::preflight::Finding> = preflight
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Note)
            .collect();
        if shown.is_empty() {
            return String::new();
        }
        let mut out = String::from("\n**Pre-flight**\n\n");
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
    for (key, heading) in [("errors", "Errors"), ("warnings", "Warnings")] {
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
    // A fence inside the JSON would end the code block early.
    let raw = raw.replace("```", "`\u{200b}``");
    let body = if raw.len() > room - frame {
        let end = floor_char_boundary(&raw, room - frame);
        format!("{}{cut_note}", &raw[..end])
    } else {
        raw
    };
    format!("{head}{body}{tail}")
}

/// Service or user text in running Markdown: one line, no HTML, no table breaks.
fn text(value: &str) -> String {
    // Scrubbed before it is escaped: an escaped secret would no longer be recognised.
    let one_line = super::escape::inert_single_line(&crate::secrets::redact(value));
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
        summary.packages = vec!["Contoso_1.0.0.0_x64.msix".into()];
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
        assert!(page.starts_with("### Microsoft Store submission: app 9NBLGGH4R315\n"));
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
        assert!(!page.contains("**Warnings**"), "empty lists are left out");
        assert!(
            page.contains("- [2026-11-01T10:00:00Z](https://example.com/r%20%281%29)"),
            "{page}"
        );
        assert!(page.contains("<details><summary>statusDetails (JSON)</summary>"));
    }

    #[test]
    fn untrusted_text_cannot_break_the_table() {
        let mut summary = RunSummary::new("app X");
        summary.packages = vec!["a|b`c\n::error::x".into()];
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
    fn huge_status_details_stay_under_the_cap() {
        let mut summary = summary();
        let errors: Vec<Value> = (0..5000)
            .map(|i| json!({"code": "InvalidParameterValue", "details": format!("é{}", "x".repeat(1000 + i))}))
            .collect();
        summary.status_details = Some(json!({"errors": errors}));
        summary.packages = (0..500).map(|i| format!("p{i}.msix")).collect();
        let page = summary.to_markdown("t");
        assert!(page.len() <= MAX_SUMMARY_BYTES, "{}", page.len());
        assert!(page.contains("… and 4900 more (see the `status-details` output)"));
        assert!(page.contains("… and 400 more (see the `packages` output)"));
        assert!(page.contains("… (cut; the whole JSON is in the `status-details` output)"));
        assert!(page.ends_with("</details>\n"), "the code block is closed");
    }
}
