//! Configuration: the inputs of docs/inputs.md, read from flags and environment
//! (`raw`), checked in one pass that reports every problem at once ([`validate`]), and
//! turned into the typed [`Config`] the rest of the program works from.

pub mod catalog;
pub(crate) mod cli;
mod federated;
mod jwt;
#[cfg(test)]
mod leaf;
pub(crate) mod listings;
pub mod msi;
mod network;
pub(crate) mod package_files;
pub(crate) mod patch_files;
mod product;
pub(crate) mod raw;
pub(crate) mod storage;
mod validate;
pub(crate) mod values;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use federated::FederatedSource;
pub use jwt::Jws;
pub use network::{
    DEFAULT_BLOCK, DEFAULT_CONCURRENCY, DEFAULT_REQUEST_TIMEOUT, RateLimit, cleartext_problem,
    host_of, is_loopback,
};
pub use product::ProductRef;
pub use raw::{Inputs, Source, unknown_variables};
pub use storage::StorageAccount;
pub(crate) use validate::SECRET_VARIABLES;
pub use validate::{Environment, Rules, validate};

/// One thing wrong with the inputs: which input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub input: String,
    pub message: String,
}

impl InputProblem {
    /// A problem with `input`, naming the variable it came from when the environment gave
    /// it.
    pub fn of_given(inputs: &Inputs, input: &str, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if let Some(given) = inputs.get(input)
            && let Source::Env(var) = &given.source
        {
            message.push_str(&format!(" (from {var})"));
        }
        InputProblem::new(input, message)
    }

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
    /// Inputs given against each other, values adjusted, variables that name no input.
    pub warnings: Vec<String>,
    /// Inputs given that this command does not use: a log line, not a warning (a job-wide
    /// `MSSTORE_*` variable reaches every step, docs/inputs.md).
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub enum Command {
    Submit(Box<SubmitConfig>),
    /// `submit` for an MSI/EXE product (a GUID `app-id`, src/msi/).
    MsiSubmit(Box<msi::MsiSubmitConfig>),
    /// `status` for an MSI/EXE product.
    MsiStatus(Box<msi::MsiSubmitConfig>),
    Status(Box<StatusConfig>),
    CreateFlight(Box<CreateFlightConfig>),
    DeleteFlight(Box<DeleteFlightConfig>),
    CreateAddon(Box<CreateAddonConfig>),
    DeleteAddon(Box<DeleteAddonConfig>),
    List(Box<ListConfig>),
    Rollout(Box<RolloutConfig>),
    Pack(PackConfig),
    Simulator(SimulatorConfig),
    Pull(Box<PullConfig>),
    ImportPdp(ImportPdpConfig),
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit(_) | Command::MsiSubmit(_) => "submit",
            Command::Status(_) | Command::MsiStatus(_) => "status",
            Command::CreateFlight(_) => "create-flight",
            Command::DeleteFlight(_) => "delete-flight",
            Command::CreateAddon(_) => "create-addon",
            Command::DeleteAddon(_) => "delete-addon",
            Command::List(_) => "list",
            Command::Rollout(_) => "rollout",
            Command::Pack(_) => "pack",
            Command::Simulator(_) => "simulator",
            Command::Pull(_) => "pull",
            Command::ImportPdp(_) => "import-pdp",
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
    /// Pacing of API calls; `None` paces nothing.
    pub rate_limit: Option<RateLimit>,
    pub request_timeout: Duration,
}

/// The client certificate of `client-certificate(-file)`, as the other rooms use it. It is
/// read, and signs, in `auth` (its private key is crypto, which stays there), and handed to
/// validation through [`Rules::client_certificate`], so that `config` imports nothing above
/// it (ARCHITECTURE.md).
pub trait ClientKey: std::fmt::Debug + Send + Sync {
    /// The certificate's subject (RFC 4514), for messages.
    fn subject(&self) -> &str;
    fn not_before(&self) -> jiff::Timestamp;
    fn not_after(&self) -> jiff::Timestamp;
    /// The thumbprint Entra ID shows for the certificate (upper-case hex SHA-1).
    fn thumbprint_sha1_hex(&self) -> String;
    /// An EC key, which Entra ID has so far refused for client assertions.
    fn is_ec(&self) -> bool;
    /// The private key's PEM lines, for the runner's mask.
    fn secret_lines(&self) -> &[String];
    /// The certificate alone (no key), as PEM: what is uploaded to the app registration.
    fn certificate_pem(&self) -> String;
    /// A fresh client assertion for `client_id`, addressed to the token endpoint `audience`.
    fn assertion(&self, client_id: &str, audience: &str) -> Result<String, String>;
}

/// How the run signs in (docs/sign-in.md): one of these, chosen by which inputs are given.
#[derive(Debug, Clone)]
pub enum Credential {
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: SecretString,
    },
    /// `client-certificate(-file)`: a client assertion signed with the certificate's key.
    Certificate {
        tenant_id: String,
        client_id: String,
        certificate: Arc<dyn ClientKey>,
    },
    /// `federated-token(-file)`, or the CI platform's OIDC token when nothing else is given.
    Federated {
        tenant_id: String,
        client_id: String,
        source: FederatedSource,
    },
    AccessToken(SecretString),
    /// `simulate: true` without credentials: the simulator's own test credentials are used.
    SimulatorDefault,
}

impl Credential {
    /// For logs: which way of signing in this is.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ClientSecret { .. } => "a client secret",
            Credential::Certificate { .. } => "a certificate",
            Credential::Federated { source, .. } => source.describe(),
            Credential::AccessToken(_) => "the given access token",
            Credential::SimulatorDefault => "the simulator's test credentials",
        }
    }
}

/// A product as the inputs name it. Flight names and add-on product ids are resolved to
/// ids through the API before anything else happens (`submission::product`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductSpec {
    App {
        app_id: String,
    },
    Flight {
        app_id: String,
        flight: FlightSpec,
    },
    Addon {
        addon: AddonSpec,
        /// Narrows the search for a product id to one app's add-ons.
        app_id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlightSpec {
    Id(String),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddonSpec {
    Id(String),
    ProductId(String),
}

impl ProductSpec {
    /// The app the product belongs to, when the inputs say.
    pub fn app_id(&self) -> Option<&str> {
        match self {
            ProductSpec::App { app_id } | ProductSpec::Flight { app_id, .. } => Some(app_id),
            ProductSpec::Addon { app_id, .. } => app_id.as_deref(),
        }
    }

    pub fn kind(&self) -> ProductKind {
        match self {
            ProductSpec::App { .. } => ProductKind::App,
            ProductSpec::Flight { .. } => ProductKind::Flight,
            ProductSpec::Addon { .. } => ProductKind::Addon,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    App,
    Flight,
    Addon,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PackageMode {
    #[default]
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
#[derive(Debug, Clone, Default)]
pub struct SubmissionChanges {
    /// Zip entry names of the new packages (all at the zip root).
    pub packages: Vec<String>,
    pub package_mode: PackageMode,
    pub patch: Option<serde_json::Value>,
    pub release_notes: Option<String>,
    /// `release-notes-dir`: language code (lower case) → release notes, one file each.
    pub release_notes_by_language: std::collections::BTreeMap<String, String>,
    pub notes_for_certification: Option<String>,
    pub release: ReleaseOptions,
    /// `listings-dir` (docs/listings.md), read and linted, with `prune-languages`.
    pub listings: Option<Arc<listings::Folder>>,
}

/// Release control on `submit` (docs/decisions/0007-release-control.md). Every field is
/// `None` unless its input was given: what is not given keeps the cloned submission's value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseOptions {
    /// `rollout-percentage`: gradual rollout on, at this percentage.
    pub rollout_percentage: Option<f64>,
    pub publish_mode: Option<PublishMode>,
    /// With [`PublishMode::SpecificDate`] only.
    pub publish_date: Option<jiff::Timestamp>,
    pub visibility: Option<Visibility>,
    pub mandatory_update: Option<bool>,
    pub mandatory_update_effective_date: Option<jiff::Timestamp>,
}

impl ReleaseOptions {
    pub fn is_empty(&self) -> bool {
        *self == ReleaseOptions::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishMode {
    Immediate,
    Manual,
    SpecificDate,
}

impl PublishMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishMode::Immediate => "Immediate",
            PublishMode::Manual => "Manual",
            PublishMode::SpecificDate => "SpecificDate",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
    Hidden,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "Public",
            Visibility::Private => "Private",
            Visibility::Hidden => "Hidden",
        }
    }
}

/// `existing-rollout`: what `submit` does when the last published submission is still
/// rolling out (which blocks creating a new one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExistingRollout {
    #[default]
    Fail,
    Halt,
    Finalize,
}

/// `rollout-action` of the `rollout` command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RolloutAction {
    Get,
    Update(f64),
    Halt,
    Finalize,
}

impl RolloutAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutAction::Get => "get",
            RolloutAction::Update(_) => "update",
            RolloutAction::Halt => "halt",
            RolloutAction::Finalize => "finalize",
        }
    }
}

#[derive(Debug)]
pub struct RolloutConfig {
    pub session: Session,
    /// An app or a flight: add-ons have no rollout.
    pub product: ProductSpec,
    pub action: RolloutAction,
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
            concurrency: DEFAULT_CONCURRENCY,
            block_size: DEFAULT_BLOCK,
        }
    }
}

#[derive(Debug)]
pub struct SubmitConfig {
    pub session: Session,
    pub product: ProductSpec,
    pub submission_id: Option<String>,
    pub changes: SubmissionChanges,
    pub zip: ZipSource,
    pub upload: UploadTuning,
    pub on_pending: OnPending,
    pub existing_rollout: ExistingRollout,
    pub commit: bool,
    pub wait: WaitConfig,
    /// `dry-run`: read, build, check and print the plan; change nothing.
    pub dry_run: bool,
    /// The new packages whose manifests are read before any call (pre-flight, issue 9):
    /// `commands::checks` reads them right after validation.
    pub package_manifests: ManifestReads,
    /// `allow-dropped-platforms`.
    pub allow_dropped_platforms: bool,
    /// The built zip goes to the system temp folder because `zip-path` was not given (and
    /// no runner's temp folder, which the runner empties, was set): removed at exit, so runs
    /// on a workstation do not pile zips up there.
    pub temporary_zip: bool,
}

/// `import-pdp`: StoreBroker PDP files into a listings folder; no network.
#[derive(Debug)]
pub struct ImportPdpConfig {
    pub pdp_dir: PathBuf,
    pub media_dir: Option<PathBuf>,
    pub out: PathBuf,
    /// `addon-product-id`: the folder for add-on PDPs.
    pub addon: Option<String>,
}

/// `pull`: the product's live listings into a folder.
#[derive(Debug)]
pub struct PullConfig {
    pub session: Session,
    pub product: ProductSpec,
    pub dir: PathBuf,
    /// An MSI/EXE product (a GUID `app-id`): how to reach the MSI/EXE API.
    pub msi: Option<Box<msi::MsiSubmitConfig>>,
}

#[derive(Debug)]
pub struct StatusConfig {
    pub session: Session,
    pub product: ProductSpec,
    pub submission_id: Option<String>,
    pub wait: WaitConfig,
}

#[derive(Debug)]
pub struct CreateFlightConfig {
    pub session: Session,
    pub app_id: String,
    pub friendly_name: String,
    pub group_ids: Vec<String>,
    /// Friendly name of the flight the new one ranks just above.
    pub rank_higher_than: Option<String>,
}

#[derive(Debug)]
pub struct DeleteFlightConfig {
    pub session: Session,
    pub app_id: String,
    pub flight: FlightSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddonType {
    Durable,
    Consumable,
}

impl AddonType {
    pub fn as_str(self) -> &'static str {
        match self {
            AddonType::Durable => "Durable",
            AddonType::Consumable => "Consumable",
        }
    }
}

#[derive(Debug)]
pub struct CreateAddonConfig {
    pub session: Session,
    pub app_id: String,
    pub product_id: String,
    pub addon_type: AddonType,
}

#[derive(Debug)]
pub struct DeleteAddonConfig {
    pub session: Session,
    pub addon: AddonSpec,
    pub app_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    Apps,
    Flights {
        app_id: String,
    },
    /// All add-ons of the account, or of one app.
    Addons {
        app_id: Option<String>,
    },
}

#[derive(Debug)]
pub struct ListConfig {
    pub session: Session,
    pub what: ListKind,
}

#[derive(Debug)]
pub struct PackConfig {
    pub files: Vec<ZipInput>,
    pub zip_path: PathBuf,
    /// The packages whose manifests are read before the zip is built (`commands::checks`).
    pub package_manifests: ManifestReads,
}

/// A new package whose manifest is read before any call (`package::manifest`, by
/// `commands::checks`): its name in the submission, where it is, and how a problem with it
/// reads.
#[derive(Debug, Clone)]
pub struct ManifestToRead {
    pub name: String,
    pub source: ManifestSource,
    /// The package as a problem shows it.
    pub shown: String,
    /// The input a problem with it belongs to.
    pub input: &'static str,
}

#[derive(Debug, Clone)]
pub enum ManifestSource {
    /// An entry of `upload-zip`.
    InZip(PathBuf),
    /// A file on disk.
    File(PathBuf),
}

/// The manifests to read, and where the problems found in them go in the list of input
/// problems: after those found before them, as when validation read them itself, so that
/// the list still follows the order of the inputs.
#[derive(Debug, Clone, Default)]
pub struct ManifestReads {
    pub packages: Vec<ManifestToRead>,
    pub problems_before: usize,
}

#[derive(Debug, Clone)]
pub struct SimulatorSettings {
    /// Real blob storage for the upload URLs (`simulator-storage`).
    pub storage: Option<StorageAccount>,
    /// How long each processing phase (pre-processing, certification, …) lasts.
    pub phase: Duration,
    /// Lifetime of the Partner Center tokens it issues (`simulator-token-lifetime`).
    pub token_lifetime: Duration,
    /// How long its upload URLs stay valid (`simulator-upload-url-lifetime`).
    pub upload_url_lifetime: Duration,
}

#[derive(Debug)]
pub struct SimulatorConfig {
    pub listen: SocketAddr,
    pub settings: SimulatorSettings,
    /// Products to seed besides the simulator's default ones.
    pub products: Vec<ProductSpec>,
}
