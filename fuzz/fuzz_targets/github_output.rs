//! Outputs written to `GITHUB_OUTPUT` read back by the runner's rules give the same names
//! and values, whatever the value (the service's text included).

#![no_main]

use libfuzzer_sys::fuzz_target;
use msstore_submit::fuzzing::parse_github_file;
use msstore_submit::report::{OUTPUT_NAMES, github_output_block};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    // Several outputs in one file, values split at NUL.
    let values: Vec<&str> = text.split('\0').collect();
    let mut file = String::new();
    let mut expected = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let name = OUTPUT_NAMES[(usize::from(pick) + i) % OUTPUT_NAMES.len()];
        file.push_str(&github_output_block(name, value));
        expected.push((name.to_string(), value.to_string()));
    }
    assert_eq!(parse_github_file(&file), Ok(expected));
});
