//! What the MSI/EXE submission API accepts: field names (matched ignoring case), enums and
//! the limits of https://learn.microsoft.com/windows/apps/publish/store-submission-api.

use serde_json::{Map, Value, json};

/// `architectures` values (https://learn.microsoft.com/windows/apps/publish/store-submission-api,
/// "Update Packages API"). UNKNOWN: whether the service matches them ignoring case; here
/// exactly, so a client that sends another spelling is caught.
pub const ARCHITECTURES: &[&str] = &["Neutral", "X86", "X64", "Arm", "Arm64"];
pub const PACKAGE_TYPES: &[&str] = &["exe", "msi"];
/// The `errorDetails` scenarios; a GET returns all nine, with empty details when unset.
pub const ERROR_SCENARIOS: &[&str] = &[
    "installationCancelledByUser",
    "applicationAlreadyExists",
    "installationAlreadyInProgress",
    "diskSpaceIsFull",
    "rebootRequired",
    "networkFailure",
    "packageRejectedDuringInstallation",
    "installationSuccessful",
    "miscellaneous",
];
/// "Packages, maximum length allowed for InstallerParameters is 40": enforced by the API,
/// not by the Partner Center UI (https://github.com/Devolutions/UniGetUI/pull/4965,
/// https://github.com/erez-c137/NetSpeedTray/pull/291).
pub const INSTALLER_PARAMETERS_MAX: usize = 40;
pub const INSTALLER_PARAMETERS_MESSAGE: &str =
    "Packages, maximum length allowed for InstallerParameters is 40";

pub use crate::config::msi::is_language;

/// Every field name the API knows, in its documented spelling. Request bodies are read
/// with names matched ignoring case: msstore-cli sends PascalCase (`PackageUrl`,
/// `WebSite`, `SubCategory`) against production (`UpperCaseNamingPolicy`, "required by
/// Store REST API", https://github.com/microsoft/msstore-cli).
const KNOWN: &[&str] = &[
    "packages",
    "packageId",
    "packageUrl",
    "languages",
    "architectures",
    "isSilentInstall",
    "installerParameters",
    "genericDocUrl",
    "errorDetails",
    "errorScenario",
    "errorScenarioDetails",
    "errorValue",
    "errorUrl",
    "packageType",
    "availability",
    "properties",
    "listings",
    "listingsToAdd",
    "listingsToRemove",
    "markets",
    "discoverability",
    "enableInFutureMarkets",
    "pricing",
    "freeTrial",
    "isPrivacyPolicyRequired",
    "privacyPolicyUrl",
    "website",
    "supportContactInfo",
    "certificationNotes",
    "category",
    "subcategory",
    "productDeclarations",
    "dependsOnDriversOrNT",
    "accessibilitySupport",
    "penAndInkSupport",
    "usesGenerativeAI",
    "isSystemFeatureRequired",
    "isRequired",
    "isRecommended",
    "hardwareItemType",
    "systemRequirementDetails",
    "minimumRequirement",
    "recommendedRequirement",
    "genres",
    "language",
    "description",
    "whatsNew",
    "productFeatures",
    "shortDescription",
    "searchTerms",
    "additionalLicenseTerms",
    "copyright",
    "developedBy",
    "sortTitle",
    "requirements",
    "minimumHardware",
    "recommendedHardware",
    "contactInfo",
    "heroArts",
    "trailers",
    "listingAssets",
    "storeLogos",
    "screenshots",
    "id",
    "assetUrl",
    "imageSize",
    "width",
    "height",
    "createAssetRequest",
    "Screenshot",
    "Logo",
];

/// The body with every known field name in its documented spelling. UNKNOWN: what the
/// service does with names it does not know; here they are dropped, as the .NET
/// deserialiser behind it would.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                if let Some(name) = KNOWN.iter().find(|k| k.eq_ignore_ascii_case(key)) {
                    out.insert(name.to_string(), canonical(item));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// One error of the envelope.
pub fn error(code: &str, message: &str, target: &str) -> Value {
    json!({"code": code, "message": message, "target": target})
}

/// A package as the service stores it from a full-set update: every field present, a
/// field left out takes its default (full module update: "Any field which is not present in
/// Request, its default value is used"), `errorDetails` holding all nine scenarios.
/// `Err` lists what the service refuses.
pub fn package(body: &Value, loopback_http: bool) -> Result<Value, Vec<Value>> {
    let mut errors = Vec::new();
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
    let url = text("packageUrl").unwrap_or_default();
    match url::Url::parse(&url) {
        Ok(u) if u.scheme() == "https" => {}
        // The simulator's one allowance: installers served over http from this machine, as
        // the tests serve them. The Store itself can never reach such a URL.
        Ok(u) if u.scheme() == "http" && loopback_http && crate::net::is_loopback(&u) => {}
        _ => errors.push(error(
            "badrequest",
            "Package URL should begin with https:// and should point to a versioned, downloadable package.",
            "packages",
        )),
    }
    let languages: Vec<String> = body
        .get("languages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if languages.is_empty() {
        errors.push(error(
            "badrequest",
            "Packages, Languages is required",
            "packages",
        ));
    }
    for language in &languages {
        if !is_language(language) {
            errors.push(error(
                "badrequest",
                &format!("Packages, language {language} is not supported"),
                "packages",
            ));
        }
    }
    let architectures: Vec<String> = body
        .get("architectures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // "Should contain a single architecture". UNKNOWN: whether more are refused; here they are.
    if architectures.len() != 1 || !ARCHITECTURES.contains(&architectures[0].as_str()) {
        errors.push(error(
            "badrequest",
            &format!(
                "Packages, Architectures must hold exactly one of {}",
                ARCHITECTURES.join(", ")
            ),
            "packages",
        ));
    }
    let silent = body
        .get("isSilentInstall")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let parameters = text("installerParameters");
    if !silent && parameters.as_deref().unwrap_or("").is_empty() {
        errors.push(error(
            "badrequest",
            "Packages, InstallerParameters is required when IsSilentInstall is false",
            "packages",
        ));
    }
    if parameters
        .as_deref()
        .is_some_and(|p| p.chars().count() > INSTALLER_PARAMETERS_MAX)
    {
        errors.push(error(
            "badrequest",
            INSTALLER_PARAMETERS_MESSAGE,
            "packages",
        ));
    }
    let package_type = text("packageType").unwrap_or_default();
    // UNKNOWN: whether the service matches enum values ignoring case; here exactly.
    if !PACKAGE_TYPES.contains(&package_type.as_str()) {
        errors.push(error(
            "badrequest",
            "Packages, PackageType must be exe or msi",
            "packages",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let given_details = body
        .get("errorDetails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let details: Vec<Value> = ERROR_SCENARIOS
        .iter()
        .map(|scenario| {
            let found = given_details
                .iter()
                .find(|d| d.get("errorScenario").and_then(Value::as_str) == Some(scenario))
                .and_then(|d| d.get("errorScenarioDetails").cloned())
                .unwrap_or_else(|| json!([]));
            json!({"errorScenarioDetails": found, "errorScenario": scenario})
        })
        .collect();
    let mut stored = json!({
        "packageUrl": url,
        "languages": languages,
        "architectures": architectures,
        "isSilentInstall": silent,
        "errorDetails": details,
        "packageType": package_type,
    });
    if let Some(parameters) = parameters {
        stored["installerParameters"] = json!(parameters);
    }
    // Observed absent on a stored `exe` package: not enforced when the draft is saved.
    if let Some(doc) = text("genericDocUrl") {
        stored["genericDocUrl"] = json!(doc);
    }
    Ok(stored)
}

/// The listing rules shared with the client's pre-flight (`crate::config::msi`), as the
/// service's errors.
pub fn listing_problems(listing: &Value) -> Vec<Value> {
    crate::config::msi::listing_problems(listing)
        .iter()
        .map(|m| error("badrequest", m, "listings"))
        .collect()
}

/// The properties rules shared with the client's pre-flight, as the service's errors.
pub fn properties_problems(properties: &Value) -> Vec<Value> {
    crate::config::msi::properties_problems(properties)
        .iter()
        .map(|m| error("badrequest", m, "properties"))
        .collect()
}
