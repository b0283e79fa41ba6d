//! The two ways users run the image, reproduced with podman:
//!
//! - [`GitHubStep`]: what actions/runner's `ContainerActionHandler` does for a container
//!   action (https://github.com/actions/runner/blob/main/src/Runner.Worker/Handlers/ContainerActionHandler.cs,
//!   https://docs.github.com/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#inputs):
//!   every input declared in action.yml as
//!   `INPUT_<NAME>` with hyphens kept and `""` when not given, the file-command files and
//!   folders mounted under `/github/…`, `--workdir /github/workspace`, no TTY, no `--user`,
//!   values handed to the container CLI through its environment (`-e NAME`), never on the
//!   command line.
//! - [`AzureStep`]: the `docker run` step pattern of docs/azure-pipelines.md, run by an agent
//!   that sets `TF_BUILD=True`, with host folders mounted at the same paths.
//!
//! `--network host` stands in for the runner's job network: it lets the container reach the
//! simulator on the host's loopback. The runner's `/var/run/docker.sock` mount is left out
//! (there is no Docker engine here and the tool never talks to it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::YamlLoader;

use crate::util::parse_github_output;

/// The image under test and how to call podman (set by scripts/container-test).
pub fn image() -> String {
    std::env::var("MSSTORE_TEST_IMAGE").unwrap_or_else(|_| {
        panic!(
            "MSSTORE_TEST_IMAGE is not set: the container test runs through scripts/container-test, \
             which builds the image from the Dockerfile first"
        )
    })
}

fn podman() -> Command {
    let prefix = std::env::var("MSSTORE_TEST_PODMAN").unwrap_or_else(|_| "podman".into());
    let mut words = prefix.split_whitespace();
    let mut command = Command::new(words.next().expect("MSSTORE_TEST_PODMAN is empty"));
    command.args(words);
    // Nothing from the developer's or CI's environment leaks into `-e NAME` lookups.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("INPUT_")
            || key.starts_with("MSSTORE_")
            || key.starts_with("GITHUB_")
            || key.starts_with("RUNNER_")
            || key.to_ascii_uppercase().ends_with("_PROXY")
            || ["TF_BUILD", "SSL_CERT_FILE", "SSL_CERT_DIR", "CI"].contains(&key.as_str())
        {
            command.env_remove(&key);
        }
    }
    command
}

/// `podman run --rm IMAGE ARGS…`, nothing else.
pub fn run_image(args: &[&str]) -> Outcome {
    let output = podman()
        .args(["run", "--rm"])
        .arg(image())
        .args(args)
        .output()
        .expect("run podman");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        outputs: BTreeMap::new(),
        summary: String::new(),
        other_file_commands: String::new(),
    }
}

/// What one containerised run left behind.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// `GITHUB_OUTPUT` parsed with the runner's rules (GitHub runs only).
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
    /// Contents of `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STATE` (the tool writes none).
    pub other_file_commands: String,
}

impl Outcome {
    pub fn log(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code\n{}", self.log());
        self
    }

    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output `{name}` in {:?}\n{}", self.outputs, self.log()))
    }

    /// Every line the runner scans for workflow commands: stdout and stderr.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.stdout.lines().chain(self.stderr.lines())
    }
}

/// Input names declared in action.yml, in order.
pub fn declared_inputs() -> Vec<(String, Option<String>)> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let action = YamlLoader::load_from_str(&text).unwrap().remove(0);
    action["inputs"]
        .as_hash()
        .expect("inputs")
        .iter()
        .map(|(name, input)| {
            (
                name.as_str().unwrap().to_string(),
                input["default"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn random_hex(len: usize) -> String {
    uuid::Uuid::new_v4().simple().to_string()[..len].to_string()
}

/// A GitHub job's folders on the "host": the workspace and the runner's `_temp`.
pub struct GitHubStep {
    pub root: tempfile::TempDir,
    /// `with:` of the step.
    with: BTreeMap<String, String>,
    /// Step or job `env:` and what the runner adds (proxies).
    env: Vec<(String, String)>,
    volumes: Vec<String>,
}

impl GitHubStep {
    pub fn new() -> GitHubStep {
        let root = tempfile::tempdir().unwrap();
        for dir in [
            "workspace",
            "_temp/_github_home",
            "_temp/_github_workflow",
            "_temp/_runner_file_commands",
        ] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        std::fs::write(
            root.path().join("_temp/_github_workflow/event.json"),
            r#"{"ref":"refs/tags/v1.0.1"}"#,
        )
        .unwrap();
        GitHubStep {
            root,
            with: BTreeMap::new(),
            env: Vec::new(),
            volumes: Vec::new(),
        }
    }

    pub fn workspace(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    /// A host path under the runner's `_temp`, for a container path under
    /// `/github/runner_temp`.
    pub fn host_temp_path(&self, container_path: &str) -> PathBuf {
        let relative = container_path
            .strip_prefix("/github/runner_temp/")
            .unwrap_or_else(|| panic!("{container_path} is not under RUNNER_TEMP"));
        self.root.path().join("_temp").join(relative)
    }

    pub fn with(&mut self, name: &str, value: &str) -> &mut Self {
        self.with.insert(name.to_string(), value.to_string());
        self
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn volume(&mut self, spec: &str) -> &mut Self {
        self.volumes.push(spec.to_string());
        self
    }

    pub fn run(&self) -> Outcome {
        let declared = declared_inputs();
        for name in self.with.keys() {
            assert!(
                declared.iter().any(|(d, _)| d == name),
                "`with: {name}` is not an input of action.yml"
            );
        }
        let temp = self.root.path().join("_temp");
        let commands_dir = temp.join("_runner_file_commands");
        let mut files = BTreeMap::new();
        for (variable, prefix) in [
            ("GITHUB_OUTPUT", "set_output_"),
            ("GITHUB_ENV", "set_env_"),
            ("GITHUB_PATH", "add_path_"),
            ("GITHUB_STATE", "save_state_"),
            ("GITHUB_STEP_SUMMARY", "step_summary_"),
        ] {
            // New, empty files per step, named <prefix><guid> (FileCommandManager).
            let name = format!("{prefix}{}", uuid::Uuid::new_v4());
            std::fs::write(commands_dir.join(&name), "").unwrap();
            files.insert(variable, name);
        }

        let mut env: Vec<(String, String)> = Vec::new();
        // 1. Every declared input: the `with:` value, else its default, else "".
        for (name, default) in &declared {
            let value = self
                .with
                .get(name)
                .cloned()
                .or_else(|| default.clone())
                .unwrap_or_default();
            env.push((
                format!("INPUT_{}", name.replace(' ', "_").to_uppercase()),
                value,
            ));
        }
        // 2. Step env, then the runner's own variables (container paths).
        env.extend(self.env.iter().cloned());
        for (key, value) in [
            ("HOME", "/github/home".to_string()),
            ("GITHUB_JOB", "publish".into()),
            ("GITHUB_REF", "refs/tags/v1.0.1".into()),
            (
                "GITHUB_SHA",
                "0123456789abcdef0123456789abcdef01234567".into(),
            ),
            ("GITHUB_REPOSITORY", "contoso/reader".into()),
            ("GITHUB_REPOSITORY_OWNER", "contoso".into()),
            ("GITHUB_RUN_ID", "1234567890".into()),
            ("GITHUB_RUN_NUMBER", "7".into()),
            ("GITHUB_RETENTION_DAYS", "90".into()),
            ("GITHUB_RUN_ATTEMPT", "1".into()),
            ("GITHUB_ACTOR", "octocat".into()),
            ("GITHUB_WORKFLOW", "Release".into()),
            ("GITHUB_HEAD_REF", String::new()),
            ("GITHUB_BASE_REF", String::new()),
            ("GITHUB_EVENT_NAME", "push".into()),
            ("GITHUB_SERVER_URL", "https://github.com".into()),
            ("GITHUB_API_URL", "https://api.github.com".into()),
            (
                "GITHUB_GRAPHQL_URL",
                "https://api.github.com/graphql".into(),
            ),
            ("GITHUB_REF_NAME", "v1.0.1".into()),
            ("GITHUB_REF_PROTECTED", "false".into()),
            ("GITHUB_REF_TYPE", "tag".into()),
            ("GITHUB_WORKSPACE", "/github/workspace".into()),
            ("GITHUB_ACTION", "__msstore-submit_msstore-submit".into()),
            ("GITHUB_EVENT_PATH", "/github/workflow/event.json".into()),
            (
                "GITHUB_ACTION_REPOSITORY",
                "msstore-submit/msstore-submit".into(),
            ),
            ("GITHUB_ACTION_REF", "v1".into()),
            ("RUNNER_OS", "Linux".into()),
            ("RUNNER_ARCH", "X64".into()),
            ("RUNNER_NAME", "GitHub Actions 2".into()),
            ("RUNNER_ENVIRONMENT", "github-hosted".into()),
            ("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache".into()),
            ("RUNNER_TEMP", "/github/runner_temp".into()),
            ("RUNNER_WORKSPACE", "/home/runner/work/reader".into()),
            (
                "ACTIONS_RUNTIME_URL",
                "https://pipelines.actions.example/".into(),
            ),
            ("ACTIONS_RUNTIME_TOKEN", "runtime-token-not-used".into()),
            (
                "ACTIONS_RESULTS_URL",
                "https://results.actions.example/".into(),
            ),
        ] {
            env.push((key.to_string(), value));
        }
        for (variable, name) in &files {
            env.push((
                variable.to_string(),
                format!("/github/file_commands/{name}"),
            ));
        }

        let mut command = podman();
        command.args([
            "run",
            "--name",
            &format!("msstore_submit_{}", random_hex(6)),
            "--label",
            "c2a7e1",
            "--workdir",
            "/github/workspace",
            "--rm",
        ]);
        for (key, value) in &env {
            command.arg("-e").arg(key).env(key, value);
        }
        command.args(["-e", "GITHUB_ACTIONS=true", "-e", "CI=true"]);
        command.args(["--network", "host"]);
        let mounts = [
            (temp.clone(), "/github/runner_temp"),
            (temp.join("_github_home"), "/github/home"),
            (temp.join("_github_workflow"), "/github/workflow"),
            (commands_dir.clone(), "/github/file_commands"),
            (self.workspace(), "/github/workspace"),
        ];
        for (host, container) in mounts {
            command
                .arg("-v")
                .arg(format!("{}:{container}", host.display()));
        }
        for volume in &self.volumes {
            command.arg("-v").arg(volume);
        }
        command.arg(image());
        let output = command.output().expect("run podman");

        let read = |variable: &str| std::fs::read_to_string(commands_dir.join(&files[variable]));
        let output_text = read("GITHUB_OUTPUT").unwrap();
        let outputs = parse_github_output(&output_text)
            .unwrap_or_else(|e| panic!("the runner would fail the step: {e}\n{output_text}"))
            .into_iter()
            .collect();
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            outputs,
            summary: read("GITHUB_STEP_SUMMARY").unwrap(),
            other_file_commands: ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"]
                .iter()
                .map(|v| read(v).unwrap())
                .collect(),
        }
    }
}

/// An Azure Pipelines agent's folders and one `docker run` script step.
pub struct AzureStep {
    pub root: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl AzureStep {
    pub fn new() -> AzureStep {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("s")).unwrap();
        std::fs::create_dir_all(root.path().join("_temp")).unwrap();
        AzureStep {
            root,
            env: Vec::new(),
        }
    }

    /// `$(Build.SourcesDirectory)`.
    pub fn sources(&self) -> PathBuf {
        self.root.path().join("s")
    }

    /// `$(Agent.TempDirectory)`.
    pub fn temp(&self) -> PathBuf {
        self.root.path().join("_temp")
    }

    /// A variable mapped in the step's `env:` and passed with `-e NAME`.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn run(&self) -> Outcome {
        let (sources, temp) = (self.sources(), self.temp());
        let mut command = podman();
        command.args(["run", "--rm", "--network", "host"]);
        // What the agent sets for every script (ProcessInvoker) and what the step maps.
        let agent = [
            ("TF_BUILD", "True".to_string()),
            ("AGENT_TEMPDIRECTORY", temp.display().to_string()),
            ("BUILD_SOURCESDIRECTORY", sources.display().to_string()),
        ];
        for (key, value) in agent.iter().cloned().chain(
            self.env
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect::<Vec<_>>(),
        ) {
            command.arg("-e").arg(key).env(key, value);
        }
        for dir in [&sources, &temp] {
            command.arg("-v").arg(format!("{0}:{0}", dir.display()));
        }
        command.arg("-w").arg(&sources).arg(image());
        let output = command.output().expect("run podman");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            outputs: BTreeMap::new(),
            summary: String::new(),
            other_file_commands: String::new(),
        }
    }
}

/// One `##vso[area.action k=v;…]message` line as the agent reads it (azure-pipelines-agent
/// Command.cs): `##vso[` found anywhere, the command info up to the first `]`, properties
/// split on `;` then on the first `=`, values and message unescaped as
/// CommandStringConvertor does with its default DecodePercents knob.
pub struct VsoCommand {
    pub command: String,
    pub properties: BTreeMap<String, String>,
    pub data: String,
}

pub fn parse_vso(line: &str) -> Option<VsoCommand> {
    let unescape = |text: &str| {
        text.replace("%3B", ";")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%5D", "]")
            .replace("%AZP25", "%")
    };
    let start = line.find("##vso[")? + "##vso[".len();
    let end = start + line[start..].find(']')?;
    let info = &line[start..end];
    let (command, properties) = info.split_once(' ').unwrap_or((info, ""));
    assert_eq!(
        command.split('.').count(),
        2,
        "the agent rejects `{command}`: {line}"
    );
    let properties = properties
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), unescape(v))
        })
        .collect();
    Some(VsoCommand {
        command: command.to_string(),
        properties,
        data: unescape(&line[end + 1..]),
    })
}
