//! The listings folder in the submit flow (docs/listings.md): which of its files the zip
//! must hold, decided against the live listing before the zip is built, so that an image
//! already live is never uploaded again.

use serde_json::json;

use super::Submit;
use crate::config::ZipInput;
use crate::error::Result;

impl Submit<'_> {
    /// The folder's files that are not live in the submission a new one is cloned from
    /// (the last published; none for a product never published). Reads only.
    pub(super) async fn listing_uploads(&self) -> Result<Vec<ZipInput>> {
        let Some(folder) = &self.config.changes.listings else {
            return Ok(Vec::new());
        };
        if let Some(uploads) = folder.uploads.get() {
            return Ok(uploads.clone());
        }
        let product = self.product;
        let resource = self.read_product().await?;
        let mut base = match crate::products::pending_id(&resource, product.published_field()) {
            Some(id) => self
                .client
                .get(&product.submission_path(&id))
                .await
                .map_err(|e| e.into_error(&format!("reading published submission {id}")))?,
            None => json!({}),
        };
        let outcome = crate::listings::apply(&mut base, folder);
        let uploads = outcome.uploads;
        if uploads.is_empty() {
            tracing::info!("listings: every image of the folder is live; nothing to upload");
        } else {
            tracing::info!(
                "listings: {} file(s) to upload: {}",
                uploads.len(),
                uploads
                    .iter()
                    .map(|u| u.entry_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = folder.uploads.set(uploads.clone());
        Ok(uploads)
    }
}
