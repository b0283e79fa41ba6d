//! `import-pdp`: StoreBroker's PDP files (Product Description Page XML, one per language,
//! https://github.com/microsoft/StoreBroker/blob/master/Documentation/PDP.md) and their media
//! turned into the listings layout (docs/listings.md), once, for teams moving over.
//!
//! As StoreBroker reads them: the language is the first folder under the PDP root (lower
//! case), not the XML's `language` attribute; media files are found by name under
//! `<media>/<Release>/<language>/` (any depth), else under the fallback language's folder
//! (`FallbackLanguage` on the element, its parent, or the root). Screenshots are
//! caption-first: each `<Caption>` gives the caption of the images its `DesktopImage`,
//! `MobileImage`, `XboxImage`, `SurfaceHubImage` and `HoloLensImage` attributes name, in
//! caption order per type.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;

use crate::config::InputProblem;
use crate::config::listings::{file_name, natural_cmp};

const PRODUCT: &str = "http://schemas.microsoft.com/appx/2012/ProductDescription";
const IN_APP_PRODUCT: &str = "http://schemas.microsoft.com/appx/2012/InAppProductDescription";

/// PDP element → field file (docs/listings.md, "Coming from StoreBroker").
const TEXT_FIELDS: &[(&str, &str)] = &[
    ("AppStoreName", "title"),
    ("Description", "description"),
    ("ReleaseNotes", "release_notes"),
    ("ShortDescription", "short_description"),
    ("ShortTitle", "short_title"),
    ("SortTitle", "sort_title"),
    ("VoiceTitle", "voice_title"),
    ("DevStudio", "developed_by"),
    ("CopyrightAndTrademark", "copyright"),
    ("AdditionalLicenseTerms", "license_terms"),
];
const LIST_FIELDS: &[(&str, &str, &str)] = &[
    ("Keywords", "Keyword", "keywords"),
    ("AppFeatures", "AppFeature", "features"),
    ("MinimumHardware", "MinimumRequirement", "minimum_hardware"),
    (
        "RecommendedHardware",
        "Recommendation",
        "recommended_hardware",
    ),
];
const CAPTION_IMAGES: &[(&str, &str)] = &[
    ("DesktopImage", "Screenshot"),
    ("MobileImage", "MobileScreenshot"),
    ("XboxImage", "XboxScreenshot"),
    ("SurfaceHubImage", "SurfaceHubScreenshot"),
    ("HoloLensImage", "HoloLensScreenshot"),
];

/// An XML element: local name, attributes, its own text (comments left out), children.
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub namespace: String,
    pub attributes: BTreeMap<String, String>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn value(&self) -> String {
        self.text.trim().to_string()
    }
}

/// Parses an XML document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("not well-formed XML ({e})"))?;
        let namespace = match ns {
            quick_xml::name::ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut element = Element {
                    name: e.local_name().as_ref().to_string(),
                    namespace,
                    ..Element::default()
                };
                for a in e.attributes().flatten() {
                    if let Ok(value) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                        let key = a.key.local_name().as_ref().to_string();
                        element.attributes.insert(key, value.into_owned());
                    }
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                } else {
                    stack.push(element);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => top.text.push(c),
                        _ => {
                            let entity = format!("&{};", r.into_inner());
                            let text = quick_xml::escape::unescape(&entity)
                                .map_err(|e| format!("not well-formed XML ({e})"))?;
                            top.text.push_str(&text);
                        }
                    }
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced XML")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Eof => return Err("no root element".into()),
            _ => {}
        }
    }
}

/// What an import wrote.
#[derive(Debug, Default)]
pub struct Imported {
    pub files: usize,
    pub languages: Vec<String>,
    /// Images that are not PNG: the Store takes PNG only; `submit`'s lint refuses them.
    pub not_png: Vec<String>,
}

/// Imports every `<language>/…/*.xml` under `pdp_dir` into `out` (a new or empty folder).
/// `addon` names the add-on folder for `InAppProductDescription` files. Every problem at
/// once; nothing is written unless there is none.
pub fn import(
    pdp_dir: &Path,
    media_dir: Option<&Path>,
    out: &Path,
    addon: Option<&str>,
) -> Result<Imported, Vec<InputProblem>> {
    let mut problems = Vec::new();
    let mut writes: Vec<(String, Write)> = Vec::new();
    let mut trailer_slots: Vec<String> = Vec::new();
    let mut languages = Vec::new();
    for lang_dir in sorted_entries(pdp_dir) {
        if !lang_dir.is_dir() {
            continue;
        }
        let folder = file_name(&lang_dir);
        if folder.starts_with('.') {
            continue;
        }
        let language = folder.to_ascii_lowercase();
        let mut xmls = Vec::new();
        collect_files(&lang_dir, &mut |p| {
            if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
                xmls.push(p.to_path_buf());
            }
        });
        if xmls.len() != 1 {
            problems.push(InputProblem::new(
                "pdp-dir",
                format!(
                    "`{folder}/` holds {} PDP files; one per language is imported",
                    xmls.len()
                ),
            ));
            continue;
        }
        let path = &xmls[0];
        let shown = path
            .strip_prefix(pdp_dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let root = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| parse(&t))
        {
            Ok(root) => root,
            Err(e) => {
                problems.push(InputProblem::new("pdp-dir", format!("`{shown}`: {e}")));
                continue;
            }
        };
        languages.push(language.clone());
        let release = root.attributes.get("Release").cloned().unwrap_or_default();
        let root_fallback = root.attributes.get("FallbackLanguage").cloned();
        let media = |name: &str,
                     fallback: Option<&String>,
                     writes: &mut Vec<(String, Write)>,
                     dest: String,
                     problems: &mut Vec<InputProblem>| {
            let Some(media_dir) = media_dir else {
                problems.push(InputProblem::new(
                    "pdp-media-dir",
                    format!("`{shown}` names the media file `{name}`: give the folder that holds the media (StoreBroker's ImagesRootPath)"),
                ));
                return;
            };
            let mut tried = vec![language.clone()];
            if let Some(f) = fallback.or(root_fallback.as_ref()) {
                tried.push(f.to_ascii_lowercase());
            }
            let found = tried.iter().find_map(|lang| {
                [media_dir.join(&release).join(lang), media_dir.join(lang)]
                    .iter()
                    .find_map(|dir| find_file(dir, name))
            });
            match found {
                Some(source) => writes.push((dest, Write::Copy(source))),
                None => problems.push(InputProblem::new(
                    "pdp-media-dir",
                    format!(
                        "`{shown}` names `{name}`, which is not under {} for {}",
                        media_dir.display(),
                        tried.join(" nor ")
                    ),
                )),
            }
        };
        match root.namespace.as_str() {
            PRODUCT => {
                let dir = format!("app/{language}");
                for (element, file) in TEXT_FIELDS {
                    if let Some(e) = root.child(element) {
                        writes.push((format!("{dir}/{file}.txt"), Write::Text(line(&e.value()))));
                    }
                }
                for (list, item, file) in LIST_FIELDS {
                    if let Some(e) = root.child(list) {
                        let text: String = e
                            .children_named(item)
                            .map(Element::value)
                            .filter(|v| !v.is_empty())
                            .map(|v| format!("{v}\n"))
                            .collect();
                        writes.push((format!("{dir}/{file}.txt"), Write::Text(text)));
                    }
                }
                if let Some(captions) = root.child("ScreenshotCaptions") {
                    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                    for caption in captions.children_named("Caption") {
                        for (attribute, image_type) in CAPTION_IMAGES {
                            let Some(name) = caption.attributes.get(*attribute) else { continue };
                            let n = counts.entry(image_type).or_default();
                            *n += 1;
                            let stem = format!("{:02}-{}", n, stem(name));
                            let at = format!("{dir}/images/{image_type}/{stem}");
                            let fallback = caption
                                .attributes
                                .get("FallbackLanguage")
                                .or(captions.attributes.get("FallbackLanguage"));
                            media(name, fallback, &mut writes, format!("{at}.{}", ext(name)), &mut problems);
                            writes.push((format!("{at}.txt"), Write::Text(line(&caption.value()))));
                        }
                    }
                }
                if let Some(assets) = root.child("AdditionalAssets") {
                    for asset in &assets.children {
                        let Some(name) = asset.attributes.get("FileName") else { continue };
                        let fallback = asset
                            .attributes
                            .get("FallbackLanguage")
                            .or(assets.attributes.get("FallbackLanguage"));
                        let dest = format!("{dir}/images/{}/01-{}.{}", asset.name, stem(name), ext(name));
                        media(name, fallback, &mut writes, dest, &mut problems);
                    }
                }
                if let Some(trailers) = root.child("Trailers") {
                    for trailer in trailers.children_named("Trailer") {
                        let Some(video) = trailer.attributes.get("FileName") else { continue };
                        // One trailer per video file across languages, as StoreBroker keys them.
                        let slot = match trailer_slots.iter().position(|v| v == video) {
                            Some(i) => i,
                            None => {
                                trailer_slots.push(video.clone());
                                trailer_slots.len() - 1
                            }
                        };
                        let tdir = format!("trailers/{:02}-{}", slot + 1, stem(video));
                        let fallback = trailer
                            .attributes
                            .get("FallbackLanguage")
                            .or(trailers.attributes.get("FallbackLanguage"));
                        let video_dest = format!("{tdir}/video.{}", ext(video));
                        if !writes.iter().any(|(d, _)| *d == video_dest) {
                            media(video, fallback, &mut writes, video_dest, &mut problems);
                        }
                        if let Some(title) = trailer.child("Title") {
                            writes.push((format!("{tdir}/{language}/title.txt"), Write::Text(line(&title.value()))));
                        }
                        if let Some(image) = trailer.child("Images").and_then(|i| i.child("Image"))
                            && let Some(name) = image.attributes.get("FileName")
                        {
                            let fallback = image.attributes.get("FallbackLanguage").or(fallback);
                            media(name, fallback, &mut writes, format!("{tdir}/{language}/thumbnail.{}", ext(name)), &mut problems);
                            writes.push((format!("{tdir}/{language}/thumbnail.txt"), Write::Text(line(&image.value()))));
                        }
                    }
                }
            }
            IN_APP_PRODUCT => {
                let Some(addon) = addon else {
                    problems.push(InputProblem::new(
                        "addon-product-id",
                        format!("`{shown}` is an add-on PDP: give `addon-product-id` to name its folder under addons/"),
                    ));
                    continue;
                };
                let dir = format!("addons/{addon}/{language}");
                for (element, file) in [("Title", "title"), ("Description", "description")] {
                    if let Some(e) = root.child(element) {
                        writes.push((format!("{dir}/{file}.txt"), Write::Text(line(&e.value()))));
                    }
                }
                if let Some(icon) = root.child("Icon")
                    && let Some(name) = icon.attributes.get("Filename")
                {
                    let fallback = icon.attributes.get("FallbackLanguage");
                    media(name, fallback, &mut writes, format!("{dir}/icon.{}", ext(name)), &mut problems);
                }
            }
            other => problems.push(InputProblem::new(
                "pdp-dir",
                format!("`{shown}`: the root element `{}` in namespace `{other}` is neither a ProductDescription nor an InAppProductDescription", root.name),
            )),
        }
    }
    if languages.is_empty() && problems.is_empty() {
        problems.push(InputProblem::new(
            "pdp-dir",
            format!(
                "{} holds no `<language>/…/*.xml` PDP files",
                pdp_dir.display()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut imported = Imported {
        languages,
        ..Imported::default()
    };
    for (dest, write) in writes {
        let path = out.join(&dest);
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| match &write {
                Write::Text(text) => std::fs::write(&path, text),
                Write::Copy(source) => std::fs::copy(source, &path).map(|_| ()),
            });
        if let Err(e) = result {
            return Err(vec![InputProblem::new(
                "listings-dir",
                format!("cannot write {}: {e}", path.display()),
            )]);
        }
        if matches!(write, Write::Copy(_)) && !dest.ends_with(".png") && !dest.contains("/video.") {
            imported.not_png.push(dest.clone());
        }
        imported.files += 1;
    }
    Ok(imported)
}

enum Write {
    Text(String),
    Copy(PathBuf),
}

/// A single-line or multi-line value as a field file: the text and a newline, or nothing.
fn line(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!("{value}\n")
    }
}

fn stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
    paths
}

fn collect_files(dir: &Path, found: &mut impl FnMut(&Path)) {
    for path in sorted_entries(dir) {
        if path.is_dir() {
            collect_files(&path, found);
        } else {
            found(&path);
        }
    }
}

/// The file named `name` (ignoring case, as on Windows where PDPs are written) anywhere
/// under `dir`.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut hit = None;
    collect_files(dir, &mut |p| {
        if hit.is_none() && file_name(p).eq_ignore_ascii_case(base) {
            hit = Some(p.to_path_buf());
        }
    });
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_skips_comments_and_keeps_entities() {
        let root = parse(
            "\u{feff}<?xml version=\"1.0\"?><R xmlns=\"urn:x\"><A _locID=\"a\"><!-- c -->Fish &amp; chips</A><B/></R>",
        )
        .unwrap();
        assert_eq!(root.namespace, "urn:x");
        assert_eq!(root.child("A").unwrap().value(), "Fish & chips");
        assert!(root.child("B").is_some());
    }
}
