//! `.msstore/listing-state.json`: what `pull` saw live — every image, add-on icon and
//! trailer with its id, file name and (when known) the SHA-256 of its bytes. The API gives
//! no image URLs nor checksums (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions#image-object),
//! so this file and the hash in the names this tool uploads under are how a later `submit`
//! knows that a local file is a live image, and never uploads it again.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub const STATE_FILE: &str = ".msstore/listing-state.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct State {
    pub version: u32,
    /// The product pulled (`app 9NBLGGH4R315`, `add-on 9NBLGGH4TNMP`).
    #[serde(default)]
    pub product: String,
    /// The submission pulled.
    #[serde(default)]
    pub submission_id: String,
    #[serde(default)]
    pub images: Vec<LiveFile>,
    #[serde(default)]
    pub trailers: Vec<LiveFile>,
    /// Add-on folder name (product id) → Store ID.
    #[serde(default)]
    pub addons: std::collections::BTreeMap<String, String>,
}

/// One live file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LiveFile {
    /// Images and trailers: the Store's id; add-on icons have none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub file_name: String,
    /// `app`, or the add-on's folder name.
    pub scope: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image_type: String,
    /// Where `pull` put it, relative to the listings folder.
    pub file: String,
    /// The SHA-256 of its bytes, when the tool uploaded it (its `fileName` says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl State {
    /// The state of `root`; the default when there is none yet.
    pub fn read(root: &Path) -> Result<State, String> {
        let path = root.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(format!("cannot read: {e}")),
        };
        let state: State = serde_json::from_str(&text)
            .map_err(|e| format!("is not a listing state file ({e}); run `pull` again"))?;
        if state.version != VERSION {
            return Err(format!(
                "version {} is not one this tool reads ({VERSION}); run `pull` again",
                state.version
            ));
        }
        Ok(state)
    }

    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        let path = root.join(STATE_FILE);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut state = self.clone();
        state.version = VERSION;
        let mut text = serde_json::to_string_pretty(&state).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    /// Whether `pull` wrote this folder (its state file names the product): only then do
    /// its type folders stand for what the user saw live (docs/listings.md). A folder
    /// written by hand has no state file, or one only `submit` wrote (MSI/EXE), unnamed.
    pub fn pulled(&self) -> bool {
        self.version != 0 && !self.product.is_empty()
    }

    /// Whether the state file names this live image (by id, else by file name): it was
    /// pulled into the folder or pushed from it.
    pub fn has_image(&self, id: Option<&str>, file_name: &str) -> bool {
        names(&self.images, id, file_name)
    }

    /// Whether the state file names this live trailer (by id, else by its video's file
    /// name): it was pulled into the folder or pushed from it.
    pub fn has_trailer(&self, id: Option<&str>, video_file_name: &str) -> bool {
        names(&self.trailers, id, video_file_name)
    }

    /// The SHA-256 of a live image, when known (by id, else by file name).
    pub fn sha256_of(&self, id: Option<&str>, file_name: &str) -> Option<&str> {
        self.images
            .iter()
            .chain(&self.trailers)
            .find(|f| match id {
                Some(id) if !f.id.is_empty() => f.id == id,
                _ => f.file_name == file_name,
            })
            .and_then(|f| f.sha256.as_deref())
    }
}

/// Whether `files` names a live file: by id when it has one, else by file name among the
/// entries that have none. A removal is allowed on this answer, so an entry without an id
/// (an add-on icon) never stands for a live file that has one, whatever their file names.
fn names(files: &[LiveFile], id: Option<&str>, file_name: &str) -> bool {
    files.iter().any(|f| match id {
        Some(id) => !id.is_empty() && f.id == id,
        None => f.id.is_empty() && !file_name.is_empty() && f.file_name == file_name,
    })
}
