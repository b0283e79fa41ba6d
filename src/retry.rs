//! The one retry policy for Partner Center calls (docs/reliability.md): 429 and 503 on every
//! call, other 5xx and transport failures on reads only, with jittered exponential backoff
//! inside a bounded total. A write whose answer was lost is never repeated blindly; the
//! flows re-read state instead.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET: repeating it changes nothing.
    Read,
    /// PUT and DELETE: the same request again leaves the same state (a PUT replaces the
    /// whole submission; a DELETE that finds nothing is done), so they are retried like reads.
    Idempotent,
    /// POST/PUT: repeated only when the service said it did not process it (429, 503).
    Write,
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_total: Duration::from_secs(10 * 60),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before the next attempt after an HTTP answer, if at all.
    pub fn after_status(
        &self,
        idempotency: Idempotency,
        status: u16,
        retry_after: Option<Duration>,
        attempt: u32,
        started: Instant,
    ) -> Option<Duration> {
        let retryable = match status {
            429 | 503 => true,
            500..=599 | 408 => idempotency != Idempotency::Write,
            _ => false,
        };
        if !retryable {
            return None;
        }
        let delay = match retry_after {
            Some(wait) if status == 429 || status == 503 => wait.min(self.max_delay * 5),
            _ => self.backoff(attempt),
        };
        self.within_budget(attempt, started, delay)
    }

    /// How long to wait after a failure with no HTTP answer, if at all.
    pub fn after_transport(
        &self,
        idempotency: Idempotency,
        attempt: u32,
        started: Instant,
    ) -> Option<Duration> {
        if idempotency == Idempotency::Write {
            return None;
        }
        self.within_budget(attempt, started, self.backoff(attempt))
    }

    fn within_budget(&self, attempt: u32, started: Instant, delay: Duration) -> Option<Duration> {
        (attempt < self.max_attempts && started.elapsed() + delay <= self.max_total)
            .then_some(delay)
    }

    /// Exponential from `first_delay`, capped, with ±50 % jitter so that parallel jobs of
    /// one tenant do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        exponential_step(self.first_delay, self.max_delay, attempt).mul_f64(0.5 + rand_unit())
    }
}

/// `first` doubled for each attempt after the first, capped at `max`; no jitter.
pub fn exponential_step(first: Duration, max: Duration, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(16);
    first.saturating_mul(1u32 << exponent).min(max)
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); a date in the past is
/// no wait.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// A number in [0, 1) without a random-number dependency: the low bits of a fresh UUID.
pub fn rand_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u64 >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_total: Duration::from_secs(30),
        }
    }

    #[test]
    fn writes_retry_only_what_the_service_did_not_process() {
        let p = policy();
        let now = Instant::now();
        assert!(
            p.after_status(Idempotency::Write, 429, None, 1, now)
                .is_some()
        );
        assert!(
            p.after_status(Idempotency::Write, 503, None, 1, now)
                .is_some()
        );
        assert!(
            p.after_status(Idempotency::Write, 500, None, 1, now)
                .is_none()
        );
        assert!(
            p.after_status(Idempotency::Write, 502, None, 1, now)
                .is_none()
        );
        assert!(p.after_transport(Idempotency::Write, 1, now).is_none());
        assert!(
            p.after_status(Idempotency::Read, 500, None, 1, now)
                .is_some()
        );
        assert!(p.after_transport(Idempotency::Read, 1, now).is_some());
        for status in [400, 401, 404, 409] {
            assert!(
                p.after_status(Idempotency::Read, status, None, 1, now)
                    .is_none()
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_and_attempts_are_bounded() {
        let p = policy();
        let now = Instant::now();
        assert_eq!(
            p.after_status(
                Idempotency::Write,
                429,
                Some(Duration::from_secs(3)),
                1,
                now
            ),
            Some(Duration::from_secs(3))
        );
        assert!(
            p.after_status(Idempotency::Read, 503, None, 4, now)
                .is_none()
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        let soon = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(30))
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let wait = parse_retry_after(&soon).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = policy();
        for attempt in 1..10 {
            let d = p.backoff(attempt);
            assert!(d <= Duration::from_millis(1500), "{d:?}");
            assert!(d >= Duration::from_millis(50), "{d:?}");
        }
    }
}
