//! Limits and defaults of the calls the tool makes, set by inputs (`rate-limit`,
//! `request-timeout`, `upload-block-size`, `upload-concurrency`) and read by the API client
//! and the upload; declared here so that `config` needs nothing from the rooms above it
//! (ARCHITECTURE.md).

use std::time::Duration;

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
