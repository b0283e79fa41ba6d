//! `Retry-After` from Partner Center or storage: seconds or an HTTP date.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msstore_submit::retry::parse_retry_after;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let wait = parse_retry_after(text);
    if let Ok(seconds) = text.trim().parse::<u64>() {
        assert_eq!(wait, Some(std::time::Duration::from_secs(seconds)));
    }
});
