//! Pre-processing as the Store does it after a commit: it opens every package the
//! submission uploads, fails the submission (`PreProcessingFailed`,
//! `PackageValidationFailed`) when a package does not belong to the app or does not
//! update it, and, once the submission leaves PreProcessing, shows each package's
//! metadata (`version`, `architecture`, `targetDeviceFamilies`, `languages`,
//! `capabilities`, https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions) in the submission.
//!
//! The package reading here is written apart from the client's (`package::manifest`) on
//! purpose, so a mistake in one is not mirrored in the other: it resolves XML namespaces
//! and accepts only the schemas' own (as the Store validates against them), where the
//! client matches local names; it opens nested packages through the zip crate's seekable
//! entries, where the client windows the file itself.
//!
//! Test hooks (`/_simulator/processing`): fail the next commit at a chosen stage with
//! chosen `statusDetails`, add warnings or certification reports, or silently drop
//! packages in pre-processing (the Store has been seen to, daruyanagi/XTimelineViewer#150).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zip::ZipArchive;

use super::Shared;
use super::state::{Owner, State};

const FOUNDATION_WIN10: &str = "http://schemas.microsoft.com/appx/manifest/foundation/windows10";
const MANIFEST_WIN8: &str = "http://schemas.microsoft.com/appx/2010/manifest";
const MANIFEST_WIN81: &str = "http://schemas.microsoft.com/appx/2013/manifest";
const BUNDLE_NS: &str = "http://schemas.microsoft.com/appx/2013/bundle";

/// A test hook: what the next commit(s) run into.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingHook {
    /// Packages (file names as in the submission; `*` for every new one) that pre-processing
    /// discards without a word.
    #[serde(default)]
    pub drop_packages: Vec<String>,
    /// `Commit`, `PreProcessing`, `Certification`, `Release` or `Publishing`: the stage
    /// that fails, with `errors`. `CommitFallback`: the commit does not fail but falls
    /// back from `CommitStarted` to `PendingCommit`, as StoreBroker has seen the service do
    /// on a server-side commit failure (docs/simulator.md).
    #[serde(default)]
    pub fail_at: Option<String>,
    #[serde(default)]
    pub errors: Vec<Value>,
    /// Shown from PreProcessing on, failing or not.
    #[serde(default)]
    pub warnings: Vec<Value>,
    #[serde(default)]
    pub certification_reports: Vec<Value>,
    /// How many commits it applies to.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

/// What pre-processing found for one submission, applied as its statuses come.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// fileName → the metadata fields the service adds.
    metadata: BTreeMap<String, Value>,
    dropped: Vec<String>,
    warnings: Vec<Value>,
    reports: Vec<Value>,
    applied: bool,
}

#[derive(Debug, Default)]
pub struct Processing {
    pub hooks: Vec<ProcessingHook>,
    outcomes: BTreeMap<String, Outcome>,
}

/// How a commit goes: the stage that fails (if any) and with which errors.
pub struct Plan {
    pub fail_at: Option<&'static str>,
    pub errors: Vec<Value>,
}

/// Decides at commit what the submission will run into. `commit_errors` are the upload
/// checks' (`InvalidArchive`, `MissingFiles`), which fail the commit itself.
pub fn plan(state: &mut State, id: &str, commit_errors: Vec<Value>) -> Plan {
    let hook = state.processing.hooks.first_mut().map(|hook| {
        hook.times = hook.times.saturating_sub(1);
        hook.clone()
    });
    state.processing.hooks.retain(|h| h.times > 0);
    let hook = hook.unwrap_or_default();
    if !commit_errors.is_empty() {
        return Plan {
            fail_at: Some("Commit"),
            errors: commit_errors,
        };
    }
    let Some(submission) = state.submissions.get(id) else {
        return Plan {
            fail_at: None,
            errors: Vec::new(),
        };
    };
    let owner = submission.owner.clone();
    let (app_id, published_id) = match &owner {
        Owner::App(app_id) => (
            Some(app_id.clone()),
            state.apps.get(app_id).and_then(|a| a.published.clone()),
        ),
        Owner::Flight { app_id, flight_id } => (
            Some(app_id.clone()),
            state
                .flights
                .get(flight_id)
                .and_then(|f| f.published.clone()),
        ),
        Owner::Addon(_) => (None, None),
    };
    let identity = app_id.as_ref().and_then(|a| state.apps.get(a)).map(|app| {
        let text = |field: &str| {
            app.resource
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        (text("packageIdentityName"), text("publisherName"))
    });
    let published = published_id
        .and_then(|p| state.submissions.get(&p))
        .map(|s| s.body.clone());
    let blob = state.blobs.get(&submission.blob).map(|b| b.path.clone());
    let mut outcome = Outcome {
        warnings: hook.warnings.clone(),
        reports: hook.certification_reports.clone(),
        ..Outcome::default()
    };
    let mut errors = Vec::new();
    if let (Owner::Addon(_), Some(blob)) = (&owner, &blob) {
        errors = addon_icons(&submission.body, blob);
    }
    if let (Some(field), Some(blob)) = (owner.packages_field(), blob) {
        errors = inspect(
            &submission.body,
            field,
            &blob,
            identity.unwrap_or_default(),
            published.as_ref(),
            matches!(owner, Owner::App(_)),
            &mut outcome,
        );
        for name in &hook.drop_packages {
            if name == "*" {
                outcome.dropped.extend(outcome.metadata.keys().cloned());
            } else {
                outcome.dropped.push(name.clone());
            }
        }
    }
    state.processing.outcomes.insert(id.to_string(), outcome);
    if !errors.is_empty() {
        return Plan {
            fail_at: Some("PreProcessing"),
            errors,
        };
    }
    let fail_at = match hook.fail_at.as_deref() {
        Some("Commit") => Some("Commit"),
        Some("CommitFallback") => Some("CommitFallback"),
        Some("PreProcessing") => Some("PreProcessing"),
        Some("Certification") => Some("Certification"),
        Some("Release") => Some("Release"),
        Some("Publishing") => Some("Publishing"),
        _ => None,
    };
    Plan {
        fail_at,
        errors: hook.errors,
    }
}

/// Each new add-on icon must be a PNG of exactly 300 × 300 pixels
/// (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions, listing
/// resource: "The icon must be a .png file that is 300 x 300 pixels"). UNKNOWN: the stage,
/// code and wording of the service's refusal; here pre-processing fails with
/// `InvalidParameterValue` naming the icon.
fn addon_icons(body: &Value, blob: &Path) -> Vec<Value> {
    let Ok(mut archive) = std::fs::File::open(blob)
        .map_err(|_| ())
        .and_then(|f| ZipArchive::new(BufReader::new(f)).map_err(|_| ()))
    else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    let Some(listings) = body.get("listings").and_then(Value::as_object) else {
        return errors;
    };
    for (language, listing) in listings {
        let Some(icon) = listing.get("icon") else {
            continue;
        };
        if icon.get("fileStatus").and_then(Value::as_str) != Some("PendingUpload") {
            continue;
        }
        let Some(name) = icon.get("fileName").and_then(Value::as_str) else {
            continue;
        };
        let mut head = Vec::new();
        let read = archive
            .by_name(&name.replace('\\', "/"))
            .ok()
            .and_then(|entry| entry.take(24).read_to_end(&mut head).ok());
        if read.is_none() {
            // Not in the zip: the commit check reports it (`MissingFiles`).
            continue;
        }
        let problem = match png_size(&head) {
            None => "is not a PNG".to_string(),
            Some((300, 300)) => continue,
            Some((w, h)) => format!("is {w} x {h} pixels"),
        };
        errors.push(json!({
            "code": "InvalidParameterValue",
            "details": format!("The icon of the {language} listing ({name}) {problem}; an add-on icon must be a .png file that is 300 x 300 pixels.")
        }));
    }
    errors
}

/// Width and height from a PNG's signature and IHDR chunk.
fn png_size(head: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if head.len() < 24 || &head[..8] != SIGNATURE || &head[12..16] != b"IHDR" {
        return None;
    }
    let number =
        |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    Some((number(16), number(20)))
}

/// The status that a failure at `stage` shows (https://learn.microsoft.com/windows/uwp/monetize/get-status-for-an-app-submission).
pub fn failed_status(stage: &str) -> &'static str {
    match stage {
        "Commit" => "CommitFailed",
        "PreProcessing" => "PreProcessingFailed",
        "Certification" => "CertificationFailed",
        "Release" => "ReleaseFailed",
        _ => "PublishFailed",
    }
}

/// Called as a submission reaches `status`: from PreProcessing on, the hook's warnings and
/// reports show; once it leaves PreProcessing, the packages carry their metadata and the
/// dropped ones are gone.
pub fn on_status(
    processing: &mut Processing,
    id: &str,
    owner: &Owner,
    body: &mut Value,
    status: &str,
) {
    let Some(outcome) = processing.outcomes.get_mut(id) else {
        return;
    };
    if status == "CommitStarted" {
        return;
    }
    if !outcome.warnings.is_empty() || !outcome.reports.is_empty() {
        if !body.get("statusDetails").is_some_and(Value::is_object) {
            body["statusDetails"] =
                json!({"errors": [], "warnings": [], "certificationReports": []});
        }
        body["statusDetails"]["warnings"] = json!(outcome.warnings);
        body["statusDetails"]["certificationReports"] = json!(outcome.reports);
    }
    let past_preprocessing = !matches!(
        status,
        "PreProcessing" | "PreProcessingFailed" | "CommitFailed"
    );
    if !past_preprocessing || outcome.applied {
        return;
    }
    outcome.applied = true;
    let Some(packages) = owner
        .packages_field()
        .and_then(|f| body.get_mut(f))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let dropped: Vec<String> = outcome
        .dropped
        .iter()
        .map(|d| d.replace('\\', "/").to_ascii_lowercase())
        .collect();
    // UNKNOWN: whether the service drops the entry or marks it; users saw it gone.
    packages.retain(|p| {
        let name = p
            .get("fileName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('\\', "/")
            .to_ascii_lowercase();
        !dropped.contains(&name)
    });
    // UNKNOWN: when the service turns a new package's fileStatus to Uploaded and gives it an
    // id; here that waits for publication, as it did before packages were read, and only
    // the metadata shows as pre-processing ends.
    for package in packages.iter_mut() {
        let Some(name) = package
            .get("fileName")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(metadata) = outcome.metadata.get(&name) else {
            continue;
        };
        if let (Some(object), Some(fields)) = (package.as_object_mut(), metadata.as_object()) {
            for (key, value) in fields {
                object.insert(key.clone(), value.clone());
            }
        }
    }
}

// ----- reading the uploaded packages -----

/// One application package as the Store reads it.
#[derive(Debug, Clone)]
struct Appx {
    name: String,
    publisher: String,
    version: [u16; 4],
    architecture: String,
    resource_id: String,
    families: Vec<(String, String)>,
    languages: Vec<String>,
    capabilities: Vec<String>,
}

/// What the Store learns from one uploaded file.
#[derive(Debug, Clone)]
enum Contents {
    Package(Appx),
    Bundle {
        name: String,
        publisher: String,
        version: [u16; 4],
        apps: Vec<Appx>,
    },
}

type Fault = String;

fn parse_version(text: &str) -> Option<[u16; 4]> {
    let mut out = [0u16; 4];
    let mut count = 0;
    for (i, part) in text.split('.').enumerate() {
        if i >= 4 {
            return None;
        }
        out[i] = part.parse().ok()?;
        count += 1;
    }
    (count == 4).then_some(out)
}

fn show_version(v: &[u16; 4]) -> String {
    format!("{}.{}.{}.{}", v[0], v[1], v[2], v[3])
}

/// How the service writes an architecture: the docs show `ARM` for an `arm` package.
/// UNKNOWN: the spelling of the others; these follow the manifest's names.
fn service_architecture(manifest: &str) -> String {
    match manifest.to_ascii_lowercase().as_str() {
        "arm" => "ARM".into(),
        "arm64" => "ARM64".into(),
        "neutral" | "" => "Neutral".into(),
        other => other.to_string(),
    }
}

/// Element (namespace, local name) pairs from root to here, and the attributes.
fn read_xml(
    text: &str,
    mut visit: impl FnMut(&[(String, String)], &BTreeMap<String, String>),
) -> Result<(), Fault> {
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut stack: Vec<(String, String)> = Vec::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("the manifest is not well-formed XML ({e})"))?;
        let namespace = match ns {
            ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                stack.push((namespace, e.local_name().as_ref().to_string()));
                let mut attributes = BTreeMap::new();
                for a in e.attributes().flatten() {
                    if let Ok(value) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                        attributes.insert(a.key.as_ref().to_string(), value.into_owned());
                    }
                }
                visit(&stack, &attributes);
                if is_empty {
                    stack.pop();
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn text_of<R: Read + Seek>(archive: &mut ZipArchive<R>, name: &str) -> Result<String, Fault> {
    let mut entry = archive
        .by_name(name)
        .map_err(|_| format!("it has no {name}"))?;
    let mut text = String::new();
    (&mut entry)
        .take(16 << 20)
        .read_to_string(&mut text)
        .map_err(|_| format!("its {name} cannot be read as UTF-8"))?;
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

fn read_appx<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Appx, Fault> {
    if archive.index_for_name("AppxBlockMap.xml").is_none() {
        return Err("it has no AppxBlockMap.xml".into());
    }
    let text = text_of(archive, "AppxManifest.xml")?;
    let known = [FOUNDATION_WIN10, MANIFEST_WIN8, MANIFEST_WIN81];
    let mut identity: Option<BTreeMap<String, String>> = None;
    let mut families = Vec::new();
    let mut languages = Vec::new();
    let mut capabilities = Vec::new();
    let mut root_ok = false;
    read_xml(&text, |stack, attributes| {
        let names: Vec<&str> = stack.iter().map(|(_, n)| n.as_str()).collect();
        let in_schema = stack.iter().all(|(ns, _)| known.contains(&ns.as_str()));
        match names[..] {
            ["Package"] => root_ok = known.contains(&stack[0].0.as_str()),
            ["Package", "Identity"] if in_schema => identity = Some(attributes.clone()),
            ["Package", "Dependencies", "TargetDeviceFamily"] if in_schema => {
                if let Some(name) = attributes.get("Name") {
                    families.push((
                        name.clone(),
                        attributes.get("MinVersion").cloned().unwrap_or_default(),
                    ));
                }
            }
            ["Package", "Resources", "Resource"] if in_schema => {
                if let Some(language) = attributes.get("Language") {
                    languages.push(language.clone());
                }
            }
            // Capabilities come from several schemas (uap, rescap, …).
            ["Package", "Capabilities", last] if last.ends_with("Capability") => {
                if let Some(name) = attributes.get("Name") {
                    capabilities.push(name.clone());
                }
            }
            _ => {}
        }
    })?;
    if !root_ok {
        return Err("its manifest is not an app package manifest".into());
    }
    let identity = identity.ok_or("its manifest has no Identity")?;
    let field = |name: &str| identity.get(name).cloned().unwrap_or_default();
    let version = parse_version(&field("Version"))
        .ok_or_else(|| format!("its Identity Version `{}` is invalid", field("Version")))?;
    if field("Name").is_empty() || field("Publisher").is_empty() {
        return Err("its Identity lacks Name or Publisher".into());
    }
    Ok(Appx {
        name: field("Name"),
        publisher: field("Publisher"),
        version,
        architecture: identity
            .get("ProcessorArchitecture")
            .cloned()
            .unwrap_or_else(|| "neutral".into())
            .to_ascii_lowercase(),
        resource_id: field("ResourceId"),
        families,
        languages,
        capabilities,
    })
}

/// Runs `read` on the zip stored as `name` inside `archive`: seekable in place when stored,
/// else copied out to a temporary file first.
fn nested<R: Read + Seek, T>(
    archive: &mut ZipArchive<R>,
    name: &str,
    read_stored: impl FnOnce(&mut ZipArchive<zip::read::ZipFileSeek<'_, R>>) -> Result<T, Fault>,
    read_copied: impl FnOnce(&mut ZipArchive<BufReader<std::fs::File>>) -> Result<T, Fault>,
) -> Result<T, Fault> {
    match archive.by_name_seek(name) {
        Ok(entry) => {
            let mut inner = ZipArchive::new(entry).map_err(|_| format!("{name} is not a zip"))?;
            read_stored(&mut inner)
        }
        Err(zip::result::ZipError::FileNotFound) => Err(format!("{name} is missing")),
        Err(_) => {
            let mut copy = tempfile::tempfile().map_err(|e| e.to_string())?;
            std::io::copy(
                &mut archive
                    .by_name(name)
                    .map_err(|_| format!("{name} cannot be read"))?,
                &mut copy,
            )
            .map_err(|e| e.to_string())?;
            copy.rewind().map_err(|e| e.to_string())?;
            let mut inner = ZipArchive::new(BufReader::new(copy))
                .map_err(|_| format!("{name} is not a zip"))?;
            read_copied(&mut inner)
        }
    }
}

// The closures given to `nested` are not redundant: a function item would fix the
// entry's lifetime, where `nested` needs them for any lifetime.
#[allow(clippy::redundant_closure)]
fn read_bundle<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Contents, Fault> {
    let text = text_of(archive, "AppxMetadata/AppxBundleManifest.xml")?;
    let mut identity: Option<BTreeMap<String, String>> = None;
    let mut applications: Vec<String> = Vec::new();
    let mut root_ok = false;
    read_xml(&text, |stack, attributes| {
        let names: Vec<&str> = stack.iter().map(|(_, n)| n.as_str()).collect();
        let in_schema = stack.iter().all(|(ns, _)| ns == BUNDLE_NS);
        match names[..] {
            ["Bundle"] => root_ok = stack[0].0 == BUNDLE_NS,
            ["Bundle", "Identity"] if in_schema => identity = Some(attributes.clone()),
            ["Bundle", "Packages", "Package"] if in_schema => {
                let kind = attributes
                    .get("Type")
                    .map(String::as_str)
                    .unwrap_or("application");
                if kind == "application"
                    && let Some(file) = attributes.get("FileName")
                {
                    applications.push(file.replace('\\', "/"));
                }
            }
            _ => {}
        }
    })?;
    if !root_ok {
        return Err("its bundle manifest is not in the bundle schema".into());
    }
    let identity = identity.ok_or("its bundle manifest has no Identity")?;
    let field = |name: &str| identity.get(name).cloned().unwrap_or_default();
    let version = parse_version(&field("Version"))
        .ok_or_else(|| format!("its bundle Version `{}` is invalid", field("Version")))?;
    let mut apps = Vec::new();
    for file in &applications {
        let app = nested(archive, file, |a| read_appx(a), |a| read_appx(a))
            .map_err(|e| format!("its package {file}: {e}"))?;
        apps.push(app);
    }
    if apps.is_empty() {
        return Err("the bundle lists no application package".into());
    }
    Ok(Contents::Bundle {
        name: field("Name"),
        publisher: field("Publisher"),
        version,
        apps,
    })
}

fn read_loose_or_bundle<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    lower_name: &str,
) -> Result<Contents, Fault> {
    if lower_name.ends_with("bundle") {
        read_bundle(archive)
    } else {
        read_appx(archive).map(Contents::Package)
    }
}

/// `Ok(None)`: an upload file the Store does not recognise, which it discards silently.
fn read_upload<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Option<Contents>, Fault> {
    let inner: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            [".msix", ".appx", ".msixbundle", ".appxbundle"]
                .iter()
                .any(|ext| lower.ends_with(ext))
        })
        .collect();
    // UNKNOWN: exactly which layouts the service accepts; it expects one package or bundle
    // (Visual Studio's output) and users saw two loose packages discarded without an error.
    let [only] = &inner[..] else {
        return Ok(None);
    };
    let lower = only.to_ascii_lowercase();
    nested(
        archive,
        only,
        |a| read_loose_or_bundle(a, &lower),
        |a| read_loose_or_bundle(a, &lower),
    )
    .map(Some)
}

/// Reads one uploaded file of the submission; `Ok(None)` when the Store would discard it.
// The closures given to `nested` are not redundant: a function item would fix the
// entry's lifetime, where `nested` needs them for any lifetime.
#[allow(clippy::redundant_closure)]
fn read_uploaded<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
) -> Result<Option<Contents>, Fault> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("upload") {
        nested(archive, name, |a| read_upload(a), |a| read_upload(a))
    } else {
        nested(
            archive,
            name,
            |a| read_loose_or_bundle(a, &lower),
            |a| read_loose_or_bundle(a, &lower),
        )
        .map(Some)
    }
}

/// A published package: (architecture lower-case, families, version).
fn published_packages(
    published: Option<&Value>,
    field: &str,
) -> Vec<(String, String, Vec<String>, [u16; 4])> {
    published
        .and_then(|p| p.get(field))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("fileStatus").and_then(Value::as_str) == Some("Uploaded"))
        .filter_map(|p| {
            let version = parse_version(p.get("version")?.as_str()?)?;
            Some((
                p.get("fileName")?.as_str()?.to_string(),
                p.get("architecture")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                p.get("targetDeviceFamilies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|f| f.split(" min version ").next().unwrap_or(f).to_string())
                    .collect(),
                version,
            ))
        })
        .collect()
}

fn package_validation_failed(details: String) -> Value {
    json!({"code": "PackageValidationFailed", "details": details})
}

/// Reads every package the submission uploads from the zip at `blob`; returns the
/// `PackageValidationFailed` errors and records metadata and discards in `outcome`.
fn inspect(
    submission: &Value,
    field: &str,
    blob: &Path,
    (identity_name, publisher): (Option<String>, Option<String>),
    published: Option<&Value>,
    is_app: bool,
    outcome: &mut Outcome,
) -> Vec<Value> {
    let new: Vec<String> = submission
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("fileStatus").and_then(Value::as_str) == Some("PendingUpload"))
        .filter_map(|p| {
            p.get("fileName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    if new.is_empty() {
        return Vec::new();
    }
    let Ok(mut archive) = std::fs::File::open(blob)
        .map_err(|_| ())
        .and_then(|f| ZipArchive::new(BufReader::new(f)).map_err(|_| ()))
    else {
        // The commit check reports an archive it cannot open.
        return Vec::new();
    };
    let published = published_packages(published, field);
    let mut errors = Vec::new();
    let mut full_names: BTreeSet<(String, String, [u16; 4], String)> = BTreeSet::new();
    for name in &new {
        let entry = name.replace('\\', "/");
        let read = match read_uploaded(&mut archive, &entry) {
            Ok(Some(read)) => read,
            Ok(None) => {
                outcome.dropped.push(name.clone());
                continue;
            }
            Err(fault) => {
                // UNKNOWN: the service's wording.
                errors.push(package_validation_failed(format!(
                    "The package {name} could not be validated: {fault}."
                )));
                continue;
            }
        };
        let (apps, version, architecture) = match &read {
            Contents::Package(app) => (
                vec![app.clone()],
                app.version,
                service_architecture(&app.architecture),
            ),
            // A bundle's entry says Neutral (StoreBroker's metadata does the same).
            // UNKNOWN: the service's own value.
            Contents::Bundle { version, apps, .. } => {
                (apps.clone(), *version, "Neutral".to_string())
            }
        };
        let mut identities: Vec<(String, String)> = apps
            .iter()
            .map(|a| (a.name.clone(), a.publisher.clone()))
            .collect();
        if let Contents::Bundle {
            name: bundle_name,
            publisher: bundle_publisher,
            ..
        } = &read
        {
            identities.push((bundle_name.clone(), bundle_publisher.clone()));
        }
        for (package_name, package_publisher) in identities {
            // UNKNOWN: whether the service compares the name without regard to case, as
            // Windows does; the publisher must be the reserved one exactly.
            if let Some(expected) = &identity_name
                && !package_name.eq_ignore_ascii_case(expected)
            {
                errors.push(package_validation_failed(format!(
                    "The package {name} has the identity name '{package_name}', but the product is reserved as '{expected}'."
                )));
            }
            if let Some(expected) = &publisher
                && package_publisher != *expected
            {
                errors.push(package_validation_failed(format!(
                    "The package {name} has the publisher '{package_publisher}', but the product's publisher is '{expected}'."
                )));
            }
        }
        for app in &apps {
            let key = (
                app.name.to_ascii_lowercase(),
                app.architecture.clone(),
                app.version,
                app.resource_id.clone(),
            );
            if !full_names.insert(key) {
                errors.push(package_validation_failed(format!(
                    "The package {name} duplicates a package already in this submission ({} {} {}).",
                    app.name,
                    show_version(&app.version),
                    app.architecture
                )));
            }
            // UNKNOWN: the exact rule; a package must be newer than what the published
            // submission has for the same architecture and device family.
            let families: Vec<&str> = app.families.iter().map(|(f, _)| f.as_str()).collect();
            for (file, arch, published_families, published_version) in &published {
                let same_arch = arch.is_empty()
                    || arch == "neutral"
                    || app.architecture == "neutral"
                    || *arch == app.architecture;
                let same_family = published_families.is_empty()
                    || families.is_empty()
                    || published_families.iter().any(|f| {
                        f == "Windows.Universal"
                            || families.contains(&"Windows.Universal")
                            || families.iter().any(|g| g.eq_ignore_ascii_case(f))
                    });
                if same_arch && same_family && app.version <= *published_version {
                    errors.push(package_validation_failed(format!(
                        "The package {name} has version {}, which is not higher than {} of the published package {file}.",
                        show_version(&app.version),
                        show_version(published_version)
                    )));
                }
            }
        }
        let mut languages: Vec<String> = Vec::new();
        let mut capabilities: Vec<String> = Vec::new();
        let mut families: Vec<String> = Vec::new();
        for app in &apps {
            for l in &app.languages {
                if !languages.contains(l) {
                    languages.push(l.clone());
                }
            }
            for c in &app.capabilities {
                if !capabilities.contains(c) {
                    capabilities.push(c.clone());
                }
            }
            for (family, min) in &app.families {
                let text = format!("{family} min version {min}");
                if !families.contains(&text) {
                    families.push(text);
                }
            }
        }
        let mut metadata = json!({
            "version": show_version(&version),
            "architecture": architecture,
            "languages": languages,
            "capabilities": capabilities,
        });
        // targetDeviceFamilies is an app-package field only (https://learn.microsoft.com/windows/uwp/monetize/manage-flight-submissions
        // has none).
        if is_app {
            metadata["targetDeviceFamilies"] = json!(families);
        }
        outcome.metadata.insert(name.clone(), metadata);
    }
    errors
}

// ----- the test hook -----

pub async fn admin_get(AxumState(shared): AxumState<Shared>) -> Response {
    let state = shared.lock().expect("simulator state");
    axum::Json(json!({"hooks": state.processing.hooks})).into_response()
}

pub async fn admin_add(
    AxumState(shared): AxumState<Shared>,
    axum::Json(hook): axum::Json<ProcessingHook>,
) -> StatusCode {
    shared
        .lock()
        .expect("simulator state")
        .processing
        .hooks
        .push(hook);
    StatusCode::CREATED
}

pub async fn admin_clear(AxumState(shared): AxumState<Shared>) -> StatusCode {
    shared
        .lock()
        .expect("simulator state")
        .processing
        .hooks
        .clear();
    StatusCode::NO_CONTENT
}

/// `POST /_simulator/published-packages`: replaces the packages of a product's last
/// published submission (entries as the service shows them), so tests can start from the
/// docs' ARM Windows.Mobile package, a bundle, several architectures, …
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedPackages {
    pub app_id: String,
    #[serde(default)]
    pub flight_id: Option<String>,
    pub packages: Vec<Value>,
}

pub async fn admin_published_packages(
    AxumState(shared): AxumState<Shared>,
    axum::Json(request): axum::Json<PublishedPackages>,
) -> Response {
    let mut state = shared.lock().expect("simulator state");
    let (published, field) = match &request.flight_id {
        Some(flight) => (
            state.flights.get(flight).and_then(|f| f.published.clone()),
            "flightPackages",
        ),
        None => (
            state
                .apps
                .get(&request.app_id)
                .and_then(|a| a.published.clone()),
            "applicationPackages",
        ),
    };
    let Some(submission) = published.and_then(|id| state.submissions.get_mut(&id)) else {
        return (StatusCode::NOT_FOUND, "no published submission").into_response();
    };
    submission.body[field] = json!(request.packages);
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_decide_not_prefixes() {
        let good = r#"<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"><Identity Name="A" Publisher="CN=A" Version="1.0.0.0"/></Package>"#;
        let mut found = None;
        read_xml(good, |stack, attributes| {
            if stack.len() == 2 {
                found = Some((stack[1].0.clone(), attributes.get("Name").cloned()));
            }
        })
        .unwrap();
        assert_eq!(
            found,
            Some((FOUNDATION_WIN10.to_string(), Some("A".to_string())))
        );
        assert_eq!(parse_version("1.2.3.4"), Some([1, 2, 3, 4]));
        assert_eq!(parse_version("1.2.3"), None);
        assert_eq!(service_architecture("arm"), "ARM");
    }
}
