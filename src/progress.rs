//! Progress lines for long work (zip, upload), at a steady pace that reads well in a CI log
//! without a TTY: at most one line every few seconds, with bytes, percent, rate and ETA.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::config::values::{format_duration, format_size};

const DEFAULT_EVERY: Duration = Duration::from_secs(5);

pub struct Meter {
    what: String,
    total: u64,
    done: AtomicU64,
    started: Instant,
    every: Duration,
    last_line: Mutex<Instant>,
}

impl Meter {
    pub fn new(what: impl Into<String>, total: u64) -> Self {
        let now = Instant::now();
        Meter {
            what: what.into(),
            total,
            done: AtomicU64::new(0),
            started: now,
            every: DEFAULT_EVERY,
            last_line: Mutex::new(now),
        }
    }

    pub fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let now = Instant::now();
        let Ok(mut last) = self.last_line.try_lock() else {
            return;
        };
        if now.duration_since(*last) >= self.every && done < self.total {
            *last = now;
            drop(last);
            tracing::info!("{}", self.line(done, now));
        }
    }

    /// Takes back bytes counted for work that is being redone (a retried block).
    pub fn sub(&self, bytes: u64) {
        self.done.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn finish_line(&self) -> String {
        let elapsed = self.started.elapsed();
        let rate = rate(self.total, elapsed);
        format!(
            "{}: {} in {}{}",
            self.what,
            format_size(self.total),
            format_duration(elapsed),
            rate.map(|r| format!(" ({r})")).unwrap_or_default()
        )
    }

    fn line(&self, done: u64, now: Instant) -> String {
        let elapsed = now.duration_since(self.started);
        let percent = if self.total == 0 {
            100.0
        } else {
            done as f64 * 100.0 / self.total as f64
        };
        let eta = if done > 0 && done < self.total {
            let secs = elapsed.as_secs_f64() * (self.total - done) as f64 / done as f64;
            format!(", ETA {}", format_duration(Duration::from_secs_f64(secs)))
        } else {
            String::new()
        };
        format!(
            "{}: {} of {} ({percent:.0}%){}{eta}",
            self.what,
            format_size(done),
            format_size(self.total),
            rate(done, elapsed)
                .map(|r| format!(", {r}"))
                .unwrap_or_default(),
        )
    }
}

fn rate(bytes: u64, elapsed: Duration) -> Option<String> {
    let secs = elapsed.as_secs_f64();
    (secs >= 0.001).then(|| format!("{}/s", format_size((bytes as f64 / secs) as u64)))
}
