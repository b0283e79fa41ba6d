//! JSON Web Signatures in compact form (RFC 7515), the shape of every client assertion:
//! `base64url(header).base64url(claims).base64url(signature)`, signed and checked with
//! aws-lc-rs, the crypto library rustls already links in. Why not a JWT crate:
//! `docs/decisions/0005-sign-in-crypto.md`.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

pub use crate::config::Jws;

pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs `header.claims` with `sign` and returns the compact token.
pub fn sign<E>(
    header: &Value,
    claims: &Value,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    let signing_input = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(claims.to_string().as_bytes())
    );
    let signature = sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", base64url(&signature)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// `alg` is missing or not one this module knows (`none` and HMAC are never accepted).
    UnsupportedAlgorithm(String),
    /// The signature does not match the key.
    BadSignature,
}

impl Jws {
    /// Checks the signature with `public_key`: for RSA the PKCS#1 `RSAPublicKey` (or a
    /// SubjectPublicKeyInfo), for EC the uncompressed point — the contents of a
    /// certificate's `subjectPublicKey` either way.
    pub fn verify(&self, public_key: &[u8]) -> Result<(), VerifyError> {
        let algorithm = verification_algorithm(self.alg())
            .ok_or_else(|| VerifyError::UnsupportedAlgorithm(self.alg().to_string()))?;
        UnparsedPublicKey::new(algorithm, public_key)
            .verify(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| VerifyError::BadSignature)
    }
}

fn verification_algorithm(alg: &str) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match alg {
        "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
        "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
        "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
        "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
        "ES256" => &signature::ECDSA_P256_SHA256_FIXED,
        "ES384" => &signature::ECDSA_P384_SHA384_FIXED,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
    use serde_json::json;

    #[test]
    fn signs_and_verifies_and_notices_tampering() {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let token = sign::<()>(
            &json!({"alg": "PS256", "typ": "JWT"}),
            &json!({"sub": "me", "exp": 1_700_000_000}),
            |input| {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(
                    &signature::RSA_PSS_SHA256,
                    &SystemRandom::new(),
                    input,
                    &mut signature,
                )
                .unwrap();
                Ok(signature)
            },
        )
        .unwrap();
        let parsed = Jws::parse(&token).unwrap();
        assert_eq!(parsed.claim_str("sub"), Some("me"));
        assert_eq!(parsed.claim_time("exp"), Some(1_700_000_000));
        let public = key.public_key().as_ref();
        assert_eq!(parsed.verify(public), Ok(()));

        // Same header and signature, other claims.
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = base64url(br#"{"sub":"someone else","exp":1700000000}"#);
        parts[1] = &other;
        let forged = Jws::parse(&parts.join(".")).unwrap();
        assert_eq!(forged.verify(public), Err(VerifyError::BadSignature));

        let unsigned = Jws::parse(&format!(
            "{}.{}.",
            base64url(br#"{"alg":"none"}"#),
            base64url(br#"{"sub":"me"}"#)
        ))
        .unwrap();
        assert_eq!(
            unsigned.verify(public),
            Err(VerifyError::UnsupportedAlgorithm("none".into()))
        );
    }

    #[test]
    fn only_three_part_tokens_with_json_objects_parse() {
        assert!(Jws::parse("not a token").is_none());
        assert!(Jws::parse("a.b.c.d").is_none());
        let header = base64url(br#"{"alg":"RS256"}"#);
        assert!(Jws::parse(&format!("{header}.{}.", base64url(b"[1]"))).is_none());
        assert!(Jws::parse(&format!("{header}.{}.", base64url(b"{}"))).is_some());
    }

    #[test]
    fn audience_may_be_a_string_or_a_list() {
        let header = base64url(br#"{"alg":"RS256"}"#);
        let one = Jws::parse(&format!("{header}.{}.", base64url(br#"{"aud":"a"}"#))).unwrap();
        assert_eq!(one.audiences(), ["a"]);
        let two = Jws::parse(&format!("{header}.{}.", base64url(br#"{"aud":["a","b"]}"#))).unwrap();
        assert_eq!(two.audiences(), ["a", "b"]);
    }
}
