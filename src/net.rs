//! What every HTTP call of the tool holds to, whichever host it talks to (Entra ID, the CI
//! platform's OIDC endpoint, Partner Center, blob storage): no redirect is followed, no
//! credential travels in cleartext except to this machine, and no answer body is read past
//! a cap. docs/reliability.md ("Hostile answers") lists the bounds.

// The rule for credentials over http is configuration's too (inputs are checked with it
// before any call): it lives in config, the leaf, and is used from here.
pub use crate::config::{cleartext_problem, host_of, is_loopback};

/// Largest Partner Center JSON answer read. The largest the API sends are submissions with
/// many listings and pages of 100 add-ons: a few hundred KiB.
pub const API_BODY_CAP: usize = 16 << 20;
/// Largest Entra ID token answer (success or error) read: tokens are a few KiB.
pub const TOKEN_BODY_CAP: usize = 256 << 10;
/// Largest OIDC answer of a CI platform read: `{"value": "<jwt>"}`.
pub const OIDC_BODY_CAP: usize = 256 << 10;
/// Largest error body read (Partner Center, storage): only its first line is shown.
pub const ERROR_BODY_CAP: usize = 64 << 10;

/// The HTTP client settings every client of the tool starts from: our user agent, and
/// redirects never followed. A redirect would re-send the form body (client secret,
/// assertion) or the SAS query to a host nobody configured; every caller turns a 3xx into
/// an error naming the host instead ([`redirect_target`]).
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("msstore-submit/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
}

/// An answer that asked to go elsewhere: its status and where to (the host only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub status: u16,
    /// Host (and port) of the `Location`, or a note that it had none.
    pub to: String,
}

impl std::fmt::Display for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a redirect (HTTP {}) to {} was refused: nothing was sent there",
            self.status, self.to
        )
    }
}

/// The redirect `response` asks for, if it is one (301, 302, 303, 307, 308).
pub fn redirect_target(response: &reqwest::Response) -> Option<Redirect> {
    let status = response.status();
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok());
    let to = match location {
        None => "(no Location)".to_string(),
        Some(location) => match response.url().join(location) {
            Ok(url) => host_of(&url),
            Err(_) => "an unreadable Location".to_string(),
        },
    };
    Some(Redirect {
        status: status.as_u16(),
        to,
    })
}

/// Why an answer body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is larger than {} (the cap for this call); not read further", crate::config::values::format_size(*.cap as u64))]
    TooLarge { cap: usize },
    #[error("{0}")]
    Transport(#[from] reqwest::Error),
}

/// The body of `response` as text, read chunk by chunk and given up past `cap` bytes, so
/// a hostile or broken server cannot make the tool hold more than `cap`. A
/// `Content-Length` past the cap fails before anything is read.
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<String, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(BodyError::TooLarge { cap });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge { cap });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}
