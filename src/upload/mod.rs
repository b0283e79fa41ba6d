//! Blob upload to the submission's `fileUploadUrl`: Put Blob for small files, otherwise
//! Put Block (several in flight, each retried on its own) and Put Block List. No bearer
//! token is sent (the SAS is the credential) and every call carries an explicit
//! `x-ms-version`, so size limits are not those of the URL's old `sv=2014-02-14`
//! (https://learn.microsoft.com/rest/api/storageservices/versioning-for-the-azure-storage-services);
//! a 413 all the same falls back to 4 MiB blocks,
//! which every service version takes.
//!
//! Memory: each block in flight is held once (read, hashed, sent, kept for a retry), so the
//! upload holds at most `concurrency × block size` of file data. Why this engine and not
//! the `azure_storage_blob` crate: docs/decisions/0006-upload-engine.md.

pub mod crc64;
pub(crate) mod probe;
pub(crate) mod sas;

use std::convert::Infallible;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use tokio::time::Instant;

pub use self::sas::{UploadUrl, UploadUrlError};
use crate::config::values::{format_duration, format_size};
use crate::progress::Meter;
use crate::retry::{exponential_step, parse_retry_after, rand_unit};

/// Storage service version sent on every call (≥ 2019-12-12: blocks up to 4000 MiB).
pub const STORAGE_VERSION: &str = "2021-08-06";
/// The block size every service version accepts; the fallback after a 413.
pub const SAFE_BLOCK: u64 = 4 << 20;
/// Declared with the inputs, which set them (`upload-block-size`, `upload-concurrency`).
pub use crate::config::{DEFAULT_BLOCK, DEFAULT_CONCURRENCY};
// The default block is one no service version refuses.
const _: () = assert!(DEFAULT_BLOCK == SAFE_BLOCK);
pub const MAX_BLOCKS: u64 = 50_000;
/// The largest single Put Blob under the oldest service version (2014-02-14).
pub const MAX_PUT_BLOB: u64 = 64 << 20;
/// Blob metadata holding the zip's SHA-256, so a later run can tell its own upload.
pub const SHA256_METADATA: &str = "x-ms-meta-msstoresubmit_sha256";
/// The transactional checksum of every block and Put Blob: Azure's CRC64, not
/// `Content-MD5`, ~20× cheaper to compute (docs/decisions/0010-crc64-and-fuzzing.md). The
/// service version we send (2021-08-06) knows it; it arrived in 2019-02-02.
pub const CRC64_HEADER: &str = "x-ms-content-crc64";
/// Bodies go out in slices of this size, which is how progress is counted.
const SEND_SLICE: usize = 256 << 10;

#[derive(Debug, Clone)]
pub struct UploadOptions {
    pub concurrency: usize,
    pub block_size: u64,
    /// Stored as blob metadata with the upload.
    pub sha256: Option<String>,
    pub retry: RetrySettings,
    /// An attempt that moves no byte (nor gets an answer) for this long is abandoned and
    /// retried. A stall, not a deadline: a block on a slow link is never cut off while it
    /// still moves.
    pub stall_timeout: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            concurrency: DEFAULT_CONCURRENCY,
            block_size: DEFAULT_BLOCK,
            sha256: None,
            retry: RetrySettings::default(),
            stall_timeout: MAX_STALL,
        }
    }
}

/// The longest an upload request may go without moving a byte (docs/reliability.md).
pub const MAX_STALL: Duration = Duration::from_secs(60);
/// Stalls of one call in a row before the upload gives up: a host that takes the
/// connection and then says nothing is not going to start.
pub const MAX_STALLS: u32 = 3;

/// The stall bound for a run: `request-timeout` (the bound of one Partner Center call),
/// at most a minute.
pub fn stall_bound(request_timeout: Duration) -> Duration {
    request_timeout.min(MAX_STALL)
}

/// Retries of one storage call (a block, the block list, a Put Blob), each on its own.
#[derive(Debug, Clone)]
pub struct RetrySettings {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured as given.
    pub max_retry_after: Duration,
    /// No retry of one call starts after this much time since its first attempt, so a mix
    /// of stalls, failures and long `Retry-After`s still ends (docs/reliability.md).
    pub max_total: Duration,
}

impl Default for RetrySettings {
    /// Close to the Azure SDKs' storage policy (docs/decisions/0006-upload-engine.md): exponential from 0.5 s,
    /// at most 30 s apart, eight attempts.
    fn default() -> Self {
        RetrySettings {
            attempts: 8,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_total: Duration::from_secs(10 * 60),
        }
    }
}

impl RetrySettings {
    /// Exponential backoff with jitter (half to all of the step), so blocks that failed
    /// together do not come back together.
    fn backoff(&self, attempt: u32) -> Duration {
        exponential_step(self.first_delay, self.max_delay, attempt).mul_f64(0.5 + 0.5 * rand_unit())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Url(#[from] UploadUrlError),
    #[error("storage refused {operation} (HTTP {status}{}): {detail}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Refused {
        operation: String,
        status: u16,
        code: Option<String>,
        detail: String,
    },
    #[error("storage kept failing after {attempts} attempts; last: {last}")]
    Unavailable { attempts: u32, last: String },
    /// An answer the client will not take: a redirect (it would carry the signature and
    /// the package to another host) or an error body past its cap.
    #[error("storage's answer to {operation} was not accepted: {message}")]
    Unsafe { operation: String, message: String },
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// Internal: a request was too large for the service version; retried with 4 MiB blocks.
    #[error("storage refused {0} as too large (HTTP 413)")]
    TooLarge(String),
}

#[derive(Debug, Clone)]
pub struct UploadReport {
    pub bytes: u64,
    pub blocks: u64,
    pub block_size: u64,
    pub elapsed: Duration,
    /// Attempts that failed and were made again.
    pub retries: u64,
}

/// Block size and count for a blob of `size`: `preferred`, unless the blob would need more
/// than 50,000 blocks of it; then the smallest whole number of MiB that fits.
pub fn plan_blocks(size: u64, preferred: u64) -> (u64, u64) {
    let preferred = preferred.max(1);
    let needed = size.div_ceil(MAX_BLOCKS);
    // Rounded up only when it has to grow: a 256 KiB choice that fits stays 256 KiB.
    let block = if preferred >= needed {
        preferred
    } else {
        needed.div_ceil(1 << 20) << 20
    };
    (block, size.div_ceil(block).max(1))
}

/// Equal-length base64 block ids, as Azure requires for all blocks of one blob (also
/// across runs and block sizes: uncommitted blocks of an earlier attempt count too).
pub fn block_id(index: u64) -> String {
    BASE64.encode(format!("msstore-{index:08}"))
}

/// The client for storage calls. HTTP/1.1 only, so every block in flight has its own TCP
/// connection: a WAN link that paces each stream (as most do) then carries them side by
/// side, where HTTP/2 would squeeze them all into one stream.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    crate::net::client_builder()
        .http1_only()
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(30))
        // Below the 5 s keep-alive of Node servers such as Azurite: a connection the server
        // is closing is not picked for the next block (which would fail and be retried).
        .pool_idle_timeout(Duration::from_secs(4))
        .build()
}

/// How much life an upload URL needs left before an upload of `size` bytes starts: the
/// time to send it at a slow 1 MiB/s plus 5 s, at most a minute. A short-lived URL (the
/// simulator's `simulator-upload-url-lifetime` plays one) still takes a small zip; a large
/// upload is not started on a URL about to expire (storage would refuse it half way).
fn expiry_margin(size: u64) -> Duration {
    (Duration::from_secs(5) + Duration::from_secs(size >> 20)).min(Duration::from_secs(60))
}

/// Uploads the file at `path` to the blob behind `url`.
pub async fn upload_file(
    url: &UploadUrl,
    path: &Path,
    options: &UploadOptions,
) -> Result<UploadReport, UploadError> {
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|error| read_error(path, error))?
        .len();
    url.check_not_expired(expiry_margin(size))?;
    let http = http_client().map_err(|e| UploadError::Unavailable {
        attempts: 0,
        last: format!("cannot set up HTTPS: {}", e.without_url()),
    })?;
    let upload = Upload {
        http,
        url,
        path: path.to_path_buf(),
        size,
        options,
        meter: Arc::new(Meter::new("upload", size)),
        retries: AtomicU64::new(0),
        buffers: BufferPool::default(),
        md5_instead: AtomicBool::new(false),
    };
    let ticker = {
        let meter = upload.meter.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                meter.tick();
            }
        })
    };
    let result = upload.run().await;
    ticker.abort();
    if result.is_ok() {
        upload.meter.finish();
    }
    result
}

struct Upload<'a> {
    http: reqwest::Client,
    url: &'a UploadUrl,
    path: PathBuf,
    size: u64,
    options: &'a UploadOptions,
    meter: Arc<Meter>,
    retries: AtomicU64,
    buffers: BufferPool,
    /// Set once storage refused `x-ms-content-crc64` as not supported (Azurite in its
    /// default strict mode): from then on bodies carry `Content-MD5` instead.
    md5_instead: AtomicBool,
}

/// Block buffers, reused from block to block. Each block in flight holds one, so the upload
/// holds `concurrency × block size` however the allocator treats memory freed on the
/// blocking threads (without the pool, glibc's per-thread arenas kept more than twice that
/// resident: docs/benchmarks.md).
#[derive(Default)]
struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default()
    }

    /// Takes a sent block's buffer back, unless something still holds a view of it (then
    /// it is freed when that goes).
    fn give_back(&self, bytes: Bytes) {
        if let Ok(buffer) = bytes.try_into_mut()
            && let Ok(mut free) = self.free.lock()
        {
            free.push(Vec::from(buffer));
        }
    }
}

impl Upload<'_> {
    async fn run(&self) -> Result<UploadReport, UploadError> {
        let preferred = self.options.block_size;
        if self.size <= preferred.min(MAX_PUT_BLOB) {
            match self.put_blob().await {
                Err(UploadError::TooLarge(_)) => {
                    tracing::warn!(
                        "storage refused a {} Put Blob (413); uploading in 4 MiB blocks",
                        format_size(self.size)
                    );
                    self.restart_meter();
                    return self.put_blocks(SAFE_BLOCK).await;
                }
                other => return other,
            }
        }
        match self.put_blocks(preferred).await {
            Err(UploadError::TooLarge(_)) if preferred > SAFE_BLOCK => {
                tracing::warn!(
                    "storage refused {} blocks (413: this URL's service version takes at most 4 MiB); uploading again in 4 MiB blocks",
                    format_size(preferred)
                );
                self.restart_meter();
                self.put_blocks(SAFE_BLOCK).await
            }
            other => other,
        }
    }

    fn restart_meter(&self) {
        self.meter.sub(self.meter.done());
    }

    async fn put_blob(&self) -> Result<UploadReport, UploadError> {
        let data = read_block(&self.path, 0, self.size, self.buffers.take()).await?;
        let mut headers = vec![
            ("x-ms-blob-type", "BlockBlob".to_string()),
            ("x-ms-blob-content-type", "application/zip".to_string()),
        ];
        if let Some(sha) = &self.options.sha256 {
            headers.push((SHA256_METADATA, sha.clone()));
        }
        self.send(&Call {
            operation: "Put Blob".into(),
            url: self.url.request_url().clone(),
            headers,
            body: data.bytes,
            counted: true,
            crc64: Some(data.crc64),
        })
        .await?;
        Ok(self.report(1, self.size))
    }

    async fn put_blocks(&self, preferred: u64) -> Result<UploadReport, UploadError> {
        let (block_size, count) = plan_blocks(self.size, preferred);
        let concurrency = self.options.concurrency.max(1);
        tracing::info!(
            "upload: {} in {count} block(s) of {}, {concurrency} in flight",
            format_size(self.size),
            format_size(block_size),
        );
        futures_util::stream::iter(0..count)
            .map(Ok::<u64, UploadError>)
            .try_for_each_concurrent(concurrency, |index| async move {
                let offset = index * block_size;
                let length = block_size.min(self.size - offset);
                let data = read_block(&self.path, offset, length, self.buffers.take()).await?;
                let id = percent_encoding::utf8_percent_encode(
                    &block_id(index),
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string();
                let call = Call {
                    operation: format!("Put Block {} of {count}", index + 1),
                    url: self.url.with_query(&format!("comp=block&blockid={id}")),
                    headers: Vec::new(),
                    body: data.bytes,
                    counted: true,
                    crc64: Some(data.crc64),
                };
                let sent = self.send(&call).await;
                self.buffers.give_back(call.body);
                sent
            })
            .await?;

        let mut xml = String::from(r#"<?xml version="1.0" encoding="utf-8"?><BlockList>"#);
        for index in 0..count {
            xml.push_str(&format!("<Latest>{}</Latest>", block_id(index)));
        }
        xml.push_str("</BlockList>");
        let mut headers = vec![
            ("x-ms-blob-content-type", "application/zip".to_string()),
            ("Content-Type", "application/xml".to_string()),
        ];
        if let Some(sha) = &self.options.sha256 {
            headers.push((SHA256_METADATA, sha.clone()));
        }
        self.send(&Call {
            operation: "Put Block List".into(),
            url: self.url.with_query("comp=blocklist"),
            headers,
            body: Bytes::from(xml),
            counted: false,
            crc64: None,
        })
        .await?;
        Ok(self.report(count, block_size))
    }

    fn report(&self, blocks: u64, block_size: u64) -> UploadReport {
        UploadReport {
            bytes: self.size,
            blocks,
            block_size,
            elapsed: self.meter.elapsed(),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    /// One storage call with its own retries: 5xx, 408, 429 (honouring `Retry-After`),
    /// a checksum mismatch (bytes damaged on the way), connection failures and stalls. The
    /// same block id with the same bytes replaces the uncommitted block, so a retry after
    /// a lost answer is safe; so is a repeated Put Block List or Put Blob.
    async fn send(&self, call: &Call) -> Result<(), UploadError> {
        let retry = &self.options.retry;
        let mut attempt = 0;
        let mut stalls = 0;
        let started = Instant::now();
        loop {
            attempt += 1;
            let progress = Arc::new(AttemptProgress::new(
                call.counted.then(|| self.meter.clone()),
            ));
            let guard = AttemptGuard {
                progress: progress.clone(),
                kept: false,
            };
            let mut request = self
                .http
                .put(call.url.clone())
                .header("x-ms-version", STORAGE_VERSION)
                .header(reqwest::header::CONTENT_LENGTH, call.body.len())
                .body(sliced_body(call.body.clone(), progress.clone()));
            for (name, value) in &call.headers {
                request = request.header(*name, value);
            }
            let mut crc64_sent = None;
            if let Some(crc) = call.crc64 {
                request = if self.md5_instead.load(Ordering::Relaxed) {
                    // Hashed here, on the async thread: only the fallback pays for it.
                    request.header("Content-MD5", BASE64.encode(Md5::digest(&call.body)))
                } else {
                    crc64_sent = Some(crc);
                    request.header(CRC64_HEADER, crc64::header_value(crc))
                };
            }
            let outcome =
                send_watched(request, &progress, self.options.stall_timeout, crc64_sent).await;
            let (problem, retry_after) = match outcome {
                Outcome::Done => {
                    guard.keep();
                    return Ok(());
                }
                Outcome::Failed(Failure::TooLarge) => {
                    return Err(UploadError::TooLarge(call.operation.clone()));
                }
                Outcome::Failed(Failure::Crc64Unsupported) => {
                    if !self.md5_instead.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            "storage does not support x-ms-content-crc64 (FeatureNotSupported, as Azurite answers in its strict mode); the blocks carry Content-MD5 instead"
                        );
                    }
                    // Not a failed attempt: the same call goes again at once, with MD5.
                    drop(guard);
                    attempt -= 1;
                    continue;
                }
                Outcome::Failed(Failure::Refused {
                    status,
                    code,
                    detail,
                }) => {
                    return Err(UploadError::Refused {
                        operation: call.operation.clone(),
                        status,
                        code,
                        detail,
                    });
                }
                Outcome::Failed(Failure::Unsafe(message)) => {
                    return Err(UploadError::Unsafe {
                        operation: format!("{} ({})", call.operation, self.url.host()),
                        message,
                    });
                }
                Outcome::Failed(Failure::Stalled) => {
                    stalls += 1;
                    let problem = format!(
                        "no progress for {}",
                        format_duration(self.options.stall_timeout)
                    );
                    if stalls >= MAX_STALLS {
                        return Err(UploadError::Unavailable {
                            attempts: attempt,
                            last: format!(
                                "{} at {}: {problem}, {stalls} times in a row (the stall bound; docs/reliability.md)",
                                call.operation,
                                self.url.host()
                            ),
                        });
                    }
                    (problem, None)
                }
                Outcome::Failed(Failure::Transient {
                    problem,
                    retry_after,
                }) => {
                    stalls = 0;
                    (problem, retry_after)
                }
            };
            drop(guard);
            if attempt >= retry.attempts {
                return Err(UploadError::Unavailable {
                    attempts: attempt,
                    last: format!("{}: {problem}", call.operation),
                });
            }
            let wait = match retry_after {
                Some(wait) => wait.min(retry.max_retry_after),
                None => retry.backoff(attempt),
            };
            if started.elapsed() + wait > retry.max_total {
                return Err(UploadError::Unavailable {
                    attempts: attempt,
                    last: format!(
                        "{} at {}: {problem}; no retry starts after {} (docs/reliability.md)",
                        call.operation,
                        self.url.host(),
                        format_duration(retry.max_total)
                    ),
                });
            }
            self.retries.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                "{}: {problem}; retrying in {} (attempt {} of {})",
                call.operation,
                format_duration(wait),
                attempt + 1,
                retry.attempts
            );
            tokio::time::sleep(wait).await;
        }
    }
}

struct Call {
    /// What the call is, for messages: "Put Block 3 of 40".
    operation: String,
    url: url::Url,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    /// Whether the body's bytes count towards the upload's progress.
    counted: bool,
    /// The body's CRC64, sent as `x-ms-content-crc64`, to compare with the one the service
    /// answers.
    crc64: Option<u64>,
}

enum Outcome {
    Done,
    Failed(Failure),
}

enum Failure {
    TooLarge,
    /// No byte moved for the stall bound.
    Stalled,
    /// A redirect, or an error body past its cap: never retried.
    Unsafe(String),
    /// The service refused the `x-ms-content-crc64` header itself.
    Crc64Unsupported,
    Refused {
        status: u16,
        code: Option<String>,
        detail: String,
    },
    Transient {
        problem: String,
        retry_after: Option<Duration>,
    },
}

/// What one attempt has sent: counted into the meter as it goes, taken back if the
/// attempt fails or is dropped (another block failed, the upload stops), and the time of
/// its last sign of life for the stall watch. The body holds it too and may outlive the
/// attempt inside the connection, so once the attempt is over it counts nothing more.
struct AttemptProgress {
    meter: Option<Arc<Meter>>,
    counted: AtomicU64,
    last_activity: Mutex<Instant>,
    over: AtomicBool,
}

impl AttemptProgress {
    fn new(meter: Option<Arc<Meter>>) -> Self {
        AttemptProgress {
            meter,
            counted: AtomicU64::new(0),
            last_activity: Mutex::new(Instant::now()),
            over: AtomicBool::new(false),
        }
    }

    fn sent(&self, bytes: usize) {
        self.touch();
        if let Some(meter) = &self.meter
            && !self.over.load(Ordering::Relaxed)
        {
            self.counted.fetch_add(bytes as u64, Ordering::Relaxed);
            meter.add(bytes as u64);
        }
    }

    fn touch(&self) {
        if let Ok(mut last) = self.last_activity.lock() {
            *last = Instant::now();
        }
    }

    fn last_activity(&self) -> Instant {
        self.last_activity
            .lock()
            .map(|last| *last)
            .unwrap_or_else(|_| Instant::now())
    }
}

/// Ends an attempt: its bytes stay counted if it succeeded ([`AttemptGuard::keep`]), and
/// are taken back otherwise, also when the attempt is dropped half-way.
struct AttemptGuard {
    progress: Arc<AttemptProgress>,
    kept: bool,
}

impl AttemptGuard {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        self.progress.over.store(true, Ordering::Relaxed);
        if !self.kept
            && let Some(meter) = &self.progress.meter
        {
            meter.sub(self.progress.counted.swap(0, Ordering::Relaxed));
        }
    }
}

/// The body as zero-copy slices, each counted when the connection takes it.
fn sliced_body(data: Bytes, progress: Arc<AttemptProgress>) -> reqwest::Body {
    let length = data.len();
    let slices = (0..length)
        .step_by(SEND_SLICE)
        .map(move |start| data.slice(start..(start + SEND_SLICE).min(length)));
    let stream = futures_util::stream::iter(slices).map(move |slice| {
        progress.sent(slice.len());
        Ok::<Bytes, Infallible>(slice)
    });
    reqwest::Body::wrap_stream(stream)
}

/// Sends `request` and reads the answer, giving up when nothing has moved for `stall`.
async fn send_watched(
    request: reqwest::RequestBuilder,
    progress: &Arc<AttemptProgress>,
    stall: Duration,
    crc64: Option<u64>,
) -> Outcome {
    let work = async {
        let response = request.send().await;
        progress.touch();
        classify(response, crc64).await
    };
    tokio::pin!(work);
    loop {
        let deadline = progress.last_activity() + stall;
        tokio::select! {
            outcome = &mut work => return outcome,
            _ = tokio::time::sleep_until(deadline) => {
                if progress.last_activity() + stall <= Instant::now() {
                    return Outcome::Failed(Failure::Stalled);
                }
            }
        }
    }
}

async fn classify(
    response: Result<reqwest::Response, reqwest::Error>,
    sent_crc64: Option<u64>,
) -> Outcome {
    let response = match response {
        Ok(response) => response,
        Err(e) => {
            return Outcome::Failed(Failure::Transient {
                problem: transport_problem(&e),
                retry_after: None,
            });
        }
    };
    if let Some(redirect) = crate::net::redirect_target(&response) {
        return Outcome::Failed(Failure::Unsafe(redirect.to_string()));
    }
    let status = response.status();
    if status.is_success() {
        return match crc64_answered(response.headers(), sent_crc64) {
            Some(problem) => Outcome::Failed(Failure::Transient {
                problem,
                retry_after: None,
            }),
            None => Outcome::Done,
        };
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let header_code = response
        .headers()
        .get("x-ms-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match crate::net::read_capped(response, crate::net::ERROR_BODY_CAP).await {
        Ok(body) => body,
        Err(crate::net::BodyError::TooLarge { cap }) => {
            return Outcome::Failed(Failure::Unsafe(format!(
                "HTTP {}: {}",
                status.as_u16(),
                crate::net::BodyError::TooLarge { cap }
            )));
        }
        Err(crate::net::BodyError::Transport(_)) => String::new(),
    };
    let (body_code, message) = storage_error_parts(&body);
    let code = header_code.or(body_code);
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Outcome::Failed(Failure::TooLarge);
    }
    if sent_crc64.is_some() && code.as_deref() == Some("FeatureNotSupported") {
        return Outcome::Failed(Failure::Crc64Unsupported);
    }
    let retryable = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || matches!(code.as_deref(), Some("Md5Mismatch" | "Crc64Mismatch"));
    let detail = crate::secrets::redact(&message).into_owned();
    if retryable {
        let problem = match &code {
            Some(code) => format!("HTTP {} {code}: {detail}", status.as_u16()),
            None => format!("HTTP {} {detail}", status.as_u16()),
        };
        Outcome::Failed(Failure::Transient {
            problem: problem.trim_end().to_string(),
            retry_after,
        })
    } else {
        Outcome::Failed(Failure::Refused {
            status: status.as_u16(),
            code,
            detail,
        })
    }
}

/// A service that checked the CRC64 answers the one it computed (Put Block and Put Blob
/// answers, 2019-02-02 and later); one that differs from ours means the stored bytes are not
/// the file's, and the call is made again. A service that ignores the header (Azurite, or
/// storage running an older version than asked) answers none: see "Integrity" in
/// docs/decisions/0010-crc64-and-fuzzing.md for what then guards the bytes.
fn crc64_answered(headers: &reqwest::header::HeaderMap, sent: Option<u64>) -> Option<String> {
    let sent = sent?;
    let answered = headers.get(CRC64_HEADER)?.to_str().unwrap_or("");
    match crc64::parse_header(answered) {
        Some(computed) if computed == sent => None,
        _ => Some(format!(
            "storage computed a CRC64 of {answered:?} for the bytes, not {:?}",
            crc64::header_value(sent)
        )),
    }
}

/// A transport failure in words, without the URL (its query is the credential).
fn transport_problem(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if error.is_connect() {
        "cannot connect".to_string()
    } else if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_body() || error.is_request() {
        "connection failed while sending".to_string()
    } else {
        "connection failed".to_string()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    crate::secrets::redact(&text).into_owned()
}

/// `Code` and `Code: Message` from an Azure Storage XML error body.
fn storage_error_parts(body: &str) -> (Option<String>, String) {
    let pick = |tag: &str| -> Option<String> {
        let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
        let end = body[start..].find(&format!("</{tag}>"))? + start;
        Some(body[start..end].lines().next().unwrap_or("").to_string())
    };
    match (pick("Code"), pick("Message")) {
        (Some(code), Some(message)) => (Some(code), message),
        (Some(code), None) => (Some(code), String::new()),
        // Scrubbed before it is cut: a secret cut in two would no longer be recognised.
        _ => (
            None,
            crate::secrets::redact(body).chars().take(200).collect(),
        ),
    }
}

/// One block of the file, read and checksummed off the async threads.
struct BlockData {
    bytes: Bytes,
    crc64: u64,
}

/// Reads `length` bytes at `offset` into `buffer` (reused; it grows if need be).
async fn read_block(
    path: &Path,
    offset: u64,
    length: u64,
    buffer: Vec<u8>,
) -> Result<BlockData, UploadError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&owned)?;
        file.seek(std::io::SeekFrom::Start(offset))?;
        let mut data = buffer;
        data.clear();
        data.reserve(length as usize);
        // Into the spare capacity: no zeroing of a buffer that is about to be filled.
        (&mut file).take(length).read_to_end(&mut data)?;
        if data.len() as u64 != length {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the file ended before byte {}", offset + length),
            ));
        }
        let crc64 = crc64::checksum(&data);
        Ok(BlockData {
            bytes: Bytes::from(data),
            crc64,
        })
    })
    .await
    .map_err(|e| read_error(path, std::io::Error::other(e)))?
    .map_err(|e| read_error(path, e))
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
    fn the_expiry_margin_grows_with_the_upload_up_to_a_minute() {
        assert_eq!(expiry_margin(2048), Duration::from_secs(5));
        assert_eq!(expiry_margin(20 * MIB), Duration::from_secs(25));
        assert_eq!(expiry_margin(25 * GIB), Duration::from_secs(60));
    }

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
            for preferred in [256 << 10, SAFE_BLOCK, 8 * MIB, 100 * MIB] {
                let (block, count) = plan_blocks(size, preferred);
                assert!(count <= MAX_BLOCKS, "{size} {preferred}: {count}");
                assert!(block >= preferred);
                assert!(block * count >= size);
                assert!(count == 1 || block * (count - 1) < size);
            }
        }
        assert_eq!(plan_blocks(GIB, 8 * MIB), (8 * MIB, 128));
        assert_eq!(plan_blocks(GIB, DEFAULT_BLOCK), (DEFAULT_BLOCK, 256));
        // 100 GiB in 4 MiB blocks is 25,600 blocks: still fine.
        assert_eq!(plan_blocks(100 * GIB, SAFE_BLOCK), (SAFE_BLOCK, 25_600));
        // 100 GiB in 256 KiB blocks would be 409,600: the block grows to 3 MiB.
        assert_eq!(plan_blocks(100 * GIB, 256 << 10), (3 * MIB, 34_134));
        // 300 GiB needs 7 MiB blocks.
        assert_eq!(plan_blocks(300 * GIB, SAFE_BLOCK).0, 7 * MIB);
        // A block size that fits is kept as given, also below 1 MiB.
        assert_eq!(plan_blocks(10 * MIB, 256 << 10), (256 << 10, 40));
        // A file of exactly 50,000 blocks keeps its block size.
        assert_eq!(
            plan_blocks(50_000 * SAFE_BLOCK, SAFE_BLOCK),
            (SAFE_BLOCK, 50_000)
        );
        assert_eq!(
            plan_blocks(50_000 * SAFE_BLOCK + 1, SAFE_BLOCK),
            (5 * MIB, 40_001)
        );
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
            storage_error_parts(body),
            (
                Some("AuthenticationFailed".into()),
                "Signature did not match.".into()
            )
        );
        assert_eq!(storage_error_parts(""), (None, String::new()));
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let retry = RetrySettings::default();
        for attempt in 1..=12 {
            let step = (retry.first_delay * (1 << (attempt - 1))).min(retry.max_delay);
            let wait = retry.backoff(attempt);
            assert!(wait >= step / 2 && wait <= step, "{attempt}: {wait:?}");
        }
    }
}
