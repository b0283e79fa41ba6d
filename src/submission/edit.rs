//! Edits to a cloned submission, made on the JSON value so that every field the API
//! returned and we did not change goes back unchanged (a typed struct that drops unknown
//! fields loses users' listings).

use serde_json::{Map, Value, json};

use crate::config::{PackageMode, ProductRef, SubmissionChanges};

/// What an edit did, for the log and the plan.
#[derive(Debug, Default, Clone)]
pub struct EditReport {
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// JSON merge patch, RFC 7396: objects merge key by key, `null` removes a key, anything
/// else (arrays included) replaces. Written here rather than taken from a crate: it is the
/// RFC's ten-line algorithm (see docs/decisions/0001-dependencies.md).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target) = target else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// Applies, in order: the merge patch, release notes, certification notes, packages.
pub fn apply_changes(
    submission: &mut Value,
    product: &ProductRef,
    changes: &SubmissionChanges,
) -> EditReport {
    let mut report = EditReport::default();
    if let Some(patch) = &changes.patch {
        merge_patch(submission, patch);
        report.notes.push(format!(
            "applied the merge patch ({} top-level field(s): {})",
            patch.as_object().map_or(0, Map::len),
            patch
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ));
    }
    if let Some(notes) = &changes.release_notes {
        set_release_notes(submission, notes, &mut report);
    }
    if let Some(notes) = &changes.notes_for_certification {
        submission["notesForCertification"] = Value::String(notes.clone());
        report.notes.push("set the notes for certification".into());
    }
    if let Some(field) = product.packages_field()
        && !changes.packages.is_empty()
    {
        set_packages(
            submission,
            field,
            &changes.packages,
            changes.package_mode,
            &mut report,
        );
    }
    report
}

fn set_release_notes(submission: &mut Value, notes: &str, report: &mut EditReport) {
    let Some(listings) = submission
        .get_mut("listings")
        .and_then(Value::as_object_mut)
    else {
        report
            .warnings
            .push("the submission has no listings; `release-notes` not applied".into());
        return;
    };
    let mut languages = Vec::new();
    for (language, listing) in listings.iter_mut() {
        if let Some(base) = listing
            .get_mut("baseListing")
            .and_then(Value::as_object_mut)
        {
            base.insert("releaseNotes".into(), Value::String(notes.to_string()));
            languages.push(language.clone());
        }
    }
    report.notes.push(format!(
        "set release notes for {} listing(s): {}",
        languages.len(),
        languages.join(", ")
    ));
}

/// `replace`: every package already there becomes `PendingDelete` (kept in the array: an
/// entry simply left out is *not* deleted, reference §2.4.8). `add`: they stay. Entries that
/// were never uploaded (`PendingUpload` in a reused draft) are removed in both modes: their
/// files would not be in this run's zip. New packages are appended as `PendingUpload`.
fn set_packages(
    submission: &mut Value,
    field: &str,
    new_packages: &[String],
    mode: PackageMode,
    report: &mut EditReport,
) {
    let existing: Vec<Value> = submission
        .get(field)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut packages = Vec::with_capacity(existing.len() + new_packages.len());
    let (mut deleted, mut kept, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for mut package in existing {
        let name = package
            .get("fileName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let status = package
            .get("fileStatus")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if status == "PendingUpload" {
            dropped.push(name);
            continue;
        }
        let replaced_by_name = new_packages.iter().any(|n| n.eq_ignore_ascii_case(&name));
        if status != "PendingDelete" && (mode == PackageMode::Replace || replaced_by_name) {
            package["fileStatus"] = Value::String("PendingDelete".into());
            deleted.push(name);
        } else if status != "PendingDelete" {
            kept.push(name);
        }
        packages.push(package);
    }
    for name in new_packages {
        packages.push(json!({
            "fileName": name,
            "fileStatus": "PendingUpload",
            "minimumDirectXVersion": "None",
            "minimumSystemRam": "None",
        }));
    }
    submission[field] = Value::Array(packages);
    report.notes.push(format!(
        "packages: {} new ({}); {} marked PendingDelete{}; {} kept",
        new_packages.len(),
        new_packages.join(", "),
        deleted.len(),
        if deleted.is_empty() {
            String::new()
        } else {
            format!(" ({})", deleted.join(", "))
        },
        kept.len()
    ));
    if !dropped.is_empty() {
        report.warnings.push(format!(
            "removed package entries that were never uploaded: {}",
            dropped.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        serde_json::from_str(include_str!(
            "../simulator/samples/app-submission-resource.json"
        ))
        .unwrap()
    }

    fn changes(packages: &[&str], mode: PackageMode) -> SubmissionChanges {
        SubmissionChanges {
            packages: packages.iter().map(|s| s.to_string()).collect(),
            package_mode: mode,
            patch: None,
            release_notes: None,
            notes_for_certification: None,
        }
    }

    fn app() -> ProductRef {
        ProductRef::App {
            app_id: "9NBLGGH4R315".into(),
        }
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The RFC's own example (section 3).
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut target = json!({"list": [1, 2], "keep": true});
        merge_patch(&mut target, &json!({"list": [3]}));
        assert_eq!(target, json!({"list": [3], "keep": true}));
    }

    #[test]
    fn replace_marks_old_packages_pending_delete_and_keeps_everything_else() {
        let original = sample();
        let mut submission = original.clone();
        apply_changes(
            &mut submission,
            &app(),
            &changes(&["New.msix"], PackageMode::Replace),
        );
        let packages = submission["applicationPackages"].as_array().unwrap();
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0]["fileName"], "contoso_app.appx");
        assert_eq!(packages[0]["fileStatus"], "PendingDelete");
        assert_eq!(packages[0]["id"], "1152921504620138797");
        assert_eq!(
            packages[1],
            json!({"fileName": "New.msix", "fileStatus": "PendingUpload", "minimumDirectXVersion": "None", "minimumSystemRam": "None"})
        );
        let mut without_packages = submission.clone();
        without_packages
            .as_object_mut()
            .unwrap()
            .remove("applicationPackages");
        let mut original_without = original.clone();
        original_without
            .as_object_mut()
            .unwrap()
            .remove("applicationPackages");
        assert_eq!(without_packages, original_without);
    }

    #[test]
    fn add_keeps_old_packages_and_drops_never_uploaded_ones() {
        let mut submission = sample();
        submission["applicationPackages"]
            .as_array_mut()
            .unwrap()
            .push(json!({"fileName": "Stale.msix", "fileStatus": "PendingUpload"}));
        let report = apply_changes(
            &mut submission,
            &app(),
            &changes(&["New.msix"], PackageMode::Add),
        );
        let names: Vec<(&str, &str)> = submission["applicationPackages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["fileName"].as_str().unwrap(),
                    p["fileStatus"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("contoso_app.appx", "Uploaded"),
                ("New.msix", "PendingUpload")
            ]
        );
        assert!(report.warnings[0].contains("Stale.msix"));
    }

    #[test]
    fn no_new_packages_leaves_packages_alone_even_in_replace_mode() {
        let original = sample();
        let mut submission = original.clone();
        apply_changes(&mut submission, &app(), &changes(&[], PackageMode::Replace));
        assert_eq!(submission, original);
    }

    #[test]
    fn release_notes_go_to_every_listing() {
        let mut submission = sample();
        let mut c = changes(&[], PackageMode::Replace);
        c.release_notes = Some("Bug fixes".into());
        c.notes_for_certification = Some("Test account: none".into());
        apply_changes(&mut submission, &app(), &c);
        assert_eq!(
            submission["listings"]["en-us"]["baseListing"]["releaseNotes"],
            "Bug fixes"
        );
        assert_eq!(submission["notesForCertification"], "Test account: none");
        assert_eq!(
            submission["listings"]["en-us"]["platformOverrides"]["Windows81"]["description"],
            "Ebook reader for Windows 8.1"
        );
    }
}
