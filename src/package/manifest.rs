//! What a package says about itself: identity (name, publisher, version, architecture),
//! target device families with their minimum versions, languages and capabilities, read
//! from `AppxManifest.xml` of an `.msix`/`.appx`, from `AppxMetadata/AppxBundleManifest.xml`
//! and the application packages inside an `.msixbundle`/`.appxbundle`, and from the package
//! or bundle inside an `.msixupload`/`.appxupload` (with the symbol files beside it).
//!
//! Reads stream: a package is a zip, so only its central directory and the few small
//! manifest entries are read, never the payload. Packages inside a bundle or an upload are
//! stored uncompressed (MakeAppx and Visual Studio write them so), so they are opened in
//! place as a window of the outer file; one that is compressed after all is inflated to a
//! temporary file, never into memory.
//!
//! Names are matched by local name, whatever the namespace prefix: manifests use several
//! schema versions (`uap`, `b4`, …) and the Store accepts all of them.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use serde::Serialize;
use zip::ZipArchive;
use zip::result::ZipError;

/// A manifest is a few kilobytes; a bundle manifest with many resource packages a few
/// hundred. Anything larger is not a manifest we should hold in memory.
const MAX_MANIFEST_BYTES: u64 = 8 << 20;

const PACKAGE_MANIFEST: &str = "AppxManifest.xml";
const BUNDLE_MANIFEST: &str = "AppxMetadata/AppxBundleManifest.xml";
const BLOCK_MAP: &str = "AppxBlockMap.xml";

/// A package version: four numbers of 0–65535 (`Major.Minor.Build.Revision`), compared
/// number by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub [u16; 4]);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut numbers = [0u16; 4];
        for (slot, part) in numbers.iter_mut().zip(parts) {
            if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        Some(Version(numbers))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `TargetDeviceFamily`: `Windows.Desktop`, `Windows.Universal`, `Windows.Xbox`, …
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFamily {
    pub name: String,
    pub min_version: Option<String>,
}

impl fmt::Display for DeviceFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.min_version {
            Some(min) => write!(f, "{} ≥ {min}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One `AppxManifest.xml`: a loose package, or an application package inside a bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppxManifest {
    /// The package's name: the file itself, or its path inside the bundle.
    pub file_name: String,
    pub name: String,
    pub publisher: String,
    pub version: Version,
    /// Lower-case, as Windows compares it: `x86`, `x64`, `arm`, `arm64`, `neutral`, …
    pub architecture: String,
    pub resource_id: Option<String>,
    /// Empty for Windows 8.x packages, which name an OS version instead.
    pub device_families: Vec<DeviceFamily>,
    pub languages: Vec<String>,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Format {
    /// `.msix` / `.appx`.
    Package,
    /// `.msixbundle` / `.appxbundle`.
    Bundle,
}

/// What an `.msixupload`/`.appxupload` holds besides the package.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadContents {
    /// The package or bundle inside.
    pub inner: String,
    /// `.appxsym`/`.msixsym` files.
    pub symbols: Vec<String>,
}

/// A file of `packages`, read.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageInfo {
    /// Its name in the submission (the zip entry).
    pub file_name: String,
    /// What it is, or for an upload what it holds.
    pub format: Format,
    pub upload: Option<UploadContents>,
    /// The identity of the package, or of the bundle.
    pub name: String,
    pub publisher: String,
    pub version: Version,
    /// A loose package's architecture; `None` for a bundle, whose application packages
    /// each have their own.
    pub architecture: Option<String>,
    /// The application packages: the package itself, or the bundle's.
    pub applications: Vec<AppxManifest>,
    /// File names of a bundle's resource packages (languages, scales).
    pub resources: Vec<String>,
}

impl PackageInfo {
    pub fn is_bundle(&self) -> bool {
        self.format == Format::Bundle
    }

    /// Architectures of the application packages, lower-case.
    pub fn architectures(&self) -> BTreeSet<String> {
        self.applications
            .iter()
            .map(|a| a.architecture.clone())
            .collect()
    }

    /// Device families of the application packages (each family once, with the lowest
    /// minimum version any package asks for).
    pub fn device_families(&self) -> Vec<DeviceFamily> {
        let mut families: Vec<DeviceFamily> = Vec::new();
        for family in self.applications.iter().flat_map(|a| &a.device_families) {
            match families
                .iter_mut()
                .find(|f| f.name.eq_ignore_ascii_case(&family.name))
            {
                Some(known) => {
                    let lower = match (&known.min_version, &family.min_version) {
                        (Some(a), Some(b)) => Some(lowest_os_version(a, b).to_string()),
                        _ => None,
                    };
                    known.min_version = lower;
                }
                None => families.push(family.clone()),
            }
        }
        families.sort();
        families
    }

    /// `1.2.0.0 x64 (Windows.Desktop ≥ 10.0.17763.0)` or `bundle 1.2.0.0: x64, arm64 (…)`.
    pub fn describe(&self) -> String {
        let families: Vec<String> = self
            .device_families()
            .iter()
            .map(ToString::to_string)
            .collect();
        let families = if families.is_empty() {
            String::new()
        } else {
            format!(" ({})", families.join(", "))
        };
        let what = match (&self.format, &self.architecture) {
            (Format::Bundle, _) => format!(
                "bundle {}: {}",
                self.version,
                self.architectures()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Format::Package, Some(arch)) => format!("{} {arch}", self.version),
            (Format::Package, None) => self.version.to_string(),
        };
        let upload = match &self.upload {
            Some(u) => format!(
                " in an upload with {} symbol file(s)",
                u.symbols.len().to_string().as_str()
            ),
            None => String::new(),
        };
        format!("{what}{families}{upload}")
    }
}

/// Of two OS versions (`10.0.17763.0`), the lower; text that is not a version sorts last.
fn lowest_os_version<'a>(a: &'a str, b: &'a str) -> &'a str {
    match (Version::parse(a), Version::parse(b)) {
        (Some(x), Some(y)) if y < x => b,
        (Some(_), _) => a,
        (None, Some(_)) => b,
        (None, None) => a,
    }
}

/// Why a package cannot be read, as a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageError(pub String);

impl fmt::Display for PackageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PackageError {}

fn fail<T>(message: impl Into<String>) -> Result<T, PackageError> {
    Err(PackageError(message.into()))
}

fn zip_error(what: &str, e: ZipError) -> PackageError {
    match e {
        ZipError::Io(e) => PackageError(format!("cannot read {what}: {e}")),
        other => PackageError(format!("{what} is not a valid zip ({other})")),
    }
}

/// Reads the package at `path`; `file_name` is its name in the submission and decides what
/// kind of package it must be (by extension, as the Store does).
pub fn read_package_file(path: &Path, file_name: &str) -> Result<PackageInfo, PackageError> {
    let file = File::open(path).map_err(|e| PackageError(format!("cannot open it: {e}")))?;
    let mut archive = Opened::whole(file, "it")?;
    read_archive(&mut archive, file_name, true)
}

/// Reads the package stored as `entry` inside the zip at `zip_path` (a ready upload zip).
pub fn read_package_in_zip(zip_path: &Path, entry: &str) -> Result<PackageInfo, PackageError> {
    let file = File::open(zip_path)
        .map_err(|e| PackageError(format!("cannot open {}: {e}", zip_path.display())))?;
    let mut outer = Opened::whole(file, "the upload zip")?;
    let mut inner = outer.nested(entry)?;
    read_archive(&mut inner, entry, true)
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// A part of a file read as if it were the whole file: a package inside a bundle, or a
/// bundle inside an upload, in place. Every archive, however deep, is one of these, so the
/// readers below need no generics (which would nest without end).
struct Window {
    file: File,
    base: u64,
    len: u64,
    pos: u64,
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        // The handle may be shared with the window around this one: always seek first.
        self.file.seek(SeekFrom::Start(self.base + self.pos))?;
        let n = self.file.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Window {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(n) => {
                self.pos = n;
                Ok(n)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            )),
        }
    }
}

/// An open zip: its archive, and where it lies in its file.
struct Opened {
    archive: ZipArchive<BufReader<Window>>,
    file: File,
    base: u64,
}

impl Opened {
    fn whole(file: File, what: &str) -> Result<Opened, PackageError> {
        let len = file
            .metadata()
            .map_err(|e| PackageError(format!("cannot read {what}: {e}")))?
            .len();
        Opened::window(file, 0, len, what)
    }

    fn window(file: File, base: u64, len: u64, what: &str) -> Result<Opened, PackageError> {
        let reader = Window {
            file: file
                .try_clone()
                .map_err(|e| PackageError(format!("cannot read {what}: {e}")))?,
            base,
            len,
            pos: 0,
        };
        let archive = ZipArchive::new(BufReader::with_capacity(64 * 1024, reader))
            .map_err(|e| zip_error(what, e))?;
        Ok(Opened {
            archive,
            file,
            base,
        })
    }

    /// The zip stored as entry `name`: in place when stored uncompressed, else inflated to
    /// a temporary file.
    fn nested(&mut self, name: &str) -> Result<Opened, PackageError> {
        let index = entry_index(&self.archive, name)
            .ok_or_else(|| PackageError(format!("it does not hold {name}")))?;
        let (stored, start, size) = {
            let entry = self
                .archive
                .by_index_raw(index)
                .map_err(|e| zip_error(name, e))?;
            (
                entry.compression() == zip::CompressionMethod::Stored,
                entry.data_start(),
                entry.compressed_size(),
            )
        };
        match (stored, start) {
            (true, Some(start)) => Opened::window(
                self.file
                    .try_clone()
                    .map_err(|e| PackageError(format!("cannot read {name}: {e}")))?,
                self.base + start,
                size,
                name,
            ),
            _ => {
                let mut spool = tempfile::tempfile()
                    .map_err(|e| PackageError(format!("cannot make a temporary file: {e}")))?;
                {
                    let mut entry = self
                        .archive
                        .by_index(index)
                        .map_err(|e| zip_error(name, e))?;
                    io::copy(&mut entry, &mut spool)
                        .map_err(|e| PackageError(format!("cannot inflate {name}: {e}")))?;
                }
                Opened::whole(spool, name)
            }
        }
    }

    fn has(&self, name: &str) -> bool {
        entry_index(&self.archive, name).is_some()
    }

    fn names(&self) -> Vec<String> {
        (0..self.archive.len())
            .filter_map(|i| self.archive.name_for_index(i).and_then(Result::ok))
            .map(|n| n.into_owned())
            .collect()
    }

    /// A small entry (a manifest) as text.
    fn text(&mut self, name: &str) -> Result<String, PackageError> {
        let index = entry_index(&self.archive, name)
            .ok_or_else(|| PackageError(format!("it has no {name}")))?;
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| zip_error(&format!("its {name}"), e))?;
        if entry.size() > MAX_MANIFEST_BYTES {
            return fail(format!(
                "its {name} is {} bytes, too large to be a manifest",
                entry.size()
            ));
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .take(MAX_MANIFEST_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| PackageError(format!("cannot read its {name}: {e}")))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(bytes.to_vec())
            .map_err(|_| PackageError(format!("its {name} is not UTF-8 text")))
    }

    /// What the archive holds, for a message when it is not what its extension says.
    fn holds(&self) -> &'static str {
        if self.has(PACKAGE_MANIFEST) {
            "a package (AppxManifest.xml)"
        } else if self.has(BUNDLE_MANIFEST) {
            "a bundle (AppxMetadata/AppxBundleManifest.xml)"
        } else if self.names().iter().any(|n| is_inner_package(n)) {
            "packages, as an .msixupload does"
        } else {
            "neither AppxManifest.xml nor AppxMetadata/AppxBundleManifest.xml"
        }
    }
}

/// The zip entry named `name`, or with `\` and `/` swapped (bundle manifests of some tools
/// name packages with `\`), or differing in case only.
fn entry_index<R: Read + Seek>(archive: &ZipArchive<R>, name: &str) -> Option<usize> {
    if let Some(i) = archive.index_for_name(name) {
        return Some(i);
    }
    let wanted = name.replace('\\', "/");
    (0..archive.len()).find(|&i| {
        archive
            .name_for_index(i)
            .and_then(Result::ok)
            .is_some_and(|n| n.replace('\\', "/").eq_ignore_ascii_case(&wanted))
    })
}

fn read_archive(
    archive: &mut Opened,
    file_name: &str,
    upload_allowed: bool,
) -> Result<PackageInfo, PackageError> {
    match extension(file_name).as_str() {
        "msix" | "appx" => read_loose(archive, file_name),
        "msixbundle" | "appxbundle" => read_bundle(archive, file_name),
        "msixupload" | "appxupload" if upload_allowed => read_upload(archive, file_name),
        other => fail(format!("`.{other}` is not a package extension here")),
    }
}

fn read_loose(archive: &mut Opened, file_name: &str) -> Result<PackageInfo, PackageError> {
    if !archive.has(PACKAGE_MANIFEST) {
        return fail(format!(
            "it is not an MSIX/APPX package: it holds {}",
            archive.holds()
        ));
    }
    if !archive.has(BLOCK_MAP) {
        return fail(
            "it has no AppxBlockMap.xml, so it is not a package MakeAppx or Visual Studio built (a renamed zip?)",
        );
    }
    let manifest = parse_package_manifest(&archive.text(PACKAGE_MANIFEST)?, file_name)?;
    Ok(PackageInfo {
        file_name: file_name.to_string(),
        format: Format::Package,
        upload: None,
        name: manifest.name.clone(),
        publisher: manifest.publisher.clone(),
        version: manifest.version,
        architecture: Some(manifest.architecture.clone()),
        applications: vec![manifest],
        resources: Vec::new(),
    })
}

fn read_bundle(archive: &mut Opened, file_name: &str) -> Result<PackageInfo, PackageError> {
    if !archive.has(BUNDLE_MANIFEST) {
        return fail(format!("it is not a bundle: it holds {}", archive.holds()));
    }
    let bundle = parse_bundle_manifest(&archive.text(BUNDLE_MANIFEST)?)?;
    let mut applications = Vec::new();
    let mut resources = Vec::new();
    for listed in &bundle.packages {
        if !listed.application {
            resources.push(listed.file_name.clone());
            continue;
        }
        // The bundle manifest names each package's architecture but (before the 2018
        // schema) not its device families, and it could disagree with the package itself:
        // the package's own manifest is what the Store reads.
        let manifest = archive
            .nested(&listed.file_name)
            .and_then(|mut inner| read_loose(&mut inner, &listed.file_name))
            .map_err(|e| {
                PackageError(format!("its application package {}: {e}", listed.file_name))
            })?
            .applications
            .remove(0);
        if let Some(arch) = &listed.architecture
            && !arch.eq_ignore_ascii_case(&manifest.architecture)
        {
            return fail(format!(
                "its manifest lists {} as {arch}, but that package says it is {}",
                listed.file_name, manifest.architecture
            ));
        }
        applications.push(manifest);
    }
    if applications.is_empty() {
        return fail("its bundle manifest lists no application package");
    }
    Ok(PackageInfo {
        file_name: file_name.to_string(),
        format: Format::Bundle,
        upload: None,
        name: bundle.name,
        publisher: bundle.publisher,
        version: bundle.version,
        architecture: None,
        applications,
        resources,
    })
}

fn is_inner_package(name: &str) -> bool {
    matches!(
        extension(name).as_str(),
        "msix" | "appx" | "msixbundle" | "appxbundle"
    )
}

fn read_upload(archive: &mut Opened, file_name: &str) -> Result<PackageInfo, PackageError> {
    if archive.has(PACKAGE_MANIFEST) || archive.has(BUNDLE_MANIFEST) {
        return fail(format!(
            "it is not an upload file: it holds {}; give it the matching extension",
            archive.holds()
        ));
    }
    let names = archive.names();
    let inner: Vec<&String> = names.iter().filter(|n| is_inner_package(n)).collect();
    let symbols: Vec<String> = names
        .iter()
        .filter(|n| matches!(extension(n).as_str(), "appxsym" | "msixsym"))
        .cloned()
        .collect();
    let inner = match inner[..] {
        [one] => one.clone(),
        [] => return fail("it holds no .msix, .appx or bundle"),
        _ => {
            return fail(format!(
                "it holds {} packages ({}); an upload file holds exactly one package or bundle (put several architectures in one .msixbundle)",
                inner.len(),
                inner
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    let mut info = archive
        .nested(&inner)
        .and_then(|mut nested| read_archive(&mut nested, &inner, false))
        .map_err(|e| PackageError(format!("its {inner}: {e}")))?;
    info.file_name = file_name.to_string();
    info.upload = Some(UploadContents { inner, symbols });
    Ok(info)
}

// ----- the manifests -----

/// Attributes of an element by local name, values unescaped.
fn attributes(element: &BytesStart<'_>) -> Result<Vec<(String, String)>, PackageError> {
    let mut out = Vec::new();
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| PackageError(format!("its manifest is not valid XML: {e}")))?;
        let key = attribute.key.local_name().as_ref().to_string();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| PackageError(format!("its manifest is not valid XML: {e}")))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// Walks the elements of a manifest, calling `visit` with each element's path of local
/// names (root first) and its attributes.
fn walk(
    text: &str,
    what: &str,
    mut visit: impl FnMut(&[String], &[(String, String)]) -> Result<(), PackageError>,
) -> Result<(), PackageError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| PackageError(format!("its {what} is not valid XML: {e}")))?;
        match event {
            Event::Start(e) => {
                path.push(e.local_name().as_ref().to_string());
                visit(&path, &attributes(&e)?)?;
            }
            Event::Empty(e) => {
                path.push(e.local_name().as_ref().to_string());
                visit(&path, &attributes(&e)?)?;
                path.pop();
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

fn is_path(path: &[String], expected: &[&str]) -> bool {
    path.len() == expected.len() && path.iter().zip(expected).all(|(a, b)| a == b)
}

fn required<'a>(
    attributes: &'a [(String, String)],
    name: &str,
    element: &str,
) -> Result<&'a str, PackageError> {
    attribute(attributes, name).ok_or_else(|| PackageError(format!("its {element} has no {name}")))
}

fn version_of(text: &str, element: &str) -> Result<Version, PackageError> {
    Version::parse(text).ok_or_else(|| {
        PackageError(format!(
            "its {element} Version `{text}` is not four numbers of 0–65535 (e.g. 1.2.0.0)"
        ))
    })
}

/// `AppxManifest.xml`: `Package/Identity`, `Package/Dependencies/TargetDeviceFamily`,
/// `Package/Resources/Resource`, `Package/Capabilities/*Capability`.
pub fn parse_package_manifest(text: &str, file_name: &str) -> Result<AppxManifest, PackageError> {
    let mut identity: Option<Vec<(String, String)>> = None;
    let mut root: Option<String> = None;
    let mut device_families = Vec::new();
    let mut languages = Vec::new();
    let mut capabilities = Vec::new();
    walk(text, "AppxManifest.xml", |path, attributes| {
        if path.len() == 1 {
            root = Some(path[0].clone());
        }
        if is_path(path, &["Package", "Identity"]) {
            identity = Some(attributes.to_vec());
        } else if is_path(path, &["Package", "Dependencies", "TargetDeviceFamily"]) {
            if let Some(name) = attribute(attributes, "Name") {
                device_families.push(DeviceFamily {
                    name: name.to_string(),
                    min_version: attribute(attributes, "MinVersion").map(str::to_string),
                });
            }
        } else if is_path(path, &["Package", "Resources", "Resource"]) {
            if let Some(language) = attribute(attributes, "Language") {
                languages.push(language.to_string());
            }
        } else if path.len() == 3
            && path[0] == "Package"
            && path[1] == "Capabilities"
            && path[2].ends_with("Capability")
            && let Some(name) = attribute(attributes, "Name")
        {
            capabilities.push(name.to_string());
        }
        Ok(())
    })?;
    if root.as_deref() != Some("Package") {
        return fail("its AppxManifest.xml has no <Package> root");
    }
    let identity =
        identity.ok_or_else(|| PackageError("its AppxManifest.xml has no <Identity>".into()))?;
    let version = version_of(required(&identity, "Version", "Identity")?, "Identity")?;
    Ok(AppxManifest {
        file_name: file_name.to_string(),
        name: required(&identity, "Name", "Identity")?.to_string(),
        publisher: required(&identity, "Publisher", "Identity")?.to_string(),
        version,
        architecture: attribute(&identity, "ProcessorArchitecture")
            .unwrap_or("neutral")
            .to_ascii_lowercase(),
        resource_id: attribute(&identity, "ResourceId").map(str::to_string),
        device_families,
        languages,
        capabilities,
    })
}

/// A package as the bundle manifest lists it.
#[derive(Debug, Clone)]
struct ListedPackage {
    application: bool,
    file_name: String,
    architecture: Option<String>,
}

pub(crate) struct BundleManifest {
    name: String,
    publisher: String,
    version: Version,
    packages: Vec<ListedPackage>,
}

/// `AppxBundleManifest.xml`: `Bundle/Identity` and `Bundle/Packages/Package`.
pub(crate) fn parse_bundle_manifest(text: &str) -> Result<BundleManifest, PackageError> {
    let mut identity: Option<Vec<(String, String)>> = None;
    let mut root: Option<String> = None;
    let mut packages = Vec::new();
    walk(text, "AppxBundleManifest.xml", |path, attributes| {
        if path.len() == 1 {
            root = Some(path[0].clone());
        }
        if is_path(path, &["Bundle", "Identity"]) {
            identity = Some(attributes.to_vec());
        } else if is_path(path, &["Bundle", "Packages", "Package"]) {
            let file_name = required(attributes, "FileName", "bundle's Package")?;
            // `Type` defaults to application in the bundle schema.
            let application =
                attribute(attributes, "Type").is_none_or(|t| t.eq_ignore_ascii_case("application"));
            packages.push(ListedPackage {
                application,
                file_name: file_name.to_string(),
                architecture: attribute(attributes, "Architecture").map(str::to_ascii_lowercase),
            });
        }
        Ok(())
    })?;
    if root.as_deref() != Some("Bundle") {
        return fail("its AppxBundleManifest.xml has no <Bundle> root");
    }
    let identity = identity
        .ok_or_else(|| PackageError("its AppxBundleManifest.xml has no <Identity>".into()))?;
    Ok(BundleManifest {
        name: required(&identity, "Name", "bundle Identity")?.to_string(),
        publisher: required(&identity, "Publisher", "bundle Identity")?.to_string(),
        version: version_of(
            required(&identity, "Version", "bundle Identity")?,
            "bundle Identity",
        )?,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;

    use super::*;

    fn manifest(name: &str, version: &str, arch: &str, families: &[(&str, &str)]) -> String {
        let families: String = families
            .iter()
            .map(|(n, v)| format!(r#"<TargetDeviceFamily Name="{n}" MinVersion="{v}" MaxVersionTested="10.0.22621.0"/>"#))
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"
  xmlns:uap="http://schemas.microsoft.com/appx/manifest/uap/windows10"
  xmlns:rescap="http://schemas.microsoft.com/appx/manifest/foundation/windows10/restrictedcapabilities">
  <Identity Name="{name}" Publisher="CN=Contoso &amp; Co, O=Contoso" Version="{version}" ProcessorArchitecture="{arch}"/>
  <Dependencies>{families}<uap4:MainPackageDependency xmlns:uap4="x" Name="Not.A.Family"/></Dependencies>
  <Resources><Resource Language="en-us"/><Resource Language="de-de"/></Resources>
  <Capabilities><Capability Name="internetClient"/><rescap:Capability Name="runFullTrust"/></Capabilities>
  <Applications><Application Id="App"><Extensions><TargetDeviceFamily Name="Windows.Xbox"/></Extensions></Application></Applications>
</Package>"#
        )
    }

    fn zip(entries: &[(&str, Vec<u8>, bool)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        for (name, bytes, stored) in entries {
            let method = if *stored {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            writer
                .start_file(
                    *name,
                    SimpleFileOptions::default().compression_method(method),
                )
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap();
        out.into_inner()
    }

    fn msix(version: &str, arch: &str) -> Vec<u8> {
        zip(&[
            (
                "AppxManifest.xml",
                manifest(
                    "Contoso.Reader",
                    version,
                    arch,
                    &[("Windows.Desktop", "10.0.17763.0")],
                )
                .into_bytes(),
                false,
            ),
            ("AppxBlockMap.xml", b"<BlockMap/>".to_vec(), false),
        ])
    }

    fn bundle(stored: bool) -> Vec<u8> {
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<Bundle xmlns="http://schemas.microsoft.com/appx/2013/bundle" SchemaVersion="5.0">
  <Identity Name="Contoso.Reader" Publisher="CN=Contoso &amp; Co, O=Contoso" Version="1.2.0.0"/>
  <Packages>
    <Package Type="application" Version="1.2.0.0" Architecture="x64" FileName="Reader_x64.msix"/>
    <Package Type="application" Version="1.2.0.0" Architecture="arm64" FileName="Reader_arm64.msix"/>
    <Package Type="resource" Version="1.2.0.0" ResourceId="split.language-de" FileName="Reader_de.msix"/>
  </Packages>
</Bundle>"#;
        zip(&[
            ("Reader_x64.msix", msix("1.2.0.0", "x64"), stored),
            ("Reader_arm64.msix", msix("1.2.0.0", "arm64"), stored),
            ("Reader_de.msix", b"not even read".to_vec(), stored),
            (
                "AppxMetadata/AppxBundleManifest.xml",
                manifest.as_bytes().to_vec(),
                false,
            ),
            ("AppxBlockMap.xml", b"<BlockMap/>".to_vec(), false),
        ])
    }

    fn read(name: &str, bytes: &[u8]) -> Result<PackageInfo, PackageError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        read_package_file(&path, name)
    }

    #[test]
    fn versions_compare_number_by_number() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.10.0.0") > v("1.9.0.0"));
        assert!(v("2.0.0.0") > v("1.65535.65535.65535"));
        assert_eq!(v("1.2.3.4").to_string(), "1.2.3.4");
        for bad in ["1.2.3", "1.2.3.4.5", "1.2.x.4", "1.2.3.65536", "", "1..2.3"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_the_example_package() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/contoso-app/ContosoReader_1.0.1.0_x64.msix"
        );
        let info = read_package_file(Path::new(path), "ContosoReader_1.0.1.0_x64.msix").unwrap();
        assert_eq!(info.name, "30481DevCenterAPITester.ApiTestAppForDevbox");
        assert_eq!(
            info.publisher,
            "CN=Contoso Software, O=Contoso Corporation, C=US"
        );
        assert_eq!(info.version.to_string(), "1.0.1.0");
        assert_eq!(info.architecture.as_deref(), Some("x64"));
        assert_eq!(
            info.device_families(),
            [DeviceFamily {
                name: "Windows.Desktop".into(),
                min_version: Some("10.0.17763.0".into())
            }]
        );
        assert_eq!(info.applications[0].languages, ["en-us"]);
    }

    #[test]
    fn reads_a_loose_package_by_path_not_by_nested_lookalikes() {
        let info = read("App.msix", &msix("1.0.3.0", "ARM64")).unwrap();
        let app = &info.applications[0];
        assert_eq!(info.publisher, "CN=Contoso & Co, O=Contoso");
        assert_eq!(app.architecture, "arm64");
        // Only Package/Dependencies/TargetDeviceFamily counts, not a lookalike elsewhere.
        assert_eq!(app.device_families.len(), 1);
        assert_eq!(app.languages, ["en-us", "de-de"]);
        assert_eq!(app.capabilities, ["internetClient", "runFullTrust"]);
        assert_eq!(
            info.describe(),
            "1.0.3.0 arm64 (Windows.Desktop ≥ 10.0.17763.0)"
        );
    }

    #[test]
    fn reads_a_bundle_and_its_application_packages() {
        for stored in [true, false] {
            let info = read("App.msixbundle", &bundle(stored)).unwrap();
            assert!(info.is_bundle());
            assert_eq!(info.version.to_string(), "1.2.0.0");
            assert_eq!(
                info.architectures().into_iter().collect::<Vec<_>>(),
                ["arm64", "x64"]
            );
            assert_eq!(info.resources, ["Reader_de.msix"]);
            assert_eq!(info.applications[0].file_name, "Reader_x64.msix");
        }
    }

    #[test]
    fn reads_an_upload_and_its_symbols() {
        let upload = zip(&[
            ("App_1.2.0.0_x64_arm64.msixbundle", bundle(true), true),
            ("App_1.2.0.0_x64.appxsym", b"pdb".to_vec(), false),
        ]);
        let info = read("App.msixupload", &upload).unwrap();
        assert_eq!(info.file_name, "App.msixupload");
        assert!(info.is_bundle());
        let contents = info.upload.unwrap();
        assert_eq!(contents.inner, "App_1.2.0.0_x64_arm64.msixbundle");
        assert_eq!(contents.symbols, ["App_1.2.0.0_x64.appxsym"]);

        // Two loose packages zipped together are not an upload the Store recognises.
        let hand_made = zip(&[
            ("App_x64.msix", msix("1.2.0.0", "x64"), false),
            ("App_arm64.msix", msix("1.2.0.0", "arm64"), false),
        ]);
        let error = read("App.msixupload", &hand_made).unwrap_err();
        assert!(error.0.contains("exactly one package or bundle"), "{error}");
    }

    #[test]
    fn says_what_is_wrong() {
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("App.msix", b"not a zip".to_vec(), "not a valid zip"),
            (
                "App.msix",
                zip(&[("readme.txt", b"x".to_vec(), false)]),
                "not an MSIX/APPX package",
            ),
            (
                "App.msix",
                zip(&[(
                    "AppxManifest.xml",
                    manifest("A", "1.0.0.0", "x64", &[]).into_bytes(),
                    false,
                )]),
                "no AppxBlockMap.xml",
            ),
            ("App.msix", bundle(true), "it holds a bundle"),
            (
                "App.msixbundle",
                msix("1.0.0.0", "x64"),
                "it is not a bundle",
            ),
            (
                "App.msix",
                zip(&[
                    (
                        "AppxManifest.xml",
                        manifest("A", "1.0", "x64", &[]).into_bytes(),
                        false,
                    ),
                    ("AppxBlockMap.xml", b"<BlockMap/>".to_vec(), false),
                ]),
                "`1.0` is not four numbers",
            ),
        ];
        for (name, bytes, expected) in cases {
            let error = read(name, &bytes).unwrap_err();
            assert!(error.0.contains(expected), "{name}: {error}");
        }
    }

    #[test]
    fn reads_a_package_inside_a_ready_zip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload.zip");
        std::fs::write(
            &path,
            zip(&[
                ("App.msix", msix("1.0.3.0", "x64"), true),
                ("img/a.png", vec![1], false),
            ]),
        )
        .unwrap();
        let info = read_package_in_zip(&path, "App.msix").unwrap();
        assert_eq!(info.version.to_string(), "1.0.3.0");
        assert!(read_package_in_zip(&path, "Missing.msix").is_err());
    }
}
