//! `import-pdp`: StoreBroker PDP files and their media into `listings-dir`; no network
//! (docs/listings.md#coming-from-storebroker).

use crate::config::ImportPdpConfig;
use crate::error::Error;
use crate::listings::pdp::import;

/// The `import-pdp` command.
pub(crate) fn run(config: &ImportPdpConfig) -> Result<(), Error> {
    let imported = import(
        &config.pdp_dir,
        config.media_dir.as_deref(),
        &config.out,
        config.addon.as_deref(),
    )
    .map_err(Error::Input)?;
    tracing::info!(
        "wrote {} file(s) into {} (languages: {})",
        imported.files,
        config.out.display(),
        imported.languages.join(", ")
    );
    if !imported.not_png.is_empty() {
        tracing::warn!(
            "the Store takes PNG images only; convert these before `submit` (its lint refuses them): {}",
            imported.not_png.join(", ")
        );
    }
    Ok(())
}
