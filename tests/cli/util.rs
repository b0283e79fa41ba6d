//! The test harness: the real binary as a subprocess, a simulator per test on a free
//! loopback port, a scratch workspace, and the runners' own rules for reading outputs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_msstore-submit");
pub const APP_ID: &str = "9NBLGGH4R315";
pub const EXAMPLE_PACKAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/contoso-app/ContosoReader_1.0.1.0_x64.msix"
);

/// A simulator process (`msstore-submit simulator`), stopped when dropped.
pub struct Simulator {
    child: Child,
    /// The simulator's temp folder (its blobs): killed, it cannot clean up after itself.
    _temp: tempfile::TempDir,
    pub url: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// What a GitHub job with `id-token: write` has: `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`.
    pub github_request_url: String,
    pub github_request_token: String,
    /// What an Azure Pipelines job has: `SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN`, and
    /// a service connection with workload identity federation.
    pub azure_request_uri: String,
    pub azure_access_token: String,
    pub azure_service_connection_id: String,
}

impl Simulator {
    pub fn start() -> Simulator {
        Simulator::start_with(&[])
    }

    /// `args` go to the `simulator` command (e.g. `--app-id`, `--simulator-phase`).
    pub fn start_with(args: &[&str]) -> Simulator {
        Simulator::start_with_env(args, &[])
    }

    /// As [`Simulator::start_with`], with environment variables (a proxy, say).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Simulator {
        let mut command = Command::new(BIN);
        command.args(["simulator", "--output", "json"]);
        if !args.contains(&"--simulator-phase") {
            command.args(["--simulator-phase", "150ms"]);
        }
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        clean_env(&mut command);
        command.envs(env.iter().copied());
        let temp = tempfile::tempdir().expect("temp dir");
        command.env("TMPDIR", temp.path());
        let mut child = command.spawn().expect("start the simulator");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("simulator announcement");
        let announcement: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("simulator said {line:?}: {e}"));
        let field = |name: &str| announcement[name].as_str().unwrap().to_string();
        Simulator {
            url: field("api_base_url"),
            tenant_id: field("tenant_id"),
            client_id: field("client_id"),
            client_secret: field("client_secret"),
            github_request_url: field("github_id_token_request_url"),
            github_request_token: field("github_id_token_request_token"),
            azure_request_uri: field("azure_oidc_request_uri"),
            azure_access_token: field("azure_access_token"),
            azure_service_connection_id: field("azure_service_connection_id"),
            child,
            _temp: temp,
        }
    }

    pub fn get(&self, path: &str) -> Value {
        ureq::get(&format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .body_mut()
            .read_json()
            .expect("JSON")
    }

    /// `POST path` with a JSON body to a test hook; panics unless it succeeds.
    pub fn post(&self, path: &str, body: Value) -> Value {
        let mut response = ureq::post(&format!("{}{path}", self.url))
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let text = response.body_mut().read_to_string().unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Every token request the simulator judged, oldest first.
    pub fn sign_ins(&self) -> Vec<Value> {
        self.get("/_simulator/sign-ins")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The API calls the simulator has seen (test hooks excluded).
    pub fn requests(&self) -> Vec<Value> {
        self.get("/_simulator/requests")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Requests that change something in Partner Center or storage (anything but reads
    /// and token requests), as `METHOD path`.
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| !matches!(r["method"].as_str(), Some("GET" | "HEAD")))
            .filter(|r| !r["path"].as_str().unwrap().contains("/oauth2/"))
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    pub fn state(&self) -> Value {
        self.get("/_simulator/state")
    }

    /// A submission as stored, with its app id and blob name.
    pub fn submission(&self, id: &str) -> Value {
        self.state()["submissions"][id]["submission"].clone()
    }

    pub fn app(&self, app_id: &str) -> Value {
        self.state()["apps"][app_id].clone()
    }

    /// What was uploaded for a submission, if anything was.
    pub fn try_uploaded_zip(&self, submission: &Value) -> Option<Vec<u8>> {
        let url = submission["fileUploadUrl"].as_str()?.replace('+', "%2B");
        let mut response = ureq::get(&url).call().ok()?;
        response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .ok()
    }

    /// Downloads what was uploaded for a submission, through its own SAS URL.
    pub fn uploaded_zip(&self, submission: &Value) -> Vec<u8> {
        let url = submission["fileUploadUrl"]
            .as_str()
            .expect("upload URL")
            .replace('+', "%2B");
        let mut response = ureq::get(&url).call().expect("download the blob");
        response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .expect("blob bytes")
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes everything a developer's or the runner's environment could add.
fn clean_env(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("MSSTORE_")
            || key.starts_with("INPUT_")
            || key.starts_with("GITHUB_")
            || key.starts_with("RUNNER_")
            || key.starts_with("ACTIONS_")
            || key == "TF_BUILD"
            || key.starts_with("AGENT_")
            || key.starts_with("SYSTEM_")
        {
            command.env_remove(key);
        }
    }
}

/// A scratch folder to run in, with helpers to put files there.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// Versions handed to packages whose names do not say one.
    next_version: std::cell::Cell<u16>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
            next_version: std::cell::Cell::new(1),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A real MSIX-format package of the seeded app under `relative`: the version and
    /// architecture its name gives (`ContosoReader_1.0.2.0_arm64.msix`), else a fresh
    /// version above the published 1.0.0.0 on x64, so that each passes the pre-flight.
    pub fn package(&self, relative: &str) -> PathBuf {
        let n = self.next_version.get();
        self.next_version.set(n + 1);
        let bytes = crate::packages::for_file_name(relative, &format!("1.1.{n}.0"));
        self.write(relative, &bytes)
    }
}

/// One run of the binary.
pub struct Run {
    command: Command,
    github: Option<(PathBuf, PathBuf)>,
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// `GITHUB_OUTPUT` parsed with the runner's rules (empty when not on GitHub).
    pub outputs: BTreeMap<String, String>,
    /// `GITHUB_OUTPUT` as written, for checks on the raw bytes (empty when not on GitHub).
    pub output_file: String,
    pub summary: String,
}

impl Outcome {
    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output `{name}` in {:?}\n{}", self.outputs, self.log()))
    }

    pub fn log(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code\n{}", self.log());
        self
    }
}

impl Run {
    pub fn new(workspace: &Workspace) -> Run {
        let mut command = Command::new(BIN);
        command.current_dir(workspace.path());
        clean_env(&mut command);
        // Default zip paths and in-process simulators land in the workspace, which goes away
        // with the test.
        command.env("TMPDIR", workspace.path());
        Run {
            command,
            github: None,
        }
    }

    /// Against `sim` with its test credentials, given as flags. No pacing (the simulator has
    /// no rate limit unless a test sets one; a test may still pass `--rate-limit`).
    pub fn against(workspace: &Workspace, sim: &Simulator) -> Run {
        let mut run = Run::signing_in(workspace, sim);
        run.args(["--client-secret", &sim.client_secret]);
        run
    }

    /// Against `sim` as its test application (tenant and client id) with no secret: the
    /// test adds how to sign in.
    pub fn signing_in(workspace: &Workspace, sim: &Simulator) -> Run {
        let mut run = Run::new(workspace);
        run.env("MSSTORE_RATE_LIMIT", "off");
        run.args([
            "--api-base-url",
            &sim.url,
            "--authority-host",
            &sim.url,
            "--tenant-id",
            &sim.tenant_id,
            "--client-id",
            &sim.client_id,
            "--poll-interval",
            "100ms",
        ]);
        run
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(
        &mut self,
        args: I,
    ) -> &mut Self {
        self.command.args(args);
        self
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.command.env(key, value);
        self
    }

    /// Runs as in a GitHub container action: `GITHUB_ACTIONS`, output and summary files.
    pub fn github(&mut self, workspace: &Workspace) -> &mut Self {
        let files = workspace.path().join("_file_commands");
        std::fs::create_dir_all(&files).unwrap();
        let output = files.join("set_output_1");
        let summary = files.join("step_summary_1");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        self.command
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            // The runner always sets it (and empties it after the job).
            .env("RUNNER_TEMP", workspace.path());
        self.github = Some((output, summary));
        self
    }

    /// Runs as an Azure Pipelines step: `TF_BUILD`, the agent's temp folder.
    pub fn azure(&mut self, workspace: &Workspace) -> &mut Self {
        self.command
            .env("TF_BUILD", "True")
            .env("AGENT_TEMPDIRECTORY", workspace.path());
        self
    }

    /// Starts the run without waiting for it.
    pub fn spawn(&mut self) -> Child {
        self.command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the binary")
    }

    /// The command as it would run, to start it in the background.
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    pub fn run(&mut self) -> Outcome {
        let output = self.command.output().expect("run the binary");
        let (outputs, output_file, summary) = match &self.github {
            Some((output_file, summary_file)) => {
                let text = std::fs::read_to_string(output_file).unwrap();
                let pairs = parse_github_output(&text)
                    .unwrap_or_else(|e| panic!("GITHUB_OUTPUT does not parse ({e}):\n{text}"));
                (
                    pairs.into_iter().collect(),
                    text,
                    std::fs::read_to_string(summary_file).unwrap(),
                )
            }
            None => (BTreeMap::new(), String::new(), String::new()),
        };
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            outputs,
            output_file,
            summary,
        }
    }
}

/// The one submit helper: a GitHub-style `submit` of `APP_ID` against `sim` with `extra`
/// (outputs and step summary parsed into the [`Outcome`]).
pub fn submit(sim: &Simulator, ws: &Workspace, extra: &[&str]) -> Outcome {
    Run::against(ws, sim)
        .github(ws)
        .args(["submit", "--app-id", APP_ID])
        .args(extra)
        .run()
}

/// The GitHub runner's parser for `GITHUB_OUTPUT` (actions/runner
/// `FileCommandManager.cs`, `EnvFileKeyValuePairs`, Linux: lines split on `\n` only; a
/// later value for the same name wins, as in the runner's dictionary).
pub fn parse_github_output(text: &str) -> Result<Vec<(String, String)>, String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.is_empty() {
            i += 1;
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        let (name, value) = match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                i += 1;
                (line[..e].to_string(), line[e + 1..].to_string())
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!("Invalid format '{line}'"));
                }
                let mut body = Vec::new();
                i += 1;
                loop {
                    if i >= lines.len() {
                        return Err(format!("Matching delimiter not found '{delimiter}'"));
                    }
                    if lines[i] == delimiter {
                        break;
                    }
                    if i == lines.len() - 1 {
                        return Err("EOF marker missing new line.".into());
                    }
                    body.push(lines[i]);
                    i += 1;
                }
                i += 1;
                (name.to_string(), body.join("\n"))
            }
            _ => return Err(format!("Invalid format '{line}'")),
        };
        pairs.retain(|(n, _)| *n != name);
        pairs.push((name, value));
    }
    Ok(pairs)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A zip in memory holding `entries` (stored), for ready-made upload zips and renamed files.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    for (name, bytes) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut writer, bytes).unwrap();
    }
    writer.finish().unwrap();
    buffer.into_inner()
}

/// Entry names of a zip held in memory.
pub fn zip_entries(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

/// `(fileName, fileStatus)` of every package of a submission.
pub fn packages(submission: &Value) -> Vec<(String, String)> {
    submission["applicationPackages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["fileName"].as_str().unwrap().to_string(),
                p["fileStatus"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A valid grayscale PNG of the given size (stored deflate, no compression library needed).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for _ in 0..height {
        raw.push(0u8); // filter: none
        raw.extend(std::iter::repeat_n(0x80u8, width as usize));
    }
    // zlib stream of stored deflate blocks.
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i == blocks.len() - 1));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + byte as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

impl Simulator {
    /// A token from the simulator's v1 endpoint, for calling its API directly.
    pub fn token(&self) -> String {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("resource", "https://manage.devcenter.microsoft.com"),
        ];
        let answer: Value = ureq::post(&format!("{}/{}/oauth2/token", self.url, self.tenant_id))
            .send_form(form)
            .expect("token")
            .body_mut()
            .read_json()
            .expect("JSON");
        // v1 sends its numbers as strings.
        assert!(answer["expires_in"].is_string(), "{answer}");
        answer["access_token"].as_str().unwrap().to_string()
    }

    /// Calls the API as a client would, returning the status and the body.
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}/v1.0/my/{path}", self.url);
        let auth = format!("Bearer {}", self.token());
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call(),
            ("POST", Some(body)) => agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(body),
            ("POST", None) => agent.post(&url).header("Authorization", &auth).send_empty(),
            ("PUT", Some(body)) => agent
                .put(&url)
                .header("Authorization", &auth)
                .send_json(body),
            other => panic!("unsupported {other:?}"),
        }
        .expect("the simulator answers");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Seeds an app (and extra flights and add-ons) through the test hook.
    pub fn seed(&self, body: Value) {
        ureq::post(&format!("{}/_simulator/apps", self.url))
            .send_json(body)
            .expect("seed");
    }
}

/// A doc sample as the docs publish it (comments and trailing commas allowed).
pub fn sample(name: &str) -> Value {
    let path = format!(
        "{}/src/simulator/samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    msstore_submit::api::parse_lenient(&std::fs::read_to_string(path).unwrap()).unwrap()
}

impl Simulator {
    /// Adds a fault rule (`/_simulator/faults`).
    pub fn fault(&self, rule: Value) {
        ureq::post(&format!("{}/_simulator/faults", self.url))
            .send_json(rule)
            .expect("add fault");
    }

    pub fn clear_faults(&self) {
        ureq::delete(&format!("{}/_simulator/faults", self.url))
            .call()
            .expect("clear faults");
    }

    /// The fault rules with their hit counts, and the rate limit's refusals.
    pub fn faults(&self) -> Value {
        self.get("/_simulator/faults")
    }

    pub fn settings(&self, settings: Value) {
        ureq::post(&format!("{}/_simulator/settings", self.url))
            .send_json(settings)
            .expect("settings");
    }

    /// Submissions of the app other than the published ones: what runs created.
    pub fn new_submissions(&self, app_id: &str) -> Vec<Value> {
        let state = self.state();
        state["submissions"]
            .as_object()
            .unwrap()
            .values()
            .filter(|s| s["owner"].as_str() == Some(&format!("App(\"{app_id}\")")))
            .filter(|s| s["submission"]["status"] != "Published")
            .map(|s| s["submission"].clone())
            .collect()
    }
}
