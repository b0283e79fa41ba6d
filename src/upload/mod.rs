//! Blob upload to the submission's `fileUploadUrl`: Put Blob for small files, otherwise
//! Put Block (several in flight, each retried on its own) and Put Block List. No bearer
//! token is sent (the SAS is the credential) and every call carries an explicit
//! `x-ms-version`, so size limits are not those of the URL's old `sv=2014-02-14`
//! (reference blob-upload-and-zip §1.3).

pub mod probe;
pub mod sas;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::{StreamExt, TryStreamExt};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

pub use self::sas::{UploadUrl, UploadUrlError};
use crate::progress::Meter;

/// Storage service version sent on every call (≥ 2019-12-12: blocks up to 4000 MiB).
pub const STORAGE_VERSION: &str = "2021-08-06";
/// The block size every service version accepts; the fallback after a 413.
pub const SAFE_BLOCK: u64 = 4 << 20;
pub const DEFAULT_BLOCK: u64 = 8 << 20;
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const MAX_BLOCKS: u64 = 50_000;
/// Blob metadata holding the zip's SHA-256, so a later run can tell its own upload.
pub const SHA256_METADATA: &str = "x-ms-meta-msstoresubmit_sha256";
const BLOCK_ATTEMPTS: u32 = 6;

#[derive(Debug, Clone)]
pub struct UploadOptions {
    pub concurrency: usize,
    pub block_size: u64,
    /// Stored as blob metadata with the upload.
    pub sha256: Option<String>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            concurrency: DEFAULT_CONCURRENCY,
            block_size: DEFAULT_BLOCK,
            sha256: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Url(#[from] UploadUrlError),
    #[error("storage refused the upload ({status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("storage kept failing: {0}")]
    Unavailable(String),
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// Internal: a block was too large for the service version; retried with 4 MiB.
    #[error("block too large")]
    TooLarge,
}

#[derive(Debug, Clone)]
pub struct UploadReport {
    pub bytes: u64,
    pub blocks: u64,
    pub block_size: u64,
    pub elapsed: Duration,
}

/// Block size and count for a blob of `size`, starting from `preferred` and growing in
/// whole MiB so the blob never needs more than 50,000 blocks.
pub fn plan_blocks(size: u64, preferred: u64) -> (u64, u64) {
    let preferred = preferred.max(1);
    let minimum = size.div_ceil(MAX_BLOCKS).div_ceil(1 << 20) << 20;
    let block = preferred.max(minimum);
    (block, size.div_ceil(block).max(1))
}

/// Equal-length base64 block ids, as Azure requires for all blocks of one blob.
pub fn block_id(index: u64) -> String {
    BASE64.encode(format!("msstore-{index:08}"))
}

pub async fn upload_file(
    http: &reqwest::Client,
    url: &UploadUrl,
    path: &Path,
    options: &UploadOptions,
) -> Result<UploadReport, UploadError> {
    url.check_not_expired(Duration::from_secs(60))?;
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|error| read_error(path, error))?
        .len();
    let meter = Arc::new(Meter::new("upload", size));
    let report = if size <= options.block_size.min(SAFE_BLOCK * 8) {
        put_blob(http, url, path, size, options).await?;
        meter.add(size);
        UploadReport {
            bytes: size,
            blocks: 1,
            block_size: size,
            elapsed: meter.elapsed(),
        }
    } else {
        match put_blocks(http, url, path, size, options.block_size, options, &meter).await {
            Err(UploadError::TooLarge) if options.block_size > SAFE_BLOCK => {
                tracing::warn!(
                    "storage refused {} MiB blocks (413); uploading again in 4 MiB blocks",
                    options.block_size >> 20
                );
                let meter = Arc::new(Meter::new("upload", size));
                put_blocks(http, url, path, size, SAFE_BLOCK, options, &meter).await?
            }
            other => other?,
        }
    };
    tracing::info!("{}", meter.finish_line());
    Ok(report)
}

async fn put_blob(
    http: &reqwest::Client,
    url: &UploadUrl,
    path: &Path,
    size: u64,
    options: &UploadOptions,
) -> Result<(), UploadError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|error| read_error(path, error))?;
    debug_assert_eq!(bytes.len() as u64, size);
    let md5 = BASE64.encode(Md5::digest(&bytes));
    let bytes = bytes::Bytes::from(bytes);
    send_with_retries("Put Blob", || {
        let mut request = http
            .put(url.request_url().clone())
            .header("x-ms-version", STORAGE_VERSION)
            .header("x-ms-blob-type", "BlockBlob")
            .header("x-ms-blob-content-type", "application/zip")
            .header("Content-MD5", &md5)
            .body(bytes.clone());
        if let Some(sha) = &options.sha256 {
            request = request.header(SHA256_METADATA, sha);
        }
        request
    })
    .await
}

async fn put_blocks(
    http: &reqwest::Client,
    url: &UploadUrl,
    path: &Path,
    size: u64,
    preferred_block: u64,
    options: &UploadOptions,
    meter: &Arc<Meter>,
) -> Result<UploadReport, UploadError> {
    let (block_size, count) = plan_blocks(size, preferred_block);
    tracing::debug!(
        "uploading {size} bytes as {count} block(s) of {block_size} bytes, {} in flight",
        options.concurrency
    );
    futures_util::stream::iter(0..count)
        .map(Ok::<u64, UploadError>)
        .try_for_each_concurrent(options.concurrency.max(1), |index| {
            let meter = meter.clone();
            async move {
                let offset = index * block_size;
                let length = block_size.min(size - offset);
                let data = read_block(path, offset, length).await?;
                let md5 = BASE64.encode(Md5::digest(&data));
                let block_url = url.with_query(&format!(
                    "comp=block&blockid={}",
                    percent_encoding::utf8_percent_encode(
                        &block_id(index),
                        percent_encoding::NON_ALPHANUMERIC
                    )
                ));
                send_with_retries("Put Block", || {
                    http.put(block_url.clone())
                        .header("x-ms-version", STORAGE_VERSION)
                        .header("Content-MD5", &md5)
                        .timeout(block_timeout(length))
                        .body(data.clone())
                })
                .await?;
                meter.add(length);
                Ok(())
            }
        })
        .await?;

    let mut xml = String::from(r#"<?xml version="1.0" encoding="utf-8"?><BlockList>"#);
    for index in 0..count {
        xml.push_str(&format!("<Latest>{}</Latest>", block_id(index)));
    }
    xml.push_str("</BlockList>");
    let list_url = url.with_query("comp=blocklist");
    send_with_retries("Put Block List", || {
        let mut request = http
            .put(list_url.clone())
            .header("x-ms-version", STORAGE_VERSION)
            .header("x-ms-blob-content-type", "application/zip")
            .header("Content-Type", "application/xml")
            .body(xml.clone());
        if let Some(sha) = &options.sha256 {
            request = request.header(SHA256_METADATA, sha);
        }
        request
    })
    .await?;
    Ok(UploadReport {
        bytes: size,
        blocks: count,
        block_size,
        elapsed: meter.elapsed(),
    })
}

async fn read_block(path: &Path, offset: u64, length: u64) -> Result<bytes::Bytes, UploadError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| read_error(path, e))?;
    file.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(|e| read_error(path, e))?;
    let mut data = vec![0u8; length as usize];
    file.read_exact(&mut data)
        .await
        .map_err(|e| read_error(path, e))?;
    Ok(bytes::Bytes::from(data))
}

/// A slow uplink still moves a block: at least two minutes, and 64 KiB/s on top.
fn block_timeout(length: u64) -> Duration {
    Duration::from_secs(120 + length / (64 << 10))
}

/// Sends one storage request, retrying 5xx, 408, 429 (honouring `Retry-After`) and
/// connection failures with backoff. A block is idempotent: the same id and bytes again
/// replace the uncommitted block.
async fn send_with_retries(
    what: &str,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Result<(), UploadError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (problem, wait) = match request().send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get("Retry-After")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let detail = storage_error_detail(&response.text().await.unwrap_or_default());
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(UploadError::TooLarge);
                }
                let retryable = status.is_server_error()
                    || status == StatusCode::REQUEST_TIMEOUT
                    || status == StatusCode::TOO_MANY_REQUESTS;
                if !retryable {
                    return Err(UploadError::Refused {
                        status: status.as_u16(),
                        detail,
                    });
                }
                (format!("{what}: HTTP {status} {detail}"), retry_after)
            }
            Err(e) => (
                format!("{what}: {}", crate::secrets::redact(&e.to_string())),
                None,
            ),
        };
        if attempt >= BLOCK_ATTEMPTS {
            return Err(UploadError::Unavailable(problem));
        }
        let wait = wait.unwrap_or_else(|| Duration::from_millis(500 << attempt.min(6)));
        tracing::warn!("{problem}; retrying in {:.1}s", wait.as_secs_f64());
        tokio::time::sleep(wait).await;
    }
}

/// `Code: Message` from an Azure Storage XML error body.
fn storage_error_detail(body: &str) -> String {
    let pick = |tag: &str| -> Option<String> {
        let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
        let end = body[start..].find(&format!("</{tag}>"))? + start;
        Some(body[start..end].lines().next().unwrap_or("").to_string())
    };
    match (pick("Code"), pick("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => body.chars().take(200).collect(),
    }
}

fn read_error(path: &Path, error: std::io::Error) -> UploadError {
    UploadError::Read {
        path: path.display().to_string(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;

    #[test]
    fn block_plans_never_exceed_50000_blocks() {
        for size in [
            0,
            1,
            4 * MIB,
            8 * MIB + 1,
            GIB,
            25 * GIB,
            100 * GIB,
            100 * GIB + 7,
        ] {
            for preferred in [SAFE_BLOCK, DEFAULT_BLOCK, 100 * MIB] {
                let (block, count) = plan_blocks(size, preferred);
                assert!(count <= MAX_BLOCKS, "{size} {preferred}: {count}");
                assert!(block >= preferred);
                assert!(block * count >= size);
                assert!(count == 1 || block * (count - 1) < size);
            }
        }
        assert_eq!(plan_blocks(GIB, DEFAULT_BLOCK), (DEFAULT_BLOCK, 128));
        // 100 GiB in 4 MiB blocks would be 25,600 blocks: still fine.
        assert_eq!(plan_blocks(100 * GIB, SAFE_BLOCK).1, 25_600);
        // 300 GiB needs 7 MiB blocks.
        assert_eq!(plan_blocks(300 * GIB, SAFE_BLOCK).0, 7 * MIB);
    }

    #[test]
    fn block_ids_have_equal_length() {
        let lengths: std::collections::BTreeSet<usize> = [0, 9, 10, 49_999, 99_999_999]
            .iter()
            .map(|i| block_id(*i).len())
            .collect();
        assert_eq!(lengths.len(), 1);
        assert!(BASE64.decode(block_id(5)).unwrap().len() <= 64);
    }

    #[test]
    fn storage_errors_read_well() {
        let body = "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Signature did not match.\nRequestId:1</Message></Error>";
        assert_eq!(
            storage_error_detail(body),
            "AuthenticationFailed: Signature did not match."
        );
    }
}
