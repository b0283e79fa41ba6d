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
        .or_else(|| delivery_options(body))
        .or_else(|| publish_date(body))
}

/// A flight submission: packages, publish mode, rollout (reference §2.4.13).
pub fn flight_submission(body: &Value) -> Option<String> {
    enum_at(body, "/targetPublishMode", PUBLISH_MODE)
        .or_else(|| packages(body, "flightPackages"))
        .or_else(|| delivery_options(body))
        .or_else(|| publish_date(body))
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
    if let Some(problem) = publish_date(body) {
        return Some(problem);
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

/// `packageDeliveryOptions` (reference §4): booleans where booleans belong, a percentage
/// from 0 to 100, an ISO 8601 date (the service writes `1601-01-01T00:00:00.0000000Z` for
/// "unset"). UNKNOWN: the service's own wording, and whether it accepts a date without a
/// time zone (here: no).
fn delivery_options(body: &Value) -> Option<String> {
    let options = body.get("packageDeliveryOptions")?;
    if options.is_null() {
        return None;
    }
    if !options.is_object() {
        return Some("packageDeliveryOptions must be an object".into());
    }
    let at = "packageDeliveryOptions";
    if let Some(rollout) = options.get("packageRollout").filter(|r| !r.is_null()) {
        if let Some(problem) = boolean(
            rollout.get("isPackageRollout"),
            &format!("{at}.packageRollout.isPackageRollout"),
        ) {
            return Some(problem);
        }
        if let Some(percentage) = rollout.get("packageRolloutPercentage") {
            match percentage.as_f64() {
                Some(p) if (0.0..=100.0).contains(&p) => {}
                _ => {
                    return Some(format!(
                        "{at}.packageRollout.packageRolloutPercentage must be a number from 0 to 100, not {percentage}"
                    ));
                }
            }
        }
    }
    if let Some(problem) = boolean(
        options.get("isMandatoryUpdate"),
        &format!("{at}.isMandatoryUpdate"),
    ) {
        return Some(problem);
    }
    match options.get("mandatoryUpdateEffectiveDate") {
        None | Some(Value::Null) => None,
        Some(Value::String(date)) if date.parse::<jiff::Timestamp>().is_ok() => None,
        Some(other) => Some(format!(
            "{at}.mandatoryUpdateEffectiveDate must be an ISO 8601 date and time, not {other}"
        )),
    }
}

/// `targetPublishDate`: empty (flights write `""` for unset) or an ISO 8601 date and time;
/// with `SpecificDate` it must be a date. UNKNOWN: whether the service refuses
/// `SpecificDate` without a date or falls back to publishing at once; here it refuses.
fn publish_date(body: &Value) -> Option<String> {
    let date = body.get("targetPublishDate");
    let parsed = match date {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                return Some(format!(
                    "targetPublishDate must be an ISO 8601 date and time, not '{s}'"
                ));
            }
        },
        Some(other) => return Some(format!("targetPublishDate must be a string, not {other}")),
    };
    if body.get("targetPublishMode").and_then(Value::as_str) == Some("SpecificDate")
        && parsed.is_none()
    {
        return Some("targetPublishDate is required with targetPublishMode SpecificDate".into());
    }
    None
}

fn boolean(value: Option<&Value>, at: &str) -> Option<String> {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(_)) => None,
        Some(other) => Some(format!("{at} must be true or false, not {other}")),
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

    #[test]
    fn delivery_options_and_dates_are_checked() {
        let sample: Value =
            serde_json::from_str(include_str!("samples/app-submission-resource.json")).unwrap();
        let flight: Value =
            serde_json::from_str(include_str!("samples/flight-submission-resource.json")).unwrap();
        assert_eq!(flight_submission(&flight), None, "`\"\"` is an unset date");
        let with = |pointer: &str, value: Value| {
            let mut body = sample.clone();
            *body.pointer_mut(pointer).unwrap() = value;
            app_submission(&body)
        };
        let options = "/packageDeliveryOptions";
        assert_eq!(
            with(&format!("{options}/isMandatoryUpdate"), json!(true)),
            None
        );
        assert!(
            with(&format!("{options}/isMandatoryUpdate"), json!("true"))
                .unwrap()
                .contains("isMandatoryUpdate")
        );
        assert_eq!(
            with(
                &format!("{options}/mandatoryUpdateEffectiveDate"),
                json!("2026-12-01T09:00:00Z")
            ),
            None
        );
        assert!(
            with(
                &format!("{options}/mandatoryUpdateEffectiveDate"),
                json!("next week")
            )
            .unwrap()
            .contains("mandatoryUpdateEffectiveDate")
        );
        assert!(
            with(
                &format!("{options}/packageRollout/packageRolloutPercentage"),
                json!(100.5)
            )
            .is_some()
        );
        assert!(
            with(
                &format!("{options}/packageRollout/isPackageRollout"),
                json!(1)
            )
            .is_some()
        );
        assert!(
            with("/targetPublishDate", json!("tomorrow"))
                .unwrap()
                .contains("targetPublishDate")
        );
        let mut dated = sample.clone();
        dated["targetPublishMode"] = json!("SpecificDate");
        dated["targetPublishDate"] = json!("");
        assert!(app_submission(&dated).unwrap().contains("required"));
        dated["targetPublishDate"] = json!("2026-12-01T09:00:00Z");
        assert_eq!(app_submission(&dated), None);
    }
}
