//! What a failed Partner Center call looks like, and how it maps onto [`crate::Error`].

use serde::Deserialize;

use crate::error::{CallContext, Error};

/// A call that did not succeed: the HTTP answer (if any) and the service's error body.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {}", self.summary())]
pub struct ApiError {
    pub context: CallContext,
    pub kind: ApiErrorKind,
    /// How many times the request was made (1: it was not repeated).
    pub attempts: u32,
}

#[derive(Debug)]
pub enum ApiErrorKind {
    /// The service answered with a non-success status.
    Status { status: u16, body: ErrorBody },
    /// No answer: connection refused or reset, timeout.
    Transport { message: String },
    /// No token to make the call with.
    SignIn(Box<Error>),
    /// An answer the client will not take: a redirect, or a body past its cap
    /// (docs/reliability.md, "Hostile answers"). Never retried.
    Refused { message: String },
    /// A success whose body the tool cannot read (`raw`: its start, as received).
    Unreadable { message: String, raw: String },
}

/// The error body the service sends (never documented; observed in
/// https://github.com/microsoft/windows-dev-center-vsts-extension/issues/80 and https://github.com/microsoft/StoreBroker/issues/174):
/// `{"code", "message", "data", "details", "source", "target", "innererror"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    #[serde(default, rename = "innererror")]
    pub inner_error: Option<Box<ErrorBody>>,
    /// The body as received when it is not that shape (truncated), for the message.
    #[serde(skip)]
    pub raw: Option<String>,
}

impl ErrorBody {
    pub fn parse(text: &str) -> ErrorBody {
        if let Some(body) = Self::from_envelope(text) {
            return body;
        }
        match serde_json::from_str::<ErrorBody>(text) {
            Ok(body) if body.code.is_some() || body.message.is_some() => body,
            _ => ErrorBody {
                // Scrubbed before it is cut: a secret cut in two would no longer be
                // recognised.
                raw: (!text.trim().is_empty())
                    .then(|| crate::secrets::redact(text).chars().take(300).collect()),
                ..Default::default()
            },
        }
    }

    /// The MSI/EXE API's envelope, `{"isSuccess": false, "errors": [{code, message,
    /// target}]}` (https://learn.microsoft.com/windows/apps/publish/store-submission-api):
    /// its errors, joined.
    fn from_envelope(text: &str) -> Option<ErrorBody> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let errors = value.get("errors")?.as_array()?;
        let shown: Vec<String> = errors
            .iter()
            .filter_map(|e| e.get("message").and_then(|m| m.as_str()))
            .map(str::to_string)
            .collect();
        if shown.is_empty() {
            return None;
        }
        Some(ErrorBody {
            code: errors
                .first()
                .and_then(|e| e.get("code"))
                .and_then(|c| c.as_str())
                .map(str::to_string),
            message: Some(shown.join("; ")),
            ..Default::default()
        })
    }

    pub fn describe(&self) -> String {
        let mut text = match (&self.code, &self.message) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.clone(),
            (None, Some(message)) => message.clone(),
            (None, None) => self.raw.clone().unwrap_or_else(|| "no details".into()),
        };
        if let Some(inner) = &self.inner_error {
            text.push_str(&format!(" ({})", inner.describe()));
        }
        text
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ApiErrorKind::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a write may have been applied although it failed: no answer, or a server
    /// error that is not "unavailable" (503/429 mean the request was not processed).
    pub fn outcome_unknown(&self) -> bool {
        match &self.kind {
            ApiErrorKind::Transport { .. } => true,
            ApiErrorKind::Status { status, .. } => *status >= 500 && *status != 503,
            // The service answered 2xx: whatever it was, it was done.
            ApiErrorKind::Unreadable { .. } => false,
            ApiErrorKind::SignIn(_) | ApiErrorKind::Refused { .. } => false,
        }
    }

    pub fn summary(&self) -> String {
        match &self.kind {
            ApiErrorKind::Status { body, .. } => body.describe(),
            ApiErrorKind::Transport { message } => message.clone(),
            ApiErrorKind::SignIn(error) => error.to_string(),
            ApiErrorKind::Refused { message } => message.clone(),
            ApiErrorKind::Unreadable { message, raw } => {
                format!("{message}: \"{}\"", crate::escape::escape_debug(raw))
            }
        }
    }

    /// The general mapping onto exit codes; flows that know better (a 404 meaning "wrong
    /// app id") convert before this.
    pub fn into_error(self, doing: &str) -> Error {
        if let ApiErrorKind::SignIn(error) = self.kind {
            return *error;
        }
        let summary = self.summary();
        let context = self.context.clone();
        if let ApiErrorKind::Refused { .. } = self.kind {
            return Error::Api {
                message: format!("Partner Center's answer while {doing} was not accepted: {summary}"),
                hint: "The Partner Center API neither redirects nor sends answers this large: check `api-base-url` and any proxy between the runner and the service.".into(),
                context,
            };
        }
        if let ApiErrorKind::Unreadable { .. } = &self.kind {
            // Not a service that keeps failing (exit 7): an answer nobody can interpret.
            return Error::Api {
                message: format!(
                    "Partner Center answered {doing} with something the tool cannot read{}: {summary}",
                    if self.attempts > 1 {
                        format!(" ({} times)", self.attempts)
                    } else {
                        String::new()
                    }
                ),
                hint: "Nothing more was changed. If it repeats, a proxy may stand between the tool and Partner Center; report it to Partner Center support with the correlation id.".into(),
                context,
            };
        }
        match self.status() {
            Some(401) => Error::Auth {
                message: format!("Partner Center refused the token while {doing}: {summary}"),
                hint: "Check that the Entra ID application was added in Partner Center → Account settings → Users with the Manager role, and that the token is for https://manage.devcenter.microsoft.com.".into(),
            },
            Some(403) => Error::Auth {
                message: format!("Partner Center denied access while {doing}: {summary}"),
                hint: "The application needs the Manager (or Developer) role in Partner Center, and the product must belong to that account.".into(),
            },
            Some(409) => Error::Conflict {
                message: format!("conflict while {doing}: {summary}"),
                hint: conflict_hint(&summary).into(),
                context: Some(context),
            },
            // Exit 7 says the service kept failing: only when the call was made again.
            Some(500..) | None if self.attempts <= 1 => Error::Api {
                message: format!(
                    "Partner Center failed while {doing}, and the call was not repeated (a write whose outcome is unknown is never repeated blindly): {summary}"
                ),
                hint: "Check in Partner Center whether it happened, then run again; a re-run continues where this one stopped.".into(),
                context,
            },
            Some(429) | Some(500..) | None => Error::Service {
                message: format!(
                    "Partner Center kept failing while {doing} ({} attempts): {summary}",
                    self.attempts
                ),
                hint: "Nothing more was changed. Re-run the step later; it continues where it stopped.".into(),
                context: Some(context),
            },
            Some(_) => Error::Api {
                message: format!("Partner Center refused {doing}: {summary}"),
                hint: String::new(),
                context,
            },
        }
    }
}

fn conflict_hint(summary: &str) -> &'static str {
    if summary.contains("not supported by the submission API") {
        "This product uses features the submission API does not support (mandatory app updates, Store-managed consumables). Publish it in Partner Center."
    } else {
        "The submission is not in a state that allows this. Check it in Partner Center."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_across_the_cut_of_a_raw_body_is_scrubbed_whole() {
        let secret = "cut-in-two-secret-0123456789";
        crate::secrets::register(secret);
        let text = format!("{}{secret} and more", "x".repeat(290));
        let body = ErrorBody::parse(&text);
        let raw = body.raw.unwrap();
        assert!(raw.contains("x***"), "{raw}");
        assert!(!raw.contains("cut-in"), "{raw}");
    }
}
