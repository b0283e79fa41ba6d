//! Post-commit verification (https://github.com/daruyanagi/XTimelineViewer/issues/150,
//! https://github.com/baldbeardedbuilder/WeatherExtension/pull/146): once the submission has left
//! PreProcessing, read it back and check that its packages are exactly the ones uploaded
//! (names, versions, architectures) and that no package the run kept was removed. The
//! Store has been seen to discard packages silently in pre-processing while the commit
//! "succeeded" (daruyanagi/XTimelineViewer#150); this is where a run notices.

use serde_json::Value;

use super::flow::{Submit, string_field};
use crate::api::types::{Status, SubmissionStatus};
use crate::error::{Error, Result};
use crate::package::manifest::PackageInfo;
use crate::report::summary::RunSummary;

pub use crate::package::checks::{Row, Verification};

/// What a package entry must look like after processing.
#[derive(Debug, Clone)]
enum Expect {
    /// Uploaded by this run: present, described as its manifest says.
    New(Option<PackageInfo>),
    /// There before and not marked for deletion: still present.
    Kept {
        version: Option<String>,
        architecture: Option<String>,
    },
    /// Marked `PendingDelete` by this run (or before): gone, or still marked.
    Deleted,
}

#[derive(Debug, Clone)]
struct Entry {
    file_name: String,
    id: Option<String>,
    expect: Expect,
}

/// The package entries of the submission as the run left it (before commit).
#[derive(Debug, Clone, Default)]
pub struct Expected {
    entries: Vec<Entry>,
}

fn id_of(entry: &Value) -> Option<String> {
    string_field(entry, "id").filter(|id| !id.is_empty())
}

fn status_of(entry: &Value) -> String {
    string_field(entry, "fileStatus").unwrap_or_default()
}

impl Expected {
    /// From the submission as sent (or as found, for a re-run), the names of this run's
    /// packages and their manifests.
    pub fn from_submission(
        submission: &Value,
        field: &str,
        new: &[String],
        manifests: &[PackageInfo],
    ) -> Expected {
        let mut entries = Vec::new();
        for entry in submission
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(file_name) = string_field(entry, "fileName") else {
                continue;
            };
            let status = status_of(entry);
            let ours = new.iter().any(|n| n.eq_ignore_ascii_case(&file_name));
            let expect = if status == "PendingDelete" {
                Expect::Deleted
            } else if ours {
                Expect::New(
                    manifests
                        .iter()
                        .find(|m| m.file_name.eq_ignore_ascii_case(&file_name))
                        .cloned(),
                )
            } else {
                Expect::Kept {
                    version: string_field(entry, "version"),
                    architecture: string_field(entry, "architecture"),
                }
            };
            entries.push(Entry {
                file_name,
                id: id_of(entry),
                expect,
            });
        }
        Expected { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether `status` has left PreProcessing without failing: the packages are processed.
pub fn applies(status: &Status) -> bool {
    match (
        status.progress_rank(),
        Status::Certification.progress_rank(),
    ) {
        (Some(rank), Some(certification)) => rank >= certification,
        _ => false,
    }
}

fn describe_found(entry: &Value) -> String {
    let mut parts = vec![status_of(entry)];
    for field in ["version", "architecture"] {
        if let Some(v) = string_field(entry, field).filter(|v| !v.is_empty()) {
            parts.push(v);
        }
    }
    parts.join(" ")
}

/// Whether the architecture the service reports fits the package: a loose package's own,
/// and for a bundle `Neutral` or its packages' architectures. UNKNOWN: what the service
/// writes for a bundle; StoreBroker's metadata says Neutral.
fn architecture_fits(found: &str, package: &PackageInfo) -> bool {
    let found = found.trim().to_ascii_lowercase();
    match &package.architecture {
        Some(own) => found == own.to_ascii_lowercase(),
        None => {
            let arches = package.architectures();
            found == "neutral"
                || found
                    .split([',', ' ', '|', ';'])
                    .filter(|s| !s.is_empty())
                    .all(|a| arches.contains(a))
        }
    }
}

/// Compares the entries the run left with the submission as the service shows it now.
pub fn compare(
    expected: &Expected,
    found: &Value,
    field: &str,
    submission_id: &str,
    status: &str,
) -> Verification {
    let found_entries: Vec<&Value> = found
        .get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut matched = vec![false; found_entries.len()];
    let deleted_ids: Vec<&str> = expected
        .entries
        .iter()
        .filter(|e| matches!(e.expect, Expect::Deleted))
        .filter_map(|e| e.id.as_deref())
        .collect();
    let mut rows = Vec::new();
    for entry in &expected.entries {
        // By id when the entry has one; else by name, never taking an entry that is the
        // deleted predecessor of a new package with the same name.
        let by_name = |f: &Value| {
            string_field(f, "fileName").is_some_and(|n| n.eq_ignore_ascii_case(&entry.file_name))
        };
        let same = |f: &Value| match (&entry.id, id_of(f)) {
            (Some(id), Some(other)) => *id == other,
            _ => match entry.expect {
                Expect::New(_) => {
                    by_name(f)
                        && status_of(f) != "PendingDelete"
                        && id_of(f).is_none_or(|id| !deleted_ids.contains(&id.as_str()))
                }
                _ => by_name(f),
            },
        };
        let position = found_entries
            .iter()
            .enumerate()
            .position(|(i, f)| !matched[i] && same(f));
        if let Some(i) = position {
            matched[i] = true;
        }
        let hit = position.map(|i| found_entries[i]);
        let found_text = hit.map(describe_found).unwrap_or_else(|| "missing".into());
        let (expected_text, ok) = match &entry.expect {
            Expect::New(manifest) => {
                let expected_text = match manifest {
                    Some(m) => format!(
                        "new {} {}",
                        m.version,
                        m.architecture.clone().unwrap_or_else(|| format!(
                            "bundle ({})",
                            m.architectures().into_iter().collect::<Vec<_>>().join(", ")
                        ))
                    ),
                    None => "new".into(),
                };
                let ok = hit.is_some_and(|f| {
                    status_of(f) != "PendingDelete"
                        && manifest.as_ref().is_none_or(|m| {
                            string_field(f, "version")
                                .is_none_or(|v| v.trim() == m.version.to_string())
                                && string_field(f, "architecture")
                                    .filter(|a| !a.trim().is_empty())
                                    .is_none_or(|a| architecture_fits(&a, m))
                        })
                });
                (expected_text, ok)
            }
            Expect::Kept {
                version,
                architecture,
            } => {
                let described: Vec<&str> = [version.as_deref(), architecture.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                let ok = hit.is_some_and(|f| {
                    status_of(f) != "PendingDelete"
                        && version.as_ref().is_none_or(|v| {
                            string_field(f, "version").is_none_or(|found| found == *v)
                        })
                });
                (
                    format!("kept {}", described.join(" ")).trim().to_string(),
                    ok,
                )
            }
            Expect::Deleted => (
                "deleted".into(),
                hit.is_none_or(|f| status_of(f) == "PendingDelete"),
            ),
        };
        rows.push(Row {
            package: entry.file_name.clone(),
            expected: expected_text,
            found: if hit.is_none() && matches!(entry.expect, Expect::Deleted) {
                "gone".into()
            } else {
                found_text
            },
            ok,
        });
    }
    for (i, f) in found_entries.iter().enumerate() {
        if matched[i] {
            continue;
        }
        rows.push(Row {
            package: string_field(f, "fileName").unwrap_or_else(|| "?".into()),
            expected: "not submitted".into(),
            found: describe_found(f),
            ok: false,
        });
    }
    Verification {
        submission_id: submission_id.to_string(),
        status: status.to_string(),
        rows,
    }
}

/// After the wait: when the submission has left PreProcessing, read it back and compare.
/// A difference fails the run (exit 5) with the table in the log and the summary.
pub async fn after_wait(
    submit: &Submit<'_>,
    sent: &Value,
    status: &SubmissionStatus,
    summary: &mut RunSummary,
) -> Result<()> {
    let product = submit.product;
    let Some(field) = product.packages_field() else {
        return Ok(());
    };
    if !applies(&status.status) {
        if status.status.progress_rank().is_some() && !submit.config.changes.packages.is_empty() {
            tracing::info!(
                "packages not verified yet: the submission is {} (they are checked once it has left PreProcessing; wait-for: certified does that)",
                status.status
            );
        }
        return Ok(());
    }
    let expected = Expected::from_submission(
        sent,
        field,
        &submit.config.changes.packages,
        submit.packages,
    );
    if expected.is_empty() {
        return Ok(());
    }
    let submission_id = string_field(sent, "id").unwrap_or_default();
    let found = submit
        .client
        .get(&product.submission_path(&submission_id))
        .await
        .map_err(|e| {
            e.into_error(&format!(
                "reading submission {submission_id} back to verify its packages"
            ))
        })?;
    let now = string_field(&found, "status").unwrap_or_else(|| status.status.to_string());
    let verification = compare(&expected, &found, field, &submission_id, &now);
    let lines = verification.table();
    let passed = verification.passed();
    submit.reporter.add_result(
        "verification",
        serde_json::to_value(&verification).unwrap_or_default(),
    );
    summary.verification = Some(verification);
    if passed {
        tracing::info!("verified: the submission's packages are the ones uploaded and kept");
        for line in lines {
            tracing::info!("  {line}");
        }
        return Ok(());
    }
    tracing::error!(
        "submission {submission_id} ({now}) does not hold the packages this run left in it:\n{}",
        lines.join("\n")
    );
    Err(Error::SubmissionFailed {
        message: format!(
            "submission {submission_id} passed pre-processing, but its packages are not the ones uploaded (expected vs found above)"
        ),
        hint: format!(
            "Partner Center dropped or changed a package without an error. Open the submission ({}) before it is published; check that each package is a valid .msix/.msixbundle/.msixupload (an .msixupload must hold exactly one package or bundle), then delete the submission (on-pending: delete) and submit again.",
            product.dashboard_url(&submission_id)
        ),
        context: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sent() -> Value {
        json!({"id": "1", "applicationPackages": [
            {"fileName": "old.appx", "fileStatus": "PendingDelete", "id": "10", "version": "1.0.0.0", "architecture": "x64"},
            {"fileName": "keep.appx", "fileStatus": "Uploaded", "id": "11", "version": "1.0.0.0", "architecture": "ARM"},
            {"fileName": "New.msix", "fileStatus": "PendingUpload"},
        ]})
    }

    fn expected() -> Expected {
        Expected::from_submission(&sent(), "applicationPackages", &["New.msix".into()], &[])
    }

    #[test]
    fn processed_as_sent_passes() {
        let found = json!({"applicationPackages": [
            {"fileName": "old.appx", "fileStatus": "PendingDelete", "id": "10"},
            {"fileName": "keep.appx", "fileStatus": "Uploaded", "id": "11", "version": "1.0.0.0"},
            {"fileName": "New.msix", "fileStatus": "Uploaded", "id": "12", "version": "1.0.1.0", "architecture": "x64"},
        ]});
        let v = compare(
            &expected(),
            &found,
            "applicationPackages",
            "1",
            "Certification",
        );
        assert!(v.passed(), "{:?}", v.rows);
        // The deleted one may also be gone already.
        let found = json!({"applicationPackages": [
            {"fileName": "keep.appx", "fileStatus": "Uploaded", "id": "11"},
            {"fileName": "New.msix", "fileStatus": "Uploaded", "id": "12"},
        ]});
        assert!(compare(&expected(), &found, "applicationPackages", "1", "Release").passed());
    }

    #[test]
    fn a_dropped_new_or_kept_package_or_an_extra_one_fails() {
        let found = json!({"applicationPackages": [
            {"fileName": "old.appx", "fileStatus": "Uploaded", "id": "10"},
            {"fileName": "Stale.msix", "fileStatus": "Uploaded", "id": "13"},
        ]});
        let v = compare(
            &expected(),
            &found,
            "applicationPackages",
            "1",
            "Certification",
        );
        assert!(!v.passed());
        let rows: Vec<(&str, &str, bool)> = v
            .rows
            .iter()
            .map(|r| (r.package.as_str(), r.found.as_str(), r.ok))
            .collect();
        assert_eq!(
            rows,
            [
                ("old.appx", "Uploaded", false),
                ("keep.appx", "missing", false),
                ("New.msix", "missing", false),
                ("Stale.msix", "Uploaded", false),
            ]
        );
        assert!(v.table()[0].starts_with("package"));
    }

    #[test]
    fn only_after_pre_processing() {
        assert!(!applies(&Status::PreProcessing));
        assert!(!applies(&Status::PreProcessingFailed));
        assert!(applies(&Status::Certification));
        assert!(applies(&Status::Published));
    }
}
