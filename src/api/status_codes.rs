//! The codes of `statusDetails.errors[].code` and `warnings[].code`
//! (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions),
//! each with one line that says what it means and what to do. The log, the error message
//! and the step summary show the service's own details in full and this line after them.

use serde_json::Value;

/// Every code the docs list, and the ones clients have seen besides, with its explanation.
pub const KNOWN: &[(&str, &str)] = &[
    (
        "None",
        "No code given; the details are all the service said.",
    ),
    (
        "InvalidArchive",
        "The uploaded file is not a zip Partner Center can open: let the tool build the zip, or check `upload-zip`.",
    ),
    (
        "MissingFiles",
        "A file the submission marks PendingUpload is not in the uploaded zip at that path (names must match exactly): check `packages`, `assets-dir` and the patch's fileName values.",
    ),
    (
        "PackageValidationFailed",
        "A package failed the Store's validation: most often its identity (Name, Publisher) does not match Partner Center → Product identity, or its version is not higher than the published one.",
    ),
    (
        "InvalidParameterValue",
        "A value in the submission is not accepted (often an enum in the wrong case, e.g. `public` for `Public`): fix `submission-patch`.",
    ),
    (
        "InvalidOperation",
        "The operation is not allowed on this submission: see the details.",
    ),
    (
        "InvalidState",
        "The submission or product is in a state that blocks this; it can also mean validation errors the API cannot show: open the submission in Partner Center.",
    ),
    (
        "ResourceNotFound",
        "Something the submission refers to does not exist (a product, a flight, a file).",
    ),
    (
        "ServiceError",
        "An error inside Partner Center: submit again later (`on-pending: delete` replaces the failed submission).",
    ),
    (
        "ListingOptOutWarning",
        "A listing was removed, or a language the packages support has no listing: add the listing, or accept that the language shows the default one.",
    ),
    ("ListingOptInWarning", "A listing was added for a language."),
    (
        "UpdateOnlyWarning",
        "Something was set that Partner Center only supports as an update of an existing value.",
    ),
    (
        "Other",
        "Partner Center reports an uncategorised state: see the details and the submission in Partner Center.",
    ),
    (
        "PackageValidationWarning",
        "Package validation passed with a warning: read it before the submission reaches customers.",
    ),
    (
        "InvalidMicrosoftAgeRating",
        "The app has no age rating yet: complete its first submission, with the age-ratings questionnaire, in Partner Center.",
    ),
];

/// The explanation of `code`, if it is one we know.
pub fn explain(code: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|(_, line)| *line)
}

/// One entry of `statusDetails.errors` or `.warnings`, or a certification report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Error { code: String, details: String },
    Warning { code: String, details: String },
    Report { date: String, url: String },
}

/// Everything in `statusDetails`, in the order errors, warnings, reports.
pub fn details(status_details: &Value) -> Vec<Detail> {
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let list = |key: &str| {
        status_details
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for item in list("errors") {
        out.push(Detail::Error {
            code: text(&item, "code"),
            details: text(&item, "details"),
        });
    }
    for item in list("warnings") {
        out.push(Detail::Warning {
            code: text(&item, "code"),
            details: text(&item, "details"),
        });
    }
    for item in list("certificationReports") {
        out.push(Detail::Report {
            date: text(&item, "date"),
            url: text(&item, "reportUrl"),
        });
    }
    out
}

/// Log lines for `statusDetails`: each error and warning in full with its explanation on
/// the next line, then each certification report with its link.
pub fn report_lines(status_details: &Value) -> Vec<(bool, String)> {
    let mut lines = Vec::new();
    let explained = |code: &str| {
        match explain(code) {
        Some(line) => format!("\n  ↳ {line}"),
        None if code.is_empty() => String::new(),
        None => "\n  ↳ Not a code the API documents: see the details and the submission in Partner Center.".into(),
    }
    };
    for detail in details(status_details) {
        match detail {
            Detail::Error { code, details } => lines.push((
                true,
                format!(
                    "error {}: {}{}",
                    if code.is_empty() { "?" } else { &code },
                    details,
                    explained(&code)
                ),
            )),
            Detail::Warning { code, details } => lines.push((
                false,
                format!(
                    "warning {}: {}{}",
                    if code.is_empty() { "?" } else { &code },
                    details,
                    explained(&code)
                ),
            )),
            Detail::Report { date, url } => lines.push((
                false,
                format!(
                    "certification report{}: {url}",
                    if date.is_empty() {
                        String::new()
                    } else {
                        format!(" of {date}")
                    }
                ),
            )),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every documented code (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions), and
    /// InvalidMicrosoftAgeRating, which msstore-cli handles (https://github.com/microsoft/msstore-cli).
    pub const DOCUMENTED: &[&str] = &[
        "None",
        "InvalidArchive",
        "MissingFiles",
        "PackageValidationFailed",
        "InvalidParameterValue",
        "InvalidOperation",
        "InvalidState",
        "ResourceNotFound",
        "ServiceError",
        "ListingOptOutWarning",
        "ListingOptInWarning",
        "UpdateOnlyWarning",
        "Other",
        "PackageValidationWarning",
        "InvalidMicrosoftAgeRating",
    ];

    #[test]
    fn every_documented_code_is_explained() {
        for code in DOCUMENTED {
            assert!(explain(code).is_some(), "{code}");
        }
        assert_eq!(KNOWN.len(), DOCUMENTED.len());
    }

    #[test]
    fn lines_show_details_in_full_with_the_explanation() {
        let long = "x".repeat(5000);
        let lines = report_lines(&json!({
            "errors": [{"code": "InvalidArchive", "details": long}, {"code": "IsInternalError", "details": "?"}],
            "warnings": [{"code": "ListingOptOutWarning", "details": "You have removed listing language(s): []"}],
            "certificationReports": [{"date": "2026-01-02T03:04:05Z", "reportUrl": "https://example.com/r"}],
        }));
        assert_eq!(lines.len(), 4);
        assert!(lines[0].0 && lines[0].1.contains(&long));
        assert!(lines[0].1.contains("not a zip"));
        assert!(lines[1].1.contains("Not a code the API documents"));
        assert!(
            !lines[2].0
                && lines[2]
                    .1
                    .contains("You have removed listing language(s): []")
        );
        assert_eq!(
            lines[3].1,
            "certification report of 2026-01-02T03:04:05Z: https://example.com/r"
        );
    }
}
