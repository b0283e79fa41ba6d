//! What the package manifests say, checked against the product the inputs name.

use super::*;

impl Check<'_> {
    /// Flights have packages but no listings; add-ons have listings (with icons) but no
    /// packages and no certification notes (https://learn.microsoft.com/windows/uwp/monetize/manage-flight-submissions,
    /// https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions).
    pub(super) fn fits_the_product(
        &mut self,
        kind: ProductKind,
        patch: Option<&serde_json::Value>,
    ) {
        match kind {
            ProductKind::App => {}
            ProductKind::Flight => {
                if self.inputs.is_given("release-notes") {
                    self.problem(
                        "release-notes",
                        "a package flight has no listings, so no release notes; set them on the app's submission",
                    );
                }
            }
            ProductKind::Addon => {
                for (input, why) in [
                    (
                        "packages",
                        "add-ons have no packages; their zip holds listing icons only",
                    ),
                    ("package-mode", "add-ons have no packages"),
                    ("allow-dropped-platforms", "add-ons have no packages"),
                    ("release-notes", "add-on listings have no release notes"),
                    (
                        "notes-for-certification",
                        "add-on submissions have no certification notes",
                    ),
                ] {
                    if self.inputs.is_given(input) {
                        self.problem(input, why.to_string());
                    }
                }
                if let Some(patch) = patch {
                    self.addon_icons(patch);
                }
            }
        }
    }

    /// Every icon an add-on patch uploads must be a 300×300 PNG
    /// (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions).
    pub(super) fn addon_icons(&mut self, patch: &serde_json::Value) {
        let Some(listings) = patch.get("listings").and_then(|l| l.as_object()) else {
            return;
        };
        let Some(dir) = self
            .inputs
            .value("assets-dir")
            .map(|d| self.env.cwd.join(d))
        else {
            return;
        };
        for (language, listing) in listings {
            let Some(icon) = listing.get("icon") else {
                continue;
            };
            if icon.get("fileStatus").and_then(|s| s.as_str()) != Some("PendingUpload") {
                continue;
            }
            let Some(name) = icon.get("fileName").and_then(|n| n.as_str()) else {
                continue;
            };
            let path = dir.join(name.replace('\\', "/"));
            if !path.is_file() {
                continue; // reported by the assets check
            }
            match package_files::png_dimensions(&path) {
                Ok(Some((300, 300))) => {}
                Ok(Some((w, h))) => self.problem(
                    "assets-dir",
                    format!("the {language} icon `{name}` is {w}×{h}; add-on icons must be 300×300 PNG"),
                ),
                Ok(None) => self.problem(
                    "assets-dir",
                    format!("the {language} icon `{name}` is not a PNG; add-on icons must be 300×300 PNG"),
                ),
                Err(e) => self.problem("assets-dir", format!("cannot read `{name}`: {e}")),
            }
        }
    }

    /// Lists every new package whose manifest is read before any call, so that a package
    /// that cannot be read, or two copies of one, are input problems before any network call
    /// (the local part of the pre-flight; `commands::checks` reads them right after
    /// validation, `submission::preflight` does the rest once the product is read). With
    /// `upload-zip`, packages are read inside the zip; one the zip lacks is read from disk if
    /// it is there (the commit will fail with MissingFiles, as warned), else skipped.
    pub(super) fn package_manifests(
        &mut self,
        files: &[ZipInput],
        ready_zip: Option<&Path>,
        names: &[String],
    ) -> ManifestReads {
        let in_zip: Vec<String> = ready_zip
            .and_then(|zip| package_files::zip_entry_names(zip).ok())
            .unwrap_or_default();
        let mut packages = Vec::new();
        for name in names {
            let on_disk = files
                .iter()
                .find(|f| &f.entry_name == name)
                .map(|f| f.path.clone())
                .filter(|p| p.is_file());
            let (source, shown, input) = match (ready_zip, on_disk) {
                (Some(zip), _) if in_zip.iter().any(|e| e == name) => (
                    ManifestSource::InZip(zip.to_path_buf()),
                    format!("{name} in {}", zip.display()),
                    "upload-zip",
                ),
                (_, Some(path)) => (
                    ManifestSource::File(path.clone()),
                    path.display().to_string(),
                    "packages",
                ),
                (_, None) => continue,
            };
            packages.push(ManifestToRead {
                name: name.clone(),
                source,
                shown,
                input,
            });
        }
        let reads = ManifestReads {
            packages,
            problems_before: self.problems.len(),
        };
        self.manifests = reads.clone();
        reads
    }

    pub(super) fn package_name_checks(&mut self, name: &str, shown: &str) -> bool {
        if !package_files::is_package_file_name(name) {
            self.problem(
                "packages",
                format!(
                    "{shown} is not a package; supported extensions are {}",
                    package_files::PACKAGE_EXTENSIONS.join(" ")
                ),
            );
            return false;
        }
        if let Some(problem) = package_files::entry_name_problem(name) {
            self.problem("packages", format!("{shown}: {problem}"));
            return false;
        }
        true
    }
}
