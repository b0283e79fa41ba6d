//! Applying the folder to a submission (docs/listings.md): a field file
//! present is the new value, absent keeps the live one; an image-type folder present is
//! exactly that type's images in that order, live ones kept (`Uploaded`, same id), new ones
//! `PendingUpload`, the rest `PendingDelete` (sent back, not left out: leaving an image out
//! keeps it, https://github.com/microsoft/StoreBroker/issues/269); `trailers/` present
//! rebuilds the trailers; languages without a folder are kept unless `prune-languages`.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::config::listings::{
    Folder, Language, LocalImage, Scope, Source, Target, Trailer, sha256_in_name,
    unpulled_images_problem, unpulled_trailers_problem,
};
use crate::config::{InputProblem, ZipInput};

/// What applying the folder did, or would do.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What keeps the folder from applying (stale placeholders, a missing add-on folder).
    pub problems: Vec<InputProblem>,
    /// The files the zip must hold.
    pub uploads: Vec<ZipInput>,
    /// One line per change, for the log and the dry run.
    pub notes: Vec<String>,
}

impl Outcome {
    fn problem(&mut self, message: String) {
        self.problems
            .push(InputProblem::new(crate::config::listings::INPUT, message));
    }

    fn upload(&mut self, source: &Source) {
        if let Source::File { path, zip_name, .. } = source
            && !self.uploads.iter().any(|u| &u.entry_name == zip_name)
        {
            self.uploads.push(ZipInput {
                path: path.clone(),
                entry_name: zip_name.clone(),
            });
        }
    }
}

/// Applies the folder to `submission`.
pub fn apply(submission: &mut Value, folder: &Folder) -> Outcome {
    let mut out = Outcome::default();
    match &folder.target {
        Target::App => {
            if let Some(scope) = &folder.app {
                apply_scope(submission, scope, folder, false, &mut out);
            }
            if let Some(trailers) = &folder.trailers {
                apply_trailers(submission, trailers, folder, &mut out);
            }
        }
        Target::Addon(name) => {
            if let Some(scope) = folder.addons.get(name) {
                apply_scope(submission, scope, folder, true, &mut out);
            }
        }
    }
    out
}

fn apply_scope(
    submission: &mut Value,
    scope: &Scope,
    folder: &Folder,
    addon: bool,
    out: &mut Outcome,
) {
    if !submission.get("listings").is_some_and(Value::is_object) {
        submission["listings"] = json!({});
    }
    let Some(listings) = submission["listings"].as_object_mut() else {
        return;
    };
    for (code, language) in &scope.languages {
        let key = listings
            .keys()
            .find(|k| k.eq_ignore_ascii_case(code))
            .cloned()
            .unwrap_or_else(|| code.clone());
        let is_new = !listings.contains_key(&key);
        if is_new {
            out.notes.push(format!("listing {key}: added"));
            listings.insert(
                key.clone(),
                if addon {
                    json!({})
                } else {
                    json!({"baseListing": {}, "platformOverrides": {}})
                },
            );
        }
        let listing = &mut listings[&key];
        if addon {
            apply_fields(listing, &key, language, scope.default.as_ref(), out);
            // "Title: required" (https://learn.microsoft.com/windows/apps/publish/publish-your-app/add-on/add-and-edit-store-listing-info).
            if listing
                .get("title")
                .and_then(Value::as_str)
                .is_none_or(|t| t.trim().is_empty())
            {
                out.problem(format!(
                    "`addons/{}/{code}`: an add-on listing needs a title: add `title.txt` (or `default/title.txt`)",
                    scope.name
                ));
            }
            let icon = language
                .icon
                .as_ref()
                .or(scope.default.as_ref().and_then(|d| d.icon.as_ref()));
            if let Some(icon) = icon {
                apply_icon(listing, &key, icon, folder, out);
            }
        } else {
            if !listing.get("baseListing").is_some_and(Value::is_object) {
                listing["baseListing"] = json!({});
            }
            let base = &mut listing["baseListing"];
            apply_fields(base, &key, language, scope.default.as_ref(), out);
            let mut types: BTreeSet<&String> = language.images.keys().collect();
            if let Some(default) = &scope.default {
                types.extend(default.images.keys());
            }
            for image_type in types {
                let locals = language
                    .images
                    .get(image_type)
                    .or_else(|| {
                        scope
                            .default
                            .as_ref()
                            .and_then(|d| d.images.get(image_type))
                    })
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let from = if language.images.contains_key(image_type) {
                    code.as_str()
                } else {
                    "default"
                };
                let type_dir = format!("{}/{from}/images/{image_type}/", scope.name);
                apply_images(base, &key, image_type, &type_dir, locals, folder, out);
            }
            // A description and one screenshot are the least a listing needs to be complete
            // (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/create-app-store-listing);
            // a listing the folder adds without them would fail later, in certification.
            if is_new {
                let described = base
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.trim().is_empty());
                let screenshots =
                    base.get("images")
                        .and_then(Value::as_array)
                        .is_some_and(|images| {
                            images.iter().any(|i| {
                                status_of(i) != "PendingDelete"
                                    && i.get("imageType")
                                        .and_then(Value::as_str)
                                        .is_some_and(|t| t.ends_with("Screenshot"))
                            })
                        });
                if !described || !screenshots {
                    out.problem(format!(
                        "`app/{code}` adds the listing {key}, which needs {}: add {} (or to `app/default/`)",
                        match (described, screenshots) {
                            (false, false) => "a description and a screenshot",
                            (false, true) => "a description",
                            _ => "a screenshot",
                        },
                        match (described, screenshots) {
                            (false, false) => "`description.txt` and `images/Screenshot/01-….png`",
                            (false, true) => "`description.txt`",
                            _ => "`images/Screenshot/01-….png`",
                        }
                    ));
                }
            }
        }
    }
    if folder.prune_languages {
        let gone: Vec<String> = listings
            .keys()
            .filter(|k| !scope.languages.contains_key(&k.to_ascii_lowercase()))
            .cloned()
            .collect();
        for key in gone {
            listings.remove(&key);
            out.notes.push(format!(
                "listing {key}: removed (prune-languages; no folder for it)"
            ));
        }
    }
}

fn apply_fields(
    target: &mut Value,
    key: &str,
    language: &Language,
    default: Option<&Language>,
    out: &mut Outcome,
) {
    let mut names: BTreeSet<&&str> = language.fields.keys().collect();
    if let Some(default) = default {
        names.extend(default.fields.keys());
    }
    for name in names {
        let Some(value) = language
            .fields
            .get(*name)
            .or_else(|| default.and_then(|d| d.fields.get(*name)))
        else {
            continue;
        };
        let old = target.get(*name).cloned().unwrap_or(Value::Null);
        let cleared = value.as_str() == Some("") || value.as_array().is_some_and(Vec::is_empty);
        // `pull` writes an empty file for a field the listing does not have: the same.
        if old == *value || (old.is_null() && cleared) {
            continue;
        }
        out.notes.push(format!(
            "listing {key}: {name} {}",
            if cleared {
                "cleared".to_string()
            } else {
                format!("{} → {}", short(&old), short(value))
            }
        ));
        target[*name] = value.clone();
    }
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::Null => return "(none)".into(),
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

fn id_of(entry: &Value) -> Option<&str> {
    entry
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn name_of(entry: &Value) -> &str {
    entry.get("fileName").and_then(Value::as_str).unwrap_or("")
}

fn status_of(entry: &Value) -> &str {
    entry
        .get("fileStatus")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The SHA-256 of a live file's bytes, when this tool uploaded it or `pull` recorded it.
fn live_sha<'a>(entry: &'a Value, folder: &'a Folder) -> Option<&'a str> {
    sha256_in_name(name_of(entry)).or_else(|| folder.state.sha256_of(id_of(entry), name_of(entry)))
}

/// Which current entry a local image is, if it is live.
fn find_live(
    current: &[Value],
    used: &[bool],
    local: &LocalImage,
    folder: &Folder,
) -> Option<usize> {
    current.iter().enumerate().position(|(i, entry)| {
        !used[i]
            && match &local.source {
                Source::Live { id } => {
                    id_of(entry) == Some(id) || (id_of(entry).is_none() && name_of(entry) == id)
                }
                Source::File { sha256, .. } => live_sha(entry, folder) == Some(sha256.as_str()),
            }
    })
}

fn apply_images(
    base: &mut Value,
    key: &str,
    image_type: &str,
    type_dir: &str,
    locals: &[LocalImage],
    folder: &Folder,
    out: &mut Outcome,
) {
    let images: Vec<Value> = base
        .get("images")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (of_type, others): (Vec<Value>, Vec<Value>) = images
        .into_iter()
        .partition(|i| i.get("imageType").and_then(Value::as_str) == Some(image_type));
    // Entries a reused draft holds: only live (`Uploaded`) images can be kept; one still
    // waiting for its upload is not in this run's zip unless this run uploads it again.
    let current: Vec<Value> = of_type
        .iter()
        .filter(|i| status_of(i) == "Uploaded")
        .cloned()
        .collect();
    let mut used = vec![false; current.len()];
    let mut list = Vec::new();
    let (mut kept, mut new, mut recaptioned) = (0, 0, 0);
    let mut order = Vec::new();
    for local in locals {
        let caption = local.caption.clone().unwrap_or_default();
        match find_live(&current, &used, local, folder) {
            Some(i) => {
                used[i] = true;
                order.push(i);
                let mut entry = current[i].clone();
                if entry.get("description").and_then(Value::as_str).unwrap_or("") != caption {
                    recaptioned += 1;
                }
                entry["description"] = json!(caption);
                list.push(entry);
                kept += 1;
            }
            None => match &local.source {
                Source::Live { id } => out.problem(format!(
                    "`{}` stands for live image {id}, which listing {key} no longer has as {image_type}: run `pull` again, or put the image file in its place",
                    local.shown
                )),
                Source::File { zip_name, .. } => {
                    out.upload(&local.source);
                    list.push(json!({
                        "fileName": zip_name,
                        "fileStatus": "PendingUpload",
                        "description": caption,
                        "imageType": image_type,
                    }));
                    new += 1;
                }
            },
        }
    }
    // A live image the folder leaves out is removed only if the user could have meant it
    // (docs/listings.md, "Images added in Partner Center"): in a folder `pull` wrote, its
    // placeholder was deleted (the state file names it) or this tool uploaded it (the hash
    // in its name). One added in Partner Center after the `pull` was never seen here.
    if folder.state.pulled() {
        let unseen = current
            .iter()
            .enumerate()
            .filter(|(i, entry)| {
                !used[*i]
                    && sha256_in_name(name_of(entry)).is_none()
                    && !folder.state.has_image(id_of(entry), name_of(entry))
            })
            .count();
        if unseen > 0 {
            out.problems
                .push(unpulled_images_problem(type_dir, unseen, image_type, key));
        }
    }
    let mut deleted = 0;
    for (i, entry) in current.iter().enumerate() {
        if !used[i] {
            let mut entry = entry.clone();
            entry["fileStatus"] = json!("PendingDelete");
            list.push(entry);
            deleted += 1;
        }
    }
    let reordered = order.windows(2).any(|w| w[0] > w[1]);
    if new + deleted + recaptioned > 0 || reordered {
        let mut parts = vec![format!("keep {kept}")];
        if new > 0 {
            parts.push(format!("upload {new}"));
        }
        if deleted > 0 {
            parts.push(format!("delete {deleted}"));
        }
        if recaptioned > 0 {
            parts.push(format!("{recaptioned} caption(s) changed"));
        }
        if reordered {
            parts.push("reordered".into());
        }
        out.notes
            .push(format!("listing {key}: {image_type}: {}", parts.join(", ")));
    }
    let mut all = others;
    all.extend(list);
    base["images"] = Value::Array(all);
}

fn apply_icon(
    listing: &mut Value,
    key: &str,
    icon: &LocalImage,
    folder: &Folder,
    out: &mut Outcome,
) {
    let current = listing
        .get("icon")
        .filter(|i| status_of(i) == "Uploaded")
        .cloned();
    let live = current.as_ref().is_some_and(|c| match &icon.source {
        Source::Live { id } => name_of(c) == id,
        Source::File { sha256, .. } => live_sha(c, folder) == Some(sha256.as_str()),
    });
    if live {
        return;
    }
    match &icon.source {
        Source::Live { id } => out.problem(format!(
            "`{}` stands for the live icon `{id}`, which listing {key} no longer has: run `pull` again, or put icon.png in its place",
            icon.shown
        )),
        Source::File { zip_name, .. } => {
            out.upload(&icon.source);
            // The old icon is replaced: the new one takes its place in the listing.
            listing["icon"] = json!({"fileName": zip_name, "fileStatus": "PendingUpload"});
            out.notes.push(format!("listing {key}: icon: upload {zip_name}"));
        }
    }
}

fn apply_trailers(
    submission: &mut Value,
    trailers: &[Trailer],
    folder: &Folder,
    out: &mut Outcome,
) {
    let current: Vec<Value> = submission
        .get("trailers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let languages: Vec<String> = submission
        .get("listings")
        .and_then(Value::as_object)
        .map(|l| l.keys().cloned().collect())
        .unwrap_or_default();
    let mut used = vec![false; current.len()];
    let mut list = Vec::new();
    for trailer in trailers {
        let found = current.iter().enumerate().position(|(i, t)| {
            !used[i]
                && match &trailer.video {
                    Source::Live { id } => id_of(t) == Some(id),
                    Source::File { sha256, .. } => {
                        let name = t.get("videoFileName").and_then(Value::as_str).unwrap_or("");
                        sha256_in_name(name).or_else(|| folder.state.sha256_of(id_of(t), name))
                            == Some(sha256.as_str())
                    }
                }
        });
        let mut assets = Map::new();
        let mut thumbnails_live = true;
        for language in &languages {
            let own = trailer.assets.get(&language.to_ascii_lowercase());
            let default = trailer.assets.get("default");
            let kept_asset =
                found.and_then(|i| current[i].pointer(&format!("/trailerAssets/{language}")));
            let title = own
                .and_then(|a| a.title.clone())
                .or_else(|| default.and_then(|a| a.title.clone()))
                .or_else(|| {
                    kept_asset
                        .and_then(|a| a.get("title"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
            let thumbnail = own
                .and_then(|a| a.thumbnail.as_ref())
                .or_else(|| default.and_then(|a| a.thumbnail.as_ref()));
            let kept_thumb = kept_asset.and_then(|a| a.pointer("/imageList/0")).cloned();
            let image = match (thumbnail, kept_thumb) {
                (Some(local), Some(kept))
                    if match &local.source {
                        Source::Live { id } => id_of(&kept) == Some(id),
                        Source::File { sha256, .. } => {
                            live_sha(&kept, folder) == Some(sha256.as_str())
                        }
                    } =>
                {
                    let mut kept = kept;
                    kept["description"] = json!(local.caption.clone().unwrap_or_default());
                    kept
                }
                (Some(local), _) => match &local.source {
                    Source::File { zip_name, .. } => {
                        thumbnails_live = false;
                        out.upload(&local.source);
                        json!({"fileName": zip_name, "description": local.caption.clone().unwrap_or_default()})
                    }
                    Source::Live { id } => {
                        out.problem(format!(
                            "`{}` stands for live thumbnail {id}, which the trailer no longer has: run `pull` again",
                            local.shown
                        ));
                        continue;
                    }
                },
                (None, Some(kept)) => kept,
                (None, None) => {
                    out.problem(format!(
                        "`{}` has no thumbnail for {language}: add `default/thumbnail.png` or `{language}/thumbnail.png`",
                        trailer.shown
                    ));
                    continue;
                }
            };
            assets.insert(
                language.clone(),
                json!({"title": title.unwrap_or_default(), "imageList": [image]}),
            );
        }
        let entry = match found {
            // UNKNOWN: whether the Store takes a new thumbnail for a trailer it keeps; a
            // changed thumbnail makes the trailer new, with its video uploaded again.
            Some(i) if thumbnails_live => {
                used[i] = true;
                let mut entry = current[i].clone();
                entry["trailerAssets"] = Value::Object(assets);
                entry
            }
            _ => match &trailer.video {
                Source::File { zip_name, .. } => {
                    out.upload(&trailer.video);
                    out.notes.push(format!("trailer {}: upload", trailer.shown));
                    json!({"videoFileName": zip_name, "trailerAssets": Value::Object(assets)})
                }
                Source::Live { id } => {
                    out.problem(format!(
                        "`{}`: live trailer {id} {}; put its video.mp4 in place of video.live",
                        trailer.shown,
                        if found.is_some() {
                            "gets a new thumbnail, which makes it a new trailer"
                        } else {
                            "is no longer live"
                        }
                    ));
                    continue;
                }
            },
        };
        list.push(entry);
    }
    // A live trailer `trailers/` leaves out is removed only if the user could have meant it
    // (docs/listings.md, "Images added in Partner Center"), as images are: in
    // a folder `pull` wrote, the state file names it or this tool uploaded its video (the
    // hash in its name). One added in Partner Center after the `pull` was never seen here.
    if folder.state.pulled() {
        let mut count = 0;
        let mut languages = BTreeSet::new();
        for (i, trailer) in current.iter().enumerate() {
            let video = trailer
                .get("videoFileName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !used[i]
                && sha256_in_name(video).is_none()
                && !folder.state.has_trailer(id_of(trailer), video)
            {
                count += 1;
                let assets = trailer.get("trailerAssets").and_then(Value::as_object);
                languages.extend(assets.into_iter().flatten().map(|(l, _)| l.as_str()));
            }
        }
        if count > 0 {
            let languages: Vec<&str> = languages.into_iter().collect();
            out.problems
                .push(unpulled_trailers_problem(count, &languages));
        }
    }
    let removed = used.iter().filter(|u| !**u).count();
    if removed > 0 {
        out.notes.push(format!("trailers: remove {removed}"));
    }
    if Value::Array(list.clone()) != *submission.get("trailers").unwrap_or(&Value::Null) {
        out.notes.push(format!("trailers: {} in all", list.len()));
    }
    submission["trailers"] = Value::Array(list);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::listings::{Folder, Language, LocalImage, Scope, Source};

    fn live(id: &str, name: &str) -> Value {
        json!({"fileName": name, "fileStatus": "Uploaded", "id": id, "description": "", "imageType": "Screenshot"})
    }

    fn placeholder(id: &str) -> LocalImage {
        LocalImage {
            shown: format!("app/en-us/images/Screenshot/{id}.live"),
            source: Source::Live { id: id.into() },
            caption: Some(format!("caption {id}")),
        }
    }

    fn folder(images: Vec<LocalImage>) -> Folder {
        let mut language = Language::default();
        language.images.insert("Screenshot".into(), images);
        let mut scope = Scope {
            name: "app".into(),
            ..Scope::default()
        };
        scope.languages.insert("en-us".into(), language);
        Folder {
            app: Some(scope),
            ..Folder::default()
        }
    }

    #[test]
    fn kept_images_come_in_folder_order_and_the_rest_are_sent_back_pending_delete() {
        let mut submission = json!({"listings": {"en-us": {"baseListing": {"images": [
            live("1", "a.png"), live("2", "b.png"), live("3", "c.png"),
            {"fileName": "draft.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
            {"fileName": "logo.png", "fileStatus": "Uploaded", "id": "9", "imageType": "Icon"}
        ]}}}});
        let out = apply(
            &mut submission,
            &folder(vec![placeholder("3"), placeholder("1")]),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(out.uploads.is_empty());
        let images = submission
            .pointer("/listings/en-us/baseListing/images")
            .unwrap();
        let summary: Vec<(&str, &str)> = images
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
        // Other types untouched; a draft's never-uploaded entry is dropped (not in this zip).
        assert_eq!(
            summary,
            [
                ("logo.png", "Uploaded"),
                ("c.png", "Uploaded"),
                ("a.png", "Uploaded"),
                ("b.png", "PendingDelete"),
            ]
        );
        assert_eq!(images[1]["description"], "caption 3");
        assert_eq!(
            out.notes,
            ["listing en-us: Screenshot: keep 2, delete 1, 2 caption(s) changed, reordered"]
        );
    }

    #[test]
    fn a_pulled_folder_removes_only_live_images_it_held_or_this_tool_uploaded() {
        use crate::config::listings::state::{LiveFile, State};
        let sha = "a".repeat(64);
        let ours = format!("listings/app/en-us/images/Screenshot/02-x.{sha}.png");
        let live_images = || {
            json!({"listings": {"en-us": {"baseListing": {"images": [
                live("1", "a.png"), live("2", "b.png"), live("3", &ours), live("4", "pc.png")
            ]}}}})
        };
        let pulled = State {
            version: 1,
            product: "app 9NBLGGH4R315".into(),
            images: vec![LiveFile {
                id: "2".into(),
                file_name: "b.png".into(),
                ..LiveFile::default()
            }],
            ..State::default()
        };
        // Pulled: 2 (placeholder deleted) and 3 (our upload) may go; 4 was never seen.
        let mut with_state = folder(vec![placeholder("1")]);
        with_state.state = pulled.clone();
        let mut submission = live_images();
        let out = apply(&mut submission, &with_state);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0].message.starts_with(
                "`app/en-us/images/Screenshot/`: 1 live image(s) of Screenshot in en-us are not in this folder"
            ),
            "{:?}",
            out.problems
        );
        // Held by the folder: removed without a word.
        let mut held = with_state.clone();
        held.state.images.push(LiveFile {
            id: "4".into(),
            file_name: "pc.png".into(),
            ..LiveFile::default()
        });
        let out = apply(&mut live_images(), &held);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        // Written by hand (no state file): exact, as before.
        let out = apply(&mut live_images(), &folder(vec![placeholder("1")]));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            out.notes,
            ["listing en-us: Screenshot: keep 1, delete 3, 1 caption(s) changed"]
        );
    }

    #[test]
    fn an_add_on_icon_of_the_same_file_name_does_not_make_a_live_image_known() {
        use crate::config::listings::state::{LiveFile, State};
        // The state file names add-on icons by file name alone (they have no id); a live
        // app image with an id is known only by that id, whatever its file name.
        let mut pulled = folder(Vec::new());
        pulled.state = State {
            version: 1,
            product: "app 9NBLGGH4R315".into(),
            images: vec![LiveFile {
                file_name: "logo.png".into(),
                scope: "gems".into(),
                language: "en-us".into(),
                image_type: "Icon".into(),
                ..LiveFile::default()
            }],
            ..State::default()
        };
        let mut submission =
            json!({"listings": {"en-us": {"baseListing": {"images": [live("9", "logo.png")]}}}});
        let out = apply(&mut submission, &pulled);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0]
                .message
                .contains("1 live image(s) of Screenshot in en-us are not in this folder"),
            "{:?}",
            out.problems
        );
    }

    #[test]
    fn a_pulled_folder_removes_only_live_trailers_it_held_or_this_tool_uploaded() {
        use crate::config::listings::state::{LiveFile, State};
        let sha = "b".repeat(64);
        let trailer = |id: &str, video: &str, languages: &[&str]| {
            let assets: Map<String, Value> = languages
                .iter()
                .map(|l| {
                    let thumb = live(&format!("{id}{l}"), "t.png");
                    (l.to_string(), json!({"title": "T", "imageList": [thumb]}))
                })
                .collect();
            json!({"id": id, "videoFileName": video, "trailerAssets": assets})
        };
        let live_trailers = || {
            json!({"listings": {"en-us": {}}, "trailers": [
                trailer("1", "held.mp4", &["en-us"]),
                trailer("2", &format!("listings/trailers/02-x/video.{sha}.mp4"), &["en-us"]),
                trailer("3", "Trailers\\pc.mp4", &["fr-fr", "en-us"]),
            ]})
        };
        let mut pulled = Folder {
            trailers: Some(Vec::new()),
            state: State {
                version: 1,
                product: "app 9NBLGGH4R315".into(),
                trailers: vec![LiveFile {
                    id: "1".into(),
                    file_name: "held.mp4".into(),
                    ..LiveFile::default()
                }],
                ..State::default()
            },
            ..Folder::default()
        };
        // Pulled: 1 (its folder deleted) and 2 (our upload) may go; 3 was never seen.
        let mut submission = live_trailers();
        let out = apply(&mut submission, &pulled);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0].message.starts_with(
                "`trailers/`: 1 live trailer(s) in en-us, fr-fr are not in this folder and were never pulled into it"
            ),
            "{:?}",
            out.problems
        );
        // Held by the folder: removed without a word.
        pulled.state.trailers.push(LiveFile {
            id: "3".into(),
            file_name: "Trailers\\pc.mp4".into(),
            ..LiveFile::default()
        });
        let mut submission = live_trailers();
        let out = apply(&mut submission, &pulled);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(submission["trailers"], json!([]));
        // Written by hand (no state file): exact, as before.
        pulled.state = State::default();
        let out = apply(&mut live_trailers(), &pulled);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.notes, ["trailers: remove 3", "trailers: 0 in all"]);
    }

    #[test]
    fn an_empty_file_for_an_absent_field_changes_nothing_but_clears_a_set_one() {
        let mut language = Language::default();
        language.fields.insert("shortTitle", json!(""));
        language.fields.insert("keywords", json!([]));
        let mut scope = Scope::default();
        scope.languages.insert("en-us".into(), language);
        let folder = Folder {
            app: Some(scope),
            ..Folder::default()
        };
        let mut submission =
            json!({"listings": {"en-us": {"baseListing": {"keywords": ["epub"]}}}});
        let out = apply(&mut submission, &folder);
        assert_eq!(out.notes, ["listing en-us: keywords cleared"]);
        assert_eq!(
            submission["listings"]["en-us"]["baseListing"]["keywords"],
            json!([])
        );
        assert!(
            submission["listings"]["en-us"]["baseListing"]
                .get("shortTitle")
                .is_none()
        );
    }
}
