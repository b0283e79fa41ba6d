//! `pack`: the zip of packages and media alone, with its path, SHA-256 and size as outputs.

use crate::config::PackConfig;
use crate::error::Error;
use crate::package;
use crate::report::Reporter;

pub(crate) async fn run(pack: &PackConfig, reporter: &Reporter) -> Result<(), Error> {
    let (files, path) = (pack.files.clone(), pack.zip_path.clone());
    let zip = tokio::task::spawn_blocking(move || package::build_zip(&files, &path))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot write the zip: {e}")))?;
    for (name, value) in [
        ("zip-path", zip.path.display().to_string()),
        ("zip-sha256", zip.sha256.clone()),
        ("zip-size", zip.size.to_string()),
    ] {
        reporter
            .set_output(name, &value)
            .map_err(|e| Error::Internal(e.into()))?;
    }
    Ok(())
}
