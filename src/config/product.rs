//! The product vocabulary: an app, a package flight or an add-on by the ids the Partner
//! Center API addresses it with, and where its resources and fields are
//! (https://learn.microsoft.com/windows/uwp/monetize/create-and-manage-submissions-using-windows-store-services).

/// A product by the ids the API addresses it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    App { app_id: String },
    Flight { app_id: String, flight_id: String },
    Addon { addon_id: String },
}

impl ProductRef {
    pub fn describe(&self) -> String {
        match self {
            ProductRef::App { app_id } => format!("app {app_id}"),
            ProductRef::Flight { app_id, flight_id } => {
                format!("flight {flight_id} of app {app_id}")
            }
            ProductRef::Addon { addon_id } => format!("add-on {addon_id}"),
        }
    }

    /// The product resource, relative to `/v1.0/my/`.
    pub fn resource_path(&self) -> String {
        match self {
            ProductRef::App { app_id } => format!("applications/{app_id}"),
            ProductRef::Flight { app_id, flight_id } => {
                format!("applications/{app_id}/flights/{flight_id}")
            }
            ProductRef::Addon { addon_id } => format!("inappproducts/{addon_id}"),
        }
    }

    pub fn submission_path(&self, submission_id: &str) -> String {
        format!("{}/submissions/{submission_id}", self.resource_path())
    }

    /// Apps and flights ask for the sparse answer, then read the full submission: cloning
    /// a large submission in one call has been seen to time out with a 500
    /// (https://github.com/microsoft/StoreBroker/blob/master/CHANGELOG.md, 1.18.0).
    /// StoreBroker does not use it for add-ons, and neither do we.
    pub fn create_path(&self) -> String {
        match self {
            ProductRef::App { .. } | ProductRef::Flight { .. } => {
                format!(
                    "{}/submissions?isMinimalResponse=true",
                    self.resource_path()
                )
            }
            ProductRef::Addon { .. } => format!("{}/submissions", self.resource_path()),
        }
    }

    /// The array of packages in this product's submissions, if it has packages.
    pub fn packages_field(&self) -> Option<&'static str> {
        match self {
            ProductRef::App { .. } => Some("applicationPackages"),
            ProductRef::Flight { .. } => Some("flightPackages"),
            ProductRef::Addon { .. } => None,
        }
    }

    /// The product resource's pointer to its in-progress submission.
    pub fn pending_field(&self) -> &'static str {
        match self {
            ProductRef::App { .. } => "pendingApplicationSubmission",
            ProductRef::Flight { .. } => "pendingFlightSubmission",
            ProductRef::Addon { .. } => "pendingInAppProductSubmission",
        }
    }

    pub fn published_field(&self) -> &'static str {
        match self {
            ProductRef::App { .. } => "lastPublishedApplicationSubmission",
            ProductRef::Flight { .. } => "lastPublishedFlightSubmission",
            ProductRef::Addon { .. } => "lastPublishedInAppProductSubmission",
        }
    }

    /// The submission's page in Partner Center. The flight form is the one a published
    /// Store script uses; Microsoft does not document these URLs.
    pub fn dashboard_url(&self, submission_id: &str) -> String {
        const DASHBOARD: &str = "https://partner.microsoft.com/dashboard/products";
        match self {
            ProductRef::App { app_id } => {
                format!("{DASHBOARD}/{app_id}/submissions/{submission_id}/")
            }
            ProductRef::Flight { app_id, flight_id } => {
                format!("{DASHBOARD}/{app_id}/flights/{flight_id}/submissions/{submission_id}/")
            }
            ProductRef::Addon { addon_id } => {
                format!("{DASHBOARD}/{addon_id}/submissions/{submission_id}/")
            }
        }
    }

    /// The input that names this product, for "not found" messages.
    pub fn naming_input(&self) -> &'static str {
        match self {
            ProductRef::App { .. } => "app-id",
            ProductRef::Flight { .. } => "flight-id",
            ProductRef::Addon { .. } => "addon-id",
        }
    }
}
