//! `submit` for MSI/EXE products (a GUID `app-id`, docs/msi-exe.md): which inputs apply,
//! `seller-id`, `store-api-base-url`, `installers`, and the checks of installers that need
//! no network (the pre-flight, src/msi/preflight.rs, reads the files later).

use super::*;
use crate::config::msi::{self, Installers, MsiSubmitConfig};

/// Inputs of MSIX products that mean nothing for an MSI/EXE product, and why.
const MSIX_ONLY: &[(&str, &str)] = &[
    (
        "packages",
        "MSI/EXE products take `installers` (URLs of hosted installers), not package files",
    ),
    (
        "upload-zip",
        "MSI/EXE products have no upload zip: the Store downloads the installers from their URLs",
    ),
    ("zip-path", "MSI/EXE products have no upload zip"),
    (
        "assets-dir",
        "not supported for MSI/EXE products yet: change listing images in Partner Center",
    ),
    (
        "allow-dropped-platforms",
        "MSI/EXE products have no package platforms",
    ),
    ("flight-id", "MSI/EXE products have no package flights"),
    ("flight-name", "MSI/EXE products have no package flights"),
    ("addon-id", "MSI/EXE products have no add-ons"),
    ("addon-product-id", "MSI/EXE products have no add-ons"),
    (
        "submission-id",
        "an MSI/EXE product has one draft, not submissions to continue",
    ),
    (
        "rollout-percentage",
        "the MSI/EXE API has no gradual rollout",
    ),
    ("existing-rollout", "the MSI/EXE API has no gradual rollout"),
    ("target-publish-mode", "the MSI/EXE API has no publish mode"),
    ("target-publish-date", "the MSI/EXE API has no publish date"),
    (
        "visibility",
        "set an MSI/EXE product's visibility with `submission-patch` over `availability` (`discoverability`)",
    ),
    (
        "mandatory-update",
        "the MSI/EXE API has no mandatory updates",
    ),
    (
        "mandatory-update-effective-date",
        "the MSI/EXE API has no mandatory updates",
    ),
    ("upload-concurrency", "MSI/EXE products upload nothing"),
    ("upload-block-size", "MSI/EXE products upload nothing"),
];

impl Check<'_> {
    /// `app-id` is a Partner Center product id (a GUID): the MSI/EXE API.
    pub(super) fn is_msi_product(&self) -> bool {
        self.inputs
            .value("app-id")
            .is_some_and(|v| msi::is_product_id(v.trim()))
    }

    /// On an MSIX product, `installers` is a mistake worth stopping for.
    pub(super) fn no_msi_inputs_for_msix(&mut self) {
        if self.inputs.is_given("installers") {
            self.problem(
                "installers",
                "is for MSI/EXE products, whose `app-id` is the Partner Center product id (a GUID); an MSIX product (12-character Store ID) takes `packages`",
            );
        }
    }

    pub(super) fn msi_submit(&mut self) -> Option<MsiSubmitConfig> {
        let session = self.session();
        let product_id = self.inputs.value("app-id")?.trim().to_ascii_lowercase();
        let simulate = session.as_ref().is_some_and(|s| s.simulate.is_some());
        let seller_id = self.seller_id();
        let store_api_base_url = self.url("store-api-base-url", msi::DEFAULT_STORE_API);
        if simulate && self.inputs.is_given("store-api-base-url") {
            self.warnings.push(
                "`store-api-base-url` ignored: `simulate` talks to the built-in simulator".into(),
            );
        }
        for (input, why) in MSIX_ONLY {
            if self.inputs.is_given(input) {
                self.problem(input, format!("does not apply to MSI/EXE products: {why}"));
            }
        }
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
        if on_pending == OnPending::Delete {
            self.problem(
                "on-pending",
                "`delete` is not possible for MSI/EXE products: the API cannot cancel a submission (only Partner Center can, with \"Cancel review\"); use `fail` or `reuse` (wait for it to finish)",
            );
        }
        let commit = self.boolean("commit", true);
        let wait = self.wait(simulate);
        if !commit && self.inputs.is_given("wait-for") && wait.wait_for != WaitFor::None {
            self.warnings.push(
                "`wait-for` ignored: `commit` is false, so there is nothing to wait for".into(),
            );
        }
        let loopback_installers = simulate
            || store_api_base_url
                .as_ref()
                .is_some_and(crate::config::is_loopback);
        let installers = self.installers(loopback_installers);
        let patch = self.patch();
        if let Some(patch) = &patch {
            self.msi_patch_shape(patch);
        }
        let release_notes = self.inputs.value("release-notes").map(str::to_string);
        let release_notes_by_language = self.release_notes_dir();
        let notes_for_certification = self
            .inputs
            .value("notes-for-certification")
            .map(str::to_string);
        if notes_for_certification
            .as_ref()
            .is_some_and(|n| n.chars().count() > 2000)
        {
            self.problem(
                "notes-for-certification",
                "is longer than 2000 characters, the limit of `certificationNotes`",
            );
        }
        if let Some(notes) = &release_notes
            && notes.chars().count() > 1500
        {
            self.problem(
                "release-notes",
                "is longer than 1500 characters, the limit of a listing's `whatsNew`",
            );
        }
        let dry_run = self.dry_run();
        let listings = self.msi_listings();
        if installers.is_none()
            && listings.is_none()
            && !self.inputs.is_given("listings-dir")
            && patch.is_none()
            && release_notes.is_none()
            && release_notes_by_language.is_empty()
            && notes_for_certification.is_none()
            && !self.inputs.is_given("installers")
            && !self.inputs.is_given("release-notes-dir")
            && !self.inputs.is_given("submission-patch")
            && !self.inputs.is_given("submission-patch-file")
        {
            self.problem(
                "installers",
                "nothing to submit: give `installers`, `listings-dir`, `submission-patch`, `release-notes`, `release-notes-dir` or `notes-for-certification`",
            );
        }
        Some(MsiSubmitConfig {
            session: session?,
            product_id,
            seller_id: seller_id?,
            store_api_base_url: store_api_base_url?,
            installers,
            package_mode,
            patch,
            release_notes,
            release_notes_by_language,
            notes_for_certification,
            on_pending,
            commit,
            wait,
            dry_run,
            submission_id: None,
            loopback_installers,
            listings,
        })
    }

    /// `status` for an MSI/EXE product: the submission in progress, or `submission-id`.
    pub(super) fn msi_status(&mut self) -> Option<MsiSubmitConfig> {
        let session = self.session();
        let product_id = self.inputs.value("app-id")?.trim().to_ascii_lowercase();
        let simulate = session.as_ref().is_some_and(|s| s.simulate.is_some());
        let seller_id = self.seller_id();
        let store_api_base_url = self.url("store-api-base-url", msi::DEFAULT_STORE_API);
        for input in ["flight-id", "flight-name", "addon-id", "addon-product-id"] {
            if self.inputs.is_given(input) {
                self.problem(
                    input,
                    "does not apply to MSI/EXE products: they have no flights or add-ons",
                );
            }
        }
        let submission_id = self.submission_id();
        let mut wait = self.wait(simulate);
        if !self.inputs.is_given("wait-for") {
            wait.wait_for = WaitFor::None;
        }
        Some(MsiSubmitConfig {
            session: session?,
            product_id,
            seller_id: seller_id?,
            store_api_base_url: store_api_base_url?,
            installers: None,
            package_mode: PackageMode::Replace,
            patch: None,
            release_notes: None,
            release_notes_by_language: Default::default(),
            notes_for_certification: None,
            on_pending: OnPending::Fail,
            commit: false,
            wait,
            dry_run: false,
            submission_id,
            loopback_installers: simulate,
            listings: None,
        })
    }

    /// The numeric seller id, sent as `X-Seller-Account-Id`.
    fn seller_id(&mut self) -> Option<String> {
        let Some(text) = self.inputs.value("seller-id").map(str::trim) else {
            self.problem(
                "seller-id",
                "is required for MSI/EXE products (a GUID `app-id`): the Seller ID from Partner Center → Account settings → Legal info, sent as X-Seller-Account-Id",
            );
            return None;
        };
        if !text.is_empty() && text.len() <= 18 && text.chars().all(|c| c.is_ascii_digit()) {
            Some(text.to_string())
        } else {
            self.problem(
                "seller-id",
                format!("`{text}` is not a seller id (digits, like 123456892)"),
            );
            None
        }
    }

    /// `installers`, with every check that needs no network: the URL's scheme, the
    /// architecture, `packageType`, the 40-character limit and the silent-install rules.
    fn installers(&mut self, loopback: bool) -> Option<Installers> {
        let text = self.inputs.value("installers")?;
        let installers = match msi::parse_installers(text) {
            Ok(i) => i,
            Err(problems) => {
                for p in problems {
                    self.problem("installers", p);
                }
                return None;
            }
        };
        let urls: Vec<(String, String)> = match &installers {
            Installers::Urls(urls) => urls
                .iter()
                .map(|(a, u)| (a.to_string(), u.to_string()))
                .collect(),
            Installers::Packages(packages) => packages
                .iter()
                .map(|p| {
                    (
                        p["architectures"][0].as_str().unwrap_or("").to_string(),
                        p["packageUrl"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect(),
        };
        let before = self.problems.len();
        for (arch, url) in &urls {
            if let Some(problem) = msi::url_problem(url, loopback) {
                self.problem("installers", format!("the {arch} installer {problem}"));
            }
        }
        if let Installers::Packages(packages) = &installers {
            for package in packages {
                let arch = package["architectures"][0].as_str().unwrap_or("");
                for problem in msi::settings_problems(package) {
                    self.problem("installers", format!("the {arch} package: {problem}"));
                }
            }
        }
        (self.problems.len() == before).then_some(installers)
    }

    /// A patch of the modules: `listings` keyed by language, `properties`, `availability`.
    fn msi_patch_shape(&mut self, patch: &serde_json::Value) {
        let name = self.patch_input_name();
        let Some(map) = patch.as_object() else {
            return;
        };
        for (key, value) in map {
            match key.as_str() {
                "listings" => match value.as_object() {
                    Some(listings) => {
                        for (language, listing) in listings {
                            if listing.is_null() {
                                // A merge patch's null would remove the language; the API
                                // cannot, and a run that did nothing must not pass as done.
                                self.problem(
                                    &name,
                                    format!("`listings.{language}` is null: languages are removed in Partner Center, not through the API"),
                                );
                            } else if !listing.is_object() {
                                self.problem(
                                    &name,
                                    format!("`listings.{language}` must be an object (the fields of that language's listing)"),
                                );
                            }
                        }
                    }
                    None if value.is_null() => self.problem(
                        &name,
                        "`listings` is null: languages are removed in Partner Center, not through the API",
                    ),
                    None => self.problem(
                        &name,
                        "`listings` must be an object keyed by language, e.g. {\"listings\": {\"en-us\": {\"whatsNew\": \"…\"}}}",
                    ),
                },
                "properties" | "availability" => {
                    if value.is_null() {
                        self.problem(
                            &name,
                            format!("`{key}` is null: a module cannot be removed (languages are removed in Partner Center); give the fields to change"),
                        );
                    } else if !value.is_object() {
                        self.problem(&name, format!("`{key}` must be an object"));
                    }
                }
                other => self.problem(
                    &name,
                    format!(
                        "`{other}` is not a module of an MSI/EXE product: the patch may hold `listings` (keyed by language), `properties` and `availability`"
                    ),
                ),
            }
        }
    }
}
