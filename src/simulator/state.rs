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

#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
}

pub struct IssuedToken {
    pub expires: Instant,
    pub audience: String,
}

pub struct App {
    /// The application resource without its submission pointers (kept apart below).
    pub resource: Value,
    pub pending: Option<String>,
    pub published: Option<String>,
    pub submissions_made: u32,
}

pub struct Submission {
    pub id: String,
    pub app_id: String,
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
}

pub struct State {
    pub base_url: url::Url,
    pub data_dir: PathBuf,
    pub options: Options,
    pub credentials: Vec<Credentials>,
    pub tokens: BTreeMap<String, IssuedToken>,
    pub apps: BTreeMap<String, App>,
    pub submissions: BTreeMap<String, Submission>,
    pub blobs: BTreeMap<String, Blob>,
    /// Uncommitted blocks per blob: block id → (file, size).
    pub blocks: BTreeMap<String, BTreeMap<String, (PathBuf, u64)>>,
    /// Key that signs the simulated SAS URLs.
    pub signing_key: [u8; 32],
    pub requests: Vec<RequestRecord>,
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
            credentials: Vec::new(),
            tokens: BTreeMap::new(),
            apps: BTreeMap::new(),
            submissions: BTreeMap::new(),
            blobs: BTreeMap::new(),
            blocks: BTreeMap::new(),
            signing_key,
            requests: Vec::new(),
            next_id: 1152921504621243600,
        }
    }

    pub fn record(&mut self, method: String, path: String, query: Option<String>, status: u16) {
        self.requests.push(RequestRecord {
            method,
            path,
            query,
            status,
        });
    }

    /// Submission ids are 19-digit decimal strings (> 2^53, reference §0).
    pub fn next_id(&mut self) -> String {
        self.next_id += 17;
        self.next_id.to_string()
    }

    /// An app with one published submission cloned from the doc sample, under `app_id`.
    pub fn seed_app(&mut self, app_id: &str) {
        if self.apps.contains_key(app_id) {
            return;
        }
        self.seed_unpublished_app(app_id);
        let id = self.next_id();
        let mut body = seed_submission();
        body["id"] = json!(id);
        body["status"] = json!("Published");
        body["friendlyName"] = json!("Submission 1");
        let blob = uuid::Uuid::new_v4().to_string();
        body["fileUploadUrl"] = Value::Null;
        let submission = Submission {
            id: id.clone(),
            app_id: app_id.to_string(),
            body,
            blob,
            timeline: Vec::new(),
            failure: Vec::new(),
            publish_applied: true,
        };
        self.submissions.insert(id.clone(), submission);
        let app = self.apps.get_mut(app_id).expect("seeded above");
        app.published = Some(id);
        app.submissions_made = 1;
        app.resource["firstPublishedDate"] = json!("2024-03-01T10:00:00Z");
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
            },
        );
    }

    /// The application resource as the API returns it.
    pub fn application_json(&self, app: &App, app_id: &str) -> Value {
        let mut resource = app.resource.clone();
        let location = |id: &str| json!({"id": id, "resourceLocation": format!("applications/{app_id}/submissions/{id}")});
        if let Some(id) = &app.published {
            resource["lastPublishedApplicationSubmission"] = location(id);
        }
        if let Some(id) = &app.pending {
            resource["pendingApplicationSubmission"] = location(id);
        }
        resource
    }

    /// A fresh SAS URL for a new blob. The signature is base64 and, like the Store's own
    /// URLs "sometimes" (reference §3.1), carries `+` unencoded; the blob name is chosen so
    /// that it always does, which keeps that trap in every test.
    pub fn new_upload_url(&self) -> (String, String) {
        loop {
            let blob = uuid::Uuid::new_v4().to_string();
            let expiry = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24))
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
            if !signature.contains('+') {
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
                if status == "CommitFailed" {
                    submission.body["statusDetails"] = json!({
                        "errors": submission.failure,
                        "warnings": [],
                        "certificationReports": []
                    });
                }
            }
            if submission.status() == "Published" && !submission.publish_applied {
                submission.publish_applied = true;
                published.push((submission.app_id.clone(), submission.id.clone()));
            }
        }
        for (app_id, id) in published {
            self.publish(&app_id, &id);
        }
    }

    fn publish(&mut self, app_id: &str, id: &str) {
        let mut next = self.next_id;
        let mut new_id = || {
            next += 3;
            next.to_string()
        };
        if let Some(submission) = self.submissions.get_mut(id) {
            let body = &mut submission.body;
            if let Some(packages) = body
                .get_mut("applicationPackages")
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
                }
            }
            body["fileUploadUrl"] = Value::Null;
        }
        self.next_id = next;
        if let Some(app) = self.apps.get_mut(app_id) {
            app.published = Some(id.to_string());
            if app.pending.as_deref() == Some(id) {
                app.pending = None;
            }
        }
    }

    /// Commit: checks the upload now and lays out the statuses to come. The outcome shows
    /// after one phase in `CommitStarted`, as the real service reports asynchronously.
    /// `fetched` is the blob read back from external storage, when the upload URLs point
    /// there; otherwise the blob is looked up in the simulator's own store.
    pub fn commit(&mut self, id: &str, fetched: Option<&Blob>) {
        let phase = self.options.phase;
        let Some(submission) = self.submissions.get(id) else {
            return;
        };
        let blob = match &self.options.storage {
            Some(_) => fetched,
            None => self.blobs.get(&submission.blob),
        };
        let errors = commit_errors(&submission.body, blob);
        let publish_mode = submission
            .body
            .get("targetPublishMode")
            .and_then(Value::as_str)
            .unwrap_or("Immediate")
            .to_string();
        let now = Instant::now();
        let at = |n: u32| now + phase * n;
        let mut timeline = vec![(now, "CommitStarted")];
        if errors.is_empty() {
            timeline.extend([
                (at(1), "PreProcessing"),
                (at(2), "Certification"),
                (at(3), "Release"),
            ]);
            // Manual waits in Release for a person. UNKNOWN: how SpecificDate behaves on
            // this accelerated clock; until release control lands it publishes like
            // Immediate.
            if publish_mode != "Manual" {
                timeline.extend([
                    (at(4), "PendingPublication"),
                    (at(5), "Publishing"),
                    (at(6), "Published"),
                ]);
            }
        } else {
            timeline.push((at(1), "CommitFailed"));
        }
        let submission = self.submissions.get_mut(id).expect("checked above");
        submission.body["status"] = json!("CommitStarted");
        submission.timeline = timeline;
        submission.failure = errors;
    }

    pub fn dump(&self) -> Value {
        let apps: BTreeMap<&String, Value> = self
            .apps
            .iter()
            .map(|(id, app)| (id, self.application_json(app, id)))
            .collect();
        let submissions: BTreeMap<&String, Value> = self
            .submissions
            .iter()
            .map(|(id, s)| {
                (
                    id,
                    json!({"appId": s.app_id, "blob": s.blob, "submission": s.body}),
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
        json!({"apps": apps, "submissions": submissions, "blobs": blobs})
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

const SEED_PUBLISHER: &str = "CN=Contoso Software, O=Contoso Corporation, C=US";

/// The published submission every seeded app starts with: the docs' app submission
/// resource, plus fields this client has never heard of. `isSeekEnabled` is documented
/// (in a table only); the `contoso…` fields are not: they stand for fields the service may
/// add after a client was written, which a client must send back unchanged.
pub fn seed_submission() -> Value {
    let mut body: Value =
        serde_json::from_str(include_str!("samples/app-submission-resource.json"))
            .expect("sample parses");
    body["isSeekEnabled"] = json!(false);
    body["contosoFutureSettings"] = json!({
        "regionalPricingTiers": ["T1", {"market": "NZ", "tier": 3}],
        "enabled": true,
        "threshold": 0.25
    });
    body["listings"]["en-us"]["baseListing"]["contosoAccessibilityNotes"] =
        json!("Screen reader tested");
    body["applicationPackages"][0]["contosoBuildInfo"] = json!({"pipeline": "legacy", "run": 41});
    body
}
