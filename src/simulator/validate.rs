//! What the service refuses on PUT: enum values in the wrong case ("The API is
//! case-sensitive on these enum values", reference §0) and package entries without their
//! required fields (reference §2.4.7). Transcribed from the reference apart from the
//! client's own checks.

use serde_json::Value;

const VISIBILITY: &[&str] = &["Hidden", "Public", "Private", "NotSet"];
const PUBLISH_MODE: &[&str] = &["Immediate", "Manual", "SpecificDate", "NotSet"];
const ENTERPRISE_LICENSING: &[&str] = &["None", "Online", "OnlineAndOffline"];
const TRIAL_PERIOD: &[&str] = &[
    "NoFreeTrial",
    "OneDay",
    "TrialNeverExpires",
    "SevenDays",
    "FifteenDays",
    "ThirtyDays",
];
const HARDWARE: &[&str] = &[
    "Touch",
    "Keyboard",
    "Mouse",
    "Camera",
    "NfcHce",
    "Nfc",
    "BluetoothLE",
    "Telephony",
];
const FILE_STATUS: &[&str] = &["None", "PendingUpload", "Uploaded", "PendingDelete"];
const DIRECTX: &[&str] = &["None", "DirectX93", "DirectX100"];
const RAM: &[&str] = &["None", "Memory2GB"];
const IMAGE_TYPE: &[&str] = &[
    "Screenshot",
    "MobileScreenshot",
    "XboxScreenshot",
    "SurfaceHubScreenshot",
    "HoloLensScreenshot",
    "StoreLogo9x16",
    "StoreLogoSquare",
    "Icon",
    "PromotionalArt16x9",
    "PromotionalArtwork2400X1200",
    "XboxBrandedKeyArt",
    "XboxTitledHeroArt",
    "XboxFeaturedPromotionalArt",
    "SquareIcon358X358",
    "BackgroundImage1000X800",
    "PromotionalArtwork414X180",
    "PromotionalArtwork846X468",
    "PromotionalArtwork558X756",
    "PromotionalArtwork414X468",
    "PromotionalArtwork558X558",
    "WideIcon358X173",
    "Unknown",
];

/// The first problem with an app submission body, as the service would word it.
/// UNKNOWN: the real messages; these name the field and the value.
pub fn app_submission(body: &Value) -> Option<String> {
    let checks: [(&str, &[&str]); 4] = [
        ("/visibility", VISIBILITY),
        ("/targetPublishMode", PUBLISH_MODE),
        ("/enterpriseLicensing", ENTERPRISE_LICENSING),
        ("/pricing/trialPeriod", TRIAL_PERIOD),
    ];
    for (pointer, allowed) in checks {
        if let Some(problem) = enum_at(body, pointer, allowed) {
            return Some(problem);
        }
    }
    for (i, item) in array(body.get("hardwarePreferences")).iter().enumerate() {
        if let Some(problem) = enum_value(item, &format!("hardwarePreferences[{i}]"), HARDWARE) {
            return Some(problem);
        }
    }
    packages(body, "applicationPackages")
        .or_else(|| images(body))
        .or_else(|| rollout(body))
}

/// A flight submission: packages, publish mode, rollout (reference §2.4.13).
pub fn flight_submission(body: &Value) -> Option<String> {
    enum_at(body, "/targetPublishMode", PUBLISH_MODE)
        .or_else(|| packages(body, "flightPackages"))
        .or_else(|| rollout(body))
}

const CONTENT_TYPE: &[&str] = &[
    "NotSet",
    "BookDownload",
    "EMagazine",
    "ENewspaper",
    "MusicDownload",
    "MusicStream",
    "OnlineDataStorage",
    "VideoDownload",
    "VideoStream",
    "Asp",
    "OnlineDownload",
];
const LIFETIME: &[&str] = &[
    "Forever",
    "OneDay",
    "ThreeDays",
    "FiveDays",
    "OneWeek",
    "TwoWeeks",
    "OneMonth",
    "TwoMonths",
    "ThreeMonths",
    "SixMonths",
    "OneYear",
];

/// An add-on submission (reference §2.4.15).
pub fn addon_submission(body: &Value) -> Option<String> {
    let checks: [(&str, &[&str]); 4] = [
        ("/visibility", VISIBILITY),
        ("/targetPublishMode", PUBLISH_MODE),
        ("/contentType", CONTENT_TYPE),
        ("/lifetime", LIFETIME),
    ];
    for (pointer, allowed) in checks {
        if let Some(problem) = enum_at(body, pointer, allowed) {
            return Some(problem);
        }
    }
    if let Some(keywords) = body.get("keywords").and_then(Value::as_array)
        && keywords.len() > 10
    {
        return Some(format!("keywords: at most 10, not {}", keywords.len()));
    }
    let listings = body.get("listings").and_then(Value::as_object)?;
    for (language, listing) in listings {
        let Some(icon) = listing.get("icon") else {
            continue;
        };
        let at = format!("listings.{language}.icon");
        if !icon.get("fileName").is_some_and(Value::is_string) {
            return Some(format!("{at}.fileName is required"));
        }
        if let Some(problem) = enum_value(
            &icon["fileStatus"],
            &format!("{at}.fileStatus"),
            FILE_STATUS,
        ) {
            return Some(problem);
        }
    }
    None
}

fn packages(body: &Value, field: &str) -> Option<String> {
    for (i, package) in array(body.get(field)).iter().enumerate() {
        let at = format!("{field}[{i}]");
        if !package.is_object() {
            return Some(format!("{at} must be an object"));
        }
        for required in [
            "fileName",
            "fileStatus",
            "minimumDirectXVersion",
            "minimumSystemRam",
        ] {
            match package.get(required) {
                Some(Value::String(s)) if !s.is_empty() => {}
                _ => return Some(format!("{at}.{required} is required")),
            }
        }
        for (name, allowed) in [
            ("fileStatus", FILE_STATUS),
            ("minimumDirectXVersion", DIRECTX),
            ("minimumSystemRam", RAM),
        ] {
            if let Some(problem) = enum_value(&package[name], &format!("{at}.{name}"), allowed) {
                return Some(problem);
            }
        }
    }
    None
}

fn images(body: &Value) -> Option<String> {
    let listings = body.get("listings")?.as_object()?;
    for (language, listing) in listings {
        for (i, image) in array(listing.pointer("/baseListing/images"))
            .iter()
            .enumerate()
        {
            let at = format!("listings.{language}.baseListing.images[{i}]");
            for required in ["fileName", "fileStatus"] {
                if !image.get(required).is_some_and(Value::is_string) {
                    return Some(format!("{at}.{required} is required"));
                }
            }
            if let Some(problem) = enum_value(
                &image["fileStatus"],
                &format!("{at}.fileStatus"),
                FILE_STATUS,
            ) {
                return Some(problem);
            }
            if let Some(kind) = image.get("imageType")
                && let Some(problem) = enum_value(kind, &format!("{at}.imageType"), IMAGE_TYPE)
            {
                return Some(problem);
            }
        }
    }
    None
}

fn rollout(body: &Value) -> Option<String> {
    let percentage =
        body.pointer("/packageDeliveryOptions/packageRollout/packageRolloutPercentage")?;
    match percentage.as_f64() {
        Some(p) if (0.0..=100.0).contains(&p) => None,
        _ => Some(format!(
            "packageDeliveryOptions.packageRollout.packageRolloutPercentage must be a number from 0 to 100, not {percentage}"
        )),
    }
}

fn enum_at(body: &Value, pointer: &str, allowed: &[&str]) -> Option<String> {
    let value = body.pointer(pointer)?;
    enum_value(value, &pointer[1..].replace('/', "."), allowed)
}

fn enum_value(value: &Value, at: &str, allowed: &[&str]) -> Option<String> {
    match value.as_str() {
        Some(v) if allowed.contains(&v) => None,
        Some(v) => Some(format!(
            "Invalid value '{v}' for {at}; valid values are {}",
            allowed.join(", ")
        )),
        None if value.is_null() => None,
        None => Some(format!("{at} must be a string")),
    }
}

fn array(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_doc_sample_is_valid_and_case_matters() {
        let sample: Value =
            serde_json::from_str(include_str!("samples/app-submission-resource.json")).unwrap();
        assert_eq!(app_submission(&sample), None);
        let mut wrong = sample.clone();
        wrong["targetPublishMode"] = json!("manual");
        assert!(
            app_submission(&wrong)
                .unwrap()
                .contains("targetPublishMode")
        );
        let mut missing = sample.clone();
        missing["applicationPackages"] =
            json!([{"fileName": "a.msix", "fileStatus": "PendingUpload"}]);
        assert!(
            app_submission(&missing)
                .unwrap()
                .contains("minimumDirectXVersion is required")
        );
        let mut status = sample;
        status["applicationPackages"][0]["fileStatus"] = json!("pendingdelete");
        assert!(app_submission(&status).unwrap().contains("pendingdelete"));
    }
}
