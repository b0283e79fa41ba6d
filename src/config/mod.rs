//! Configuration: the inputs of interface §1/§3, read from flags and environment
//! ([`raw`]), checked in one pass that reports every problem at once ([`validate`]), and
//! turned into the typed [`Config`] the rest of the program works from.

pub mod raw;
mod validate;
pub mod values;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use raw::{Inputs, RawInputs, Source};
pub(crate) use validate::SECRET_INPUTS;
pub use validate::{Environment, validate};

/// One thing wrong with the inputs: which input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub input: String,
    pub message: String,
}

impl InputProblem {
    pub fn new(input: &str, message: impl Into<String>) -> Self {
        InputProblem {
            input: input.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "input `{}`: {}", self.input, self.message)
    }
}

#[derive(Debug)]
pub struct Config {
    pub command: Command,
    pub output: OutputFormat,
    pub log_level: LogLevel,
    /// Inputs that were given but mean nothing to this command, and similar notes.
    pub warnings: Vec<String>,
    /// Secret values to mask on the platform before anything is printed.
    pub secrets: Vec<String>,
}

#[derive(Debug)]
pub enum Command {
    Submit(Box<SubmitConfig>),
    Status(Box<StatusConfig>),
    Pack(PackConfig),
    Simulator(SimulatorConfig),
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit(_) => "submit",
            Command::Status(_) => "status",
            Command::Pack(_) => "pack",
            Command::Simulator(_) => "simulator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// How to reach Partner Center and sign in; every networked command has one.
#[derive(Debug, Clone)]
pub struct Session {
    pub credential: Credential,
    pub authority_host: Url,
    pub api_base_url: Url,
    /// `simulate: true`: start the built-in simulator in-process and talk to it.
    pub simulate: Option<SimulatorSettings>,
}

#[derive(Debug, Clone)]
pub enum Credential {
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: SecretString,
    },
    AccessToken(SecretString),
    /// `simulate: true` without credentials: the simulator's own test credentials are used.
    SimulatorDefault,
}

/// The product a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    App { app_id: String },
}

impl ProductRef {
    pub fn app_id(&self) -> &str {
        match self {
            ProductRef::App { app_id } => app_id,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            ProductRef::App { app_id } => format!("app {app_id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageMode {
    Replace,
    Add,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPending {
    Fail,
    Delete,
    Reuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WaitFor {
    None,
    Committed,
    Certified,
    Published,
}

impl WaitFor {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitFor::None => "none",
            WaitFor::Committed => "committed",
            WaitFor::Certified => "certified",
            WaitFor::Published => "published",
        }
    }
}

#[derive(Debug, Clone)]
pub struct WaitConfig {
    pub wait_for: WaitFor,
    pub timeout: Duration,
    pub poll_interval: Duration,
}

/// A file that goes into the upload zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipInput {
    /// The file on disk.
    pub path: PathBuf,
    /// Its entry name in the zip, `/`-separated.
    pub entry_name: String,
}

#[derive(Debug, Clone)]
pub enum ZipSource {
    /// Build the zip from these files and write it to `path`.
    Build { path: PathBuf, files: Vec<ZipInput> },
    /// Upload this ready zip as it is.
    Ready { path: PathBuf },
    /// Nothing new to upload (only metadata changes).
    Nothing,
}

impl ZipSource {
    pub fn path(&self) -> Option<&Path> {
        match self {
            ZipSource::Build { path, .. } | ZipSource::Ready { path } => Some(path),
            ZipSource::Nothing => None,
        }
    }
}

/// What to change in the cloned submission.
#[derive(Debug, Clone)]
pub struct SubmissionChanges {
    /// Zip entry names of the new packages (all at the zip root).
    pub packages: Vec<String>,
    pub package_mode: PackageMode,
    pub patch: Option<serde_json::Value>,
    pub release_notes: Option<String>,
    pub notes_for_certification: Option<String>,
}

/// How the upload runs: blocks in flight and block size (`upload-concurrency`,
/// `upload-block-size`). Their product bounds the memory the upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadTuning {
    pub concurrency: usize,
    pub block_size: u64,
}

impl Default for UploadTuning {
    fn default() -> Self {
        UploadTuning {
            concurrency: crate::upload::DEFAULT_CONCURRENCY,
            block_size: crate::upload::DEFAULT_BLOCK,
        }
    }
}

#[derive(Debug)]
pub struct SubmitConfig {
    pub session: Session,
    pub product: ProductRef,
    pub submission_id: Option<String>,
    pub changes: SubmissionChanges,
    pub zip: ZipSource,
    pub upload: UploadTuning,
    pub on_pending: OnPending,
    pub commit: bool,
    pub wait: WaitConfig,
}

#[derive(Debug)]
pub struct StatusConfig {
    pub session: Session,
    pub product: ProductRef,
    pub submission_id: Option<String>,
    pub wait: WaitConfig,
}

#[derive(Debug)]
pub struct PackConfig {
    pub files: Vec<ZipInput>,
    pub zip_path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct SimulatorSettings {
    /// Real blob storage for the upload URLs (`simulator-storage`).
    pub storage: Option<crate::simulator::storage::StorageAccount>,
    /// How long each processing phase (pre-processing, certification, …) lasts.
    pub phase: Duration,
}

#[derive(Debug)]
pub struct SimulatorConfig {
    pub listen: SocketAddr,
    pub settings: SimulatorSettings,
    /// Apps to seed besides the simulator's default one.
    pub app_ids: Vec<String>,
}
