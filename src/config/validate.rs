//! One pass over all inputs that either builds a [`Config`] or lists every problem.
//! Files are read here too (globs, the patch, assets), so that a run that will fail on its
//! inputs fails before any network call.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::package_files;
use super::patch_files::new_files_in_patch;
use super::values::{format_size, parse_bool, parse_duration, parse_list, parse_size};
use super::*;

mod assets;
mod listings;
mod manifests;
mod msi;
mod oidc;
mod packages;
mod patch;
mod product_ids;
mod release;
mod sign_in;
mod simulator;
mod upload;

use product_ids::is_guid;

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
const DEFAULT_API: &str = "https://manage.devcenter.microsoft.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const DEFAULT_POLL: Duration = Duration::from_secs(30);
/// The simulator's clock runs fast, so waiting on it with the real default would be slow.
const SIMULATE_DEFAULT_POLL: Duration = Duration::from_secs(1);
const DEFAULT_SIM_PHASE: Duration = Duration::from_secs(2);
const MAX_UPLOAD_CONCURRENCY: usize = 64;
const MIN_UPLOAD_BLOCK: u64 = 256 << 10;
/// Azure's largest block (service version 2019-12-12 and later).
const MAX_UPLOAD_BLOCK: u64 = 4000 << 20;
const MAX_UPLOAD_MEMORY: u64 = 2 << 30;
/// Entra ID's access tokens live about an hour ("you have 60 minutes to use this token",
/// https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services).
const DEFAULT_SIM_TOKEN_LIFETIME: Duration = Duration::from_secs(3599);
/// UNKNOWN: how long the Store's upload URLs stay valid; a day here (docs/simulator.md).
const DEFAULT_SIM_UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// A certificate that expires sooner than this gets a warning on every run.
const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// Inputs of the interface that this version does not act on yet. Giving one is an error,
/// never silently ignored: a `flight-id` that is ignored would ship to production.
const NOT_YET_SUPPORTED: &[&str] = &[];

/// Environment variables that hold credentials of the CI platform; masked like inputs.
pub(crate) const SECRET_VARIABLES: &[&str] =
    &["ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"];

/// Every valid way to sign in, for the messages about sign-in inputs.
const SIGN_IN_CHOICES: &str = "sign in with `tenant-id` + `client-id` and exactly one of `client-secret`, \
`client-certificate` (or `client-certificate-file`) or `federated-token` (or `federated-token-file`); \
or with `tenant-id` + `client-id` alone on GitHub Actions (the job needs `permissions: id-token: write`) \
or with `azure-service-connection-id` on Azure Pipelines; or with `access-token` alone";

/// What validation needs from the process: where relative paths start, where temp files go,
/// and what the CI platform offers for federated sign-in.
#[derive(Debug, Clone)]
pub struct Environment {
    pub cwd: PathBuf,
    pub temp_dir: PathBuf,
    /// `temp_dir` is the system's (no `RUNNER_TEMP` / `AGENT_TEMPDIRECTORY`): nothing empties
    /// it after the job.
    pub temp_is_system: bool,
    pub platform_identity: PlatformIdentity,
}

/// The variables through which a CI platform hands out OIDC tokens (docs/sign-in.md).
#[derive(Debug, Clone, Default)]
pub struct PlatformIdentity {
    /// `GITHUB_ACTIONS=true`.
    pub github_actions: bool,
    /// `TF_BUILD=True`.
    pub azure_pipelines: bool,
    /// Set only when the job has `permissions: id-token: write`.
    pub github_request_url: Option<String>,
    pub github_request_token: Option<String>,
    pub azure_request_uri: Option<String>,
    /// `System.AccessToken`, which a step sees only when it maps it explicitly.
    pub azure_access_token: Option<String>,
}

impl Environment {
    pub fn from_vars(vars: &std::collections::BTreeMap<String, String>) -> Self {
        let var = |name: &str| vars.get(name).filter(|v| !v.is_empty()).cloned();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let runner_temp = var("RUNNER_TEMP").or_else(|| var("AGENT_TEMPDIRECTORY"));
        let temp_is_system = runner_temp.is_none();
        let temp_dir = runner_temp
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let platform_identity = PlatformIdentity {
            github_actions: var("GITHUB_ACTIONS").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            azure_pipelines: var("TF_BUILD").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            github_request_url: var("ACTIONS_ID_TOKEN_REQUEST_URL"),
            github_request_token: var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
            azure_request_uri: var("SYSTEM_OIDCREQUESTURI"),
            azure_access_token: var("SYSTEM_ACCESSTOKEN"),
        };
        Environment {
            cwd,
            temp_dir,
            temp_is_system,
            platform_identity,
        }
    }
}

/// Rules of the rooms above `config` that validation applies to an input it has read,
/// handed in by `commands::checks` (ARCHITECTURE.md: `config` imports nothing above it).
/// What they find is an input problem like any other, found before any call.
#[derive(Clone, Copy)]
pub struct Rules {
    /// What is wrong with the price a patch sets (`submission::safety::patch_price_problem`):
    /// a product sent without a price becomes free.
    pub patch_price_problem: fn(&serde_json::Value) -> Option<String>,
    /// The certificate and its key read from PEM text (`auth::ClientCertificate::from_pem`),
    /// or what is wrong with the text; validation then checks its dates and key type.
    pub client_certificate: fn(&str) -> Result<Arc<dyn ClientKey>, String>,
}

#[cfg(test)]
impl Rules {
    /// None of them: `config`'s own checks alone (its unit tests). Any certificate text
    /// stands for a valid RSA certificate; real PEMs are read in `commands::checks`' tests.
    pub const NONE: Rules = Rules {
        patch_price_problem: |_| None,
        client_certificate: |_| Ok(Arc::new(tests::AnyCertificate)),
    };
}

/// Every check of the inputs, with `rules` from the rooms above; the packages' manifests
/// are listed, not read, also when the inputs have problems: `commands::checks` reads them
/// and adds theirs to the same list.
pub fn validate(
    inputs: &Inputs,
    env: &Environment,
    rules: &Rules,
) -> (Result<Config, Vec<InputProblem>>, ManifestReads) {
    let mut check = Check {
        inputs,
        env,
        rules: *rules,
        problems: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
        manifests: ManifestReads::default(),
    };
    let config = check.config();
    let manifests = std::mem::take(&mut check.manifests);
    if check.problems.is_empty() {
        let mut config = config.expect("a config when there are no problems");
        config.warnings = check.warnings;
        config.notes = check.notes;
        (Ok(config), manifests)
    } else {
        (Err(check.problems), manifests)
    }
}

struct Check<'a> {
    inputs: &'a Inputs,
    env: &'a Environment,
    rules: Rules,
    problems: Vec<InputProblem>,
    warnings: Vec<String>,
    notes: Vec<String>,
    /// The manifests to read before any call; one command lists them.
    manifests: ManifestReads,
}

impl Check<'_> {
    fn config(&mut self) -> Option<Config> {
        let output = self.one_of(
            "output",
            &[("text", OutputFormat::Text), ("json", OutputFormat::Json)],
            OutputFormat::Text,
        );
        // Checked here with every other input; run.rs reads it before validation, so that
        // validation itself is logged at that level.
        self.one_of(
            "log-level",
            &[
                ("error", LogLevel::Error),
                ("warn", LogLevel::Warn),
                ("info", LogLevel::Info),
                ("debug", LogLevel::Debug),
                ("trace", LogLevel::Trace),
            ],
            LogLevel::Info,
        );
        for name in NOT_YET_SUPPORTED {
            if self.inputs.is_given(name) {
                self.problem(
                    name,
                    "is part of the interface but not supported by this version yet; remove it",
                );
            }
        }
        let command_name = self.inputs.value("command").unwrap_or("submit").to_string();
        let commands: Vec<&str> = catalog::COMMANDS.iter().map(|c| c.name).collect();
        let command = match command_name.as_str() {
            "submit" if self.is_msi_product() => {
                self.msi_submit().map(|c| Command::MsiSubmit(Box::new(c)))
            }
            "submit" => self.submit().map(|c| Command::Submit(Box::new(c))),
            "status" if self.is_msi_product() => {
                self.msi_status().map(|c| Command::MsiStatus(Box::new(c)))
            }
            "status" => self.status().map(|c| Command::Status(Box::new(c))),
            "create-flight" => self
                .create_flight()
                .map(|c| Command::CreateFlight(Box::new(c))),
            "delete-flight" => self
                .delete_flight()
                .map(|c| Command::DeleteFlight(Box::new(c))),
            "create-addon" => self
                .create_addon()
                .map(|c| Command::CreateAddon(Box::new(c))),
            "delete-addon" => self
                .delete_addon()
                .map(|c| Command::DeleteAddon(Box::new(c))),
            "list" => self.list().map(|c| Command::List(Box::new(c))),
            "rollout" => self.rollout().map(|c| Command::Rollout(Box::new(c))),
            "pack" => self.pack().map(Command::Pack),
            "simulator" => self.simulator().map(Command::Simulator),
            "pull" => self.pull().map(|c| Command::Pull(Box::new(c))),
            "import-pdp" => self.import_pdp().map(Command::ImportPdp),
            other => {
                let hint = commands
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(other))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.problem(
                    "command",
                    format!(
                        "`{other}` is not a command{hint}; use one of {}",
                        commands.join(", ")
                    ),
                );
                None
            }
        };
        self.dry_run_elsewhere(&command_name);
        self.warn_unused(&command_name);
        Some(Config {
            command: command?,
            output,
            warnings: Vec::new(),
            notes: Vec::new(),
        })
    }

    fn warn_unused(&mut self, command: &str) {
        let Some(cmd) = catalog::Cmd::from_name(command) else {
            return;
        };
        let used: Vec<&str> = catalog::inputs_of(cmd).map(|i| i.name).collect();
        let unused: Vec<String> = self
            .inputs
            .given_names()
            .filter(|name| !used.contains(name) && !NOT_YET_SUPPORTED.contains(name))
            .map(|name| format!("`{name}`"))
            .collect();
        if !unused.is_empty() {
            self.notes.push(format!(
                "{} ignored: not used by `{command}`",
                unused.join(", ")
            ));
        }
    }

    // ----- commands -----

    fn submit(&mut self) -> Option<SubmitConfig> {
        self.no_msi_inputs_for_msix();
        let session = self.session();
        let product = self.product();
        let submission_id = self.submission_id();
        let package_mode = self.one_of(
            "package-mode",
            &[("replace", PackageMode::Replace), ("add", PackageMode::Add)],
            PackageMode::Replace,
        );
        let on_pending = self.one_of(
            "on-pending",
            &[
                ("fail", OnPending::Fail),
                ("delete", OnPending::Delete),
                ("reuse", OnPending::Reuse),
            ],
            OnPending::Fail,
        );
        if submission_id.is_some() && self.inputs.is_given("on-pending") {
            self.warnings.push(
                "`on-pending` ignored: `submission-id` names the submission to continue".into(),
            );
        }
        let commit = self.boolean("commit", true);
        let upload = self.upload_tuning();
        let simulate = session.as_ref().is_some_and(|s| s.simulate.is_some());
        let wait = self.wait(simulate);
        if !commit && self.inputs.is_given("wait-for") && wait.wait_for != WaitFor::None {
            self.warnings.push(
                "`wait-for` ignored: `commit` is false, so there is nothing to wait for".into(),
            );
        }
        let patch = self.patch();
        let release_notes = self.inputs.value("release-notes").map(str::to_string);
        let release_notes_by_language = self.release_notes_dir();
        let release = self.release_options();
        let listings = self.listings(product.as_ref());
        let existing_rollout = self.existing_rollout();
        let dry_run = self.dry_run();
        let notes_for_certification = self
            .inputs
            .value("notes-for-certification")
            .map(str::to_string);

        let upload_zip = self.existing_file("upload-zip");
        let package_files = self.packages(upload_zip.is_some());
        let asset_files = self.assets(patch.as_ref());
        let zip = match (&upload_zip, self.inputs.is_given("upload-zip")) {
            (Some(path), _) => {
                if self.inputs.is_given("zip-path") {
                    self.warnings
                        .push("`zip-path` ignored: `upload-zip` is uploaded as it is".into());
                }
                ZipSource::Ready { path: path.clone() }
            }
            (None, true) => ZipSource::Nothing, // problem already recorded
            // The listing images to upload are known once the live listing is read; a
            // folder with image files may need a zip.
            (None, false)
                if package_files.is_empty()
                    && asset_files.is_empty()
                    && !listings.as_ref().is_some_and(|l| l.has_files()) =>
            {
                ZipSource::Nothing
            }
            (None, false) => {
                let files: Vec<ZipInput> =
                    package_files.iter().chain(&asset_files).cloned().collect();
                self.no_duplicate_entries(&files);
                ZipSource::Build {
                    path: self.zip_path(&product),
                    files,
                }
            }
        };
        let temporary_zip = matches!(zip, ZipSource::Build { .. })
            && !self.inputs.is_given("zip-path")
            && self.env.temp_is_system;
        let mut packages: Vec<String> =
            package_files.iter().map(|f| f.entry_name.clone()).collect();
        if let Some(path) = &upload_zip
            && !self.inputs.is_given("packages")
        {
            packages = self.packages_in_zip(path);
        }
        let package_manifests =
            self.package_manifests(&package_files, upload_zip.as_deref(), &packages);
        let allow_dropped_platforms = self.boolean("allow-dropped-platforms", false);
        if self.inputs.is_given("allow-dropped-platforms") && packages.is_empty() {
            self.warnings.push(
                "`allow-dropped-platforms` ignored: no new packages, so nothing is dropped".into(),
            );
        }
        if let Some(kind) = product.as_ref().map(ProductSpec::kind) {
            self.fits_the_product(kind, patch.as_ref());
            self.release_fits_the_product(kind);
        }
        if packages.is_empty()
            && patch.is_none()
            && release_notes.is_none()
            && release_notes_by_language.is_empty()
            && notes_for_certification.is_none()
            && release.is_empty()
            && listings.is_none()
            && !self.inputs.is_given("listings-dir")
            && !self.inputs.is_given("packages")
            && !self.inputs.is_given("upload-zip")
            && !self.inputs.is_given("release-notes-dir")
        {
            self.problem(
                "packages",
                "nothing to submit: give `packages`, `submission-patch`, `release-notes`, `release-notes-dir`, `notes-for-certification` or a release setting (`rollout-percentage`, `target-publish-mode`, `visibility`, `mandatory-update`)",
            );
        }
        Some(SubmitConfig {
            session: session?,
            product: product?,
            submission_id,
            changes: SubmissionChanges {
                packages,
                package_mode,
                patch,
                release_notes,
                release_notes_by_language,
                notes_for_certification,
                release,
                listings,
            },
            zip,
            upload,
            on_pending,
            existing_rollout,
            commit,
            wait,
            dry_run,
            package_manifests,
            allow_dropped_platforms,
            temporary_zip,
        })
    }

    fn status(&mut self) -> Option<StatusConfig> {
        let session = self.session();
        let product = self.product();
        let submission_id = self.submission_id();
        let simulate = session.as_ref().is_some_and(|s| s.simulate.is_some());
        let mut wait = self.wait(simulate);
        if !self.inputs.is_given("wait-for") {
            wait.wait_for = WaitFor::None;
        }
        Some(StatusConfig {
            session: session?,
            product: product?,
            submission_id,
            wait,
        })
    }

    fn create_flight(&mut self) -> Option<CreateFlightConfig> {
        let session = self.session();
        let app_id = self.app_id_required();
        let friendly_name = match self.inputs.value("flight-name").map(str::trim) {
            Some(name) if !name.is_empty() => Some(name.to_string()),
            _ => {
                self.problem("flight-name", "is required: the new flight's friendly name");
                None
            }
        };
        let group_ids = match self.inputs.value("group-ids").map(parse_list) {
            Some(ids) if !ids.is_empty() => {
                for id in &ids {
                    if !id.chars().all(|c| c.is_ascii_digit()) {
                        self.problem(
                            "group-ids",
                            format!("`{id}` is not a flight group id (a number from the group's Partner Center URL)"),
                        );
                    }
                }
                ids
            }
            _ => {
                self.problem(
                    "group-ids",
                    "is required: the flight groups to ship to (ids from Partner Center → Customer groups; there is no API for them)",
                );
                Vec::new()
            }
        };
        let rank_higher_than = self
            .inputs
            .value("rank-higher-than")
            .map(|s| s.trim().to_string());
        Some(CreateFlightConfig {
            session: session?,
            app_id: app_id?,
            friendly_name: friendly_name?,
            group_ids,
            rank_higher_than,
        })
    }

    fn delete_flight(&mut self) -> Option<DeleteFlightConfig> {
        let session = self.session();
        let app_id = self.app_id_required();
        let flight = self.flight_spec(true);
        Some(DeleteFlightConfig {
            session: session?,
            app_id: app_id?,
            flight: flight?,
        })
    }

    fn create_addon(&mut self) -> Option<CreateAddonConfig> {
        let session = self.session();
        let app_id = self.app_id_required();
        let product_id = match self.inputs.value("addon-product-id").map(str::trim) {
            Some(id) if !id.is_empty() => Some(id.to_string()),
            _ => {
                self.problem(
                    "addon-product-id",
                    "is required: the product id your code uses for the add-on, unique in the account",
                );
                None
            }
        };
        let addon_type = if self.inputs.is_given("addon-type") {
            Some(self.one_of(
                "addon-type",
                &[
                    ("Durable", AddonType::Durable),
                    ("Consumable", AddonType::Consumable),
                ],
                AddonType::Durable,
            ))
        } else {
            self.problem("addon-type", "is required: `Durable` or `Consumable`");
            None
        };
        Some(CreateAddonConfig {
            session: session?,
            app_id: app_id?,
            product_id: product_id?,
            addon_type: addon_type?,
        })
    }

    fn delete_addon(&mut self) -> Option<DeleteAddonConfig> {
        let session = self.session();
        let addon = self.addon_spec(true);
        let app_id = match addon {
            Some(AddonSpec::ProductId(_)) => self.app_id_optional(),
            _ => None,
        };
        Some(DeleteAddonConfig {
            session: session?,
            addon: addon?,
            app_id,
        })
    }

    fn list(&mut self) -> Option<ListConfig> {
        let session = self.session();
        let what = match self.inputs.value("list").map(str::trim) {
            None => {
                self.problem("list", "is required: `apps`, `flights` or `addons`");
                None
            }
            Some("apps") => Some(ListKind::Apps),
            Some("flights") => self
                .app_id_required()
                .map(|app_id| ListKind::Flights { app_id }),
            Some("addons") => Some(ListKind::Addons {
                app_id: self.app_id_optional(),
            }),
            Some(other) => {
                self.problem(
                    "list",
                    format!("`{other}` is not one of apps, flights, addons"),
                );
                None
            }
        };
        Some(ListConfig {
            session: session?,
            what: what?,
        })
    }

    fn pack(&mut self) -> Option<PackConfig> {
        let patch = self.patch();
        let mut files = self.packages(false);
        if patch.is_some() {
            files.extend(self.assets(patch.as_ref()));
        } else if let Some(dir) = self.existing_dir("assets-dir") {
            files.extend(self.whole_dir("assets-dir", &dir));
        }
        if files.is_empty() && !self.inputs.is_given("packages") {
            self.problem(
                "packages",
                "nothing to pack: give `packages` or `assets-dir`",
            );
        }
        self.no_duplicate_entries(&files);
        let names: Vec<String> = files
            .iter()
            .filter(|f| package_files::is_package_file_name(&f.entry_name))
            .map(|f| f.entry_name.clone())
            .collect();
        let package_manifests = self.package_manifests(&files, None, &names);
        let zip_path = match self.inputs.value("zip-path") {
            Some(p) => self.env.cwd.join(p),
            None => self.env.temp_dir.join("msstore-submit-upload.zip"),
        };
        Some(PackConfig {
            files,
            zip_path,
            package_manifests,
        })
    }

    fn session(&mut self) -> Option<Session> {
        let simulate = self.boolean("simulate", false);
        let phase = self.duration("simulator-phase", DEFAULT_SIM_PHASE);
        let token_lifetime = self.token_lifetime();
        let upload_url_lifetime = self.upload_url_lifetime();
        let authority_host = self.url("authority-host", DEFAULT_AUTHORITY);
        let api_base_url = self.url("api-base-url", DEFAULT_API);
        if simulate {
            for name in ["authority-host", "api-base-url"] {
                if self.inputs.is_given(name) {
                    self.warnings.push(format!(
                        "`{name}` ignored: `simulate` talks to the built-in simulator"
                    ));
                }
            }
        }
        let credential = self.credential(simulate);
        // The simulator has no rate limit unless a test switches it on: no pacing by default.
        let default_limit = (!simulate).then_some(RateLimit::DEFAULT);
        let rate_limit = self.rate_limit(default_limit);
        let request_timeout = self.duration("request-timeout", DEFAULT_REQUEST_TIMEOUT);
        if request_timeout < Duration::from_secs(1) {
            self.problem("request-timeout", "must be at least 1s");
        }
        Some(Session {
            credential: credential?,
            authority_host: authority_host?,
            api_base_url: api_base_url?,
            simulate: simulate.then(|| SimulatorSettings {
                phase,
                token_lifetime,
                upload_url_lifetime,
                storage: self.simulator_storage(),
            }),
            rate_limit,
            request_timeout,
        })
    }

    /// `15` (a minute), `15/1m`, `5/10s`, or `off`.
    fn rate_limit(&mut self, default: Option<RateLimit>) -> Option<RateLimit> {
        let Some(text) = self.inputs.value("rate-limit").map(str::trim) else {
            return default;
        };
        if text.eq_ignore_ascii_case("off") {
            return None;
        }
        let (count, window) = match text.split_once('/') {
            Some((count, window)) => (count.trim(), parse_duration(window)),
            None => (text, Ok(Duration::from_secs(60))),
        };
        match (count.parse::<usize>(), window) {
            (Ok(requests), Ok(window)) if requests > 0 && !window.is_zero() => {
                Some(RateLimit { requests, window })
            }
            _ => {
                self.problem(
                    "rate-limit",
                    format!("`{text}` is not a rate; use calls per minute (`15`), `N/DURATION` (`5/10s`) or `off`"),
                );
                default
            }
        }
    }

    fn wait(&mut self, simulate: bool) -> WaitConfig {
        let wait_for = self.one_of(
            "wait-for",
            &[
                ("none", WaitFor::None),
                ("committed", WaitFor::Committed),
                ("certified", WaitFor::Certified),
                ("published", WaitFor::Published),
            ],
            WaitFor::Committed,
        );
        let timeout = self.duration("timeout", DEFAULT_TIMEOUT);
        let default_poll = if simulate {
            SIMULATE_DEFAULT_POLL
        } else {
            DEFAULT_POLL
        };
        let poll_interval = self.duration("poll-interval", default_poll);
        if poll_interval.is_zero() {
            self.problem("poll-interval", "must be more than zero");
        }
        WaitConfig {
            wait_for,
            timeout,
            poll_interval,
        }
    }

    fn problem(&mut self, input: &str, message: impl Into<String>) {
        self.problems
            .push(InputProblem::of_given(self.inputs, input, message));
    }

    fn shown(&self, name: &str, text: &str) -> String {
        if catalog::find(name).is_some_and(|i| i.secret) {
            "(hidden)".into()
        } else {
            format!("`{text}`")
        }
    }

    fn one_of<T: Copy>(&mut self, name: &str, choices: &[(&str, T)], default: T) -> T {
        let Some(text) = self.inputs.value(name) else {
            return default;
        };
        let text = text.trim();
        if let Some((_, value)) = choices.iter().find(|(c, _)| *c == text) {
            return *value;
        }
        let names: Vec<&str> = choices.iter().map(|(c, _)| *c).collect();
        let hint = names
            .iter()
            .find(|c| c.eq_ignore_ascii_case(text))
            .map(|c| format!(" (values are case-sensitive: did you mean `{c}`?)"))
            .unwrap_or_default();
        let shown = self.shown(name, text);
        self.problem(
            name,
            format!("{shown} is not one of {}{hint}", names.join(", ")),
        );
        default
    }

    fn boolean(&mut self, name: &str, default: bool) -> bool {
        match self.inputs.value(name).map(parse_bool) {
            None => default,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                self.problem(name, e);
                default
            }
        }
    }

    fn duration(&mut self, name: &str, default: Duration) -> Duration {
        match self.inputs.value(name).map(parse_duration) {
            None => default,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                self.problem(name, e);
                default
            }
        }
    }

    fn url(&mut self, name: &str, default: &str) -> Option<Url> {
        let text = self.inputs.value(name).unwrap_or(default).trim();
        let url = match Url::parse(text) {
            Ok(url) => url,
            Err(e) => {
                self.problem(name, format!("`{text}` is not a URL: {e}"));
                return None;
            }
        };
        // It carries the client secret or assertion (authority) or the bearer token (API).
        if let Some(problem) = crate::config::cleartext_problem(&url) {
            self.problem(name, problem);
            return None;
        }
        if url.query().is_some() || url.fragment().is_some() {
            self.problem(name, format!("`{text}` must not have a query or fragment"));
            return None;
        }
        Some(url)
    }

    fn existing_file(&mut self, name: &str) -> Option<PathBuf> {
        let text = self.inputs.value(name)?;
        let path = self.env.cwd.join(text);
        if path.is_file() {
            Some(path)
        } else if path.is_dir() {
            self.problem(
                name,
                format!("{} is a directory, not a file", path.display()),
            );
            None
        } else {
            self.problem(name, format!("{} does not exist", path.display()));
            None
        }
    }

    fn existing_dir(&mut self, name: &str) -> Option<PathBuf> {
        let text = self.inputs.value(name)?;
        let path = self.env.cwd.join(text);
        if path.is_dir() {
            Some(path)
        } else if path.exists() {
            self.problem(
                name,
                format!("{} is a file, not a directory", path.display()),
            );
            None
        } else {
            self.problem(name, format!("directory {} does not exist", path.display()));
            None
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::sign_in::{Validity, validity};
    use super::*;

    /// What `Rules::NONE` reads from any certificate text: an RSA certificate valid for all
    /// time, which cannot sign.
    #[derive(Debug)]
    pub(super) struct AnyCertificate;

    impl ClientKey for AnyCertificate {
        fn subject(&self) -> &str {
            "CN=any"
        }
        fn not_before(&self) -> jiff::Timestamp {
            jiff::Timestamp::MIN
        }
        fn not_after(&self) -> jiff::Timestamp {
            jiff::Timestamp::MAX
        }
        fn thumbprint_sha1_hex(&self) -> String {
            "00".repeat(20)
        }
        fn is_ec(&self) -> bool {
            false
        }
        fn secret_lines(&self) -> &[String] {
            &[]
        }
        fn certificate_pem(&self) -> String {
            String::new()
        }
        fn assertion(&self, _: &str, _: &str) -> Result<String, String> {
            Err("config's tests do not sign".into())
        }
    }

    /// `config`'s own checks (the rules of the rooms above are tested there).
    fn validate(inputs: &Inputs, env: &Environment) -> Result<Config, Vec<InputProblem>> {
        super::validate(inputs, env, &Rules::NONE).0
    }

    fn env() -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment {
            cwd: dir.path().to_path_buf(),
            temp_dir: dir.path().join("tmp"),
            temp_is_system: true,
            platform_identity: PlatformIdentity::default(),
        };
        (dir, env)
    }

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        let mut inputs = Inputs::default();
        for (k, v) in pairs {
            inputs.set(k, v);
        }
        inputs
    }

    fn problems(pairs: &[(&str, &str)], env: &Environment) -> Vec<InputProblem> {
        validate(&inputs(pairs), env).expect_err("expected problems")
    }

    const CREDS: [(&str, &str); 3] = [
        ("tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
        ("client-id", "11111111-2222-3333-4444-555555555555"),
        ("client-secret", "s3cret"),
    ];

    #[test]
    fn all_problems_are_reported_at_once() {
        let (_dir, env) = env();
        let found = problems(
            &[
                ("wait-for", "forever"),
                ("timeout", "soon"),
                ("packages", "*.msix"),
            ],
            &env,
        );
        let inputs: Vec<&str> = found.iter().map(|p| p.input.as_str()).collect();
        for expected in [
            "tenant-id",
            "client-id",
            "client-secret",
            "app-id",
            "wait-for",
            "timeout",
            "packages",
        ] {
            assert!(
                inputs.contains(&expected),
                "{expected} missing from {found:?}"
            );
        }
    }

    #[test]
    fn secrets_are_not_repeated() {
        let (_dir, env) = env();
        let found = problems(
            &[("access-token", "Bearer abc.def"), ("client-secret", "zzz")],
            &env,
        );
        let text = format!("{found:?}");
        assert!(!text.contains("abc.def") && !text.contains("zzz"), "{text}");
    }

    #[test]
    fn enum_values_are_case_sensitive_with_a_hint() {
        let (_dir, env) = env();
        let found = problems(&[("wait-for", "Committed")], &env);
        let p = found.iter().find(|p| p.input == "wait-for").unwrap();
        assert!(
            p.message.contains("did you mean `committed`"),
            "{}",
            p.message
        );
    }

    #[test]
    fn patch_errors_give_line_and_column() {
        let (_dir, env) = env();
        let found = problems(&[("submission-patch", "{\n  \"a\": 1,\n  oops\n}")], &env);
        let p = found
            .iter()
            .find(|p| p.input == "submission-patch")
            .unwrap();
        assert!(p.message.contains("line 3 column 3"), "{}", p.message);
    }

    #[test]
    fn a_package_name_is_not_an_app_id() {
        let (_dir, env) = env();
        let found = problems(&[("app-id", "Contoso.MyApp")], &env);
        let p = found.iter().find(|p| p.input == "app-id").unwrap();
        assert!(
            p.message.contains("package or product name"),
            "{}",
            p.message
        );
    }

    #[test]
    fn a_valid_submit_builds_the_zip_plan() {
        let (dir, env) = env();
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/contoso-app/ContosoReader_1.0.1.0_x64.msix"
        );
        std::fs::copy(example, dir.path().join("App_1.0.0.0_x64.msix")).unwrap();
        let mut pairs = CREDS.to_vec();
        pairs.extend([("app-id", "9NBLGGH4R315"), ("packages", "*.msix")]);
        let config = validate(&inputs(&pairs), &env).unwrap();
        let Command::Submit(submit) = config.command else {
            panic!("not submit")
        };
        assert_eq!(submit.changes.packages, vec!["App_1.0.0.0_x64.msix"]);
        // Its manifest is listed to be read before any call (commands::checks reads it).
        let reads = &submit.package_manifests.packages;
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].name, "App_1.0.0.0_x64.msix");
        assert!(
            matches!(&reads[0].source, ManifestSource::File(p) if p.ends_with("App_1.0.0.0_x64.msix"))
        );
        match submit.zip {
            ZipSource::Build { files, .. } => assert_eq!(files.len(), 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn assets_must_exist() {
        let (dir, env) = env();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        let mut pairs = CREDS.to_vec();
        let patch = r#"{"listings":{"en-us":{"baseListing":{"images":[{"fileName":"img\\shot.png","fileStatus":"PendingUpload","imageType":"Screenshot"}]}}}}"#;
        pairs.extend([
            ("app-id", "9NBLGGH4R315"),
            ("submission-patch", patch),
            ("assets-dir", "assets"),
        ]);
        let found = validate(&inputs(&pairs), &env).unwrap_err();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].input, "assets-dir");
        assert!(found[0].message.contains("img\\shot.png"));

        std::fs::create_dir(dir.path().join("assets/img")).unwrap();
        std::fs::write(dir.path().join("assets/img/shot.png"), b"png").unwrap();
        let config = validate(&inputs(&pairs), &env).unwrap();
        let Command::Submit(submit) = config.command else {
            panic!()
        };
        let ZipSource::Build { files, .. } = submit.zip else {
            panic!()
        };
        assert_eq!(files[0].entry_name, "img/shot.png");
    }

    #[test]
    fn not_yet_supported_inputs_are_refused() {
        let (_dir, env) = env();
        let found = problems(&[("flight-id", "abc")], &env);
        assert!(found.iter().any(|p| p.input == "flight-id"));
    }

    #[test]
    fn upload_tuning_defaults_and_bounds() {
        let (dir, env) = env();
        // A real package: `packages` are read (manifests) during validation.
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/contoso-app/ContosoReader_1.0.1.0_x64.msix"
        );
        std::fs::copy(example, dir.path().join("App.msix")).unwrap();
        let mut pairs = CREDS.to_vec();
        pairs.extend([("app-id", "9NBLGGH4R315"), ("packages", "App.msix")]);
        let upload = |extra: &[(&'static str, &'static str)]| {
            let mut all = pairs.clone();
            all.extend_from_slice(extra);
            match validate(&inputs(&all), &env) {
                Ok(Config {
                    command: Command::Submit(submit),
                    ..
                }) => Ok(submit.upload),
                Ok(_) => panic!("not submit"),
                Err(problems) => Err(problems),
            }
        };
        assert_eq!(upload(&[]).unwrap(), UploadTuning::default());
        assert_eq!(
            upload(&[("upload-concurrency", "3"), ("upload-block-size", "8MiB")]).unwrap(),
            UploadTuning {
                concurrency: 3,
                block_size: 8 << 20
            }
        );
        for (input, value) in [
            ("upload-concurrency", "0"),
            ("upload-concurrency", "65"),
            ("upload-concurrency", "many"),
            ("upload-block-size", "64KiB"),
            ("upload-block-size", "4001MiB"),
            ("upload-block-size", "big"),
        ] {
            let problems = upload(&[(input, value)]).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].input, input);
        }
        let problems =
            upload(&[("upload-concurrency", "64"), ("upload-block-size", "64MiB")]).unwrap_err();
        assert!(
            problems[0].message.contains("4.0 GiB in memory"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_simulator_storage_string_is_checked_and_never_shown() {
        let (_dir, env) = env();
        let found = problems(
            &[
                ("command", "simulator"),
                ("simulator-storage", "AccountName=x;AccountKey=not base64!"),
            ],
            &env,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].input, "simulator-storage");
        assert!(!found[0].message.contains("not base64!"), "{found:?}");
    }

    #[test]
    fn http_only_for_loopback() {
        let (_dir, env) = env();
        let found = problems(&[("api-base-url", "http://example.com")], &env);
        assert!(found.iter().any(|p| p.input == "api-base-url"));
        let found = problems(&[("api-base-url", "http://127.0.0.1:9")], &env);
        assert!(!found.iter().any(|p| p.input == "api-base-url"));
    }

    // ----- sign-in -----

    const TENANT_AND_CLIENT: [(&str, &str); 2] = [
        ("tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
        ("client-id", "11111111-2222-3333-4444-555555555555"),
    ];
    const RSA_PEM: &str = include_str!("../../tests/fixtures/sign-in/rsa.pem");

    /// A `status` run (no files needed) with the given sign-in inputs.
    fn sign_in(pairs: &[(&str, &str)], env: &Environment) -> Result<Config, Vec<InputProblem>> {
        let mut all = vec![("command", "status"), ("app-id", "9NBLGGH4R315")];
        all.extend_from_slice(pairs);
        validate(&inputs(&all), env)
    }

    fn credential_of(config: Config) -> Credential {
        match config.command {
            Command::Status(status) => status.session.credential,
            other => panic!("{other:?}"),
        }
    }

    fn a_jwt() -> String {
        use base64::Engine;
        let base64url =
            |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        format!(
            "{}.{}.c2lnbmF0dXJl",
            base64url(br#"{"alg":"RS256"}"#),
            base64url(br#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:environment:prod"}"#)
        )
    }

    #[test]
    fn two_ways_to_sign_in_are_refused_with_the_valid_combinations() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("cert.pem"), RSA_PEM).unwrap();
        let jwt = a_jwt();
        for (pairs, input, other) in [
            (
                vec![
                    ("client-secret", "s3cret"),
                    ("client-certificate-file", "cert.pem"),
                ],
                "client-certificate-file",
                "client-secret",
            ),
            (
                vec![("federated-token", jwt.as_str()), ("access-token", "abc")],
                "access-token",
                "federated-token",
            ),
            (
                vec![
                    ("client-secret", "s3cret"),
                    ("federated-token", jwt.as_str()),
                ],
                "federated-token",
                "client-secret",
            ),
        ] {
            let mut all = TENANT_AND_CLIENT.to_vec();
            all.extend(pairs);
            let found = sign_in(&all, &env).unwrap_err();
            let p = found
                .iter()
                .find(|p| p.input == input)
                .unwrap_or_else(|| panic!("{input}: {found:?}"));
            assert!(
                p.message
                    .contains(&format!("cannot be combined with `{other}`")),
                "{}",
                p.message
            );
            assert!(p.message.contains("exactly one of"), "{}", p.message);
            assert!(p.message.contains("id-token: write"), "{}", p.message);
            let text = format!("{found:?}");
            assert!(!text.contains("s3cret") && !text.contains(&jwt), "{text}");
        }
    }

    #[test]
    fn value_and_file_of_the_same_credential_are_refused() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("cert.pem"), RSA_PEM).unwrap();
        let mut all = TENANT_AND_CLIENT.to_vec();
        all.extend([
            ("client-certificate", RSA_PEM),
            ("client-certificate-file", "cert.pem"),
        ]);
        let found = sign_in(&all, &env).unwrap_err();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].input, "client-certificate-file");
        assert!(found[0].message.contains("not both"));
    }

    #[test]
    fn a_service_connection_is_only_for_federated_sign_in() {
        let (_dir, env) = env();
        let mut all = TENANT_AND_CLIENT.to_vec();
        all.extend([
            ("client-secret", "s3cret"),
            (
                "azure-service-connection-id",
                "00000000-0000-4000-8000-5157e1a7a301",
            ),
        ]);
        let found = sign_in(&all, &env).unwrap_err();
        assert!(
            found
                .iter()
                .any(|p| p.input == "azure-service-connection-id"
                    && p.message
                        .contains("cannot be combined with `client-secret`")),
            "{found:?}"
        );
    }

    #[test]
    fn nothing_to_sign_in_with_in_a_terminal_lists_the_ways() {
        let (_dir, env) = env();
        let found = sign_in(&TENANT_AND_CLIENT, &env).unwrap_err();
        let p = found.iter().find(|p| p.input == "client-secret").unwrap();
        assert!(p.message.contains("client-certificate"), "{}", p.message);
        assert!(p.message.contains("federated-token"), "{}", p.message);
        assert!(p.message.contains("access-token"), "{}", p.message);
    }

    #[test]
    fn tenant_and_client_are_required_for_every_application_sign_in() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("cert.pem"), RSA_PEM).unwrap();
        let jwt = a_jwt();
        for pair in [
            ("client-secret", "s3cret"),
            ("client-certificate-file", "cert.pem"),
            ("federated-token", jwt.as_str()),
        ] {
            let found = sign_in(&[pair], &env).unwrap_err();
            let inputs: Vec<&str> = found.iter().map(|p| p.input.as_str()).collect();
            assert_eq!(inputs, ["tenant-id", "client-id"], "{pair:?}");
        }
    }

    #[test]
    fn on_github_without_id_token_permission_sign_in_fails_later_with_the_fix() {
        let (_dir, mut env) = env();
        env.platform_identity.github_actions = true;
        let credential = credential_of(sign_in(&TENANT_AND_CLIENT, &env).unwrap());
        let Credential::Federated {
            source: FederatedSource::Unavailable { hint, .. },
            ..
        } = credential
        else {
            panic!("{credential:?}")
        };
        assert!(hint.contains("permissions: id-token: write"), "{hint}");
    }

    #[test]
    fn on_github_with_id_token_permission_the_runner_token_is_used() {
        let (_dir, mut env) = env();
        env.platform_identity = PlatformIdentity {
            github_actions: true,
            github_request_url: Some(
                "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0"
                    .into(),
            ),
            github_request_token: Some("request-token".into()),
            ..Default::default()
        };
        let credential = credential_of(sign_in(&TENANT_AND_CLIENT, &env).unwrap());
        assert!(
            matches!(
                credential,
                Credential::Federated {
                    source: FederatedSource::GitHub { .. },
                    ..
                }
            ),
            "{credential:?}"
        );
    }

    #[test]
    fn on_azure_pipelines_the_service_connection_is_required() {
        let (_dir, mut env) = env();
        env.platform_identity.azure_pipelines = true;
        let found = sign_in(&TENANT_AND_CLIENT, &env).unwrap_err();
        assert_eq!(found[0].input, "azure-service-connection-id", "{found:?}");

        let mut all = TENANT_AND_CLIENT.to_vec();
        all.push(("azure-service-connection-id", "partner-center"));
        let found = sign_in(&all, &env).unwrap_err();
        assert!(found[0].message.contains("not a GUID"), "{found:?}");

        env.platform_identity.azure_request_uri =
            Some("https://dev.azure.com/contoso/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken".into());
        let mut all = TENANT_AND_CLIENT.to_vec();
        all.push((
            "azure-service-connection-id",
            "00000000-0000-4000-8000-5157e1a7a301",
        ));
        // Without System.AccessToken mapped in, signing in fails with how to map it.
        let credential = credential_of(sign_in(&all, &env).unwrap());
        let Credential::Federated {
            source: FederatedSource::Unavailable { hint, .. },
            ..
        } = credential
        else {
            panic!("{credential:?}")
        };
        assert!(hint.contains("$(System.AccessToken)"), "{hint}");

        env.platform_identity.azure_access_token = Some("ado-token".into());
        let credential = credential_of(sign_in(&all, &env).unwrap());
        assert!(
            matches!(
                credential,
                Credential::Federated {
                    source: FederatedSource::AzurePipelines { .. },
                    ..
                }
            ),
            "{credential:?}"
        );
    }

    #[test]
    fn certificate_validity_dates() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let (from, to) = (t("2026-01-01T00:00:00Z"), t("2027-01-01T00:00:00Z"));
        assert_eq!(
            validity(from, to, t("2026-06-01T00:00:00Z")),
            Validity::Valid
        );
        assert_eq!(
            validity(from, to, t("2027-01-02T00:00:00Z")),
            Validity::Expired("2027-01-01".into())
        );
        assert_eq!(
            validity(from, to, t("2025-12-01T00:00:00Z")),
            Validity::NotYet("2026-01-01".into())
        );
        assert_eq!(
            validity(from, to, t("2026-12-22T00:00:00Z")),
            Validity::ExpiresSoon {
                on: "2027-01-01".into(),
                days: 10
            }
        );
    }

    #[test]
    fn a_federated_token_must_be_a_jwt_and_is_not_repeated() {
        let (_dir, env) = env();
        let mut all = TENANT_AND_CLIENT.to_vec();
        all.push(("federated-token", "Bearer not-a-jwt-at-all"));
        let found = sign_in(&all, &env).unwrap_err();
        assert_eq!(found[0].input, "federated-token");
        assert!(found[0].message.contains("is not a JWT"), "{found:?}");
        assert!(!format!("{found:?}").contains("not-a-jwt-at-all"));
    }
}
