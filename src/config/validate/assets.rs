//! Media (`assets`): the files the patch's listings and trailers name, in the zip.

use super::*;

impl Check<'_> {
    /// The files a patch marks `PendingUpload`, found under `assets-dir`.
    pub(super) fn assets(&mut self, patch: Option<&serde_json::Value>) -> Vec<ZipInput> {
        let referenced = patch.map(new_files_in_patch).unwrap_or_default();
        let given_dir = self.inputs.is_given("assets-dir");
        if referenced.is_empty() {
            if given_dir && patch.is_some() {
                self.warnings
                    .push("`assets-dir` ignored: the patch marks no file `PendingUpload`".into());
            }
            return Vec::new();
        }
        let patch_input = self.patch_input_name();
        if !given_dir {
            self.problem(
                "assets-dir",
                format!(
                    "is required: `{patch_input}` marks {} for upload ({})",
                    plural(referenced.len(), "file"),
                    referenced.join(", ")
                ),
            );
            return Vec::new();
        }
        let Some(dir) = self.existing_dir("assets-dir") else {
            return Vec::new();
        };
        let mut files = Vec::new();
        for name in referenced {
            let entry_name = name.replace('\\', "/");
            if let Some(problem) = package_files::entry_name_problem(&entry_name) {
                self.problem(&patch_input, format!("file `{name}`: {problem}"));
                continue;
            }
            let path = dir.join(&entry_name);
            if !path.is_file() {
                self.problem(
                    "assets-dir",
                    format!(
                        "`{name}` (marked PendingUpload in `{patch_input}`) is not in {}",
                        dir.display()
                    ),
                );
                continue;
            }
            if let Some(escape) = package_files::escapes_root(&path, &dir) {
                self.problem(
                    "assets-dir",
                    format!("`{name}`: {escape}; only files inside the folder are zipped"),
                );
                continue;
            }
            if !files.iter().any(|f: &ZipInput| f.entry_name == entry_name) {
                files.push(ZipInput { path, entry_name });
            }
        }
        files
    }
}
