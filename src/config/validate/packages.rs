//! Package inputs: globs, directories and symlinks resolved to the files that go into the
//! zip, before anything is uploaded (docs/inputs.md).

use super::*;

impl Check<'_> {
    /// Files given by `packages`. With a ready zip they need not exist on disk: their names
    /// are what the submission refers to.
    pub(super) fn packages(&mut self, with_ready_zip: bool) -> Vec<ZipInput> {
        let Some(text) = self.inputs.value("packages") else {
            return Vec::new();
        };
        let patterns = parse_list(text);
        if patterns.is_empty() {
            self.problem("packages", "lists no file");
            return Vec::new();
        }
        let mut files = Vec::new();
        for pattern in patterns {
            let absolute = self.env.cwd.join(&pattern);
            let Some(pattern_text) = absolute.to_str() else {
                self.problem("packages", format!("`{pattern}` is not valid UTF-8"));
                continue;
            };
            let matches: Vec<PathBuf> = match glob::glob(pattern_text) {
                Ok(paths) => paths
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .collect(),
                Err(e) => {
                    self.problem("packages", format!("`{pattern}` is not a valid glob: {e}"));
                    continue;
                }
            };
            if matches.is_empty() {
                if with_ready_zip && !has_glob_chars(&pattern) {
                    // Named in the submission, expected inside `upload-zip`.
                    if let Some(name) = Path::new(&pattern).file_name().and_then(|n| n.to_str()) {
                        self.package_name_checks(name, &pattern);
                        files.push(ZipInput {
                            path: absolute.clone(),
                            entry_name: name.to_string(),
                        });
                    }
                    continue;
                }
                self.problem(
                    "packages",
                    format!(
                        "`{pattern}` matches no file (relative to {})",
                        self.env.cwd.display()
                    ),
                );
                continue;
            }
            for path in matches {
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
                else {
                    self.problem(
                        "packages",
                        format!("{} has a file name that is not UTF-8", path.display()),
                    );
                    continue;
                };
                if let Some(escape) = package_files::escapes_root(&path, &pattern_root(&absolute)) {
                    self.problem(
                        "packages",
                        format!(
                            "{escape}; name the file where it really is (or copy it in), so a link cannot pull another file into the upload"
                        ),
                    );
                    continue;
                }
                if self.package_name_checks(&name, &path.display().to_string())
                    && !files.iter().any(|f: &ZipInput| f.path == path)
                {
                    files.push(ZipInput {
                        path,
                        entry_name: name,
                    });
                }
            }
        }
        files.sort_by(|a, b| a.entry_name.cmp(&b.entry_name));
        files
    }

    pub(super) fn packages_in_zip(&mut self, path: &Path) -> Vec<String> {
        match package_files::zip_entry_names(path) {
            Ok(names) => {
                let packages: Vec<String> = names
                    .into_iter()
                    .filter(|n| !n.contains('/') && package_files::is_package_file_name(n))
                    .collect();
                if packages.is_empty() {
                    self.warnings.push(format!(
                        "{} holds no package at its root; the submission's packages stay as they are",
                        path.display()
                    ));
                }
                packages
            }
            Err(e) => {
                self.problem(
                    "upload-zip",
                    format!("{} is not a readable zip: {e}", path.display()),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn whole_dir(&mut self, input: &str, dir: &Path) -> Vec<ZipInput> {
        match package_files::files_under(dir) {
            Ok(found) => {
                for problem in found.problems {
                    self.problem(input, problem);
                }
                let mut inputs = Vec::new();
                for (path, entry_name) in found.files {
                    match package_files::entry_name_problem(&entry_name) {
                        Some(problem) => self.problem(input, format!("{entry_name}: {problem}")),
                        None => inputs.push(ZipInput { path, entry_name }),
                    }
                }
                inputs
            }
            Err(e) => {
                self.problem(input, format!("cannot read {}: {e}", dir.display()));
                Vec::new()
            }
        }
    }

    /// Two files may not share an entry name, even in a different case: Windows (and the
    /// Store's ingestion, which matches names case-insensitively as far as we know) could
    /// keep only one of them.
    pub(super) fn no_duplicate_entries(&mut self, files: &[ZipInput]) {
        let mut seen: std::collections::BTreeMap<String, &ZipInput> = Default::default();
        for file in files {
            let key = file.entry_name.to_ascii_lowercase();
            if let Some(previous) = seen.insert(key, file) {
                let input = if file.entry_name.contains('/')
                    || !package_files::is_package_file_name(&file.entry_name)
                {
                    "assets-dir"
                } else {
                    "packages"
                };
                let same = if previous.entry_name == file.entry_name {
                    format!("`{}`", file.entry_name)
                } else {
                    format!(
                        "`{}` and `{}`, which differ only in case",
                        previous.entry_name, file.entry_name
                    )
                };
                self.problem(
                    input,
                    format!(
                        "{} and {} would both be {same} in the zip; rename one or leave one out",
                        previous.path.display(),
                        file.path.display(),
                    ),
                );
            }
        }
    }

    pub(super) fn zip_path(&mut self, product: &Option<ProductSpec>) -> PathBuf {
        if let Some(p) = self.inputs.value("zip-path") {
            let path = self.env.cwd.join(p);
            if path.is_dir() {
                self.problem(
                    "zip-path",
                    format!("{} is a directory; give a file path", path.display()),
                );
            } else if let Some(parent) = path.parent()
                && !parent.as_os_str().is_empty()
                && !parent.is_dir()
            {
                self.problem(
                    "zip-path",
                    format!("folder {} does not exist", parent.display()),
                );
            }
            return path;
        }
        let product = match product {
            Some(ProductSpec::Addon {
                addon: AddonSpec::Id(id),
                ..
            }) => id.clone(),
            Some(spec) => spec.app_id().unwrap_or("addon").to_string(),
            None => "product".into(),
        };
        self.env.temp_dir.join(format!(
            "msstore-submit-{product}-{}.zip",
            std::process::id()
        ))
    }
}

pub(super) fn has_glob_chars(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// The folder a `packages` pattern names before its first wildcard (the file's own folder
/// when it has none). Whatever it matches must really be inside that folder.
pub(super) fn pattern_root(absolute: &Path) -> PathBuf {
    let mut root = PathBuf::new();
    for component in absolute.components() {
        if has_glob_chars(&component.as_os_str().to_string_lossy()) {
            return root;
        }
        root.push(component);
    }
    absolute.parent().map(Path::to_path_buf).unwrap_or(root)
}
