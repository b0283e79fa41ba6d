//! What every HTTP call of the tool holds to, whichever host it talks to (Entra ID, the CI
//! platform's OIDC endpoint, Partner Center, blob storage): no redirect is followed, no
//! credential travels in cleartext except to this machine, and no answer body is read past
//! a cap. docs/reliability.md ("Hostile answers") lists the bounds.

use std::net::IpAddr;

use url::Url;

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

/// Whether `url` points at this machine: `localhost`, 127.0.0.0/8 or `::1`. Only there may
/// a credential travel over plain http (tests, the simulator).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            name.trim_end_matches('.').eq_ignore_ascii_case("localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Why a credential may not be sent to `url`, if it may not: anything but https, except
/// http on loopback. Names the scheme and host, never the query (it may hold a signature).
pub fn cleartext_problem(url: &Url) -> Option<String> {
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(url) => None,
        "http" => Some(format!(
            "`http://{}` is plain http to a host that is not this machine: a credential would travel in cleartext (https is required; http only for 127.0.0.0/8, ::1 and localhost)",
            host_of(url)
        )),
        other => Some(format!("`{other}://{}` is not an https URL", host_of(url))),
    }
}

/// `host` or `host:port`, for messages.
pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => "(no host)".to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_all_of_127_8_and_ipv6_and_localhost() {
        for url in [
            "http://127.0.0.1:1/",
            "http://127.0.0.2/",
            "http://127.255.255.254/",
            "http://[::1]:8080/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://[::ffff:127.0.0.1]/",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(is_loopback(&url), "{url}");
            assert_eq!(cleartext_problem(&url), None, "{url}");
        }
        for url in [
            "http://128.0.0.1/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://127.0.0.1.nip.io/",
            "http://[::2]/",
            "http://example.com/?sig=secret",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(!is_loopback(&url), "{url}");
            let problem = cleartext_problem(&url).unwrap();
            assert!(problem.contains(url.host_str().unwrap()), "{problem}");
            assert!(!problem.contains("secret"), "{problem}");
        }
        assert_eq!(
            cleartext_problem(&Url::parse("https://example.com/").unwrap()),
            None
        );
        assert!(cleartext_problem(&Url::parse("ftp://127.0.0.1/").unwrap()).is_some());
    }
}
