//! Real blob storage behind the simulator's `fileUploadUrl`s. Given an Azure Storage
//! connection string (Azurite's, or a real account's), the simulator hands out service SAS
//! URLs for blobs in a container `ingestion` of that account, as Partner Center hands out
//! URLs of its own ingestion account, and reads the blob back from there at commit. Block
//! rules, SAS checks and headers are then Azure's own, not the simulator's imitation.
//!
//! The SAS is signed with service version 2021-08-06 where the Store's URLs say
//! `sv=2014-02-14`: Azurite implements SAS layouts from 2015-04-05 on only
//! (https://learn.microsoft.com/rest/api/storageservices/create-service-sas). The Store's URL quirk of an unencoded `+` in the signature is
//! kept.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::StreamExt;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::io::AsyncWriteExt;
use url::Url;

/// The container the simulator's upload URLs point into.
pub const CONTAINER: &str = "ingestion";
const SAS_VERSION: &str = "2021-08-06";
pub use crate::config::StorageAccount;
#[cfg(test)]
use crate::config::storage::DEV_KEY;
/// Properties of a blob read back from storage.
pub struct Downloaded {
    pub size: u64,
    pub content_md5: Option<String>,
    pub content_type: Option<String>,
}

impl StorageAccount {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/{path}",
            self.blob_endpoint.as_str().trim_end_matches('/')
        )
    }

    fn sign(&self, string_to_sign: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(string_to_sign.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }

    /// A blob service SAS URL (`sr=b`). The signature is returned apart too, so the caller
    /// can decide how to write it into the URL.
    pub fn sas(&self, blob: &str, permissions: &str, expiry: &str) -> (String, String) {
        // sp, st, se, canonicalized resource, si, sip, spr, sv, sr, snapshot time,
        // encryption scope, rscc, rscd, rsce, rscl, rsct (version 2020-12-06 and later).
        let string_to_sign = format!(
            "{permissions}\n\n{expiry}\n/blob/{}/{CONTAINER}/{blob}\n\n\n\n{SAS_VERSION}\nb\n\n\n\n\n\n\n",
            self.account
        );
        let signature = self.sign(&string_to_sign);
        let base = format!(
            "{}?sv={SAS_VERSION}&sr=b&se={expiry}&sp={permissions}",
            self.url(&format!("{CONTAINER}/{blob}"))
        );
        (base, signature)
    }

    /// Creates the `ingestion` container if it is not there yet (Shared Key request).
    pub async fn ensure_container(&self, http: &reqwest::Client) -> Result<(), String> {
        let date = jiff::Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let url = Url::parse(&self.url(CONTAINER)).map_err(|e| e.to_string())?;
        let string_to_sign = format!(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{SAS_VERSION}\n/{}{}\nrestype:container",
            self.account,
            url.path()
        );
        let response = http
            .put(format!("{url}?restype=container"))
            .header("x-ms-date", &date)
            .header("x-ms-version", SAS_VERSION)
            .header(
                "Authorization",
                format!("SharedKey {}:{}", self.account, self.sign(&string_to_sign)),
            )
            .header("Content-Length", "0")
            .send()
            .await
            .map_err(|e| format!("cannot reach {}: {}", self.blob_endpoint, e.without_url()))?;
        match response.status().as_u16() {
            201 | 409 => Ok(()),
            status => Err(format!(
                "{} refused to create container `{CONTAINER}` (HTTP {status}): {}",
                self.blob_endpoint,
                response.text().await.unwrap_or_default()
            )),
        }
    }

    /// Streams the committed blob to `target`. `None` when there is no such blob.
    pub async fn download(
        &self,
        http: &reqwest::Client,
        blob: &str,
        target: &Path,
    ) -> Result<Option<Downloaded>, String> {
        let expiry = (jiff::Timestamp::now() + jiff::SignedDuration::from_mins(10))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let (base, signature) = self.sas(blob, "r", &expiry);
        let sig: String = url::form_urlencoded::byte_serialize(signature.as_bytes()).collect();
        let response = http
            .get(format!("{base}&sig={sig}"))
            .header("x-ms-version", SAS_VERSION)
            .send()
            .await
            .map_err(|e| format!("cannot read blob {blob}: {}", e.without_url()))?;
        match response.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            status => return Err(format!("reading blob {blob} answered HTTP {status}")),
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_md5 = header("content-md5");
        let content_type = header("content-type");
        let mut file = tokio::fs::File::create(target)
            .await
            .map_err(|e| e.to_string())?;
        let mut size = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| format!("reading blob {blob}: {}", e.without_url()))?;
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| e.to_string())?;
        }
        file.flush().await.map_err(|e| e.to_string())?;
        Ok(Some(Downloaded {
            size,
            content_md5,
            content_type,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings() {
        let azurite = StorageAccount::from_connection_string(&format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DEV_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
        ))
        .unwrap();
        assert_eq!(
            azurite.blob_endpoint.as_str(),
            "http://127.0.0.1:10000/devstoreaccount1"
        );
        let dev = StorageAccount::from_connection_string("UseDevelopmentStorage=true").unwrap();
        assert_eq!(dev.account, "devstoreaccount1");
        assert_eq!(dev.key, azurite.key);
        let real = StorageAccount::from_connection_string(
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5;EndpointSuffix=core.windows.net",
        )
        .unwrap();
        assert_eq!(
            real.url("ingestion/x"),
            "https://contoso.blob.core.windows.net/ingestion/x"
        );
        assert!(!format!("{real:?}").contains("a2V5"));
        for bad in [
            "",
            "AccountName=x",
            "AccountName=x;AccountKey=!!",
            "nonsense",
        ] {
            assert!(
                StorageAccount::from_connection_string(bad).is_err(),
                "{bad}"
            );
        }
    }

    /// Pins the string-to-sign against a signature computed apart (Python's `hmac` over
    /// the documented 2020-12-06 layout, 16 fields).
    #[test]
    fn sas_signature_is_stable() {
        let dev = StorageAccount::from_connection_string("UseDevelopmentStorage=true").unwrap();
        let (base, signature) = dev.sas("blob-1", "rwl", "2030-01-01T00:00:00Z");
        assert_eq!(
            base,
            "http://127.0.0.1:10000/devstoreaccount1/ingestion/blob-1?sv=2021-08-06&sr=b&se=2030-01-01T00:00:00Z&sp=rwl"
        );
        assert_eq!(signature, EXPECTED_SIGNATURE);
    }

    const EXPECTED_SIGNATURE: &str = "pYu5GmmUtlCD3PzU/MSM0GPdX2rmZWJyIIZzKUNoh7Q=";
}
