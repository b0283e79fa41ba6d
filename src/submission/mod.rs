//! The submission flows: app (and later flight and add-on) submissions share one path —
//! clone → patch → PUT → upload → commit → wait ([`flow`]); the JSON edits live in
//! [`edit`], status polling in [`wait`].

pub mod edit;
pub mod files;
pub mod flow;
pub mod status;
pub mod wait;

use crate::config::ProductRef;

impl ProductRef {
    /// The product resource, relative to `/v1.0/my/`.
    pub fn resource_path(&self) -> String {
        match self {
            ProductRef::App { app_id } => format!("applications/{app_id}"),
        }
    }

    pub fn submission_path(&self, submission_id: &str) -> String {
        format!("{}/submissions/{submission_id}", self.resource_path())
    }

    /// Create asks for the sparse answer, then reads the full submission: cloning a large
    /// submission in one call has been seen to time out with a 500 (reference §2.3).
    pub fn create_path(&self) -> String {
        match self {
            ProductRef::App { .. } => {
                format!(
                    "{}/submissions?isMinimalResponse=true",
                    self.resource_path()
                )
            }
        }
    }

    /// The array of packages in this product's submissions, if it has packages.
    pub fn packages_field(&self) -> Option<&'static str> {
        match self {
            ProductRef::App { .. } => Some("applicationPackages"),
        }
    }

    /// The product resource's pointer to its in-progress submission.
    pub fn pending_field(&self) -> &'static str {
        match self {
            ProductRef::App { .. } => "pendingApplicationSubmission",
        }
    }

    pub fn published_field(&self) -> &'static str {
        match self {
            ProductRef::App { .. } => "lastPublishedApplicationSubmission",
        }
    }

    /// The submission's page in Partner Center.
    pub fn dashboard_url(&self, submission_id: &str) -> String {
        match self {
            ProductRef::App { app_id } => format!(
                "https://partner.microsoft.com/dashboard/products/{app_id}/submissions/{submission_id}/"
            ),
        }
    }
}
