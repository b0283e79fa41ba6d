//! Certificate sign-in: a PEM holding the certificate and its private key, and the client
//! assertion signed with that key (Entra ID "certificate credentials").
//!
//! What Entra ID expects (learn.microsoft.com/entra/identity-platform/certificate-credentials,
//! 2025): header `alg` PS256, `typ` JWT, `x5t#S256` (base64url SHA-256 of the certificate's
//! DER); claims `aud` = the token endpoint, `iss` = `sub` = the client id, `jti`, `nbf`,
//! `iat`, `exp` 5–10 minutes after `nbf`. Older versions of that page (and MSAL for ADFS)
//! use RS256 with `x5t` (SHA-1), and one report (MicrosoftDocs/entra-docs#1301) has
//! `x5t#S256` alone refused with AADSTS700027, so both thumbprints are sent; Entra looks the
//! key up by either. EC keys sign ES256/ES384, which Entra ID has so far refused for client
//! assertions (RSA only): the tool signs them anyway and says so if Entra refuses.

use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::pem::{PemObject, SectionKind};
use serde_json::json;
use x509_cert::der::Decode;

use super::jws;
use crate::config::ClientKey;

/// How long a client assertion is valid: MSAL's ten minutes, inside Entra's advice of
/// "5–10 minutes after nbf at most". It is used within seconds.
const ASSERTION_LIFETIME_SECONDS: i64 = 600;

pub struct ClientCertificate {
    key: SigningKey,
    /// The certificate (public), DER.
    der: Vec<u8>,
    /// The certificate's subject (RFC 4514), for messages.
    subject: String,
    not_before: jiff::Timestamp,
    not_after: jiff::Timestamp,
    sha1: Vec<u8>,
    sha256: Vec<u8>,
    /// The private key's base64 lines, which the runner must mask.
    secret_lines: Vec<String>,
}

enum SigningKey {
    Rsa(RsaKeyPair),
    Ec {
        key: EcdsaKeyPair,
        alg: &'static str,
    },
}

impl SigningKey {
    fn parse(kind: SectionKind, der: &[u8]) -> Result<SigningKey, String> {
        let rsa = match kind {
            SectionKind::RsaPrivateKey => RsaKeyPair::from_der(der).map_err(|e| e.to_string()),
            SectionKind::PrivateKey => RsaKeyPair::from_pkcs8(der).map_err(|e| e.to_string()),
            _ => Err("not RSA".into()),
        };
        let rsa_error = match rsa {
            Ok(key) => return Ok(SigningKey::Rsa(key)),
            Err(e) => e,
        };
        if kind != SectionKind::RsaPrivateKey {
            for (algorithm, alg) in [
                (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "ES256"),
                (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "ES384"),
            ] {
                if let Ok(key) = EcdsaKeyPair::from_private_key_der(algorithm, der) {
                    return Ok(SigningKey::Ec { key, alg });
                }
            }
        }
        Err(match kind {
            SectionKind::EcPrivateKey => {
                "the EC private key is not on curve P-256 or P-384".to_string()
            }
            _ => format!(
                "the private key is not an RSA key of 2048 to 8192 bits or an EC key on P-256 or P-384 ({rsa_error})"
            ),
        })
    }

    fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => "PS256",
            SigningKey::Ec { alg, .. } => alg,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            SigningKey::Rsa(key) => key.public_key().as_ref(),
            SigningKey::Ec { key, .. } => key.public_key().as_ref(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        match self {
            SigningKey::Rsa(key) => {
                let mut out = vec![0; key.public_modulus_len()];
                key.sign(&signature::RSA_PSS_SHA256, &rng, message, &mut out)
                    .map_err(|_| "RSA signing failed".to_string())?;
                Ok(out)
            }
            SigningKey::Ec { key, .. } => key
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "ECDSA signing failed".to_string()),
        }
    }
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("subject", &self.subject)
            .field("thumbprint", &self.thumbprint_sha1_hex())
            .field("key", &self.key.alg())
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Reads the certificate and its private key from PEM text. A chain may follow; the
    /// certificate used is the one the key belongs to. The error says what is wrong and how
    /// to make a usable file, never what the file holds.
    pub fn from_pem(text: &str) -> Result<ClientCertificate, String> {
        if !text.contains("-----BEGIN ") {
            return Err(format!(
                "is not PEM: expected a `-----BEGIN CERTIFICATE-----` and a `-----BEGIN PRIVATE KEY-----` block{PFX_HINT}"
            ));
        }
        if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(format!(
                "the private key is encrypted with a password; export it without one{PFX_HINT}"
            ));
        }
        let mut certificates = Vec::new();
        let mut keys = Vec::new();
        for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(text.as_bytes()) {
            let (kind, der) = section.map_err(|_| {
                "is not valid PEM (a block is cut short or its base64 is damaged)".to_string()
            })?;
            match kind {
                SectionKind::Certificate => certificates.push(der),
                SectionKind::PrivateKey
                | SectionKind::RsaPrivateKey
                | SectionKind::EcPrivateKey => keys.push((kind, der)),
                _ => {}
            }
        }
        let (kind, key_der) = match keys.len() {
            0 => {
                return Err(format!(
                    "holds no private key (a `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY` block): the certificate alone cannot sign{PFX_HINT}"
                ));
            }
            1 => keys.pop().expect("one key"),
            n => {
                return Err(format!(
                    "holds {n} private keys; keep only the certificate's"
                ));
            }
        };
        if certificates.is_empty() {
            return Err(
                "holds no certificate (a `CERTIFICATE` block): Entra ID finds the key by the certificate's thumbprint, so put the certificate in the same PEM as the key".into(),
            );
        }
        let key = SigningKey::parse(kind, &key_der)?;
        let mut parsed = Vec::new();
        for der in &certificates {
            let certificate = x509_cert::Certificate::from_der(der)
                .map_err(|_| "a `CERTIFICATE` block is not an X.509 certificate".to_string())?;
            parsed.push((der, certificate));
        }
        let Some((der, certificate)) = parsed.into_iter().find(|(_, c)| {
            c.tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes()
                == key.public_key()
        }) else {
            return Err(
                "the private key does not belong to the certificate (their public keys differ)"
                    .into(),
            );
        };
        let tbs = certificate.tbs_certificate();
        let time = |t: x509_cert::time::Time| {
            jiff::Timestamp::from_second(t.to_unix_duration().as_secs() as i64)
                .unwrap_or(jiff::Timestamp::MAX)
        };
        let secret_lines = pem_lines_of(text, kind);
        Ok(ClientCertificate {
            key,
            der: der.clone(),
            subject: tbs.subject().to_string(),
            not_before: time(tbs.validity().not_before),
            not_after: time(tbs.validity().not_after),
            sha1: digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der)
                .as_ref()
                .to_vec(),
            sha256: digest::digest(&digest::SHA256, der).as_ref().to_vec(),
            secret_lines,
        })
    }
}

impl ClientKey for ClientCertificate {
    fn subject(&self) -> &str {
        &self.subject
    }

    fn not_before(&self) -> jiff::Timestamp {
        self.not_before
    }

    fn not_after(&self) -> jiff::Timestamp {
        self.not_after
    }

    fn thumbprint_sha1_hex(&self) -> String {
        hex::encode_upper(&self.sha1)
    }

    fn certificate_pem(&self) -> String {
        use base64::Engine;
        let body = base64::engine::general_purpose::STANDARD.encode(&self.der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|chunk| std::str::from_utf8(chunk).expect("base64 is ASCII"))
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }

    fn is_ec(&self) -> bool {
        matches!(self.key, SigningKey::Ec { .. })
    }

    fn secret_lines(&self) -> &[String] {
        &self.secret_lines
    }

    fn assertion(&self, client_id: &str, audience: &str) -> Result<String, String> {
        let now = jiff::Timestamp::now().as_second();
        let header = json!({
            "alg": self.key.alg(),
            "typ": "JWT",
            "x5t": jws::base64url(&self.sha1),
            "x5t#S256": jws::base64url(&self.sha256),
        });
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        });
        jws::sign(&header, &claims, |input| self.key.sign(input))
    }
}

const PFX_HINT: &str = " (from a .pfx: `openssl pkcs12 -in cert.pfx -nodes -out cert.pem`)";

/// The base64 lines of the `kind` block, which are what a log could show of the key.
fn pem_lines_of(text: &str, kind: SectionKind) -> Vec<String> {
    let label = match kind {
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        SectionKind::EcPrivateKey => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    text.lines()
        .map(str::trim)
        .skip_while(|line| *line != begin)
        .skip(1)
        .take_while(|line| *line != end)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Test certificates (self-signed, valid 2026–2126), made with openssl: see
    /// `tests/fixtures/sign-in/README.md`.
    pub const RSA_PEM: &str = include_str!("../../tests/fixtures/sign-in/rsa.pem");
    pub const EC_PEM: &str = include_str!("../../tests/fixtures/sign-in/ec-sec1.pem");
    pub const OTHER_RSA_PEM: &str = include_str!("../../tests/fixtures/sign-in/other-rsa.pem");

    #[test]
    fn rsa_certificate_signs_a_ps256_assertion_entra_can_check() {
        let certificate = ClientCertificate::from_pem(RSA_PEM).unwrap();
        assert_eq!(certificate.key.alg(), "PS256");
        assert!(certificate.subject.contains("CN=msstore-submit test"));
        let token = certificate
            .assertion(
                "11111111-2222-3333-4444-555555555555",
                "https://login.microsoftonline.com/t/oauth2/v2.0/token",
            )
            .unwrap();
        let parsed = jws::Jws::parse(&token).unwrap();
        assert_eq!(parsed.alg(), "PS256");
        assert_eq!(parsed.header_str("typ"), Some("JWT"));
        assert_eq!(
            parsed.header_str("x5t#S256").unwrap().len(),
            43,
            "base64url of 32 bytes"
        );
        assert_eq!(parsed.header_str("x5t").unwrap().len(), 27);
        assert_eq!(
            parsed.claim_str("iss"),
            Some("11111111-2222-3333-4444-555555555555")
        );
        assert_eq!(parsed.claim_str("sub"), parsed.claim_str("iss"));
        let exp = parsed.claim_time("exp").unwrap();
        let nbf = parsed.claim_time("nbf").unwrap();
        assert_eq!(exp - nbf, 600);
        assert_eq!(parsed.verify(certificate.key.public_key()), Ok(()));
        // A new jti every time: an assertion is never replayed.
        let again = certificate.assertion("c", "a").unwrap();
        assert_ne!(
            jws::Jws::parse(&again).unwrap().claim_str("jti"),
            parsed.claim_str("jti")
        );
    }

    #[test]
    fn ec_key_in_sec1_form_signs_es256() {
        let certificate = ClientCertificate::from_pem(EC_PEM).unwrap();
        assert_eq!(certificate.key.alg(), "ES256");
        assert!(certificate.is_ec());
        let token = certificate.assertion("c", "a").unwrap();
        let parsed = jws::Jws::parse(&token).unwrap();
        assert_eq!(parsed.verify(certificate.key.public_key()), Ok(()));
    }

    #[test]
    fn key_lines_are_known_for_masking() {
        let certificate = ClientCertificate::from_pem(RSA_PEM).unwrap();
        assert!(certificate.secret_lines().len() > 20);
        for line in certificate.secret_lines() {
            assert!(RSA_PEM.contains(line.as_str()));
            assert!(!line.starts_with("-----"));
        }
    }

    #[test]
    fn unusable_pems_say_what_is_wrong() {
        let key_only: String = RSA_PEM
            .split("-----BEGIN CERTIFICATE-----")
            .next()
            .unwrap()
            .to_string();
        let error = |text: &str| ClientCertificate::from_pem(text).unwrap_err();
        assert!(error("hello").contains("is not PEM"));
        assert!(error(&key_only).contains("holds no certificate"));
        let cert_only = &RSA_PEM[RSA_PEM.find("-----BEGIN CERTIFICATE-----").unwrap()..];
        assert!(error(cert_only).contains("holds no private key"));
        // The key of one certificate with the certificate of another.
        let other_certificate = OTHER_RSA_PEM
            .split("-----BEGIN RSA PRIVATE KEY-----")
            .next()
            .unwrap();
        let mismatched = format!("{key_only}\n{other_certificate}");
        assert!(error(&format!("{RSA_PEM}\n{OTHER_RSA_PEM}")).contains("2 private keys"));
        assert!(error(&mismatched).contains("does not belong"));
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(error(encrypted).contains("encrypted"));
        // No message repeats the key.
        for message in [error(&mismatched), error(&key_only)] {
            let certificate = ClientCertificate::from_pem(RSA_PEM).unwrap();
            for line in certificate.secret_lines() {
                assert!(!message.contains(line.as_str()));
            }
        }
    }
}
