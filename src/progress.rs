//! Progress of long work (zip, upload). In a CI log, or wherever stderr is not a terminal, a
//! line at most every few seconds with bytes, percent, rate and ETA: nothing redraws, so
//! every line must stand on its own. On a terminal, a live bar on stderr instead, and log
//! lines are printed above it rather than through it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::values::{format_duration, format_size};

/// How often a progress line may be logged.
pub const LINE_EVERY: Duration = Duration::from_secs(5);

static LIVE_BARS: AtomicBool = AtomicBool::new(false);
/// The bar on screen, so that log lines can be printed without tearing it.
static ACTIVE_BAR: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);
static NEXT_BAR_ID: AtomicU64 = AtomicU64::new(1);

/// Turns live bars on or off for meters created afterwards. The caller decides: stderr
/// is a terminal, the run is not on a CI runner, and progress is not filtered out.
pub fn enable_live_bars(on: bool) {
    LIVE_BARS.store(on, Ordering::Relaxed);
}

/// Runs `write` (which prints to stderr) with the live bar, if any, out of the way.
pub fn suspend<R>(write: impl FnOnce() -> R) -> R {
    let bar = active_bar().as_ref().map(|(_, bar)| bar.clone());
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

fn active_bar() -> MutexGuard<'static, Option<(u64, ProgressBar)>> {
    ACTIVE_BAR.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts the bytes of one piece of work and shows how it goes. Shared between the tasks
/// doing the work; every method takes `&self`.
pub struct Meter {
    what: String,
    total: u64,
    done: AtomicU64,
    started: Instant,
    every: Duration,
    last_line: Mutex<Instant>,
    bar: Option<(u64, ProgressBar)>,
}

impl Meter {
    pub fn new(what: impl Into<String>, total: u64) -> Self {
        Self::with_interval(what, total, LINE_EVERY)
    }

    pub fn with_interval(what: impl Into<String>, total: u64, every: Duration) -> Self {
        let what = what.into();
        let now = Instant::now();
        let bar = LIVE_BARS.load(Ordering::Relaxed).then(|| {
            let id = NEXT_BAR_ID.fetch_add(1, Ordering::Relaxed);
            (id, live_bar(&what, total))
        });
        if let Some(bar) = &bar {
            *active_bar() = Some(bar.clone());
        }
        Meter {
            what,
            total,
            done: AtomicU64::new(0),
            started: now,
            every,
            last_line: Mutex::new(now),
            bar,
        }
    }

    pub fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        match &self.bar {
            Some((_, bar)) => bar.set_position(done),
            None => self.tick(),
        }
    }

    /// Takes back bytes counted for work that is being redone (a retried block).
    pub fn sub(&self, bytes: u64) {
        let before = self
            .done
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                Some(d.saturating_sub(bytes))
            })
            .unwrap_or(0);
        let done = before.saturating_sub(bytes);
        if let Some((_, bar)) = &self.bar {
            bar.set_position(done);
        }
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Logs a progress line if one is due. Called on every `add`, and by a timer while the
    /// work might stall, so a slow transfer still shows signs of life.
    pub fn tick(&self) {
        if self.bar.is_none()
            && let Some(line) = self.due_line(Instant::now())
        {
            tracing::info!("{line}");
        }
    }

    /// The progress line, if the last one is at least `every` old and the work is not done.
    fn due_line(&self, now: Instant) -> Option<String> {
        let mut last = self.last_line.try_lock().ok()?;
        let done = self.done();
        if now.saturating_duration_since(*last) < self.every || done >= self.total {
            return None;
        }
        *last = now;
        Some(self.line(done, now))
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Clears the bar and logs the summary line: `upload: 1.0 GiB in 4s (256.0 MiB/s)`.
    pub fn finish(&self) {
        self.clear_bar();
        tracing::info!("{}", self.finish_line(self.started.elapsed()));
    }

    fn finish_line(&self, elapsed: Duration) -> String {
        format!(
            "{}: {} in {}{}",
            self.what,
            format_size(self.total),
            format_duration(elapsed),
            rate(self.total, elapsed)
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )
    }

    fn line(&self, done: u64, now: Instant) -> String {
        let elapsed = now.saturating_duration_since(self.started);
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

    fn clear_bar(&self) {
        if let Some((id, bar)) = &self.bar {
            bar.finish_and_clear();
            let mut active = active_bar();
            if active
                .as_ref()
                .is_some_and(|(active_id, _)| active_id == id)
            {
                *active = None;
            }
        }
    }
}

impl Drop for Meter {
    /// Work that failed leaves no bar behind its error message.
    fn drop(&mut self) {
        self.clear_bar();
    }
}

fn live_bar(what: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        // Short enough for an 80-column terminal: a wrapped bar redraws badly.
        "{prefix} [{bar:20}] {binary_bytes}/{binary_total_bytes} {percent:>3}% {binary_bytes_per_sec} ETA {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn rate(bytes: u64, elapsed: Duration) -> Option<String> {
    let secs = elapsed.as_secs_f64();
    (secs >= 0.001).then(|| format!("{}/s", format_size((bytes as f64 / secs) as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn lines_have_bytes_percent_rate_and_eta() {
        let meter = Meter::with_interval("upload", 100 * MIB, Duration::from_secs(5));
        meter.add(25 * MIB);
        let line = meter.line(25 * MIB, meter.started + Duration::from_secs(10));
        assert_eq!(
            line,
            "upload: 25.0 MiB of 100.0 MiB (25%), 2.5 MiB/s, ETA 30s"
        );
        assert_eq!(
            meter.finish_line(Duration::from_secs(40)),
            "upload: 100.0 MiB in 40s (2.5 MiB/s)"
        );
    }

    #[test]
    fn at_most_one_line_per_interval_and_none_when_done() {
        let meter = Meter::with_interval("zip", 10 * MIB, Duration::from_secs(5));
        let start = meter.started;
        meter.add(MIB);
        assert_eq!(meter.due_line(start + Duration::from_secs(1)), None);
        assert!(meter.due_line(start + Duration::from_secs(5)).is_some());
        meter.add(MIB);
        assert_eq!(meter.due_line(start + Duration::from_secs(9)), None);
        assert!(meter.due_line(start + Duration::from_secs(10)).is_some());
        meter.add(8 * MIB);
        assert_eq!(meter.due_line(start + Duration::from_secs(60)), None);
    }

    #[test]
    fn retried_bytes_are_taken_back() {
        let meter = Meter::new("upload", 10 * MIB);
        meter.add(4 * MIB);
        meter.sub(3 * MIB);
        assert_eq!(meter.done(), MIB);
    }
}
