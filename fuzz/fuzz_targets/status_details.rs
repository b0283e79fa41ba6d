//! `statusDetails` (and the `GET …/status` answer) as the service sends them: the error and
//! warning lines, the failure message and its hint, the log, and the run summary page,
//! which must stay under the runner's size cap and carry no HTML or code fence from the
//! service's text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msstore_submit::api::types::SubmissionStatus;
use msstore_submit::report::summary::{MAX_SUMMARY_BYTES, RunSummary};
use msstore_submit::submission::wait;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = serde_json::from_str::<SubmissionStatus>(text);
    let Ok(details) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for status in ["CommitFailed", "PreProcessing", "Published"] {
        let status = SubmissionStatus {
            status: status.into(),
            status_details: details.clone(),
        };
        let _ = (status.errors(), status.warnings());
        assert!(serde_json::from_str::<Value>(&status.details_json()).is_ok());
        let _ = wait::failed("1152921504621243487", &status).to_string();
        wait::log_status_details(&details);

        let mut summary = RunSummary::new("app 9NBLGGH4R315");
        summary.record_status(status.status.as_str(), &details);
        let page = summary.to_markdown("Submission");
        assert!(page.len() <= MAX_SUMMARY_BYTES, "{} bytes", page.len());
        // The raw JSON sits in one fenced block: nothing inside may close it early.
        if let Some(start) = page.find("```json\n") {
            let inside = &page[start + 8..];
            let end = inside.find("\n```\n").expect("the fence is closed");
            assert!(
                !inside[..end].contains("```"),
                "a fence inside the JSON block"
            );
        }
    }
});
