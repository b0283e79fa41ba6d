//! One error type for the whole library, and the one place that maps it to exit codes
//! (docs/exit-codes.md). Every variant carries enough to tell the user what happened, to which
//! product or submission, and what to do next.

use std::fmt;

use crate::config::InputProblem;

/// Exit codes of docs/exit-codes.md. The numbers are part of the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Internal = 1,
    InvalidInput = 2,
    Authentication = 3,
    Conflict = 4,
    SubmissionFailed = 5,
    TimedOut = 6,
    ServiceUnavailable = 7,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Partner Center's correlation header
/// (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
pub const MS_CORRELATION_ID: &str = "MS-CorrelationId";
/// The MSI/EXE API's (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
pub const X_CORRELATION_ID: &str = "X-Correlation-ID";

/// Where a failing call went and what the service said, for the message and for support.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    /// `GET applications/9NBLGGH4R315`, never with a query string that could hold a secret.
    pub call: String,
    pub http_status: Option<u16>,
    pub correlation_id: Option<String>,
    /// The header it came in, as support knows it: Partner Center's `MS-CorrelationId`
    /// (the default) or the MSI/EXE API's `X-Correlation-ID`.
    pub correlation_header: Option<&'static str>,
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.call)?;
        if let Some(status) = self.http_status {
            write!(f, " → HTTP {status}")?;
        }
        if let Some(id) = &self.correlation_id {
            let header = self.correlation_header.unwrap_or(MS_CORRELATION_ID);
            write!(f, " ({header} {id})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad inputs, all of them at once. Nothing was sent.
    #[error("{} invalid input(s)", .0.len())]
    Input(Vec<InputProblem>),

    /// Entra ID refused to issue a token, or the API refused the token we had.
    #[error("authentication failed: {message}")]
    Auth { message: String, hint: String },

    /// A pending submission, a rollout in progress, or a product the API cannot handle.
    #[error("{message}")]
    Conflict {
        message: String,
        hint: String,
        context: Option<CallContext>,
    },

    /// The submission ended in a `*Failed` state or was rejected by the service. `context`
    /// is the call that was refused, when a refusal (not a processing state) is the cause.
    #[error("{message}")]
    SubmissionFailed {
        message: String,
        hint: String,
        context: Option<CallContext>,
    },

    /// `wait-for` was not reached in time; the submission goes on in Partner Center.
    #[error("timed out after {waited} waiting for `{target}`; last status {status}")]
    TimedOut {
        target: String,
        status: String,
        waited: String,
    },

    /// Partner Center or blob storage kept failing after retries.
    #[error("{message}")]
    Service {
        message: String,
        hint: String,
        context: Option<CallContext>,
    },

    /// A request the service answered with an error we have no better category for.
    #[error("{message}")]
    Api {
        message: String,
        hint: String,
        context: CallContext,
    },

    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Input(_) => ExitCode::InvalidInput,
            Error::Auth { .. } => ExitCode::Authentication,
            Error::Conflict { .. } => ExitCode::Conflict,
            Error::SubmissionFailed { .. } => ExitCode::SubmissionFailed,
            Error::TimedOut { .. } => ExitCode::TimedOut,
            Error::Service { .. } => ExitCode::ServiceUnavailable,
            Error::Api { .. } | Error::Internal(_) => ExitCode::Internal,
        }
    }

    /// What the user can do about it, when we know.
    pub fn hint(&self) -> Option<&str> {
        let hint = match self {
            Error::Auth { hint, .. }
            | Error::Conflict { hint, .. }
            | Error::SubmissionFailed { hint, .. }
            | Error::Service { hint, .. }
            | Error::Api { hint, .. } => hint.as_str(),
            Error::TimedOut { .. } => {
                "The submission goes on in Partner Center. Run `msstore-submit status` later, or raise `timeout`."
            }
            Error::Input(_) | Error::Internal(_) => "",
        };
        (!hint.is_empty()).then_some(hint)
    }

    pub fn call_context(&self) -> Option<&CallContext> {
        match self {
            Error::Conflict { context, .. }
            | Error::Service { context, .. }
            | Error::SubmissionFailed { context, .. } => context.as_ref(),
            Error::Api { context, .. } => Some(context),
            _ => None,
        }
    }

    pub fn input(input: &str, message: impl Into<String>) -> Self {
        Error::Input(vec![InputProblem::new(input, message)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
