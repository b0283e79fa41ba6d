//! The simulator's world: apps, their submissions, tokens, blobs, and the clock that moves
//! committed submissions through processing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Options;
use super::checks::commit_errors;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// What `/_simulator/credentials` takes: something an application in a tenant may sign in
/// with. Each field adds to the application's credentials, as in Entra ID, where an app
/// can have several secrets, certificates and federated credentials at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialRegistration {
    pub tenant_id: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// PEM of a certificate (its public part is all Entra ID keeps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_identity_credential: Option<FederatedIdentityCredential>,
}

impl From<Credentials> for CredentialRegistration {
    fn from(c: Credentials) -> Self {
        CredentialRegistration {
            tenant_id: c.tenant_id,
            client_id: c.client_id,
            client_secret: Some(c.client_secret),
            ..Default::default()
        }
    }
}

/// An Entra ID federated identity credential: tokens from `issuer` about `subject` for one
/// of `audiences` may stand in for the app's secret. Compared exactly (case-sensitive).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FederatedIdentityCredential {
    pub issuer: String,
    pub subject: String,
    #[serde(default = "default_audiences")]
    pub audiences: Vec<String>,
}

fn default_audiences() -> Vec<String> {
    vec![crate::auth::federated::AUDIENCE.to_string()]
}

/// A certificate uploaded to an application: Entra ID finds it by thumbprint.
#[derive(Debug, Clone)]
pub struct RegisteredCertificate {
    /// base64url SHA-1 of the DER (`x5t`).
    pub sha1: String,
    /// base64url SHA-256 of the DER (`x5t#S256`).
    pub sha256: String,
    /// The `subjectPublicKey` bits: PKCS#1 for RSA, the point for EC.
    pub public_key: Vec<u8>,
}

/// An application registration in a tenant, with everything it may sign in with.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub tenant_id: String,
    pub client_id: String,
    pub secrets: Vec<String>,
    pub certificates: Vec<RegisteredCertificate>,
    pub federated: Vec<FederatedIdentityCredential>,
}

/// One token request as the simulator judged it, for the tests (`/_simulator/sign-ins`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub tenant_id: String,
    pub client_id: String,
    /// `secret`, `certificate`, `federated` or `none`.
    pub kind: &'static str,
    /// The AADSTS code of the refusal, or `None` when a token was issued.
    pub error_code: Option<u32>,
    /// For assertions: its `jti`, issuer and subject, and the assertion itself, so tests
    /// can check it was made anew and never printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Request headers, names in lower case, credentials redacted.
    pub headers: BTreeMap<String, String>,
    pub status: u16,
}

/// An access token the simulator issued: the JWT carries its own claims; this keeps the
/// exact moment it expires (the `exp` claim has whole seconds) and lets the `expire-token`
/// fault end it early.
pub struct IssuedToken {
    pub expires: Instant,
}

pub struct App {
    /// The application resource without its submission pointers (kept apart below).
    pub resource: Value,
    pub pending: Option<String>,
    pub published: Option<String>,
    pub submissions_made: u32,
    /// Flight ids, highest rank first.
    pub flights: Vec<String>,
}

pub struct Flight {
    pub app_id: String,
    pub friendly_name: String,
    pub group_ids: Vec<String>,
    pub pending: Option<String>,
    pub published: Option<String>,
    pub submissions_made: u32,
}

pub struct Addon {
    pub product_id: String,
    pub product_type: String,
    pub app_ids: Vec<String>,
    pub pending: Option<String>,
    pub published: Option<String>,
    pub submissions_made: u32,
}

/// What a submission belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    App(String),
    Flight { app_id: String, flight_id: String },
    Addon(String),
}

impl Owner {
    /// The package array of this kind of submission, if it has packages.
    pub fn packages_field(&self) -> Option<&'static str> {
        match self {
            Owner::App(_) => Some("applicationPackages"),
            Owner::Flight { .. } => Some("flightPackages"),
            Owner::Addon(_) => None,
        }
    }

    /// `resourceLocation` as the service writes it. For flights it lacks the
    /// `applications/{appId}/` prefix, so it cannot be appended to `/v1.0/my/` (the example of
    /// https://learn.microsoft.com/windows/uwp/monetize/get-app-data; a documented quirk kept here on purpose, see docs/simulator.md).
    pub fn resource_location(&self, submission_id: &str) -> String {
        match self {
            Owner::App(app_id) => format!("applications/{app_id}/submissions/{submission_id}"),
            Owner::Flight { flight_id, .. } => {
                format!("flights/{flight_id}/submissions/{submission_id}")
            }
            Owner::Addon(addon_id) => {
                format!("inappproducts/{addon_id}/submissions/{submission_id}")
            }
        }
    }

    pub fn target(&self) -> &'static str {
        match self {
            Owner::App(_) => "applicationSubmission",
            Owner::Flight { .. } => "flightSubmission",
            Owner::Addon(_) => "inAppProductSubmission",
        }
    }
}

pub struct Submission {
    pub id: String,
    pub owner: Owner,
    /// The submission as stored and returned (status fields included).
    pub body: Value,
    /// Name of the blob behind its `fileUploadUrl`.
    pub blob: String,
    /// After commit: when each later status is reached.
    pub timeline: Vec<(Instant, &'static str)>,
    /// The `statusDetails.errors` that show once the commit fails.
    pub failure: Vec<Value>,
    pub publish_applied: bool,
}

impl Submission {
    pub fn status(&self) -> &str {
        self.body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("None")
    }
}

/// A committed blob on disk.
pub struct Blob {
    pub path: PathBuf,
    pub size: u64,
    pub content_md5: Option<String>,
    pub content_type: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Azure's `ETag` (quoted, `"0x8D…"`) and `Last-Modified` (an HTTP date), new on every
    /// write.
    pub etag: String,
    pub last_modified: String,
}

impl Blob {
    /// A blob written now: a fresh `ETag` and `Last-Modified`.
    pub fn written(
        path: PathBuf,
        size: u64,
        content_md5: Option<String>,
        content_type: Option<String>,
        metadata: BTreeMap<String, String>,
    ) -> Blob {
        Blob {
            path,
            size,
            content_md5,
            content_type,
            metadata,
            etag: super::blob::new_etag(),
            last_modified: super::blob::http_date(jiff::Timestamp::now()),
        }
    }
}

pub struct State {
    pub base_url: url::Url,
    pub data_dir: PathBuf,
    pub options: Options,
    pub registrations: Vec<Registration>,
    pub sign_ins: Vec<SignIn>,
    /// The fake GitHub and Azure DevOps token issuers.
    pub identity: super::identity::IdentityProviders,
    /// The key Entra ID signs access tokens with (the API checks them against it).
    pub entra: super::token::EntraKey,
    pub tokens: BTreeMap<String, IssuedToken>,
    pub apps: BTreeMap<String, App>,
    pub flights: BTreeMap<String, Flight>,
    pub addons: BTreeMap<String, Addon>,
    pub submissions: BTreeMap<String, Submission>,
    pub blobs: BTreeMap<String, Blob>,
    /// Uncommitted blocks per blob: block id → (file, size).
    pub blocks: BTreeMap<String, BTreeMap<String, (PathBuf, u64)>>,
    /// Key that signs the simulated SAS URLs.
    pub signing_key: [u8; 32],
    pub requests: Vec<RequestRecord>,
    pub faults: super::faults::Faults,
    /// Quirks of the service a test asked for (`/_simulator/settings`).
    pub quirks: super::quirks::Quirks,
    /// The body of the last PUT of each submission, as received (`lastPut` in the state
    /// dump), so tests can compare what a run sent with what its dry run planned.
    pub put_bodies: BTreeMap<String, Value>,
    /// Pre-processing outcomes and its test hooks (`preprocess`).
    pub processing: super::preprocess::Processing,
    /// The MSI/EXE products (`msi`).
    pub msi: super::msi::MsiState,
    next_id: u64,
}

impl State {
    pub fn new(base_url: url::Url, data_dir: PathBuf, options: Options) -> Self {
        let mut signing_key = [0u8; 32];
        signing_key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        signing_key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        State {
            base_url,
            data_dir,
            options,
            registrations: Vec::new(),
            sign_ins: Vec::new(),
            identity: super::identity::IdentityProviders::new(),
            entra: super::token::EntraKey::new(),
            tokens: BTreeMap::new(),
            apps: BTreeMap::new(),
            flights: BTreeMap::new(),
            addons: BTreeMap::new(),
            submissions: BTreeMap::new(),
            blobs: BTreeMap::new(),
            blocks: BTreeMap::new(),
            signing_key,
            requests: Vec::new(),
            faults: Default::default(),
            quirks: Default::default(),
            put_bodies: BTreeMap::new(),
            processing: Default::default(),
            msi: Default::default(),
            next_id: 1152921504621243600,
        }
    }

    /// Adds credentials to an application, creating its registration on first use. A
    /// certificate that is not PEM of an X.509 certificate is refused with the reason.
    pub fn register(&mut self, registration: CredentialRegistration) -> Result<(), String> {
        let certificate = match &registration.certificate {
            Some(pem) => Some(parse_certificate(pem)?),
            None => None,
        };
        let index = match self.registrations.iter().position(|r| {
            r.tenant_id == registration.tenant_id && r.client_id == registration.client_id
        }) {
            Some(index) => index,
            None => {
                self.registrations.push(Registration {
                    tenant_id: registration.tenant_id.clone(),
                    client_id: registration.client_id.clone(),
                    ..Default::default()
                });
                self.registrations.len() - 1
            }
        };
        let app = &mut self.registrations[index];
        if let Some(secret) = registration.client_secret
            && !app.secrets.contains(&secret)
        {
            app.secrets.push(secret);
        }
        if let Some(certificate) = certificate {
            app.certificates.retain(|c| c.sha256 != certificate.sha256);
            app.certificates.push(certificate);
        }
        if let Some(fic) = registration.federated_identity_credential
            && !app.federated.contains(&fic)
        {
            app.federated.push(fic);
        }
        Ok(())
    }

    pub fn record(
        &mut self,
        method: String,
        path: String,
        query: Option<String>,
        headers: BTreeMap<String, String>,
        status: u16,
    ) {
        self.requests.push(RequestRecord {
            method,
            path,
            query,
            headers,
            status,
        });
    }

    /// Submission ids are 19-digit decimal strings (> 2^53, as in every example of
    /// https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
    pub fn next_id(&mut self) -> String {
        self.next_id += 17;
        self.next_id.to_string()
    }

    /// An app with one published submission cloned from the doc sample, under `app_id`,
    /// with one package flight and one add-on, each with a published submission too.
    pub fn seed_app(&mut self, app_id: &str) {
        if self.apps.get(app_id).is_some_and(|a| a.published.is_some()) {
            return;
        }
        self.seed_unpublished_app(app_id);
        let mut body = seed_submission();
        body["friendlyName"] = json!("Submission 1");
        let id = self.add_published(Owner::App(app_id.to_string()), body);
        let app = self.apps.get_mut(app_id).expect("seeded above");
        app.published = Some(id);
        app.submissions_made = 1;
        app.resource["firstPublishedDate"] = json!("2024-03-01T10:00:00Z");
        // The docs' flight and add-on ids belong to the docs' app; other apps get their own.
        let (flight_id, addon_id, product_id) = if app_id == super::DEFAULT_APP_ID {
            (
                SEED_FLIGHT_ID.to_string(),
                SEED_ADDON_ID.to_string(),
                "TestAddOn".to_string(),
            )
        } else {
            (
                uuid::Uuid::new_v4().to_string(),
                self.new_store_id(),
                format!("TestAddOn-{app_id}"),
            )
        };
        self.seed_flight(app_id, &flight_id, None);
        self.seed_addon(Some(app_id), &addon_id, Some(&product_id));
    }

    /// An app whose first submission has not been completed in Partner Center.
    pub fn seed_unpublished_app(&mut self, app_id: &str) {
        if self.apps.contains_key(app_id) {
            return;
        }
        let mut resource: Value =
            serde_json::from_str(include_str!("samples/application-resource.json"))
                .expect("sample parses");
        let object = resource.as_object_mut().expect("object");
        object.remove("pendingApplicationSubmission");
        object.remove("lastPublishedApplicationSubmission");
        resource["id"] = json!(app_id);
        // The docs elide the publisher ("CN=…"); a concrete one stands in for it.
        resource["publisherName"] = json!(SEED_PUBLISHER);
        self.apps.insert(
            app_id.to_string(),
            App {
                resource,
                pending: None,
                published: None,
                submissions_made: 0,
                flights: Vec::new(),
            },
        );
    }

    /// A flight of `app_id` with a published flight submission. `name` defaults to the
    /// docs' `myflight` (or a variant when that is taken).
    pub fn seed_flight(&mut self, app_id: &str, flight_id: &str, name: Option<&str>) {
        self.seed_app(app_id);
        if self.flights.contains_key(flight_id) {
            return;
        }
        let name = match name {
            Some(n) => n.to_string(),
            None if self.flight_named(app_id, "myflight").is_none() => "myflight".into(),
            None => format!("myflight-{}", &flight_id[..8]),
        };
        let owner = Owner::Flight {
            app_id: app_id.to_string(),
            flight_id: flight_id.to_string(),
        };
        let mut body = seed_flight_submission();
        body["flightId"] = json!(flight_id);
        let id = self.add_published(owner, body);
        self.flights.insert(
            flight_id.to_string(),
            Flight {
                app_id: app_id.to_string(),
                friendly_name: name,
                group_ids: vec!["1152921504606962205".into()],
                pending: None,
                published: Some(id),
                submissions_made: 1,
            },
        );
        self.apps
            .get_mut(app_id)
            .expect("seeded above")
            .flights
            .push(flight_id.to_string());
    }

    /// An add-on of `app_id` (default: the docs' app) with a published submission.
    pub fn seed_addon(&mut self, app_id: Option<&str>, addon_id: &str, product_id: Option<&str>) {
        let app_id = app_id.unwrap_or(super::DEFAULT_APP_ID).to_string();
        self.seed_app(&app_id);
        if self.addons.contains_key(addon_id) {
            return;
        }
        let product_id = product_id
            .map(str::to_string)
            .unwrap_or_else(|| format!("TestAddOn-{addon_id}"));
        let id = self.add_published(Owner::Addon(addon_id.to_string()), seed_addon_submission());
        self.addons.insert(
            addon_id.to_string(),
            Addon {
                product_id,
                product_type: "Durable".into(),
                app_ids: vec![app_id],
                pending: None,
                published: Some(id),
                submissions_made: 1,
            },
        );
    }

    /// Seeds what a user names, so their own inputs work against the simulator.
    pub fn seed_product(&mut self, spec: &crate::config::ProductSpec) {
        use crate::config::{AddonSpec, FlightSpec, ProductSpec};
        match spec {
            ProductSpec::App { app_id } => self.seed_app(app_id),
            ProductSpec::Flight { app_id, flight } => match flight {
                FlightSpec::Id(id) => self.seed_flight(app_id, id, None),
                FlightSpec::Name(name) => {
                    self.seed_app(app_id);
                    if self.flight_named(app_id, name).is_none() {
                        let id = uuid::Uuid::new_v4().to_string();
                        self.seed_flight(app_id, &id, Some(name));
                    }
                }
            },
            ProductSpec::Addon { addon, app_id } => match addon {
                AddonSpec::Id(id) => self.seed_addon(app_id.as_deref(), id, None),
                AddonSpec::ProductId(product_id) => {
                    if !self.addons.values().any(|a| &a.product_id == product_id) {
                        let id = self.new_store_id();
                        self.seed_addon(app_id.as_deref(), &id, Some(product_id));
                    }
                }
            },
        }
    }

    fn add_published(&mut self, owner: Owner, mut body: Value) -> String {
        let id = self.next_id();
        body["id"] = json!(id);
        body["status"] = json!("Published");
        body["fileUploadUrl"] = Value::Null;
        let blob = uuid::Uuid::new_v4().to_string();
        self.submissions.insert(
            id.clone(),
            Submission {
                id: id.clone(),
                owner,
                body,
                blob,
                timeline: Vec::new(),
                failure: Vec::new(),
                publish_applied: true,
            },
        );
        id
    }

    pub fn flight_named(&self, app_id: &str, name: &str) -> Option<&String> {
        self.apps.get(app_id)?.flights.iter().find(|id| {
            self.flights
                .get(*id)
                .is_some_and(|f| f.friendly_name == name)
        })
    }

    /// A 12-character Store ID for a new add-on.
    pub fn new_store_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789BCDFGHJKLMNPQRSTVWXZ";
        loop {
            let mut n = uuid::Uuid::new_v4().as_u128();
            let mut id = String::from("9N");
            for _ in 0..10 {
                id.push(ALPHABET[(n % ALPHABET.len() as u128) as usize] as char);
                n /= ALPHABET.len() as u128;
            }
            if !self.addons.contains_key(&id) && !self.apps.contains_key(&id) {
                return id;
            }
        }
    }

    /// The application resource as the API returns it.
    pub fn application_json(&self, app: &App, app_id: &str) -> Value {
        let mut resource = app.resource.clone();
        let owner = Owner::App(app_id.to_string());
        if let Some(id) = &app.published {
            resource["lastPublishedApplicationSubmission"] = reference(&owner, id);
        }
        if let Some(id) = &app.pending {
            resource["pendingApplicationSubmission"] = reference(&owner, id);
        }
        resource
    }

    /// The flight resource (https://learn.microsoft.com/windows/uwp/monetize/get-app-data). `rankHigherThan` names the flight just
    /// below, by id, or "Non-flighted submission" for the lowest (as in the docs' samples).
    pub fn flight_json(&self, flight_id: &str) -> Option<Value> {
        let flight = self.flights.get(flight_id)?;
        let owner = Owner::Flight {
            app_id: flight.app_id.clone(),
            flight_id: flight_id.to_string(),
        };
        let ranks = &self.apps.get(&flight.app_id)?.flights;
        let below = ranks
            .iter()
            .position(|id| id == flight_id)
            .and_then(|i| ranks.get(i + 1))
            .cloned()
            .unwrap_or_else(|| "Non-flighted submission".to_string());
        let mut resource = json!({
            "flightId": flight_id,
            "friendlyName": flight.friendly_name,
        });
        if let Some(id) = &flight.published {
            resource["lastPublishedFlightSubmission"] = reference(&owner, id);
        }
        if let Some(id) = &flight.pending {
            resource["pendingFlightSubmission"] = reference(&owner, id);
        }
        resource["groupIds"] = json!(flight.group_ids);
        resource["rankHigherThan"] = json!(below);
        Some(resource)
    }

    /// The add-on resource (https://learn.microsoft.com/windows/uwp/monetize/manage-add-ons).
    pub fn addon_json(&self, addon_id: &str) -> Option<Value> {
        let addon = self.addons.get(addon_id)?;
        let owner = Owner::Addon(addon_id.to_string());
        let apps: Vec<Value> = addon
            .app_ids
            .iter()
            .map(|a| json!({"id": a, "resourceLocation": format!("applications/{a}")}))
            .collect();
        let mut resource = json!({
            "applications": {"value": apps, "totalCount": addon.app_ids.len()},
            "id": addon_id,
            "productId": addon.product_id,
            "productType": addon.product_type,
        });
        if let Some(id) = &addon.pending {
            resource["pendingInAppProductSubmission"] = reference(&owner, id);
        }
        if let Some(id) = &addon.published {
            resource["lastPublishedInAppProductSubmission"] = reference(&owner, id);
        }
        Some(resource)
    }

    /// The pending and published pointers of a submission's owner.
    pub fn owner_slots(
        &mut self,
        owner: &Owner,
    ) -> Option<(&mut Option<String>, &mut Option<String>, &mut u32)> {
        match owner {
            Owner::App(id) => self
                .apps
                .get_mut(id)
                .map(|a| (&mut a.pending, &mut a.published, &mut a.submissions_made)),
            Owner::Flight { flight_id, .. } => self
                .flights
                .get_mut(flight_id)
                .map(|f| (&mut f.pending, &mut f.published, &mut f.submissions_made)),
            Owner::Addon(id) => self
                .addons
                .get_mut(id)
                .map(|a| (&mut a.pending, &mut a.published, &mut a.submissions_made)),
        }
    }

    /// A fresh SAS URL for a new blob. The signature is base64 and, like the Store's own
    /// URLs "sometimes" (https://github.com/microsoft/windows-dev-center-vsts-extension,
    /// `tasks/common/apiHelper.ts`), carries `+` unencoded; the blob name is chosen so
    /// that it always does (and has a `/`, percent-encoded), which keeps that trap in every
    /// test.
    pub fn new_upload_url(&self) -> (String, String) {
        loop {
            let blob = uuid::Uuid::new_v4().to_string();
            let lifetime = jiff::SignedDuration::try_from(self.options.upload_url_lifetime)
                .unwrap_or(jiff::SignedDuration::from_hours(24));
            let expiry = (jiff::Timestamp::now() + lifetime)
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            if let Some(storage) = &self.options.storage {
                let (base, signature) = storage.sas(&blob, "rwl", &expiry);
                if !signature.contains('+') {
                    continue;
                }
                let encoded = signature.replace('/', "%2F").replace('=', "%3D");
                return (blob, format!("{base}&sig={encoded}"));
            }
            let signature = super::blob::sign(&self.signing_key, &blob, &expiry, "rwl");
            // Both `+` and `/`: the characters clients mangle and logs leak.
            if !signature.contains('+') || !signature.contains('/') {
                continue;
            }
            let encoded = signature.replace('/', "%2F").replace('=', "%3D");
            let url = format!(
                "{}blob/ingestion/{blob}?sv=2014-02-14&sr=b&sig={encoded}&se={expiry}&sp=rwl",
                self.base_url
            );
            return (blob, url);
        }
    }

    /// Moves committed submissions along their timelines, applying publication once.
    pub fn advance(&mut self) {
        let now = Instant::now();
        let mut published = Vec::new();
        for submission in self.submissions.values_mut() {
            let reached = submission
                .timeline
                .iter()
                .rev()
                .find(|(at, _)| *at <= now)
                .map(|(_, status)| *status);
            if let Some(status) = reached
                && submission.status() != status
            {
                submission.body["status"] = json!(status);
                super::preprocess::on_status(
                    &mut self.processing,
                    &submission.id,
                    &submission.owner,
                    &mut submission.body,
                    status,
                );
                if status.ends_with("Failed") {
                    if !submission.body["statusDetails"].is_object() {
                        submission.body["statusDetails"] =
                            json!({"errors": [], "warnings": [], "certificationReports": []});
                    }
                    submission.body["statusDetails"]["errors"] = json!(submission.failure);
                }
            }
            if submission.status() == "Published" && !submission.publish_applied {
                submission.publish_applied = true;
                published.push((submission.owner.clone(), submission.id.clone()));
            }
        }
        for (owner, id) in published {
            self.publish(&owner, &id);
        }
    }

    fn publish(&mut self, owner: &Owner, id: &str) {
        let mut next = self.next_id;
        let mut new_id = || {
            next += 3;
            next.to_string()
        };
        if let Some(submission) = self.submissions.get_mut(id) {
            let body = &mut submission.body;
            if let Some(packages) = owner
                .packages_field()
                .and_then(|field| body.get_mut(field))
                .and_then(Value::as_array_mut)
            {
                settle_files(packages, &mut new_id);
            }
            if let Some(listings) = body.get_mut("listings").and_then(Value::as_object_mut) {
                for listing in listings.values_mut() {
                    if let Some(images) = listing
                        .pointer_mut("/baseListing/images")
                        .and_then(Value::as_array_mut)
                    {
                        settle_files(images, &mut new_id);
                    }
                    // An add-on listing's icon: uploaded, or gone when marked for deletion.
                    if let Some(object) = listing.as_object_mut() {
                        match object
                            .get("icon")
                            .and_then(|i| i.get("fileStatus"))
                            .and_then(Value::as_str)
                        {
                            Some("PendingDelete") => {
                                object.remove("icon");
                            }
                            Some("PendingUpload") => {
                                object["icon"]["fileStatus"] = json!("Uploaded");
                            }
                            _ => {}
                        }
                    }
                }
            }
            // New trailers get their ids as the docs' sample shows them (`id`, `videoFileId`,
            // an `id` per thumbnail): https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions#trailer-object.
            if let Some(trailers) = body.get_mut("trailers").and_then(Value::as_array_mut) {
                for trailer in trailers {
                    if trailer
                        .get("id")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        trailer["id"] = json!(new_id());
                        trailer["videoFileId"] = json!(new_id());
                    }
                    if let Some(assets) = trailer
                        .get_mut("trailerAssets")
                        .and_then(Value::as_object_mut)
                    {
                        for image in assets
                            .values_mut()
                            .filter_map(|a| a.get_mut("imageList").and_then(Value::as_array_mut))
                            .flatten()
                        {
                            if image
                                .get("id")
                                .and_then(Value::as_str)
                                .is_none_or(str::is_empty)
                            {
                                image["id"] = json!(new_id());
                            }
                        }
                    }
                }
            }
            body["fileUploadUrl"] = Value::Null;
        }
        self.next_id = next;
        let previous = self
            .owner_slots(owner)
            .and_then(|(_, published, _)| published.clone());
        if let Some(submission) = self.submissions.get_mut(id) {
            super::rollout::on_publish(&mut submission.body, previous.as_deref());
        }
        if let Some((pending, published, _)) = self.owner_slots(owner) {
            *published = Some(id.to_string());
            if pending.as_deref() == Some(id) {
                *pending = None;
            }
        }
    }

    /// Commit: checks the upload and reads its packages now (`preprocess`), and lays out
    /// the statuses to come. The outcome shows after one phase in `CommitStarted`, as the
    /// real service reports asynchronously.
    pub fn commit(&mut self, id: &str) {
        let phase = self.options.phase;
        let Some(submission) = self.submissions.get(id) else {
            return;
        };
        // The files the service holds for this product: those of its published submissions.
        let held: Vec<Value> = self
            .submissions
            .values()
            .filter(|s| s.owner == submission.owner && s.publish_applied)
            .flat_map(|s| super::checks::file_entries(&s.body))
            .filter(|f| f.get("fileStatus").and_then(Value::as_str) == Some("Uploaded"))
            .cloned()
            .collect();
        let errors = commit_errors(&submission.body, self.blobs.get(&submission.blob), &held);
        let now = Instant::now();
        let at = |n: u32| now + phase * n;
        let mut stages = vec![
            (at(1), "PreProcessing"),
            (at(2), "Certification"),
            (at(3), "Release"),
        ];
        // Manual waits in Release for a person; SpecificDate for its date (rollout.rs).
        if let Some(start) = super::rollout::publication_start(&submission.body, at(3)) {
            stages.extend([
                (start + phase, "PendingPublication"),
                (start + phase * 2, "Publishing"),
                (start + phase * 3, "Published"),
            ]);
        }
        let plan = super::preprocess::plan(self, id, errors);
        let mut timeline = vec![(now, "CommitStarted")];
        if plan.fail_at == Some("Commit") {
            timeline.push((at(1), "CommitFailed"));
        } else if plan.fail_at == Some("CommitFallback") {
            // Back to a draft that may be committed again. UNKNOWN: whether the service
            // says why in statusDetails; StoreBroker saw only the status change.
            timeline.push((at(1), "PendingCommit"));
        } else {
            for (when, stage) in stages {
                timeline.push((when, stage));
                if plan.fail_at == Some(stage) {
                    timeline.push((when + phase, super::preprocess::failed_status(stage)));
                    break;
                }
            }
        }
        let submission = self.submissions.get_mut(id).expect("checked above");
        submission.body["status"] = json!("CommitStarted");
        submission.timeline = timeline;
        submission.failure = plan.errors;
    }

    pub fn dump(&self) -> Value {
        let apps: BTreeMap<&String, Value> = self
            .apps
            .iter()
            .map(|(id, app)| (id, self.application_json(app, id)))
            .collect();
        let flights: BTreeMap<&String, Value> = self
            .flights
            .keys()
            .filter_map(|id| Some((id, self.flight_json(id)?)))
            .collect();
        let addons: BTreeMap<&String, Value> = self
            .addons
            .keys()
            .filter_map(|id| Some((id, self.addon_json(id)?)))
            .collect();
        let submissions: BTreeMap<&String, Value> = self
            .submissions
            .iter()
            .map(|(id, s)| {
                (
                    id,
                    json!({"owner": format!("{:?}", s.owner), "blob": s.blob, "submission": s.body, "lastPut": self.put_bodies.get(id)}),
                )
            })
            .collect();
        let blobs: BTreeMap<&String, Value> = self
            .blobs
            .iter()
            .map(|(name, b)| {
                (
                    name,
                    json!({"size": b.size, "contentType": b.content_type, "metadata": b.metadata}),
                )
            })
            .collect();
        // The tokens issued, so tests can look for them where they must never be.
        let tokens: Vec<&String> = self.tokens.keys().collect();
        json!({"apps": apps, "flights": flights, "addons": addons, "prices": super::pricing::dump(self), "submissions": submissions, "blobs": blobs, "issuedTokens": tokens})
    }
}

/// After publication: uploaded files get ids, deleted ones leave the list.
fn settle_files(files: &mut Vec<Value>, new_id: &mut impl FnMut() -> String) {
    files.retain(|f| f.get("fileStatus").and_then(Value::as_str) != Some("PendingDelete"));
    for file in files.iter_mut() {
        if file.get("fileStatus").and_then(Value::as_str) == Some("PendingUpload") {
            file["fileStatus"] = json!("Uploaded");
            if file
                .get("id")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                file["id"] = json!(new_id());
            }
        }
    }
}

/// The parts of a certificate Entra ID keeps: thumbprints and public key.
fn parse_certificate(pem: &str) -> Result<RegisteredCertificate, String> {
    use aws_lc_rs::digest;
    use rustls_pki_types::pem::{PemObject, SectionKind};
    use x509_cert::der::Decode;
    let der = <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(pem.as_bytes())
        .filter_map(Result::ok)
        .find(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| der)
        .ok_or("no CERTIFICATE block in `certificate`")?;
    let certificate = x509_cert::Certificate::from_der(&der)
        .map_err(|e| format!("`certificate` is not an X.509 certificate: {e}"))?;
    let b64 = |d: digest::Digest| crate::auth::jws::base64url(d.as_ref());
    Ok(RegisteredCertificate {
        sha1: b64(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der)),
        sha256: b64(digest::digest(&digest::SHA256, &der)),
        public_key: certificate
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes()
            .to_vec(),
    })
}

const SEED_PUBLISHER: &str = "CN=Contoso Software, O=Contoso Corporation, C=US";
/// The docs' flight and add-on of the docs' app.
pub const SEED_FLIGHT_ID: &str = "7bfc11d5-f710-47c5-8a98-e04bb5aad310";
pub const SEED_ADDON_ID: &str = "9NBLGGH4TNMP";

/// `{id, resourceLocation}` of a submission.
pub fn reference(owner: &Owner, id: &str) -> Value {
    json!({"id": id, "resourceLocation": owner.resource_location(id)})
}

/// The docs' flight submission resource, published, its package uploaded.
pub fn seed_flight_submission() -> Value {
    let mut body: Value =
        serde_json::from_str(include_str!("samples/flight-submission-resource.json"))
            .expect("sample parses");
    body["flightPackages"][0]["fileStatus"] = json!("Uploaded");
    body["flightPackages"][0]["id"] = json!("1152921504620138798");
    body
}

/// A flight submission the service starts from nothing (a new flight's first one).
/// UNKNOWN: what the service fills in; this is the docs' resource with no packages.
pub fn empty_flight_submission() -> Value {
    let mut body = seed_flight_submission();
    body["flightPackages"] = json!([]);
    body["notesForCertification"] = json!("");
    body
}

/// The docs' add-on submission resource, published. Its status details in the docs are
/// placeholders (`{"code": "None", "details": "string"}`); a published one has none.
pub fn seed_addon_submission() -> Value {
    let mut body =
        crate::api::parse_lenient(include_str!("samples/add-on-submission-resource.json"))
            .expect("sample parses");
    body["statusDetails"] = json!({"errors": [], "warnings": [], "certificationReports": []});
    // The docs' sample prices in tiers of the older model (Tier3, Tier4) while saying
    // `isAdvancedPricingModel: true`, whose tiers are Tier1012–Tier1424
    // (https://learn.microsoft.com/windows/uwp/monetize/manage-add-on-submissions);
    // the seed keeps the tiers and says the model they belong to.
    body["pricing"]["isAdvancedPricingModel"] = json!(false);
    body
}

/// An add-on's first submission. UNKNOWN: what the service fills in for an add-on that
/// never had one; this keeps the docs' shape with empty listings and free pricing.
pub fn empty_addon_submission() -> Value {
    let mut body = seed_addon_submission();
    body["listings"] = json!({});
    body["keywords"] = json!([]);
    body["tag"] = json!("");
    body["contentType"] = json!("NotSet");
    body["lifetime"] = json!("Forever");
    body["pricing"] = json!({"marketSpecificPricings": {}, "sales": [], "priceId": "Free", "isAdvancedPricingModel": true});
    body["targetPublishDate"] = json!("1601-01-01T00:00:00Z");
    body
}

/// The published submission every seeded app starts with: the docs' app submission
/// resource, plus fields this client has never heard of. `isSeekEnabled` is documented
/// (in a table only); the `contoso…` fields are not: they stand for fields the service may
/// add after a client was written, which a client must send back unchanged.
pub fn seed_submission() -> Value {
    let mut body: Value =
        serde_json::from_str(include_str!("samples/app-submission-resource.json"))
            .expect("sample parses");
    // The docs' sample's Tier2 belongs to the older pricing model (Tier2–Tier96), not to
    // the advanced one (Tier1012–Tier1424) the sample names: the seed says the model its
    // tier belongs to (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions).
    body["pricing"]["isAdvancedPricingModel"] = json!(false);
    body["isSeekEnabled"] = json!(false);
    body["contosoFutureSettings"] = json!({
        "regionalPricingTiers": ["T1", {"market": "NZ", "tier": 3}],
        "enabled": true,
        "threshold": 0.25
    });
    body["listings"]["en-us"]["baseListing"]["contosoAccessibilityNotes"] =
        json!("Screen reader tested");
    body["applicationPackages"][0]["contosoBuildInfo"] = json!({"pipeline": "legacy", "run": 41});
    // The docs' package is an ARM Windows.Mobile 1.0.0.0 appx: a Windows 10 Mobile app.
    // The seeded app stands for the example app (examples/contoso-app), a desktop app, so
    // its published package is the x64 desktop 1.0.0.0 that the example's 1.0.1.0 updates;
    // otherwise every first submission would drop ARM and Windows.Mobile (see
    // docs/decisions/0008-package-checks.md). `/_simulator/published-packages` seeds the
    // docs' package, or any other, for tests.
    let package = &mut body["applicationPackages"][0];
    package["architecture"] = json!("x64");
    package["targetDeviceFamilies"] = json!(["Windows.Desktop min version 10.0.17763.0"]);
    package["capabilities"] = json!(["runFullTrust"]);
    body
}
