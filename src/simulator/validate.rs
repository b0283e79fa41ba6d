//! What the service refuses on PUT: enum values in the wrong case ("The API is
//! case-sensitive on these enum values", StoreBroker's `Get-ProperEnumCasing`,
//! https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/StoreIngestionApi.psm1) and package entries without
//! their required fields (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions). Transcribed from the docs apart from the
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
const IMAGE_TYPE: &[&str] = crate::config::listings::limits::IMAGE_TYPES;

const CATEGORY: &[&str] = &[
    "NotSet",
    "BooksAndReference",
    "BooksAndReference_EReader",
    "BooksAndReference_Fiction",
    "BooksAndReference_Nonfiction",
    "BooksAndReference_Reference",
    "Business",
    "Business_AccountingAndFinance",
    "Business_Collaboration",
    "Business_CRM",
    "Business_DataAndAnalytics",
    "Business_FileManagement",
    "Business_InventoryAndLogistics",
    "Business_LegalAndHR",
    "Business_ProjectManagement",
    "Business_RemoteDesktop",
    "Business_SalesAndMarketing",
    "Business_TimeAndExpenses",
    "DeveloperTools",
    "DeveloperTools_Database",
    "DeveloperTools_DesignTools",
    "DeveloperTools_DevelopmentKits",
    "DeveloperTools_Networking",
    "DeveloperTools_ReferenceAndTraining",
    "DeveloperTools_Servers",
    "DeveloperTools_Utilities",
    "DeveloperTools_Webhosting",
    "Education",
    "Education_BooksAndReference",
    "Education_EarlyLearning",
    "Education_InstructionalTools",
    "Education_Language",
    "Education_StudyAids",
    "Entertainment",
    "FoodAndDining",
    "Games",
    "Games_ActionAndAdventure",
    "Games_CardAndBoard",
    "Games_Casino",
    "Games_Classics",
    "Games_Educational",
    "Games_FamilyAndKids",
    "Games_Fighting",
    "Games_MultiPlayerOnlineBattleArena",
    "Games_Music",
    "Games_Other",
    "Games_Platformer",
    "Games_PuzzleAndTrivia",
    "Games_RacingAndFlying",
    "Games_Roleplaying",
    "Games_Shooter",
    "Games_Simulation",
    "Games_Sports",
    "Games_Strategy",
    "Games_Tools",
    "Games_Word",
    "GovernmentAndPolitics",
    "HealthAndFitness",
    "KidsAndFamily",
    "KidsAndFamily_BooksAndReference",
    "KidsAndFamily_Entertainment",
    "KidsAndFamily_HobbiesAndToys",
    "KidsAndFamily_SportsAndActivities",
    "KidsAndFamily_Travel",
    "Lifestyle",
    "Lifestyle_Automotive",
    "Lifestyle_DIY",
    "Lifestyle_HomeAndGarden",
    "Lifestyle_Relationships",
    "Lifestyle_SpecialInterest",
    "Lifestyle_StyleAndFashion",
    "Medical",
    "MultimediaDesign",
    "MultimediaDesign_IllustrationAndGraphicDesign",
    "MultimediaDesign_MusicProduction",
    "MultimediaDesign_PhotoAndVideoProduction",
    "Music",
    "NavigationAndMaps",
    "NewsAndWeather",
    "NewsAndWeather_News",
    "NewsAndWeather_Weather",
    "PersonalFinance",
    "PersonalFinance_BankingAndInvestments",
    "PersonalFinance_BudgetingAndTaxes",
    "Personalization",
    "Personalization_RingtonesAndSounds",
    "Personalization_Themes",
    "Personalization_WallpaperAndLockScreens",
    "PhotoAndVideo",
    "Productivity",
    "Security",
    "Security_PCProtection",
    "Security_PersonalSecurity",
    "Shopping",
    "Social",
    "Sports",
    "Travel",
    "Travel_CityGuides",
    "Travel_Hotels",
    "UtilitiesAndTools",
    "UtilitiesAndTools_BackupAndManage",
    "UtilitiesAndTools_FileManager",
];
/// Game genres; note `Games_RolePlaying` here against the category `Games_Roleplaying`.
const GENRES: &[&str] = &[
    "Games_ActionAndAdventure",
    "Games_CardAndBoard",
    "Games_Casino",
    "Games_Educational",
    "Games_FamilyAndKids",
    "Games_Fighting",
    "Games_Music",
    "Games_Platformer",
    "Games_PuzzleAndTrivia",
    "Games_RacingAndFlying",
    "Games_RolePlaying",
    "Games_Shooter",
    "Games_Simulation",
    "Games_Sports",
    "Games_Strategy",
    "Games_Word",
];
const KINECT: &[&str] = &["NotSet", "Unknown", "Enabled", "Disabled"];
const PLATFORM_OVERRIDES: &[&str] = &[
    "Unknown",
    "Windows80",
    "Windows81",
    "WindowsPhone71",
    "WindowsPhone80",
    "WindowsPhone81",
];
/// The keys the docs' examples give `allowTargetFutureDeviceFamilies`. UNKNOWN: whether
/// the service knows others; here others are refused.
const FUTURE_FAMILIES: &[&str] = &["Desktop", "Mobile", "Holographic", "Xbox", "Team"];

/// Writable fields the docs' own update requests always send (`samples/update-an-app-
/// submission-request.json` and its flight and add-on siblings), `pricing` apart (its
/// absence has its own measured answer, `pricing.rs`). UNKNOWN: what the service does with
/// a PUT that leaves one out — the docs call the PUT a full replacement; here it is
/// refused rather than emptying the field.
const APP_REQUIRED: &[&str] = &[
    "applicationCategory",
    "visibility",
    "targetPublishMode",
    "listings",
    "hardwarePreferences",
    "automaticBackupEnabled",
    "canInstallOnRemovableMedia",
    "isGameDvrEnabled",
    "hasExternalInAppProducts",
    "meetAccessibilityGuidelines",
    "notesForCertification",
    "applicationPackages",
    "packageDeliveryOptions",
    "enterpriseLicensing",
    "allowMicrosoftDecideAppAvailabilityToFutureDeviceFamilies",
    "allowTargetFutureDeviceFamilies",
];
const FLIGHT_REQUIRED: &[&str] = &[
    "flightPackages",
    "packageDeliveryOptions",
    "targetPublishMode",
    "notesForCertification",
];
const ADDON_REQUIRED: &[&str] = &[
    "contentType",
    "keywords",
    "lifetime",
    "listings",
    "targetPublishMode",
    "tag",
    "visibility",
];

/// Top-level fields of each kind of submission (the docs' resource tables). Anything else
/// in a PUT is not an API field: the service ignores it (the official Python sample's
/// `packages` "silently leaves packages unchanged"), unless the submission already has it
/// (fields the service added after the docs, like the seed's `contoso…` ones).
pub const APP_FIELDS: &[&str] = &[
    "id",
    "applicationCategory",
    "pricing",
    "visibility",
    "targetPublishMode",
    "targetPublishDate",
    "listings",
    "hardwarePreferences",
    "automaticBackupEnabled",
    "canInstallOnRemovableMedia",
    "isGameDvrEnabled",
    "gamingOptions",
    "hasExternalInAppProducts",
    "meetAccessibilityGuidelines",
    "notesForCertification",
    "status",
    "statusDetails",
    "fileUploadUrl",
    "applicationPackages",
    "packageDeliveryOptions",
    "enterpriseLicensing",
    "allowMicrosoftDecideAppAvailabilityToFutureDeviceFamilies",
    "allowTargetFutureDeviceFamilies",
    "friendlyName",
    "trailers",
    "isSeekEnabled",
];
pub const FLIGHT_FIELDS: &[&str] = &[
    "id",
    "flightId",
    "status",
    "statusDetails",
    "flightPackages",
    "packageDeliveryOptions",
    "fileUploadUrl",
    "targetPublishMode",
    "targetPublishDate",
    "notesForCertification",
];
pub const ADDON_FIELDS: &[&str] = &[
    "id",
    "contentType",
    "keywords",
    "lifetime",
    "listings",
    "pricing",
    "targetPublishMode",
    "targetPublishDate",
    "tag",
    "visibility",
    "status",
    "statusDetails",
    "fileUploadUrl",
    "friendlyName",
];

/// Field names below the top level, for [`normalize_names`].
const NESTED_FIELDS: &[&str] = &[
    "trialPeriod",
    "marketSpecificPricings",
    "sales",
    "priceId",
    "isAdvancedPricingModel",
    "baseListing",
    "platformOverrides",
    "copyrightAndTrademarkInfo",
    "keywords",
    "licenseTerms",
    "privacyPolicy",
    "supportContact",
    "websiteUrl",
    "description",
    "features",
    "releaseNotes",
    "images",
    "recommendedHardware",
    "minimumHardware",
    "title",
    "shortDescription",
    "shortTitle",
    "sortTitle",
    "voiceTitle",
    "devStudio",
    "fileName",
    "fileStatus",
    "imageType",
    "version",
    "architecture",
    "languages",
    "capabilities",
    "minimumDirectXVersion",
    "minimumSystemRam",
    "targetDeviceFamilies",
    "genres",
    "isLocalMultiplayer",
    "isLocalCooperative",
    "isOnlineMultiplayer",
    "isOnlineCooperative",
    "localMultiplayerMinPlayers",
    "localMultiplayerMaxPlayers",
    "localCooperativeMinPlayers",
    "localCooperativeMaxPlayers",
    "isBroadcastingPrivilegeGranted",
    "isCrossPlayEnabled",
    "kinectDataForExternal",
    "videoFileName",
    "videoFileId",
    "trailerAssets",
    "imageList",
    "packageRollout",
    "isPackageRollout",
    "packageRolloutPercentage",
    "packageRolloutStatus",
    "fallbackSubmissionId",
    "isMandatoryUpdate",
    "mandatoryUpdateEffectiveDate",
    "icon",
];

/// Property names are taken without regard to case, as the service appears to (StoreBroker
/// writes `FileStatus` and `Icon`, the docs' Python sample `VideoFileName`,
/// `TrailerAssets`, `Genres`): each name that matches a documented one but for case is
/// stored under the documented spelling. UNKNOWN: whether the service really does; those
/// clients work against it.
pub fn normalize_names(value: &mut Value) {
    normalize(value, false);
}

/// Objects keyed by data, not by field names: languages, markets, platforms, device
/// families. Their keys stay as sent (the market `ID`, Indonesia, is no `id`).
const MAPS: &[&str] = &[
    "listings",
    "marketSpecificPricings",
    "platformOverrides",
    "allowTargetFutureDeviceFamilies",
    "trailerAssets",
];

fn normalize(value: &mut Value, is_map: bool) {
    match value {
        Value::Object(object) => {
            if !is_map {
                let keys: Vec<String> = object.keys().cloned().collect();
                for key in keys {
                    let documented = APP_FIELDS
                        .iter()
                        .chain(FLIGHT_FIELDS)
                        .chain(ADDON_FIELDS)
                        .chain(NESTED_FIELDS)
                        .find(|name| name.eq_ignore_ascii_case(&key) && **name != key);
                    if let Some(name) = documented
                        && !object.contains_key(*name)
                        && let Some(v) = object.remove(&key)
                    {
                        object.insert(name.to_string(), v);
                    }
                }
            }
            for (key, child) in object.iter_mut() {
                normalize(child, !is_map && MAPS.contains(&key.as_str()));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| normalize(item, false)),
        _ => {}
    }
}

/// The first problem with an app submission body, as the service would word it.
/// UNKNOWN: the real messages; these name the field and the value. UNKNOWN too: whether the
/// service enforces the listing limits on PUT or only at commit or certification; here the
/// PUT is refused.
pub fn app_submission(body: &Value) -> Option<String> {
    if let Some(problem) = required(body, APP_REQUIRED) {
        return Some(problem);
    }
    let checks: [(&str, &[&str]); 5] = [
        ("/applicationCategory", CATEGORY),
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
    for field in [
        "automaticBackupEnabled",
        "canInstallOnRemovableMedia",
        "isGameDvrEnabled",
        "hasExternalInAppProducts",
        "meetAccessibilityGuidelines",
        "allowMicrosoftDecideAppAvailabilityToFutureDeviceFamilies",
        "isSeekEnabled",
    ] {
        if let Some(problem) = boolean(body.get(field), field) {
            return Some(problem);
        }
    }
    if let Some(problem) = text(
        body.get("notesForCertification"),
        "notesForCertification",
        None,
    ) {
        return Some(problem);
    }
    if let Some(problem) = string_list(
        body.get("hardwarePreferences"),
        "hardwarePreferences",
        None,
        None,
        Some(HARDWARE),
    ) {
        return Some(problem);
    }
    future_families(body)
        .or_else(|| packages(body, "applicationPackages"))
        .or_else(|| app_listings(body))
        .or_else(|| gaming_options(body))
        .or_else(|| trailers(body))
        .or_else(|| delivery_options(body))
        .or_else(|| publish_date(body))
}

/// A flight submission: packages, publish mode, rollout (https://learn.microsoft.com/windows/uwp/monetize/manage-flight-submissions).
pub fn flight_submission(body: &Value) -> Option<String> {
    required(body, FLIGHT_REQUIRED)
        .or_else(|| enum_at(body, "/targetPublishMode", PUBLISH_MODE))
        .or_else(|| {
            text(
                body.get("notesForCertification"),
                "notesForCertification",
                None,
            )
        })
        .or_else(|| packages(body, "flightPackages"))
        .or_else(|| delivery_options(body))
        .or_else(|| publish_date(body))
}

fn required(body: &Value, fields: &[&str]) -> Option<String> {
    fields
        .iter()
        .find(|field| body.get(**field).is_none_or(Value::is_null))
        .map(|field| format!("{field} was not provided in the request."))
}

fn future_families(body: &Value) -> Option<String> {
    let at = "allowTargetFutureDeviceFamilies";
    let families = body.get(at)?;
    let Some(families) = families.as_object() else {
        return Some(format!("{at} must be an object, not {families}"));
    };
    for (family, allowed) in families {
        if !FUTURE_FAMILIES.contains(&family.as_str()) {
            return Some(format!(
                "Invalid key '{family}' for {at}; valid keys are {}",
                FUTURE_FAMILIES.join(", ")
            ));
        }
        if !allowed.is_boolean() {
            return Some(format!(
                "{at}.{family} must be true or false, not {allowed}"
            ));
        }
    }
    None
}

/// An app's listings (language → `{baseListing, platformOverrides}`), each base listing and
/// override within the limits Partner Center documents
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/create-app-store-listing).
fn app_listings(body: &Value) -> Option<String> {
    let listings = body.get("listings")?;
    let Some(listings) = listings.as_object() else {
        return Some(format!("listings must be an object, not {listings}"));
    };
    for (language, listing) in listings {
        let at = format!("listings.{language}");
        let Some(listing) = listing.as_object() else {
            return Some(format!("{at} must be an object, not {listing}"));
        };
        match listing.get("baseListing") {
            Some(base @ Value::Object(_)) => {
                if let Some(problem) = base_listing(base, &format!("{at}.baseListing")) {
                    return Some(problem);
                }
            }
            Some(other) => {
                return Some(format!("{at}.baseListing must be an object, not {other}"));
            }
            None => return Some(format!("{at}.baseListing was not provided in the request.")),
        }
        match listing.get("platformOverrides") {
            None | Some(Value::Null) => {}
            Some(Value::Object(overrides)) => {
                for (platform, base) in overrides {
                    let here = format!("{at}.platformOverrides.{platform}");
                    if !PLATFORM_OVERRIDES.contains(&platform.as_str()) {
                        return Some(format!(
                            "Invalid platform '{platform}' in {at}.platformOverrides; valid values are {}",
                            PLATFORM_OVERRIDES.join(", ")
                        ));
                    }
                    if !base.is_object() {
                        return Some(format!("{here} must be an object, not {base}"));
                    }
                    if let Some(problem) = base_listing(base, &here) {
                        return Some(problem);
                    }
                }
            }
            Some(other) => {
                return Some(format!(
                    "{at}.platformOverrides must be an object, not {other}"
                ));
            }
        }
    }
    None
}

fn base_listing(base: &Value, at: &str) -> Option<String> {
    // The documented limits, kept once for the simulator and the client's lint.
    use crate::config::listings::limits as l;
    let texts: [(&str, Option<usize>); 13] = [
        ("description", Some(l::DESCRIPTION)),
        ("releaseNotes", Some(l::RELEASE_NOTES)),
        ("shortDescription", Some(l::SHORT_DESCRIPTION)),
        ("shortTitle", Some(l::SHORT_TITLE)),
        ("sortTitle", Some(l::SORT_TITLE)),
        ("voiceTitle", Some(l::VOICE_TITLE)),
        ("devStudio", Some(l::DEV_STUDIO)),
        ("copyrightAndTrademarkInfo", Some(l::COPYRIGHT)),
        ("licenseTerms", Some(l::LICENSE_TERMS)),
        // UNKNOWN: the service's limit on a title (it must be a reserved name, whose own
        // limit is 256 characters).
        ("title", Some(l::TITLE)),
        // Obsolete, ignored by the service, but still strings.
        ("privacyPolicy", None),
        ("supportContact", None),
        ("websiteUrl", None),
    ];
    for (field, max) in texts {
        if let Some(problem) = text(base.get(field), &format!("{at}.{field}"), max) {
            return Some(problem);
        }
    }
    let lists: [(&str, (usize, usize)); 4] = [
        ("features", l::FEATURES),
        ("keywords", l::KEYWORDS),
        ("recommendedHardware", l::HARDWARE),
        ("minimumHardware", l::HARDWARE),
    ];
    for (field, (items, length)) in lists {
        if let Some(problem) = string_list(
            base.get(field),
            &format!("{at}.{field}"),
            Some(items),
            Some(length),
            None,
        ) {
            return Some(problem);
        }
    }
    // "up to 21 words across all keywords" (listing limits above).
    let words: usize = base
        .get("keywords")
        .and_then(Value::as_array)
        .map(|k| {
            k.iter()
                .filter_map(Value::as_str)
                .map(|s| s.split_whitespace().count())
                .sum()
        })
        .unwrap_or(0);
    if words > l::KEYWORD_WORDS {
        return Some(format!(
            "{at}.keywords: at most {} words across all keywords, not {words}",
            l::KEYWORD_WORDS
        ));
    }
    images(base.get("images"), &format!("{at}.images"))
}

/// How many images of each type a listing may have
/// (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/screenshots-and-images).
/// UNKNOWN: whether the service limits images of no known type (here: no).
fn image_limit(kind: &str) -> usize {
    crate::config::listings::limits::ImageRule::of(kind).max_count
}

fn images(images: Option<&Value>, at: &str) -> Option<String> {
    let images = match images {
        None | Some(Value::Null) => return None,
        Some(Value::Array(images)) => images,
        Some(other) => return Some(format!("{at} must be an array, not {other}")),
    };
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (i, image) in images.iter().enumerate() {
        let at = format!("{at}[{i}]");
        if !image.is_object() {
            return Some(format!("{at} must be an object, not {image}"));
        }
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
        if let Some(problem) = text(
            image.get("description"),
            &format!("{at}.description"),
            Some(200),
        ) {
            return Some(problem);
        }
        if let Some(kind) = image.get("imageType") {
            if let Some(problem) = enum_value(kind, &format!("{at}.imageType"), IMAGE_TYPE) {
                return Some(problem);
            }
            if image["fileStatus"] != "PendingDelete"
                && let Some(kind) = kind.as_str()
            {
                let count = counts.entry(kind).or_default();
                *count += 1;
                if *count > image_limit(kind) {
                    return Some(format!(
                        "{at}: at most {} images of type {kind}",
                        image_limit(kind)
                    ));
                }
            }
        }
    }
    None
}

/// `gamingOptions`: `null` (older submissions) or an array of at most one object.
fn gaming_options(body: &Value) -> Option<String> {
    let options = match body.get("gamingOptions") {
        None | Some(Value::Null) => return None,
        Some(Value::Array(options)) => options,
        Some(other) => return Some(format!("gamingOptions must be an array, not {other}")),
    };
    if options.len() > 1 {
        return Some(format!(
            "gamingOptions: at most one object, not {}",
            options.len()
        ));
    }
    let option = options.first()?;
    let at = "gamingOptions[0]";
    if !option.is_object() {
        return Some(format!("{at} must be an object, not {option}"));
    }
    if let Some(problem) = string_list(
        option.get("genres"),
        &format!("{at}.genres"),
        None,
        None,
        Some(GENRES),
    ) {
        return Some(problem);
    }
    for field in [
        "isLocalMultiplayer",
        "isLocalCooperative",
        "isOnlineMultiplayer",
        "isOnlineCooperative",
        "isBroadcastingPrivilegeGranted",
        "isCrossPlayEnabled",
    ] {
        if let Some(problem) = boolean(option.get(field), &format!("{at}.{field}")) {
            return Some(problem);
        }
    }
    for field in [
        "localMultiplayerMinPlayers",
        "localMultiplayerMaxPlayers",
        "localCooperativeMinPlayers",
        "localCooperativeMaxPlayers",
    ] {
        match option.get(field) {
            None | Some(Value::Null) => {}
            Some(n) if n.is_u64() => {}
            Some(other) => {
                return Some(format!("{at}.{field} must be a whole number, not {other}"));
            }
        }
    }
    option
        .get("kinectDataForExternal")
        .and_then(|v| enum_value(v, &format!("{at}.kinectDataForExternal"), KINECT))
}

/// `trailers`: `null` (older submissions) or at most 15, each with its video and, per
/// language, a title and exactly one thumbnail
/// (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
fn trailers(body: &Value) -> Option<String> {
    let trailers = match body.get("trailers") {
        None | Some(Value::Null) => return None,
        Some(Value::Array(trailers)) => trailers,
        Some(other) => return Some(format!("trailers must be an array, not {other}")),
    };
    if trailers.len() > 15 {
        return Some(format!("trailers: at most 15, not {}", trailers.len()));
    }
    for (i, trailer) in trailers.iter().enumerate() {
        let at = format!("trailers[{i}]");
        if !trailer.is_object() {
            return Some(format!("{at} must be an object, not {trailer}"));
        }
        match trailer.get("videoFileName") {
            Some(Value::String(name)) if !name.is_empty() => {}
            _ => return Some(format!("{at}.videoFileName is required")),
        }
        let assets = match trailer.get("trailerAssets") {
            Some(Value::Object(assets)) => assets,
            _ => return Some(format!("{at}.trailerAssets must be an object")),
        };
        for (language, asset) in assets {
            let at = format!("{at}.trailerAssets.{language}");
            if !asset.is_object() {
                return Some(format!("{at} must be an object, not {asset}"));
            }
            if let Some(problem) = text(asset.get("title"), &format!("{at}.title"), Some(255)) {
                return Some(problem);
            }
            let list = match asset.get("imageList") {
                Some(Value::Array(list)) => list,
                _ => return Some(format!("{at}.imageList must be an array")),
            };
            if list.len() != 1 {
                return Some(format!(
                    "{at}.imageList must hold exactly one thumbnail, not {}",
                    list.len()
                ));
            }
            let image = &list[0];
            if !image.get("fileName").is_some_and(Value::is_string) {
                return Some(format!("{at}.imageList[0].fileName is required"));
            }
            if let Some(problem) = text(
                image.get("description"),
                &format!("{at}.imageList[0].description"),
                Some(200),
            ) {
                return Some(problem);
            }
        }
    }
    None
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

/// An add-on submission (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions),
/// within the limits Partner Center documents
/// for add-ons (https://learn.microsoft.com/windows/apps/publish/publish-your-app/add-on/create-add-on-store-listings).
pub fn addon_submission(body: &Value) -> Option<String> {
    if let Some(problem) = required(body, ADDON_REQUIRED) {
        return Some(problem);
    }
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
    if let Some(problem) = string_list(body.get("keywords"), "keywords", Some(10), Some(30), None)
        .or_else(|| text(body.get("tag"), "tag", Some(3_000)))
        .or_else(|| publish_date(body))
    {
        return Some(problem);
    }
    let listings = body.get("listings")?;
    let Some(listings) = listings.as_object() else {
        return Some(format!("listings must be an object, not {listings}"));
    };
    for (language, listing) in listings {
        let at = format!("listings.{language}");
        if !listing.is_object() {
            return Some(format!("{at} must be an object, not {listing}"));
        }
        match listing.get("title") {
            Some(Value::String(title)) if !title.trim().is_empty() => {}
            _ => return Some(format!("{at}.title is required")),
        }
        if let Some(problem) = text(listing.get("title"), &format!("{at}.title"), Some(100))
            .or_else(|| {
                text(
                    listing.get("description"),
                    &format!("{at}.description"),
                    Some(200),
                )
            })
        {
            return Some(problem);
        }
        let Some(icon) = listing.get("icon").filter(|i| !i.is_null()) else {
            continue;
        };
        let at = format!("{at}.icon");
        if !icon.is_object() {
            return Some(format!("{at} must be an object, not {icon}"));
        }
        for required in ["fileName", "fileStatus"] {
            if !icon.get(required).is_some_and(Value::is_string) {
                return Some(format!("{at}.{required} is required"));
            }
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
    let packages = match body.get(field) {
        None | Some(Value::Null) => return None,
        Some(Value::Array(packages)) => packages,
        Some(other) => return Some(format!("{field} must be an array, not {other}")),
    };
    for (i, package) in packages.iter().enumerate() {
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
        // Ids are decimal strings ("" for a package not yet uploaded).
        if let Some(problem) = text(package.get("id"), &format!("{at}.id"), None) {
            return Some(problem);
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

/// `packageDeliveryOptions` (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions): booleans where booleans belong, a percentage
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
        if !rollout.is_object() {
            return Some(format!(
                "{at}.packageRollout must be an object, not {rollout}"
            ));
        }
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

/// A string of at most `max` characters, counted in UTF-16 units as .NET counts them.
/// `null` is "not set".
fn text(value: Option<&Value>, at: &str, max: Option<usize>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let length = s.encode_utf16().count();
            match max {
                Some(max) if length > max => {
                    Some(format!("{at}: at most {max} characters, not {length}"))
                }
                _ => None,
            }
        }
        Some(other) => Some(format!("{at} must be a string, not {other}")),
    }
}

/// An array of strings: at most `items` of them, each at most `length` characters, each
/// one of `allowed` when given.
fn string_list(
    value: Option<&Value>,
    at: &str,
    items: Option<usize>,
    length: Option<usize>,
    allowed: Option<&[&str]>,
) -> Option<String> {
    let list = match value {
        None | Some(Value::Null) => return None,
        Some(Value::Array(list)) => list,
        Some(other) => return Some(format!("{at} must be an array, not {other}")),
    };
    if let Some(items) = items
        && list.len() > items
    {
        return Some(format!("{at}: at most {items} items, not {}", list.len()));
    }
    for (i, item) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if !item.is_string() {
            return Some(format!("{here} must be a string, not {item}"));
        }
        if let Some(allowed) = allowed
            && let Some(problem) = enum_value(item, &here, allowed)
        {
            return Some(problem);
        }
        if let Some(problem) = text(Some(item), &here, length) {
            return Some(problem);
        }
    }
    None
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
    fn names_in_any_case_but_data_keys_as_sent() {
        let mut body = json!({
            "ApplicationPackages": [{"FileName": "a.msix", "fileStatus": "PendingUpload"}],
            "pricing": {"PriceId": "Free", "marketSpecificPricings": {"ID": "Tier5"}},
            "listings": {"id": {"BaseListing": {"Title": "Indonesian"}}},
        });
        normalize_names(&mut body);
        assert_eq!(
            body,
            json!({
                "applicationPackages": [{"fileName": "a.msix", "fileStatus": "PendingUpload"}],
                "pricing": {"priceId": "Free", "marketSpecificPricings": {"ID": "Tier5"}},
                "listings": {"id": {"baseListing": {"title": "Indonesian"}}},
            })
        );
    }

    #[test]
    fn keywords_are_limited_in_words_too() {
        let sample: Value =
            serde_json::from_str(include_str!("samples/app-submission-resource.json")).unwrap();
        let with = |keywords: Value| {
            let mut body = sample.clone();
            body["listings"]["en-us"]["baseListing"]["keywords"] = keywords;
            app_submission(&body)
        };
        assert_eq!(with(json!(vec!["one two three"; 7])), None);
        assert!(
            with(json!(vec!["one two three four"; 6]))
                .unwrap()
                .contains("at most 21 words")
        );
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
