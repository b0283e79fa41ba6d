//! What the service checks when a submission is committed: the uploaded zip holds every
//! file the submission marks `PendingUpload`, at exactly that path ("refer to the name and
//! relative path of these files in the ZIP archive", https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services).
//! Written apart from the client's own file walk on purpose: a mistake in one should not
//! be mirrored in the other.

use std::io::BufReader;

use serde_json::{Value, json};

use super::state::Blob;

/// `statusDetails.errors` for a commit: `InvalidParameterValue` if an app or flight
/// submission has no package left, `MissingFiles` if an entry says `Uploaded` but the
/// service holds no such file (`held`: the files of the product's published submissions),
/// `InvalidArchive` if the upload is no zip, `MissingFiles` if a new file is not in it,
/// nothing when all is well.
pub fn commit_errors(submission: &Value, blob: Option<&Blob>, held: &[Value]) -> Vec<Value> {
    if let Some(error) = no_package(submission) {
        return vec![error];
    }
    let ghosts: Vec<String> = file_entries(submission)
        .into_iter()
        .filter(|entry| status(entry) == Some("Uploaded"))
        .filter(|entry| !held.iter().any(|file| same_file(file, entry)))
        .filter_map(|entry| entry.get("fileName").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    if !ghosts.is_empty() {
        // UNKNOWN: the code and wording; a file the JSON names that the service cannot
        // find is what `MissingFiles` stands for in the docs.
        return vec![json!({
            "code": "MissingFiles",
            "details": format!("The following files are marked Uploaded, but no such file was ever uploaded: {}", ghosts.join(", "))
        })];
    }
    let needed = files_needed(submission);
    if needed.is_empty() {
        return Vec::new();
    }
    let Some(blob) = blob else {
        // UNKNOWN: the exact wording; the code is the documented one for absent files.
        return vec![json!({
            "code": "MissingFiles",
            "details": format!("No file was uploaded, but the submission references new files: {}", needed.join(", "))
        })];
    };
    let names = match std::fs::File::open(&blob.path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(BufReader::new(f)).map_err(|e| e.to_string()))
    {
        Ok(archive) => match archive
            .file_names()
            .map(|name| name.map(|n| n.into_owned()))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(names) => names,
            Err(_) => return invalid_archive(),
        },
        Err(_) => return invalid_archive(),
    };

    // Paths in the JSON may use `\` or `/` (both appear in the docs); zip entries use `/`.
    // UNKNOWN: whether the service compares case-insensitively; this compares exactly.
    let missing: Vec<String> = needed
        .into_iter()
        .filter(|name| {
            let wanted = name.replace('\\', "/");
            !names.contains(&wanted)
        })
        .collect();
    if missing.is_empty() {
        Vec::new()
    } else {
        vec![json!({
            "code": "MissingFiles",
            "details": format!("The following files were not found in the uploaded ZIP archive: {}", missing.join(", "))
        })]
    }
}

/// An app or flight submission whose packages are all gone (none, or all `PendingDelete`)
/// cannot be committed. UNKNOWN: the stage, code and wording; Partner Center asks for at
/// least one package, and here the commit fails.
fn no_package(submission: &Value) -> Option<Value> {
    let field = ["applicationPackages", "flightPackages"]
        .into_iter()
        .find(|f| submission.get(*f).is_some())?;
    let live = array(submission.get(field))
        .iter()
        .any(|p| status(p) != Some("PendingDelete"));
    (!live).then(|| {
        json!({
            "code": "InvalidParameterValue",
            "details": format!("The submission has no packages: {field} must hold at least one package that is not PendingDelete.")
        })
    })
}

fn status(entry: &Value) -> Option<&str> {
    entry.get("fileStatus").and_then(Value::as_str)
}

/// Two entries for the same file: the same id when both have one, else the same name.
fn same_file(a: &Value, b: &Value) -> bool {
    let id = |v: &Value| {
        v.get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match (id(a), id(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.get("fileName").is_some() && a.get("fileName") == b.get("fileName"),
    }
}

/// Every file entry with a `fileStatus`: packages, listing images (base listings and
/// platform overrides) and add-on icons.
pub fn file_entries(submission: &Value) -> Vec<&Value> {
    let mut entries = Vec::new();
    for field in ["applicationPackages", "flightPackages"] {
        entries.extend(array(submission.get(field)));
    }
    if let Some(listings) = submission.get("listings").and_then(Value::as_object) {
        for listing in listings.values() {
            let mut bases = vec![listing.get("baseListing")];
            if let Some(overrides) = listing.get("platformOverrides").and_then(Value::as_object) {
                bases.extend(overrides.values().map(Some));
            }
            for base in bases.into_iter().flatten() {
                entries.extend(array(base.get("images")));
            }
            if let Some(icon) = listing.get("icon").filter(|i| i.is_object()) {
                entries.push(icon);
            }
        }
    }
    entries
}

fn invalid_archive() -> Vec<Value> {
    vec![json!({
        "code": "InvalidArchive",
        "details": "The uploaded file is not a valid ZIP archive."
    })]
}

/// Files the submission expects in the zip: new packages, new images of every listing
/// (and platform override), add-on icons, and the files of trailers not yet uploaded.
fn files_needed(submission: &Value) -> Vec<String> {
    let mut needed = Vec::new();
    let pending =
        |item: &Value| item.get("fileStatus").and_then(Value::as_str) == Some("PendingUpload");
    let mut add = |name: Option<&str>| {
        if let Some(name) = name
            && !needed.iter().any(|n| n == name)
        {
            needed.push(name.to_string());
        }
    };
    for field in ["applicationPackages", "flightPackages"] {
        for package in array(submission.get(field)) {
            if pending(package) {
                add(package.get("fileName").and_then(Value::as_str));
            }
        }
    }
    if let Some(listings) = submission.get("listings").and_then(Value::as_object) {
        for listing in listings.values() {
            let mut bases = vec![listing.get("baseListing")];
            if let Some(overrides) = listing.get("platformOverrides").and_then(Value::as_object) {
                bases.extend(overrides.values().map(Some));
            }
            for base in bases.into_iter().flatten() {
                for image in array(base.get("images")) {
                    if pending(image) {
                        add(image.get("fileName").and_then(Value::as_str));
                    }
                }
            }
            if let Some(icon) = listing.get("icon")
                && pending(icon)
            {
                add(icon.get("fileName").and_then(Value::as_str));
            }
        }
    }
    for trailer in array(submission.get("trailers")) {
        if trailer
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| !id.is_empty())
        {
            continue;
        }
        add(trailer.get("videoFileName").and_then(Value::as_str));
        if let Some(assets) = trailer.get("trailerAssets").and_then(Value::as_object) {
            for asset in assets.values() {
                for image in array(asset.get("imageList")) {
                    add(image.get("fileName").and_then(Value::as_str));
                }
            }
        }
    }
    needed
}

fn array(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}
