//! `status`: the product's pending submission (else its last published one), or the one
//! named by `submission-id`; optionally waiting for `wait-for`.

use super::{Connection, describe_spec, resolve, write_summary};
use crate::api::Client;
use crate::api::types::SubmissionStatus;
use crate::config::{ProductRef, StatusConfig, WaitFor};
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::submission::release::{self, Publication};
use crate::submission::wait::wait;

/// `status` with the connection, the product's ids resolved and the step summary.
pub(crate) async fn run(status: &StatusConfig, reporter: &Reporter) -> Result<()> {
    let mut summary = RunSummary::new(describe_spec(&status.product));
    let result = async {
        let connection = Connection::open(&status.session, Some(&status.product)).await?;
        let product = resolve(&connection.client, &status.product, reporter).await?;
        summary.product = product.describe();
        follow(status, &product, &connection.client, reporter, &mut summary).await
    }
    .await;
    let title = format!("Microsoft Store submission status: {}", summary.product);
    summary.warnings = reporter.warnings_shown();
    write_summary(reporter, &title, summary, result.as_ref().err());
    result
}

async fn follow(
    config: &StatusConfig,
    product: &ProductRef,
    client: &Client,
    reporter: &Reporter,
    summary: &mut RunSummary,
) -> Result<()> {
    let submission_id = match &config.submission_id {
        Some(id) => id.clone(),
        None => {
            let resource = crate::products::read_product(client, product).await?;
            let pick = |field: &str| crate::products::pending_id(&resource, field);
            match pick(product.pending_field()) {
                Some(id) => {
                    tracing::info!("pending submission: {id}");
                    id
                }
                None => match pick(product.published_field()) {
                    Some(id) => {
                        tracing::info!("no pending submission; last published: {id}");
                        id
                    }
                    None => {
                        return Err(Error::input(
                            product.naming_input(),
                            format!("{} has no submission yet", product.describe()),
                        ));
                    }
                },
            }
        }
    };
    reporter.output("submission-id", &submission_id);
    reporter.output("submission-url", &product.dashboard_url(&submission_id));
    summary.submission_id = Some(submission_id.clone());
    summary.submission_url = Some(product.dashboard_url(&submission_id));
    let (submission, context) = client
        .get_answer(&product.submission_path(&submission_id))
        .await
        .map_err(|e| {
            if e.is_not_found() {
                Error::input(
                    "submission-id",
                    format!(
                        "submission {submission_id} of {} was not found",
                        product.describe()
                    ),
                )
            } else {
                e.into_error(&format!("reading submission {submission_id}"))
            }
        })?;
    crate::submission::wait::check_documented(
        &format!("the status of submission {submission_id}"),
        submission.get("status"),
        |s| crate::api::types::Status::parse(s).is_documented(),
        &context,
    )?;
    let status = SubmissionStatus::from_submission(&submission);
    let mut set = |status: &SubmissionStatus| {
        reporter.output("status", status.status.as_str());
        reporter.output("status-details", &status.details_json());
        summary.record_status(status.status.as_str(), &status.status_details);
    };
    set(&status);
    tracing::info!("submission {submission_id}: {}", status.status);
    crate::submission::wait::log_status_details(&status.status_details);
    if config.wait.wait_for == WaitFor::None {
        return Ok(());
    }
    let publication = Publication::of(&submission);
    let waited = wait(
        client,
        product,
        &submission_id,
        &publication,
        &config.wait,
        false,
        set,
    )
    .await?;
    if waited.stopped_at_release {
        release::report_waiting_in_release(
            reporter,
            summary,
            &publication,
            product,
            &submission_id,
        );
    }
    Ok(())
}
