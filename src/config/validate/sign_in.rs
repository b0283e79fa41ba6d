//! Sign-in inputs: a client secret, a certificate (read and checked before any request) or a
//! federated token, the tenant and the client (docs/inputs.md, docs/authentication.md).

use super::*;

impl Check<'_> {
    /// Which way to sign in, from which inputs are given; conflicting or incomplete
    /// combinations are problems that list the valid ones.
    pub(super) fn credential(&mut self, simulate: bool) -> Option<Credential> {
        let mut conflict = false;
        for (text, file) in [
            ("client-certificate", "client-certificate-file"),
            ("federated-token", "federated-token-file"),
        ] {
            if self.inputs.is_given(text) && self.inputs.is_given(file) {
                self.problem(
                    file,
                    format!("cannot be combined with `{text}`: give the value or a file, not both"),
                );
                conflict = true;
            }
        }
        let kinds: Vec<&str> = [
            "client-secret",
            "client-certificate",
            "client-certificate-file",
            "federated-token",
            "federated-token-file",
            "access-token",
        ]
        .into_iter()
        .filter(|name| self.inputs.is_given(name))
        .filter(|name| {
            // A value/file pair is one way to sign in; giving both is reported above.
            let pair_seen = match *name {
                "client-certificate-file" => self.inputs.is_given("client-certificate"),
                "federated-token-file" => self.inputs.is_given("federated-token"),
                _ => false,
            };
            !pair_seen
        })
        .collect();
        if let [first, second, ..] = kinds[..] {
            self.problem(
                second,
                format!("cannot be combined with `{first}`: {SIGN_IN_CHOICES}"),
            );
            conflict = true;
        }
        let connection = self.inputs.value("azure-service-connection-id");
        if let (Some(_), Some(first)) = (connection, kinds.first())
            && !simulate
        {
            self.problem(
                "azure-service-connection-id",
                format!(
                    "is only for signing in with the Azure Pipelines OIDC token, so it cannot be combined with `{first}`: {SIGN_IN_CHOICES}"
                ),
            );
            conflict = true;
        }
        if conflict {
            return None;
        }

        if let Some(token) = self.inputs.value("access-token") {
            if token.chars().any(char::is_whitespace) || token.starts_with("Bearer ") {
                self.problem(
                    "access-token",
                    "must be the bare token, without `Bearer ` or whitespace",
                );
                return None;
            }
            let ignored: Vec<String> = ["tenant-id", "client-id"]
                .into_iter()
                .filter(|name| self.inputs.is_given(name))
                .map(|name| format!("`{name}`"))
                .collect();
            if !ignored.is_empty() {
                self.warnings.push(format!(
                    "{} ignored: `access-token` is used as it is, without signing in",
                    ignored.join(", ")
                ));
            }
            return Some(Credential::AccessToken(SecretString::from(
                token.to_string(),
            )));
        }
        let kind = kinds.first().copied();
        if simulate {
            // The built-in simulator can check a secret or a certificate it is given, but
            // not a token from an issuer it does not know.
            let federated = matches!(kind, Some("federated-token" | "federated-token-file"));
            if federated || connection.is_some() {
                let name = kind.unwrap_or("azure-service-connection-id");
                self.warnings.push(format!(
                    "`{name}` ignored: `simulate` signs in with the simulator's own credentials"
                ));
            }
            if kind.is_none() || federated {
                return Some(Credential::SimulatorDefault);
            }
        }

        let tenant_id = self.tenant_id();
        let client_id = self.guid_required("client-id", "the application (client) id");
        match kind {
            Some("client-secret") => {
                let secret = self.inputs.value("client-secret")?.to_string();
                Some(Credential::ClientSecret {
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    secret: SecretString::from(secret),
                })
            }
            Some("client-certificate" | "client-certificate-file") => {
                let certificate = self.certificate();
                Some(Credential::Certificate {
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    certificate: certificate?,
                })
            }
            Some(name @ ("federated-token" | "federated-token-file")) => {
                let source = self.federated_token(name);
                Some(Credential::Federated {
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    source: source?,
                })
            }
            _ => {
                let source = self.platform_federated(connection);
                Some(Credential::Federated {
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    source: source?,
                })
            }
        }
    }

    /// `client-certificate` (PEM text, or that PEM base64-encoded for CI variables that
    /// cannot hold line breaks) or `client-certificate-file`, read and checked now.
    pub(super) fn certificate(&mut self) -> Option<Arc<dyn ClientKey>> {
        let (name, text) = match self.inputs.value("client-certificate") {
            Some(text) => ("client-certificate", text.to_string()),
            None => {
                let path = self.existing_file("client-certificate-file")?;
                match std::fs::read(&path) {
                    Ok(bytes) => (
                        "client-certificate-file",
                        String::from_utf8_lossy(&bytes).into_owned(),
                    ),
                    Err(e) => {
                        self.problem(
                            "client-certificate-file",
                            format!("cannot read {}: {e}", path.display()),
                        );
                        return None;
                    }
                }
            }
        };
        let text = pem_text(&text);
        let certificate = match (self.rules.client_certificate)(&text) {
            Ok(certificate) => certificate,
            Err(message) => {
                self.problem(name, message);
                return None;
            }
        };
        let described = format!(
            "the certificate `{}` (thumbprint {})",
            certificate.subject(),
            certificate.thumbprint_sha1_hex()
        );
        match validity(
            certificate.not_before(),
            certificate.not_after(),
            jiff::Timestamp::now(),
        ) {
            Validity::Expired(on) => {
                self.problem(
                    name,
                    format!(
                        "{described} expired on {on}: create a new one, upload it to the app registration (Certificates & secrets → Certificates) and use it here"
                    ),
                );
                return None;
            }
            Validity::NotYet(from) => {
                self.problem(
                    name,
                    format!("{described} is not valid until {from}: check this machine's clock"),
                );
                return None;
            }
            Validity::ExpiresSoon { on, days } => self.warnings.push(format!(
                "`{name}`: {described} expires on {on}, in {days} days: create a new one and upload it to the app registration before then"
            )),
            Validity::Valid => {}
        }
        if certificate.is_ec() {
            self.warnings.push(format!(
                "`{name}` holds an EC key: Entra ID has so far accepted only RSA keys for client assertions; if sign-in fails with AADSTS5002738, use an RSA certificate"
            ));
        }
        Some(certificate)
    }

    /// `federated-token` or `federated-token-file`: it must look like a JWT now; the file
    /// is read again for every sign-in.
    pub(super) fn federated_token(&mut self, name: &str) -> Option<FederatedSource> {
        let (source, text) = if name == "federated-token" {
            let text = self.inputs.value(name)?.trim().to_string();
            (
                FederatedSource::Token(SecretString::from(text.clone())),
                text,
            )
        } else {
            let path = self.existing_file(name)?;
            match std::fs::read_to_string(&path) {
                Ok(text) => (FederatedSource::File(path), text.trim().to_string()),
                Err(e) => {
                    self.problem(name, format!("cannot read {}: {e}", path.display()));
                    return None;
                }
            }
        };
        if Jws::parse(&text).is_none() {
            self.problem(
                name,
                "is not a JWT (three base64url parts separated by dots): give the OIDC token itself, without quotes or a `Bearer ` prefix",
            );
            return None;
        }
        Some(source)
    }

    pub(super) fn tenant_id(&mut self) -> Option<String> {
        let Some(text) = self.inputs.value("tenant-id") else {
            self.problem(
                "tenant-id",
                "is required: the Entra ID tenant GUID (Partner Center → Account settings → Tenants)",
            );
            return None;
        };
        let text = text.trim();
        let is_domain = text.contains('.')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if is_guid(text) || is_domain {
            Some(text.to_string())
        } else {
            self.problem(
                "tenant-id",
                format!("`{text}` is not a tenant GUID (like 72f988bf-86f1-41af-91ab-2d7cd011db47) or domain"),
            );
            None
        }
    }
}

/// Where a certificate stands today.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Validity {
    Valid,
    ExpiresSoon { on: String, days: i64 },
    Expired(String),
    NotYet(String),
}

pub(super) fn validity(
    not_before: jiff::Timestamp,
    not_after: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Validity {
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
    if not_after <= now {
        return Validity::Expired(day(not_after));
    }
    if not_before > now {
        return Validity::NotYet(day(not_before));
    }
    let days = (not_after.as_second() - now.as_second()) / 86_400;
    if days < CERTIFICATE_WARNING_DAYS {
        return Validity::ExpiresSoon {
            on: day(not_after),
            days,
        };
    }
    Validity::Valid
}

/// A PEM given as text: as is, or decoded when it was base64-encoded whole (CI variables
/// that cannot hold line breaks), or with `\n` escapes turned back into line breaks.
pub(super) fn pem_text(text: &str) -> String {
    use base64::Engine;
    if text.contains("-----BEGIN ") {
        if !text.contains('\n') && text.contains("\\n") {
            return text.replace("\\n", "\n");
        }
        return text.to_string();
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match base64::engine::general_purpose::STANDARD.decode(compact) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(decoded) if decoded.contains("-----BEGIN ") => decoded,
            _ => text.to_string(),
        },
        Err(_) => text.to_string(),
    }
}
