//! What is already behind an upload URL: Get Blob Properties through the SAS (the Store's
//! URLs allow reading, `sp=rwl`), for the SHA-256 our uploads store as blob metadata. A
//! re-run uses it to tell its own finished upload from anything else.

use std::time::Duration;

use super::{SHA256_METADATA, STORAGE_VERSION, UploadUrl};

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobState {
    /// Nothing committed yet.
    Missing,
    /// A blob with this SHA-256 in its metadata (`None`: a blob without ours).
    Present { sha256: Option<String> },
    /// The properties could not be read (expired or refused URL, network).
    Unknown(String),
}

pub async fn blob_state(http: &reqwest::Client, url: &UploadUrl) -> BlobState {
    let response = http
        .head(url.request_url().clone())
        .header("x-ms-version", STORAGE_VERSION)
        .timeout(Duration::from_secs(60))
        .send()
        .await;
    match response {
        Ok(r) if r.status().as_u16() == 404 => BlobState::Missing,
        Ok(r) if r.status().is_success() => {
            let header = SHA256_METADATA.to_ascii_lowercase();
            BlobState::Present {
                sha256: r
                    .headers()
                    .get(header.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            }
        }
        Ok(r) => BlobState::Unknown(format!("HTTP {}", r.status())),
        Err(e) => BlobState::Unknown(crate::secrets::redact(&e.to_string()).into_owned()),
    }
}
