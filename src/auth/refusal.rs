//! An Entra ID refusal turned into a message and a fix: what the AADSTS code means for the
//! way this run signed in, with the facts the user needs to compare (the federated token's
//! issuer, subject and audience; the certificate's thumbprint). Codes from Microsoft's
//! AADSTS reference and from answers recorded in public issues; see docs/sign-in.md.

use serde::Deserialize;

use super::jws::Jws;
use crate::config::Credential;
use crate::error::Error;

#[derive(Deserialize, Default)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
}

/// `presented` is the client assertion that was sent, if any (never shown, only read).
pub(super) fn token_error(
    status: u16,
    body: &str,
    credential: &Credential,
    presented: Option<&Jws>,
) -> Error {
    let parsed: TokenError = serde_json::from_str(body).unwrap_or_default();
    let code = parsed.error_codes.first().copied().or_else(|| {
        parsed
            .error_description
            .as_deref()
            .and_then(|d| d.strip_prefix("AADSTS"))
            .and_then(|d| d.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse().ok())
    });
    // The description carries trace and correlation ids on further lines; keep line one.
    let description = parsed
        .error_description
        .as_deref()
        .and_then(|d| d.lines().next())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let hint = hint(code, credential, presented);
    let ids = [
        parsed.correlation_id.map(|c| format!("correlation id {c}")),
        parsed.trace_id.map(|t| format!("trace id {t}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let error = parsed.error.unwrap_or_else(|| "error".into());
    Error::Auth {
        message: if ids.is_empty() {
            format!("Entra ID refused the token request: {error}: {description}")
        } else {
            format!("Entra ID refused the token request: {error}: {description} ({ids})")
        },
        hint,
    }
}

/// What the presented federated token says about itself: the values a federated
/// credential must match.
fn token_facts(presented: Option<&Jws>) -> String {
    let Some(token) = presented else {
        return String::new();
    };
    format!(
        " The token presented has issuer `{}`, subject `{}`, audience `{}`.",
        token.claim_str("iss").unwrap_or("?"),
        token.claim_str("sub").unwrap_or("?"),
        token.audiences().join(" ")
    )
}

const FEDERATED_CREDENTIALS: &str = "Entra admin center → App registrations → your app → Certificates & secrets → Federated credentials";
const CERTIFICATES: &str =
    "Entra admin center → App registrations → your app → Certificates & secrets → Certificates";

fn hint(code: Option<u64>, credential: &Credential, presented: Option<&Jws>) -> String {
    let federated = matches!(credential, Credential::Federated { .. });
    let certificate = match credential {
        Credential::Certificate { certificate, .. } => Some(certificate),
        _ => None,
    };
    let facts = if federated {
        token_facts(presented)
    } else {
        String::new()
    };
    match code {
        Some(7000215) => "The client secret is wrong. Use the secret's Value (not its Secret ID) from Entra ID → App registrations → Certificates & secrets.".into(),
        Some(7000222) => "The client secret has expired. Create a new one in Entra ID → App registrations → Certificates & secrets, and update the CI secret — or stop renewing secrets: see docs/sign-in.md for federated and certificate sign-in.".into(),
        Some(700016) => "No application with this client-id exists in this tenant. Check `client-id` and `tenant-id`, and that the app was added in Partner Center → Account settings → Users → Azure AD applications.".into(),
        Some(90002) | Some(90023) => "The tenant was not found. Check `tenant-id` (Partner Center → Account settings → Tenants).".into(),
        Some(70011) => "The scope was refused. The Partner Center API scope is https://manage.devcenter.microsoft.com/.default.".into(),
        Some(7000218) => "The request had no client secret or assertion.".into(),
        Some(50126) | Some(50034) => "These are user credentials; the tool signs in as an application (client id + secret, certificate or federated credential).".into(),
        Some(700024) if federated => format!(
            "The federated token has expired (or is not valid yet). CI OIDC tokens live minutes: let the tool fetch one itself (it does for every sign-in), or keep `federated-token-file` fresh; a `federated-token` given as text cannot be renewed.{facts}"
        ),
        Some(700024) => "The client assertion was outside its valid time (it is valid for 10 minutes from when it is signed): this machine's clock is probably wrong. Check its time synchronisation (NTP).".into(),
        Some(700211) => format!(
            "No federated credential of the app trusts this issuer. Add one ({FEDERATED_CREDENTIALS}) whose issuer is exactly the token's.{facts}"
        ),
        Some(700212) => format!(
            "No federated credential of the app has this audience. The audience must be `api://AzureADTokenExchange`, both in the federated credential and in the token.{facts}"
        ),
        Some(700213) => format!(
            "No federated credential of the app has this subject. Subjects are compared exactly (case-sensitive): add a federated credential ({FEDERATED_CREDENTIALS}) for this subject — on GitHub the environment, branch, tag or pull request the job runs for; on Azure Pipelines the service connection's subject, shown in its details.{facts}"
        ),
        Some(70021) => format!(
            "No federated credential of the app matches the token's issuer, subject and audience ({FEDERATED_CREDENTIALS}).{facts}"
        ),
        Some(7000272) => format!(
            "The key that signed the federated token is not among the keys the issuer publishes (its /.well-known/openid-configuration): the token was not made by that issuer.{facts}"
        ),
        Some(700222) => "`federated-token` holds a token issued by Entra ID itself, which cannot be exchanged: give the OIDC token of the CI platform or identity provider.".into(),
        Some(50027) if federated => format!(
            "The federated token is not a valid JWT: give the OIDC token itself, without quotes or a `Bearer ` prefix.{facts}"
        ),
        Some(5002738) if certificate.is_some_and(|c| c.is_ec()) => "Entra ID accepts only RSA keys for client assertions and refused this EC certificate's ES256/ES384 signature. Create an RSA certificate (2048 bits or more), upload it to the app and use it instead.".into(),
        Some(5002738) => format!("Entra ID does not accept the algorithm the token was signed with (it accepts RSA: RS256/PS256 and longer).{facts}"),
        Some(700027) if certificate.is_some() => {
            let c = certificate.expect("checked");
            format!(
                "The certificate that signed the assertion is not registered on the app (or was replaced): upload its public part ({CERTIFICATES}). This one is `{}`, thumbprint {} (SHA-1), valid until {}.",
                c.subject(),
                c.thumbprint_sha1_hex(),
                c.not_after().strftime("%Y-%m-%d")
            )
        }
        Some(700027) => format!("The federated token's signature did not verify with its issuer's keys.{facts}"),
        Some(700021) | Some(700023) => "The client assertion did not match this request (issuer, subject or audience). Check `authority-host` and `client-id`; if they are right, please report this as a bug.".into(),
        _ => match credential {
            Credential::Certificate { .. } => "Check `tenant-id`, `client-id`, and that the certificate is uploaded to the app registration.".into(),
            Credential::Federated { .. } => format!(
                "Check `tenant-id`, `client-id`, and the app's federated credentials ({FEDERATED_CREDENTIALS}).{facts}"
            ),
            _ => "Check `tenant-id`, `client-id` and `client-secret`.".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::federated::FederatedSource;
    use secrecy::SecretString;

    fn secret() -> Credential {
        Credential::ClientSecret {
            tenant_id: "t".into(),
            client_id: "c".into(),
            secret: SecretString::from("s"),
        }
    }

    #[test]
    fn token_errors_explain_the_aadsts_code() {
        let body = include_str!("../simulator/samples/aad-v2-token-error-response.json");
        let Error::Auth { message, hint } = token_error(400, body, &secret(), None) else {
            panic!()
        };
        assert!(message.contains("AADSTS70011"), "{message}");
        assert!(
            message.contains("fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7"),
            "{message}"
        );
        assert!(!message.contains("Trace ID:"), "{message}");
        assert!(hint.contains("scope"), "{hint}");

        let Error::Auth { hint, .. } = token_error(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.","error_codes":[7000222]}"#,
            &secret(),
            None,
        ) else {
            panic!()
        };
        assert!(hint.contains("expired"));
    }

    #[test]
    fn federated_refusals_show_what_the_token_says() {
        let credential = Credential::Federated {
            tenant_id: "t".into(),
            client_id: "c".into(),
            source: FederatedSource::Token(SecretString::from("x")),
        };
        let header = super::super::jws::base64url(br#"{"alg":"RS256"}"#);
        let claims = super::super::jws::base64url(
            br#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:ref:refs/heads/main","aud":"api://AzureADTokenExchange"}"#,
        );
        let token = Jws::parse(&format!("{header}.{claims}.")).unwrap();
        let Error::Auth { hint, .. } = token_error(
            400,
            r#"{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:ref:refs/heads/main'.","error_codes":[700213]}"#,
            &credential,
            Some(&token),
        ) else {
            panic!()
        };
        assert!(
            hint.contains("subject `repo:o/r:ref:refs/heads/main`"),
            "{hint}"
        );
        assert!(hint.contains("Federated credentials"), "{hint}");
    }
}
