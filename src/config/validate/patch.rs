//! The patch (`submission-patch` / `-file`): JSON, errors with line and column, prices and
//! images checked before any request.

use super::*;

impl Check<'_> {
    pub(super) fn patch(&mut self) -> Option<serde_json::Value> {
        let (name, text) = match (
            self.inputs.value("submission-patch"),
            self.inputs.value("submission-patch-file"),
        ) {
            (Some(_), Some(_)) => {
                self.problem(
                    "submission-patch",
                    "give either `submission-patch` or `submission-patch-file`, not both",
                );
                return None;
            }
            (Some(text), None) => ("submission-patch", text.to_string()),
            (None, Some(_)) => {
                let path = self.existing_file("submission-patch-file")?;
                match std::fs::read_to_string(&path) {
                    Ok(text) => ("submission-patch-file", text),
                    Err(e) => {
                        self.problem(
                            "submission-patch-file",
                            format!("cannot read {}: {e}", path.display()),
                        );
                        return None;
                    }
                }
            }
            (None, None) => return None,
        };
        let value: serde_json::Value =
            match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
                Ok(v) => v,
                Err(e) => {
                    self.problem(
                        name,
                        format!(
                            "is not valid JSON: {} at line {} column {}",
                            json_error_kind(&e),
                            e.line(),
                            e.column()
                        ),
                    );
                    return None;
                }
            };
        if !value.is_object() {
            self.problem(
                name,
                "must be a JSON object (a merge patch of the submission), e.g. {\"notesForCertification\": \"…\"}",
            );
            return None;
        }
        // Before any network call: a patch that removes the price would make the product free.
        if let Some(problem) = (self.rules.patch_price_problem)(&value) {
            self.problem(name, problem);
            return None;
        }
        // A new listing image needs no `fileStatus`: it is an upload (edit::apply_patch).
        let mut value = value;
        crate::config::patch_files::normalize_patch_images(&mut value);
        Some(value)
    }

    pub(super) fn patch_input_name(&self) -> String {
        if self.inputs.is_given("submission-patch-file") {
            "submission-patch-file".into()
        } else {
            "submission-patch".into()
        }
    }

    // ----- single values -----
}

/// serde_json's message without its own " at line X column Y" suffix.
pub(super) fn json_error_kind(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
