//! The upload engine on its own, for `scripts/bench-zip-upload` (not a user command).
//!
//! ```text
//! blob_upload sas <connection-string> <blob>        prints a write SAS URL (container made)
//! blob_upload upload <sas-url> <file> [<concurrency> <block-size-bytes>]
//! ```

use std::path::Path;
use std::time::Duration;

use msstore_submit::simulator::storage::StorageAccount;
use msstore_submit::upload::{self, UploadOptions, UploadUrl};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["sas", connection, blob] => {
            let account = StorageAccount::from_connection_string(connection).expect("connection");
            runtime
                .block_on(account.ensure_container(&reqwest::Client::new()))
                .expect("container");
            let expiry = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2))
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            let (base, signature) = account.sas(blob, "rwl", &expiry);
            let sig: String = url::form_urlencoded::byte_serialize(signature.as_bytes()).collect();
            println!("{base}&sig={sig}");
        }
        ["upload", url, file, rest @ ..] => {
            let mut options = UploadOptions::default();
            if let [concurrency, block] = rest {
                options.concurrency = concurrency.parse().expect("concurrency");
                options.block_size = block.parse().expect("block size");
            }
            let url = UploadUrl::parse(url).expect("upload URL");
            let report = runtime
                .block_on(upload::upload_file(&url, Path::new(file), &options))
                .unwrap_or_else(|e| panic!("upload failed: {e}"));
            eprintln!(
                "{} bytes, {} blocks of {}, {:.3} s, {} retries",
                report.bytes,
                report.blocks,
                report.block_size,
                report.elapsed.as_secs_f64(),
                report.retries
            );
        }
        _ => {
            eprintln!(
                "usage: blob_upload sas <connection-string> <blob> | upload <url> <file> [<concurrency> <block-size>]"
            );
            std::process::exit(2);
        }
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
}
