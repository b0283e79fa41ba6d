//! Typed views of the few things we read and decide on. Submissions themselves stay
//! `serde_json::Value`, so fields we do not know survive the round trip.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `{id, resourceLocation}` — a pointer to a submission (https://learn.microsoft.com/windows/uwp/monetize/get-app-data).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionRef {
    pub id: String,
    #[serde(default)]
    pub resource_location: Option<String>,
}

/// The application resource (https://learn.microsoft.com/windows/uwp/monetize/get-app-data): only what the flows need.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    #[serde(default)]
    pub primary_name: Option<String>,
    #[serde(default)]
    pub package_identity_name: Option<String>,
    #[serde(default)]
    pub publisher_name: Option<String>,
    #[serde(default)]
    pub last_published_application_submission: Option<SubmissionRef>,
    #[serde(default)]
    pub pending_application_submission: Option<SubmissionRef>,
}

/// `GET …/status` (https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionStatus {
    pub status: String,
    #[serde(default)]
    pub status_details: Value,
}

impl SubmissionStatus {
    pub fn from_submission(submission: &Value) -> SubmissionStatus {
        SubmissionStatus {
            status: submission
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("None")
                .to_string(),
            status_details: submission
                .get("statusDetails")
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    pub fn is_failed(&self) -> bool {
        self.status.ends_with("Failed") || self.status == "Canceled"
    }

    /// `code: details` of every error in `statusDetails`.
    pub fn errors(&self) -> Vec<String> {
        details_of(&self.status_details, "errors")
    }

    pub fn warnings(&self) -> Vec<String> {
        details_of(&self.status_details, "warnings")
    }

    pub fn details_json(&self) -> String {
        match &self.status_details {
            Value::Null => "{}".into(),
            v => v.to_string(),
        }
    }
}

fn details_of(details: &Value, key: &str) -> Vec<String> {
    details
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let code = item.get("code").and_then(Value::as_str).unwrap_or("?");
                    match item.get("details").and_then(Value::as_str) {
                        Some(d) if !d.is_empty() => format!("{code}: {d}"),
                        _ => code.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every status the API documents for a submission
/// (https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission). One
/// outside this list cannot be interpreted: the tool stops at once instead of polling it
/// until `timeout`.
pub const DOCUMENTED_STATUSES: &[&str] = &[
    "None",
    "Canceled",
    "PendingCommit",
    "CommitStarted",
    "CommitFailed",
    "PendingPublication",
    "Publishing",
    "Published",
    "PublishFailed",
    "PreProcessing",
    "PreProcessingFailed",
    "Certification",
    "CertificationFailed",
    "Release",
    "ReleaseFailed",
];

/// Whether `id` can be a submission id: the service's are decimal numbers
/// (`1152921504621243610`); anything with a space, a line break or a `/` would change the
/// URL it goes into.
pub fn is_submission_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Where a status stands in the normal progression (StoreBroker's USAGE.md,
/// https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md), to decide whether
/// a `wait-for` target was reached.
pub fn progress_rank(status: &str) -> Option<u8> {
    Some(match status {
        "PendingCommit" => 0,
        "CommitStarted" => 1,
        "PreProcessing" => 2,
        "Certification" => 3,
        "Release" => 4,
        "PendingPublication" => 5,
        "Publishing" => 6,
        "Published" => 7,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_doc_samples() {
        let app: Application = serde_json::from_str(include_str!(
            "../simulator/samples/application-resource.json"
        ))
        .unwrap();
        assert_eq!(app.id, "9NBLGGH4R315");
        assert_eq!(
            app.pending_application_submission.unwrap().id,
            "1152921504621243487"
        );
        let submission = crate::api::parse_lenient(include_str!(
            "../simulator/samples/add-on-submission-resource.json"
        ))
        .unwrap();
        let status = SubmissionStatus::from_submission(&submission);
        assert!(!status.errors().is_empty());
    }
}
