//! Pre-flight: the packages about to be submitted, checked against the product's Store
//! identity and its last published submission, with reads only, before the zip is built
//! and before anything is written to Partner Center (docs/decisions/0008-package-checks.md).
//!
//! The checks, each an error (exit 2) unless said otherwise:
//! - identity: every package's name and publisher equal the app's `packageIdentityName`
//!   and `publisherName` (flights are checked against their app);
//! - version: each new package's version is higher than every version the published
//!   submission has for the same architecture and device family;
//! - coverage: the new packages serve every architecture and device family the published
//!   submission serves; a warning instead when an old package that stays (`package-mode:
//!   add`) still serves it, or when `allow-dropped-platforms` says dropping is meant;
//! - duplicate: no two packages with the same identity, version and architecture;
//! - bundle to loose (warning): a loose architecture-specific package where the published
//!   submission shipped a bundle.
//!
//! The result is data ([`Preflight`]): the log, the step summary and the dry-run plan show
//! the same findings.

use std::collections::BTreeSet;

use serde_json::Value;

use super::edit::apply_changes;
use super::flow::{Submit, string_field};
use crate::config::{ProductRef, SubmissionChanges};
use crate::error::{Error, Result};
use crate::package::manifest::{DeviceFamily, PackageInfo, Version};
use crate::report::summary::RunSummary;

/// The input that decides whether dropping an architecture or device family is meant.
pub const ALLOW_DROPPED_INPUT: &str = "allow-dropped-platforms";

pub use crate::package::checks::{Check, Finding, Preflight, PublishedPackage, Severity};

/// What the checks compare the packages with.
pub struct Context<'a> {
    /// The app's Store identity (`packageIdentityName`, `publisherName`), when known.
    pub identity_name: Option<&'a str>,
    pub publisher: Option<&'a str>,
    /// The last published submission of the product, when there is one.
    pub published: Option<&'a Value>,
    pub product: &'a ProductRef,
    pub changes: &'a SubmissionChanges,
    pub allow_dropped: bool,
}

/// Checks that need nothing but the packages: duplicates.
pub fn local_findings(packages: &[PackageInfo]) -> Vec<Finding> {
    let mut findings = Vec::new();
    // A package's full name is its name, version, architecture and resource id (and
    // publisher): two with the same are the same package to Windows and to the Store.
    type FullName = (String, String, String, Version, Option<String>);
    let mut seen: Vec<(FullName, &str)> = Vec::new();
    for package in packages {
        for app in &package.applications {
            let key: FullName = (
                app.name.to_ascii_lowercase(),
                app.publisher.clone(),
                app.architecture.clone(),
                app.version,
                app.resource_id.clone(),
            );
            match seen.iter().find(|(k, _)| *k == key) {
                Some((_, first)) if *first != package.file_name => findings.push(Finding {
                    check: Check::Duplicate,
                    severity: Severity::Error,
                    package: Some(package.file_name.clone()),
                    message: format!(
                        "{first} and {} both hold {} {} {}: the Store takes one package per identity, version and architecture; give the new build a higher version, or submit only one of them",
                        package.file_name, app.name, app.version, app.architecture
                    ),
                    input: "packages",
                }),
                Some(_) => {}
                None => seen.push((key, &package.file_name)),
            }
        }
    }
    // Two bundles (or uploads of bundles) with the same identity and version.
    let bundles: Vec<&PackageInfo> = packages.iter().filter(|p| p.is_bundle()).collect();
    for (i, a) in bundles.iter().enumerate() {
        for b in &bundles[i + 1..] {
            if a.name.eq_ignore_ascii_case(&b.name) && a.version == b.version {
                findings.push(Finding {
                    check: Check::Duplicate,
                    severity: Severity::Error,
                    package: Some(b.file_name.clone()),
                    message: format!(
                        "{} and {} are both bundle {} {}: submit one bundle per version",
                        a.file_name, b.file_name, a.name, a.version
                    ),
                    input: "packages",
                });
            }
        }
    }
    findings
}

/// Every check, local and against the product.
pub fn check(packages: &[PackageInfo], context: &Context<'_>) -> Preflight {
    let field = context
        .product
        .packages_field()
        .unwrap_or("applicationPackages");
    let published = context
        .published
        .map(|s| PublishedPackage::served_by(s, field))
        .unwrap_or_default();
    let mut findings = local_findings(packages);
    findings.extend(identity_findings(packages, context));
    findings.extend(version_findings(packages, &published));
    findings.extend(coverage_findings(packages, &published, context));
    findings.extend(bundle_findings(packages, &published));
    findings.sort_by_key(|f| f.severity);
    Preflight {
        packages: packages.to_vec(),
        published_submission: context.published.and_then(|s| string_field(s, "id")),
        published,
        findings,
    }
}

fn identity_findings(packages: &[PackageInfo], context: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let app_id = match context.product {
        ProductRef::App { app_id } | ProductRef::Flight { app_id, .. } => app_id.as_str(),
        ProductRef::Addon { .. } => return findings,
    };
    fn known(v: Option<&str>) -> Option<&str> {
        v.map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains('…'))
    }
    let (Some(expected_name), Some(expected_publisher)) =
        (known(context.identity_name), known(context.publisher))
    else {
        findings.push(Finding {
            check: Check::Identity,
            severity: Severity::Note,
            package: None,
            message: format!(
                "app {app_id} does not say its packageIdentityName and publisherName: the identity was not checked"
            ),
            input: "packages",
        });
        return findings;
    };
    for package in packages {
        let mut identities = vec![(package.name.as_str(), package.publisher.as_str())];
        identities.extend(
            package
                .applications
                .iter()
                .map(|a| (a.name.as_str(), a.publisher.as_str())),
        );
        identities.dedup();
        for (name, publisher) in identities {
            // Windows compares package names without regard to case; the publisher is
            // compared as written (its hash is part of the package family name).
            if !name.eq_ignore_ascii_case(expected_name) {
                findings.push(Finding {
                    check: Check::Identity,
                    severity: Severity::Error,
                    package: Some(package.file_name.clone()),
                    message: format!(
                        "{} has identity name `{name}`, but app {app_id} is reserved as `{expected_name}` (Partner Center → Product identity → Package/Identity/Name); Partner Center would reject it in pre-processing (PackageValidationFailed)",
                        package.file_name
                    ),
                    input: "packages",
                });
            }
            if publisher != expected_publisher {
                findings.push(Finding {
                    check: Check::Identity,
                    severity: Severity::Error,
                    package: Some(package.file_name.clone()),
                    message: format!(
                        "{} has publisher `{publisher}`, but app {app_id} belongs to `{expected_publisher}` (Partner Center → Product identity → Package/Identity/Publisher); Partner Center would reject it in pre-processing (PackageValidationFailed)",
                        package.file_name
                    ),
                    input: "packages",
                });
            }
        }
    }
    findings
}

/// Architectures as Windows compares them: lower-case.
fn arch(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

fn serves_every_architecture(architecture: &str) -> bool {
    arch(architecture) == "neutral"
}

fn families_overlap(a: &[DeviceFamily], b: &[DeviceFamily]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let universal = |f: &DeviceFamily| f.name.eq_ignore_ascii_case("Windows.Universal");
    a.iter().any(universal)
        || b.iter().any(universal)
        || a.iter()
            .any(|x| b.iter().any(|y| x.name.eq_ignore_ascii_case(&y.name)))
}

fn version_findings(packages: &[PackageInfo], published: &[PublishedPackage]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for package in packages {
        for app in &package.applications {
            // The highest published version this package must beat.
            let blocking = published
                .iter()
                .filter(|p| {
                    let same_arch = match &p.architecture {
                        None => true,
                        Some(a) => {
                            serves_every_architecture(a)
                                || serves_every_architecture(&app.architecture)
                                || arch(a) == app.architecture
                        }
                    };
                    same_arch && families_overlap(&p.device_families, &app.device_families)
                })
                .filter_map(|p| Some((p.version?, p)))
                .filter(|(v, _)| app.version <= *v)
                .max_by_key(|(v, _)| *v);
            if let Some((version, p)) = blocking {
                let inside = if package.is_bundle() {
                    format!(" ({} in the bundle)", app.file_name)
                } else {
                    String::new()
                };
                findings.push(Finding {
                    check: Check::Version,
                    severity: Severity::Error,
                    package: Some(package.file_name.clone()),
                    message: format!(
                        "{}{inside} is version {} ({}), not higher than {version} of {} in the published submission ({}); raise the version in Package.appxmanifest and build again",
                        package.file_name,
                        app.version,
                        app.architecture,
                        p.file_name,
                        p.serves()
                    ),
                    input: "packages",
                });
            }
        }
    }
    findings
}

/// What a set of packages serves: specific architectures (or all of them), device
/// families (or all of them).
#[derive(Debug, Default)]
struct Reach {
    every_architecture: bool,
    architectures: BTreeSet<String>,
    every_family: bool,
    families: BTreeSet<String>,
}

impl Reach {
    fn add_architecture(&mut self, architecture: &str) {
        if serves_every_architecture(architecture) {
            self.every_architecture = true;
        } else {
            self.architectures.insert(arch(architecture));
        }
    }

    fn add_family(&mut self, name: &str) {
        if name.eq_ignore_ascii_case("Windows.Universal") {
            self.every_family = true;
        }
        self.families.insert(name.to_ascii_lowercase());
    }

    fn has_architecture(&self, architecture: &str) -> bool {
        self.every_architecture || self.architectures.contains(&arch(architecture))
    }

    fn has_family(&self, name: &str) -> bool {
        self.every_family || self.families.contains(&name.to_ascii_lowercase())
    }

    fn of_published(packages: &[&PublishedPackage]) -> Reach {
        let mut reach = Reach::default();
        for p in packages {
            // A bundle's entry says Neutral but serves only its packages' architectures,
            // which the service does not list: it adds none here (the bundle-to-loose
            // check covers replacing it).
            if let Some(a) = &p.architecture
                && !(p.is_bundle() && serves_every_architecture(a))
            {
                reach.add_architecture(a);
            }
            for family in &p.device_families {
                reach.add_family(&family.name);
            }
        }
        reach
    }

    fn of_new(packages: &[PackageInfo]) -> Reach {
        let mut reach = Reach::default();
        for app in packages.iter().flat_map(|p| &p.applications) {
            reach.add_architecture(&app.architecture);
            if app.device_families.is_empty() {
                // A Windows 8.x package: no device family to compare.
                reach.every_family = true;
            }
            for family in &app.device_families {
                reach.add_family(&family.name);
            }
        }
        reach
    }
}

fn coverage_findings(
    packages: &[PackageInfo],
    published: &[PublishedPackage],
    context: &Context<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(submission) = context.published else {
        return findings;
    };
    if packages.is_empty() {
        return findings;
    }
    let served = Reach::of_published(&published.iter().collect::<Vec<_>>());
    if served.architectures.is_empty() && served.families.is_empty() {
        if !published.is_empty() {
            findings.push(Finding {
                check: Check::Coverage,
                severity: Severity::Note,
                package: None,
                message: "the published packages carry no architecture or device family: coverage not checked".into(),
                input: "packages",
            });
        }
        return findings;
    }
    // What stays after this run's edit: the edit itself says (replace marks everything
    // PendingDelete; add keeps all but packages of the same name).
    let mut after = submission.clone();
    let packages_only = SubmissionChanges {
        packages: context.changes.packages.clone(),
        package_mode: context.changes.package_mode,
        ..Default::default()
    };
    apply_changes(&mut after, context.product, &packages_only);
    let field = context
        .product
        .packages_field()
        .unwrap_or("applicationPackages");
    let kept = PublishedPackage::served_by(&after, field);
    let kept: Vec<&PublishedPackage> = kept
        .iter()
        .filter(|k| published.iter().any(|p| p.file_name == k.file_name))
        .collect();
    let still = Reach::of_published(&kept);
    let new = Reach::of_new(packages);

    let mut dropped: Vec<(String, Vec<&PublishedPackage>)> = Vec::new();
    for a in &served.architectures {
        if !new.has_architecture(a) {
            let from = published
                .iter()
                .filter(|p| p.architecture.as_deref().is_some_and(|x| arch(x) == *a))
                .collect();
            dropped.push((format!("architecture {a}"), from));
        }
    }
    for family in &served.families {
        if !new.has_family(family) {
            let from = published
                .iter()
                .filter(|p| {
                    p.device_families
                        .iter()
                        .any(|f| f.name.eq_ignore_ascii_case(family))
                })
                .collect();
            let name = published
                .iter()
                .flat_map(|p| &p.device_families)
                .find(|f| f.name.eq_ignore_ascii_case(family))
                .map(|f| f.name.clone())
                .unwrap_or_else(|| family.clone());
            dropped.push((format!("device family {name}"), from));
        }
    }
    for (what, from) in dropped {
        let names: Vec<&str> = from.iter().map(|p| p.file_name.as_str()).collect();
        let kept_by_old = if what.starts_with("architecture ") {
            still.has_architecture(what.trim_start_matches("architecture "))
        } else {
            still.has_family(what.trim_start_matches("device family "))
        };
        let (severity, message) = if kept_by_old {
            (
                Severity::Warning,
                format!(
                    "the new packages do not serve {what}, which the published submission serves ({}); that package stays (package-mode: add), so those customers keep the old version",
                    names.join(", ")
                ),
            )
        } else if context.allow_dropped {
            (
                Severity::Warning,
                format!(
                    "the new packages do not serve {what}, which the published submission serves ({}); it is dropped, as `{ALLOW_DROPPED_INPUT}` allows: those customers get no updates",
                    names.join(", ")
                ),
            )
        } else {
            (
                Severity::Error,
                format!(
                    "the new packages do not serve {what}, which the published submission serves ({}), and `package-mode: replace` would delete it: add a package for it, use `package-mode: add` to keep the old one, or set `{ALLOW_DROPPED_INPUT}: true` if dropping it is meant",
                    names.join(", ")
                ),
            )
        };
        findings.push(Finding {
            check: Check::Coverage,
            severity,
            package: None,
            message,
            input: if severity == Severity::Error {
                ALLOW_DROPPED_INPUT
            } else {
                "packages"
            },
        });
    }
    findings
}

fn bundle_findings(packages: &[PackageInfo], published: &[PublishedPackage]) -> Vec<Finding> {
    let Some(bundle) = published.iter().find(|p| p.is_bundle()) else {
        return Vec::new();
    };
    packages
        .iter()
        .filter(|p| !p.is_bundle())
        .filter(|p| {
            p.architecture
                .as_deref()
                .is_some_and(|a| !serves_every_architecture(a))
        })
        .map(|p| Finding {
            check: Check::BundleToLoose,
            severity: Severity::Warning,
            package: Some(p.file_name.clone()),
            message: format!(
                "{} is a loose {} package, but the published submission ships the bundle {}: once an app has shipped a bundle the Store expects bundles (users report loose packages refused); put every architecture in one .msixbundle",
                p.file_name,
                p.architecture.as_deref().unwrap_or_default(),
                bundle.file_name
            ),
            input: "packages",
        })
        .collect()
}

/// Runs the pre-flight for a submit, before the zip and before any write: reads the app
/// (for its identity) and the product's last published submission, checks, logs, and
/// records the result in `summary`. Fails with exit 2 on any error finding.
pub async fn run(submit: &Submit<'_>, summary: &mut RunSummary) -> Result<()> {
    let packages = submit.packages;
    if packages.is_empty() || submit.product.packages_field().is_none() {
        return Ok(());
    }
    submit.reporter.group_start("Pre-flight checks");
    let result = async {
        let preflight = gather(submit).await?;
        for line in preflight.log_lines() {
            tracing::info!("{line}");
        }
        for finding in &preflight.findings {
            if finding.severity == Severity::Warning {
                submit.reporter.warning(&finding.message);
            }
        }
        Ok::<_, Error>(preflight)
    }
    .await;
    submit.reporter.group_end();
    let preflight = result?;
    submit.reporter.add_result(
        "preflight",
        serde_json::to_value(&preflight).unwrap_or_default(),
    );
    let problems = preflight.problems();
    summary.preflight = Some(preflight);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// The reads and the checks, without logging: what a dry run shows as its plan.
pub async fn gather(submit: &Submit<'_>) -> Result<Preflight> {
    let client = submit.client;
    let product = submit.product;
    let config = submit.config;
    let read = |path: String, what: String| async move {
        client
            .get(&path)
            .await
            .map_err(|e| e.into_error(&format!("reading {what}")))
    };
    // A product that does not exist is the input that names it (exit 2).
    let resource = crate::products::read_product(client, product).await?;
    let app = match product {
        ProductRef::Flight { app_id, .. } => {
            let app = ProductRef::App {
                app_id: app_id.clone(),
            };
            Some(crate::products::read_product(client, &app).await?)
        }
        ProductRef::App { .. } => Some(resource.clone()),
        ProductRef::Addon { .. } => None,
    };
    let published = match crate::products::pending_id(&resource, product.published_field()) {
        Some(id) => Some(
            read(
                product.submission_path(&id),
                format!("published submission {id}"),
            )
            .await?,
        ),
        None => None,
    };
    let identity_name = app
        .as_ref()
        .and_then(|a| string_field(a, "packageIdentityName"));
    let publisher = app.as_ref().and_then(|a| string_field(a, "publisherName"));
    Ok(check(
        submit.packages,
        &Context {
            identity_name: identity_name.as_deref(),
            publisher: publisher.as_deref(),
            published: published.as_ref(),
            product,
            changes: &config.changes,
            allow_dropped: config.allow_dropped_platforms,
        },
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::PackageMode;
    use crate::package::manifest::{AppxManifest, Format};

    const NAME: &str = "Contoso.Reader";
    const PUBLISHER: &str = "CN=Contoso";

    fn app(version: &str, arch: &str, families: &[&str]) -> AppxManifest {
        AppxManifest {
            file_name: format!("Reader_{version}_{arch}.msix"),
            name: NAME.into(),
            publisher: PUBLISHER.into(),
            version: Version::parse(version).unwrap(),
            architecture: arch.into(),
            resource_id: None,
            device_families: families
                .iter()
                .map(|f| DeviceFamily {
                    name: f.to_string(),
                    min_version: Some("10.0.17763.0".into()),
                })
                .collect(),
            languages: vec!["en-us".into()],
            capabilities: vec![],
        }
    }

    fn loose(version: &str, arch: &str, families: &[&str]) -> PackageInfo {
        let manifest = app(version, arch, families);
        PackageInfo {
            file_name: manifest.file_name.clone(),
            format: Format::Package,
            upload: None,
            name: NAME.into(),
            publisher: PUBLISHER.into(),
            version: manifest.version,
            architecture: Some(arch.into()),
            applications: vec![manifest],
            resources: vec![],
        }
    }

    fn bundle(version: &str, arches: &[&str]) -> PackageInfo {
        PackageInfo {
            file_name: format!("Reader_{version}.msixbundle"),
            format: Format::Bundle,
            upload: None,
            name: NAME.into(),
            publisher: PUBLISHER.into(),
            version: Version::parse(version).unwrap(),
            architecture: None,
            applications: arches
                .iter()
                .map(|a| app(version, a, &["Windows.Desktop"]))
                .collect(),
            resources: vec![],
        }
    }

    fn published(entries: Value) -> Value {
        json!({"id": "1152921504621086517", "applicationPackages": entries})
    }

    fn entry(name: &str, version: &str, arch: &str, families: &[&str]) -> Value {
        json!({
            "fileName": name, "fileStatus": "Uploaded", "version": version,
            "architecture": arch,
            "targetDeviceFamilies": families.iter().map(|f| format!("{f} min version 10.0.10240.0")).collect::<Vec<_>>(),
            "minimumDirectXVersion": "None", "minimumSystemRam": "None",
        })
    }

    fn run(
        packages: &[PackageInfo],
        published: &Value,
        mode: PackageMode,
        allow: bool,
    ) -> Preflight {
        let product = ProductRef::App {
            app_id: "9NBLGGH4R315".into(),
        };
        let changes = SubmissionChanges {
            packages: packages.iter().map(|p| p.file_name.clone()).collect(),
            package_mode: mode,
            ..Default::default()
        };
        check(
            packages,
            &Context {
                identity_name: Some(NAME),
                publisher: Some(PUBLISHER),
                published: Some(published),
                product: &product,
                changes: &changes,
                allow_dropped: allow,
            },
        )
    }

    fn of(preflight: &Preflight, check: Check) -> Vec<(Severity, String)> {
        preflight
            .findings
            .iter()
            .filter(|f| f.check == check)
            .map(|f| (f.severity, f.message.clone()))
            .collect()
    }

    #[test]
    fn a_true_update_passes() {
        let p = run(
            &[loose("1.0.1.0", "x64", &["Windows.Desktop"])],
            &published(json!([entry(
                "old.msix",
                "1.0.0.0",
                "x64",
                &["Windows.Desktop"]
            )])),
            PackageMode::Replace,
            false,
        );
        assert!(p.findings.is_empty(), "{:?}", p.findings);
        assert!(p.log_lines().last().unwrap().contains("passed"));
    }

    #[test]
    fn identity_must_match_the_reservation() {
        let mut package = loose("1.0.1.0", "x64", &["Windows.Desktop"]);
        package.publisher = "CN=Someone Else".into();
        package.applications[0].publisher = "CN=Someone Else".into();
        package.name = "contoso.reader".into();
        package.applications[0].name = "contoso.reader".into();
        let p = run(
            &[package],
            &published(json!([])),
            PackageMode::Replace,
            false,
        );
        let found = of(&p, Check::Identity);
        // The name differs in case only (Windows ignores case there); the publisher differs.
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("CN=Someone Else"), "{found:?}");
        assert_eq!(p.problems()[0].input, "packages");
    }

    #[test]
    fn versions_must_rise_per_architecture_and_family() {
        let published = published(json!([
            entry("x64.msix", "1.0.5.0", "x64", &["Windows.Desktop"]),
            entry("arm.msix", "2.0.0.0", "ARM", &["Windows.Mobile"]),
        ]));
        // 1.0.5.0 on x64 is not higher; ARM's 2.0.0.0 (another arch and family) does not count.
        let p = run(
            &[
                loose("1.0.5.0", "x64", &["Windows.Desktop"]),
                loose("1.0.6.0", "arm", &["Windows.Mobile"]),
            ],
            &published,
            PackageMode::Add,
            false,
        );
        let found = of(&p, Check::Version);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].1.contains("not higher than 1.0.5.0 of x64.msix"));
        assert!(found[1].1.contains("not higher than 2.0.0.0 of arm.msix"));
    }

    #[test]
    fn dropping_an_architecture_or_family() {
        let published = published(json!([entry(
            "contoso_app.appx",
            "1.0.0.0",
            "ARM",
            &["Windows.Mobile"]
        )]));
        let new = [loose("1.0.1.0", "x64", &["Windows.Desktop"])];
        let replace = run(&new, &published, PackageMode::Replace, false);
        let found = of(&replace, Check::Coverage);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(s, _)| *s == Severity::Error));
        assert!(found[0].1.contains("architecture arm"), "{found:?}");
        assert!(
            found[1].1.contains("device family Windows.Mobile"),
            "{found:?}"
        );
        assert_eq!(replace.problems()[0].input, ALLOW_DROPPED_INPUT);

        let add = run(&new, &published, PackageMode::Add, false);
        assert!(
            of(&add, Check::Coverage)
                .iter()
                .all(|(s, m)| *s == Severity::Warning && m.contains("keep the old version"))
        );
        let allowed = run(&new, &published, PackageMode::Replace, true);
        assert!(allowed.errors().next().is_none());
        assert_eq!(of(&allowed, Check::Coverage).len(), 2);

        // Universal packages serve every family; a neutral one every architecture.
        let universal = run(
            &[loose("1.0.1.0", "neutral", &["Windows.Universal"])],
            &published,
            PackageMode::Replace,
            false,
        );
        assert!(of(&universal, Check::Coverage).is_empty());
    }

    #[test]
    fn duplicates_and_bundle_to_loose() {
        let mut twin = loose("1.0.1.0", "x64", &["Windows.Desktop"]);
        twin.file_name = "Copy.msix".into();
        let p = run(
            &[loose("1.0.1.0", "x64", &["Windows.Desktop"]), twin],
            &published(json!([entry(
                "App.msixbundle",
                "1.0.0.0",
                "Neutral",
                &["Windows.Desktop"]
            )])),
            PackageMode::Replace,
            false,
        );
        assert_eq!(of(&p, Check::Duplicate).len(), 1);
        let loose_over_bundle = of(&p, Check::BundleToLoose);
        assert_eq!(loose_over_bundle.len(), 2);
        assert!(
            loose_over_bundle
                .iter()
                .all(|(s, _)| *s == Severity::Warning)
        );
        // Same version on two architectures is normal.
        let fine = local_findings(&[
            loose("1.0.1.0", "x64", &["Windows.Desktop"]),
            loose("1.0.1.0", "arm64", &["Windows.Desktop"]),
        ]);
        assert!(fine.is_empty(), "{fine:?}");
        // A bundle replacing a bundle: no warning, and its architectures are compared.
        let bundles = run(
            &[bundle("1.1.0.0", &["x64", "arm64"])],
            &published(json!([entry(
                "App.msixbundle",
                "1.0.0.0",
                "Neutral",
                &["Windows.Desktop"]
            )])),
            PackageMode::Replace,
            false,
        );
        assert!(bundles.findings.is_empty(), "{:?}", bundles.findings);
    }
}
