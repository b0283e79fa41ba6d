//! `fileUploadUrl` as the service hands it out: parsed, its expiry read, extended with the
//! block query, and shown without its query string (the credential).

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use msstore_submit::fuzzing;
use msstore_submit::upload::UploadUrl;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = UploadUrl::parse(text);
    fuzzing::forget_secrets();
    let Ok(url) = parsed else {
        return;
    };
    let _ = url.expiry();
    let _ = url.check_not_expired(Duration::from_secs(60));
    let block = url.with_query("comp=block&blockid=QUFBQQ%3D%3D");
    assert!(
        block
            .query()
            .is_some_and(|q| q.ends_with("comp=block&blockid=QUFBQQ%3D%3D"))
    );
    let shown = url.redacted();
    // Neither the query nor a fragment (where a signature could hide) shows.
    assert!(!shown.contains(['?', '#']), "the query shows: {shown}");
    assert_eq!(url.to_string(), shown);
    assert!(!format!("{url:?}").contains('?'));
});
