//! The vocabulary of MSI and EXE products (docs/msi-exe.md), for the inputs and for the
//! simulator: a GUID `app-id` selects them, as msstore-cli does (`ProductTypeHelper.cs`,
//! https://github.com/microsoft/msstore-cli); `installers` and the checks of a package that
//! need no network. The flow that uses them is in src/msi/.

use std::collections::BTreeMap;

use serde_json::Value;
use url::Url;

use super::{OnPending, PackageMode, Session, WaitConfig};

/// Default of `store-api-base-url`.
pub const DEFAULT_STORE_API: &str = "https://api.store.microsoft.com";
/// The token scope of the MSI/EXE API
/// (https://learn.microsoft.com/windows/apps/publish/store-submission-api).
pub const SCOPE: &str = "https://api.store.microsoft.com/.default";
/// `installerParameters` longer than this are refused by the API (not by the Partner
/// Center UI): https://github.com/Devolutions/UniGetUI/pull/4965,
/// https://github.com/erez-c137/NetSpeedTray/pull/291.
pub const INSTALLER_PARAMETERS_MAX: usize = 40;

/// Whether `text` is a Partner Center product id (a GUID), which selects the MSI/EXE API.
pub fn is_product_id(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `submit` (or `status`, with no changes) for an MSI/EXE product, every input checked.
#[derive(Debug)]
pub struct MsiSubmitConfig {
    pub session: Session,
    pub product_id: String,
    pub seller_id: String,
    pub store_api_base_url: Url,
    pub installers: Option<Installers>,
    pub package_mode: PackageMode,
    /// `{"listings": {"en-us": {…}}, "properties": {…}, "availability": {…}}`, a merge
    /// patch of each module.
    pub patch: Option<Value>,
    pub release_notes: Option<String>,
    pub release_notes_by_language: BTreeMap<String, String>,
    pub notes_for_certification: Option<String>,
    pub on_pending: OnPending,
    pub commit: bool,
    pub wait: WaitConfig,
    pub dry_run: bool,
    /// `status`: the submission to read (else the one in progress).
    pub submission_id: Option<String>,
    /// Installers may be served over plain http from this machine: only when talking to a
    /// simulator (`simulate`, or a loopback `store-api-base-url`), as the tests do.
    pub loopback_installers: bool,
    /// `listings-dir` (docs/listings.md), read and linted for an MSI/EXE listing.
    pub listings: Option<std::sync::Arc<super::listings::Folder>>,
}

/// The architectures of the API, in its spelling.
pub const ARCHITECTURES: &[&str] = &["Neutral", "X86", "X64", "Arm", "Arm64"];

/// `x64` → `X64`: the API's spelling of an architecture, matched ignoring case.
pub fn architecture(text: &str) -> Option<&'static str> {
    ARCHITECTURES
        .iter()
        .find(|a| a.eq_ignore_ascii_case(text.trim()))
        .copied()
}

/// What `installers` says.
#[derive(Debug, Clone, PartialEq)]
pub enum Installers {
    /// `ARCH=URL` lines: that architecture's package gets the URL, keeping everything else.
    Urls(Vec<(&'static str, Url)>),
    /// Package objects with the API's field names, taken as they are.
    Packages(Vec<Value>),
}

/// Parses `installers`; `Err` says what is wrong, for an input problem.
pub fn parse_installers(text: &str) -> Result<Installers, Vec<String>> {
    let trimmed = text.trim();
    if trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(trimmed)
            .map_err(|e| vec![format!("is not a valid JSON array: {e}")])?;
        let items = value.as_array().cloned().unwrap_or_default();
        let mut problems = Vec::new();
        if items.is_empty() {
            problems.push("the JSON array holds no package".to_string());
        }
        for (i, item) in items.iter().enumerate() {
            if !item.is_object() {
                problems.push(format!("item {} is not a package object", i + 1));
                continue;
            }
            if item.get("packageUrl").and_then(Value::as_str).is_none() {
                problems.push(format!("package {} has no `packageUrl`", i + 1));
            }
            let arches = item.get("architectures").and_then(Value::as_array);
            match arches.map(|a| a.as_slice()) {
                Some([one]) if one.as_str().and_then(architecture) == one.as_str() => {}
                _ => problems.push(format!(
                    "package {} must have `architectures` with exactly one of {} (one package per architecture)",
                    i + 1,
                    ARCHITECTURES.join(", ")
                )),
            }
        }
        return if problems.is_empty() {
            Ok(Installers::Packages(items))
        } else {
            Err(problems)
        };
    }
    let mut urls: Vec<(&'static str, Url)> = Vec::new();
    let mut problems = Vec::new();
    for item in trimmed
        .split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let Some((arch, url)) = item.split_once('=') else {
            problems.push(format!(
                "`{item}` is not `ARCH=URL` (e.g. x64=https://cdn.contoso.com/2.1/setup-x64.msi)"
            ));
            continue;
        };
        let Some(arch) = architecture(arch) else {
            problems.push(format!(
                "`{}` is not an architecture: use one of {}",
                arch.trim(),
                ARCHITECTURES.join(", ")
            ));
            continue;
        };
        if urls.iter().any(|(a, _)| *a == arch) {
            problems.push(format!(
                "{arch} is given twice: one package per architecture"
            ));
            continue;
        }
        match Url::parse(url.trim()) {
            Ok(url) => urls.push((arch, url)),
            Err(e) => problems.push(format!("`{}` is not a URL: {e}", url.trim())),
        }
    }
    if urls.is_empty() && problems.is_empty() {
        problems.push("names no installer".into());
    }
    if problems.is_empty() {
        Ok(Installers::Urls(urls))
    } else {
        Err(problems)
    }
}

/// A package URL the Store cannot use: "should begin with https:// and should point to a
/// versioned, downloadable package" (the Partner Center UI's message,
/// https://github.com/MicrosoftDocs/windows-dev-docs/issues/4770). `loopback` lets plain
/// http through for this machine only (a simulator's tests).
pub fn url_problem(url: &str, loopback: bool) -> Option<String> {
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Some(format!("`{url}` is not a URL: {e}")),
    };
    let shown = crate::secrets::redact(url);
    match parsed.scheme() {
        "https" => None,
        "http" if loopback && crate::config::is_loopback(&parsed) => None,
        _ => Some(format!(
            "`{shown}` is not https: the Store downloads installers only over HTTPS"
        )),
    }
}

/// Checks of one package's settings that need no download: `packageType`, the
/// 40-character `installerParameters` limit, and the silent-install rules.
pub fn settings_problems(package: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let kind = package.get("packageType").and_then(Value::as_str);
    if !matches!(kind, Some("msi") | Some("exe")) {
        problems.push(format!(
            "`packageType` is {}; it must be `msi` or `exe`",
            kind.map(|k| format!("`{k}`")).unwrap_or("missing".into())
        ));
    }
    let parameters = package
        .get("installerParameters")
        .and_then(Value::as_str)
        .unwrap_or("");
    let count = parameters.chars().count();
    if count > INSTALLER_PARAMETERS_MAX {
        problems.push(format!(
            "`installerParameters` is {count} characters (`{parameters}`); the API refuses more than {} (the Partner Center UI accepts them, every API update then fails): shorten it",
            INSTALLER_PARAMETERS_MAX
        ));
    }
    // The service refuses a package without languages or with one it does not list
    // (the same list as the listings, shared with the simulator).
    let languages: Vec<&str> = package
        .get("languages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if languages.is_empty() {
        problems.push(
            "`languages` is missing or empty: give the installer's languages, e.g. [\"en-us\"]"
                .into(),
        );
    }
    for language in languages {
        if !is_language(language) {
            problems.push(format!(
                "`languages` holds `{language}`, which is not a language the Store supports"
            ));
        }
    }
    let silent = package.get("isSilentInstall").and_then(Value::as_bool);
    match silent {
        None => problems.push(
            "`isSilentInstall` is missing: say whether the installer is silent without switches (true) or needs `installerParameters` (false)".into(),
        ),
        Some(false) if parameters.trim().is_empty() => problems.push(
            "`isSilentInstall` is false but `installerParameters` is empty: the Store requires a silent install, so give the installer's silent switches (e.g. /S or /quiet)".into(),
        ),
        _ => {}
    }
    problems
}

/// Listing languages the Store supports
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msi/upload-app-packages).
/// UNKNOWN: whether the service matches them ignoring case; here it does, as BCP 47 tags
/// are case-insensitive and the list itself mixes `zh-Hans` and `zh-hans-cn`.
const LANGUAGES: &str = "af af-za sq sq-al am am-et hy hy-am as as-in az-arab az-arab-az az-cyrl az-cyrl-az az-latn az-latn-az eu eu-es be be-by bn bn-bd bn-in bs bs-cyrl bs-cyrl-ba bs-latn bs-latn-ba bg bg-bg ca ca-es ca-es-valencia chr-cher chr-cher-us chr-latn zh-hans zh-cn zh-hans-cn zh-sg zh-hans-sg zh-hant zh-hk zh-mo zh-tw zh-hant-hk zh-hant-mo zh-hant-tw hr hr-hr hr-ba cs cs-cz da da-dk prs prs-af prs-arab nl nl-nl nl-be en en-au en-ca en-gb en-ie en-in en-nz en-sg en-us en-za en-bz en-hk en-id en-jm en-kz en-mt en-my en-ph en-pk en-tt en-vn en-zw et et-ee fil fil-latn fil-ph fi fi-fi fr fr-be fr-ca fr-ch fr-fr fr-lu fr-cd fr-ci fr-cm fr-ht fr-ma fr-mc fr-ml fr-re frc-latn frp-latn gl gl-es ka ka-ge de de-at de-ch de-de de-lu de-li el el-gr gu gu-in ha ha-latn ha-latn-ng he he-il hi hi-in hu hu-hu is is-is ig-latn ig-ng id id-id iu-cans iu-latn iu-latn-ca ga ga-ie xh xh-za zu zu-za it it-it it-ch ja ja-jp kn kn-in kk kk-kz km km-kh quc-latn qut-gt qut-latn rw rw-rw sw sw-ke kok kok-in ko ko-kr ku-arab ku-arab-iq ky-kg ky-cyrl lo lo-la lv lv-lv lt lt-lt lb lb-lu mk mk-mk ms ms-bn ms-my ml ml-in mt mt-mt mi mi-latn mi-nz mr mr-in mn-cyrl mn-mong mn-mn mn-phag ne ne-np nb nb-no nn nn-no no no-no or or-in fa fa-ir pl pl-pl pt-br pt pt-pt pa pa-arab pa-arab-pk pa-deva pa-in quz quz-bo quz-ec quz-pe ro ro-ro ru ru-ru gd-gb gd-latn sr-latn sr-latn-cs sr sr-latn-ba sr-latn-me sr-latn-rs sr-cyrl sr-cyrl-ba sr-cyrl-cs sr-cyrl-me sr-cyrl-rs nso nso-za tn tn-bw tn-za sd-arab sd-arab-pk sd-deva si si-lk sk sk-sk sl sl-si es es-cl es-co es-es es-mx es-ar es-bo es-cr es-do es-ec es-gt es-hn es-ni es-pa es-pe es-pr es-py es-sv es-us es-uy es-ve sv sv-se sv-fi tg-arab tg-cyrl tg-cyrl-tj tg-latn ta ta-in tt-arab tt-cyrl tt-latn tt-ru te te-in th th-th ti ti-et tr tr-tr tk-cyrl tk-latn tk-tm tk-latn-tr tk-cyrl-tr uk uk-ua ur ur-pk ug-arab ug-cn ug-cyrl ug-latn uz uz-cyrl uz-latn uz-latn-uz vi vi-vn cy cy-gb wo wo-sn yo-latn yo-ng";

pub fn is_language(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    LANGUAGES.split(' ').any(|l| l == code)
}

/// Limits of a listing (https://learn.microsoft.com/windows/apps/publish/store-submission-api,
/// "Update Metadata API"): `language`, `description` and `additionalLicenseTerms` required,
/// lengths capped. Shared by the simulator (its answers) and the client (checked before
/// anything is written, since the metadata is updated after the packages are committed).
/// UNKNOWN: whether the service enforces the lengths (only the installerParameters limit
/// has been seen enforced); here they are, the stricter choice.
pub fn listing_problems(listing: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let len = |name: &str| {
        listing
            .get(name)
            .and_then(Value::as_str)
            .map(|s| s.chars().count())
    };
    let language = listing
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !is_language(language) {
        problems.push(format!("Listings, language `{language}` is not supported"));
    }
    for (name, field) in [
        ("description", "Description"),
        ("additionalLicenseTerms", "AdditionalLicenseTerms"),
    ] {
        if len(name).unwrap_or(0) == 0 {
            problems.push(format!("Listings, {field} is required"));
        }
    }
    for (name, max) in [
        ("description", 10000),
        ("whatsNew", 1500),
        ("shortDescription", 1000),
        ("additionalLicenseTerms", 10000),
        ("copyright", 200),
        ("developedBy", 255),
        ("contactInfo", 200),
    ] {
        if len(name).is_some_and(|n| n > max) {
            problems.push(format!(
                "Listings, maximum length allowed for {name} is {max}"
            ));
        }
    }
    problems
}

/// `certificationNotes` ≤ 2000 characters. UNKNOWN as for listings.
pub fn properties_problems(properties: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if properties
        .get("certificationNotes")
        .and_then(Value::as_str)
        .is_some_and(|s| s.chars().count() > 2000)
    {
        problems.push("Properties, maximum length allowed for CertificationNotes is 2000".into());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_are_guids() {
        assert!(is_product_id("3e31a9f9-84e8-4d2d-9eba-487878d02ebf"));
        assert!(!is_product_id("9NBLGGH4R315"));
        assert!(!is_product_id("3e31a9f9-84e8-4d2d-9eba-487878d02eb"));
    }

    #[test]
    fn installer_lines_and_json() {
        let parsed =
            parse_installers("x64=https://a.example/1/s.msi\nARM64 = https://a.example/1/a.exe")
                .unwrap();
        let Installers::Urls(urls) = parsed else {
            panic!()
        };
        assert_eq!(urls[0].0, "X64");
        assert_eq!(urls[1].0, "Arm64");
        assert!(parse_installers("x64=https://a/1,x64=https://a/2").is_err());
        assert!(parse_installers("sparc=https://a/1").is_err());
        let json = r#"[{"packageUrl":"https://a/1.msi","architectures":["X64"]}]"#;
        assert!(matches!(
            parse_installers(json),
            Ok(Installers::Packages(p)) if p.len() == 1
        ));
        assert!(parse_installers(r#"[{"architectures":["X64","X86"]}]"#).is_err());
    }

    #[test]
    fn parameters_limit_and_silence() {
        let long = serde_json::json!({"packageType": "exe", "isSilentInstall": false, "installerParameters": "x".repeat(41)});
        assert!(settings_problems(&long)[0].contains("41 characters"));
        let loud = serde_json::json!({"packageType": "exe", "isSilentInstall": false, "languages": ["en-us"]});
        assert!(settings_problems(&loud)[0].contains("silent"));
        let mute = serde_json::json!({"packageType": "msi", "isSilentInstall": true});
        assert!(settings_problems(&mute)[0].contains("`languages` is missing"));
        let odd = serde_json::json!({"packageType": "msi", "isSilentInstall": true, "languages": ["xx-yy"]});
        assert!(settings_problems(&odd)[0].contains("xx-yy"));
        assert!(url_problem("http://cdn.example/a.msi", true).is_some());
        assert!(url_problem("http://127.0.0.1:8/a.msi", true).is_none());
        assert!(url_problem("http://127.0.0.1:8/a.msi", false).is_some());
    }

    #[test]
    fn listing_rules_require_description_and_license_terms() {
        let ok = serde_json::json!({"language": "en-us", "description": "d", "additionalLicenseTerms": "t"});
        assert!(listing_problems(&ok).is_empty());
        let bare = serde_json::json!({"language": "en-us", "description": "d", "additionalLicenseTerms": ""});
        assert_eq!(
            listing_problems(&bare),
            ["Listings, AdditionalLicenseTerms is required"]
        );
        let long = serde_json::json!({"language": "en-us", "description": "d", "additionalLicenseTerms": "t", "whatsNew": "x".repeat(1501)});
        assert!(listing_problems(&long)[0].contains("whatsNew is 1500"));
    }
}
