//! Entry points for the fuzz targets in `fuzz/` (docs/decisions/0010-crc64-and-fuzzing.md):
//! parsers that are private to their modules, and the GitHub runner's `GITHUB_OUTPUT`
//! parser that our writer is checked against. Built for the tests and under `cargo fuzz`
//! (`--cfg fuzzing`) only: not part of the library's interface.

/// `AppxBundleManifest.xml` as the package checks read it: the error message, if any.
pub fn parse_bundle_manifest(text: &str) -> Result<(), String> {
    crate::package::manifest::parse_bundle_manifest(text)
        .map(|_| ())
        .map_err(|e| e.0)
}

/// The lenient pass of [`crate::api::parse_lenient`]: `//` comments and trailing commas
/// removed outside strings.
pub fn strip_comments_and_trailing_commas(text: &str) -> String {
    crate::api::strip_comments_and_trailing_commas(text)
}

/// Forgets every registered secret, so a fuzz target that registers SAS signatures by the
/// million does not slow down with them.
pub fn forget_secrets() {
    crate::secrets::forget_all();
}

/// The runner's parser for `GITHUB_OUTPUT` (actions/runner FileCommandManager.cs
/// `EnvFileKeyValuePairs`), Linux flavour: lines split on `\n` only.
pub fn parse_github_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    let mut pairs = Vec::new();
    // A trailing "\n" leaves one empty last element, which is an empty line.
    while i < lines.len() {
        let line = lines[i];
        if line.is_empty() {
            i += 1;
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                pairs.push((line[..e].to_string(), line[e + 1..].to_string()));
                i += 1;
            }
            (_, Some(h)) => {
                let name = &line[..h];
                let delimiter = &line[h + 2..];
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!("Invalid format '{line}'"));
                }
                let mut value_lines = Vec::new();
                i += 1;
                loop {
                    if i >= lines.len() {
                        return Err(format!("Matching delimiter not found '{delimiter}'"));
                    }
                    if lines[i] == delimiter {
                        break;
                    }
                    if i == lines.len() - 1 {
                        return Err("EOF marker missing new line.".into());
                    }
                    value_lines.push(lines[i]);
                    i += 1;
                }
                pairs.push((name.to_string(), value_lines.join("\n")));
                i += 1;
            }
            _ => return Err(format!("Invalid format '{line}'")),
        }
    }
    Ok(pairs)
}
