//! A JSON Web Token in compact form (RFC 7515), parsed but not checked: its form is what
//! `federated-token(-file)` must have before any call; sign-in verifies signatures
//! (`auth/jws.rs`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// A token split into its parts. Parsing checks the form only; [`Jws::verify`] checks the
/// signature.
#[derive(Debug, Clone)]
pub struct Jws {
    pub header: Value,
    pub claims: Value,
    /// `header.claims` as given: what the signature signs (checked in `auth/jws.rs`).
    pub(crate) signing_input: String,
    pub(crate) signature: Vec<u8>,
}

impl Jws {
    /// `None` unless the text is three base64url parts of which the first two are JSON
    /// objects.
    pub fn parse(token: &str) -> Option<Jws> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let object = |part: &str| -> Option<Value> {
            let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
            let value: Value = serde_json::from_slice(&bytes).ok()?;
            value.is_object().then_some(value)
        };
        Some(Jws {
            header: object(header)?,
            claims: object(claims)?,
            signing_input: format!("{header}.{claims}"),
            signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
        })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A NumericDate claim (`exp`, `nbf`, `iat`) in seconds since the epoch.
    pub fn claim_time(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
    }

    /// The `aud` claim as a list (it may be a string or an array, RFC 7519 §4.1.3).
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}
