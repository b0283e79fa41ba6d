//! Which files a submission expects in the upload zip, and a patch's new listing images
//! marked as such (read by validation and by the edit).

use serde_json::{Value, json};

/// Every file a submission (or a patch of one) marks for upload: `fileName` of any object
/// whose `fileStatus` is `PendingUpload` (packages, images, add-on icons), and the video
/// and thumbnails of trailers that have no `id` yet (trailers have no `fileStatus`; a new
/// trailer's files must be in the zip). In order of appearance, without repeats.
pub fn new_files_in_patch(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(value, false, &mut found);
    found
}

fn walk(value: &Value, in_trailers: bool, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.get("fileStatus").and_then(Value::as_str) == Some("PendingUpload")
                && let Some(name) = map.get("fileName").and_then(Value::as_str)
            {
                push(found, name);
            }
            for (key, child) in map {
                walk(child, in_trailers || key == "trailers", found);
            }
        }
        Value::Array(items) => {
            for item in items {
                if in_trailers && is_new_trailer(item) {
                    trailer_files(item, found);
                }
                walk(item, in_trailers, found);
            }
        }
        _ => {}
    }
}

fn is_new_trailer(item: &Value) -> bool {
    item.get("videoFileName").is_some()
        && item
            .get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
}

fn trailer_files(trailer: &Value, found: &mut Vec<String>) {
    if let Some(video) = trailer.get("videoFileName").and_then(Value::as_str) {
        push(found, video);
    }
    if let Some(assets) = trailer.get("trailerAssets").and_then(Value::as_object) {
        for asset in assets.values() {
            for image in asset
                .get("imageList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = image.get("fileName").and_then(Value::as_str) {
                    push(found, name);
                }
            }
        }
    }
}

fn push(found: &mut Vec<String>, name: &str) {
    if !name.is_empty() && !found.iter().any(|n| n == name) {
        found.push(name.to_string());
    }
}

/// Marks the patch's new listing images `PendingUpload` (an entry with neither `id` nor
/// `fileStatus`), so that the files it names are looked for in `assets-dir` like every
/// other new file, and the edit treats them as uploads.
pub fn normalize_patch_images(patch: &mut Value) {
    for (_, images) in listing_images_mut(patch) {
        for image in images.iter_mut().filter_map(Value::as_object_mut) {
            let has_id = image
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.is_empty());
            if !has_id && !image.contains_key("fileStatus") {
                image.insert("fileStatus".into(), json!("PendingUpload"));
            }
        }
    }
}

/// JSON pointers of the `images` arrays in a submission (or patch) listing:
/// `/listings/{lang}/baseListing/images`, `/listings/{lang}/platformOverrides/{p}/images`.
pub(crate) fn listing_images_mut(value: &mut Value) -> Vec<(String, &mut Vec<Value>)> {
    let mut found = Vec::new();
    let Some(listings) = value.get_mut("listings").and_then(Value::as_object_mut) else {
        return found;
    };
    for (language, listing) in listings.iter_mut() {
        let Some(listing) = listing.as_object_mut() else {
            continue;
        };
        let language = escape_pointer(language);
        for (key, part) in listing.iter_mut() {
            match key.as_str() {
                "baseListing" => {
                    if let Some(images) = part.get_mut("images").and_then(Value::as_array_mut) {
                        found.push((format!("/listings/{language}/baseListing/images"), images));
                    }
                }
                "platformOverrides" => {
                    for (platform, over) in part.as_object_mut().into_iter().flatten() {
                        let platform = escape_pointer(platform);
                        if let Some(images) = over.get_mut("images").and_then(Value::as_array_mut) {
                            found.push((
                                format!("/listings/{language}/platformOverrides/{platform}/images"),
                                images,
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// A key as a JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_pending_uploads_and_new_trailer_files() {
        let patch = json!({
            "listings": {"en-us": {"baseListing": {"images": [
                {"fileName": "img/new.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
                {"fileName": "img/old.png", "fileStatus": "Uploaded", "id": "1"},
                {"fileName": "img/gone.png", "fileStatus": "PendingDelete", "id": "2"}
            ]}}},
            "applicationPackages": [{"fileName": "App.msix", "fileStatus": "PendingUpload"}],
            "trailers": [
                {"videoFileName": "Trailers\\new.mp4", "trailerAssets": {"en-us": {"title": "t", "imageList": [{"fileName": "Trailers\\thumb.png"}]}}},
                {"id": "77", "videoFileName": "old.mp4", "trailerAssets": {"en-us": {"imageList": [{"fileName": "oldthumb.png", "id": "8"}]}}}
            ]
        });
        assert_eq!(
            new_files_in_patch(&patch),
            [
                "img/new.png",
                "App.msix",
                "Trailers\\new.mp4",
                "Trailers\\thumb.png"
            ]
        );
    }

    #[test]
    fn the_doc_sample_submission_needs_nothing() {
        let sample: Value = serde_json::from_str(include_str!(
            "../simulator/samples/app-submission-resource.json"
        ))
        .unwrap();
        assert!(new_files_in_patch(&sample).is_empty());
    }
}
