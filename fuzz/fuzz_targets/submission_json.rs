//! Submissions as the service sends them (and as `patch` and the doc samples give them):
//! the lenient JSON reader, the typed views over `serde_json::Value`, and the edit paths
//! (merge patch, images, release notes, packages, the PUT body).
//!
//! Input: a submission, optionally followed by a NUL and a merge patch.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msstore_submit::api::parse_lenient;
use msstore_submit::api::types::SubmissionStatus;
use msstore_submit::config::{PackageMode, ProductRef, SubmissionChanges};
use msstore_submit::fuzzing;
use msstore_submit::submission::edit;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (document, patch) = text.split_once('\0').unwrap_or((text, ""));

    // Strict JSON has no comments nor trailing commas: the lenient pass must not change it.
    if let Ok(strict) = serde_json::from_str::<Value>(document) {
        let stripped = fuzzing::strip_comments_and_trailing_commas(document);
        assert_eq!(
            serde_json::from_str::<Value>(&stripped).ok().as_ref(),
            Some(&strict),
            "the lenient pass changed strict JSON: {stripped:?}"
        );
    }
    let Ok(submission) = parse_lenient(document) else {
        return;
    };
    let _ = serde_json::from_value::<SubmissionStatus>(submission.clone());
    let status = SubmissionStatus::from_submission(&submission);
    let _ = (status.errors(), status.warnings(), status.is_failed());
    assert!(serde_json::from_str::<Value>(&status.details_json()).is_ok());
    for field in [
        "pendingApplicationSubmission",
        "lastPublishedApplicationSubmission",
    ] {
        let _ = msstore_submit::products::pending_id(&submission, field);
    }

    let body = edit::put_body(&submission);
    assert_eq!(edit::put_body(&body), body, "the PUT body is not stable");

    let Ok(mut patch) = parse_lenient(patch) else {
        return;
    };
    // RFC 7396: a merge patch applied twice changes nothing more.
    let mut once = submission.clone();
    edit::merge_patch(&mut once, &patch);
    let mut twice = once.clone();
    edit::merge_patch(&mut twice, &patch);
    assert_eq!(once, twice, "merge patch is not idempotent");

    edit::normalize_patch_images(&mut patch);
    let mut languages: std::collections::BTreeMap<String, String> = submission
        .get("listings")
        .and_then(Value::as_object)
        .map(|l| {
            l.keys()
                .map(|k| (k.to_lowercase(), "notes".to_string()))
                .collect()
        })
        .unwrap_or_default();
    languages.insert("xx-yy".into(), "notes".into());
    for mode in [PackageMode::Replace, PackageMode::Add] {
        let changes = SubmissionChanges {
            packages: vec!["Contoso_1.0.0.0_x64.msix".into()],
            package_mode: mode,
            patch: Some(patch.clone()),
            release_notes: Some("notes".into()),
            release_notes_by_language: languages.clone(),
            notes_for_certification: Some("for certification".into()),
            ..SubmissionChanges::default()
        };
        let _ = edit::check_changes_fit(&submission, &changes);
        for product in [
            ProductRef::App {
                app_id: "9N".into(),
            },
            ProductRef::Flight {
                app_id: "9N".into(),
                flight_id: "f".into(),
            },
            ProductRef::Addon {
                addon_id: "9A".into(),
            },
        ] {
            let mut edited = submission.clone();
            let _ = edit::apply_changes(&mut edited, &product, &changes);
            let _ = edit::put_body(&edited);
        }
    }
});
