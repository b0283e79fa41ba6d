//! Azurite, Microsoft's Azure Storage emulator (npm package pinned in `package.json`,
//! installed by `scripts/test`), so the upload tests meet Azure's own block rules, SAS
//! checks and headers. One emulator per test on a free loopback port, stopped when dropped.
//!
//! The container request (Shared Key) and the service SAS are made here from Microsoft's
//! documentation (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key,
//! https://learn.microsoft.com/rest/api/storageservices/create-service-sas), apart from the simulator's own
//! storage code, so that a mistake in one is not mirrored in the other.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The emulator's well-known account and key (from Azurite's documentation).
pub const ACCOUNT: &str = "devstoreaccount1";
pub const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// The service version our SAS URLs are signed for (2020-12-06 string-to-sign layout).
const SAS_VERSION: &str = "2021-08-06";

pub struct Azurite {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Azurite {
    pub fn start() -> Azurite {
        Azurite::start_with(&[])
    }

    /// Azurite with extra options, e.g. `--loose` (unsupported headers ignored instead of
    /// refused with 500 `FeatureNotSupported`, as `x-ms-content-crc64` is in strict mode).
    pub fn start_with(options: &[&str]) -> Azurite {
        let program =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/azurite-blob");
        assert!(
            program.exists(),
            "Azurite is not installed ({} is missing): run `npm ci` in the repository (scripts/test does)",
            program.display()
        );
        let mut last_log = String::new();
        // The free port is found by binding port 0 and letting go of it; another process
        // could take it in between, so a start that dies is tried again on a new port.
        for _ in 0..3 {
            let port = free_port();
            let dir = tempfile::tempdir().expect("temp dir");
            let log = std::fs::File::create(dir.path().join("azurite.log")).unwrap();
            let child = Command::new(&program)
                .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
                .arg("--location")
                .arg(dir.path().join("data"))
                .args(["--disableTelemetry", "--silent"])
                .args(options)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start Azurite (node)");
            let mut azurite = Azurite { child, port, dir };
            if azurite.wait_ready(Duration::from_secs(30)) {
                return azurite;
            }
            last_log =
                std::fs::read_to_string(azurite.dir.path().join("azurite.log")).unwrap_or_default();
        }
        panic!("Azurite did not start:\n{last_log}");
    }

    fn wait_ready(&mut self, within: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            // Ours, not whatever else took the port between `free_port` and Azurite's bind
            // (another test's host answered once, and creating the container got its 404):
            // Azurite names itself in `Server`; when another process holds the port, ours
            // exits and the start is tried again on a new one.
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let answer = ureq::get(&format!("{}?comp=list", self.blob_endpoint()))
                    .config()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(5)))
                    .build()
                    .call();
                if let Ok(answer) = answer {
                    let server = answer
                        .headers()
                        .get("server")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    if server.starts_with("Azurite-Blob") {
                        return true;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `http://127.0.0.1:<port>/devstoreaccount1`
    pub fn blob_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/{ACCOUNT}", self.port)
    }

    /// The connection string Azurite documents, for the simulator's `simulator-storage`.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={};",
            self.blob_endpoint()
        )
    }

    /// Creates a container with a Shared Key request.
    pub fn create_container(&self, container: &str) {
        let date = jiff::Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let version = "2021-08-06";
        let string_to_sign = format!(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{ACCOUNT}/{ACCOUNT}/{container}\nrestype:container"
        );
        let signature = hmac_base64(&string_to_sign);
        ureq::put(&format!(
            "{}/{container}?restype=container",
            self.blob_endpoint()
        ))
        .header("x-ms-date", &date)
        .header("x-ms-version", version)
        .header("Authorization", &format!("SharedKey {ACCOUNT}:{signature}"))
        .send_empty()
        .unwrap_or_else(|e| panic!("create container {container}: {e}"));
    }

    /// A blob service SAS URL (`sr=b`) with the Store's permissions (`rwl`).
    pub fn sas_url(&self, container: &str, blob: &str, expiry: jiff::Timestamp) -> String {
        self.sas_url_with(container, blob, "rwl", expiry)
    }

    pub fn sas_url_with(
        &self,
        container: &str,
        blob: &str,
        permissions: &str,
        expiry: jiff::Timestamp,
    ) -> String {
        let expiry = expiry.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        // sp, st, se, resource, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct
        let string_to_sign = format!(
            "{permissions}\n\n{expiry}\n/blob/{ACCOUNT}/{container}/{blob}\n\n\n\n{SAS_VERSION}\nb\n\n\n\n\n\n\n"
        );
        let signature = hmac_base64(&string_to_sign);
        let encode =
            |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        format!(
            "{}/{container}/{blob}?sv={SAS_VERSION}&sr=b&sp={permissions}&se={}&sig={}",
            self.blob_endpoint(),
            encode(&expiry),
            encode(&signature)
        )
    }

    /// The blob's bytes and headers, read through a fresh read SAS.
    pub fn read_blob(&self, container: &str, blob: &str) -> (Vec<u8>, ureq::http::HeaderMap) {
        let url = self.sas_url_with(container, blob, "r", in_one_hour());
        let mut response = ureq::get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {container}/{blob}: {e}"));
        let headers = response.headers().clone();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(1 << 32)
            .read_to_vec()
            .expect("blob bytes");
        (bytes, headers)
    }

    /// Whether the blob exists (has been committed).
    pub fn blob_exists(&self, container: &str, blob: &str) -> bool {
        let url = self.sas_url_with(container, blob, "r", in_one_hour());
        match ureq::head(&url).call() {
            Ok(_) => true,
            Err(ureq::Error::StatusCode(404)) => false,
            Err(e) => panic!("HEAD {container}/{blob}: {e}"),
        }
    }

    /// Sizes of the committed blocks, from Get Block List.
    pub fn committed_block_sizes(&self, container: &str, blob: &str) -> Vec<u64> {
        let url = self.sas_url_with(container, blob, "r", in_one_hour());
        let mut xml = String::new();
        ureq::get(&format!("{url}&comp=blocklist&blocklisttype=committed"))
            .header("x-ms-version", "2021-08-06")
            .call()
            .expect("Get Block List")
            .body_mut()
            .as_reader()
            .read_to_string(&mut xml)
            .unwrap();
        xml.split("<Size>")
            .skip(1)
            .map(|part| part[..part.find("</Size>").unwrap()].parse().unwrap())
            .collect()
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn in_one_hour() -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)
}

fn hmac_base64(text: &str) -> String {
    let key = BASE64.decode(KEY).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(text.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
