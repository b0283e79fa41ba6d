//! Listings as code for an MSI/EXE product (docs/listings.md, "MSI/EXE products"): `pull`
//! writes its `listings` module and listing assets into the layout MSIX products use, and
//! `submit` with `listings-dir` applies the folder: the text fields in the listing each
//! language's full-module update sends, the images through listing assets create → Put
//! Blob → commit (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
//!
//! The MSI/EXE API gives no image bytes and no checksum either (`GET listings/assets`:
//! id, URL, size), and it names the blob itself, so the state file is the only memory of
//! which local file is which live image: every commit writes it back into `listings-dir`
//! (commit it), and a file whose SHA-256 the state file gives for a live id is kept, not
//! uploaded again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::config::listings::state::{LiveFile, STATE_FILE, State};
use crate::config::listings::{
    Folder, Language, LocalImage, MSI_FIELDS, PLACEHOLDER_EXT, Scope, Source, is_language_code,
    unpulled_images_problem,
};
use crate::config::{InputProblem, listings::INPUT};
use crate::error::Error;
use crate::listings::pull::{PLACEHOLDER_NOTE, Pulled, Writer};
use crate::store_api::StoreApi;

/// The bound of one listing image's Put Blob (a PNG is at most 50 MB).
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// The two kinds of listing assets, and the folders of the layout that hold them.
const SCREENSHOTS: &str = "screenshots";
const LOGOS: &str = "storeLogos";

/// The layout's folder for a live asset: logos are square box art or 2:3 poster art
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msi/screenshots-and-images),
/// told apart by their size.
fn folder_of(kind: &str, asset: &Value) -> &'static str {
    if kind == SCREENSHOTS {
        return "Screenshot";
    }
    let w = asset.pointer("/imageSize/width").and_then(Value::as_u64);
    let h = asset.pointer("/imageSize/height").and_then(Value::as_u64);
    match (w, h) {
        (Some(w), Some(h)) if w != h => "StoreLogo9x16",
        _ => "StoreLogoSquare",
    }
}

fn id_of(asset: &Value) -> &str {
    asset.get("id").and_then(Value::as_str).unwrap_or("")
}

/// `pull` for an MSI/EXE product: the `listings` module and the listing assets into `root`.
pub async fn pull(api: &StoreApi, product_id: &str, root: &Path) -> Result<Pulled, Error> {
    let metadata = api.get("metadata/listings", "reading the listings").await?;
    let assets = api
        .get("listings/assets", "reading the listing assets")
        .await?;
    let mut writer = Writer::new(root);
    let mut state = State {
        product: format!("MSI/EXE product {product_id}"),
        ..State::default()
    };
    let listings = metadata.data["listings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // A language code names a folder: one that is not a code (`../x`) would write elsewhere.
    // Checked for every listing before the first file is written.
    for listing in &listings {
        if let Some(code) = listing["language"].as_str()
            && !is_language_code(code)
        {
            return Err(Error::Api {
                message: format!(
                    "the Store named a listing language {:?}, which is no language code; nothing was written",
                    code.chars().take(40).collect::<String>()
                ),
                hint: "Re-run with `log-level: debug` and report it with the log.".into(),
                context: metadata.context.clone(),
            });
        }
    }
    for listing in &listings {
        let Some(code) = listing["language"].as_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        let dir = format!("app/{code}");
        // Every field is written, empty when unset (the API leaves empty ones out).
        writer.fields(&dir, MSI_FIELDS, listing)?;
        writer.pulled.languages.push(code.clone());
        let live = assets.data["listingAssets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| {
                a["language"]
                    .as_str()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&code))
            });
        let Some(live) = live else { continue };
        let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
        for kind in [SCREENSHOTS, LOGOS] {
            for asset in live[kind].as_array().into_iter().flatten() {
                let folder = folder_of(kind, asset);
                let n = numbers.entry(folder).or_default();
                *n += 1;
                let stem = if kind == SCREENSHOTS {
                    "screenshot"
                } else {
                    "logo"
                };
                let rel = format!("{dir}/images/{folder}/{:02}-{stem}.{PLACEHOLDER_EXT}", n);
                let url = asset["assetUrl"].as_str().unwrap_or("");
                writer.write(
                    &rel,
                    &format!(
                        "id: {}\nfileName: {url}\n\n{PLACEHOLDER_NOTE}",
                        id_of(asset)
                    ),
                )?;
                writer.pulled.placeholders.push(rel.clone());
                state.images.push(LiveFile {
                    id: id_of(asset).to_string(),
                    file_name: url.to_string(),
                    scope: "app".into(),
                    language: code.clone(),
                    image_type: folder.to_string(),
                    file: rel,
                    sha256: None,
                });
            }
        }
    }
    writer.finish(&state)
}

/// A language's fields: the language's own, else `default/`'s.
pub fn fields_of(language: &Language, default: Option<&Language>) -> BTreeMap<&'static str, Value> {
    let mut out = default.map(|d| d.fields.clone()).unwrap_or_default();
    out.extend(language.fields.clone());
    out
}

/// What the folder asks of the listings module: the listings to remove (`prune-languages`)
/// and, per live language, the fields it sets. A language folder the product does not
/// have is refused: adding a listing language needs its assets too, in Partner Center.
pub struct TextPlan {
    pub fields: BTreeMap<String, BTreeMap<&'static str, Value>>,
    pub remove: Vec<String>,
}

pub fn plan_text(folder: &Folder, live: &[String]) -> Result<TextPlan, Error> {
    let mut problems = Vec::new();
    let mut plan = TextPlan {
        fields: BTreeMap::new(),
        remove: Vec::new(),
    };
    let Some(app) = &folder.app else {
        return Ok(plan);
    };
    for (code, language) in &app.languages {
        if !live.contains(code) {
            problems.push(InputProblem::new(
                INPUT,
                format!(
                    "`app/{code}/`: {code} is not a listing language of the product ({}); add it in Partner Center with its screenshots and logo (the API needs them to add a language), then `pull`",
                    live.join(", ")
                ),
            ));
            continue;
        }
        plan.fields
            .insert(code.clone(), fields_of(language, app.default.as_ref()));
    }
    if folder.prune_languages {
        plan.remove = live
            .iter()
            .filter(|l| !app.languages.contains_key(*l))
            .cloned()
            .collect();
        if plan.remove.len() == live.len() && !live.is_empty() {
            problems.push(InputProblem::new(
                "prune-languages",
                "would remove every listing language: `app/` has no folder of a live language",
            ));
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(Error::Input(problems))
    }
}

/// One entry of a committed list: kept as read, or a file to upload.
#[derive(Debug, Clone)]
pub enum Slot {
    Keep(Value),
    New {
        shown: String,
        path: std::path::PathBuf,
        sha256: String,
        folder: &'static str,
    },
}

/// The listing assets of one language as they will be committed.
#[derive(Debug, Clone)]
pub struct AssetCommit {
    pub language: String,
    pub screenshots: Vec<Slot>,
    pub logos: Vec<Slot>,
}

impl Slot {
    /// The live asset's id, for a kept one.
    fn kept_id(&self) -> Option<&str> {
        match self {
            Slot::Keep(asset) => Some(id_of(asset)),
            Slot::New { .. } => None,
        }
    }
}

impl AssetCommit {
    fn new_count(list: &[Slot]) -> usize {
        list.iter()
            .filter(|s| matches!(s, Slot::New { .. }))
            .count()
    }
    pub fn uploads(&self) -> usize {
        Self::new_count(&self.screenshots) + Self::new_count(&self.logos)
    }
}

/// The image folders of a language: its own type folders, else `default/`'s (whole).
fn images_of<'a>(language: &'a Language, scope: &'a Scope) -> BTreeMap<&'a str, &'a [LocalImage]> {
    let mut out: BTreeMap<&str, &[LocalImage]> = BTreeMap::new();
    if let Some(default) = &scope.default {
        for (t, list) in &default.images {
            out.insert(t.as_str(), list.as_slice());
        }
    }
    for (t, list) in &language.images {
        out.insert(t.as_str(), list.as_slice());
    }
    out
}

/// The asset commits the folder asks for (only languages whose assets change), the
/// change lines for the plan, or every problem (exit 2) before anything is written.
pub fn plan_assets(
    folder: &Folder,
    live_assets: &Value,
) -> Result<(Vec<AssetCommit>, Vec<String>), Error> {
    let mut commits = Vec::new();
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    let Some(app) = &folder.app else {
        return Ok((commits, changes));
    };
    for (code, language) in &app.languages {
        let images = images_of(language, app);
        if images.is_empty() {
            continue;
        }
        let live = live_assets
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| {
                a["language"]
                    .as_str()
                    .is_some_and(|l| l.eq_ignore_ascii_case(code))
            })
            .cloned()
            .unwrap_or(json!({}));
        let mut commit = AssetCommit {
            language: code.clone(),
            screenshots: Vec::new(),
            logos: Vec::new(),
        };
        let mut changed = false;
        for kind in [SCREENSHOTS, LOGOS] {
            let current: Vec<Value> = live[kind].as_array().cloned().unwrap_or_default();
            let folders: &[&'static str] = if kind == SCREENSHOTS {
                &["Screenshot"]
            } else {
                &["StoreLogoSquare", "StoreLogo9x16"]
            };
            let mut list = Vec::new();
            for folder_name in folders {
                match images.get(folder_name) {
                    // Absent: the live assets of that folder are kept, in their order.
                    None => list.extend(
                        current
                            .iter()
                            .filter(|a| folder_of(kind, a) == *folder_name)
                            .cloned()
                            .map(Slot::Keep),
                    ),
                    Some(locals) => {
                        if locals.is_empty()
                            && matches!(*folder_name, "Screenshot" | "StoreLogoSquare")
                        {
                            problems.push(InputProblem::new(
                                INPUT,
                                format!(
                                    "`app/{code}/images/{folder_name}/` is empty: an MSI/EXE listing needs at least one {} (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msi/screenshots-and-images); delete the folder to keep the live ones",
                                    if *folder_name == "Screenshot" { "screenshot" } else { "1:1 Store logo" }
                                ),
                            ));
                        }
                        for local in *locals {
                            let taken: Vec<&str> = list.iter().filter_map(Slot::kept_id).collect();
                            match slot_for(local, &current, folder, code, folder_name, &taken) {
                                Ok(slot) => list.push(slot),
                                Err(p) => problems.push(p),
                            }
                        }
                    }
                }
            }
            let mut seen = BTreeSet::new();
            for slot in &list {
                if let Slot::Keep(a) = slot
                    && !seen.insert(id_of(a).to_string())
                {
                    problems.push(InputProblem::new(
                        INPUT,
                        format!(
                            "`app/{code}/images/`: live image {} is named twice; keep one file for it",
                            id_of(a)
                        ),
                    ));
                }
            }
            // Square and poster logos are two types in two folders, not an order: the same
            // logos in the Store's own order are no change, and are sent back in that order.
            if kind == LOGOS && list.iter().all(|s| matches!(s, Slot::Keep(_))) {
                let mut kept: Vec<&str> = list.iter().filter_map(Slot::kept_id).collect();
                let mut live: Vec<&str> = current.iter().map(id_of).collect();
                kept.sort_unstable();
                live.sort_unstable();
                if kept == live {
                    list = current.iter().cloned().map(Slot::Keep).collect();
                }
            }
            // A live image the folder leaves out is removed only if the user could have
            // meant it (docs/listings.md, "Images added in Partner Center"): in a folder
            // `pull` wrote, the state file names every image pulled into it or pushed
            // from it; one added in Partner Center after the `pull` was never seen here.
            if folder.state.pulled() {
                let kept: BTreeSet<&str> = list.iter().filter_map(Slot::kept_id).collect();
                let mut unseen: BTreeMap<&'static str, usize> = BTreeMap::new();
                for asset in &current {
                    if !kept.contains(id_of(asset))
                        && !folder.state.has_image(Some(id_of(asset)), "")
                    {
                        *unseen.entry(folder_of(kind, asset)).or_default() += 1;
                    }
                }
                let uploads = list.iter().any(|s| matches!(s, Slot::New { .. }));
                for (folder_name, count) in unseen {
                    let from = if language.images.contains_key(folder_name) {
                        code.as_str()
                    } else {
                        "default"
                    };
                    let mut problem = unpulled_images_problem(
                        &format!("app/{from}/images/{folder_name}/"),
                        count,
                        folder_name,
                        code,
                    );
                    // A run whose commit went through but whose answer was lost wrote no
                    // state file: its new PNGs are live, unknown here (docs/reliability.md).
                    if uploads {
                        problem.message.push_str(
                            ". If an earlier run stopped while committing this folder's new PNGs, they are among them: `pull` into a new folder, use it in place of this one, and copy over only PNGs that are not live there (the others would be duplicates)",
                        );
                    }
                    problems.push(problem);
                }
            }
            let ids_before: Vec<&str> = current.iter().map(id_of).collect();
            let ids_after: Vec<&str> = list
                .iter()
                .map(|s| match s {
                    Slot::Keep(a) => id_of(a),
                    Slot::New { .. } => "",
                })
                .collect();
            if ids_before != ids_after {
                changed = true;
                let kept: Vec<&str> = ids_after
                    .iter()
                    .copied()
                    .filter(|i| !i.is_empty())
                    .collect();
                for slot in &list {
                    if let Slot::New { shown, .. } = slot {
                        changes.push(format!("+ assets/{code}/{kind}: upload {shown}"));
                    }
                }
                for id in &ids_before {
                    if !kept.contains(id) {
                        changes.push(format!("- assets/{code}/{kind}: remove {id}"));
                    }
                }
                let before_kept: Vec<&str> = ids_before
                    .iter()
                    .copied()
                    .filter(|i| kept.contains(i))
                    .collect();
                if before_kept != kept {
                    changes.push(format!("~ assets/{code}/{kind}: reordered"));
                }
            }
            if kind == SCREENSHOTS {
                commit.screenshots = list;
            } else {
                commit.logos = list;
            }
        }
        if commit.screenshots.len() > 10 {
            problems.push(InputProblem::new(
                INPUT,
                format!(
                    "`app/{code}/images/Screenshot/`: {} screenshots; the Store takes at most 10",
                    commit.screenshots.len()
                ),
            ));
        }
        if changed {
            commits.push(commit);
        }
    }
    if problems.is_empty() {
        Ok((commits, changes))
    } else {
        Err(Error::Input(problems))
    }
}

/// A local image's slot: the live asset it is (a placeholder, or a file the state file
/// records for a live id not `taken` by an earlier file: the same bytes twice are two
/// images), or a new upload.
fn slot_for(
    local: &LocalImage,
    current: &[Value],
    folder: &Folder,
    code: &str,
    folder_name: &'static str,
    taken: &[&str],
) -> Result<Slot, InputProblem> {
    match &local.source {
        Source::Live { id } => current
            .iter()
            .find(|a| id_of(a) == id)
            .cloned()
            .map(Slot::Keep)
            .ok_or_else(|| {
                InputProblem::new(
                    INPUT,
                    format!(
                        "`{}` stands for live image {id}, which the {code} listing no longer has: run `pull` again, or put the image file in its place",
                        local.shown
                    ),
                )
            }),
        Source::File { path, sha256, .. } => {
            let known = folder.state.images.iter().find_map(|f| {
                (f.sha256.as_deref() == Some(sha256.as_str())
                    && f.language.eq_ignore_ascii_case(code)
                    && !taken.contains(&f.id.as_str()))
                .then_some(f.id.as_str())
                .and_then(|id| current.iter().find(|a| id_of(a) == id))
            });
            Ok(match known {
                Some(asset) => Slot::Keep(asset.clone()),
                None => Slot::New {
                    shown: local.shown.clone(),
                    path: path.clone(),
                    sha256: sha256.clone(),
                    folder: folder_name,
                },
            })
        }
    }
}

/// Creates the upload slots, uploads the new images, commits each language's lists, and
/// records every committed asset in the state file (written after each commit, so a
/// later run keeps what this one uploaded).
pub async fn push_assets(
    api: &StoreApi,
    http: &reqwest::Client,
    folder: &Folder,
    commits: &[AssetCommit],
) -> Result<(), Error> {
    let mut state = folder.state.clone();
    for commit in commits {
        let language = &commit.language;
        let shots = AssetCommit::new_count(&commit.screenshots);
        let logos = AssetCommit::new_count(&commit.logos);
        let mut slots: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        if shots + logos > 0 {
            // A count is "required if ISV needs to update" that type
            // (https://learn.microsoft.com/windows/apps/publish/store-submission-api): a
            // type with nothing new is left out rather than sent as 0.
            let mut request = serde_json::Map::new();
            if shots > 0 {
                request.insert("Screenshot".into(), json!(shots));
            }
            if logos > 0 {
                request.insert("Logo".into(), json!(logos));
            }
            let created = api
                .post_json(
                    "listings/assets/create",
                    &json!({"language": language, "createAssetRequest": request}),
                    &format!(
                        "creating {} upload slot(s) for the {language} listing",
                        shots + logos
                    ),
                )
                .await?;
            for kind in [SCREENSHOTS, LOGOS] {
                slots.insert(
                    kind,
                    created.data["listingAssets"][kind]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            // Each slot a new asset: an id given twice (or a kept image's id) would put two
            // files in one blob and commit one image where the folder has two.
            let kept: Vec<&str> = commit
                .screenshots
                .iter()
                .chain(&commit.logos)
                .filter_map(Slot::kept_id)
                .collect();
            let mut seen = BTreeSet::new();
            for slot in slots.values().flatten() {
                let id = id_of(slot);
                if id.is_empty() || kept.contains(&id) || !seen.insert(id.to_string()) {
                    return Err(Error::Api {
                        message: format!(
                            "the Store gave upload slots for the {language} listing whose ids are not new and distinct ({:?}); nothing was uploaded or committed for it",
                            id.chars().take(60).collect::<String>()
                        ),
                        hint: "Run again; if it repeats, re-run with `log-level: debug` and report it with the log.".into(),
                        context: created.context.clone(),
                    });
                }
            }
        }
        let mut body = json!({"language": language});
        let mut recorded = Vec::new();
        for (kind, list) in [(SCREENSHOTS, &commit.screenshots), (LOGOS, &commit.logos)] {
            let mut free = slots.remove(kind).unwrap_or_default().into_iter();
            let mut out = Vec::new();
            for slot in list {
                match slot {
                    Slot::Keep(asset) => {
                        let mut kept = json!({"id": asset["id"], "assetUrl": asset["assetUrl"]});
                        if let Some(size) = asset.get("imageSize") {
                            kept["imageSize"] = size.clone();
                        }
                        if let Some(r) = folder.state.images.iter().find(|f| f.id == id_of(asset)) {
                            recorded.push(r.clone());
                        }
                        out.push(kept);
                    }
                    Slot::New {
                        shown,
                        path,
                        sha256,
                        folder: folder_name,
                    } => {
                        let target = free.next().ok_or_else(|| Error::Service {
                            message: format!(
                                "the Store gave fewer upload slots than asked for the {language} listing"
                            ),
                            hint: "Run again; nothing was committed.".into(),
                            context: None,
                        })?;
                        let id = id_of(&target).to_string();
                        let url = upload(http, &target, path, shown).await?;
                        tracing::info!("uploaded {shown} (listing asset {id})");
                        recorded.push(LiveFile {
                            id: id.clone(),
                            file_name: String::new(),
                            scope: "app".into(),
                            language: language.clone(),
                            image_type: folder_name.to_string(),
                            file: shown.clone(),
                            sha256: Some(sha256.clone()),
                        });
                        // The upload URL names the new asset, as the docs ask.
                        out.push(json!({"id": id, "assetUrl": url}));
                    }
                }
            }
            body[kind] = Value::Array(out);
        }
        api.put(
            "listings/assets/commit",
            &json!({"listingAssets": body}),
            &format!("committing the {language} listing assets"),
        )
        .await?;
        tracing::info!("committed the {language} listing assets");
        state
            .images
            .retain(|f| !f.language.eq_ignore_ascii_case(language));
        state.images.extend(recorded);
        // The images are live now whatever happens to the file: a run that cannot write it
        // says so and goes on (the next run would upload these files once more).
        if let Err(e) = state.write(&folder.root) {
            tracing::warn!(
                "cannot write {}: {e}; the next run uploads the images of the {language} listing again",
                folder.root.join(STATE_FILE).display()
            );
        }
    }
    Ok(())
}

/// Put Blob of one image to its slot (https://learn.microsoft.com/rest/api/storageservices/put-blob):
/// the slot's method and non-empty headers, no `Authorization` (the SAS authorises it).
/// The URL's signature is registered as a secret first, so no log line shows it.
async fn upload(
    http: &reqwest::Client,
    slot: &Value,
    path: &Path,
    shown: &str,
) -> Result<String, Error> {
    let text = slot["primaryAssetUploadUrl"].as_str().unwrap_or("");
    let url = url::Url::parse(text).map_err(|_| Error::Service {
        message: format!("the Store gave no valid upload URL for {shown}"),
        hint: "Run again; nothing was committed.".into(),
        context: None,
    })?;
    crate::secrets::register_query(&url);
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot read {}: {e}", path.display())))?;
    let method = slot["httpMethod"]
        .as_str()
        .and_then(|m| reqwest::Method::from_bytes(m.as_bytes()).ok())
        .unwrap_or(reqwest::Method::PUT);
    // One value per header: the slot's non-empty ones over Put Blob's own. Sent twice, a
    // header is one comma-joined value (https://www.rfc-editor.org/rfc/rfc9110#section-5.3),
    // which is not `BlockBlob`.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-ms-blob-type",
        "BlockBlob".parse().expect("a header value"),
    );
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        "image/png".parse().expect("a header value"),
    );
    for (name, value) in slot["httpHeaders"].as_object().into_iter().flatten() {
        if let Some(v) = value.as_str().filter(|v| !v.is_empty())
            && !name.eq_ignore_ascii_case("content-length")
            && !name.eq_ignore_ascii_case("host")
            && let Ok(name) = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            && let Ok(v) = reqwest::header::HeaderValue::from_str(v)
        {
            headers.insert(name, v);
        }
    }
    // One attempt, bounded: a failed upload is uploaded again by the next run (nothing is
    // committed before every upload succeeded; docs/reliability.md).
    let response = http
        .request(method, url.clone())
        .headers(headers)
        .timeout(UPLOAD_TIMEOUT)
        .body(bytes)
        .send()
        .await
        .map_err(|e| Error::Service {
            message: crate::secrets::redact(&format!("uploading {shown}: {e}")).into_owned(),
            hint: "Run again: nothing was committed, the next run uploads it again.".into(),
            context: None,
        })?;
    if !response.status().is_success() {
        let status = response.status();
        // Capped, as every error body is: a hostile host's is not read to its end.
        let text = crate::net::read_capped(response, crate::net::ERROR_BODY_CAP)
            .await
            .unwrap_or_default();
        return Err(Error::Service {
            message: crate::secrets::redact(&format!(
                "uploading {shown}: HTTP {status}: {}",
                text.chars().take(300).collect::<String>()
            ))
            .into_owned(),
            hint: "Run again: nothing was committed, the next run uploads it again.".into(),
            context: None,
        });
    }
    Ok(url.to_string())
}
