//! The step summary as a reader sees it: real summaries written by the binary against the
//! simulator (published, stopped by the pre-flight, dry run, timed out, draft), rendered with
//! `cmark-gfm`, the GitHub-flavoured Markdown renderer GitHub's own is built on
//! (https://github.com/github/cmark-gfm), and checked as HTML: the heading per outcome, the
//! table cells, no secret. scripts/test installs `cmark-gfm`; without it these tests fail.
//!
//! With `MSSTORE_SUMMARY_HTML_DIR` set, each rendered page is also written there as
//! `summary-<case>.html`: scripts/summary-screenshot turns them into the pictures in
//! docs/images/.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::packages::Msix;
use crate::util::*;

/// The summary's Markdown as GitHub renders it: GFM tables, autolinks, strikethrough and
/// the tag filter, raw HTML kept (`<br>` in a cell, `<details>`), as on github.com.
fn render(markdown: &str) -> String {
    let mut child = Command::new("cmark-gfm")
        .args([
            "--unsafe",
            "-e",
            "table",
            "-e",
            "strikethrough",
            "-e",
            "autolink",
            "-e",
            "tagfilter",
            "--to",
            "html",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run cmark-gfm ({e}): install it (`apt-get install cmark-gfm`; scripts/test does)")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(markdown.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "cmark-gfm failed");
    String::from_utf8(out.stdout).unwrap()
}

/// What a reader sees of one rendered summary.
struct Page {
    html: String,
}

impl Page {
    fn of(case: &str, out: &Outcome, secret: &str) -> Page {
        assert!(!out.summary.is_empty(), "no step summary\n{}", out.log());
        let html = render(&out.summary);
        if let Ok(dir) = std::env::var("MSSTORE_SUMMARY_HTML_DIR") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(format!("{dir}/summary-{case}.html"), &html).unwrap();
        }
        // No secret, no upload signature, nothing that runs.
        for leak in [secret, "sig=", "<script", "<iframe", "javascript:"] {
            assert!(!html.contains(leak), "{leak} in the summary\n{html}");
        }
        Page { html }
    }

    /// The text of every `<tag>` element, inner tags dropped, entities decoded.
    fn texts(&self, tag: &str) -> Vec<String> {
        elements(&self.html, tag)
            .into_iter()
            .map(|inner| plain(&inner))
            .collect()
    }

    fn heading(&self) -> String {
        let headings = self.texts("h3");
        assert_eq!(headings.len(), 1, "one heading\n{}", self.html);
        headings[0].clone()
    }

    /// Every table, as rows of cell texts (the header row first).
    fn tables(&self) -> Vec<Vec<Vec<String>>> {
        elements(&self.html, "table")
            .iter()
            .map(|table| {
                elements(table, "tr")
                    .iter()
                    .map(|row| {
                        let mut cells = elements(row, "th");
                        cells.extend(elements(row, "td"));
                        cells.iter().map(|c| plain(c)).collect()
                    })
                    .collect()
            })
            .collect()
    }

    /// The first table, which every summary has: name → value.
    fn facts(&self) -> Vec<(String, String)> {
        let tables = self.tables();
        assert!(!tables.is_empty(), "no table\n{}", self.html);
        for table in &tables {
            for row in table {
                assert!(
                    row.iter().any(|cell| !cell.is_empty()),
                    "an empty row in {table:?}"
                );
            }
        }
        tables[0]
            .iter()
            .map(|row| {
                assert_eq!(row.len(), 2, "{row:?}");
                (row[0].clone(), row[1].clone())
            })
            .collect()
    }

    fn fact(&self, name: &str) -> String {
        self.facts()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no row {name}\n{}", self.html))
            .1
    }
}

/// The inner HTML of each non-nested `<tag …>…</tag>` in `html`.
fn elements(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<th` must not match `<thead`.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let body = &after[after.find('>').unwrap() + 1..];
        let end = body.find(&close).expect("closed element");
        found.push(body[..end].to_string());
        rest = &body[end + close.len()..];
    }
    found
}

/// Text without tags, entities decoded, white space collapsed.
fn plain(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_published_submission_shows_its_release_settings_and_warnings() {
    let sim = Simulator::start();
    // One refused commit: the retry is a warning only the log shows, yet one of the run's.
    sim.fault(serde_json::json!({
        "method": "POST",
        "path": format!("/v1.0/my/applications/{APP_ID}/submissions/*/commit"),
        "kind": "status",
        "status": 503,
        "retryAfter": 0,
        "times": 1,
    }));
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = Run::against(&ws, &sim)
        .github(&ws)
        // Not an input (`MSSTORE_RELEASE_NOTES` is): a warning of the run.
        .env("MSSTORE_RELEASE_NOTE", "typo")
        .args(["submit", "--app-id", APP_ID])
        .args(["--packages", "*.msix", "--wait-for", "published"])
        .args(["--rollout-percentage", "25", "--target-publish-mode"])
        .args(["Immediate", "--visibility", "Public"])
        .run();
    out.assert_code(0);
    let page = Page::of("published", &out, &sim.client_secret);
    assert_eq!(
        page.heading(),
        format!("Published — Microsoft Store submission: app {APP_ID}")
    );
    let facts = page.facts();
    assert_eq!(
        facts[0],
        ("Product".to_string(), format!("app {APP_ID}")),
        "the product is the header row"
    );
    assert_eq!(page.fact("Submission"), out.output("submission-id"));
    assert_eq!(page.fact("Status"), "Published");
    assert!(
        page.fact("Packages")
            .starts_with("ContosoReader_1.0.1.0_x64.msix ("),
        "{}",
        page.html
    );
    assert_eq!(page.fact("Rollout"), "gradual: 25% of customers");
    assert_eq!(page.fact("Publish"), "Immediate");
    assert_eq!(page.fact("Visibility"), "Public");
    assert!(page.fact("Pre-flight").starts_with("passed"));
    assert!(page.fact("Verified").starts_with("packages as uploaded"));
    let items = page.texts("li");
    assert!(
        items.iter().any(|i| i.contains("MSSTORE_RELEASE_NOTE")),
        "the warning is listed: {items:?}"
    );
    assert!(
        items
            .iter()
            .any(|i| i.contains("503") && i.contains("retrying")),
        "the retry is listed: {items:?}"
    );
    // The pre-flight's table and the status timeline, each with a header row.
    let tables = page.tables();
    let headers: Vec<&Vec<String>> = tables.iter().map(|t| &t[0]).collect();
    assert!(
        headers.contains(&&vec![
            "Package".to_string(),
            "Identity".into(),
            "Version, architecture, device families".into()
        ]),
        "{headers:?}"
    );
    let timeline = tables
        .iter()
        .find(|t| t[0][0] == "time (UTC)")
        .expect("a status timeline");
    let statuses: Vec<&str> = timeline[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(statuses.last(), Some(&"Published"), "{statuses:?}");
}

#[test]
fn a_failed_pre_flight_shows_what_it_read() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write(
        "Other_1.0.1.0_x64.msix",
        &Msix::new("1.0.1.0", "x64")
            .name("Fabrikam.Reader")
            .publisher("CN=Fabrikam")
            .bytes(),
    );
    let out = submit(&sim, &ws, &["--packages", "Other_1.0.1.0_x64.msix"]);
    out.assert_code(2);
    let page = Page::of("preflight-failed", &out, &sim.client_secret);
    assert_eq!(
        page.heading(),
        format!("Failed — Microsoft Store submission: app {APP_ID}")
    );
    assert!(
        page.texts("strong")
            .contains(&"Failed (exit 2)".to_string()),
        "{}",
        page.html
    );
    assert_eq!(page.fact("Submission"), "not created");
    assert_eq!(
        page.fact("Packages"),
        "none uploaded (1 read by the pre-flight, below)"
    );
    assert_eq!(page.fact("Pre-flight"), "failed: 2 error(s)");
    let tables = page.tables();
    let read = tables
        .iter()
        .find(|t| t[0][0] == "Package")
        .expect("the pre-flight's table");
    assert_eq!(
        read[1][..2],
        [
            "Other_1.0.1.0_x64.msix".to_string(),
            "Fabrikam.Reader by CN=Fabrikam".to_string()
        ],
        "{read:?}"
    );
    assert!(read[1][2].starts_with("1.0.1.0 x64"), "{read:?}");
    let findings: Vec<String> = page
        .texts("li")
        .into_iter()
        .filter(|i| i.starts_with("error (identity)"))
        .collect();
    assert_eq!(findings.len(), 2, "{}", page.html);
}

#[test]
fn a_dry_run_shows_its_plan() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--dry-run",
            "true",
            "--target-publish-mode",
            "Manual",
        ],
    );
    out.assert_code(0);
    let page = Page::of("dry-run", &out, &sim.client_secret);
    assert_eq!(
        page.heading(),
        format!("Dry run — Microsoft Store submission: app {APP_ID}")
    );
    assert_eq!(page.fact("Status"), "—");
    assert!(
        page.fact("Packages")
            .starts_with("ContosoReader_1.0.1.0_x64.msix")
    );
    assert_eq!(page.fact("Publish"), "Manual");
    let calls = page.texts("ol");
    assert_eq!(calls.len(), 1, "{}", page.html);
    assert!(calls[0].contains("POST"), "{calls:?}");
    assert!(
        page.html.contains("<pre><code class=\"language-diff\">"),
        "{}",
        page.html
    );
}

#[test]
fn a_timed_out_wait_says_the_submission_goes_on() {
    // Each status lasts a minute: the two-second wait ends first.
    let sim = Simulator::start_with(&["--simulator-phase", "60s"]);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(
        &sim,
        &ws,
        &[
            "--packages",
            "*.msix",
            "--wait-for",
            "published",
            "--timeout",
            "2s",
        ],
    );
    out.assert_code(6);
    let page = Page::of("timed-out", &out, &sim.client_secret);
    assert_eq!(
        page.heading(),
        format!("Timed out — Microsoft Store submission: app {APP_ID}")
    );
    assert!(
        page.texts("strong")
            .contains(&"Timed out (exit 6)".to_string()),
        "{}",
        page.html
    );
    assert!(
        page.texts("p")
            .iter()
            .any(|p| p.starts_with("The submission goes on in Partner Center")),
        "{}",
        page.html
    );
    assert_eq!(page.fact("Status"), out.output("status"));
    assert_eq!(page.fact("Submission"), out.output("submission-id"));
}

#[test]
fn a_draft_left_uncommitted_says_so() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let out = submit(&sim, &ws, &["--packages", "*.msix", "--commit", "false"]);
    out.assert_code(0);
    let page = Page::of("draft", &out, &sim.client_secret);
    assert_eq!(
        page.heading(),
        format!("Draft left uncommitted — Microsoft Store submission: app {APP_ID}")
    );
    assert_eq!(page.fact("Status"), "PendingCommit");
    assert!(
        page.texts("p")
            .iter()
            .any(|p| p.starts_with("The submission is left as an uncommitted draft")),
        "{}",
        page.html
    );
}
