//! `pull`: the product's listings as they are live (its last published submission) into
//! `listings-dir`, in the layout `submit` reads (docs/listings.md). The API gives no image
//! bytes (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions#image-object:
//! no URL, no checksum), so each live image becomes a placeholder `NN-name.live` in its
//! type folder and order, with its caption beside it: keeping, renaming (reordering) or
//! deleting the placeholder keeps, moves or removes that image; a PNG in its place replaces
//! it. The state file records what was live.

use std::path::Path;

use serde_json::Value;

use crate::api::Client;
use crate::config::ProductRef;
use crate::config::listings::limits::IMAGE_TYPES;
use crate::config::listings::state::{LiveFile, State};
use crate::config::listings::{
    ADDON_FIELDS, APP_FIELDS, Field, PLACEHOLDER_EXT, is_language_code, sha256_in_name,
};
use crate::error::{Error, Result};

/// The text of a placeholder, after its `id:` and `fileName:` lines (MSIX and MSI/EXE).
pub(crate) const PLACEHOLDER_NOTE: &str = "This image is live in the Microsoft Store; the Store API cannot give its bytes.\nKeep this file to keep the image (rename it to move it), delete it to remove the image,\nor put the PNG here under the same name with .png to replace it. Written by `msstore-submit pull`.\n";

/// What `pull` wrote, for the log and the outputs.
#[derive(Debug, Default)]
pub struct Pulled {
    pub files: usize,
    pub languages: Vec<String>,
    /// Placeholders of live images, whose bytes the user must supply to change them.
    pub placeholders: Vec<String>,
}

/// Reads the product's last published submission and writes it into `root`.
pub async fn pull(client: &Client, product: &ProductRef, root: &Path) -> Result<Pulled> {
    let resource = crate::products::read_product(client, product).await?;
    let Some(published) = crate::products::pending_id(&resource, product.published_field()) else {
        return Err(Error::input(
            "listings-dir",
            format!(
                "{} has no published submission: there is no live listing to pull",
                product.describe()
            ),
        ));
    };
    let (submission, context) = client
        .get_answer(&product.submission_path(&published))
        .await
        .map_err(|e| e.into_error(&format!("reading published submission {published}")))?;
    // Languages and image types name folders: one that is not a language code or a known
    // type (`../x`) would write outside `listings-dir`. All checked before the first write.
    if let Some(name) = unsafe_folder_name(&submission) {
        return Err(Error::Api {
            message: format!(
                "the Store named a listing {name}, which cannot be a folder name; nothing was written"
            ),
            hint: "Re-run with `log-level: debug` and report it with the log.".into(),
            context,
        });
    }
    let mut state = State {
        product: product.describe(),
        submission_id: published.clone(),
        ..State::default()
    };
    let mut writer = Writer::new(root);
    let result = match product {
        ProductRef::App { .. } => {
            writer.app(&submission, &mut state)?;
            writer.trailers(&submission, &mut state)?;
            Ok(())
        }
        ProductRef::Addon { addon_id } => {
            let name = resource
                .get("productId")
                .and_then(Value::as_str)
                .filter(|p| is_folder_name(p))
                .unwrap_or(addon_id)
                .to_string();
            state.addons.insert(name.clone(), addon_id.clone());
            writer.addon(&submission, &name, &mut state)
        }
        ProductRef::Flight { .. } => Err(Error::input(
            "listings-dir",
            "package flights have no listings of their own; pull the app",
        )),
    };
    result?;
    writer.finish(&state)
}

/// The first listing language or image type of `submission` that is no language code or
/// known image type, described for the message.
fn unsafe_folder_name(submission: &Value) -> Option<String> {
    let shown = |what: &str, value: &str| {
        format!("{what} {:?}", value.chars().take(40).collect::<String>())
    };
    let listings = submission.get("listings").and_then(Value::as_object);
    for (language, listing) in listings.into_iter().flatten() {
        if !is_language_code(language) {
            return Some(shown("language", language));
        }
        let images = listing
            .pointer("/baseListing/images")
            .and_then(Value::as_array);
        for image in images.into_iter().flatten() {
            let image_type = image_type_of(image);
            if !IMAGE_TYPES.contains(&image_type) {
                return Some(shown("image type", image_type));
            }
        }
    }
    let trailers = submission.get("trailers").and_then(Value::as_array);
    for trailer in trailers.into_iter().flatten() {
        let assets = trailer.get("trailerAssets").and_then(Value::as_object);
        for language in assets.into_iter().flatten().map(|(l, _)| l) {
            if !is_language_code(language) {
                return Some(shown("trailer language", language));
            }
        }
    }
    None
}

/// An image's type, the folder it is pulled into: `Unknown` when the Store gives none.
fn image_type_of(image: &Value) -> &str {
    image
        .get("imageType")
        .and_then(Value::as_str)
        .unwrap_or("Unknown")
}

fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::Internal(anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Writes the files of a pull under its root and counts them: MSIX products here, MSI/EXE
/// products in `msi::listings`.
pub(crate) struct Writer {
    root: std::path::PathBuf,
    pub(crate) pulled: Pulled,
}

impl Writer {
    pub(crate) fn new(root: &Path) -> Writer {
        Writer {
            root: root.to_path_buf(),
            pulled: Pulled::default(),
        }
    }

    /// Writes the state file last, and returns what was written.
    pub(crate) fn finish(mut self, state: &State) -> Result<Pulled> {
        state.write(&self.root).map_err(|e| {
            write_error(
                &self.root.join(crate::config::listings::state::STATE_FILE),
                e,
            )
        })?;
        self.pulled.files += 1;
        Ok(self.pulled)
    }

    pub(crate) fn write(&mut self, rel: &str, text: &str) -> Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
        }
        std::fs::write(&path, text).map_err(|e| write_error(&path, e))?;
        self.pulled.files += 1;
        Ok(())
    }

    /// One file per field, every field written, empty when unset.
    pub(crate) fn fields(&mut self, dir: &str, fields: &[Field], listing: &Value) -> Result<()> {
        for field in fields {
            let text = match listing.get(field.api) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|i| format!("{i}\n"))
                    .collect(),
                Some(Value::String(s)) if s.is_empty() => String::new(),
                Some(Value::String(s)) => format!("{s}\n"),
                // Every field is written, empty when unset, so the folder shows them all.
                _ => String::new(),
            };
            self.write(&format!("{dir}/{}.txt", field.file), &text)?;
        }
        Ok(())
    }

    fn app(&mut self, submission: &Value, state: &mut State) -> Result<()> {
        let Some(listings) = submission.get("listings").and_then(Value::as_object) else {
            return Ok(());
        };
        for (language, listing) in listings {
            let code = language.to_ascii_lowercase();
            let dir = format!("app/{code}");
            let base = listing.get("baseListing").cloned().unwrap_or(Value::Null);
            self.fields(&dir, APP_FIELDS, &base)?;
            self.pulled.languages.push(code.clone());
            let images: Vec<&Value> = base
                .get("images")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|i| {
                            i.get("fileStatus").and_then(Value::as_str) != Some("PendingDelete")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut per_type: std::collections::BTreeMap<String, usize> = Default::default();
            for image in images {
                let image_type = image_type_of(image).to_string();
                let n = per_type.entry(image_type.clone()).or_default();
                *n += 1;
                let file_name = image.get("fileName").and_then(Value::as_str).unwrap_or("");
                let id = image.get("id").and_then(Value::as_str).unwrap_or("");
                let stem = format!("{:02}-{}", n, readable_stem(file_name));
                let rel = format!("{dir}/images/{image_type}/{stem}.{PLACEHOLDER_EXT}");
                self.write(
                    &rel,
                    &format!(
                        "id: {}\nfileName: {file_name}\n\n{PLACEHOLDER_NOTE}",
                        if id.is_empty() { file_name } else { id }
                    ),
                )?;
                let caption = image
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                self.write(
                    &format!("{dir}/images/{image_type}/{stem}.txt"),
                    &if caption.is_empty() {
                        String::new()
                    } else {
                        format!("{caption}\n")
                    },
                )?;
                self.pulled.placeholders.push(rel.clone());
                state.images.push(LiveFile {
                    id: id.to_string(),
                    file_name: file_name.to_string(),
                    scope: "app".into(),
                    language: code.clone(),
                    image_type,
                    file: rel,
                    sha256: sha256_in_name(file_name).map(str::to_string),
                });
            }
        }
        Ok(())
    }

    fn addon(&mut self, submission: &Value, name: &str, state: &mut State) -> Result<()> {
        let Some(listings) = submission.get("listings").and_then(Value::as_object) else {
            return Ok(());
        };
        for (language, listing) in listings {
            let code = language.to_ascii_lowercase();
            let dir = format!("addons/{name}/{code}");
            self.fields(&dir, ADDON_FIELDS, listing)?;
            self.pulled.languages.push(code.clone());
            if let Some(icon) = listing.get("icon").filter(|i| i.is_object())
                && icon.get("fileStatus").and_then(Value::as_str) != Some("PendingDelete")
            {
                let file_name = icon.get("fileName").and_then(Value::as_str).unwrap_or("");
                let rel = format!("{dir}/icon.{PLACEHOLDER_EXT}");
                // Add-on icons have no id: the file name stands for the icon.
                self.write(
                    &rel,
                    &format!("id: {file_name}\nfileName: {file_name}\n\n{PLACEHOLDER_NOTE}"),
                )?;
                self.pulled.placeholders.push(rel.clone());
                state.images.push(LiveFile {
                    id: String::new(),
                    file_name: file_name.to_string(),
                    scope: name.to_string(),
                    language: code,
                    image_type: "Icon".into(),
                    file: rel,
                    sha256: sha256_in_name(file_name).map(str::to_string),
                });
            }
        }
        Ok(())
    }

    fn trailers(&mut self, submission: &Value, state: &mut State) -> Result<()> {
        let Some(trailers) = submission.get("trailers").and_then(Value::as_array) else {
            return Ok(());
        };
        for (n, trailer) in trailers.iter().enumerate() {
            let video = trailer
                .get("videoFileName")
                .and_then(Value::as_str)
                .unwrap_or("");
            let id = trailer.get("id").and_then(Value::as_str).unwrap_or("");
            // This tool uploads a trailer as `…/<folder>/video.<sha256>.mp4`: name it by its folder.
            let parts: Vec<&str> = video.split(['/', '\\']).collect();
            let named = match parts.as_slice() {
                [.., folder, file] if file.starts_with("video.") => *folder,
                _ => video,
            };
            let dir = format!("trailers/{:02}-{}", n + 1, readable_stem(named));
            self.write(
                &format!("{dir}/video.{PLACEHOLDER_EXT}"),
                &format!("id: {id}\nfileName: {video}\n\n{PLACEHOLDER_NOTE}"),
            )?;
            state.trailers.push(LiveFile {
                id: id.to_string(),
                file_name: video.to_string(),
                scope: "app".into(),
                file: format!("{dir}/video.{PLACEHOLDER_EXT}"),
                sha256: sha256_in_name(video).map(str::to_string),
                ..LiveFile::default()
            });
            if let Some(assets) = trailer.get("trailerAssets").and_then(Value::as_object) {
                for (language, asset) in assets {
                    let code = language.to_ascii_lowercase();
                    let title = asset.get("title").and_then(Value::as_str).unwrap_or("");
                    self.write(&format!("{dir}/{code}/title.txt"), &format!("{title}\n"))?;
                    if let Some(image) = asset.pointer("/imageList/0") {
                        let file_name = image.get("fileName").and_then(Value::as_str).unwrap_or("");
                        let image_id = image.get("id").and_then(Value::as_str).unwrap_or("");
                        let rel = format!("{dir}/{code}/thumbnail.{PLACEHOLDER_EXT}");
                        self.write(
                            &rel,
                            &format!("id: {image_id}\nfileName: {file_name}\n\n{PLACEHOLDER_NOTE}"),
                        )?;
                        let caption = image
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        self.write(
                            &format!("{dir}/{code}/thumbnail.txt"),
                            &format!("{caption}\n"),
                        )?;
                        self.pulled.placeholders.push(rel.clone());
                        state.trailers.push(LiveFile {
                            id: image_id.to_string(),
                            file_name: file_name.to_string(),
                            scope: "app".into(),
                            language: code,
                            file: rel,
                            sha256: sha256_in_name(file_name).map(str::to_string),
                            ..LiveFile::default()
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// A file-name stem from a live `fileName`: its last path part, without extension, without
/// the hash this tool adds, in characters every file system takes.
fn readable_stem(file_name: &str) -> String {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let mut stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_string();
    if sha256_in_name(name).is_some()
        && let Some((s, _)) = stem.rsplit_once('.')
    {
        stem = s.to_string();
    }
    // A leading `NN-` from an earlier pull or push is the position, written again.
    let trimmed = stem
        .split_once('-')
        .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .map_or(stem.as_str(), |(_, rest)| rest);
    let clean: String = trimmed
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "image".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_drop_hash_position_and_odd_characters() {
        let sha = "b".repeat(64);
        assert_eq!(readable_stem("contoso.png"), "contoso");
        assert_eq!(
            readable_stem(&format!(
                "listings/app/en-us/images/Screenshot/02-editor.{sha}.png"
            )),
            "editor"
        );
        assert_eq!(readable_stem("Images\\Contoso Game.png"), "Contoso_Game");
    }
}
