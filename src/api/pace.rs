//! Pacing under the tenant's rate limit (about 20 requests a minute,
//! https://github.com/microsoft/StoreBroker/blob/master/Documentation/USAGE.md), so
//! polling and paging never trip 429 on their own: at most `requests` calls start in any
//! `window`; a call that would exceed it waits.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Declared with the inputs, which set it (`rate-limit`).
pub use crate::config::RateLimit;

pub struct Pacer {
    limit: Option<RateLimit>,
    started: Mutex<VecDeque<Instant>>,
}

impl Pacer {
    pub fn new(limit: Option<RateLimit>) -> Self {
        Pacer {
            limit,
            started: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until one more call fits in the window, and counts it.
    pub async fn wait_turn(&self) {
        let Some(limit) = self.limit else {
            return;
        };
        let mut started = self.started.lock().await;
        loop {
            let now = Instant::now();
            while started
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limit.window)
            {
                started.pop_front();
            }
            if started.len() < limit.requests.max(1) {
                started.push_back(now);
                return;
            }
            let oldest = *started.front().expect("window is full");
            let wait = limit.window.saturating_sub(now.duration_since(oldest));
            if wait >= Duration::from_secs(5) {
                tracing::info!(
                    "pacing under the rate limit ({} calls per {}s): waiting {}s",
                    limit.requests,
                    limit.window.as_secs(),
                    wait.as_secs()
                );
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_a_window() {
        let pacer = Pacer::new(Some(RateLimit {
            requests: 3,
            window: Duration::from_secs(10),
        }));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..7 {
            pacer.wait_turn().await;
            times.push(start.elapsed());
        }
        for (i, t) in times.iter().enumerate().skip(3) {
            assert!(*t >= times[i - 3] + Duration::from_secs(10), "{times:?}");
        }
        assert!(times[2] < Duration::from_secs(1), "{times:?}");
    }
}
