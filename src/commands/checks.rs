//! The checks of the inputs that need a room above `config` (ARCHITECTURE.md: `config` is a
//! leaf), before anything is sent: validation applies the rules handed to it (a patch's
//! price, `submission::safety`); right after it every new package's manifest is read
//! (`package::manifest`) and the packages are checked against each other
//! (`submission::preflight::local_findings`). Their problems join validation's in the one
//! list, where validation would have found them, so a run still fails with every problem at
//! once (exit 2, docs/exit-codes.md).

use std::sync::Arc;

use crate::auth::ClientCertificate;
use crate::config::{
    self, ClientKey, Config, Environment, InputProblem, Inputs, ManifestReads, ManifestSource,
    Rules,
};
use crate::package::manifest::{self, PackageInfo};

/// The rules of the rooms above `config` that validation applies.
const RULES: Rules = Rules {
    patch_price_problem: crate::submission::safety::patch_price_problem,
    client_certificate,
};

/// The certificate and its key (`auth`), read from the PEM text of `client-certificate(-file)`.
fn client_certificate(pem: &str) -> Result<Arc<dyn ClientKey>, String> {
    Ok(Arc::new(ClientCertificate::from_pem(pem)?))
}

/// Validates the inputs and reads the new packages' manifests: the config and the packages,
/// or every problem found.
pub(crate) fn validate(
    inputs: &Inputs,
    env: &Environment,
) -> Result<(Config, Vec<PackageInfo>), Vec<InputProblem>> {
    let (validated, reads) = config::validate(inputs, env, &RULES);
    let (packages, found) = read_manifests(inputs, &reads);
    match validated {
        Ok(config) if found.is_empty() => Ok((config, packages)),
        Ok(_) => Err(found),
        Err(mut problems) => {
            let at = reads.problems_before.min(problems.len());
            problems.splice(at..at, found);
            Err(problems)
        }
    }
}

/// Reads every listed manifest; a package that cannot be read, or two copies of one, is an
/// input problem.
fn read_manifests(inputs: &Inputs, reads: &ManifestReads) -> (Vec<PackageInfo>, Vec<InputProblem>) {
    let mut read = Vec::new();
    let mut problems = Vec::new();
    for package in &reads.packages {
        let result = match &package.source {
            ManifestSource::InZip(zip) => manifest::read_package_in_zip(zip, &package.name),
            ManifestSource::File(path) => manifest::read_package_file(path, &package.name),
        };
        match result {
            Ok(info) => read.push(info),
            Err(e) => problems.push(InputProblem::of_given(
                inputs,
                package.input,
                format!("{}: {e}", package.shown),
            )),
        }
    }
    for finding in crate::submission::preflight::local_findings(&read) {
        problems.push(InputProblem::of_given(
            inputs,
            finding.input,
            finding.message,
        ));
    }
    (read, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Command, Credential};

    const EXAMPLE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/contoso-app/ContosoReader_1.0.1.0_x64.msix"
    );

    fn env() -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment {
            cwd: dir.path().to_path_buf(),
            temp_dir: dir.path().join("tmp"),
            temp_is_system: true,
            platform_identity: Default::default(),
        };
        (dir, env)
    }

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        let mut inputs = Inputs::default();
        for (k, v) in [
            ("tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ("client-id", "11111111-2222-3333-4444-555555555555"),
            ("client-secret", "s3cret"),
        ]
        .iter()
        .chain(pairs)
        {
            inputs.set(k, v);
        }
        inputs
    }

    #[test]
    fn the_manifests_are_read_before_any_call() {
        let (dir, env) = env();
        std::fs::copy(EXAMPLE, dir.path().join("App_1.0.0.0_x64.msix")).unwrap();
        let pairs = [("app-id", "9NBLGGH4R315"), ("packages", "*.msix")];
        let (config, packages) = validate(&inputs(&pairs), &env).unwrap();
        assert!(matches!(config.command, Command::Submit(_)));
        // The version is the package's, not the file name's.
        assert_eq!(packages[0].version.to_string(), "1.0.1.0");

        // A file that is not a package is an input problem before any network call.
        std::fs::write(dir.path().join("App_1.0.0.0_x64.msix"), b"x").unwrap();
        let found = validate(&inputs(&pairs), &env).unwrap_err();
        assert_eq!(found[0].input, "packages");
        assert!(
            found[0].message.contains("it is not a valid zip"),
            "{found:?}"
        );
    }

    #[test]
    fn manifest_problems_join_the_others_where_validation_found_them() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("App.msix"), b"x").unwrap();
        // `timeout` is checked before the packages, `allow-dropped-platforms` after them.
        let pairs = [
            ("app-id", "9NBLGGH4R315"),
            ("packages", "App.msix"),
            ("timeout", "soon"),
            ("allow-dropped-platforms", "maybe"),
        ];
        let found = validate(&inputs(&pairs), &env).unwrap_err();
        let order: Vec<&str> = found.iter().map(|p| p.input.as_str()).collect();
        let at = |name: &str| order.iter().position(|i| *i == name).expect(name);
        assert!(
            at("timeout") < at("packages") && at("packages") < at("allow-dropped-platforms"),
            "{found:?}"
        );
        // Both copies of one package are found even when other inputs have problems.
        std::fs::copy(EXAMPLE, dir.path().join("App.msix")).unwrap();
        std::fs::copy(EXAMPLE, dir.path().join("Copy.msix")).unwrap();
        let pairs = [
            ("app-id", "9NBLGGH4R315"),
            ("packages", "App.msix\nCopy.msix"),
            ("timeout", "soon"),
        ];
        let found = validate(&inputs(&pairs), &env).unwrap_err();
        assert!(
            found
                .iter()
                .any(|p| p.input == "packages" && p.message.contains("both hold")),
            "{found:?}"
        );
    }

    #[test]
    fn a_patch_that_removes_the_price_is_an_input_problem() {
        let (_dir, env) = env();
        let pairs = [
            ("app-id", "9NBLGGH4R315"),
            ("submission-patch", r#"{"pricing": null}"#),
        ];
        let found = validate(&inputs(&pairs), &env).unwrap_err();
        assert!(
            found
                .iter()
                .any(|p| p.input == "submission-patch" && p.message.contains("removes the price")),
            "{found:?}"
        );
    }

    // ----- the certificate, read by `auth` -----

    const RSA_PEM: &str = include_str!("../../tests/fixtures/sign-in/rsa.pem");
    const EC_PEM: &str = include_str!("../../tests/fixtures/sign-in/ec-sec1.pem");

    /// The credential of a `status` run (no files needed) with the tenant, the client and
    /// the given inputs.
    fn sign_in(pairs: &[(&str, &str)], env: &Environment) -> Result<Config, Vec<InputProblem>> {
        let mut inputs = Inputs::default();
        for (k, v) in [
            ("command", "status"),
            ("app-id", "9NBLGGH4R315"),
            ("tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ("client-id", "11111111-2222-3333-4444-555555555555"),
        ]
        .iter()
        .chain(pairs)
        {
            inputs.set(k, v);
        }
        validate(&inputs, env).map(|(config, _)| config)
    }

    fn credential_of(config: Config) -> Credential {
        match config.command {
            Command::Status(status) => status.session.credential,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn certificates_are_read_and_checked_before_any_request() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("cert.pem"), RSA_PEM).unwrap();
        std::fs::write(dir.path().join("ec.pem"), EC_PEM).unwrap();
        let config = sign_in(&[("client-certificate-file", "cert.pem")], &env).unwrap();
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        let Credential::Certificate { certificate, .. } = credential_of(config) else {
            panic!("not a certificate")
        };
        assert!(certificate.subject().contains("CN=msstore-submit test"));
        assert!(!certificate.is_ec());

        // EC keys are accepted, with a warning that Entra ID has refused them so far.
        let config = sign_in(&[("client-certificate-file", "ec.pem")], &env).unwrap();
        assert!(
            config.warnings.iter().any(|w| w.contains("AADSTS5002738")),
            "{:?}",
            config.warnings
        );

        // The PEM as text, and base64-encoded whole (for CI variables without line breaks).
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(RSA_PEM);
        for text in [RSA_PEM.to_string(), encoded] {
            assert!(matches!(
                credential_of(sign_in(&[("client-certificate", text.as_str())], &env).unwrap()),
                Credential::Certificate { .. }
            ));
        }

        let found = sign_in(&[("client-certificate", "not a pem")], &env).unwrap_err();
        assert_eq!(found[0].input, "client-certificate", "{found:?}");
        assert!(found[0].message.contains("is not PEM"), "{found:?}");
    }

    #[test]
    fn simulate_ignores_federated_sign_in_but_uses_a_certificate() {
        let (dir, env) = env();
        std::fs::write(dir.path().join("cert.pem"), RSA_PEM).unwrap();
        use base64::Engine;
        let base64url =
            |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwt = format!(
            "{}.{}.c2lnbmF0dXJl",
            base64url(br#"{"alg":"RS256"}"#),
            base64url(br#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:environment:prod"}"#)
        );
        let config = sign_in(
            &[("simulate", "true"), ("federated-token", jwt.as_str())],
            &env,
        )
        .unwrap();
        assert!(
            config
                .warnings
                .iter()
                .any(|w| w.contains("`federated-token` ignored"))
        );
        assert!(matches!(
            credential_of(config),
            Credential::SimulatorDefault
        ));

        let pairs = [
            ("simulate", "true"),
            ("client-certificate-file", "cert.pem"),
        ];
        assert!(matches!(
            credential_of(sign_in(&pairs, &env).unwrap()),
            Credential::Certificate { .. }
        ));
    }
}
