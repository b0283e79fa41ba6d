//! From process arguments and environment to an exit code: read inputs, mask secrets,
//! validate everything, run the command, report the outcome on the platform.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{self, Command, Config, Environment, Inputs, LogLevel, OutputFormat};
use crate::error::{Error, ExitCode};
use crate::report::{Platform, Reporter};

/// Runs the tool as a process would: `args` with the program name first.
pub fn main(args: Vec<OsString>, vars: impl IntoIterator<Item = (OsString, OsString)>) -> ExitCode {
    let env: BTreeMap<String, String> = vars
        .into_iter()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    // The environment's `command` and `output` are read before the command line is parsed:
    // the first says which command's flags to expect when the arguments name none, the
    // second how to report a command line that does not parse.
    let from_env = Inputs::gather(BTreeMap::new(), env.clone());
    let flags = match config::cli::parse(args.clone(), from_env.value("command")) {
        Ok(config::cli::Parsed::Run(flags)) => flags,
        Ok(config::cli::Parsed::Completions(shell)) => {
            config::cli::completions(shell, &mut std::io::stdout());
            return ExitCode::Success;
        }
        Ok(config::cli::Parsed::Man(dir)) => {
            let written = match &dir {
                Some(dir) => config::cli::write_man_pages(dir),
                None => config::cli::man_page(&mut std::io::stdout()),
            };
            return match written {
                Ok(()) => ExitCode::Success,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    ExitCode::Internal
                }
            };
        }
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::Success
                }
                _ => ExitCode::InvalidInput,
            };
            let _ = e.print();
            if code != ExitCode::Success && wants_json(&args, &from_env) {
                crate::report::print_json(&crate::report::command_line_error(&e));
            }
            return code;
        }
    };
    let inputs = Inputs::gather(flags, env.clone());
    let platform = Platform::detect(&env);
    let format = match inputs.value("output") {
        Some("json") => OutputFormat::Json,
        _ => OutputFormat::Text,
    };
    let reporter = Arc::new(Reporter::new(platform, format));
    // A panic message can quote anything (a URL, a body): it is scrubbed like a log line.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!(
            "internal error (a bug; please report it){location}: {}",
            crate::secrets::redact(&message)
        );
    }));
    // Masks first: nothing below may print a secret before the runner knows it.
    {
        let reporter = reporter.clone();
        crate::secrets::set_mask_hook(move |value| reporter.mask(value));
    }
    for name in config::catalog::secret_names() {
        if let Some(value) = inputs.value(name) {
            crate::secrets::register(value);
        }
    }
    for name in config::SECRET_VARIABLES {
        if let Some(value) = env.get(*name) {
            crate::secrets::register(value);
        }
    }
    let level = log_level(&inputs, &env);
    crate::report::log::init(level, reporter.logs_to_stdout());
    // A live bar only where a person watches a terminal; CI logs get progress lines.
    crate::progress::enable_live_bars(
        !reporter.platform().is_ci()
            && level >= LogLevel::Info
            && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );

    // Before validation: a misspelled variable may be why an input is missing.
    for warning in config::unknown_variables(&env) {
        reporter.warning(&warning);
    }
    let (config, packages) =
        match crate::commands::checks::validate(&inputs, &Environment::from_vars(&env)) {
            Ok(checked) => checked,
            Err(problems) => {
                let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
                reporter.errors("Invalid input", &messages);
                let error = Error::Input(problems);
                reporter.finish(Some(&error));
                return error.exit_code();
            }
        };
    for warning in &config.warnings {
        reporter.warning(warning);
    }
    for note in &config.notes {
        reporter.note(note);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::Internal;
        }
    };
    let result = runtime.block_on(crate::commands::execute(&config, &packages, &reporter));
    // Let in-process servers (simulate, simulator) wind down before the process ends.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => {
            // `simulator` printed its one result line (the announcement) when it started;
            // a second one as it stops would break readers of `--output json`
            // (docs/simulator.md).
            if !(matches!(config.command, Command::Simulator(_))
                && config.output == OutputFormat::Json)
            {
                reporter.finish(None);
            }
            ExitCode::Success
        }
        Err(error) => {
            report_error(&reporter, &config, &error);
            reporter.finish(Some(&error));
            error.exit_code()
        }
    }
}

/// `--output json` on a command line that did not parse: asked for in the arguments, or
/// else in the environment.
fn wants_json(args: &[OsString], from_env: &Inputs) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let mut asked = None;
    for (i, arg) in args.iter().enumerate() {
        if *arg == "--output" {
            asked = args.get(i + 1).copied();
        } else if let Some(value) = arg.strip_prefix("--output=") {
            asked = Some(value);
        }
    }
    asked.or(from_env.value("output")) == Some("json")
}

/// `log-level` if valid; otherwise debug when the runner runs in debug mode.
fn log_level(inputs: &Inputs, env: &BTreeMap<String, String>) -> LogLevel {
    match inputs.value("log-level") {
        Some("error") => LogLevel::Error,
        Some("warn") => LogLevel::Warn,
        Some("debug") => LogLevel::Debug,
        Some("trace") => LogLevel::Trace,
        Some("info") => LogLevel::Info,
        _ if env.get("RUNNER_DEBUG").is_some_and(|v| v == "1")
            || env
                .get("SYSTEM_DEBUG")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")) =>
        {
            LogLevel::Debug
        }
        _ => LogLevel::Info,
    }
}

fn report_error(reporter: &Reporter, config: &Config, error: &Error) {
    if let Error::Input(problems) = error {
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        reporter.errors("Invalid input", &messages);
        return;
    }
    let mut message = error.to_string();
    if let Error::Internal(e) = error {
        message = format!("{e:#}");
    }
    if let Some(context) = error.call_context() {
        message.push_str(&format!("\n  call: {context}"));
    }
    if let Some(hint) = error.hint() {
        message.push_str(&format!("\n  what to do: {hint}"));
    }
    let title = format!(
        "msstore-submit {} failed (exit {})",
        config.command.name(),
        error.exit_code().code()
    );
    reporter.errors(&title, &[message]);
}
