//! The client of the Store's submission API for MSI or EXE products
//! (https://learn.microsoft.com/windows/apps/publish/store-submission-api): paths under
//! `/submission/v1/product/{productId}/`, every call with `X-Seller-Account-Id`, answers in
//! the envelope `{isSuccess, errors, responseData}`. Requests go through the project's one
//! HTTP path ([`crate::api::Client`]: token, retries with `Retry-After`, pacing, bounds,
//! correlation ids, which this API sends as `X-Correlation-ID`).

use serde_json::Value;

use crate::api::Client;
use crate::error::{CallContext, Error};

/// The observed error of an update or submit while a submission is in flight
/// (https://github.com/btsouth/ceiling/pull/211).
const ACTIVE_SUBMISSION: &str = "One Active Submission";

/// A successful answer: its `responseData`, and the `errors` it may carry anyway (warnings,
/// or the active-submission notice of `status`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub data: Value,
    pub errors: Vec<Value>,
    pub context: CallContext,
}

impl Answer {
    /// `errors` as `code: message` lines.
    pub fn messages(&self) -> Vec<String> {
        messages(&self.errors)
    }
}

pub fn messages(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            let text = if code.is_empty() {
                message.to_string()
            } else {
                format!("{code}: {message}")
            };
            crate::secrets::redact(&text).into_owned()
        })
        .collect()
}

/// One product of the API.
pub struct StoreApi {
    client: Client,
    product_id: String,
}

impl StoreApi {
    /// `client` must be built on `<store-api-base-url>/submission/v1/product/<id>/`
    /// with `X-Seller-Account-Id` (see [`StoreApi::base`]).
    pub fn new(client: Client, product_id: &str) -> StoreApi {
        StoreApi {
            client,
            product_id: product_id.to_string(),
        }
    }

    /// The base URL of one product's paths.
    pub fn base(store_api_base_url: &url::Url, product_id: &str) -> url::Url {
        let mut base = store_api_base_url.clone();
        let path = format!(
            "{}/submission/v1/product/{product_id}/",
            base.path().trim_end_matches('/')
        );
        base.set_path(&path);
        base
    }

    pub async fn get(&self, path: &str, doing: &str) -> Result<Answer, Error> {
        let answer = self.client.get_answer(path).await;
        self.envelope(answer, doing)
    }

    pub async fn put(&self, path: &str, body: &Value, doing: &str) -> Result<Answer, Error> {
        let answer = self.client.put_answer(path, body).await;
        self.envelope(answer, doing)
    }

    pub async fn post_json(&self, path: &str, body: &Value, doing: &str) -> Result<Answer, Error> {
        let answer = self.client.post_json_answer(path, body).await;
        self.envelope(answer, doing)
    }

    pub async fn post(&self, path: &str, doing: &str) -> Result<Answer, Error> {
        let answer = self.client.post_answer(path).await;
        self.envelope(answer, doing)
    }

    /// Reads the envelope: `isSuccess: false` is an error whatever the HTTP status (the
    /// docs give no status per failure, msstore-cli reads both,
    /// `SubmissionClient.InvokeAsync`).
    fn envelope(
        &self,
        answer: Result<(Value, CallContext), crate::api::ApiError>,
        doing: &str,
    ) -> Result<Answer, Error> {
        let (body, context) = match answer {
            Ok(ok) => ok,
            Err(e) => {
                let summary = e.summary();
                if summary.contains(ACTIVE_SUBMISSION) {
                    return Err(active_submission(&summary, Some(e.context)));
                }
                return Err(self.api_error(e, doing));
            }
        };
        let errors = body
            .get("errors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let success = body.get("isSuccess").and_then(Value::as_bool);
        if success != Some(true) {
            let shown = messages(&errors).join("; ");
            if shown.contains(ACTIVE_SUBMISSION) {
                return Err(active_submission(&shown, Some(context)));
            }
            if shown.is_empty() {
                return Err(Error::Api {
                    message: format!(
                        "the Store answered {doing} without `isSuccess: true` and without errors"
                    ),
                    hint: "Nothing more was changed. Report it with the correlation id.".into(),
                    context,
                });
            }
            return Err(refused(doing, &shown, Some(context)));
        }
        Ok(Answer {
            data: body.get("responseData").cloned().unwrap_or(Value::Null),
            errors,
            context,
        })
    }

    fn api_error(&self, e: crate::api::ApiError, doing: &str) -> Error {
        let status = e.status().or(e.context.http_status);
        let summary = e.summary();
        if let crate::api::ApiErrorKind::SignIn(inner) = &e.kind
            && !matches!(**inner, Error::Auth { .. })
        {
            return e.into_error(doing);
        }
        match status {
            Some(404) => Error::Input(vec![crate::config::InputProblem::new(
                "app-id",
                format!(
                    "the Store's MSI/EXE API does not know product {} ({summary}): give the Partner Center product id (a GUID) of an MSI or EXE product whose first submission was made in Partner Center",
                    self.product_id
                ),
            )]),
            Some(401) => Error::Auth {
                message: format!("the Store refused the token while {doing} (HTTP 401)"),
                hint: "The token must be for https://api.store.microsoft.com (scope https://api.store.microsoft.com/.default; a given `access-token` for Partner Center's API does not work here), and the Entra ID application must be added in Partner Center → Account settings → Users with the Manager role.".into(),
            },
            Some(403) => Error::Auth {
                message: format!("the Store denied access while {doing}: {summary}"),
                hint: "Check `seller-id` (Partner Center → Account settings → Legal info) and that product belongs to that account, and that the application has the Manager role.".into(),
            },
            // The Store refused what was sent (a field, a limit): as for MSIX products, the
            // submission is what failed (docs/exit-codes.md).
            Some(400) | Some(422) => refused(doing, &summary, Some(e.context)),
            _ => e.into_error(doing),
        }
    }
}

fn refused(doing: &str, errors: &str, context: Option<CallContext>) -> Error {
    Error::SubmissionFailed {
        message: format!("the Store refused {doing}: {errors}"),
        hint: "Fix what the Store names (docs/msi-exe.md, troubleshooting) and run again; nothing after this call was changed.".into(),
        context,
    }
}

fn active_submission(message: &str, context: Option<CallContext>) -> Error {
    Error::Conflict {
        message: format!("the product has a submission in progress: {message}"),
        hint: "The MSI/EXE API cannot cancel a submission. Wait for it (`on-pending: reuse`), or cancel it in Partner Center (the product's submission → \"Cancel review\"), then run again.".into(),
        context,
    }
}
