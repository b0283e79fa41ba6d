//! Inputs of listings as code (issue 18, docs/listings.md): `listings-dir` read and linted
//! with the Store's limits here, before any network call, every problem at once, each
//! naming its file; and the `pull` command.

use std::sync::Arc;

use super::*;

impl Check<'_> {
    /// `listings-dir` and `prune-languages` of `submit`.
    pub(super) fn listings(
        &mut self,
        product: Option<&ProductSpec>,
    ) -> Option<Arc<super::super::listings::Folder>> {
        let prune = self.boolean("prune-languages", false);
        if !self.inputs.is_given("listings-dir") {
            if self.inputs.is_given("prune-languages") {
                self.problem(
                    "prune-languages",
                    "needs `listings-dir`: languages are pruned against its folders",
                );
            }
            return None;
        }
        if matches!(product, Some(ProductSpec::Flight { .. })) {
            self.problem(
                "listings-dir",
                "package flights have no listings of their own; submit the folder with the app",
            );
            return None;
        }
        let dir = self.existing_dir("listings-dir")?;
        match super::super::listings::load(&dir, prune) {
            Ok(mut folder) => {
                if let Some(ProductSpec::Addon { addon, .. }) = product {
                    let (store_id, product_id) = match addon {
                        AddonSpec::Id(id) => (Some(id.as_str()), None),
                        AddonSpec::ProductId(p) => (None, Some(p.as_str())),
                    };
                    match folder.addon_folder(store_id, product_id) {
                        Some(name) => folder.target = super::super::listings::Target::Addon(name),
                        None => {
                            self.problem(
                                "listings-dir",
                                format!(
                                    "no folder under `addons/` is this add-on: name it by its product id or Store ID, or `pull` it (the state file maps one to the other); the folders are {}",
                                    if folder.addons.is_empty() { "none".to_string() } else { folder.addons.keys().cloned().collect::<Vec<_>>().join(", ") }
                                ),
                            );
                            return None;
                        }
                    }
                }
                let empty =
                    folder.app.is_none() && folder.addons.is_empty() && folder.trailers.is_none();
                if empty {
                    self.problem(
                        "listings-dir",
                        format!(
                            "{} holds no `app/`, `addons/` or `trailers/` folder (docs/listings.md); `pull` writes one",
                            dir.display()
                        ),
                    );
                    return None;
                }
                if folder.has_files() && self.inputs.is_given("upload-zip") {
                    self.problem(
                        "upload-zip",
                        "`listings-dir` holds image or video files, which go into the zip this tool builds; leave out `upload-zip`",
                    );
                }
                let notes_in_folder = folder.app.iter().any(|a| {
                    a.languages
                        .values()
                        .chain(a.default.as_ref())
                        .any(|l| l.fields.contains_key("releaseNotes"))
                });
                for input in ["release-notes", "release-notes-dir"] {
                    if notes_in_folder && self.inputs.is_given(input) {
                        self.warnings.push(format!(
                            "`{input}` wins over the `release_notes.txt` files of `listings-dir`"
                        ));
                    }
                }
                Some(Arc::new(folder))
            }
            Err(problems) => {
                self.problems.extend(problems);
                None
            }
        }
    }

    /// `listings-dir` and `prune-languages` of `submit` for an MSI/EXE product: its own
    /// fields and image types, no trailers, no add-ons (docs/listings.md).
    pub(super) fn msi_listings(&mut self) -> Option<Arc<super::super::listings::Folder>> {
        let prune = self.boolean("prune-languages", false);
        if !self.inputs.is_given("listings-dir") {
            if self.inputs.is_given("prune-languages") {
                self.problem(
                    "prune-languages",
                    "needs `listings-dir`: languages are pruned against its folders",
                );
            }
            return None;
        }
        let dir = self.existing_dir("listings-dir")?;
        let before = self.problems.len();
        // What the MSI/EXE API cannot express stops the run here, before any call.
        if dir.join("trailers").is_dir() {
            self.problem(
                "listings-dir",
                "`trailers/`: the MSI/EXE API has no trailers; remove the folder (change trailers in Partner Center)",
            );
        }
        if dir.join("addons").is_dir() {
            self.problem(
                "listings-dir",
                "`addons/`: MSI/EXE products have no add-ons; remove the folder",
            );
        }
        let folder = match super::super::listings::load_msi(&dir, prune) {
            Ok(folder) => folder,
            Err(problems) => {
                self.problems.extend(problems);
                return None;
            }
        };
        if folder.app.is_none() {
            self.problem(
                "listings-dir",
                format!(
                    "{} holds no `app/` folder (docs/listings.md); `pull` writes one",
                    dir.display()
                ),
            );
        }
        let notes_in_folder = folder.app.iter().any(|a| {
            a.languages
                .values()
                .chain(a.default.as_ref())
                .any(|l| l.fields.contains_key("whatsNew"))
        });
        for input in ["release-notes", "release-notes-dir"] {
            if notes_in_folder && self.inputs.is_given(input) {
                self.warnings.push(format!(
                    "`{input}` wins over the `release_notes.txt` files of `listings-dir`"
                ));
            }
        }
        (self.problems.len() == before).then(|| Arc::new(folder))
    }

    pub(super) fn pull(&mut self) -> Option<PullConfig> {
        if self.is_msi_product() {
            let msi = self.msi_status();
            let dir = self.new_listings_dir("pull");
            let msi = msi?;
            return Some(PullConfig {
                session: msi.session.clone(),
                product: ProductSpec::App {
                    app_id: msi.product_id.clone(),
                },
                dir: dir?,
                msi: Some(Box::new(msi)),
            });
        }
        let session = self.session();
        let product = self.product();
        if matches!(product, Some(ProductSpec::Flight { .. })) {
            self.problem(
                "flight-id",
                "package flights have no listings of their own; pull the app",
            );
        }
        let dir = self.new_listings_dir("pull");
        Some(PullConfig {
            session: session?,
            product: product?,
            dir: dir?,
            msi: None,
        })
    }

    pub(super) fn import_pdp(&mut self) -> Option<ImportPdpConfig> {
        if !self.inputs.is_given("pdp-dir") {
            self.problem(
                "pdp-dir",
                "required: the folder of PDP files, one `<language>/` folder each",
            );
        }
        let pdp_dir = self.existing_dir("pdp-dir");
        let media_dir = if self.inputs.is_given("pdp-media-dir") {
            self.existing_dir("pdp-media-dir")
        } else {
            None
        };
        let out = self.new_listings_dir("import-pdp");
        let addon = self.inputs.value("addon-product-id").map(str::to_string);
        if let Some(a) = &addon
            && !a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            self.problem(
                "addon-product-id",
                "names a folder here: letters, digits, `-`, `_` and `.` only",
            );
        }
        Some(ImportPdpConfig {
            pdp_dir: pdp_dir?,
            media_dir,
            out: out?,
            addon,
        })
    }

    /// `listings-dir` for a command that writes it: a new or empty folder.
    fn new_listings_dir(&mut self, command: &str) -> Option<std::path::PathBuf> {
        match self.inputs.value("listings-dir") {
            None => {
                self.problem(
                    "listings-dir",
                    "required: the folder to write the listings into",
                );
                None
            }
            Some(text) => {
                let path = self.env.cwd.join(text);
                if path.is_file() {
                    self.problem(
                        "listings-dir",
                        format!("{} is a file, not a directory", path.display()),
                    );
                    None
                } else if std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_some()) {
                    // Pulling over a folder would mix what is live with local changes.
                    self.problem(
                        "listings-dir",
                        format!(
                            "{} is not empty: {command} writes into a new or empty folder (delete it, or write elsewhere and compare)",
                            path.display()
                        ),
                    );
                    None
                } else {
                    Some(path)
                }
            }
        }
    }
}
