//! Reading inputs from their three sources (docs/inputs.md): flags, `MSSTORE_*`, `INPUT_*`.
//!
//! Every input is kept as text here, with the place it came from, so that validation can
//! report problems naming both the input and its source, and can see all problems at once.

use std::collections::BTreeMap;

use clap::Parser;
use serde::{Deserialize, Serialize};

/// Every input of the public interface, as given (docs/inputs.md). One field per input; the
/// field name in kebab-case is the input's name, which is also its flag and, upper-cased,
/// its environment variable.
#[derive(Debug, Default, Clone, Parser, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
#[command(
    name = "msstore-submit",
    version,
    about = "Ship Windows apps, package flights and add-ons to the Microsoft Store through the Partner Center submission API.",
    long_about = None,
    after_help = "Every flag can also be given as MSSTORE_<NAME> or INPUT_<NAME> (hyphens kept or turned into _). \
                  An empty value counts as not given. See docs/inputs.md."
)]
pub struct RawInputs {
    /// submit, status, create-flight, delete-flight, create-addon, delete-addon, rollout, list, pack, simulator (default submit)
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,

    // --- authentication ---
    /// Entra ID tenant GUID.
    #[arg(long, help_heading = "Authentication")]
    pub tenant_id: Option<String>,
    /// Application (client) id with the Manager role in Partner Center.
    #[arg(long, help_heading = "Authentication")]
    pub client_id: Option<String>,
    /// Client secret of that application.
    #[arg(long, help_heading = "Authentication")]
    pub client_secret: Option<String>,
    /// PEM with certificate and private key, for certificate sign-in.
    #[arg(long, help_heading = "Authentication")]
    pub client_certificate: Option<String>,
    /// File holding that PEM.
    #[arg(long, help_heading = "Authentication")]
    pub client_certificate_file: Option<String>,
    /// Workload-identity (OIDC) assertion to exchange for a token.
    #[arg(long, help_heading = "Authentication")]
    pub federated_token: Option<String>,
    /// File holding that assertion.
    #[arg(long, help_heading = "Authentication")]
    pub federated_token_file: Option<String>,
    /// Azure Pipelines service connection whose workload identity to use.
    #[arg(long, help_heading = "Authentication")]
    pub azure_service_connection_id: Option<String>,
    /// A ready Partner Center bearer token; no token request is made.
    #[arg(long, help_heading = "Authentication")]
    pub access_token: Option<String>,
    /// Entra ID authority (default https://login.microsoftonline.com).
    #[arg(long, help_heading = "Authentication")]
    pub authority_host: Option<String>,
    /// Partner Center API (default https://manage.devcenter.microsoft.com).
    #[arg(long, help_heading = "Authentication")]
    pub api_base_url: Option<String>,

    // --- what to submit ---
    /// Store ID of the app (12 characters, e.g. 9NBLGGH4R315).
    #[arg(long, help_heading = "Product")]
    pub app_id: Option<String>,
    /// Package flight id (GUID).
    #[arg(long, help_heading = "Product")]
    pub flight_id: Option<String>,
    /// Package flight friendly name.
    #[arg(long, help_heading = "Product")]
    pub flight_name: Option<String>,
    /// Store ID of the add-on.
    #[arg(long, help_heading = "Product")]
    pub addon_id: Option<String>,
    /// Developer product id of the add-on.
    #[arg(long, help_heading = "Product")]
    pub addon_product_id: Option<String>,
    /// An existing pending submission to continue (skips create).
    #[arg(long, help_heading = "Product")]
    pub submission_id: Option<String>,

    // --- submission content ---
    /// Globs of package files (newline or comma separated).
    #[arg(long, help_heading = "Submission")]
    pub packages: Option<String>,
    /// replace (default) or add.
    #[arg(long, help_heading = "Submission")]
    pub package_mode: Option<String>,
    /// true lets the new packages stop serving an architecture or device family the published submission serves (default false).
    #[arg(long, help_heading = "Submission")]
    pub allow_dropped_platforms: Option<String>,
    /// JSON merge patch applied to the cloned submission.
    #[arg(long, help_heading = "Submission")]
    pub submission_patch: Option<String>,
    /// File holding the JSON merge patch.
    #[arg(long, help_heading = "Submission")]
    pub submission_patch_file: Option<String>,
    /// Folder with images, trailers and icons the patch references.
    #[arg(long, help_heading = "Submission")]
    pub assets_dir: Option<String>,
    /// Release notes for every listing.
    #[arg(long, help_heading = "Submission")]
    pub release_notes: Option<String>,
    /// Folder with one release-notes file per language (en-us.txt, …).
    #[arg(long, help_heading = "Submission")]
    pub release_notes_dir: Option<String>,
    /// Notes for the certification team.
    #[arg(long, help_heading = "Submission")]
    pub notes_for_certification: Option<String>,
    /// Immediate, Manual or SpecificDate (default: keep the clone's).
    #[arg(long, help_heading = "Submission")]
    pub target_publish_mode: Option<String>,
    /// ISO 8601 publish date, with SpecificDate.
    #[arg(long, help_heading = "Submission")]
    pub target_publish_date: Option<String>,
    /// Public, Private or Hidden.
    #[arg(long, help_heading = "Submission")]
    pub visibility: Option<String>,
    /// Gradual rollout percentage.
    #[arg(long, help_heading = "Submission")]
    pub rollout_percentage: Option<String>,
    /// fail (default), halt or finalize a rollout still in progress.
    #[arg(long, help_heading = "Submission")]
    pub existing_rollout: Option<String>,
    /// Mark the packages as a mandatory update.
    #[arg(long, help_heading = "Submission")]
    pub mandatory_update: Option<String>,
    /// When the mandatory update takes effect (ISO 8601).
    #[arg(long, help_heading = "Submission")]
    pub mandatory_update_effective_date: Option<String>,
    /// Use this ready zip instead of building one.
    #[arg(long, help_heading = "Submission")]
    pub upload_zip: Option<String>,
    /// Where to write the built zip.
    #[arg(long, help_heading = "Submission")]
    pub zip_path: Option<String>,

    // --- how to run ---
    /// A pending submission exists: fail (default), delete or reuse.
    #[arg(long, help_heading = "Run")]
    pub on_pending: Option<String>,
    /// false leaves the submission as an uncommitted draft (default true).
    #[arg(long, help_heading = "Run")]
    pub commit: Option<String>,
    /// none, committed (default), certified or published.
    #[arg(long, help_heading = "Run")]
    pub wait_for: Option<String>,
    /// How long to wait for wait-for (default 60m).
    #[arg(long, help_heading = "Run")]
    pub timeout: Option<String>,
    /// First wait between status polls (default 30s).
    #[arg(long, help_heading = "Run")]
    pub poll_interval: Option<String>,
    /// Read-only: print the plan, change nothing.
    #[arg(long, help_heading = "Run")]
    pub dry_run: Option<String>,
    /// Run against the built-in simulator.
    #[arg(long, help_heading = "Run")]
    pub simulate: Option<String>,
    /// Blocks in flight during the upload.
    #[arg(long, help_heading = "Run")]
    pub upload_concurrency: Option<String>,
    /// Block size for the upload (e.g. 8MiB).
    #[arg(long, help_heading = "Run")]
    pub upload_block_size: Option<String>,
    /// text (default) or json.
    #[arg(long, help_heading = "Run")]
    pub output: Option<String>,
    /// error, warn, info (default), debug or trace.
    #[arg(long, help_heading = "Run")]
    pub log_level: Option<String>,
    /// Partner Center calls allowed per minute (or N/DURATION, or off; default 15).
    #[arg(long, help_heading = "Run")]
    pub rate_limit: Option<String>,
    /// How long one Partner Center call may take (default 3m).
    #[arg(long, help_heading = "Run")]
    pub request_timeout: Option<String>,

    // --- command-specific ---
    /// Flight group ids (create-flight).
    #[arg(long, help_heading = "Commands")]
    pub group_ids: Option<String>,
    /// Friendly name of the flight the new one ranks above (create-flight).
    #[arg(long, help_heading = "Commands")]
    pub rank_higher_than: Option<String>,
    /// Durable or Consumable (create-addon).
    #[arg(long, help_heading = "Commands")]
    pub addon_type: Option<String>,
    /// get, update, halt or finalize (rollout).
    #[arg(long, help_heading = "Commands")]
    pub rollout_action: Option<String>,
    /// apps, flights or addons (list).
    #[arg(long, help_heading = "Commands")]
    pub list: Option<String>,
    /// Address the simulator listens on (default 127.0.0.1:0).
    #[arg(long, help_heading = "Commands")]
    pub listen: Option<String>,
    /// How long each simulated processing phase lasts (simulator, simulate; default 2s).
    #[arg(long, help_heading = "Commands")]
    pub simulator_phase: Option<String>,
    /// Azure Storage connection string (e.g. Azurite's): the simulator's upload URLs point there (simulator, simulate).
    #[arg(long, help_heading = "Commands")]
    pub simulator_storage: Option<String>,
    /// Lifetime of the simulator's Partner Center tokens (simulator, simulate; default 3599s).
    #[arg(long, help_heading = "Commands")]
    pub simulator_token_lifetime: Option<String>,
    /// How long the simulator's upload URLs stay valid (simulator, simulate; default 24h).
    #[arg(long, help_heading = "Commands")]
    pub simulator_upload_url_lifetime: Option<String>,
}

/// Where an input's value came from; shown in error messages so users know what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("command line"),
            Source::Env(name) => write!(f, "environment variable {name}"),
        }
    }
}

/// One given input: its text and where it came from.
#[derive(Debug, Clone)]
pub struct Given {
    pub value: String,
    pub source: Source,
}

/// The merged inputs: name → value, highest-priority source first. Empty values are absent.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    values: BTreeMap<String, Given>,
}

impl Inputs {
    /// Every input name of the interface, in kebab-case.
    pub fn names() -> Vec<String> {
        match serde_json::to_value(RawInputs::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => unreachable!("RawInputs serializes to an object"),
        }
    }

    /// Merge flags over `MSSTORE_*` over `INPUT_*` from the given environment.
    pub fn gather(
        flags: RawInputs,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut inputs = Inputs::default();
        inputs.layer(to_map(&flags)?, |_| Source::Flag);
        for prefix in ["MSSTORE_", "INPUT_"] {
            let (raw, names) = from_env(prefix, &env)?;
            inputs.layer(to_map(&raw)?, |name| {
                Source::Env(names.get(name).cloned().unwrap_or_default())
            });
        }
        Ok(inputs)
    }

    fn layer(&mut self, map: BTreeMap<String, String>, source: impl Fn(&str) -> Source) {
        for (name, value) in map {
            if value.is_empty() || self.values.contains_key(&name) {
                continue;
            }
            let source = source(&name);
            self.values.insert(name, Given { value, source });
        }
    }

    pub fn get(&self, name: &str) -> Option<&Given> {
        debug_assert!(
            Inputs::names().iter().any(|n| n == name),
            "unknown input {name}"
        );
        self.values.get(name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|g| g.value.as_str())
    }

    pub fn is_given(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn given_names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(
            name.to_string(),
            Given {
                value: value.to_string(),
                source: Source::Flag,
            },
        );
    }
}

fn to_map(raw: &RawInputs) -> anyhow::Result<BTreeMap<String, String>> {
    let value = serde_json::to_value(raw)?;
    let serde_json::Value::Object(map) = value else {
        anyhow::bail!("inputs did not serialize to an object");
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect())
}

/// Reads `PREFIX*` variables into [`RawInputs`] with envy. The GitHub runner keeps hyphens
/// (`INPUT_CLIENT-SECRET`), the Azure agent and shells use `_`; both map to the same input.
/// Empty values are dropped first: the runner sets every declared input, `""` when unset.
/// Returns the inputs and, per input name, the variable it was read from.
fn from_env(
    prefix: &str,
    env: &[(String, String)],
) -> anyhow::Result<(RawInputs, BTreeMap<String, String>)> {
    // name → (variable, value)
    let mut chosen: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for (key, value) in env {
        let Some(rest) = key.strip_prefix(prefix) else {
            continue;
        };
        if value.is_empty() || rest.is_empty() {
            continue;
        }
        let name = rest.to_ascii_lowercase().replace('_', "-");
        // Of two spellings of the same input, the hyphenated one (the GitHub runner's) wins,
        // and the choice does not depend on the environment's order.
        let replaces = match chosen.get(&name) {
            None => true,
            Some((previous, _)) => rest.contains('-') && !previous.contains('-'),
        };
        if replaces {
            chosen.insert(name, (key, value));
        }
    }
    let raw: RawInputs = envy::from_iter(
        chosen
            .iter()
            .map(|(name, (_, value))| (name.clone(), value.to_string())),
    )?;
    let names = chosen
        .into_iter()
        .map(|(name, (key, _))| (name, key.to_string()))
        .collect();
    Ok((raw, names))
}

/// Warnings for variables with the tool's prefixes that name no input (a misspelled
/// `MSSTORE_RELEASE_NOTE` would otherwise be ignored without a word), each naming the
/// closest input.
///
/// False positives, and why they are few: the GitHub runner sets `INPUT_<NAME>` only for
/// the inputs action.yml declares, which are all inputs (a unit test keeps them in step), and
/// an Azure Pipelines task gets `INPUT_*` only for its own inputs. But `INPUT_` is a shared
/// convention (any action's or task's inputs, a pipeline variable named `input.x`), so an
/// `INPUT_*` variable warns only when it is one or two edits from an input of ours — a
/// likely typo; one far from every input is taken to be another tool's. `MSSTORE_` is ours
/// alone: every unknown one warns. Empty values are skipped, as they count as not given.
pub fn unknown_variables<'a>(
    env: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Vec<String> {
    let names = Inputs::names();
    let mut warnings = Vec::new();
    for (key, value) in env {
        let (prefix, rest) = match ["MSSTORE_", "INPUT_"]
            .iter()
            .find_map(|p| key.strip_prefix(p).map(|rest| (*p, rest)))
        {
            Some(found) => found,
            None => continue,
        };
        if rest.is_empty() || value.is_empty() {
            continue;
        }
        let name = rest.to_ascii_lowercase().replace('_', "-");
        if names.contains(&name) {
            continue;
        }
        let closest = names
            .iter()
            .map(|n| (edit_distance(n, &name), n))
            .min()
            .filter(|(distance, n)| *distance <= 2.max(n.len() / 4));
        match closest {
            Some((_, input)) => warnings.push(format!(
                "environment variable {key} names no input and is ignored; did you mean `{input}` ({prefix}{})?",
                input.to_ascii_uppercase().replace('-', "_")
            )),
            None if prefix == "MSSTORE_" => warnings.push(format!(
                "environment variable {key} names no input and is ignored (docs/inputs.md lists the inputs)"
            )),
            None => {}
        }
    }
    warnings
}

/// Levenshtein distance, for the few dozen short names above.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_beat_msstore_beat_input() {
        let flags = RawInputs {
            app_id: Some("FLAG".into()),
            ..Default::default()
        };
        let inputs = Inputs::gather(
            flags,
            env(&[
                ("MSSTORE_APP_ID", "MSSTORE"),
                ("INPUT_APP-ID", "INPUT"),
                ("MSSTORE_TENANT_ID", "tenant-from-msstore"),
                ("INPUT_TENANT_ID", "tenant-from-input"),
                ("INPUT_CLIENT-ID", "client-from-input"),
            ]),
        )
        .unwrap();
        assert_eq!(inputs.value("app-id"), Some("FLAG"));
        assert_eq!(inputs.get("app-id").unwrap().source, Source::Flag);
        assert_eq!(inputs.value("tenant-id"), Some("tenant-from-msstore"));
        assert_eq!(inputs.value("client-id"), Some("client-from-input"));
        assert_eq!(
            inputs.get("client-id").unwrap().source,
            Source::Env("INPUT_CLIENT-ID".into())
        );
    }

    #[test]
    fn empty_values_are_not_given() {
        let inputs = Inputs::gather(
            RawInputs::default(),
            env(&[
                ("INPUT_APP-ID", ""),
                ("MSSTORE_APP_ID", ""),
                ("INPUT_WAIT-FOR", "none"),
            ]),
        )
        .unwrap();
        assert!(!inputs.is_given("app-id"));
        assert_eq!(inputs.value("wait-for"), Some("none"));
    }

    #[test]
    fn an_empty_hyphenated_input_does_not_hide_the_underscore_one() {
        let inputs = Inputs::gather(
            RawInputs::default(),
            env(&[("INPUT_APP-ID", ""), ("INPUT_APP_ID", "9NBLGGH4R315")]),
        )
        .unwrap();
        assert_eq!(inputs.value("app-id"), Some("9NBLGGH4R315"));
    }

    #[test]
    fn hyphenated_spelling_wins_whatever_the_order() {
        for order in [
            [("INPUT_APP_ID", "underscore"), ("INPUT_APP-ID", "hyphen")],
            [("INPUT_APP-ID", "hyphen"), ("INPUT_APP_ID", "underscore")],
        ] {
            let inputs = Inputs::gather(RawInputs::default(), env(&order)).unwrap();
            assert_eq!(inputs.value("app-id"), Some("hyphen"));
        }
    }

    #[test]
    fn unrelated_variables_are_ignored() {
        let inputs = Inputs::gather(
            RawInputs::default(),
            env(&[
                ("INPUT_", "x"),
                ("INPUT_NOT-AN-INPUT", "x"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(inputs.given_names().count(), 0);
    }

    #[test]
    fn variables_that_name_no_input_warn_with_the_closest_input() {
        let env: std::collections::BTreeMap<String, String> = [
            ("MSSTORE_RELEASE_NOTE", "v1"),
            ("INPUT_RELEASE-NOTE", "v1"),
            ("MSSTORE_RELEASE_NOTES", "ok"),
            ("MSSTORE_SOMETHING_ELSE_ENTIRELY", "x"),
            ("INPUT_SOMETHING_ELSE_ENTIRELY", "another tool's"),
            ("MSSTORE_APP_IDD", ""),
            ("PATH", "/bin"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let warnings = unknown_variables(&env);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].contains("INPUT_RELEASE-NOTE")
                && warnings[0].contains("`release-notes` (INPUT_RELEASE_NOTES)")
        );
        assert!(
            warnings[1].contains("MSSTORE_RELEASE_NOTE ")
                && warnings[1].contains("`release-notes` (MSSTORE_RELEASE_NOTES)")
        );
        assert!(
            warnings[2].contains("MSSTORE_SOMETHING_ELSE_ENTIRELY")
                && warnings[2].contains("docs/inputs.md")
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn names_are_kebab_case() {
        let names = Inputs::names();
        assert!(names.contains(&"client-secret".to_string()));
        assert!(names.contains(&"mandatory-update-effective-date".to_string()));
        assert!(names.iter().all(|n| !n.contains('_')));
    }
}
