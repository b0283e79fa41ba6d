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

/// Listing languages the Store supports
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msi/upload-app-packages).
/// UNKNOWN: whether the service matches them ignoring case; here it does, as BCP 47 tags
/// are case-insensitive and the list itself mixes `zh-Hans` and `zh-hans-cn`.
const LANGUAGES: &str = "af af-za sq sq-al am am-et hy hy-am as as-in az-arab az-arab-az az-cyrl az-cyrl-az az-latn az-latn-az eu eu-es be be-by bn bn-bd bn-in bs bs-cyrl bs-cyrl-ba bs-latn bs-latn-ba bg bg-bg ca ca-es ca-es-valencia chr-cher chr-cher-us chr-latn zh-hans zh-cn zh-hans-cn zh-sg zh-hans-sg zh-hant zh-hk zh-mo zh-tw zh-hant-hk zh-hant-mo zh-hant-tw hr hr-hr hr-ba cs cs-cz da da-dk prs prs-af prs-arab nl nl-nl nl-be en en-au en-ca en-gb en-ie en-in en-nz en-sg en-us en-za en-bz en-hk en-id en-jm en-kz en-mt en-my en-ph en-pk en-tt en-vn en-zw et et-ee fil fil-latn fil-ph fi fi-fi fr fr-be fr-ca fr-ch fr-fr fr-lu fr-cd fr-ci fr-cm fr-ht fr-ma fr-mc fr-ml fr-re frc-latn frp-latn gl gl-es ka ka-ge de de-at de-ch de-de de-lu de-li el el-gr gu gu-in ha ha-latn ha-latn-ng he he-il hi hi-in hu hu-hu is is-is ig-latn ig-ng id id-id iu-cans iu-latn iu-latn-ca ga ga-ie xh xh-za zu zu-za it it-it it-ch ja ja-jp kn kn-in kk kk-kz km km-kh quc-latn qut-gt qut-latn rw rw-rw sw sw-ke kok kok-in ko ko-kr ku-arab ku-arab-iq ky-kg ky-cyrl lo lo-la lv lv-lv lt lt-lt lb lb-lu mk mk-mk ms ms-bn ms-my ml ml-in mt mt-mt mi mi-latn mi-nz mr mr-in mn-cyrl mn-mong mn-mn mn-phag ne ne-np nb nb-no nn nn-no no no-no or or-in fa fa-ir pl pl-pl pt-br pt pt-pt pa pa-arab pa-arab-pk pa-deva pa-in quz quz-bo quz-ec quz-pe ro ro-ro ru ru-ru gd-gb gd-latn sr-latn sr-latn-cs sr sr-latn-ba sr-latn-me sr-latn-rs sr-cyrl sr-cyrl-ba sr-cyrl-cs sr-cyrl-me sr-cyrl-rs nso nso-za tn tn-bw tn-za sd-arab sd-arab-pk sd-deva si si-lk sk sk-sk sl sl-si es es-cl es-co es-es es-mx es-ar es-bo es-cr es-do es-ec es-gt es-hn es-ni es-pa es-pe es-pr es-py es-sv es-us es-uy es-ve sv sv-se sv-fi tg-arab tg-cyrl tg-cyrl-tj tg-latn ta ta-in tt-arab tt-cyrl tt-latn tt-ru te te-in th th-th ti ti-et tr tr-tr tk-cyrl tk-latn tk-tm tk-latn-tr tk-cyrl-tr uk uk-ua ur ur-pk ug-arab ug-cn ug-cyrl ug-latn uz uz-cyrl uz-latn uz-latn-uz vi vi-vn cy cy-gb wo wo-sn yo-latn yo-ng";

pub fn is_language(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    LANGUAGES.split(' ').any(|l| l == code)
}

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

/// Limits of a listing (https://learn.microsoft.com/windows/apps/publish/store-submission-api,
/// "Update Metadata API"). UNKNOWN: whether the service enforces them (only the
/// installerParameters limit has been seen enforced); here they are, the stricter choice.
pub fn listing_problems(listing: &Value) -> Vec<Value> {
    let mut errors = Vec::new();
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
        errors.push(error(
            "badrequest",
            &format!("Listings, language `{language}` is not supported"),
            "listings",
        ));
    }
    if len("description").unwrap_or(0) == 0 {
        errors.push(error(
            "badrequest",
            "Listings, Description is required",
            "listings",
        ));
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
            errors.push(error(
                "badrequest",
                &format!("Listings, maximum length allowed for {name} is {max}"),
                "listings",
            ));
        }
    }
    errors
}

/// `certificationNotes` ≤ 2000 characters. UNKNOWN as for listings.
pub fn properties_problems(properties: &Value) -> Vec<Value> {
    let mut errors = Vec::new();
    if properties
        .get("certificationNotes")
        .and_then(Value::as_str)
        .is_some_and(|s| s.chars().count() > 2000)
    {
        errors.push(error(
            "badrequest",
            "Properties, maximum length allowed for CertificationNotes is 2000",
            "properties",
        ));
    }
    errors
}
