//! `rollout`: read or change the gradual rollout of the last published submission of an
//! app or a package flight (R1–R4, FR1–FR4). Add-ons have none (refused with the inputs).

use super::{Connection, describe_spec, resolve, write_summary};
use crate::api::Client;
use crate::config::{ProductRef, RolloutAction, RolloutConfig};
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::submission::release::{RolloutState, act_on_rollout, rollout_path};

/// `rollout` with the connection, the product's ids resolved and the step summary.
pub(crate) async fn run(rollout: &RolloutConfig, reporter: &Reporter) -> Result<()> {
    let mut summary = RunSummary::new(describe_spec(&rollout.product));
    let result = async {
        let connection = Connection::open(&rollout.session, Some(&rollout.product)).await?;
        let product = resolve(&connection.client, &rollout.product, reporter).await?;
        summary.product = product.describe();
        change(
            rollout,
            &product,
            &connection.client,
            reporter,
            &mut summary,
        )
        .await
    }
    .await;
    let title = format!("Microsoft Store rollout: {}", summary.product);
    summary.warnings = reporter.warnings_shown();
    write_summary(reporter, &title, summary, result.as_ref().err());
    result
}

async fn change(
    config: &RolloutConfig,
    product: &ProductRef,
    client: &Client,
    reporter: &Reporter,
    summary: &mut RunSummary,
) -> Result<()> {
    let resource = crate::products::read_product(client, product).await?;
    let Some(submission_id) = crate::products::pending_id(&resource, product.published_field())
    else {
        return Err(Error::Conflict {
            message: format!(
                "{} has no published submission, so no gradual rollout",
                product.describe()
            ),
            hint: "A rollout starts when a submission with `rollout-percentage` publishes.".into(),
            context: None,
        });
    };
    reporter.output("submission-id", &submission_id);
    reporter.output("submission-url", &product.dashboard_url(&submission_id));
    summary.submission_id = Some(submission_id.clone());
    summary.submission_url = Some(product.dashboard_url(&submission_id));
    if config.action != RolloutAction::Get {
        tracing::info!(
            "{} the gradual rollout of submission {submission_id}, the last published one of {}",
            match config.action {
                RolloutAction::Update(p) => format!(
                    "setting to {}%",
                    crate::config::values::format_percentage(p)
                ),
                RolloutAction::Halt => "halting".into(),
                _ => "finalizing".into(),
            },
            product.describe()
        );
    }
    // Read first: a rollout in a state the tool cannot interpret is neither reported nor
    // changed (exit 1, at once).
    let (current, context) = client
        .get_answer(&rollout_path(product, &submission_id, RolloutAction::Get))
        .await
        .map_err(|e| {
            e.into_error(&format!(
                "reading the rollout of submission {submission_id}"
            ))
        })?;
    crate::submission::wait::check_documented(
        &format!("the rollout of submission {submission_id}"),
        current.get("packageRolloutStatus"),
        |s| crate::submission::wait::ROLLOUT_STATUSES.contains(&s),
        &context,
    )?;
    let rollout = match config.action {
        RolloutAction::Get if current.is_object() => current,
        action => act_on_rollout(client, product, &submission_id, action).await?,
    };
    let state = RolloutState::from_rollout(&rollout);
    reporter.output("rollout", &rollout.to_string());
    summary.rollout = Some(state.describe());
    let fallback = match state.fallback_submission_id.as_str() {
        "" | "0" => String::new(),
        id => format!("; customers outside it get submission {id}"),
    };
    if state.is_rollout {
        tracing::info!(
            "submission {submission_id}: gradual rollout at {}{fallback}",
            state.describe()
        );
    } else {
        tracing::info!("submission {submission_id}: not a gradual rollout");
    }
    Ok(())
}
