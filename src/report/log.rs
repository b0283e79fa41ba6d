//! The log: one line per event, `HH:MM:SS` and a level tag, every line scrubbed of secrets
//! and made inert (no runner command can start inside it), whatever the level.

use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogLevel;
use crate::escape::inert_lines;

/// Installs the process-wide logger. Safe to call more than once (later calls are no-ops).
pub fn init(level: LogLevel, to_stdout: bool) {
    let filter = match level {
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "msstore_submit=debug,info",
        LogLevel::Trace => "msstore_submit=trace,debug",
    };
    let log = tracing_subscriber::fmt::layer()
        .event_format(LineFormat)
        .with_writer(ScrubbedWriter { to_stdout })
        .with_filter(EnvFilter::new(filter));
    // Warnings are kept for the step summary whatever `log-level` lets into the log.
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(KeepWarnings.with_filter(LevelFilter::WARN))
        .try_init();
}

/// Every warning logged so far (retries, a rollout kept, a report's warning), in order, once
/// each, secrets scrubbed: the step summary lists them beside the warnings shown as
/// annotations.
pub fn warnings_logged() -> Vec<String> {
    WARNINGS.lock().map(|w| w.clone()).unwrap_or_default()
}

static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Keeps the text of each `WARN` event (errors are the run's failure, said on their own).
struct KeepWarnings;

impl<S: Subscriber> Layer<S> for KeepWarnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() != Level::WARN {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let text = crate::secrets::redact(&message.0).into_owned();
        if let Ok(mut kept) = WARNINGS.lock()
            && !kept.contains(&text)
        {
            kept.push(text);
        }
    }
}

struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

struct LineFormat;

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut message = String::new();
        ctx.format_fields(Writer::new(&mut message), event)?;
        let message = crate::secrets::redact(&message);
        let time = jiff::Timestamp::now().strftime("%H:%M:%S");
        let tag = match *event.metadata().level() {
            Level::ERROR => "error: ",
            Level::WARN => "warning: ",
            Level::INFO => "",
            Level::DEBUG => "debug: ",
            Level::TRACE => "trace: ",
        };
        for (i, line) in inert_lines(&message).iter().enumerate() {
            if i == 0 {
                writeln!(writer, "{time} {tag}{line}")?;
            } else {
                writeln!(writer, "         │ {line}")?;
            }
        }
        Ok(())
    }
}

/// Scrubs again at the byte level, in case a field formatter added text after our pass.
struct ScrubbedWriter {
    to_stdout: bool,
}

struct ScrubbedLine {
    to_stdout: bool,
    buffer: Vec<u8>,
}

impl<'a> MakeWriter<'a> for ScrubbedWriter {
    type Writer = ScrubbedLine;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedLine {
            to_stdout: self.to_stdout,
            buffer: Vec::new(),
        }
    }
}

impl Write for ScrubbedLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ScrubbedLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buffer);
        let text = crate::secrets::redact(&text);
        if self.to_stdout {
            let mut out = io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        } else {
            // A live progress bar may be on stderr: print above it, not through it.
            crate::progress::suspend(|| {
                let _ = io::stderr().lock().write_all(text.as_bytes());
            });
        }
    }
}
