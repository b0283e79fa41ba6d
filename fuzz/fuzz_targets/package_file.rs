//! Package files as a user gives them (`.msix`, `.appx`, bundles, `.msixupload`): the zip
//! reader, nested archives read in place, and the manifests in them. The first byte picks
//! the kind of package the file is named as.

#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use msstore_submit::package::manifest::read_package_file;

const NAMES: &[&str] = &[
    "Contoso_1.0.0.0_x64.msix",
    "Contoso_1.0.0.0.msixbundle",
    "Contoso_1.0.0.0_x64.msixupload",
    "Contoso_1.0.0.0_x64.appx",
    "Contoso_1.0.0.0.appxbundle",
    "Contoso_1.0.0.0_x64.appxupload",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let mut file = tempfile::NamedTempFile::new().expect("a temp file");
    file.write_all(bytes).expect("write");
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let _ = read_package_file(file.path(), name);
});
