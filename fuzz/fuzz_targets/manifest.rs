//! Package manifests (`AppxManifest.xml`, `AppxBundleManifest.xml`) as a user's packages
//! carry them, and the four-part versions in them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msstore_submit::fuzzing;
use msstore_submit::package::manifest::{Version, parse_package_manifest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["Contoso_1.0.0.0_x64.msix", "Contoso.appx", "weird"] {
        let _ = parse_package_manifest(text, name);
    }
    let _ = fuzzing::parse_bundle_manifest(text);
    if let Some(version) = Version::parse(text) {
        assert_eq!(Version::parse(&version.to_string()), Some(version));
    }
});
