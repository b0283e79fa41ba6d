//! Inputs of release control (issue 8): gradual rollout, publish mode and date, visibility,
//! mandatory updates, per-language release notes, dry run, and the `rollout` command.
//! Everything that can be checked without the network is checked here, all at once.

use std::collections::BTreeMap;

use super::super::values::{parse_percentage, parse_timestamp};
use super::*;

/// Inputs that only mean something for products with packages (apps and flights):
/// `packageDeliveryOptions` does not exist for add-ons (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions).
const PACKAGE_DELIVERY_INPUTS: &[&str] = &[
    "rollout-percentage",
    "existing-rollout",
    "mandatory-update",
    "mandatory-update-effective-date",
];

/// Commands that change something in Partner Center: `dry-run` given to one of them is
/// refused, never ignored (ignoring it would make the change the user meant to preview).
const CHANGING_COMMANDS: &[&str] = &[
    "create-flight",
    "delete-flight",
    "create-addon",
    "delete-addon",
    "rollout",
];

impl Check<'_> {
    /// `rollout-percentage`, `target-publish-mode`/`-date`, `visibility`, `mandatory-update`
    /// and its date, as given; product-specific refusals are in [`Self::release_fits_the_product`].
    pub(super) fn release_options(&mut self) -> ReleaseOptions {
        let rollout_percentage = self.percentage("rollout-percentage");
        let publish_mode = self.inputs.is_given("target-publish-mode").then(|| {
            self.one_of(
                "target-publish-mode",
                &[
                    ("Immediate", PublishMode::Immediate),
                    ("Manual", PublishMode::Manual),
                    ("SpecificDate", PublishMode::SpecificDate),
                ],
                PublishMode::Immediate,
            )
        });
        let publish_date = self.timestamp("target-publish-date");
        match (publish_mode, self.inputs.is_given("target-publish-date")) {
            (Some(PublishMode::SpecificDate), false) => self.problem(
                "target-publish-date",
                "is required with `target-publish-mode: SpecificDate`: the moment to publish, e.g. 2026-12-01T09:00:00Z",
            ),
            (Some(PublishMode::SpecificDate), true) => {
                if let Some(date) = publish_date
                    && date <= jiff::Timestamp::now()
                {
                    self.warnings.push(format!(
                        "`target-publish-date` {} is in the past: the submission publishes as soon as it passes certification",
                        super::super::values::format_timestamp(date)
                    ));
                }
            }
            (mode, true) => self.problem(
                "target-publish-date",
                format!(
                    "is only used with `target-publish-mode: SpecificDate`{}",
                    match mode {
                        Some(mode) => format!(", not `{}`", mode.as_str()),
                        None => " (set it too: the date alone does not change the publish mode)"
                            .to_string(),
                    }
                ),
            ),
            (_, false) => {}
        }
        let visibility = self.inputs.is_given("visibility").then(|| {
            self.one_of(
                "visibility",
                &[
                    ("Public", Visibility::Public),
                    ("Private", Visibility::Private),
                    ("Hidden", Visibility::Hidden),
                ],
                Visibility::Public,
            )
        });
        let mandatory_update = self
            .inputs
            .is_given("mandatory-update")
            .then(|| self.boolean("mandatory-update", false));
        let mandatory_update_effective_date = self.timestamp("mandatory-update-effective-date");
        if self.inputs.is_given("mandatory-update-effective-date") && mandatory_update != Some(true)
        {
            self.problem(
                "mandatory-update-effective-date",
                "is only used with `mandatory-update: true`",
            );
        }
        ReleaseOptions {
            rollout_percentage,
            publish_mode,
            publish_date: publish_date.filter(|_| publish_mode == Some(PublishMode::SpecificDate)),
            visibility,
            mandatory_update,
            mandatory_update_effective_date,
        }
    }

    pub(super) fn existing_rollout(&mut self) -> ExistingRollout {
        self.one_of(
            "existing-rollout",
            &[
                ("fail", ExistingRollout::Fail),
                ("halt", ExistingRollout::Halt),
                ("finalize", ExistingRollout::Finalize),
            ],
            ExistingRollout::Fail,
        )
    }

    /// `release-notes-dir`: one `<language>.txt` per listing language, UTF-8. Which
    /// languages the submission has is known only once it is read; everything else is
    /// checked here.
    pub(super) fn release_notes_dir(&mut self) -> BTreeMap<String, String> {
        let mut notes = BTreeMap::new();
        if !self.inputs.is_given("release-notes-dir") {
            return notes;
        }
        if self.inputs.is_given("release-notes") {
            self.problem(
                "release-notes-dir",
                "give either `release-notes` (the same notes for every listing) or `release-notes-dir` (one file per language), not both",
            );
        }
        let Some(dir) = self.existing_dir("release-notes-dir") else {
            return notes;
        };
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problem(
                    "release-notes-dir",
                    format!("cannot read {}: {e}", dir.display()),
                );
                return notes;
            }
        };
        let mut names: Vec<(String, std::path::PathBuf)> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_name().into_string() {
                // Hidden files (.DS_Store, .gitkeep) are not notes.
                Ok(name) if name.starts_with('.') => {}
                Ok(name) => names.push((name, path)),
                Err(name) => self.problem(
                    "release-notes-dir",
                    format!("{} is not a UTF-8 file name", name.to_string_lossy()),
                ),
            }
        }
        names.sort();
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for (name, path) in names {
            let language = name
                .strip_suffix(".txt")
                .filter(|stem| is_language_code(stem))
                .map(str::to_ascii_lowercase);
            let Some(language) = language.filter(|_| path.is_file()) else {
                self.problem(
                    "release-notes-dir",
                    format!(
                        "`{name}` is not a release-notes file: the folder holds one `<language>.txt` per listing language, named like en-us.txt or de-de.txt"
                    ),
                );
                continue;
            };
            if let Some(other) = sources.insert(language.clone(), name.clone()) {
                self.problem(
                    "release-notes-dir",
                    format!("`{other}` and `{name}` are both for {language}"),
                );
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        let text = text.trim_start_matches('\u{feff}');
                        notes.insert(language, text.trim_end().to_string());
                    }
                    Err(e) => self.problem(
                        "release-notes-dir",
                        format!(
                            "`{name}` is not UTF-8 (invalid byte at offset {}): save it as UTF-8",
                            e.utf8_error().valid_up_to()
                        ),
                    ),
                },
                Err(e) => self.problem("release-notes-dir", format!("cannot read `{name}`: {e}")),
            }
        }
        if notes.is_empty() && !self.problems.iter().any(|p| p.input == "release-notes-dir") {
            self.problem(
                "release-notes-dir",
                format!("{} holds no `<language>.txt` file", dir.display()),
            );
        }
        notes
    }

    /// Release-control inputs a product cannot take: flights have no listings or
    /// visibility, add-ons no packages to roll out or make mandatory.
    pub(super) fn release_fits_the_product(&mut self, kind: ProductKind) {
        let refused: &[(&str, &str)] = match kind {
            ProductKind::App => &[],
            ProductKind::Flight => &[
                (
                    "release-notes-dir",
                    "a package flight has no listings, so no release notes; set them on the app's submission",
                ),
                (
                    "visibility",
                    "a package flight has no visibility of its own: its groups decide who sees it",
                ),
            ],
            ProductKind::Addon => &[
                ("release-notes-dir", "add-on listings have no release notes"),
                (
                    "rollout-percentage",
                    "add-ons have no gradual rollout (there is no packageDeliveryOptions on add-on submissions)",
                ),
                (
                    "existing-rollout",
                    "add-ons have no gradual rollout, so there is no rollout to halt or finalize",
                ),
                (
                    "mandatory-update",
                    "add-ons have no packages to make mandatory",
                ),
                (
                    "mandatory-update-effective-date",
                    "add-ons have no packages to make mandatory",
                ),
            ],
        };
        for (input, why) in refused {
            if self.inputs.is_given(input) {
                self.problem(input, why.to_string());
            }
        }
        debug_assert!(
            kind != ProductKind::Addon
                || PACKAGE_DELIVERY_INPUTS
                    .iter()
                    .all(|i| refused.iter().any(|(r, _)| r == i))
        );
    }

    pub(super) fn dry_run(&mut self) -> bool {
        self.boolean("dry-run", false)
    }

    /// `dry-run: true` given to another command: refused where the command changes
    /// something, ignored (with the usual warning) where it only reads.
    pub(super) fn dry_run_elsewhere(&mut self, command: &str) {
        if command != "submit"
            && CHANGING_COMMANDS.contains(&command)
            && self.inputs.is_given("dry-run")
            && self.boolean("dry-run", false)
        {
            self.problem(
                "dry-run",
                format!(
                    "is only for `submit`; `{command}` has no dry run and would make its change: remove `dry-run` (or run `status` to look)"
                ),
            );
        }
    }

    /// `rollout`: read or change the gradual rollout of the last published app or flight
    /// submission.
    pub(super) fn rollout(&mut self) -> Option<RolloutConfig> {
        let session = self.session();
        let product = self.product();
        if let Some(ProductSpec::Addon { .. }) = &product {
            let input = if self.inputs.is_given("addon-id") {
                "addon-id"
            } else {
                "addon-product-id"
            };
            self.problem(
                input,
                "add-ons have no gradual rollout: `rollout` works on an app (`app-id`) or one of its flights (`flight-id`/`flight-name`)",
            );
        }
        let action = match self.inputs.value("rollout-action").map(str::trim) {
            None => {
                self.problem(
                    "rollout-action",
                    "is required with `rollout`: `get`, `update` (with `rollout-percentage`), `halt` or `finalize`",
                );
                None
            }
            Some(_) => Some(self.one_of(
                "rollout-action",
                &[
                    ("get", RolloutAction::Get),
                    ("update", RolloutAction::Update(0.0)),
                    ("halt", RolloutAction::Halt),
                    ("finalize", RolloutAction::Finalize),
                ],
                RolloutAction::Get,
            )),
        };
        let percentage = self.percentage("rollout-percentage");
        let action = match action {
            Some(RolloutAction::Update(_)) => match percentage {
                Some(p) => Some(RolloutAction::Update(p)),
                None => {
                    if !self.inputs.is_given("rollout-percentage") {
                        self.problem(
                            "rollout-percentage",
                            "is required with `rollout-action: update`: the new percentage, e.g. 50",
                        );
                    }
                    None
                }
            },
            Some(other) => {
                if self.inputs.is_given("rollout-percentage") {
                    self.problem(
                        "rollout-percentage",
                        format!(
                            "is only used with `rollout-action: update`, not `{}`",
                            other.as_str()
                        ),
                    );
                }
                Some(other)
            }
            None => None,
        };
        let product = match product {
            Some(ProductSpec::Addon { .. }) => None,
            other => other,
        };
        Some(RolloutConfig {
            session: session?,
            product: product?,
            action: action?,
        })
    }

    fn percentage(&mut self, name: &str) -> Option<f64> {
        match self.inputs.value(name).map(parse_percentage) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                self.problem(name, e);
                None
            }
        }
    }

    fn timestamp(&mut self, name: &str) -> Option<jiff::Timestamp> {
        match self.inputs.value(name).map(parse_timestamp) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                self.problem(name, e);
                None
            }
        }
    }
}

/// `en`, `en-us`, `zh-hans-cn`, `sr-latn-rs`: the listing keys of the API are language
/// codes (the docs say "country code", their examples show `en-us`:
/// https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions), compared without regard to case.
pub fn is_language_code(text: &str) -> bool {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::is_language_code;

    #[test]
    fn language_codes() {
        for code in [
            "en",
            "en-us",
            "EN-US",
            "de-de",
            "zh-hans-cn",
            "sr-latn-rs",
            "fil",
        ] {
            assert!(is_language_code(code), "{code}");
        }
        for bad in [
            "",
            "e",
            "english",
            "en_us",
            "en-",
            "-us",
            "en-us.txt",
            "12",
            "en-toolongpart",
        ] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
