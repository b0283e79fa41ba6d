//! Entra ID token endpoints, v2 (`scope=…/.default`) and v1 (`resource=…`), for the
//! client-credentials grant (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow;
//! https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services for v1). Form values are URL-decoded as Entra
//! does, so a client that forgets to encode a `+` in its secret is refused here too.
//!
//! The client proves itself with a secret or a client assertion (RFC 7523): one signed by a
//! certificate registered on the app, or a federated token from an issuer one of the app's
//! federated identity credentials trusts. Each check answers with the AADSTS code Entra ID
//! gives for that fault (Microsoft's AADSTS reference and answers recorded in public
//! issues); codes not seen in the wild are marked UNKNOWN.

use std::collections::HashMap;
use std::time::Instant;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::state::{IssuedToken, Registration, SignIn, State as World};
use crate::auth::JWT_BEARER;
use crate::auth::jws::{self, Jws};

pub const AUDIENCE: &str = "https://manage.devcenter.microsoft.com";

/// The application (client) id of the Partner Center API's own registration, which a v2.0
/// token names in `aud` (v2.0 access tokens always carry the resource's GUID there:
/// https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
/// UNKNOWN: the real id; this one is made up.
pub const RESOURCE_APP_ID: &str = "00000000-0000-4000-8000-5157e1a7d3c0";

/// The resource a client asked for, as Entra resolves it: the App ID URI with the trailing
/// `/` dropped, and, for the Partner Center API, in its registered spelling whatever the
/// case of the request. UNKNOWN: whether Entra matches an App ID URI ignoring case (here:
/// yes, as it does host names) and which spelling it then puts in `aud` (here: the
/// registered one).
fn canonical_audience(resource: &str) -> String {
    let trimmed = resource.trim_end_matches('/');
    if trimmed.eq_ignore_ascii_case(AUDIENCE) {
        AUDIENCE.to_string()
    } else if trimmed.eq_ignore_ascii_case(super::msi::AUDIENCE) {
        super::msi::AUDIENCE.to_string()
    } else {
        trimmed.to_string()
    }
}

/// What an access token is issued for.
pub struct AccessTokenRequest<'a> {
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub audience: &'a str,
    /// From the v1 endpoint (`/oauth2/token`) rather than v2 (`/oauth2/v2.0/token`).
    pub v1: bool,
    /// Signed in with a certificate or a federated token rather than a secret.
    pub certificate: bool,
}

/// Entra ID's token-signing key: access tokens are RS256 JWTs with `kid`/`x5t` naming it,
/// as Entra's are, and the API verifies them against it.
pub struct EntraKey {
    key: RsaKeyPair,
    kid: String,
}

impl EntraKey {
    pub fn new() -> Self {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .expect("generate the simulator's Entra signing key");
        // Entra's `kid` is the base64url SHA-1 thumbprint of its signing certificate; a
        // digest of the public key stands for it.
        let kid = jws::base64url(
            &aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
                key.public_key().as_ref(),
            )
            .as_ref()[..20],
        );
        EntraKey { key, kid }
    }

    /// An access token with the claims Entra ID puts in an app-only (client credentials)
    /// token (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference):
    /// v1.0 tokens from the v1 endpoint (`iss` `https://sts.windows.net/{tid}/`, `appid`,
    /// `appidacr`, `aud` the App ID URI asked for), v2.0 tokens from the v2 endpoint (`iss`
    /// `https://login.microsoftonline.com/{tid}/v2.0`, `azp`, `azpacr`, `aud` the
    /// resource's GUID). `oid` and `sub` are the service principal's object id. No
    /// `roles`: Partner Center grants its access through its own user roles, not app roles.
    /// UNKNOWN: Entra chooses the token version by the resource's
    /// `accessTokenAcceptedVersion`, not the endpoint; which one the Partner Center API gets
    /// is not known, so each endpoint gives its own here and the API accepts both.
    pub fn issue(&self, request: &AccessTokenRequest, lifetime: std::time::Duration) -> String {
        let now = jiff::Timestamp::now().as_second();
        // `exp` holds whole seconds: rounded up, so the claim never ends a token before the
        // lifetime given (the API checks the exact moment too).
        let exp = now + lifetime.as_secs_f64().ceil() as i64;
        let tid = request.tenant_id;
        let object_id = service_principal_id(tid, request.client_id);
        let header = json!({"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid});
        let acr = if request.certificate { "2" } else { "1" };
        let mut claims = json!({
            "iat": now,
            "nbf": now,
            "exp": exp,
            "aio": uuid::Uuid::new_v4().simple().to_string(),
            "idp": format!("https://sts.windows.net/{tid}/"),
            "idtyp": "app",
            "oid": object_id,
            "rh": format!("0.{}.", uuid::Uuid::new_v4().simple()),
            "sub": object_id,
            "tid": tid,
            "uti": jws::base64url(uuid::Uuid::new_v4().as_bytes()),
        });
        let extra = if request.v1 {
            json!({
                "aud": request.audience,
                "iss": format!("https://sts.windows.net/{tid}/"),
                "appid": request.client_id,
                "appidacr": acr,
                "ver": "1.0",
            })
        } else {
            let audience = if request.audience == AUDIENCE {
                RESOURCE_APP_ID
            } else if request.audience == super::msi::AUDIENCE {
                super::msi::RESOURCE_APP_ID
            } else {
                request.audience
            };
            json!({
                "aud": audience,
                "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
                "azp": request.client_id,
                "azpacr": acr,
                "ver": "2.0",
            })
        };
        if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
            claims.extend(extra);
        }
        jws::sign::<()>(&header, &claims, |input| {
            let mut out = vec![0; self.key.public_modulus_len()];
            self.key
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input,
                    &mut out,
                )
                .expect("RSA signing");
            Ok(out)
        })
        .expect("signing cannot fail")
    }

    /// Checks an access token as the API does: an RS256 JWT signed with this key, issued
    /// by Entra for a tenant (either issuer form), current (`nbf` ≤ now < `exp`), and for the
    /// Partner Center API (its App ID URI in a v1.0 token, its GUID in a v2.0 one).
    /// `Err` says why not.
    pub fn validate(&self, token: &str) -> Result<Jws, &'static str> {
        self.validate_for(token, AUDIENCE, RESOURCE_APP_ID)
    }

    /// [`EntraKey::validate`] for another API: its App ID URI and application id.
    pub fn validate_for(&self, token: &str, uri: &str, app_id: &str) -> Result<Jws, &'static str> {
        let jws = Jws::parse(token).ok_or("The access token is invalid.")?;
        if jws.alg() != "RS256" || jws.header_str("kid") != Some(self.kid.as_str()) {
            return Err("The access token is invalid.");
        }
        jws.verify(self.key.public_key().as_ref())
            .map_err(|_| "The access token is invalid.")?;
        let tid = jws.claim_str("tid").unwrap_or_default();
        let issuer = jws.claim_str("iss").unwrap_or_default();
        let (v1_issuer, v2_issuer) = (
            format!("https://sts.windows.net/{tid}/"),
            format!("https://login.microsoftonline.com/{tid}/v2.0"),
        );
        let audience_ok = match jws.claim_str("ver") {
            Some("1.0") if issuer == v1_issuer => jws.audiences() == [uri],
            Some("2.0") if issuer == v2_issuer => jws.audiences() == [app_id],
            _ => return Err("The access token is invalid."),
        };
        let now = jiff::Timestamp::now().as_second();
        match (jws.claim_time("nbf"), jws.claim_time("exp")) {
            (Some(nbf), Some(exp)) if nbf <= now && now < exp => {}
            (Some(_), Some(_)) => return Err("The access token has expired."),
            _ => return Err("The access token is invalid."),
        }
        if !audience_ok {
            return Err("The access token was issued for another audience.");
        }
        Ok(jws)
    }
}

/// The object id of the application's service principal in the tenant: stable for the
/// pair, as Entra's is.
fn service_principal_id(tenant_id: &str, client_id: &str) -> String {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{tenant_id}/{client_id}").as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

pub async fn token_v2(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let audience = match form.get("scope") {
        Some(scope) => match scope.strip_suffix("/.default") {
            Some(resource) => canonical_audience(resource),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    70011,
                    &format!(
                        "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
                    ),
                );
            }
        },
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'scope'.",
            );
        }
    };
    issue(&shared, &tenant, &form, audience, false)
}

pub async fn token_v1(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(resource) = form.get("resource") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'resource'.",
        );
    };
    let audience = canonical_audience(resource);
    issue(&shared, &tenant, &form, audience, true)
}

fn issue(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
    audience: String,
    v1: bool,
) -> Response {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let mut state = shared.lock().expect("simulator state");
    if !state.registrations.iter().any(|r| r.tenant_id == tenant) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let Some(client_id) = form.get("client_id").cloned() else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(registration) = state
        .registrations
        .iter()
        .find(|r| r.tenant_id == tenant && r.client_id == client_id)
        .cloned()
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        );
    };
    // The v1 and v2 endpoints are both addressed by their own URL in a client assertion.
    let endpoint = format!(
        "{}{tenant}/oauth2/{}token",
        state.base_url,
        if v1 { "" } else { "v2.0/" }
    );
    let mut sign_in = SignIn {
        tenant_id: tenant.to_string(),
        client_id: client_id.clone(),
        kind: "none",
        error_code: None,
        jti: None,
        issuer: None,
        subject: None,
        assertion: None,
        access_token: None,
    };
    let judged = judge(&state, &registration, form, &endpoint, &mut sign_in);
    if let Err((status, error_name, code, message)) = judged {
        sign_in.error_code = Some(code);
        state.sign_ins.push(sign_in);
        return error(status, error_name, code, &message);
    }
    let lifetime = state.options.token_lifetime;
    let credential_kind = sign_in.kind;
    let token = state.entra.issue(
        &AccessTokenRequest {
            tenant_id: tenant,
            client_id: &client_id,
            audience: &audience,
            v1,
            certificate: credential_kind != "secret",
        },
        lifetime,
    );
    state.tokens.insert(
        token.clone(),
        IssuedToken {
            expires: Instant::now() + lifetime,
        },
    );
    sign_in.access_token = Some(token.clone());
    state.sign_ins.push(sign_in);
    let seconds = lifetime.as_secs();
    let body = if v1 {
        let now = jiff::Timestamp::now().as_second();
        // v1 sends its numbers as strings (samples/aad-v1-token-success-response.json).
        json!({
            "token_type": "Bearer",
            "expires_in": seconds.to_string(),
            "ext_expires_in": seconds.to_string(),
            "expires_on": (now + seconds as i64).to_string(),
            "not_before": now.to_string(),
            "resource": audience,
            "access_token": token,
        })
    } else {
        json!({
            "token_type": "Bearer",
            "expires_in": seconds,
            "ext_expires_in": seconds,
            "access_token": token,
        })
    };
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// A refusal: HTTP status, OAuth `error`, AADSTS code, message.
type Refusal = (StatusCode, &'static str, u32, String);

/// Checks the client's proof: its secret, or a client assertion (its own certificate's, or
/// a federated token).
fn judge(
    state: &World,
    registration: &Registration,
    form: &HashMap<String, String>,
    endpoint: &str,
    sign_in: &mut SignIn,
) -> Result<(), Refusal> {
    let client_id = registration.client_id.as_str();
    let secret = form.get("client_secret");
    let assertion = form.get("client_assertion");
    match (secret, assertion) {
        (Some(_), Some(_)) => Err((
            StatusCode::BAD_REQUEST,
            "invalid_request",
            // UNKNOWN: the code Entra gives a request with both; this is its generic one.
            9002313,
            "Request is malformed or invalid. Give either 'client_secret' or 'client_assertion', not both.".into(),
        )),
        (Some(secret), None) => {
            sign_in.kind = "secret";
            if registration.secrets.contains(secret) {
                Ok(())
            } else {
                Err((
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    7000215,
                    format!(
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                    ),
                ))
            }
        }
        (None, Some(assertion)) => {
            match form.get("client_assertion_type").map(String::as_str) {
                Some(JWT_BEARER) => {}
                None => {
                    return Err((
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        900144,
                        "The request body must contain the following parameter: 'client_assertion_type'.".into(),
                    ));
                }
                Some(_) => {
                    return Err((
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        // UNKNOWN: the code for another assertion type.
                        9002313,
                        "Request is malformed or invalid. 'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.".into(),
                    ));
                }
            }
            sign_in.assertion = Some(assertion.clone());
            judge_assertion(state, registration, assertion, endpoint, sign_in)
        }
        (None, None) => Err((
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into(),
        )),
    }
}

/// What Entra ID checks of a client assertion: form, algorithm, then either the app's own
/// certificate (`iss` = `sub` = client id) or a federated identity credential (any other
/// issuer), the signature, and the time. UNKNOWN: the order Entra checks these in; each
/// single fault gets the code Entra is seen to give for it.
fn judge_assertion(
    state: &World,
    registration: &Registration,
    assertion: &str,
    endpoint: &str,
    sign_in: &mut SignIn,
) -> Result<(), Refusal> {
    let invalid = |code: u32, message: String| -> Refusal {
        (StatusCode::UNAUTHORIZED, "invalid_client", code, message)
    };
    let Some(jws) = Jws::parse(assertion) else {
        return Err((
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.".into(),
        ));
    };
    sign_in.jti = jws.claim_str("jti").map(str::to_string);
    sign_in.issuer = jws.claim_str("iss").map(str::to_string);
    sign_in.subject = jws.claim_str("sub").map(str::to_string);
    // Entra ID verifies RSA signatures only (ES256 is refused for federated tokens with
    // this code). UNKNOWN: whether certificate assertions get the same code.
    if !matches!(
        jws.alg(),
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512"
    ) {
        return Err(invalid(
            5002738,
            format!(
                "Invalid JWT token. '{}' is not a supported signature algorithm.",
                jws.alg()
            ),
        ));
    }
    let client_id = registration.client_id.as_str();
    let issuer = jws.claim_str("iss").unwrap_or("");
    let subject = jws.claim_str("sub").unwrap_or("");
    let audiences = jws.audiences();
    if issuer == client_id {
        sign_in.kind = "certificate";
        if subject != client_id {
            return Err(invalid(
                50048,
                "Subject mismatches Issuer claim in the client assertion.".into(),
            ));
        }
        // UNKNOWN: which other audiences Entra accepts (its issuer URL?); the endpoint's
        // own URL is what every client sends.
        if !audiences.contains(&endpoint) {
            return Err(invalid(
                700023,
                "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .".into(),
            ));
        }
        let sha256 = jws.header_str("x5t#S256");
        let sha1 = jws.header_str("x5t");
        let shown = sha1.or(sha256).unwrap_or("none");
        let Some(certificate) = registration
            .certificates
            .iter()
            .find(|c| sha256 == Some(c.sha256.as_str()) || sha1 == Some(c.sha1.as_str()))
        else {
            return Err(invalid(
                700027,
                format!(
                    "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{shown}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"
                ),
            ));
        };
        if jws.verify(&certificate.public_key).is_err() {
            return Err(invalid(
                700027,
                format!(
                    "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{shown}']"
                ),
            ));
        }
    } else {
        sign_in.kind = "federated";
        let shown_audience = audiences.join(" ");
        let issuer_matches: Vec<_> = registration
            .federated
            .iter()
            .filter(|f| f.issuer == issuer)
            .collect();
        let see = "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
        if issuer_matches.is_empty() {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_client",
                700211,
                format!(
                    "No matching federated identity record found for presented assertion issuer '{issuer}'. {see}"
                ),
            ));
        }
        let subject_matches: Vec<_> = issuer_matches
            .into_iter()
            .filter(|f| f.subject == subject)
            .collect();
        if subject_matches.is_empty() {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_client",
                700213,
                format!(
                    "No matching federated identity record found for presented assertion subject '{subject}'. {see}"
                ),
            ));
        }
        if !subject_matches
            .iter()
            .any(|f| f.audiences.iter().any(|a| audiences.contains(&a.as_str())))
        {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_client",
                700212,
                format!(
                    "No matching federated identity record found for presented assertion audience '{shown_audience}'. {see}"
                ),
            ));
        }
        // UNKNOWN: what Entra says when it cannot read an issuer's metadata at all; here
        // an issuer the simulator does not play has no keys.
        let kid = jws.header_str("kid").or(jws.header_str("x5t"));
        let Some(key) = state.identity.published_key(issuer, kid) else {
            return Err(invalid(
                7000272,
                format!(
                    "The certificate with identifier {} used to sign the federated credential could not be found in the metadata of identity provider {issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.",
                    kid.unwrap_or("(none)")
                ),
            ));
        };
        // UNKNOWN: the code for a known key whose signature does not match.
        if jws.verify(key).is_err() {
            return Err(invalid(
                700027,
                "Client assertion failed signature validation.".into(),
            ));
        }
    }
    check_time(&jws)
}

/// `nbf` ≤ now < `exp`. UNKNOWN: Entra's tolerance for clock skew; here none for `exp`
/// and five minutes for `nbf`.
fn check_time(jws: &Jws) -> Result<(), Refusal> {
    let now = jiff::Timestamp::now().as_second();
    let (Some(exp), nbf) = (jws.claim_time("exp"), jws.claim_time("nbf")) else {
        return Err((
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed. The 'exp' claim is missing.".into(),
        ));
    };
    let nbf_ok = nbf.is_none_or(|nbf| nbf <= now + 300);
    if now < exp && nbf_ok {
        return Ok(());
    }
    let show = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z").to_string())
            .unwrap_or_else(|_| t.to_string())
    };
    Err((
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        700024,
        format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
            show(now),
            nbf.map(show).unwrap_or_else(|| "(none)".into()),
            show(exp)
        ),
    ))
}

/// The error shape of `samples/aad-v2-token-error-response.json`.
fn error(status: StatusCode, error: &str, code: u32, message: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let correlation = uuid::Uuid::new_v4();
    let timestamp = jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%SZ")
        .to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace.to_string(),
        "correlation_id": correlation.to_string(),
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(v1: bool, audience: &str) -> AccessTokenRequest<'_> {
        AccessTokenRequest {
            tenant_id: "00000000-0000-4000-8000-5157e1a70001",
            client_id: "00000000-0000-4000-8000-5157e1a70002",
            audience,
            v1,
            certificate: false,
        }
    }

    #[test]
    fn tokens_validate_only_while_current_and_for_this_api() {
        let key = EntraKey::new();
        let hour = std::time::Duration::from_secs(3600);
        for v1 in [true, false] {
            let token = key.issue(&request(v1, AUDIENCE), hour);
            assert!(key.validate(&token).is_ok(), "v1: {v1}");
            // No lifetime left: `exp` is now, and a token is valid only before it.
            let spent = key.issue(&request(v1, AUDIENCE), std::time::Duration::ZERO);
            assert_eq!(
                key.validate(&spent).err(),
                Some("The access token has expired.")
            );
            let other = key.issue(&request(v1, "https://graph.microsoft.com"), hour);
            assert_eq!(
                key.validate(&other).err(),
                Some("The access token was issued for another audience.")
            );
        }
        // Another Entra (another key) signs nothing this one accepts.
        let foreign = EntraKey::new().issue(&request(true, AUDIENCE), hour);
        assert_eq!(
            key.validate(&foreign).err(),
            Some("The access token is invalid.")
        );
    }

    #[test]
    fn the_resource_is_matched_ignoring_case_and_a_trailing_slash() {
        assert_eq!(
            canonical_audience("HTTPS://MANAGE.DEVCENTER.MICROSOFT.COM/"),
            AUDIENCE
        );
        assert_eq!(
            canonical_audience("https://api.store.microsoft.com/"),
            "https://api.store.microsoft.com"
        );
    }
}
