//! The submission's `fileUploadUrl`: an Azure Blob service SAS URL for one blob
//! (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions). Its query string is the credential: it is never printed.

use std::fmt;

use url::Url;

/// A parsed upload URL. `Display` shows it without its query string.
#[derive(Clone)]
pub struct UploadUrl {
    url: Url,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UploadUrlError {
    #[error("the submission has no upload URL")]
    Missing,
    #[error("the upload URL is not a URL")]
    Malformed,
    #[error("the upload URL expired at {0}")]
    Expired(String),
    #[error("the upload URL expires at {0}, too soon to start an upload")]
    ExpiresTooSoon(String),
    /// Plain http to a host that is not this machine: the signature and the package would
    /// travel in cleartext. Holds the message, which names the host (never the query).
    #[error("the upload URL the service gave was refused: {0}; nothing was sent")]
    Cleartext(String),
}

impl UploadUrl {
    /// Parses the URL as the service hands it out. The Store sometimes sends the base64
    /// signature with raw `+` (https://github.com/microsoft/windows-dev-center-vsts-extension,
    /// `tasks/common/apiHelper.ts`); a `+` in a query means a space, so it would
    /// reach Azure as one and the signature would not match. Every `+` becomes `%2B`, as
    /// msstore-cli, the VSTS task and the official sample do.
    pub fn parse(raw: &str) -> Result<UploadUrl, UploadUrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UploadUrlError::Missing);
        }
        let fixed = raw.replace('+', "%2B");
        let url = Url::parse(&fixed).map_err(|_| UploadUrlError::Malformed)?;
        // A SAS URL has no fragment; with a `#` before the query, the signature would sit in
        // the fragment, which `redacted` keeps (found by fuzz/fuzz_targets/sas_url.rs).
        if !matches!(url.scheme(), "https" | "http") || url.fragment().is_some() {
            return Err(UploadUrlError::Malformed);
        }
        // Masked even when refused: the message must not be the first to show it.
        crate::secrets::register_query(&url);
        if let Some(problem) = crate::net::cleartext_problem(&url) {
            return Err(UploadUrlError::Cleartext(problem));
        }
        Ok(UploadUrl { url })
    }

    /// The SAS expiry (`se`), if the URL has one.
    pub fn expiry(&self) -> Option<jiff::Timestamp> {
        self.query_param("se")?.parse().ok()
    }

    /// Fails when the SAS has expired, or will within `margin`. A URL without `se` passes:
    /// storage itself then decides.
    pub fn check_not_expired(&self, margin: std::time::Duration) -> Result<(), UploadUrlError> {
        let Some(expiry) = self.expiry() else {
            return Ok(());
        };
        let now = jiff::Timestamp::now();
        let margin = jiff::SignedDuration::try_from(margin).unwrap_or_default();
        if now >= expiry {
            return Err(UploadUrlError::Expired(expiry.to_string()));
        }
        if now + margin >= expiry {
            return Err(UploadUrlError::ExpiresTooSoon(expiry.to_string()));
        }
        Ok(())
    }

    fn query_param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The URL with extra query parameters (`comp=block&blockid=…`), for requests only.
    pub fn with_query(&self, extra: &str) -> Url {
        let mut url = self.url.clone();
        let query = match url.query() {
            Some(q) if !q.is_empty() => format!("{q}&{extra}"),
            _ => extra.to_string(),
        };
        url.set_query(Some(&query));
        url
    }

    /// Host and port, for messages.
    pub fn host(&self) -> String {
        crate::net::host_of(&self.url)
    }

    pub fn request_url(&self) -> &Url {
        &self.url
    }

    /// Scheme, host and path; what logs and errors show.
    pub fn redacted(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.to_string()
    }
}

impl fmt::Display for UploadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl fmt::Debug for UploadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UploadUrl({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_with_a_fragment_is_refused() {
        // From the sas_url fuzz target: the `#` made the query, signature included, part of
        // the fragment, and the "redacted" URL showed it.
        for raw in [
            "https://host.blob.core.windows.net/ingestion/x#y?sv=2014-02-14&sig=c2VjcmV0c2lnbg%3D%3D",
            "https://host.blob.core.windows.net/ingestion/x?sv=2014-02-14&sig=c2VjcmV0c2lnbg%3D%3D#y",
        ] {
            assert_eq!(
                UploadUrl::parse(raw).err(),
                Some(UploadUrlError::Malformed),
                "{raw}"
            );
        }
    }

    const DOC_URL: &str = "https://productingestionbin1.blob.core.windows.net/ingestion/387a9ea8-a412-43a9-8fb3-a38d03eb483d?sv=2014-02-14&sr=b&sig=sdd12JmoaT6BhvC%2BZUrwRweA%2Fkvj%2BEBCY09C2SZZowg%3D&se=2016-06-17T18:32:26Z&sp=rwl";

    #[test]
    fn raw_plus_becomes_percent_2b_and_encoded_stays() {
        let url = UploadUrl::parse(
            "https://h/c/b?sv=2014-02-14&sig=ab+cd%2Bef%3D&se=2099-01-01T00:00:00Z",
        )
        .unwrap();
        let query = url.request_url().query().unwrap();
        assert!(query.contains("sig=ab%2Bcd%2Bef%3D"), "{query}");
        let sig: String = url.query_param("sig").unwrap();
        assert_eq!(sig, "ab+cd+ef=");
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        let refused =
            UploadUrl::parse("http://blob.example.net/c/b?sv=1&sig=SECRETSIG").unwrap_err();
        let UploadUrlError::Cleartext(message) = &refused else {
            panic!("{refused:?}");
        };
        assert!(message.contains("blob.example.net"), "{message}");
        assert!(!refused.to_string().contains("SECRETSIG"), "{refused}");
        assert!(UploadUrl::parse("http://127.0.0.9:10000/a/c/b?sig=x").is_ok());
        assert!(UploadUrl::parse("https://blob.example.net/c/b?sig=x").is_ok());
    }

    #[test]
    fn expiry_and_redaction() {
        let url = UploadUrl::parse(DOC_URL).unwrap();
        assert_eq!(
            url.check_not_expired(std::time::Duration::ZERO),
            Err(UploadUrlError::Expired("2016-06-17T18:32:26Z".into()))
        );
        assert_eq!(
            url.to_string(),
            "https://productingestionbin1.blob.core.windows.net/ingestion/387a9ea8-a412-43a9-8fb3-a38d03eb483d"
        );
        assert!(!format!("{url:?}").contains("sig"));
        let soon = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(30))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let url = UploadUrl::parse(&format!("https://h/c/b?sig=x&se={soon}")).unwrap();
        assert!(url.check_not_expired(std::time::Duration::ZERO).is_ok());
        assert_eq!(
            url.check_not_expired(std::time::Duration::from_secs(60)),
            Err(UploadUrlError::ExpiresTooSoon(soon))
        );
        let block = url.with_query("comp=block&blockid=YWJj");
        assert!(block.query().unwrap().ends_with("&comp=block&blockid=YWJj"));
    }
}
