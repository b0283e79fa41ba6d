//! `pull`: the product's live listings into `listings-dir` (docs/listings.md).

use std::path::Path;

use super::{Connection, resolve};
use crate::api::Client;
use crate::config::{ProductRef, PullConfig};
use crate::error::Result;
use crate::listings::pull::{Pulled, pull};
use crate::report::Reporter;

pub(crate) async fn run(config: &PullConfig, reporter: &Reporter) -> Result<()> {
    if let Some(msi) = &config.msi {
        return super::msi::pull(msi, &config.dir, reporter).await;
    }
    let connection = Connection::open(&config.session, Some(&config.product)).await?;
    let product = resolve(&connection.client, &config.product, reporter).await?;
    pull_into(&connection.client, &product, &config.dir, reporter).await
}

/// The `pull` command: pulls, then says what was written and which images are placeholders.
async fn pull_into(
    client: &Client,
    product: &ProductRef,
    root: &Path,
    reporter: &Reporter,
) -> Result<()> {
    reporter.group_start(&format!("Pull the listings of {}", product.describe()));
    let pulled = pull(client, product, root).await;
    let pulled = match pulled {
        Ok(p) => p,
        Err(e) => {
            reporter.group_end();
            return Err(e);
        }
    };
    log_pulled(&pulled, &product.describe(), root);
    reporter.group_end();
    Ok(())
}

/// What a pull wrote, and which images are placeholders (both Store APIs).
pub(super) fn log_pulled(pulled: &Pulled, what: &str, root: &Path) {
    tracing::info!(
        "wrote {} file(s) for {what} into {} (languages: {})",
        pulled.files,
        root.display(),
        pulled.languages.join(", ")
    );
    if !pulled.placeholders.is_empty() {
        tracing::info!(
            "{} live image(s) are placeholders (`.live`): the Store API gives no image bytes. Keep them to keep the images; put a PNG in a placeholder's place to replace that image: {}",
            pulled.placeholders.len(),
            pulled.placeholders.join(", ")
        );
    }
}
