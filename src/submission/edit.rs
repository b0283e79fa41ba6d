//! Edits to a cloned submission, made on the JSON value so that every field the API
//! returned and we did not change goes back unchanged (a typed struct that drops unknown
//! fields loses users' listings).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::config::patch_files::listing_images_mut;
/// Where validation and the fuzz targets reach it: it moved to config with the files a patch names.
pub use crate::config::patch_files::normalize_patch_images;
use crate::config::{InputProblem, PackageMode, ProductRef, SubmissionChanges};

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

/// Applies, in order: the merge patch (with the image rule of [`apply_patch`]), release
/// notes, release notes per language, certification notes, packages, release settings.
///
/// A submission is a JSON object, and so is a patch (the inputs refuse any other patch, the
/// flow any answer without an id). Anything else is left exactly as it is, with a warning,
/// rather than edited into a shape nobody asked for (found by the `submission_json` fuzz
/// target: the patch `1` turned the submission into a number).
pub fn apply_changes(
    submission: &mut Value,
    product: &ProductRef,
    changes: &SubmissionChanges,
) -> EditReport {
    let mut report = EditReport::default();
    if !submission.is_object() || changes.patch.as_ref().is_some_and(|p| !p.is_object()) {
        report.warnings.push(
            "the submission or the merge patch is not a JSON object: nothing was changed".into(),
        );
        return report;
    }
    if let Some(patch) = &changes.patch {
        apply_patch(submission, patch, &mut report);
        report.notes.push(format!(
            "applied the merge patch ({} top-level field(s): {})",
            patch.as_object().map_or(0, Map::len),
            patch
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ));
    }
    // The listings folder before release notes: `release-notes(-dir)` given too wins.
    if let Some(folder) = &changes.listings {
        let outcome = crate::listings::apply(submission, folder);
        report.notes.extend(outcome.notes);
    }
    if let Some(notes) = &changes.release_notes {
        set_release_notes(submission, notes, &mut report);
    }
    if !changes.release_notes_by_language.is_empty() {
        set_release_notes_by_language(submission, &changes.release_notes_by_language, &mut report);
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
    super::release::apply_release_options(submission, product, &changes.release, &mut report);
    report
}

// ----- listing images: the merge patch's one exception to RFC 7396 -----

/// The merge patch, with one rule on top of RFC 7396 for listing images (`images` of a
/// base listing or of a platform override). RFC 7396 replaces arrays, and the API deletes
/// an image only when it is sent back marked `PendingDelete`: a plain replace would either
/// keep every old screenshot (omitted entries stay, https://github.com/microsoft/StoreBroker/issues/269) or, in clients that
/// rebuild the array, lose them. So when the patch gives a listing's `images`, that list is
/// what the listing shows next:
///
/// - an entry with the `id` of a current image, or its `fileName` and a status other than
///   `PendingUpload`, keeps that image (fields the entry gives are merged into it);
/// - an entry with neither (validation marks it `PendingUpload`) is a new image, uploaded
///   from `assets-dir`;
/// - every current image the patch does not keep becomes `PendingDelete`, and stays in the
///   array, after the patch's entries; one still `PendingUpload` (never uploaded, in a
///   reused draft) is dropped, as its file is not in this run's zip.
///
/// Listings whose `images` the patch does not give keep theirs untouched: changing release
/// notes never costs a screenshot (StoreBroker#269).
pub fn apply_patch(submission: &mut Value, patch: &Value, report: &mut EditReport) {
    let mut patch = patch.clone();
    let given = take_listing_images(&mut patch);
    let current: Vec<Vec<Value>> = given
        .iter()
        .map(|(pointer, _)| {
            submission
                .pointer(pointer)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    merge_patch(submission, &patch);
    for ((pointer, images), current) in given.into_iter().zip(current) {
        let (parent, _) = pointer.rsplit_once('/').expect("a pointer to `images`");
        let Some(parent) = submission
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
        else {
            // The patch removed the listing (or override) the images belonged to.
            continue;
        };
        let merged = merge_images(&current, &images);
        report.notes.push(format!(
            "images of {}: {}",
            describe_images_location(&pointer),
            merged.summary()
        ));
        if !merged.dropped.is_empty() {
            report.warnings.push(format!(
                "removed image entries of {} that were never uploaded: {}",
                describe_images_location(&pointer),
                merged.dropped.join(", ")
            ));
        }
        parent.insert("images".into(), Value::Array(merged.images));
    }
}

/// Removes the listing `images` arrays from the patch, returning them with their pointers.
fn take_listing_images(patch: &mut Value) -> Vec<(String, Vec<Value>)> {
    let taken: Vec<(String, Vec<Value>)> = listing_images_mut(patch)
        .into_iter()
        .map(|(pointer, images)| (pointer, std::mem::take(images)))
        .collect();
    for (pointer, _) in &taken {
        remove_at(patch, pointer);
    }
    taken
}

fn remove_at(value: &mut Value, pointer: &str) {
    if let Some((parent, key)) = pointer.rsplit_once('/')
        && let Some(object) = value.pointer_mut(parent).and_then(Value::as_object_mut)
    {
        // shift, not swap: the body keeps the order of the submission as read.
        object.shift_remove(&unescape_pointer(key));
    }
}

fn unescape_pointer(key: &str) -> String {
    key.replace("~1", "/").replace("~0", "~")
}

/// `the en-us listing` / `the en-us Windows81 override`, from an images pointer.
fn describe_images_location(pointer: &str) -> String {
    let parts: Vec<String> = pointer.split('/').map(unescape_pointer).collect();
    match parts.as_slice() {
        [_, _, language, _, platform, _] => format!("the {language} {platform} override"),
        [_, _, language, ..] => format!("the {language} listing"),
        _ => pointer.to_string(),
    }
}

/// The outcome of [`merge_images`] for one listing.
#[derive(Debug, Default)]
struct MergedImages {
    images: Vec<Value>,
    kept: Vec<String>,
    added: Vec<String>,
    deleted: Vec<String>,
    dropped: Vec<String>,
}

impl MergedImages {
    fn summary(&self) -> String {
        let list = |names: &[String]| {
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            }
        };
        format!(
            "{} kept{}, {} new{}, {} marked PendingDelete{}",
            self.kept.len(),
            list(&self.kept),
            self.added.len(),
            list(&self.added),
            self.deleted.len(),
            list(&self.deleted)
        )
    }
}

fn file_status(image: &Value) -> Option<&str> {
    image.get("fileStatus").and_then(Value::as_str)
}

fn file_name(image: &Value) -> String {
    image
        .get("fileName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .replace('\\', "/")
}

fn image_id(image: &Value) -> Option<&str> {
    image
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

/// Which current image a patch entry keeps: by `id`, else by `fileName` unless the entry
/// is a new upload (a new file under an old name replaces the old one).
fn kept_index(current: &[Value], used: &[bool], entry: &Value) -> Option<usize> {
    let candidates = || current.iter().enumerate().filter(|(i, _)| !used[*i]);
    if let Some(id) = image_id(entry) {
        return candidates()
            .find(|(_, c)| image_id(c) == Some(id))
            .map(|(i, _)| i);
    }
    if file_status(entry) == Some("PendingUpload") {
        return None;
    }
    let name = file_name(entry);
    candidates()
        .find(|(_, c)| !name.is_empty() && file_name(c) == name)
        .map(|(i, _)| i)
}

fn merge_images(current: &[Value], patch: &[Value]) -> MergedImages {
    let mut merged = MergedImages::default();
    let mut used = vec![false; current.len()];
    for entry in patch {
        match kept_index(current, &used, entry) {
            Some(i) => {
                used[i] = true;
                let mut image = current[i].clone();
                merge_patch(&mut image, entry);
                if file_status(&image) == Some("PendingDelete") {
                    merged.deleted.push(file_name(&image));
                } else {
                    merged.kept.push(file_name(&image));
                }
                merged.images.push(image);
            }
            None => {
                let mut image = entry.clone();
                if file_status(&image) == Some("PendingUpload") {
                    merged.added.push(file_name(&image));
                } else if let Some(object) = image.as_object_mut()
                    && !object.contains_key("fileStatus")
                    && image_id(entry).is_none()
                {
                    object.insert("fileStatus".into(), json!("PendingUpload"));
                    merged.added.push(file_name(entry));
                }
                // Anything else refers to an image the listing does not have; the check
                // before any change refuses it (check_changes_fit).
                merged.images.push(image);
            }
        }
    }
    for (i, image) in current.iter().enumerate() {
        if used[i] {
            continue;
        }
        match file_status(image) {
            // A never-uploaded image the patch adds again (a re-run of a draft) is not
            // dropped: it is in this run's files.
            Some("PendingUpload") if merged.added.contains(&file_name(image)) => {}
            Some("PendingUpload") => merged.dropped.push(file_name(image)),
            Some("PendingDelete") => merged.images.push(image.clone()),
            _ => {
                let mut image = image.clone();
                image["fileStatus"] = json!("PendingDelete");
                merged.deleted.push(file_name(&image));
                merged.images.push(image);
            }
        }
    }
    merged
}

// ----- what the changes need from the submission -----

/// What the changes refer to that the submission does not have: a release-notes file for a
/// language without a listing, a patch image to keep that the listing does not have.
/// Checked on the submission the changes apply to (or the published one it will be cloned
/// from) before anything changes, so a mistake never leaves a half-changed submission.
pub fn check_changes_fit(submission: &Value, changes: &SubmissionChanges) -> Vec<InputProblem> {
    let mut problems = Vec::new();
    let languages: Vec<String> = submission
        .get("listings")
        .and_then(Value::as_object)
        .map(|l| l.keys().cloned().collect())
        .unwrap_or_default();
    let missing: Vec<&String> = changes
        .release_notes_by_language
        .keys()
        .filter(|language| !languages.iter().any(|l| l.eq_ignore_ascii_case(language)))
        .collect();
    for language in missing {
        problems.push(InputProblem::new(
            "release-notes-dir",
            format!(
                "`{language}.txt` is for a language the submission has no listing for; its listings are {}. Remove the file, rename it to one of those, or add the listing with `submission-patch`",
                if languages.is_empty() {
                    "none".to_string()
                } else {
                    languages.join(", ")
                }
            ),
        ));
    }
    if let Some(folder) = &changes.listings {
        // What the folder refers to that the submission no longer has (a placeholder of a
        // removed image).
        let mut planned = submission.clone();
        let outcome = crate::listings::apply(&mut planned, folder);
        problems.extend(outcome.problems);
        // The zip holds what is not live in the published submission; a submission that
        // lacks an image the published one has would need a file the zip does not hold.
        if let Some(in_zip) = folder.uploads.get() {
            for upload in outcome.uploads {
                if !in_zip.iter().any(|z| z.entry_name == upload.entry_name) {
                    problems.push(InputProblem::new(
                        "listings-dir",
                        format!(
                            "`{}` is live in the published submission but not in the one this run changes, so it is not in the zip; run again with `on-pending: delete` to start from the published submission",
                            upload.path.display()
                        ),
                    ));
                }
            }
        }
    }
    if let Some(patch) = &changes.patch {
        let mut patch = patch.clone();
        for (pointer, images) in listing_images_mut(&mut patch) {
            let current = submission
                .pointer(&pointer)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut used = vec![false; current.len()];
            for entry in images.iter() {
                let new = file_status(entry) == Some("PendingUpload")
                    || (image_id(entry).is_none() && file_status(entry).is_none());
                match kept_index(&current, &used, entry) {
                    Some(i) => used[i] = true,
                    None if new => {}
                    None => {
                        let shown = image_id(entry)
                            .map(|id| format!("id {id}"))
                            .unwrap_or_else(|| format!("`{}`", file_name(entry)));
                        let names: Vec<String> = current.iter().map(file_name).collect();
                        problems.push(InputProblem::new(
                            "submission-patch",
                            format!(
                                "keeps the image {shown} in {}, which has no such image (it has {}); give a new image without `id` and `fileStatus`, or the id or file name of one it has",
                                describe_images_location(&pointer),
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        ));
                    }
                }
            }
        }
    }
    problems
}

// ----- the body of the PUT -----

/// Read-only fields the service sets on every submission (https://learn.microsoft.com/windows/uwp/monetize/update-an-app-submission):
/// left out of the PUT, as in the docs' own update requests. They would be ignored anyway;
/// leaving them out makes the body depend only on what is written, so a dry run's planned
/// body and the real run's are the same bytes.
const READ_ONLY_FIELDS: &[&str] = &[
    "/id",
    "/flightId",
    "/status",
    "/statusDetails",
    "/fileUploadUrl",
    "/friendlyName",
    "/pricing/isAdvancedPricingModel",
    "/packageDeliveryOptions/packageRollout/packageRolloutStatus",
    "/packageDeliveryOptions/packageRollout/fallbackSubmissionId",
];

/// The submission as it is PUT: every field but the read-only ones, unknown ones included.
pub fn put_body(submission: &Value) -> Value {
    let mut body = submission.clone();
    for pointer in READ_ONLY_FIELDS {
        remove_at(&mut body, pointer);
    }
    body
}

/// `body` (another submission's fields) with the fields the service set on `submission`
/// (its id, status, upload URL…): `submission` rebuilt from `body`.
pub fn with_service_fields(body: &Value, submission: &Value) -> Value {
    let mut rebuilt = put_body(body);
    for pointer in READ_ONLY_FIELDS {
        let Some(value) = submission.pointer(pointer) else {
            continue;
        };
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        if let Some(object) = rebuilt.pointer_mut(parent).and_then(Value::as_object_mut) {
            object.insert(unescape_pointer(key), value.clone());
        }
    }
    rebuilt
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

/// Each `<language>.txt` of `release-notes-dir` into the listing of that language (the
/// listing keys' case is kept); languages without a file keep their notes.
fn set_release_notes_by_language(
    submission: &mut Value,
    notes: &BTreeMap<String, String>,
    report: &mut EditReport,
) {
    let Some(listings) = submission
        .get_mut("listings")
        .and_then(Value::as_object_mut)
    else {
        report
            .warnings
            .push("the submission has no listings; `release-notes-dir` not applied".into());
        return;
    };
    let (mut set, mut kept) = (Vec::new(), Vec::new());
    for (language, listing) in listings.iter_mut() {
        let text = notes
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(language))
            .map(|(_, t)| t);
        match (text, listing.as_object_mut()) {
            (Some(text), Some(listing)) => {
                let base = listing.entry("baseListing").or_insert_with(|| json!({}));
                if let Some(base) = base.as_object_mut() {
                    base.insert("releaseNotes".into(), Value::String(text.clone()));
                    set.push(language.clone());
                }
            }
            _ => kept.push(language.clone()),
        }
    }
    report.notes.push(format!(
        "set release notes for {}{}",
        set.join(", "),
        if kept.is_empty() {
            String::new()
        } else {
            format!("; kept the notes of {}", kept.join(", "))
        }
    ));
}

/// `replace`: every package already there becomes `PendingDelete` (kept in the array: an
/// entry simply left out is *not* deleted, StoreBroker's `Patch-ApplicationSubmission`,
/// https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApplicationApi.ps1). `add`: they stay. Entries that
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
            // Re-added below when it is one of this run's packages (a re-run of a draft):
            // only the others are dropped.
            if !new_packages.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                dropped.push(name);
            }
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
    use crate::config::patch_files::normalize_patch_images;

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
            ..Default::default()
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
    fn a_patch_or_submission_that_is_not_an_object_changes_nothing() {
        let mut c = changes(&[], PackageMode::Replace);
        c.patch = Some(json!(1));
        c.notes_for_certification = Some("n".into());
        let mut submission = sample();
        let report = apply_changes(&mut submission, &app(), &c);
        assert_eq!(submission, sample());
        assert_eq!(report.warnings.len(), 1);
        c.patch = None;
        let mut number = json!(1);
        apply_changes(&mut number, &app(), &c);
        assert_eq!(number, json!(1));
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

    /// A submission with two listings: en-us (the docs' screenshot) and de-de (its own).
    fn two_listings() -> Value {
        let mut submission = sample();
        submission["listings"]["de-de"] = json!({"baseListing": {
            "title": "Contoso E-Book-Leser",
            "releaseNotes": "Alte Notizen",
            "images": [{"fileName": "de/main.png", "fileStatus": "Uploaded", "id": "7", "imageType": "Screenshot"}]
        }});
        submission
    }

    fn patched(submission: &Value, patch: Value) -> (Value, EditReport) {
        let mut patch = patch;
        normalize_patch_images(&mut patch);
        let mut c = changes(&[], PackageMode::Replace);
        c.patch = Some(patch);
        let mut out = submission.clone();
        let report = apply_changes(&mut out, &app(), &c);
        (out, report)
    }

    #[test]
    fn images_the_patch_drops_become_pending_delete_in_that_listing_only() {
        let original = two_listings();
        let (out, report) = patched(
            &original,
            json!({"listings": {"en-us": {"baseListing": {"images": [
                {"fileName": "shots/new.png", "imageType": "Screenshot", "description": "New main page"}
            ]}}}}),
        );
        let images = &out["listings"]["en-us"]["baseListing"]["images"];
        assert_eq!(
            images,
            &json!([
                {"fileName": "shots/new.png", "imageType": "Screenshot", "description": "New main page", "fileStatus": "PendingUpload"},
                {"fileName": "contoso.png", "fileStatus": "PendingDelete", "id": "1152921504672272757", "description": "Main page", "imageType": "Screenshot"}
            ])
        );
        // The other listing, and everything else of this one, are as they were.
        assert_eq!(out["listings"]["de-de"], original["listings"]["de-de"]);
        assert_eq!(
            out["listings"]["en-us"]["baseListing"]["title"],
            original["listings"]["en-us"]["baseListing"]["title"]
        );
        assert!(
            report.notes.iter().any(|n| n
                .contains("0 kept, 1 new (shots/new.png), 1 marked PendingDelete (contoso.png)")),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn images_the_patch_keeps_stay_and_may_be_reordered_or_described() {
        let original = two_listings();
        let (out, _) = patched(
            &original,
            json!({"listings": {"en-us": {"baseListing": {"images": [
                {"fileName": "shots/first.png", "imageType": "Screenshot"},
                {"id": "1152921504672272757", "description": "Library view"}
            ]}}}}),
        );
        let images = out["listings"]["en-us"]["baseListing"]["images"]
            .as_array()
            .unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!(images[0]["fileStatus"], "PendingUpload");
        assert_eq!(images[1]["fileStatus"], "Uploaded");
        assert_eq!(images[1]["fileName"], "contoso.png");
        assert_eq!(images[1]["description"], "Library view");

        // Kept by file name, and a new file under an old name replaces it.
        let (out, _) = patched(
            &original,
            json!({"listings": {"de-de": {"baseListing": {"images": [
                {"fileName": "de/main.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"}
            ]}}}}),
        );
        let statuses: Vec<(&str, &str)> = out["listings"]["de-de"]["baseListing"]["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["fileName"].as_str().unwrap(),
                    i["fileStatus"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [
                ("de/main.png", "PendingUpload"),
                ("de/main.png", "PendingDelete")
            ]
        );
    }

    #[test]
    fn a_patch_without_images_keeps_every_image() {
        let original = two_listings();
        let (out, _) = patched(
            &original,
            json!({"listings": {"en-us": {"baseListing": {"releaseNotes": "Only notes"}}}}),
        );
        assert_eq!(
            out["listings"]["en-us"]["baseListing"]["images"],
            original["listings"]["en-us"]["baseListing"]["images"]
        );
        assert_eq!(
            out["listings"]["en-us"]["baseListing"]["releaseNotes"],
            "Only notes"
        );
    }

    #[test]
    fn release_notes_per_language_leave_other_languages_alone() {
        let mut submission = two_listings();
        let mut c = changes(&[], PackageMode::Replace);
        c.release_notes_by_language = [("EN-US".to_lowercase(), "New in 1.1".to_string())].into();
        assert!(check_changes_fit(&submission, &c).is_empty());
        apply_changes(&mut submission, &app(), &c);
        assert_eq!(
            submission["listings"]["en-us"]["baseListing"]["releaseNotes"],
            "New in 1.1"
        );
        assert_eq!(
            submission["listings"]["de-de"]["baseListing"]["releaseNotes"],
            "Alte Notizen"
        );

        c.release_notes_by_language
            .insert("fr-fr".into(), "Nouveautés".into());
        let problems = check_changes_fit(&submission, &c);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].input, "release-notes-dir");
        assert!(
            problems[0].message.contains("fr-fr.txt"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message.contains("en-us, de-de"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn keeping_an_image_the_listing_does_not_have_is_refused() {
        let mut c = changes(&[], PackageMode::Replace);
        let mut patch =
            json!({"listings": {"en-us": {"baseListing": {"images": [{"id": "404"}]}}}});
        normalize_patch_images(&mut patch);
        c.patch = Some(patch);
        let problems = check_changes_fit(&two_listings(), &c);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("id 404"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message.contains("contoso.png"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn the_put_body_leaves_out_what_the_service_sets() {
        let body = put_body(&sample());
        for field in [
            "id",
            "status",
            "statusDetails",
            "fileUploadUrl",
            "friendlyName",
        ] {
            assert!(body.get(field).is_none(), "{field}");
        }
        assert!(body["pricing"].get("isAdvancedPricingModel").is_none());
        let rollout = &body["packageDeliveryOptions"]["packageRollout"];
        assert_eq!(
            rollout,
            &json!({"isPackageRollout": false, "packageRolloutPercentage": 0.0})
        );
        assert_eq!(body["pricing"]["priceId"], "Tier2");
        assert_eq!(body["listings"], sample()["listings"]);
    }
}
