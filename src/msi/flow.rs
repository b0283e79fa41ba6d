//! `submit` for an MSI/EXE product (docs/msi-exe.md):
//! 1. `GET status`: a submission in flight stops the run (`on-pending: fail`, exit 4) or is
//!    waited for (`reuse`); the API cannot cancel it.
//! 2. `GET packages`, the new package set planned from `installers`, every new installer
//!    read by the pre-flight; `GET metadata` and the modules planned. Any problem: exit 2,
//!    nothing written.
//! 3. `PUT packages` (the whole set, every field the service returned kept),
//!    `POST packages/commit`, `GET status` until the Store has fetched the installers.
//! 4. `PUT metadata` once per changed module (a full-module update replaces the module, so
//!    each is sent whole, as read and changed).
//! 5. `POST submit` and `GET submission/{id}/status` until `wait-for`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::preflight;
use super::{Installers, MsiSubmitConfig};
use crate::config::{OnPending, PackageMode, WaitFor};
use crate::error::Error;
use crate::report::Reporter;
use crate::report::summary::{PlanSummary, RunSummary, StatusChange};
use crate::store_api::{StoreApi, messages};

/// `submit` for an MSI/EXE product, through `api` (src/commands/msi.rs connects).
pub async fn submit(
    config: &MsiSubmitConfig,
    api: &StoreApi,
    http: &reqwest::Client,
    reporter: &Reporter,
    summary: &mut RunSummary,
) -> Result<(), Error> {
    Flow {
        config,
        api,
        http,
        reporter,
        summary,
    }
    .run()
    .await
}

/// `status` for an MSI/EXE product: the submission in progress (or `submission-id`), and
/// with `wait-for` followed like a submit's. The API lists no past submissions.
pub async fn status(
    config: &MsiSubmitConfig,
    api: &StoreApi,
    http: &reqwest::Client,
    reporter: &Reporter,
    summary: &mut RunSummary,
) -> Result<(), Error> {
    let mut flow = Flow {
        config,
        api,
        http,
        reporter,
        summary,
    };
    let id = match &config.submission_id {
        Some(id) => id.clone(),
        None => {
            let status = api.get("status", "reading the product's status").await?;
            match status.data["ongoingSubmissionId"]
                .as_str()
                .filter(|s| !s.is_empty())
            {
                Some(id) => id.to_string(),
                None => {
                    tracing::info!(
                        "no submission in progress (the MSI/EXE API lists no past submissions: give `submission-id` to read one)"
                    );
                    flow.output("status", "DRAFT");
                    return Ok(());
                }
            }
        }
    };
    flow.output("submission-id", &id);
    flow.output("submission-url", &submission_url(&config.product_id, &id));
    flow.follow(&id, Instant::now(), true).await
}

fn submission_url(product_id: &str, submission_id: &str) -> String {
    format!(
        "https://partner.microsoft.com/dashboard/products/{product_id}/submissions/{submission_id}/"
    )
}

struct Flow<'a> {
    config: &'a MsiSubmitConfig,
    api: &'a StoreApi,
    http: &'a reqwest::Client,
    reporter: &'a Reporter,
    summary: &'a mut RunSummary,
}

/// One module update: what is sent, and a line for the plan.
struct ModuleUpdate {
    label: String,
    body: Value,
    changes: Vec<String>,
}

impl Flow<'_> {
    async fn run(&mut self) -> Result<(), Error> {
        let started = Instant::now();
        self.ready_for_changes(started).await?;
        let current = self.api.get("packages", "reading the packages").await?;
        let current: Vec<Value> = current.data["packages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let (packages, package_changes) = self.plan_packages(&current).await?;
        let modules = self.plan_metadata().await?;
        let (asset_commits, asset_changes) = self.plan_assets().await?;

        let mut calls = Vec::new();
        if packages.is_some() {
            calls.push("PUT packages (the whole set)".to_string());
            calls.push("POST packages/commit, then GET status until ready".to_string());
        }
        for m in &modules {
            calls.push(format!("PUT metadata ({})", m.label));
        }
        for a in &asset_commits {
            if a.uploads() > 0 {
                calls.push(format!(
                    "POST listings/assets/create ({} slot(s), {}), then Put Blob of each image",
                    a.uploads(),
                    a.language
                ));
            }
            calls.push(format!("PUT listings/assets/commit ({})", a.language));
        }
        if self.config.commit {
            if packages.is_none() {
                calls.push("POST packages/commit, then GET status until ready".to_string());
            }
            calls.push("POST submit".to_string());
        }
        let mut changes = package_changes;
        for m in &modules {
            changes.extend(m.changes.iter().cloned());
        }
        changes.extend(asset_changes);
        for line in &changes {
            tracing::info!("change: {line}");
        }
        if self.config.dry_run {
            self.reporter.group_start("Dry run: the plan");
            for call in &calls {
                tracing::info!("would call: {call}");
            }
            if let Some(packages) = &packages {
                tracing::info!(
                    "would send the packages: {}",
                    crate::secrets::redact(&json!({"packages": packages}).to_string())
                );
            }
            for m in &modules {
                tracing::info!(
                    "would send ({}): {}",
                    m.label,
                    crate::secrets::redact(&m.body.to_string())
                );
            }
            self.reporter.group_end();
            self.summary.plan = Some(PlanSummary {
                calls,
                against: format!("the draft of product {}", self.config.product_id),
                changes,
            });
            self.output("status", "DRAFT");
            return Ok(());
        }

        let packages_committed = packages.is_some();
        if let Some(packages) = packages {
            self.reporter.group_start("Packages");
            self.api
                .put(
                    "packages",
                    &json!({ "packages": packages }),
                    "updating the packages",
                )
                .await?;
            self.api
                .post("packages/commit", "committing the packages")
                .await?;
            tracing::info!("packages committed; waiting for the Store to fetch the installers");
            self.wait_ready(started).await?;
            self.reporter.group_end();
        }
        for m in &modules {
            self.api
                .put("metadata", &m.body, &format!("updating {}", m.label))
                .await?;
            tracing::info!("updated {}", m.label);
        }
        if let Some(folder) = &self.config.listings
            && !asset_commits.is_empty()
        {
            self.reporter.group_start("Listing images");
            let pushed =
                super::listings::push_assets(self.api, self.http, folder, &asset_commits).await;
            self.reporter.group_end();
            pushed?;
        }
        if !self.config.commit {
            tracing::info!("`commit` is false: the draft is left as it is, not submitted");
            self.output("status", "DRAFT");
            return Ok(());
        }
        if !packages_committed {
            // The package set is committed before every submit, as msstore-cli and the
            // deprecated store-submission action do (`submission publish`,
            // https://github.com/microsoft/msstore-cli): a set a previous run updated but did
            // not commit is committed now, and an unchanged one commits at once.
            self.api
                .post("packages/commit", "committing the packages")
                .await?;
            self.wait_ready(started).await?;
        }
        let submitted = self.api.post("submit", "submitting the draft").await?;
        let id = ["submissionId", "ongoingSubmissionId"]
            .iter()
            .find_map(|k| {
                submitted.data[*k]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
            .ok_or_else(|| Error::Api {
                message: "the Store accepted the submission but named no submission id".into(),
                hint: "Check the product in Partner Center.".into(),
                context: submitted.context.clone(),
            })?;
        tracing::info!("submitted: submission {id}");
        self.output("submission-id", &id);
        self.output(
            "submission-url",
            &submission_url(&self.config.product_id, &id),
        );
        self.set_status("INPROGRESS");
        self.follow(&id, started, false).await
    }

    fn output(&mut self, name: &str, value: &str) {
        match name {
            "submission-id" => self.summary.submission_id = Some(value.to_string()),
            "submission-url" => self.summary.submission_url = Some(value.to_string()),
            "status" => self.summary.status = Some(value.to_string()),
            _ => {}
        }
        if let Err(e) = self.reporter.set_output(name, value) {
            tracing::error!("cannot write output `{name}`: {e}");
        }
    }

    fn set_status(&mut self, status: &str) {
        if self.summary.status.as_deref() != Some(status) {
            self.summary.timeline.push(StatusChange {
                status: status.to_string(),
                at: jiff::Timestamp::now(),
            });
        }
        self.output("status", status);
    }

    fn timed_out(&self, target: &str, status: &str) -> Error {
        Error::TimedOut {
            target: target.to_string(),
            status: status.to_string(),
            waited: crate::config::values::format_duration(self.config.wait.timeout),
        }
    }

    async fn pause(&self, started: Instant, target: &str, status: &str) -> Result<(), Error> {
        if started.elapsed() >= self.config.wait.timeout {
            return Err(self.timed_out(target, status));
        }
        tokio::time::sleep(self.config.wait.poll_interval).await;
        Ok(())
    }

    /// No submission in flight, and every module ready. A submission in flight: exit 4
    /// (`on-pending: fail`) or wait for its end (`reuse`).
    async fn ready_for_changes(&mut self, started: Instant) -> Result<(), Error> {
        loop {
            let status = self
                .api
                .get("status", "reading the product's status")
                .await?;
            let ongoing = status.data["ongoingSubmissionId"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if let Some(id) = ongoing {
                if self.config.on_pending == OnPending::Fail {
                    return Err(Error::Conflict {
                        message: format!(
                            "product {} has submission {id} in progress (`on-pending: fail`)",
                            self.config.product_id
                        ),
                        hint: "The MSI/EXE API cannot cancel a submission: wait for it (`on-pending: reuse` waits, within `timeout`), or cancel it in Partner Center (\"Cancel review\"), then run again.".into(),
                        context: Some(status.context),
                    });
                }
                if self.config.dry_run {
                    tracing::info!(
                        "submission {id} is in progress; a real run would wait for it to end (`on-pending: reuse`)"
                    );
                    return Ok(());
                }
                tracing::info!(
                    "submission {id} is in progress; waiting for it to end (`on-pending: reuse`)"
                );
                self.pause(
                    started,
                    "the end of the submission in progress",
                    "INPROGRESS",
                )
                .await?;
                continue;
            }
            let ready = status.data["isReady"].as_bool() == Some(true);
            if ready {
                return Ok(());
            }
            let errors = status.messages();
            // Only a failed fetch of the last commit (`packageuploaderror`,
            // https://learn.microsoft.com/windows/apps/publish/store-submission-api) is one
            // this run's commit may cure; any other error waits as a draft not ready.
            let upload_failed = status
                .errors
                .iter()
                .any(|e| e["code"].as_str() == Some("packageuploaderror"));
            if upload_failed {
                tracing::warn!(
                    "the draft is not ready: {}; a new package commit retries the fetch",
                    errors.join("; ")
                );
                return Ok(());
            }
            if self.config.dry_run {
                return Ok(());
            }
            if errors.is_empty() {
                tracing::info!("a module of the draft is not ready yet; waiting");
            } else {
                tracing::info!("the draft is not ready ({}); waiting", errors.join("; "));
            }
            self.pause(started, "a ready draft", "not ready").await?;
        }
    }

    /// After the package commit: until `isReady`; a failed fetch is exit 5 with its errors.
    async fn wait_ready(&mut self, started: Instant) -> Result<(), Error> {
        loop {
            let status = self
                .api
                .get("status", "reading the status of the package upload")
                .await?;
            if status.data["isReady"].as_bool() == Some(true) {
                return Ok(());
            }
            let failed: Vec<Value> = status
                .errors
                .iter()
                .filter(|e| {
                    e["code"] == "packageuploaderror" || e["target"].as_str() != Some("packages")
                })
                .cloned()
                .collect();
            if !failed.is_empty() {
                self.summary.status_details = Some(json!({ "errors": status.errors }));
                let _ = self.reporter.set_output(
                    "status-details",
                    &json!({ "errors": status.errors }).to_string(),
                );
                return Err(Error::SubmissionFailed {
                    message: format!(
                        "the Store could not take the packages: {}",
                        messages(&status.errors).join("; ")
                    ),
                    hint: "Check that every installer URL is a public, direct HTTPS download, then run again (the commit is retried).".into(),
                    context: None,
                });
            }
            self.pause(started, "the package upload", "not ready")
                .await?;
        }
    }

    /// Follows submission `id` to `wait-for`; `read_once`: read its status even when not
    /// waiting (`status`).
    async fn follow(&mut self, id: &str, started: Instant, read_once: bool) -> Result<(), Error> {
        let target = match self.config.wait.wait_for {
            WaitFor::None | WaitFor::Committed if !read_once => return Ok(()),
            WaitFor::None | WaitFor::Committed => "",
            WaitFor::Certified => {
                tracing::info!(
                    "the MSI/EXE API reports no certification step (INPROGRESS until PUBLISHED): `wait-for: certified` waits for PUBLISHED"
                );
                "certified"
            }
            WaitFor::Published => "published",
        };
        loop {
            let answer = self
                .api
                .get(
                    &format!("submission/{id}/status"),
                    "reading the submission's status",
                )
                .await?;
            let status = answer.data["publishingStatus"]
                .as_str()
                .unwrap_or("UNKNOWN")
                .to_string();
            let failed = answer.data["hasFailed"].as_bool() == Some(true) || status == "FAILED";
            if failed {
                self.set_status("FAILED");
                let details = json!({ "errors": answer.errors });
                self.summary.status_details = Some(details.clone());
                let _ = self
                    .reporter
                    .set_output("status-details", &details.to_string());
                let shown = answer.messages();
                return Err(Error::SubmissionFailed {
                    message: format!(
                        "submission {id} failed{}",
                        if shown.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", shown.join("; "))
                        }
                    ),
                    hint: "Read the certification report in Partner Center, fix the installer or listing, and run again.".into(),
                    context: None,
                });
            }
            self.set_status(&status);
            if status == "PUBLISHED" || target.is_empty() {
                return Ok(());
            }
            self.pause(started, target, &status).await?;
        }
    }

    /// The new package set (None: packages unchanged) and the change lines; every new
    /// installer read. Problems: exit 2 before anything is written.
    async fn plan_packages(
        &mut self,
        current: &[Value],
    ) -> Result<(Option<Vec<Value>>, Vec<String>), Error> {
        let Some(installers) = &self.config.installers else {
            return Ok((None, Vec::new()));
        };
        let arch_of = |p: &Value| p["architectures"][0].as_str().unwrap_or("").to_string();
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        // (package, whether its installer is to be read)
        let mut wanted: Vec<(Value, bool)> = Vec::new();
        match installers {
            Installers::Urls(urls) => {
                for (arch, url) in urls {
                    let url = url.to_string();
                    match current.iter().find(|p| arch_of(p) == *arch) {
                        Some(existing) => {
                            if existing["packageUrl"].as_str() == Some(url.as_str()) {
                                problems.push(format!(
                                    "the {arch} installer `{}` is the URL the {arch} package already has: the Store requires a new, versioned URL for every new binary (it keeps serving its copy of the old one). If a previous run set it and stopped before submitting, submit without `installers`",
                                    crate::secrets::redact(&url)
                                ));
                                continue;
                            }
                            let mut package = existing.clone();
                            changes.push(format!(
                                "~ {arch} package: {} → {}",
                                crate::secrets::redact(
                                    existing["packageUrl"].as_str().unwrap_or("")
                                ),
                                crate::secrets::redact(&url)
                            ));
                            package["packageUrl"] = json!(url);
                            wanted.push((package, true));
                        }
                        None => {
                            let languages = current
                                .first()
                                .map(|p| p["languages"].clone())
                                .unwrap_or_else(|| json!(["en-us"]));
                            changes.push(format!(
                                "+ {arch} package: {}",
                                crate::secrets::redact(&url)
                            ));
                            wanted.push((
                                json!({
                                    "packageUrl": url,
                                    "languages": languages,
                                    "architectures": [arch],
                                }),
                                true,
                            ));
                        }
                    }
                }
            }
            Installers::Packages(given) => {
                for package in given {
                    let arch = arch_of(package);
                    let url = package["packageUrl"].as_str().unwrap_or("").to_string();
                    let previous = current.iter().find(|p| arch_of(p) == arch);
                    if previous.is_some_and(|p| p["packageUrl"].as_str() == Some(url.as_str())) {
                        problems.push(format!(
                            "the {arch} installer `{}` is the URL the {arch} package already has: the Store requires a new, versioned URL for every new binary (it keeps serving its copy of the old one). If a previous run set it and stopped before submitting, submit without `installers`",
                            crate::secrets::redact(&url)
                        ));
                        continue;
                    }
                    changes.push(match previous {
                        Some(_) => format!(
                            "~ {arch} package: as given ({})",
                            crate::secrets::redact(&url)
                        ),
                        None => format!(
                            "+ {arch} package: as given ({})",
                            crate::secrets::redact(&url)
                        ),
                    });
                    wanted.push((package.clone(), true));
                }
            }
        }
        // Read every installer; a new package takes its type from its file.
        for (package, read) in wanted.iter_mut() {
            if !*read {
                continue;
            }
            let arch = arch_of(package);
            let url = package["packageUrl"].as_str().unwrap_or("").to_string();
            match preflight::probe(self.http, &url, Duration::from_secs(30)).await {
                Err(problem) => problems.push(format!("the {arch} installer {problem}")),
                Ok(probe) => {
                    tracing::info!(
                        "pre-flight: the {arch} installer is {}",
                        probe.kind.describe()
                    );
                    if package.get("packageType").is_none() {
                        match preflight::package_type(probe.kind) {
                            Some("msi") => {
                                package["packageType"] = json!("msi");
                                // msiexec runs it with /qn: silent without switches.
                                package["isSilentInstall"] = json!(true);
                            }
                            Some(_) => problems.push(format!(
                                "the {arch} installer is a new EXE package: its silent-install settings cannot be read from the file; give `installers` as JSON with `packageType: exe`, `isSilentInstall` and `installerParameters`"
                            )),
                            None => {}
                        }
                    }
                    for problem in preflight::file_problems(&probe, package) {
                        problems.push(format!(
                            "the {arch} installer `{}` {problem}",
                            crate::secrets::redact(&url)
                        ));
                    }
                }
            }
        }
        let mut set: Vec<Value> = wanted.into_iter().map(|(p, _)| p).collect();
        let given_arches: Vec<String> = set.iter().map(arch_of).collect();
        for existing in current {
            let arch = arch_of(existing);
            if given_arches.contains(&arch) {
                continue;
            }
            match self.config.package_mode {
                PackageMode::Add => set.push(existing.clone()),
                PackageMode::Replace => changes.push(format!(
                    "- {arch} package removed (`package-mode: replace`): {}",
                    crate::secrets::redact(existing["packageUrl"].as_str().unwrap_or(""))
                )),
            }
        }
        // What every later update would trip on, also in packages this run keeps.
        for package in &set {
            for problem in preflight::settings_problems(package) {
                let origin = if given_arches.contains(&arch_of(package))
                    && !current.iter().any(|c| c == package)
                {
                    "".to_string()
                } else {
                    " (kept from the draft, as set in Partner Center)".to_string()
                };
                problems.push(format!(
                    "the {} package{origin}: {problem}",
                    arch_of(package)
                ));
            }
        }
        if !problems.is_empty() {
            problems.dedup();
            for p in &problems {
                tracing::error!("pre-flight: {p}");
            }
            self.summary.notes.extend(problems.iter().cloned());
            return Err(Error::Input(
                problems
                    .into_iter()
                    .map(|p| crate::config::InputProblem::new("installers", p))
                    .collect(),
            ));
        }
        Ok((Some(set), changes))
    }

    /// The module updates the metadata inputs ask for, each the module as read and changed.
    async fn plan_metadata(&mut self) -> Result<Vec<ModuleUpdate>, Error> {
        let c = self.config;
        if c.patch.is_none()
            && c.release_notes.is_none()
            && c.release_notes_by_language.is_empty()
            && c.notes_for_certification.is_none()
            && c.listings.is_none()
        {
            return Ok(Vec::new());
        }
        let metadata = self
            .api
            .get("metadata", "reading the listings and properties")
            .await?;
        let patch = c.patch.clone().unwrap_or(json!({}));
        let mut problems = Vec::new();
        let mut updates = Vec::new();
        let listings: Vec<Value> = metadata.data["listings"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let by_language: BTreeMap<String, Value> = listings
            .iter()
            .filter_map(|l| {
                l["language"]
                    .as_str()
                    .map(|lang| (lang.to_ascii_lowercase(), l.clone()))
            })
            .collect();
        for language in c.release_notes_by_language.keys() {
            if !by_language.contains_key(&language.to_ascii_lowercase()) {
                problems.push(crate::config::InputProblem::new(
                    "release-notes-dir",
                    format!(
                        "`{language}` is not a listing language of the product ({}); adding a language is done in Partner Center",
                        by_language.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        if let Some(patched) = patch.get("listings").and_then(Value::as_object) {
            for language in patched.keys() {
                if !by_language.contains_key(&language.to_ascii_lowercase()) {
                    problems.push(crate::config::InputProblem::new(
                        "submission-patch",
                        format!(
                            "`listings.{language}` is not a listing language of the product ({}); adding a language is done in Partner Center",
                            by_language.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        let live: Vec<String> = by_language.keys().cloned().collect();
        let text = match &c.listings {
            Some(folder) => Some(super::listings::plan_text(folder, &live)?),
            None => None,
        };
        let removed = text.as_ref().map(|t| t.remove.clone()).unwrap_or_default();
        for (language, listing) in &by_language {
            if removed.contains(language) {
                continue;
            }
            let mut updated = listing.clone();
            if let Some(fields) = text.as_ref().and_then(|t| t.fields.get(language)) {
                for (api, value) in fields {
                    // The API leaves empty fields out of its answers: "" for an absent
                    // field is no change.
                    let empty = value.as_str() == Some("")
                        || value.as_array().is_some_and(|a| a.is_empty());
                    if empty && listing.get(*api).is_none() {
                        continue;
                    }
                    updated[*api] = value.clone();
                }
            }
            if let Some(notes) = &c.release_notes {
                updated["whatsNew"] = json!(notes);
            }
            if let Some((_, notes)) = c
                .release_notes_by_language
                .iter()
                .find(|(l, _)| l.eq_ignore_ascii_case(language))
            {
                updated["whatsNew"] = json!(notes);
            }
            if let Some(p) = patch
                .get("listings")
                .and_then(Value::as_object)
                .and_then(|m| {
                    m.iter()
                        .find(|(l, _)| l.eq_ignore_ascii_case(language))
                        .map(|(_, v)| v.clone())
                })
            {
                json_patch::merge(&mut updated, &p);
            }
            if &updated != listing {
                updates.push(ModuleUpdate {
                    label: format!("the {language} listing"),
                    changes: diff_lines(&format!("listings/{language}"), listing, &updated),
                    body: json!({ "listings": updated }),
                });
            }
        }
        let properties = metadata.data["properties"].clone();
        let mut updated = properties.clone();
        if let Some(notes) = &c.notes_for_certification {
            updated["certificationNotes"] = json!(notes);
        }
        if let Some(p) = patch.get("properties") {
            json_patch::merge(&mut updated, p);
        }
        if updated != properties {
            updates.push(ModuleUpdate {
                label: "the properties".into(),
                changes: diff_lines("properties", &properties, &updated),
                body: json!({ "properties": updated }),
            });
        }
        // Every module as it would be written, checked against the service's rules now:
        // the metadata is written after the packages are committed, so a refusal then
        // would leave a half-done draft.
        for m in &updates {
            let (problems_of, module) = if let Some(l) = m.body.get("listings") {
                let language = l["language"].as_str().unwrap_or("").to_ascii_lowercase();
                let mut inputs = Vec::new();
                if patch
                    .get("listings")
                    .and_then(Value::as_object)
                    .is_some_and(|ls| ls.keys().any(|k| k.eq_ignore_ascii_case(&language)))
                {
                    inputs.push("submission-patch");
                }
                if c.release_notes_by_language
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case(&language))
                {
                    inputs.push("release-notes-dir");
                } else if c.release_notes.is_some() {
                    inputs.push("release-notes");
                }
                if text
                    .as_ref()
                    .is_some_and(|t| t.fields.get(&language).is_some_and(|f| !f.is_empty()))
                {
                    inputs.push("listings-dir");
                }
                (crate::config::msi::listing_problems(l), inputs)
            } else if let Some(p) = m.body.get("properties") {
                let mut inputs = Vec::new();
                if patch.get("properties").is_some() {
                    inputs.push("submission-patch");
                }
                if c.notes_for_certification.is_some() {
                    inputs.push("notes-for-certification");
                }
                (crate::config::msi::properties_problems(p), inputs)
            } else {
                continue;
            };
            let input = module.first().copied().unwrap_or("submission-patch");
            for problem in problems_of {
                problems.push(crate::config::InputProblem::new(
                    input,
                    format!(
                        "{}, as it would be written ({}), would be refused by the Store: {problem}; fix the input, or the field in Partner Center",
                        m.label,
                        module.join(", ")
                    ),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        if !removed.is_empty() {
            updates.push(ModuleUpdate {
                label: format!("the listing languages (remove {})", removed.join(", ")),
                changes: removed
                    .iter()
                    .map(|l| format!("- listings/{l} (prune-languages)"))
                    .collect(),
                body: json!({ "listingsToRemove": removed }),
            });
        }
        if let Some(p) = patch.get("availability") {
            let availability = metadata.data["availability"].clone();
            let mut updated = availability.clone();
            json_patch::merge(&mut updated, p);
            if updated != availability {
                updates.push(ModuleUpdate {
                    label: "the availability".into(),
                    changes: diff_lines("availability", &availability, &updated),
                    body: json!({ "availability": updated }),
                });
            }
        }
        Ok(updates)
    }
}

impl Flow<'_> {
    /// The listing-asset commits `listings-dir` asks for, planned against the live assets.
    async fn plan_assets(
        &mut self,
    ) -> Result<(Vec<super::listings::AssetCommit>, Vec<String>), Error> {
        let Some(folder) = &self.config.listings else {
            return Ok((Vec::new(), Vec::new()));
        };
        let has_images = folder.app.as_ref().is_some_and(|a| {
            a.languages
                .values()
                .chain(a.default.as_ref())
                .any(|l| !l.images.is_empty())
        });
        if !has_images {
            return Ok((Vec::new(), Vec::new()));
        }
        let live = self
            .api
            .get("listings/assets", "reading the listing assets")
            .await?;
        super::listings::plan_assets(folder, &live.data["listingAssets"])
    }
}

/// `~ listings/en-us/whatsNew: "old" → "new"` for each top-level field that changed.
fn diff_lines(prefix: &str, before: &Value, after: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    for (key, value) in a {
        match b.get(key) {
            Some(old) if old == value => {}
            Some(old) => lines.push(format!("~ {prefix}/{key}: {old} → {value}")),
            None => lines.push(format!("+ {prefix}/{key}: {value}")),
        }
    }
    for key in b.keys() {
        if !a.contains_key(key) {
            lines.push(format!("- {prefix}/{key}"));
        }
    }
    lines
        .into_iter()
        .map(|l| crate::secrets::redact(&l).into_owned())
        .collect()
}
