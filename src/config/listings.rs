//! The listings folder (docs/listings.md): what each file means, and reading a folder into
//! a [`Folder`] with every problem found at once (the lint). Input reading and checking, so
//! it lives in `config`; applying it and `pull` are in the `listings` room (src/listings/).

pub mod limits;
pub mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use self::limits::ImageRule;
use self::state::State;
use super::{InputProblem, ZipInput};

/// The input every problem of the folder is reported under.
pub const INPUT: &str = "listings-dir";
/// Placeholder of a live image or icon, written by `pull`: the API gives no image bytes.
pub const PLACEHOLDER_EXT: &str = "live";

/// One text field of a listing: its file name (snake_case, docs/listings.md) and API name.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub file: &'static str,
    pub api: &'static str,
    /// A list field: one item per line.
    pub list: bool,
    /// Longest text, or longest item of a list (characters).
    pub max_len: usize,
    /// Most items of a list.
    pub max_items: usize,
}

const fn text(file: &'static str, api: &'static str, max_len: usize) -> Field {
    Field {
        file,
        api,
        list: false,
        max_len,
        max_items: 0,
    }
}

const fn list(file: &'static str, api: &'static str, max_items: usize, max_len: usize) -> Field {
    Field {
        file,
        api,
        list: true,
        max_len,
        max_items,
    }
}

/// An app's base listing, with the limits Partner Center documents
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/add-and-edit-store-listing-info,
/// https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/add-additional-information).
pub const APP_FIELDS: &[Field] = &[
    text("description", "description", limits::DESCRIPTION),
    text("release_notes", "releaseNotes", limits::RELEASE_NOTES),
    text(
        "short_description",
        "shortDescription",
        limits::SHORT_DESCRIPTION,
    ),
    text("title", "title", limits::TITLE),
    text("short_title", "shortTitle", limits::SHORT_TITLE),
    text("sort_title", "sortTitle", limits::SORT_TITLE),
    text("voice_title", "voiceTitle", limits::VOICE_TITLE),
    text("developed_by", "devStudio", limits::DEV_STUDIO),
    text("copyright", "copyrightAndTrademarkInfo", limits::COPYRIGHT),
    text("license_terms", "licenseTerms", limits::LICENSE_TERMS),
    list(
        "features",
        "features",
        limits::FEATURES.0,
        limits::FEATURES.1,
    ),
    list(
        "keywords",
        "keywords",
        limits::KEYWORDS.0,
        limits::KEYWORDS.1,
    ),
    list(
        "minimum_hardware",
        "minimumHardware",
        limits::HARDWARE.0,
        limits::HARDWARE.1,
    ),
    list(
        "recommended_hardware",
        "recommendedHardware",
        limits::HARDWARE.0,
        limits::HARDWARE.1,
    ),
];

/// An add-on's listing (https://learn.microsoft.com/windows/apps/publish/publish-your-app/add-on/add-and-edit-store-listing-info).
pub const ADDON_FIELDS: &[Field] = &[
    text("title", "title", limits::ADDON_TITLE),
    text("description", "description", limits::ADDON_DESCRIPTION),
];

/// An MSI/EXE product's listing (https://learn.microsoft.com/windows/apps/publish/store-submission-api,
/// "listings" of the Update Metadata API), under the MSIX file names where the field means
/// the same; `contact_info` is its own. Its search terms are shorter than an MSIX keyword.
/// It has no title fields (the name is reserved in Partner Center) and its `requirements`
/// have two shapes in the docs and msstore-cli, so they stay as they are (docs/listings.md).
pub const MSI_FIELDS: &[Field] = &[
    text("description", "description", limits::DESCRIPTION),
    text("release_notes", "whatsNew", limits::RELEASE_NOTES),
    text(
        "short_description",
        "shortDescription",
        limits::SHORT_DESCRIPTION,
    ),
    text("sort_title", "sortTitle", limits::SORT_TITLE),
    text("developed_by", "developedBy", limits::DEV_STUDIO),
    text("copyright", "copyright", limits::COPYRIGHT),
    text(
        "license_terms",
        "additionalLicenseTerms",
        limits::LICENSE_TERMS,
    ),
    text("contact_info", "contactInfo", limits::MSI_CONTACT_INFO),
    list(
        "features",
        "productFeatures",
        limits::FEATURES.0,
        limits::FEATURES.1,
    ),
    list(
        "keywords",
        "searchTerms",
        limits::MSI_SEARCH_TERMS.0,
        limits::MSI_SEARCH_TERMS.1,
    ),
];

/// The image types of an MSI/EXE listing: `screenshots` and `storeLogos` of its listing
/// assets (https://learn.microsoft.com/windows/apps/publish/store-submission-api); a logo
/// is square box art or 2:3 poster art, told apart by its size.
pub const MSI_IMAGE_TYPES: &[&str] = &["Screenshot", "StoreLogoSquare", "StoreLogo9x16"];

/// Where a local image's bytes are: a file to compare and maybe upload, or a placeholder
/// naming a live image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File {
        path: PathBuf,
        sha256: String,
        /// Its path in the upload zip, which carries the hash so the live image says what
        /// it is (`fileName` comes back as uploaded).
        zip_name: String,
    },
    /// `pull`'s placeholder: keep the live image with this id (add-on icons: file name).
    Live { id: String },
}

#[derive(Debug, Clone)]
pub struct LocalImage {
    /// Relative to the listings folder, `/`-separated, for messages.
    pub shown: String,
    pub source: Source,
    /// `None`: no caption file (sent as an empty caption).
    pub caption: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Language {
    /// API field name → value (a string, or an array of strings).
    pub fields: BTreeMap<&'static str, serde_json::Value>,
    /// imageType → the images in display order. A type present is the whole new set.
    pub images: BTreeMap<String, Vec<LocalImage>>,
    /// Add-ons: the icon.
    pub icon: Option<LocalImage>,
}

/// `app/` or `addons/<productId>/`: languages and the `default/` fallback.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The folder name under `addons/` (the add-on's product id), `app` for the app.
    pub name: String,
    pub languages: BTreeMap<String, Language>,
    pub default: Option<Language>,
}

/// One trailer folder `trailers/NN-name/`.
#[derive(Debug, Clone)]
pub struct Trailer {
    pub shown: String,
    pub video: Source,
    /// Language (or `default`) → title and thumbnail.
    pub assets: BTreeMap<String, TrailerAssets>,
}

#[derive(Debug, Clone, Default)]
pub struct TrailerAssets {
    pub title: Option<String>,
    pub thumbnail: Option<LocalImage>,
}

/// Which part of the folder a submission takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Target {
    /// `app/` and `trailers/`.
    #[default]
    App,
    /// `addons/<name>/`.
    Addon(String),
}

#[derive(Debug, Default)]
pub struct Folder {
    pub root: PathBuf,
    pub target: Target,
    pub app: Option<Scope>,
    pub addons: BTreeMap<String, Scope>,
    /// `trailers/` present: the app's trailers become exactly these.
    pub trailers: Option<Vec<Trailer>>,
    pub state: State,
    /// `prune-languages`.
    pub prune_languages: bool,
    /// The files this run uploads, decided against the live listing before the zip is built.
    pub uploads: OnceLock<Vec<ZipInput>>,
}

impl Clone for Folder {
    fn clone(&self) -> Self {
        Folder {
            root: self.root.clone(),
            target: self.target.clone(),
            app: self.app.clone(),
            addons: self.addons.clone(),
            trailers: self.trailers.clone(),
            state: self.state.clone(),
            prune_languages: self.prune_languages,
            uploads: self
                .uploads
                .get()
                .cloned()
                .map(OnceLock::from)
                .unwrap_or_default(),
        }
    }
}

impl Folder {
    /// The add-on folder for an add-on given by Store ID or product id: named by either,
    /// or mapped to the Store ID by the state file `pull` wrote.
    pub fn addon_folder(&self, store_id: Option<&str>, product_id: Option<&str>) -> Option<String> {
        self.addons
            .keys()
            .find(|name| {
                store_id.is_some_and(|id| {
                    name.eq_ignore_ascii_case(id)
                        || self
                            .state
                            .addons
                            .get(*name)
                            .is_some_and(|s| s.eq_ignore_ascii_case(id))
                }) || product_id.is_some_and(|p| *name == p)
            })
            .cloned()
    }

    /// Whether any image, icon or video is a local file (which may need uploading).
    pub fn has_files(&self) -> bool {
        let file = |i: &LocalImage| matches!(i.source, Source::File { .. });
        let language = |l: &Language| {
            l.images.values().flatten().any(file) || l.icon.as_ref().is_some_and(file)
        };
        let scope = |s: &Scope| s.languages.values().chain(s.default.as_ref()).any(language);
        self.app.as_ref().is_some_and(scope)
            || self.addons.values().any(scope)
            || self.trailers.iter().flatten().any(|t| {
                matches!(t.video, Source::File { .. })
                    || t.assets
                        .values()
                        .any(|a| a.thumbnail.as_ref().is_some_and(file))
            })
    }
}

/// `en`, `en-us`, `sr-latn-rs`: the shape the folder's language codes take (docs/listings.md).
/// `pull` checks every language the Store names with it before writing: a code names a
/// folder, and one that is not a code (`../x`) would write outside `listings-dir`.
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The problem of a type folder that would remove live images the folder never held
/// (docs/listings.md, "Images added in Partner Center"): in a folder `pull` wrote, a live
/// image is removed only when its placeholder was deleted (the state file names it) or
/// this tool uploaded it; one added in Partner Center after the `pull` the user never saw.
pub fn unpulled_images_problem(
    type_dir: &str,
    count: usize,
    image_type: &str,
    language: &str,
) -> InputProblem {
    unpulled_problem(
        type_dir,
        &format!("{count} live image(s) of {image_type} in {language}"),
        "placeholders",
    )
}

/// The same problem for `trailers/`, which would remove live trailers the folder never
/// held: `languages` are those the trailers have titles and thumbnails in.
pub fn unpulled_trailers_problem(count: usize, languages: &[&str]) -> InputProblem {
    let languages = if languages.is_empty() {
        "no language".to_string()
    } else {
        languages.join(", ")
    };
    unpulled_problem(
        "trailers/",
        &format!("{count} live trailer(s) in {languages}"),
        "folders",
    )
}

/// `what` (`2 live image(s) of Screenshot in en-us`) in `dir`, never pulled into the folder;
/// the user deletes the `parts` (placeholders, folders) of those to remove once pulled.
fn unpulled_problem(dir: &str, what: &str, parts: &str) -> InputProblem {
    InputProblem::new(
        INPUT,
        format!(
            "`{dir}`: {what} are not in this folder and were never pulled into it (added in Partner Center after the last `pull`?): run `pull` to bring them in, then delete the {parts} of those you want removed"
        ),
    )
}

/// Reads the folder; every problem at once, each naming its file.
pub fn load(root: &Path, prune_languages: bool) -> Result<Folder, Vec<InputProblem>> {
    load_as(root, prune_languages, false)
}

/// [`load`] for an MSI/EXE product: its fields ([`MSI_FIELDS`]) and image types
/// ([`MSI_IMAGE_TYPES`], no captions); no trailers, no add-ons.
pub fn load_msi(root: &Path, prune_languages: bool) -> Result<Folder, Vec<InputProblem>> {
    load_as(root, prune_languages, true)
}

fn load_as(root: &Path, prune_languages: bool, msi: bool) -> Result<Folder, Vec<InputProblem>> {
    let mut reader = Reader {
        root: root.to_path_buf(),
        problems: Vec::new(),
        msi,
    };
    let mut folder = Folder {
        root: root.to_path_buf(),
        prune_languages,
        ..Folder::default()
    };
    match State::read(root) {
        Ok(state) => folder.state = state,
        Err(e) => reader.problem(&root.join(state::STATE_FILE), e),
    }
    for entry in reader.entries(root) {
        let name = file_name(&entry);
        match name.as_str() {
            "app" if entry.is_dir() => folder.app = Some(reader.scope(&entry, "app", false)),
            "addons" if entry.is_dir() => {
                for addon in reader.entries(&entry) {
                    if addon.is_dir() {
                        let id = file_name(&addon);
                        let scope = reader.scope(&addon, &id, true);
                        folder.addons.insert(id, scope);
                    } else {
                        reader.problem(
                            &addon,
                            "only add-on folders (`addons/<productId>/`) belong here",
                        );
                    }
                }
            }
            "trailers" if entry.is_dir() => folder.trailers = Some(reader.trailers(&entry)),
            ".msstore" | "README.md" | "msstore-listing.toml" => {}
            n if n.starts_with('.') => {}
            _ => reader.problem(
                &entry,
                "not part of the listings layout (app/, addons/, trailers/; docs/listings.md)",
            ),
        }
    }
    if reader.problems.is_empty() {
        Ok(folder)
    } else {
        Err(reader.problems)
    }
}

struct Reader {
    root: PathBuf,
    problems: Vec<InputProblem>,
    /// An MSI/EXE product's folder.
    msi: bool,
}

impl Reader {
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn problem(&mut self, path: &Path, message: impl std::fmt::Display) {
        let shown = self.shown(path);
        self.problems
            .push(InputProblem::new(INPUT, format!("`{shown}`: {message}")));
    }

    /// The entries of a folder, in natural order of their names.
    fn entries(&mut self, dir: &Path) -> Vec<PathBuf> {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut paths: Vec<PathBuf> =
                    entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                paths.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
                paths
            }
            Err(e) => {
                self.problem(dir, format!("cannot read the folder: {e}"));
                Vec::new()
            }
        }
    }

    fn read_text(&mut self, path: &Path) -> Option<String> {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(
                    text.strip_prefix('\u{feff}')
                        .unwrap_or(&text)
                        .replace("\r\n", "\n")
                        .replace('\r', "\n"),
                ),
                Err(_) => {
                    self.problem(path, "is not UTF-8 text");
                    None
                }
            },
            Err(e) => {
                self.problem(path, format!("cannot read: {e}"));
                None
            }
        }
    }

    fn scope(&mut self, dir: &Path, name: &str, addon: bool) -> Scope {
        let mut scope = Scope {
            name: name.to_string(),
            ..Scope::default()
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for entry in self.entries(dir) {
            let folder = file_name(&entry);
            if !entry.is_dir() {
                self.problem(
                    &entry,
                    "only language folders (`en-us/`, `default/`) belong here",
                );
                continue;
            }
            if folder.starts_with('.') {
                continue;
            }
            if folder == "default" {
                scope.default = Some(self.language(&entry, addon));
                continue;
            }
            let Some(code) = self.language_code(&entry, &folder) else {
                continue;
            };
            if let Some(other) = seen.insert(code.clone(), folder.clone()) {
                self.problem(
                    &entry,
                    format!("the same language as `{other}/`; keep one folder per language"),
                );
                continue;
            }
            let language = self.language(&entry, addon);
            scope.languages.insert(code, language);
        }
        scope
    }

    /// The API's language code for a folder name: lower case
    /// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/app-package-requirements).
    fn language_code(&mut self, path: &Path, folder: &str) -> Option<String> {
        if folder.contains('_') {
            self.problem(
                path,
                format!(
                    "is not a language code; did you mean `{}`?",
                    folder.replace('_', "-").to_ascii_lowercase()
                ),
            );
            return None;
        }
        if !is_language_code(folder) {
            self.problem(
                path,
                "is not a language code (e.g. `en-us`, `de`, `sr-latn-rs`) nor `default`",
            );
            return None;
        }
        Some(folder.to_ascii_lowercase())
    }

    fn language(&mut self, dir: &Path, addon: bool) -> Language {
        let fields = if addon {
            ADDON_FIELDS
        } else if self.msi {
            MSI_FIELDS
        } else {
            APP_FIELDS
        };
        let mut language = Language::default();
        for entry in self.entries(dir) {
            let name = file_name(&entry);
            if name.starts_with('.') {
                continue;
            }
            if entry.is_dir() {
                if name == "images" && !addon {
                    self.images(&entry, &mut language);
                } else {
                    self.problem(&entry, "unexpected folder (docs/listings.md)");
                }
                continue;
            }
            if addon && (name == "icon.png" || name == format!("icon.{PLACEHOLDER_EXT}")) {
                language.icon = self.image(&entry, dir, Some(ImageRule::ADDON_ICON));
                continue;
            }
            let Some(stem) = name.strip_suffix(".txt") else {
                self.problem(&entry, "unexpected file: fields are `<field>.txt` files");
                continue;
            };
            let Some(field) = fields.iter().find(|f| f.file == stem) else {
                let known: Vec<String> = fields.iter().map(|f| format!("{}.txt", f.file)).collect();
                self.problem(
                    &entry,
                    format!("is no listing field; the fields are {}", known.join(", ")),
                );
                continue;
            };
            let Some(text) = self.read_text(&entry) else {
                continue;
            };
            let value = if field.list {
                let items: Vec<String> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                self.lint_list(&entry, field, &items);
                serde_json::json!(items)
            } else {
                // A trailing newline is how editors end a file, not part of the text.
                let text = text.trim_end_matches('\n').to_string();
                let chars = text.chars().count();
                if chars > field.max_len {
                    self.problem(
                        &entry,
                        format!(
                            "{chars} characters; the Store allows at most {}",
                            field.max_len
                        ),
                    );
                }
                serde_json::Value::String(text)
            };
            language.fields.insert(field.api, value);
        }
        language
    }

    fn lint_list(&mut self, path: &Path, field: &Field, items: &[String]) {
        if items.len() > field.max_items {
            self.problem(
                path,
                format!(
                    "{} items; the Store allows at most {} (one per line)",
                    items.len(),
                    field.max_items
                ),
            );
        }
        for (i, item) in items.iter().enumerate() {
            let chars = item.chars().count();
            if chars > field.max_len {
                self.problem(
                    path,
                    format!(
                        "line {} has {chars} characters; the Store allows at most {}",
                        i + 1,
                        field.max_len
                    ),
                );
            }
        }
        if field.api == "keywords" || field.api == "searchTerms" {
            let words: usize = items.iter().map(|k| k.split_whitespace().count()).sum();
            if words > limits::KEYWORD_WORDS {
                self.problem(
                    path,
                    format!(
                        "{words} words across all keywords; the Store allows at most {}",
                        limits::KEYWORD_WORDS
                    ),
                );
            }
        }
    }

    fn images(&mut self, dir: &Path, language: &mut Language) {
        for type_dir in self.entries(dir) {
            let folder = file_name(&type_dir);
            if folder.starts_with('.') {
                continue;
            }
            if !type_dir.is_dir() {
                self.problem(
                    &type_dir,
                    "only image-type folders (`Screenshot/`, …) belong here",
                );
                continue;
            }
            let Some(image_type) = limits::IMAGE_TYPES
                .iter()
                .find(|t| t.eq_ignore_ascii_case(&folder))
            else {
                self.problem(
                    &type_dir,
                    format!(
                        "is no image type; the types are {}",
                        limits::IMAGE_TYPES.join(", ")
                    ),
                );
                continue;
            };
            if self.msi && !MSI_IMAGE_TYPES.contains(image_type) {
                self.problem(
                    &type_dir,
                    format!(
                        "the MSI/EXE API has no {image_type} images; its types are {}",
                        MSI_IMAGE_TYPES.join(", ")
                    ),
                );
                continue;
            }
            let rule = ImageRule::of(image_type);
            let mut list = Vec::new();
            for entry in self.entries(&type_dir) {
                let name = file_name(&entry);
                if name.starts_with('.') || name.ends_with(".txt") {
                    continue;
                }
                if let Some(image) = self.image(&entry, &type_dir, Some(rule)) {
                    list.push(image);
                }
            }
            // A PNG beside the placeholder of its name: meant to replace that live image, or
            // to add one? Both would be kept, so the run stops (docs/listings.md, Placeholders).
            for (i, image) in list.iter().enumerate() {
                if let Some(other) = list[..i]
                    .iter()
                    .find(|o| stem_of(&o.shown) == stem_of(&image.shown))
                {
                    self.problem(
                        &type_dir,
                        format!(
                            "`{}` and `{}` have the same name: to replace a live image, delete its `.{PLACEHOLDER_EXT}` placeholder; to add an image, rename it",
                            other.shown, image.shown
                        ),
                    );
                }
            }
            // Captions without an image are a typo or a leftover.
            for entry in self.entries(&type_dir) {
                let name = file_name(&entry);
                if let Some(stem) = name.strip_suffix(".txt")
                    && !list.iter().any(|i| stem_of(&i.shown) == stem)
                {
                    self.problem(&entry, "a caption without an image of that name beside it");
                }
            }
            let live: usize = list.len();
            if live > rule.max_count {
                self.problem(
                    &type_dir,
                    format!(
                        "{live} images; the Store allows at most {} of type {image_type}",
                        rule.max_count
                    ),
                );
            }
            language.images.insert(image_type.to_string(), list);
        }
    }

    /// An image file (`.png`) or placeholder (`.live`), with its caption `<stem>.txt`.
    fn image(&mut self, path: &Path, dir: &Path, rule: Option<ImageRule>) -> Option<LocalImage> {
        let name = file_name(path);
        let shown = self.shown(path);
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) => (stem.to_string(), ext.to_ascii_lowercase()),
            None => (name.clone(), String::new()),
        };
        let caption_path = dir.join(format!("{stem}.txt"));
        if self.msi && caption_path.is_file() {
            // The listing assets of the MSI/EXE API have no description: a caption would be lost.
            self.problem(
                &caption_path,
                "the MSI/EXE API has no image captions: delete the caption file",
            );
        }
        let caption = if caption_path.is_file() && rule.is_some_and(|r| r.captioned) {
            self.read_text(&caption_path)
                .map(|t| t.trim_end_matches('\n').to_string())
        } else {
            None
        };
        if let Some(caption) = &caption
            && caption.chars().count() > limits::CAPTION
        {
            self.problem(
                &caption_path,
                format!(
                    "{} characters; a caption may have at most {}",
                    caption.chars().count(),
                    limits::CAPTION
                ),
            );
        }
        let source = match ext.as_str() {
            PLACEHOLDER_EXT => {
                let text = self.read_text(path)?;
                let Some(id) = placeholder_id(&text) else {
                    self.problem(
                        path,
                        "a placeholder without its `id:` line; run `pull` again",
                    );
                    return None;
                };
                Source::Live { id }
            }
            "png" => {
                let bytes = match std::fs::read(path) {
                    Ok(b) => b,
                    Err(e) => {
                        self.problem(path, format!("cannot read: {e}"));
                        return None;
                    }
                };
                if let Some(rule) = rule {
                    for problem in rule.check(&bytes) {
                        self.problem(path, problem);
                    }
                }
                let sha256 = hex::encode(Sha256::digest(&bytes));
                let rel = shown.rsplit_once('/').map_or("", |(d, _)| d);
                Source::File {
                    path: path.to_path_buf(),
                    zip_name: zip_name(rel, &stem, &sha256, "png"),
                    sha256,
                }
            }
            _ => {
                self.problem(
                    path,
                    "listing images are PNG files (`.png`), or `pull`'s `.live` placeholders",
                );
                return None;
            }
        };
        Some(LocalImage {
            shown,
            source,
            caption,
        })
    }

    fn trailers(&mut self, dir: &Path) -> Vec<Trailer> {
        let mut trailers = Vec::new();
        for entry in self.entries(dir) {
            let name = file_name(&entry);
            if name.starts_with('.') {
                continue;
            }
            if !entry.is_dir() {
                self.problem(&entry, "only trailer folders (`01-launch/`) belong here");
                continue;
            }
            let mut video = None;
            let mut assets = BTreeMap::new();
            for item in self.entries(&entry) {
                let item_name = file_name(&item);
                if item_name.starts_with('.') {
                    continue;
                }
                if item.is_dir() {
                    let key = if item_name == "default" {
                        Some("default".to_string())
                    } else {
                        self.language_code(&item, &item_name)
                    };
                    let Some(key) = key else { continue };
                    let mut a = TrailerAssets::default();
                    for file in self.entries(&item) {
                        match file_name(&file).as_str() {
                            "title.txt" => {
                                if let Some(t) = self.read_text(&file) {
                                    let t = t.trim_end_matches('\n').to_string();
                                    if t.chars().count() > limits::TRAILER_TITLE {
                                        self.problem(
                                            &file,
                                            format!(
                                                "a trailer title may have at most {} characters",
                                                limits::TRAILER_TITLE
                                            ),
                                        );
                                    }
                                    a.title = Some(t);
                                }
                            }
                            "thumbnail.txt" => {}
                            "thumbnail.png" | "thumbnail.live" => {
                                a.thumbnail =
                                    self.image(&file, &item, Some(ImageRule::TRAILER_THUMBNAIL));
                            }
                            _ => self.problem(
                                &file,
                                "unexpected file: a trailer language holds title.txt, thumbnail.png and thumbnail.txt",
                            ),
                        }
                    }
                    assets.insert(key, a);
                    continue;
                }
                match item_name.as_str() {
                    "video.mp4" | "video.mov" => {
                        let ext = item_name.rsplit_once('.').map_or("mp4", |(_, e)| e);
                        match sha256_file(&item) {
                            Ok(sha256) => {
                                let rel = self.shown(&entry);
                                video = Some(Source::File {
                                    path: item.clone(),
                                    zip_name: zip_name(&rel, "video", &sha256, ext),
                                    sha256,
                                });
                            }
                            Err(e) => self.problem(&item, format!("cannot read: {e}")),
                        }
                    }
                    "video.live" => {
                        if let Some(text) = self.read_text(&item) {
                            match placeholder_id(&text) {
                                Some(id) => video = Some(Source::Live { id }),
                                None => self.problem(&item, "a placeholder without its `id:` line"),
                            }
                        }
                    }
                    _ => self.problem(
                        &item,
                        "unexpected file: a trailer folder holds video.mp4 (or .mov) and language folders",
                    ),
                }
            }
            let Some(video) = video else {
                self.problem(&entry, "a trailer folder without video.mp4 or video.mov");
                continue;
            };
            if assets.is_empty() {
                self.problem(&entry, "a trailer needs a title and a thumbnail: add `default/title.txt` and `default/thumbnail.png`");
            }
            trailers.push(Trailer {
                shown: self.shown(&entry),
                video,
                assets,
            });
        }
        if trailers.len() > limits::TRAILERS {
            self.problem(
                dir,
                format!(
                    "{} trailers; the Store allows at most {}",
                    trailers.len(),
                    limits::TRAILERS
                ),
            );
        }
        trailers
    }
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `01-home` of `app/en-us/images/Screenshot/01-home.png`.
pub fn stem_of(shown: &str) -> &str {
    let name = shown.rsplit('/').next().unwrap_or(shown);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The `id:` line of a placeholder.
pub fn placeholder_id(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("id:"))
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
}

/// The zip path of a new file: ANSI characters only ("Be sure that all your filenames use
/// ANSI", https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions), and the
/// content's SHA-256, so that the `fileName` the Store keeps says which bytes it holds.
pub fn zip_name(rel_dir: &str, stem: &str, sha256: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "listings/{}/{}.{sha256}.{ext}",
        clean(rel_dir).trim_matches('/'),
        clean(stem)
    )
}

/// The SHA-256 a `fileName` written by [`zip_name`] carries.
pub fn sha256_in_name(file_name: &str) -> Option<&str> {
    let name = file_name.rsplit(['/', '\\']).next()?;
    let mut parts = name.rsplitn(3, '.');
    let _ext = parts.next()?;
    let hash = parts.next()?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Natural order: digit runs compare as numbers, so `2-a` comes before `10-b`
/// (https://github.com/fastlane/fastlane/issues/15959 is what a plain sort does).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(&cb) {
        let ord = match (x.0, y.0) {
            (true, true) => {
                let (tx, ty) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
            }
            _ => x.1.to_lowercase().cmp(&y.1.to_lowercase()),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_puts_2_before_10() {
        let mut names = vec!["10-c.png", "2-b.png", "01-a.png"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["01-a.png", "2-b.png", "10-c.png"]);
    }

    #[test]
    fn the_hash_in_a_zip_name_is_read_back() {
        let sha = "a".repeat(64);
        let name = zip_name("app/en-us/images/Screenshot", "01 home", &sha, "png");
        assert_eq!(
            name,
            format!("listings/app/en-us/images/Screenshot/01_home.{sha}.png")
        );
        assert_eq!(sha256_in_name(&name), Some(sha.as_str()));
        assert_eq!(sha256_in_name(&name.replace('/', "\\")), Some(sha.as_str()));
        assert_eq!(sha256_in_name("contoso.png"), None);
    }
}
