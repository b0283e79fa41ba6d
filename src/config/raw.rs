//! Reading inputs from their three sources (docs/inputs.md): flags, `MSSTORE_*`, `INPUT_*`.
//!
//! Every input is kept as text here, with the place it came from, so that validation can
//! report problems naming both the input and its source, and can see all problems at once.

use std::collections::BTreeMap;

use super::catalog;

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
    /// Every input name of the interface, in kebab-case ([`catalog::INPUTS`]).
    pub fn names() -> Vec<String> {
        catalog::names().map(str::to_string).collect()
    }

    /// Merge flags (input name → value, from `cli::parse`) over `MSSTORE_*` over
    /// `INPUT_*` from the given environment.
    pub fn gather(
        flags: BTreeMap<String, String>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut inputs = Inputs::default();
        inputs.layer(flags, |_| Source::Flag);
        for prefix in ["MSSTORE_", "INPUT_"] {
            let (values, names) = from_env(prefix, &env);
            inputs.layer(values, |name| {
                Source::Env(names.get(name).cloned().unwrap_or_default())
            });
        }
        inputs
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

/// Reads the `PREFIX*` variables that name an input. The GitHub runner keeps hyphens
/// (`INPUT_CLIENT-SECRET`), the Azure agent and shells use `_`; both map to the same input.
/// Empty values are dropped first: the runner sets every declared input, `""` when unset.
/// Returns name → value and, per input name, the variable it was read from.
fn from_env(
    prefix: &str,
    env: &[(String, String)],
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
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
        if catalog::find(&name).is_none() {
            continue;
        }
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
    let values = chosen
        .iter()
        .map(|(name, (_, value))| (name.clone(), value.to_string()))
        .collect();
    let names = chosen
        .into_iter()
        .map(|(name, (key, _))| (name, key.to_string()))
        .collect();
    (values, names)
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
        let flags = BTreeMap::from([("app-id".to_string(), "FLAG".to_string())]);
        let inputs = Inputs::gather(
            flags,
            env(&[
                ("MSSTORE_APP_ID", "MSSTORE"),
                ("INPUT_APP-ID", "INPUT"),
                ("MSSTORE_TENANT_ID", "tenant-from-msstore"),
                ("INPUT_TENANT_ID", "tenant-from-input"),
                ("INPUT_CLIENT-ID", "client-from-input"),
            ]),
        );
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
            BTreeMap::new(),
            env(&[
                ("INPUT_APP-ID", ""),
                ("MSSTORE_APP_ID", ""),
                ("INPUT_WAIT-FOR", "none"),
            ]),
        );
        assert!(!inputs.is_given("app-id"));
        assert_eq!(inputs.value("wait-for"), Some("none"));
    }

    #[test]
    fn an_empty_hyphenated_input_does_not_hide_the_underscore_one() {
        let inputs = Inputs::gather(
            BTreeMap::new(),
            env(&[("INPUT_APP-ID", ""), ("INPUT_APP_ID", "9NBLGGH4R315")]),
        );
        assert_eq!(inputs.value("app-id"), Some("9NBLGGH4R315"));
    }

    #[test]
    fn hyphenated_spelling_wins_whatever_the_order() {
        for order in [
            [("INPUT_APP_ID", "underscore"), ("INPUT_APP-ID", "hyphen")],
            [("INPUT_APP-ID", "hyphen"), ("INPUT_APP_ID", "underscore")],
        ] {
            let inputs = Inputs::gather(BTreeMap::new(), env(&order));
            assert_eq!(inputs.value("app-id"), Some("hyphen"));
        }
    }

    #[test]
    fn unrelated_variables_are_ignored() {
        let inputs = Inputs::gather(
            BTreeMap::new(),
            env(&[
                ("INPUT_", "x"),
                ("INPUT_NOT-AN-INPUT", "x"),
                ("PATH", "/bin"),
            ]),
        );
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
