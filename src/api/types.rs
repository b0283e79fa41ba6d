//! Typed views of the few things we read and decide on. Submissions themselves stay
//! `serde_json::Value`, so fields we do not know survive the round trip.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET …/status` (https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionStatus {
    pub status: Status,
    #[serde(default)]
    pub status_details: Value,
}

impl SubmissionStatus {
    pub fn from_submission(submission: &Value) -> SubmissionStatus {
        SubmissionStatus {
            status: Status::parse(
                submission
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("None"),
            ),
            status_details: submission
                .get("statusDetails")
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    /// Failed, or canceled: the submission will not go further.
    pub fn is_failed(&self) -> bool {
        self.status.is_failed() || self.status == Status::Canceled
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

/// A submission's `status`: every value the API documents
/// (https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission), and
/// `Unknown` for any other, kept as sent so that it can be shown. An unknown status cannot
/// be interpreted: the tool stops at once instead of polling it until `timeout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Status {
    None,
    Canceled,
    PendingCommit,
    CommitStarted,
    CommitFailed,
    PendingPublication,
    Publishing,
    Published,
    PublishFailed,
    PreProcessing,
    PreProcessingFailed,
    Certification,
    CertificationFailed,
    Release,
    ReleaseFailed,
    Unknown(String),
}

impl Status {
    /// Every documented status, in the API's spelling (case matters, as for every enum
    /// value of the API).
    pub const DOCUMENTED: [Status; 15] = [
        Status::None,
        Status::Canceled,
        Status::PendingCommit,
        Status::CommitStarted,
        Status::CommitFailed,
        Status::PendingPublication,
        Status::Publishing,
        Status::Published,
        Status::PublishFailed,
        Status::PreProcessing,
        Status::PreProcessingFailed,
        Status::Certification,
        Status::CertificationFailed,
        Status::Release,
        Status::ReleaseFailed,
    ];

    pub fn parse(text: &str) -> Status {
        Status::DOCUMENTED
            .into_iter()
            .find(|status| status.as_str() == text)
            .unwrap_or_else(|| Status::Unknown(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::None => "None",
            Status::Canceled => "Canceled",
            Status::PendingCommit => "PendingCommit",
            Status::CommitStarted => "CommitStarted",
            Status::CommitFailed => "CommitFailed",
            Status::PendingPublication => "PendingPublication",
            Status::Publishing => "Publishing",
            Status::Published => "Published",
            Status::PublishFailed => "PublishFailed",
            Status::PreProcessing => "PreProcessing",
            Status::PreProcessingFailed => "PreProcessingFailed",
            Status::Certification => "Certification",
            Status::CertificationFailed => "CertificationFailed",
            Status::Release => "Release",
            Status::ReleaseFailed => "ReleaseFailed",
            Status::Unknown(text) => text,
        }
    }

    pub fn is_documented(&self) -> bool {
        !matches!(self, Status::Unknown(_))
    }

    /// A `*Failed` status (an undocumented one too, by its name).
    pub fn is_failed(&self) -> bool {
        matches!(
            self,
            Status::CommitFailed
                | Status::PublishFailed
                | Status::PreProcessingFailed
                | Status::CertificationFailed
                | Status::ReleaseFailed
        ) || matches!(self, Status::Unknown(text) if text.ends_with("Failed"))
    }

    /// Where the status stands in the normal progression (StoreBroker's USAGE.md,
    /// https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md), to
    /// decide whether a `wait-for` target was reached; `None` off that path.
    pub fn progress_rank(&self) -> Option<u8> {
        Some(match self {
            Status::PendingCommit => 0,
            Status::CommitStarted => 1,
            Status::PreProcessing => 2,
            Status::Certification => 3,
            Status::Release => 4,
            Status::PendingPublication => 5,
            Status::Publishing => 6,
            Status::Published => 7,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Status {
    fn from(text: String) -> Status {
        Status::parse(&text)
    }
}

impl From<&str> for Status {
    fn from(text: &str) -> Status {
        Status::parse(text)
    }
}

impl From<Status> for String {
    fn from(status: Status) -> String {
        status.as_str().to_string()
    }
}

/// Whether `id` can be a submission id: the service's are decimal numbers
/// (`1152921504621243610`); anything with a space, a line break or a `/` would change the
/// URL it goes into.
pub fn is_submission_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_show_as_the_api_spells_them() {
        for status in Status::DOCUMENTED {
            assert_eq!(Status::parse(status.as_str()), status);
            assert_eq!(status.to_string(), status.as_str());
            assert!(status.is_documented());
        }
        // Case matters, and anything else is kept as sent, for the message.
        let odd = Status::parse("pendingcommit");
        assert_eq!(odd, Status::Unknown("pendingcommit".into()));
        assert!(!odd.is_documented());
        assert_eq!(odd.to_string(), "pendingcommit");
        let read: SubmissionStatus =
            serde_json::from_value(serde_json::json!({"status": "Certification"})).unwrap();
        assert_eq!(read.status, Status::Certification);
        assert_eq!(
            serde_json::to_value(&read).unwrap()["status"],
            "Certification"
        );
        assert!(
            Status::CommitFailed.is_failed() && Status::Unknown("NewFailed".into()).is_failed()
        );
        assert!(!Status::Canceled.is_failed());
        assert!(!Status::Published.is_failed());
        assert_eq!(Status::PreProcessing.progress_rank(), Some(2));
        assert_eq!(Status::CommitFailed.progress_rank(), None);
    }

    #[test]
    fn reads_the_doc_samples() {
        let submission = crate::api::parse_lenient(include_str!(
            "../simulator/samples/add-on-submission-resource.json"
        ))
        .unwrap();
        let status = SubmissionStatus::from_submission(&submission);
        assert!(!status.errors().is_empty());
    }
}
