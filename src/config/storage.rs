//! A storage account, from its Azure Storage connection string (`simulator-storage`): the
//! input parsed and checked here, before anything starts; the simulator signs with it and
//! talks to the account (`simulator/storage.rs`).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use url::Url;

/// Azurite's documented development account (`UseDevelopmentStorage=true`).
const DEV_ACCOUNT: &str = "devstoreaccount1";
pub(crate) const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const DEV_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";

/// A storage account, from its connection string. `Debug` leaves the key out.
#[derive(Clone)]
pub struct StorageAccount {
    /// The blob service endpoint, without a trailing `/` (path-style for Azurite:
    /// `http://127.0.0.1:10000/devstoreaccount1`).
    pub blob_endpoint: Url,
    pub account: String,
    /// The account key, decoded; signs the simulator's SAS URLs (`simulator/storage.rs`).
    pub(crate) key: Vec<u8>,
}

impl fmt::Debug for StorageAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageAccount")
            .field("blob_endpoint", &self.blob_endpoint.as_str())
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl StorageAccount {
    /// Parses `AccountName=…;AccountKey=…;BlobEndpoint=…` (or `DefaultEndpointsProtocol` +
    /// `EndpointSuffix` instead of `BlobEndpoint`), or `UseDevelopmentStorage=true`.
    /// Messages never repeat the string: it holds the key.
    pub fn from_connection_string(text: &str) -> Result<StorageAccount, String> {
        let mut fields = std::collections::BTreeMap::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(
                    "is not a connection string of `Name=value` pairs separated by `;`".into(),
                );
            };
            fields.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
        let get = |name: &str| fields.get(name).cloned();
        if get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(StorageAccount {
                blob_endpoint: Url::parse(DEV_ENDPOINT).expect("valid"),
                account: DEV_ACCOUNT.into(),
                key: BASE64.decode(DEV_KEY).expect("valid"),
            });
        }
        let account = get("accountname").ok_or("has no AccountName")?;
        let key = get("accountkey").ok_or("has no AccountKey")?;
        // The key alone may be printed by something that quotes it (a storage error).
        crate::secrets::register(&key);
        let key = BASE64
            .decode(&key)
            .map_err(|_| "has an AccountKey that is not base64".to_string())?;
        let endpoint = match get("blobendpoint") {
            Some(endpoint) => endpoint,
            None => {
                let protocol = get("defaultendpointsprotocol").unwrap_or_else(|| "https".into());
                let suffix = get("endpointsuffix").unwrap_or_else(|| "core.windows.net".into());
                format!("{protocol}://{account}.blob.{suffix}")
            }
        };
        let blob_endpoint = Url::parse(endpoint.trim_end_matches('/'))
            .map_err(|_| "has a BlobEndpoint that is not a URL".to_string())?;
        if !matches!(blob_endpoint.scheme(), "http" | "https") {
            return Err("has a BlobEndpoint that is not http(s)".into());
        }
        Ok(StorageAccount {
            blob_endpoint,
            account,
            key,
        })
    }
}
