//! What the package checks found: the pre-flight before anything is written
//! (`submission::preflight`, docs/decisions/0008-package-checks.md) and the verification
//! after processing (`submission::verify`). Data only, kept here, below both the flows that
//! fill it and the report that shows it (the log, the step summary, the dry-run plan), so
//! that neither room reaches into the other (ARCHITECTURE.md).

use serde::Serialize;
use serde_json::Value;

use super::manifest::{DeviceFamily, PackageInfo, Version};
use crate::config::InputProblem;

fn string_field(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_string)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    Identity,
    Version,
    Coverage,
    Duplicate,
    BundleToLoose,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Identity => "identity",
            Check::Version => "version",
            Check::Coverage => "coverage",
            Check::Duplicate => "duplicate",
            Check::BundleToLoose => "bundle to loose",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub check: Check,
    pub severity: Severity,
    /// The package it is about, when it is about one.
    pub package: Option<String>,
    pub message: String,
    /// The input to change to fix it.
    pub input: &'static str,
}

/// A package of the published submission, as the service describes it
/// (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedPackage {
    pub file_name: String,
    pub version: Option<Version>,
    /// As the service writes it (`x64`, `ARM`, `Neutral`); `None` when it says nothing.
    pub architecture: Option<String>,
    pub device_families: Vec<DeviceFamily>,
}

impl PublishedPackage {
    /// The package entries of a submission that serve customers (uploaded, not being
    /// deleted).
    pub fn served_by(submission: &Value, field: &str) -> Vec<PublishedPackage> {
        submission
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| {
                !matches!(
                    p.get("fileStatus").and_then(Value::as_str),
                    Some("PendingDelete" | "PendingUpload")
                )
            })
            .filter_map(PublishedPackage::from_entry)
            .collect()
    }

    pub fn from_entry(entry: &Value) -> Option<PublishedPackage> {
        Some(PublishedPackage {
            file_name: string_field(entry, "fileName")?,
            version: string_field(entry, "version").and_then(|v| Version::parse(&v)),
            architecture: string_field(entry, "architecture").filter(|a| !a.trim().is_empty()),
            device_families: entry
                .get("targetDeviceFamilies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(parse_target_device_family)
                .collect(),
        })
    }

    pub(crate) fn is_bundle(&self) -> bool {
        let lower = self.file_name.to_ascii_lowercase();
        lower.ends_with(".msixbundle")
            || lower.ends_with(".appxbundle")
            // An upload's entry describes what it holds; a bundle shows as Neutral (the
            // convention StoreBroker's metadata follows).
            || ((lower.ends_with(".msixupload") || lower.ends_with(".appxupload"))
                && self
                    .architecture
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case("neutral")))
    }

    /// `ARM, Windows.Mobile ≥ 10.0.10240.0`: what it serves, as far as the service says.
    pub fn serves(&self) -> String {
        let mut parts: Vec<String> = self.architecture.iter().cloned().collect();
        parts.extend(self.device_families.iter().map(ToString::to_string));
        if parts.is_empty() {
            "architecture and device family not reported".into()
        } else {
            parts.join(", ")
        }
    }

    /// `1.0.0.0 ARM (Windows.Mobile ≥ 10.0.10240.0)`, with what is unknown left out.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.version {
            parts.push(v.to_string());
        }
        if let Some(a) = &self.architecture {
            parts.push(a.clone());
        }
        let mut text = parts.join(" ");
        if !self.device_families.is_empty() {
            let families: Vec<String> = self
                .device_families
                .iter()
                .map(ToString::to_string)
                .collect();
            text.push_str(&format!(" ({})", families.join(", ")));
        }
        if text.is_empty() {
            "no metadata".into()
        } else {
            text
        }
    }
}

/// `"Windows.Desktop min version 10.0.17763.0"` (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions); `"None"` is a
/// pre-Windows 10 package, which names no device family.
pub fn parse_target_device_family(text: &str) -> Option<DeviceFamily> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return None;
    }
    match text.split_once(" min version ") {
        Some((name, min)) => Some(DeviceFamily {
            name: name.trim().to_string(),
            min_version: Some(min.trim().to_string()),
        }),
        None => Some(DeviceFamily {
            name: text.to_string(),
            min_version: None,
        }),
    }
}

/// What the pre-flight found, for the log, the step summary and the dry-run plan.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    /// The new packages as read from their manifests.
    pub packages: Vec<PackageInfo>,
    /// The published submission the checks compared with, and its packages.
    pub published_submission: Option<String>,
    pub published: Vec<PublishedPackage>,
    pub findings: Vec<Finding>,
}

impl Preflight {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The errors as input problems (exit 2: nothing was written).
    pub fn problems(&self) -> Vec<InputProblem> {
        self.errors()
            .map(|f| InputProblem::new(f.input, f.message.clone()))
            .collect()
    }

    /// Lines for the log of a run: the packages read, what they were compared with, and
    /// the notes. Warnings are reported as warnings and errors as input problems: they are
    /// left out here, not said twice.
    pub fn log_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for package in &self.packages {
            lines.push(format!(
                "package {}: {} {} by {}",
                package.file_name,
                package.name,
                package.describe(),
                package.publisher
            ));
        }
        match &self.published_submission {
            Some(id) if self.published.is_empty() => {
                lines.push(format!("published submission {id}: no packages"))
            }
            Some(id) => {
                for p in &self.published {
                    lines.push(format!(
                        "published submission {id}: {} {}",
                        p.file_name,
                        p.describe()
                    ));
                }
            }
            None => lines.push("no published submission to compare with".into()),
        }
        for finding in &self.findings {
            if finding.severity != Severity::Note {
                continue;
            }
            lines.push(format!(
                "{} ({}): {}",
                match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "note",
                },
                finding.check.as_str(),
                finding.message
            ));
        }
        let errors = self.errors().count();
        if errors > 0 {
            lines.push(format!("pre-flight found {errors} error(s), listed below"));
        }
        if !self.findings.iter().any(|f| f.severity != Severity::Note) {
            lines.push("all pre-flight checks passed".into());
        }
        lines
    }
}

/// One package: what the run left in the submission, and what the service shows now.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub package: String,
    pub expected: String,
    pub found: String,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub submission_id: String,
    pub status: String,
    pub rows: Vec<Row>,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.ok)
    }

    /// A plain-text table for the log.
    pub fn table(&self) -> Vec<String> {
        let headers = ["package", "expected", "found", ""];
        let cells: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.package.clone(),
                    r.expected.clone(),
                    r.found.clone(),
                    if r.ok { "ok" } else { "DIFFERS" }.to_string(),
                ]
            })
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..4).map(width).collect();
        let line = |c: [&str; 4]| {
            c.iter()
                .zip(&widths)
                .map(|(text, w)| format!("{text:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut lines = vec![line(headers)];
        for c in &cells {
            lines.push(line([&c[0], &c[1], &c[2], &c[3]]));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_device_families_as_the_service_writes_them() {
        assert_eq!(
            parse_target_device_family("Windows.Mobile min version 10.0.10240.0"),
            Some(DeviceFamily {
                name: "Windows.Mobile".into(),
                min_version: Some("10.0.10240.0".into())
            })
        );
        assert_eq!(parse_target_device_family("None"), None);
    }
}
