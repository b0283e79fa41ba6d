//! native/action.yml, the composite action that runs the release binary on any runner: its
//! inputs and outputs are exactly the container action's, every input reaches the binary,
//! and its install step (native/install.sh) downloads the archive pinned in release.txt,
//! refuses one whose SHA-256 differs, and hands the binary to the run step, whose outputs come
//! through. The release download is a local HTTP server here.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use yaml_rust2::{Yaml, YamlLoader};

use crate::util::{APP_ID, BIN, EXAMPLE_PACKAGE, Simulator, parse_github_output, sha256_hex};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = "9.8.7";
const TARGET: &str = "x86_64-unknown-linux-musl";

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn entries(map: &Yaml) -> Vec<(String, Yaml)> {
    map.as_hash()
        .expect("a mapping")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn run_step(native: &Yaml, id: &str) -> Yaml {
    native["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step {id}"))
        .clone()
}

#[test]
fn native_action_has_the_inputs_and_outputs_of_the_container_action() {
    let container = load(&Path::new(ROOT).join("action.yml"));
    let native = load(&Path::new(ROOT).join("native/action.yml"));
    assert_eq!(native["runs"]["using"].as_str(), Some("composite"));

    // Same names in the same order, same descriptions, no defaults (action.yml says why).
    let inputs = entries(&container["inputs"]);
    let native_inputs = entries(&native["inputs"]);
    let names = |v: &[(String, Yaml)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(names(&native_inputs), names(&inputs));
    for ((name, a), (_, b)) in inputs.iter().zip(&native_inputs) {
        assert_eq!(a["description"], b["description"], "input {name}");
        assert!(b["default"].is_badvalue(), "input {name} has a default");
    }

    // Each output is the run step's output of the same name.
    let outputs = entries(&container["outputs"]);
    let native_outputs = entries(&native["outputs"]);
    assert_eq!(names(&native_outputs), names(&outputs));
    for ((name, a), (_, b)) in outputs.iter().zip(&native_outputs) {
        assert_eq!(a["description"], b["description"], "output {name}");
        assert_eq!(
            b["value"].as_str(),
            Some(format!("${{{{ steps.run.outputs.{name} }}}}").as_str()),
            "output {name}"
        );
    }

    // A composite action gets no INPUT_* from the runner: the run step maps every input,
    // and nothing else but the binary's path and Git Bash's path-conversion switches.
    let env = entries(&run_step(&native, "run")["env"]);
    let mut expected: BTreeMap<String, String> = inputs
        .iter()
        .map(|(name, _)| {
            (
                format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
                format!("${{{{ inputs.{name} }}}}"),
            )
        })
        .collect();
    expected.insert(
        "MSSTORE_SUBMIT_BIN".into(),
        "${{ steps.install.outputs.path }}".into(),
    );
    // Git Bash on Windows leaves the inputs as given.
    expected.insert("MSYS_NO_PATHCONV".into(), "1".into());
    expected.insert("MSYS2_ENV_CONV_EXCL".into(), "*".into());
    expected.insert("MSYS2_ARG_CONV_EXCL".into(), "*".into());
    let actual: BTreeMap<String, String> = env
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(actual, expected);
}

/// A stand-in for the GitHub release download: serves files of a folder over HTTP/1.1 and
/// records the paths asked for.
struct Downloads {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Downloads {
    fn serve(dir: PathBuf) -> Downloads {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/releases/download/v{VERSION}",
            listener.local_addr().unwrap()
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request.split(' ').nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(path.clone());
                let file = path
                    .strip_prefix(&format!("/releases/download/v{VERSION}/"))
                    .map(|name| dir.join(name));
                let response = match file.and_then(|f| std::fs::read(f).ok()) {
                    Some(body) => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&response);
            }
        });
        Downloads { url, requests }
    }
}

/// A copy of native/ pinned to a release served from `downloads`, with that release's
/// archive for TARGET. The archive's `msstore-submit` is a two-line script that runs the
/// binary under test: a debug build is over 200 MB, too much to pack in every test.
struct Release {
    dir: tempfile::TempDir,
    downloads: Downloads,
    archive: String,
}

impl Release {
    fn new() -> Release {
        let dir = tempfile::tempdir().unwrap();
        let action = dir.path().join("action");
        std::fs::create_dir_all(&action).unwrap();
        for file in ["action.yml", "install.sh", "release.txt"] {
            std::fs::copy(Path::new(ROOT).join("native").join(file), action.join(file)).unwrap();
        }
        // The archive as scripts/build-release lays it out: a folder named after it.
        let name = format!("msstore-submit-{VERSION}-{TARGET}");
        let staging = dir.path().join("staging");
        std::fs::create_dir_all(staging.join(&name)).unwrap();
        let launcher = staging.join(&name).join("msstore-submit");
        std::fs::write(&launcher, launcher_script()).unwrap();
        let served = dir.path().join("served");
        std::fs::create_dir_all(&served).unwrap();
        let archive = format!("{name}.tar.gz");
        let status = Command::new("tar")
            .arg("-czf")
            .arg(served.join(&archive))
            .arg("-C")
            .arg(&staging)
            .arg(&name)
            .status()
            .unwrap();
        assert!(status.success());
        let downloads = Downloads::serve(served);
        Release {
            dir,
            downloads,
            archive,
        }
    }

    fn action(&self) -> PathBuf {
        self.dir.path().join("action")
    }

    fn archive_sha256(&self) -> String {
        sha256_hex(&std::fs::read(self.dir.path().join("served").join(&self.archive)).unwrap())
    }

    /// Pins the copy with scripts/pin-native-release, as the release workflow does.
    fn pin(&self, sha256: &str) {
        let sums = self.dir.path().join("SHA256SUMS");
        std::fs::write(&sums, format!("{sha256}  {}\n", self.archive)).unwrap();
        let status = Command::new(Path::new(ROOT).join("scripts/pin-native-release"))
            .arg(&self.downloads.url)
            .arg(&sums)
            .arg(self.action().join("release.txt"))
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The install step as the runner runs it on a Linux x64 runner.
    fn install(&self) -> (std::process::Output, Vec<(String, String)>) {
        let temp = self.dir.path().join("runner_temp");
        std::fs::create_dir_all(&temp).unwrap();
        let output_file = self.dir.path().join("install_output");
        std::fs::write(&output_file, "").unwrap();
        let out = Command::new("bash")
            .arg(self.action().join("install.sh"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &temp)
            .env_remove("RUNNER_TOOL_CACHE")
            .env("GITHUB_ACTION_PATH", self.action())
            .env("GITHUB_OUTPUT", &output_file)
            .output()
            .unwrap();
        let outputs = parse_github_output(&std::fs::read_to_string(&output_file).unwrap()).unwrap();
        (out, outputs)
    }

    fn downloaded(&self) -> Vec<String> {
        self.downloads.requests.lock().unwrap().clone()
    }
}

fn launcher_script() -> String {
    format!("#!/bin/sh\nexec '{BIN}' \"$@\"\n")
}

/// `${{ inputs.NAME }}` and `${{ steps.install.outputs.path }}` as the runner evaluates them
/// (an input the workflow does not give is the empty string); other values are literals.
fn evaluate(expression: &str, inputs: &BTreeMap<&str, String>, path: &str) -> String {
    let Some(inner) = expression
        .strip_prefix("${{ ")
        .and_then(|e| e.strip_suffix(" }}"))
    else {
        return expression.to_string();
    };
    if inner == "steps.install.outputs.path" {
        return path.to_string();
    }
    let name = inner.strip_prefix("inputs.").expect("an input");
    inputs.get(name).cloned().unwrap_or_default()
}

#[test]
fn native_action_installs_the_pinned_binary_and_its_outputs_come_through() {
    let release = Release::new();
    release.pin(&release.archive_sha256());
    let (out, outputs) = release.install();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        release.downloaded(),
        vec![format!("/releases/download/v{VERSION}/{}", release.archive)]
    );
    let path = outputs
        .iter()
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v.clone())
        .expect("path output");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), launcher_script());

    // The run step, with its env evaluated as the runner does, submits against the simulator.
    let sim = Simulator::start();
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(workspace.path().join("build")).unwrap();
    std::fs::copy(
        EXAMPLE_PACKAGE,
        workspace
            .path()
            .join("build/ContosoReader_1.0.1.0_x64.msix"),
    )
    .unwrap();
    let inputs: BTreeMap<&str, String> = [
        ("app-id", APP_ID.to_string()),
        ("packages", "build/*.msix".into()),
        ("tenant-id", sim.tenant_id.clone()),
        ("client-id", sim.client_id.clone()),
        ("client-secret", sim.client_secret.clone()),
        ("api-base-url", sim.url.clone()),
        ("authority-host", sim.url.clone()),
        ("poll-interval", "100ms".into()),
        ("rate-limit", "off".into()),
    ]
    .into_iter()
    .collect();
    let native = load(&release.action().join("action.yml"));
    let step = run_step(&native, "run");
    let output_file = workspace.path().join("set_output");
    std::fs::write(&output_file, "").unwrap();
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(step["run"].as_str().unwrap())
        .current_dir(workspace.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("INPUT_") || key.starts_with("MSSTORE_") || key.starts_with("GITHUB_") {
            command.env_remove(key);
        }
    }
    for (key, value) in entries(&step["env"]) {
        command.env(key, evaluate(value.as_str().unwrap(), &inputs, &path));
    }
    let out = command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output_file)
        .env("RUNNER_TEMP", workspace.path())
        .output()
        .unwrap();
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    let outputs: BTreeMap<String, String> =
        parse_github_output(&std::fs::read_to_string(&output_file).unwrap())
            .unwrap()
            .into_iter()
            .collect();
    let id = &outputs["submission-id"];
    assert_eq!(
        sim.app(APP_ID)["pendingApplicationSubmission"]["id"].as_str(),
        Some(id.as_str())
    );
    assert_eq!(outputs["packages"], "[\"ContosoReader_1.0.1.0_x64.msix\"]");
    assert!(!log.contains(&sim.client_secret) || log.contains("::add-mask::"));
}

#[test]
fn native_action_refuses_an_archive_whose_sum_differs() {
    let release = Release::new();
    let mut wrong = release.archive_sha256();
    wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
    release.pin(&wrong);
    let (out, outputs) = release.install();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("::error") && stdout.contains(&wrong) && stdout.contains("refusing"),
        "{stdout}"
    );
    assert!(outputs.is_empty(), "{outputs:?}");
    // Downloaded once, then deleted: nothing of it is left to run.
    assert_eq!(release.downloaded().len(), 1);
    let cache = release
        .dir
        .path()
        .join("runner_temp/msstore-submit")
        .join(&wrong);
    let left: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A self-hosted runner keeps the tool cache between jobs: an archive changed there after it
/// was checked is refused too, and nothing is downloaded again.
#[test]
fn native_action_checks_a_cached_archive_again() {
    let release = Release::new();
    let sum = release.archive_sha256();
    release.pin(&sum);
    let (out, _) = release.install();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let cached = release
        .dir
        .path()
        .join("runner_temp/msstore-submit")
        .join(&sum)
        .join(&release.archive);
    std::fs::write(&cached, b"not the archive that was checked").unwrap();
    let (out, outputs) = release.install();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("refusing"), "{stdout}");
    assert!(outputs.is_empty(), "{outputs:?}");
    assert!(!cached.exists());
    assert_eq!(release.downloaded().len(), 1);
}

#[test]
fn native_action_on_a_branch_pins_nothing_and_refuses() {
    let release = Release::new();
    let (out, outputs) = release.install();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("use a release tag"), "{stdout}");
    assert!(outputs.is_empty());
    assert!(release.downloaded().is_empty());
}

/// The Azure Pipelines task (azure-pipelines/MsStoreSubmit/task.json) has the action's
/// inputs, camelCase as Azure tasks name them (the handler maps them back, lib.js), with the
/// action's descriptions as help, each in a group of the form editor; and its output
/// variables are the outputs the binary sets in Azure Pipelines (`-` as `_`).
#[test]
fn azure_task_mirrors_the_action_inputs_and_outputs() {
    let container = load(&Path::new(ROOT).join("action.yml"));
    let text =
        std::fs::read_to_string(Path::new(ROOT).join("azure-pipelines/MsStoreSubmit/task.json"))
            .unwrap();
    let task: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(task["name"], "MsStoreSubmit");
    assert_eq!(task["version"]["Major"], 1);
    assert_eq!(task["execution"]["Node20_1"]["target"], "index.js");

    let camel = |kebab: &str| {
        let mut out = String::new();
        for (i, part) in kebab.split('-').enumerate() {
            if i == 0 {
                out.push_str(part);
            } else {
                out.push_str(&part[..1].to_uppercase());
                out.push_str(&part[1..]);
            }
        }
        out
    };
    let groups: Vec<&str> = task["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    let task_inputs = task["inputs"].as_array().unwrap();
    let inputs = entries(&container["inputs"]);
    assert_eq!(
        task_inputs
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        inputs.iter().map(|(k, _)| camel(k)).collect::<Vec<_>>()
    );
    for ((name, input), task_input) in inputs.iter().zip(task_inputs) {
        assert_eq!(
            task_input["helpMarkDown"].as_str(),
            input["description"].as_str(),
            "{name}"
        );
        assert_eq!(task_input["required"], false, "{name}: the tool checks");
        assert_eq!(task_input["defaultValue"], "", "{name}: the tool defaults");
        assert!(
            groups.contains(&task_input["groupName"].as_str().unwrap()),
            "{name}"
        );
    }
    let outputs: Vec<String> = entries(&container["outputs"])
        .into_iter()
        .map(|(k, _)| k.replace('-', "_"))
        .collect();
    let variables: Vec<String> = task["outputVariables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(variables, outputs);
}

/// The Azure task's real handler (node index.js, not mocked) as the agent starts it: task
/// inputs as the agent's `INPUT_<NAME>` (upper-cased camelCase), `TF_BUILD=True`. It runs the
/// binary it carries for this agent (here a launcher of the binary under test), which
/// submits against the simulator and sets the output variables. Needs Node and the task's
/// node_modules (`npm ci` in azure-pipelines/MsStoreSubmit; scripts/test does it).
#[test]
fn azure_task_handler_runs_its_binary_and_the_submission_goes_through() {
    let source = Path::new(ROOT).join("azure-pipelines/MsStoreSubmit");
    assert!(
        source
            .join("node_modules/azure-pipelines-task-lib")
            .is_dir(),
        "run `npm ci` in {} first (scripts/test does)",
        source.display()
    );
    let task = tempfile::tempdir().unwrap();
    for file in ["index.js", "lib.js", "task.json", "package.json"] {
        std::fs::copy(source.join(file), task.path().join(file)).unwrap();
    }
    std::os::unix::fs::symlink(
        source.join("node_modules"),
        task.path().join("node_modules"),
    )
    .unwrap();
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let bin = task.path().join("bin").join(target);
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("msstore-submit"), launcher_script()).unwrap();
    // Without its executable bit, as the agent unpacks it from the .vsix (a zip): the handler
    // must set it.
    std::fs::set_permissions(
        bin.join("msstore-submit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();

    let sim = Simulator::start();
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(workspace.path().join("build")).unwrap();
    std::fs::copy(
        EXAMPLE_PACKAGE,
        workspace
            .path()
            .join("build/ContosoReader_1.0.1.0_x64.msix"),
    )
    .unwrap();
    let mut command = Command::new("node");
    command
        .arg(task.path().join("index.js"))
        .current_dir(workspace.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("INPUT_") || key.starts_with("MSSTORE_") || key.starts_with("GITHUB_") {
            command.env_remove(key);
        }
    }
    let out = command
        .env("TF_BUILD", "True")
        .env("AGENT_TEMPDIRECTORY", workspace.path())
        .env("INPUT_COMMAND", "submit")
        .env("INPUT_APPID", APP_ID)
        .env("INPUT_PACKAGES", "build/*.msix")
        .env("INPUT_TENANTID", &sim.tenant_id)
        .env("INPUT_CLIENTID", &sim.client_id)
        .env("INPUT_CLIENTSECRET", &sim.client_secret)
        .env("INPUT_APIBASEURL", &sim.url)
        .env("INPUT_AUTHORITYHOST", &sim.url)
        .env("INPUT_POLLINTERVAL", "100ms")
        .env("INPUT_RATELIMIT", "off")
        .env("INPUT_RELEASENOTES", "Faster page turns")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = format!(
        "{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    let id = sim.app(APP_ID)["pendingApplicationSubmission"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no pending submission\n{log}"))
        .to_string();
    assert!(
        stdout.contains(&format!(
            "##vso[task.setvariable variable=submission_id;isOutput=true]{id}"
        )),
        "{log}"
    );
    assert!(
        stdout.contains("##vso[task.complete result=Succeeded"),
        "{log}"
    );
    assert!(!stdout.contains("result=Failed"), "{log}");
    assert_eq!(
        sim.submission(&id)["listings"]["en-us"]["baseListing"]["releaseNotes"],
        "Faster page turns"
    );
}
