//! `submit`: the inputs' changes into a new submission of an app, a flight or an add-on,
//! committed and followed. The flow itself is the shared path in `submission::flow`.

use super::{Connection, describe_spec, resolve, write_summary};
use crate::config::SubmitConfig;
use crate::error::Error;
use crate::package::manifest::PackageInfo;
use crate::report::Reporter;
use crate::report::summary::RunSummary;
use crate::submission::flow::Submit;

pub(crate) async fn run(
    submit: &SubmitConfig,
    packages: &[PackageInfo],
    reporter: &Reporter,
) -> Result<(), Error> {
    let mut summary = RunSummary::new(describe_spec(&submit.product));
    let result = async {
        let connection = Connection::open(&submit.session, Some(&submit.product)).await?;
        let product = resolve(&connection.client, &submit.product, reporter).await?;
        summary.product = product.describe();
        Submit {
            config: submit,
            packages,
            product: &product,
            client: &connection.client,
            http: &connection.http,
            reporter,
        }
        .run(&mut summary)
        .await
    }
    .await;
    if submit.temporary_zip
        && let Some(path) = submit.zip.path()
        && std::fs::remove_file(path).is_ok()
    {
        tracing::info!(
            "removed the zip {} (built in the system temp folder; give `zip-path` to keep it)",
            path.display()
        );
    }
    let title = format!("Microsoft Store submission: {}", summary.product);
    summary.warnings = reporter.warnings_shown();
    write_summary(reporter, &title, summary, result.as_ref().err());
    result
}
