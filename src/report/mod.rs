//! The platform reporter: outputs, masks, annotations, groups and the summary, for GitHub
//! Actions, Azure Pipelines or a plain terminal, behind one type (docs/github-actions.md,
//! docs/azure-pipelines.md).

use crate::escape;
pub(crate) mod log;
pub mod summary;

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::OutputFormat;

/// GitHub shows at most 10 error annotations per step; more are summarised in one.
const MAX_ANNOTATIONS: usize = 10;

/// Every output the tool can write (docs/outputs.md). action.yml declares exactly these and
/// docs/outputs.md lists them; a test keeps the three in step.
pub const OUTPUT_NAMES: &[&str] = &[
    "submission-id",
    "status",
    "status-details",
    "submission-url",
    "zip-path",
    "zip-sha256",
    "zip-size",
    "packages",
    "flight-id",
    "addon-id",
    "rollout",
];

/// Outputs that hold JSON text: in the `--output json` object they are that JSON itself (an
/// array or an object), not a string (docs/outputs.md). Step outputs are text either way.
const JSON_OUTPUTS: &[&str] = &["packages", "status-details", "rollout"];
/// Outputs that are whole numbers: numbers in the `--output json` object.
const NUMBER_OUTPUTS: &[&str] = &["zip-size"];

/// An output's value in the `--output json` object: its natural JSON type.
pub fn json_value(name: &str, value: &str) -> serde_json::Value {
    let text = || serde_json::Value::String(value.to_string());
    if JSON_OUTPUTS.contains(&name) {
        serde_json::from_str(value).unwrap_or_else(|_| text())
    } else if NUMBER_OUTPUTS.contains(&name) {
        value
            .parse::<u64>()
            .map(serde_json::Value::from)
            .unwrap_or_else(|_| text())
    } else {
        text()
    }
}

/// The `error` member of the `--output json` object: what failed, the input to fix and
/// what to do when known, and the ids to quote to support (docs/outputs.md).
pub fn error_json(error: &crate::Error, outputs: &BTreeMap<String, String>) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("exit_code".into(), error.exit_code().code().into());
    let message = match error {
        crate::Error::Input(problems) => problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        crate::Error::Internal(e) => format!("{e:#}"),
        other => other.to_string(),
    };
    object.insert("message".into(), message.into());
    if let crate::Error::Input(problems) = error {
        if let Some(first) = problems.first() {
            object.insert("input".into(), first.input.clone().into());
        }
        object.insert(
            "problems".into(),
            problems
                .iter()
                .map(|p| serde_json::json!({"input": p.input, "message": p.message}))
                .collect(),
        );
    }
    if let Some(hint) = error.hint() {
        object.insert("hint".into(), hint.into());
    }
    if let Some(id) = outputs.get("submission-id") {
        object.insert("submission_id".into(), id.clone().into());
    }
    if let Some(id) = error.call_context().and_then(|c| c.correlation_id.clone()) {
        object.insert("correlation_id".into(), id.into());
    }
    serde_json::Value::Object(object)
}

/// The `--output json` object for a command line that does not parse (exit 2).
pub fn command_line_error(error: &clap::Error) -> serde_json::Value {
    use clap::error::{ContextKind, ContextValue};
    let rendered = error.render().to_string();
    let message = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    let mut object = serde_json::Map::new();
    object.insert("exit_code".into(), 2.into());
    object.insert("message".into(), message.into());
    if let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) {
        let name = arg
            .trim_start_matches("--")
            .split([' ', '=', '<'])
            .next()
            .unwrap_or_default();
        if crate::config::catalog::find(name).is_some() {
            object.insert("input".into(), name.into());
        }
    }
    object.insert(
        "hint".into(),
        "`msstore-submit help COMMAND` lists the inputs each command takes".into(),
    );
    serde_json::json!({ "error": serde_json::Value::Object(object) })
}

/// Prints one JSON object on stdout, as the one result of the run.
pub fn print_json(value: &serde_json::Value) {
    let text = value.to_string();
    let mut stdout = io::stdout().lock();
    let _ = writeln!(stdout, "{}", crate::secrets::redact(&text));
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platform {
    GitHub {
        output_file: Option<PathBuf>,
        summary_file: Option<PathBuf>,
    },
    Azure {
        temp_dir: PathBuf,
    },
    Plain,
}

impl Platform {
    /// `GITHUB_ACTIONS=true` → GitHub; `TF_BUILD=True` → Azure Pipelines; else plain.
    pub fn detect(env: &BTreeMap<String, String>) -> Platform {
        let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        if var("GITHUB_ACTIONS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Platform::GitHub {
                output_file: var("GITHUB_OUTPUT").map(PathBuf::from),
                summary_file: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            };
        }
        if var("TF_BUILD").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            let temp_dir = var("AGENT_TEMPDIRECTORY")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir);
            return Platform::Azure { temp_dir };
        }
        Platform::Plain
    }

    pub fn is_ci(&self) -> bool {
        !matches!(self, Platform::Plain)
    }
}

pub struct Reporter {
    platform: Platform,
    format: OutputFormat,
    outputs: Mutex<BTreeMap<String, String>>,
    /// Structured results beside the outputs (the items of `list`), for `--output json`.
    results: Mutex<serde_json::Map<String, serde_json::Value>>,
    /// Warnings shown so far: on Azure Pipelines they make the step "succeeded with issues".
    warnings: AtomicUsize,
    /// Their texts, to show each once and to list them all in the step summary.
    shown_warnings: Mutex<Vec<String>>,
    /// Where runner commands go: stdout, or a buffer in tests.
    commands: Mutex<Box<dyn Write + Send>>,
}

impl Reporter {
    pub fn new(platform: Platform, format: OutputFormat) -> Self {
        Reporter {
            platform,
            format,
            outputs: Mutex::new(BTreeMap::new()),
            results: Mutex::new(serde_json::Map::new()),
            warnings: AtomicUsize::new(0),
            shown_warnings: Mutex::new(Vec::new()),
            commands: Mutex::new(Box::new(io::stdout())),
        }
    }

    /// A reporter whose runner commands go to `sink` instead of stdout.
    pub fn with_command_sink(
        platform: Platform,
        format: OutputFormat,
        sink: impl Write + Send + 'static,
    ) -> Self {
        let reporter = Reporter::new(platform, format);
        if let Ok(mut commands) = reporter.commands.lock() {
            *commands = Box::new(sink);
        }
        reporter
    }

    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// Writes a runner command line, whole and at once, past the log (whose redaction would
    /// turn `::add-mask::secret` into `::add-mask::***`).
    fn command_line(&self, line: &str) {
        if let Ok(mut out) = self.commands.lock() {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }

    /// Where log lines go: stdout on a CI runner (one ordered stream, and the Azure agent
    /// shows stderr as errors in some tasks), stderr in a terminal or with `--output json`
    /// (stdout then carries only the result).
    pub fn logs_to_stdout(&self) -> bool {
        self.platform.is_ci() && self.format == OutputFormat::Text
    }

    /// Tells the runner to mask `secret` from here on. Written straight to stdout, past
    /// the log redaction (which would turn the command into `::add-mask::***`).
    pub fn mask(&self, secret: &str) {
        match &self.platform {
            Platform::GitHub { .. } => {
                // The runner masks each line of a multi-line value separately, too.
                self.command_line(&format!("::add-mask::{}", escape::github_data(secret)));
            }
            Platform::Azure { .. } => {
                // The agent masks only the value as a whole, so a PEM or any multi-line
                // secret printed line by line would show: register each line as well.
                self.command_line(&format!("##vso[task.setsecret]{}", escape::azure(secret)));
                if secret.contains(['\n', '\r']) {
                    for line in secret.lines().map(str::trim).filter(|l| !l.is_empty()) {
                        self.command_line(&format!("##vso[task.setsecret]{}", escape::azure(line)));
                    }
                }
            }
            Platform::Plain => {}
        }
    }

    pub fn group_start(&self, title: &str) {
        let title = escape::inert_single_line(title);
        match &self.platform {
            Platform::GitHub { .. } => self.command_line(&format!("::group::{title}")),
            Platform::Azure { .. } => self.command_line(&format!("##[group]{title}")),
            Platform::Plain => tracing::info!("── {title}"),
        }
    }

    pub fn group_end(&self) {
        match &self.platform {
            Platform::GitHub { .. } => self.command_line("::endgroup::"),
            Platform::Azure { .. } => self.command_line("##[endgroup]"),
            Platform::Plain => {}
        }
    }

    /// One annotation per problem (at most ten on GitHub; the rest summarised), and the
    /// same text in the log.
    pub fn errors(&self, title: &str, messages: &[String]) {
        for message in messages {
            tracing::error!("{message}");
        }
        let shown = messages.len().min(MAX_ANNOTATIONS);
        let mut annotations: Vec<String> = messages[..shown].to_vec();
        if messages.len() > shown {
            annotations.push(format!(
                "… and {} more problem(s); see the log",
                messages.len() - shown
            ));
        }
        for message in annotations {
            let message = escape::inert_markers(&crate::secrets::redact(&message));
            match &self.platform {
                Platform::GitHub { .. } => self.command_line(&format!(
                    "::error title={}::{}",
                    escape::github_property(title),
                    escape::github_data(&message)
                )),
                Platform::Azure { .. } => self.command_line(&format!(
                    "##vso[task.logissue type=error]{}",
                    escape::azure(&message)
                )),
                Platform::Plain => {}
            }
        }
    }

    /// A warning, shown once however often the run meets it (a status change repeats the
    /// certification report's warnings, for one).
    pub fn warning(&self, message: &str) {
        if let Ok(mut shown) = self.shown_warnings.lock() {
            if shown.iter().any(|w| w == message) {
                return;
            }
            shown.push(message.to_string());
        }
        self.warnings.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("{message}");
        let message = escape::inert_markers(&crate::secrets::redact(message));
        match &self.platform {
            Platform::GitHub { .. } => {
                self.command_line(&format!("::warning::{}", escape::github_data(&message)))
            }
            Platform::Azure { .. } => self.command_line(&format!(
                "##vso[task.logissue type=warning]{}",
                escape::azure(&message)
            )),
            Platform::Plain => {}
        }
    }

    /// Every warning shown so far, in order, once each: the step summary lists them.
    pub fn warnings_shown(&self) -> Vec<String> {
        self.shown_warnings
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// Something worth a line in the log but nothing to act on (an input this command does
    /// not use): unlike a warning it does not make an Azure Pipelines step "succeeded with
    /// issues" (job-wide `MSSTORE_*` variables reach every step).
    pub fn note(&self, message: &str) {
        tracing::info!("note: {message}");
    }

    /// Something the user should see that is neither a problem nor a failure (a release
    /// that now waits for a person): a notice annotation on GitHub, a log line elsewhere.
    pub fn notice(&self, message: &str) {
        tracing::info!("{message}");
        if let Platform::GitHub { .. } = &self.platform {
            let message = escape::inert_markers(&crate::secrets::redact(message));
            self.command_line(&format!("::notice::{}", escape::github_data(&message)));
        }
    }

    /// Writes an output; one that cannot be written is logged and the run goes on: what
    /// happened in Partner Center does not depend on it, and the log says what to look at.
    pub(crate) fn output(&self, name: &str, value: &str) {
        if let Err(e) = self.set_output(name, value) {
            tracing::error!("cannot write output `{name}`: {e}");
        }
    }

    /// Records an output and writes it to the platform at once, so a run that fails later
    /// still leaves what it knew (the submission id above all).
    pub fn set_output(&self, name: &str, value: &str) -> io::Result<()> {
        debug_assert!(OUTPUT_NAMES.contains(&name), "undeclared output {name}");
        let value = crate::secrets::redact(value).into_owned();
        if let Ok(mut outputs) = self.outputs.lock() {
            outputs.insert(name.to_string(), value.clone());
        }
        match &self.platform {
            Platform::GitHub {
                output_file: Some(path),
                ..
            } => {
                let mut file = OpenOptions::new().create(true).append(true).open(path)?;
                file.write_all(github_output_block(name, &value).as_bytes())
            }
            Platform::GitHub {
                output_file: None, ..
            } => Ok(()),
            Platform::Azure { .. } => {
                // Line breaks travel escaped as %0A; the agent decodes them back.
                self.command_line(&format!(
                    "##vso[task.setvariable variable={};isOutput=true]{}",
                    escape::azure(&name.replace('-', "_")),
                    escape::azure(&value)
                ));
                Ok(())
            }
            Platform::Plain => Ok(()),
        }
    }

    /// Adds a field to the `--output json` result object.
    pub fn add_result(&self, name: &str, value: serde_json::Value) {
        if let Ok(mut results) = self.results.lock() {
            results.insert(name.to_string(), value);
        }
    }

    /// A text table: on stdout in a terminal, in the log on a runner, nowhere with
    /// `--output json` (the items are in the result object).
    pub fn table(&self, lines: &[String]) {
        match self.format {
            OutputFormat::Json => {}
            OutputFormat::Text if self.platform.is_ci() => {
                for line in lines {
                    tracing::info!("{line}");
                }
            }
            OutputFormat::Text => {
                let mut stdout = io::stdout().lock();
                for line in lines {
                    let _ = writeln!(stdout, "{}", crate::secrets::redact(line));
                }
            }
        }
    }

    pub fn outputs(&self) -> BTreeMap<String, String> {
        self.outputs.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Appends Markdown to the step summary (GitHub) or attaches it (Azure).
    pub fn summary(&self, markdown: &str) -> io::Result<()> {
        let markdown = crate::secrets::redact(markdown);
        match &self.platform {
            Platform::GitHub {
                summary_file: Some(path),
                ..
            } => {
                let mut file = OpenOptions::new().create(true).append(true).open(path)?;
                file.write_all(markdown.as_bytes())
            }
            Platform::Azure { temp_dir } => {
                let path =
                    temp_dir.join(format!("msstore-submit-summary-{}.md", std::process::id()));
                std::fs::write(&path, markdown.as_bytes())?;
                self.command_line(&format!(
                    "##vso[task.uploadsummary]{}",
                    escape::azure(&path.display().to_string())
                ));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The end of the run: the step's result on Azure Pipelines, the JSON result object
    /// (`--output json`), or the outputs as `name: value` lines in a terminal.
    pub fn finish(&self, error: Option<&crate::Error>) {
        if let Platform::Azure { .. } = &self.platform {
            self.command_line(&azure_completion(
                error,
                self.warnings.load(Ordering::Relaxed),
            ));
        }
        let outputs = self.outputs();
        match self.format {
            OutputFormat::Json => {
                let mut object = self.results.lock().map(|r| r.clone()).unwrap_or_default();
                for (name, value) in &outputs {
                    object.insert(name.replace('-', "_"), json_value(name, value));
                }
                if let Some(error) = error {
                    object.insert("error".into(), error_json(error, &outputs));
                }
                print_json(&serde_json::Value::Object(object));
            }
            OutputFormat::Text if !self.platform.is_ci() => {
                let mut stdout = io::stdout().lock();
                for (name, value) in &outputs {
                    let value = escape::inert_single_line(value);
                    let _ = writeln!(stdout, "{name}: {value}");
                }
            }
            OutputFormat::Text => {}
        }
    }
}

/// The heredoc block the GitHub runner parses from `GITHUB_OUTPUT`, with a fresh random
/// delimiter that occurs in neither the name nor the value, as `@actions/core` writes it
/// (https://github.com/actions/toolkit/blob/main/packages/core/src/file-command.ts; the
/// parser: https://github.com/actions/runner/blob/main/src/Runner.Worker/FileCommandManager.cs).
pub fn github_output_block(name: &str, value: &str) -> String {
    loop {
        let delimiter = format!("ghadelimiter_{}", uuid::Uuid::new_v4());
        if !value.contains(&delimiter) && !name.contains(&delimiter) {
            return format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
        }
    }
}

/// `task.complete` with the step's result: `Failed` with the exit code, `SucceededWithIssues`
/// when warnings were shown, else `Succeeded`. The exit code fails the step anyway; the
/// result is what the pipeline's summary shows and what `succeededOrFailed()` conditions see.
fn azure_completion(error: Option<&crate::Error>, warnings: usize) -> String {
    let (result, message) = match (error, warnings) {
        (Some(error), _) => (
            "Failed",
            format!(
                "msstore-submit failed (exit {}): {}",
                error.exit_code().code(),
                crate::secrets::redact(&error.to_string())
            ),
        ),
        (None, 0) => ("Succeeded", "msstore-submit done".to_string()),
        (None, n) => (
            "SucceededWithIssues",
            format!("msstore-submit done with {n} warning(s)"),
        ),
    };
    format!(
        "##vso[task.complete result={result}]{}",
        escape::azure(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fuzzing::parse_github_file;

    #[test]
    fn output_blocks_parse_back_with_the_runner_rules() {
        let values = [
            "",
            "plain",
            "two\nlines",
            "trailing newline\n",
            "EOF\nghadelimiter_fake\nx=y",
            "{\"json\": [1, 2]}",
            "\n\n",
        ];
        let mut file = String::new();
        for (i, value) in values.iter().enumerate() {
            file.push_str(&github_output_block(&format!("name-{i}"), value));
        }
        let parsed = parse_github_file(&file).unwrap();
        assert_eq!(parsed.len(), values.len());
        for (i, value) in values.iter().enumerate() {
            assert_eq!(parsed[i].0, format!("name-{i}"));
            assert_eq!(parsed[i].1, *value);
        }
    }

    proptest::proptest! {
        /// Any value, under any name the tool could use, comes back from the runner's
        /// parser exactly: no delimiter collision, no line-ending surprise.
        #[test]
        fn github_outputs_round_trip(name in "[a-z][a-z0-9_-]{0,30}", value in "\\PC*|[\\s\\S]*") {
            let parsed = parse_github_file(&github_output_block(&name, &value)).unwrap();
            proptest::prop_assert_eq!(parsed, vec![(name, value)]);
        }

        #[test]
        fn several_outputs_in_one_file_round_trip(values in proptest::collection::vec("[\\s\\S]{0,40}", 1..6)) {
            let mut file = String::new();
            for (i, value) in values.iter().enumerate() {
                file.push_str(&github_output_block(&format!("out-{i}"), value));
            }
            let parsed = parse_github_file(&file).unwrap();
            let expected: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("out-{i}"), v.clone()))
                .collect();
            proptest::prop_assert_eq!(parsed, expected);
        }
    }

    #[test]
    fn platform_detection() {
        let env = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(matches!(
            Platform::detect(&env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", "/o")])),
            Platform::GitHub {
                output_file: Some(_),
                ..
            }
        ));
        assert!(matches!(
            Platform::detect(&env(&[("TF_BUILD", "True")])),
            Platform::Azure { .. }
        ));
        assert_eq!(Platform::detect(&env(&[("TF_BUILD", "")])), Platform::Plain);
    }
}

#[cfg(test)]
mod platform_tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A sink the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<String> {
            String::from_utf8(self.0.lock().unwrap().clone())
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect()
        }
    }

    /// One `##vso[area.action k=v;…]message` line as the agent reads it
    /// (Command.cs: `##vso[` anywhere, info up to the first `]`, properties split on `;`
    /// then on the first `=`, values and message unescaped with DecodePercents on).
    fn parse_vso(line: &str) -> Option<(String, BTreeMap<String, String>, String)> {
        let unescape = |t: &str| {
            t.replace("%3B", ";")
                .replace("%0D", "\r")
                .replace("%0A", "\n")
                .replace("%5D", "]")
                .replace("%AZP25", "%")
        };
        let start = line.find("##vso[")? + 6;
        let end = start + line[start..].find(']')?;
        let info = &line[start..end];
        let (command, props) = info.split_once(' ').unwrap_or((info, ""));
        let mut properties = BTreeMap::new();
        for prop in props.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = prop.split_once('=').unwrap_or((prop, ""));
            properties.insert(k.to_string(), unescape(v));
        }
        Some((command.to_string(), properties, unescape(&line[end + 1..])))
    }

    fn azure(dir: &std::path::Path) -> (Reporter, Captured) {
        let sink = Captured::default();
        let reporter = Reporter::with_command_sink(
            Platform::Azure {
                temp_dir: dir.to_path_buf(),
            },
            OutputFormat::Text,
            sink.clone(),
        );
        (reporter, sink)
    }

    #[test]
    fn azure_outputs_are_output_variables_that_parse_back() {
        let dir = tempfile::tempdir().unwrap();
        let (reporter, sink) = azure(dir.path());
        let hostile = "50%; done]\nnext line ##vso[task.setvariable variable=x]y";
        reporter.set_output("status-details", hostile).unwrap();
        reporter
            .set_output("submission-id", "1152921504621243617")
            .unwrap();
        let lines = sink.lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        let (command, props, value) = parse_vso(&lines[0]).unwrap();
        assert_eq!(command, "task.setvariable");
        assert_eq!(props["variable"], "status_details");
        assert_eq!(props["isOutput"], "true");
        assert_eq!(props.len(), 2, "{props:?}");
        assert_eq!(value, hostile);
        assert_eq!(parse_vso(&lines[1]).unwrap().1["variable"], "submission_id");
    }

    #[test]
    fn azure_masks_every_line_of_a_multi_line_secret() {
        let dir = tempfile::tempdir().unwrap();
        let (reporter, sink) = azure(dir.path());
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC;x]\n-----END PRIVATE KEY-----\n";
        reporter.mask(pem);
        let secrets: Vec<String> = sink
            .lines()
            .iter()
            .map(|l| parse_vso(l).unwrap())
            .inspect(|(command, _, _)| assert_eq!(command, "task.setsecret"))
            .map(|(_, _, value)| value)
            .collect();
        assert_eq!(
            secrets,
            [
                pem,
                "-----BEGIN PRIVATE KEY-----",
                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC;x]",
                "-----END PRIVATE KEY-----"
            ]
        );
    }

    #[test]
    fn azure_step_result_follows_the_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let result = |warn: bool, error: Option<crate::Error>| {
            let (reporter, sink) = azure(dir.path());
            if warn {
                reporter.warning("`listen` ignored");
            }
            reporter.finish(error.as_ref());
            let complete = sink
                .lines()
                .iter()
                .filter_map(|l| parse_vso(l))
                .find(|(c, _, _)| c == "task.complete")
                .expect("task.complete");
            (complete.1["result"].clone(), complete.2)
        };
        assert_eq!(result(false, None).0, "Succeeded");
        assert_eq!(result(true, None).0, "SucceededWithIssues");
        let (failed, message) = result(
            true,
            Some(crate::Error::Conflict {
                message: "app 9NBLGGH4R315 already has a pending submission; 1]".into(),
                hint: String::new(),
                context: None,
            }),
        );
        assert_eq!(failed, "Failed");
        assert_eq!(
            message,
            "msstore-submit failed (exit 4): app 9NBLGGH4R315 already has a pending submission; 1]"
        );
    }

    #[test]
    fn azure_summary_is_a_file_attached_by_absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        let (reporter, sink) = azure(dir.path());
        reporter.summary("### Title\n\n| a | b |\n").unwrap();
        let lines = sink.lines();
        let (command, _, path) = parse_vso(&lines[0]).unwrap();
        assert_eq!(command, "task.uploadsummary");
        let path = std::path::PathBuf::from(path);
        assert!(
            path.is_absolute() && path.starts_with(dir.path()),
            "{path:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "### Title\n\n| a | b |\n"
        );
    }

    #[test]
    fn github_annotations_stop_at_ten_and_count_the_rest() {
        let sink = Captured::default();
        let reporter = Reporter::with_command_sink(
            Platform::GitHub {
                output_file: None,
                summary_file: None,
            },
            OutputFormat::Text,
            sink.clone(),
        );
        let problems: Vec<String> = (1..=13).map(|i| format!("problem {i}: a, b")).collect();
        reporter.errors("Invalid input", &problems);
        let lines = sink.lines();
        assert_eq!(lines.len(), 11, "{lines:?}");
        assert_eq!(lines[0], "::error title=Invalid input::problem 1: a, b");
        assert_eq!(
            lines[10],
            "::error title=Invalid input::… and 3 more problem(s); see the log"
        );
    }
}
