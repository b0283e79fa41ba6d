//! Limits and defaults of the calls the tool makes, set by inputs (`rate-limit`,
//! `request-timeout`, `upload-block-size`, `upload-concurrency`) and read by the API client
//! and the upload; declared here so that `config` needs nothing from the rooms above it
//! (ARCHITECTURE.md).

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

/// Time one request may take by default. Cloning a large submission has been seen to take
/// minutes before the service gives up with a 500 (https://github.com/microsoft/StoreBroker/blob/master/CHANGELOG.md,
/// 1.18.0), so this is generous.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub requests: usize,
    pub window: Duration,
}

impl RateLimit {
    /// Below the documented 20 a minute, leaving room for other tools of the tenant.
    pub const DEFAULT: RateLimit = RateLimit {
        requests: 15,
        window: Duration::from_secs(60),
    };
}

/// 4 MiB × 8 in flight: 32 MiB held, several TCP streams to fill a link that limits each
/// one, and blocks no service version refuses (measured in docs/benchmarks.md).
pub const DEFAULT_BLOCK: u64 = 4 << 20;
pub const DEFAULT_CONCURRENCY: usize = 8;

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
