//! The upload engine against Azurite with real service SAS URLs: what is read back is what
//! was sent, blocks fail and are retried on their own, a 413 falls back to 4 MiB blocks,
//! and an unusable URL says so clearly. Some tests put the fault proxy in between.

use std::path::Path;
use std::time::Duration;

use msstore_submit::upload::{
    self, RetrySettings, SAFE_BLOCK, UploadError, UploadOptions, UploadReport, UploadUrl, crc64,
};
use serde_json::Value;

use crate::azurite::{Azurite, in_one_hour};
use crate::proxy::{Fault, FaultProxy};
use crate::util::{APP_ID, Simulator, Workspace, sha256_hex};

const MIB: usize = 1 << 20;
const CONTAINER: &str = "ingestion";

/// Bytes that differ from block to block, so a block in the wrong place shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i / 4099) as u8) ^ (i as u8).wrapping_mul(31))
        .collect()
}

fn azurite() -> Azurite {
    let azurite = Azurite::start();
    azurite.create_container(CONTAINER);
    azurite
}

/// Azurite that ignores `x-ms-content-crc64` rather than refusing it (as it does in its
/// default strict mode): for tests that count the calls of an upload.
fn loose_azurite() -> Azurite {
    let azurite = Azurite::start_with(&["--loose"]);
    azurite.create_container(CONTAINER);
    azurite
}

/// Quick retries, so tests of failures take a moment, not minutes.
fn options(block_size: usize, concurrency: usize) -> UploadOptions {
    UploadOptions {
        concurrency,
        block_size: block_size as u64,
        sha256: Some("ab".repeat(32)),
        retry: RetrySettings {
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            ..RetrySettings::default()
        },
        stall_timeout: Duration::from_secs(10),
    }
}

fn upload(url: &str, file: &Path, options: &UploadOptions) -> Result<UploadReport, UploadError> {
    let url = UploadUrl::parse(url).expect("an upload URL");
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(upload::upload_file(&url, file, options))
}

#[test]
fn a_small_file_is_one_put_blob_read_back_identical() {
    let azurite = azurite();
    let ws = Workspace::new();
    let bytes = pattern(300_000);
    let file = ws.write("small.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "small", in_one_hour());

    let report = upload(&url, &file, &options(MIB, 4)).unwrap();
    assert_eq!((report.bytes, report.blocks), (300_000, 1));

    let (stored, headers) = azurite.read_blob(CONTAINER, "small");
    assert_eq!(sha256_hex(&stored), sha256_hex(&bytes));
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(headers["x-ms-meta-msstoresubmit_sha256"], "ab".repeat(32));
    assert_eq!(headers["x-ms-blob-type"], "BlockBlob");
}

#[test]
fn a_multi_block_upload_is_read_back_identical() {
    let azurite = loose_azurite();
    let ws = Workspace::new();
    let bytes = pattern(4 * MIB);
    let file = ws.write("four.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "four", in_one_hour());
    let proxy = FaultProxy::start(azurite.port, Duration::from_millis(100), |_, _| None);

    let report = upload(&proxy.route(&url, azurite.port), &file, &options(MIB, 3)).unwrap();
    assert_eq!((report.blocks, report.block_size), (4, MIB as u64));

    let (stored, headers) = azurite.read_blob(CONTAINER, "four");
    assert!(stored == bytes, "the blob differs from the file");
    assert_eq!(headers["x-ms-meta-msstoresubmit_sha256"], "ab".repeat(32));
    assert_eq!(
        azurite.committed_block_sizes(CONTAINER, "four"),
        [MIB as u64; 4]
    );
    // Several blocks were in flight at once, never more than asked for; every call
    // carried a service version that lifts the 2014-02-14 limits, and every block its
    // CRC64 (Azure's, of exactly that block's bytes), not an MD5.
    let seen = proxy.seen();
    assert!(seen.iter().all(|r| r.method == "PUT"), "{seen:?}");
    assert!(proxy.most_in_flight() >= 2, "{}", proxy.most_in_flight());
    assert!(proxy.most_in_flight() <= 3, "{}", proxy.most_in_flight());
    for request in &seen {
        let version = request.headers.get("x-ms-version").expect("x-ms-version");
        assert!(version.as_str() >= "2019-12-12", "{version}");
    }
    let blocks: Vec<_> = seen.iter().filter(|r| r.is_put_block()).collect();
    assert_eq!(blocks.len(), 4);
    let sent: std::collections::BTreeSet<&str> = blocks
        .iter()
        .map(|r| r.headers["x-ms-content-crc64"].as_str())
        .collect();
    let expected: Vec<String> = bytes
        .chunks(MIB)
        .map(|block| crc64::header_value(crc64::checksum(block)))
        .collect();
    assert_eq!(
        sent,
        expected.iter().map(String::as_str).collect(),
        "one CRC64 per block, each of its bytes"
    );
    assert!(
        blocks
            .iter()
            .all(|r| !r.headers.contains_key("content-md5"))
    );
    let ids: std::collections::BTreeSet<usize> = blocks
        .iter()
        .map(|r| r.query("blockid").unwrap().len())
        .collect();
    assert_eq!(ids.len(), 1, "block ids of different lengths");
}

/// Azurite in its default strict mode refuses `x-ms-content-crc64` (500
/// `FeatureNotSupported`); the upload then carries `Content-MD5` instead and succeeds, with
/// no attempt counted as failed.
#[test]
fn storage_that_refuses_crc64_gets_md5_instead() {
    let azurite = azurite();
    let ws = Workspace::new();
    let bytes = pattern(3 * MIB);
    let file = ws.write("strict.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "strict", in_one_hour());
    let proxy = FaultProxy::start(azurite.port, Duration::ZERO, |_, _| None);

    let report = upload(&proxy.route(&url, azurite.port), &file, &options(MIB, 1)).unwrap();
    assert_eq!((report.blocks, report.retries), (3, 0));
    assert!(azurite.read_blob(CONTAINER, "strict").0 == bytes);
    let blocks: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|r| r.is_put_block())
        .collect();
    // The first block tried CRC64 once; every block then went with its MD5.
    assert_eq!(blocks.len(), 4, "{blocks:?}");
    assert!(blocks[0].headers.contains_key("x-ms-content-crc64"));
    for block in &blocks[1..] {
        assert!(block.headers.contains_key("content-md5"), "{block:?}");
        assert!(
            !block.headers.contains_key("x-ms-content-crc64"),
            "{block:?}"
        );
    }
}

#[test]
fn an_odd_sized_file_ends_with_a_short_block() {
    let azurite = azurite();
    let ws = Workspace::new();
    let size = 2 * MIB + 512 * 1024 + 7;
    let bytes = pattern(size);
    let file = ws.write("odd.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "odd", in_one_hour());

    let report = upload(&url, &file, &options(MIB, 2)).unwrap();
    assert_eq!(report.blocks, 3);

    let (stored, _) = azurite.read_blob(CONTAINER, "odd");
    assert_eq!(stored.len(), size);
    assert!(stored == bytes, "the blob differs from the file");
    assert_eq!(
        azurite.committed_block_sizes(CONTAINER, "odd"),
        [MIB as u64, MIB as u64, (512 * 1024 + 7) as u64]
    );
}

#[test]
fn a_block_that_fails_twice_then_succeeds() {
    let azurite = loose_azurite();
    let ws = Workspace::new();
    let bytes = pattern(3 * MIB + 100);
    let file = ws.write("flaky.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "flaky", in_one_hour());
    // The second block: first the connection drops half-way, then storage is busy.
    let second = msstore_submit::upload::block_id(1);
    let proxy = FaultProxy::start(azurite.port, Duration::ZERO, move |request, before| {
        if request.query("blockid").as_deref() != Some(second.as_str()) {
            return None;
        }
        match before
            .iter()
            .filter(|r| r.query("blockid").as_deref() == Some(second.as_str()))
            .count()
        {
            0 => Some(Fault::Drop),
            1 => Some(Fault::Status(503, "ServerBusy", Some(1))),
            _ => None,
        }
    });

    let started = std::time::Instant::now();
    let report = upload(&proxy.route(&url, azurite.port), &file, &options(MIB, 2)).unwrap();
    assert_eq!(report.retries, 2);
    // The 503 said `Retry-After: 1`, which was honoured.
    assert!(started.elapsed() >= Duration::from_secs(1));

    let attempts: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|r| r.is_put_block())
        .map(|r| (r.query("blockid").unwrap(), r.fault))
        .collect();
    let second = msstore_submit::upload::block_id(1);
    let of_second: Vec<_> = attempts.iter().filter(|(id, _)| *id == second).collect();
    assert_eq!(of_second.len(), 3, "{attempts:?}");
    assert_eq!(
        attempts.iter().filter(|(id, _)| *id != second).count(),
        3,
        "only the failing block was sent again: {attempts:?}"
    );
    let (stored, _) = azurite.read_blob(CONTAINER, "flaky");
    assert!(stored == bytes, "the blob differs from the file");
}

#[test]
fn a_stalled_block_is_abandoned_and_sent_again() {
    let azurite = azurite();
    let ws = Workspace::new();
    let bytes = pattern(2 * MIB + 3);
    let file = ws.write("stall.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "stall", in_one_hour());
    let first = msstore_submit::upload::block_id(0);
    let proxy = FaultProxy::start(azurite.port, Duration::ZERO, move |request, before| {
        let is_first = request.query("blockid").as_deref() == Some(first.as_str());
        let earlier = before
            .iter()
            .any(|r| r.query("blockid").as_deref() == Some(first.as_str()));
        (is_first && !earlier).then_some(Fault::Stall)
    });
    // The stall lasts until the client gives up, so a longer bound costs only its own wait;
    // 1 s once let a healthy block under a load of 17 count as stalled too.
    let mut options = options(MIB, 2);
    options.stall_timeout = Duration::from_secs(3);

    let report = upload(&proxy.route(&url, azurite.port), &file, &options).unwrap();
    assert_eq!(report.retries, 1);
    let (stored, _) = azurite.read_blob(CONTAINER, "stall");
    assert!(stored == bytes, "the blob differs from the file");
}

#[test]
fn blocks_refused_as_too_large_are_sent_again_in_4_mib_blocks() {
    let azurite = azurite();
    let ws = Workspace::new();
    let bytes = pattern(17 * MIB + 5);
    let file = ws.write("large.zip", &bytes);
    let url = azurite.sas_url(CONTAINER, "large", in_one_hour());
    // Storage running at 2014-02-14 rules: blocks over 4 MiB are refused.
    let proxy =
        FaultProxy::start(azurite.port, Duration::ZERO, |request, _| {
            (request.is_put_block() && request.content_length > SAFE_BLOCK)
                .then_some(Fault::Status(413, "RequestBodyTooLarge", None))
        });

    let report = upload(
        &proxy.route(&url, azurite.port),
        &file,
        &options(8 * MIB, 2),
    )
    .unwrap();
    assert_eq!((report.block_size, report.blocks), (SAFE_BLOCK, 5));

    let (stored, _) = azurite.read_blob(CONTAINER, "large");
    assert!(stored == bytes, "the blob differs from the file");
    assert_eq!(
        azurite.committed_block_sizes(CONTAINER, "large"),
        [
            SAFE_BLOCK,
            SAFE_BLOCK,
            SAFE_BLOCK,
            SAFE_BLOCK,
            (MIB + 5) as u64
        ]
    );
    let refused = proxy.seen().iter().filter(|r| r.fault.is_some()).count();
    assert!(refused >= 1);
}

#[test]
fn an_expired_sas_is_refused_before_anything_is_sent() {
    let azurite = azurite();
    let ws = Workspace::new();
    let file = ws.write("late.zip", &pattern(1000));
    let expired = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(5);
    let url = azurite.sas_url(CONTAINER, "late", expired);
    let proxy = FaultProxy::start(azurite.port, Duration::ZERO, |_, _| None);

    let error = upload(&proxy.route(&url, azurite.port), &file, &options(MIB, 2)).unwrap_err();
    let text = error.to_string();
    let shown = expired.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert_eq!(text, format!("the upload URL expired at {shown}"));
    assert!(proxy.seen().is_empty());
    assert!(!azurite.blob_exists(CONTAINER, "late"));
}

#[test]
fn a_refused_signature_is_a_clear_error_without_the_url() {
    let azurite = azurite();
    let ws = Workspace::new();
    let file = ws.write("forged.zip", &pattern(2 * MIB));
    // A SAS signed for another blob: storage refuses it (403) and that is not retried.
    let other = azurite.sas_url(CONTAINER, "other", in_one_hour());
    let url = other.replacen("/other?", "/forged?", 1);

    let error = upload(&url, &file, &options(MIB, 2)).unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, UploadError::Refused { status: 403, .. }),
        "{error:?}"
    );
    assert!(text.starts_with("storage refused Put Block"), "{text}");
    assert!(text.contains("HTTP 403 AuthorizationFailure"), "{text}");
    assert!(!text.contains("sig="), "{text}");
    assert!(!azurite.blob_exists(CONTAINER, "forged"));
}

/// The simulator hands out upload URLs into Azurite (`simulator-storage`), and the whole
/// submit flow uploads there: blocks, SAS and headers meet real blob storage, and the
/// commit check reads the blob back from it.
#[test]
fn a_whole_submission_uploads_to_real_blob_storage() {
    let azurite = Azurite::start();
    let sim =
        crate::util::Simulator::start_with(&["--simulator-storage", &azurite.connection_string()]);
    let ws = Workspace::new();
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let arm64 = crate::packages::Msix::new("1.0.1.0", "arm64").payload(3 * MIB + 11);
    ws.write(&arm64.file_name(), &arm64.bytes());
    let out = crate::util::Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            crate::util::APP_ID,
            "--packages",
            "*.msix",
            "--upload-block-size",
            "1MiB",
            "--upload-concurrency",
            "3",
            "--zip-path",
            "upload.zip",
        ])
        .run();
    out.assert_code(0);
    assert!(
        ["PreProcessing", "Certification", "Release"].contains(&out.output("status")),
        "{}",
        out.log()
    );

    let submission = sim.submission(out.output("submission-id"));
    let upload_url = submission["fileUploadUrl"].as_str().unwrap();
    let prefix = format!("{}/ingestion/", azurite.blob_endpoint());
    assert!(upload_url.starts_with(&prefix), "{upload_url}");
    // The Store's quirk survives: the signature carries a raw `+`.
    let signature = upload_url.split("&sig=").nth(1).unwrap();
    assert!(signature.contains('+'), "{upload_url}");
    let blob = upload_url[prefix.len()..].split('?').next().unwrap();

    let zip = std::fs::read(ws.path().join("upload.zip")).unwrap();
    let (stored, headers) = azurite.read_blob(CONTAINER, blob);
    assert!(stored == zip, "the blob in storage is not the zip");
    assert_eq!(
        headers["x-ms-meta-msstoresubmit_sha256"],
        out.output("zip-sha256")
    );
    let blocks = azurite.committed_block_sizes(CONTAINER, blob);
    assert_eq!(blocks.len(), zip.len().div_ceil(MIB));
    assert!(blocks[..blocks.len() - 1].iter().all(|b| *b == MIB as u64));
    // The log says how the upload went, without the URL's query: the plan, and a summary
    // line with size, time and rate (readable without a terminal).
    assert!(
        out.stdout.contains("in 4 block(s) of 1.0 MiB, 3 in flight"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains(" upload: ") && l.contains(" in ") && l.ends_with("/s)")),
        "{}",
        out.log()
    );
    assert!(!out.stdout.contains("sig="), "{}", out.log());
}

#[test]
fn the_commit_check_reads_the_zip_back_from_real_blob_storage() {
    let azurite = Azurite::start();
    let sim =
        crate::util::Simulator::start_with(&["--simulator-storage", &azurite.connection_string()]);
    let ws = Workspace::new();
    // A ready zip that lacks the package the submission names.
    let zip = crate::util::zip_of(&[("readme.txt", b"hello")]);
    ws.write("ready.zip", &zip);
    let out = crate::util::Run::against(&ws, &sim)
        .github(&ws)
        .args([
            "submit",
            "--app-id",
            crate::util::APP_ID,
            "--packages",
            "ContosoReader_1.0.1.0_x64.msix",
            "--upload-zip",
            "ready.zip",
        ])
        .run();
    out.assert_code(5);
    assert_eq!(out.output("status"), "CommitFailed");
    let details: serde_json::Value = serde_json::from_str(out.output("status-details")).unwrap();
    assert_eq!(details["errors"][0]["code"], "MissingFiles");
    assert!(
        details["errors"][0]["details"]
            .as_str()
            .unwrap()
            .contains("not found in the uploaded ZIP archive: ContosoReader_1.0.1.0_x64.msix"),
        "{details}"
    );
}

/// A new submission's upload URL from the simulator (its own blob endpoint), with the raw
/// `+` of its signature encoded, and the submission.
fn simulator_upload_url(sim: &Simulator) -> (String, Value) {
    let (status, created) = sim.api("POST", &format!("applications/{APP_ID}/submissions"), None);
    assert_eq!(status, 200, "{created}");
    let url = created["fileUploadUrl"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    (url, created)
}

fn port_of(url: &str) -> u16 {
    url::Url::parse(url).unwrap().port().unwrap()
}

/// A Put Block straight to the simulator's blob endpoint.
fn put_block(
    url: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> (u16, String, Vec<(String, String)>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.put(&format!("{url}&comp=block&blockid=QUFBQQ%3D%3D"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.send(body).expect("the simulator answers");
    let status = response.status().as_u16();
    let answered = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
        answered,
    )
}

fn answered<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The simulator checks `x-ms-content-crc64` as Azure does (service version 2019-02-02 and
/// later): a body that does not match is refused with `Crc64Mismatch` naming both values,
/// a matching one is stored and its CRC64 answered. Under the URL's own `sv=2014-02-14`
/// (no `x-ms-version`) the header means nothing and is not checked.
#[test]
fn the_simulator_refuses_a_body_whose_crc64_does_not_match() {
    let sim = Simulator::start();
    let (url, _) = simulator_upload_url(&sim);
    let body = pattern(100_000);
    let right = crc64::header_value(crc64::checksum(&body));
    let wrong = crc64::header_value(crc64::checksum(&body) ^ 1);
    let version = ("x-ms-version", "2021-08-06");

    let (status, text, headers) =
        put_block(&url, &body, &[version, ("x-ms-content-crc64", &wrong)]);
    assert_eq!(status, 400, "{text}");
    assert_eq!(answered(&headers, "x-ms-error-code"), Some("Crc64Mismatch"));
    assert!(text.contains("<Code>Crc64Mismatch</Code>"), "{text}");
    assert!(
        text.contains(&format!("<UserSpecifiedCrc>{wrong}</UserSpecifiedCrc>")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "<ServerCalculatedCrc>{right}</ServerCalculatedCrc></Error>"
        )),
        "{text}"
    );

    let (status, text, headers) =
        put_block(&url, &body, &[version, ("x-ms-content-crc64", &right)]);
    assert_eq!(status, 201, "{text}");
    assert_eq!(
        answered(&headers, "x-ms-content-crc64"),
        Some(right.as_str())
    );

    // Not 8 bytes of base64, or sent with Content-MD5: refused.
    let (status, _, _) = put_block(&url, &body, &[version, ("x-ms-content-crc64", "AQID")]);
    assert_eq!(status, 400);
    let md5 = "1B2M2Y8AsgTpgAmY7PhCfg==";
    let (status, _, _) = put_block(
        &url,
        &body,
        &[
            version,
            ("x-ms-content-crc64", &right),
            ("content-md5", md5),
        ],
    );
    assert_eq!(status, 400);

    // Under 2014-02-14 the header is unknown: not checked, not answered.
    let (status, text, headers) = put_block(&url, &body, &[("x-ms-content-crc64", &wrong)]);
    assert_eq!(status, 201, "{text}");
    assert_eq!(answered(&headers, "x-ms-content-crc64"), None);
}

/// A block damaged between the client and storage is refused by its CRC64 and sent again;
/// the blob committed is the file, byte for byte.
#[test]
fn a_block_damaged_on_the_way_is_refused_and_sent_again() {
    let sim = Simulator::start();
    let (url, created) = simulator_upload_url(&sim);
    let ws = Workspace::new();
    let bytes = pattern(3 * MIB + 5);
    let file = ws.write("damaged.zip", &bytes);
    // The first attempt of the second block arrives with one bit flipped.
    let proxy = FaultProxy::start(port_of(&url), Duration::ZERO, |seen, before| {
        let second = seen.query("blockid") == Some(upload::block_id(1));
        let first_try = !before
            .iter()
            .any(|r| r.query("blockid") == Some(upload::block_id(1)));
        (second && first_try).then_some(Fault::Corrupt)
    });

    let report = upload(&proxy.route(&url, port_of(&url)), &file, &options(MIB, 2)).unwrap();
    assert_eq!(report.blocks, 4);
    assert_eq!(report.retries, 1);
    let seen = proxy.seen();
    let second: Vec<_> = seen
        .iter()
        .filter(|r| r.query("blockid") == Some(upload::block_id(1)))
        .collect();
    assert_eq!(second.len(), 2, "{seen:?}");
    assert_eq!(second[0].fault, Some(Fault::Corrupt));
    assert!(
        sim.uploaded_zip(&created) == bytes,
        "the blob differs from the file"
    );
}
