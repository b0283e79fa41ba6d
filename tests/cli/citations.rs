//! Comments cite what a maintainer can open: Microsoft's documentation, public GitHub issues
//! and pull requests, or docs/ of this repository. Sections of documents outside the
//! repository ("reference §2.3", "interface §5", "anchors §4", "ci-platforms §1.6") cannot be
//! opened, so a new one fails here. A section of an RFC (`RFC 9110 §10.2.3`) is fine.

use std::path::{Path, PathBuf};

/// The research notes and the spec the project started from, which live outside the
/// repository.
const OUTSIDE_DOCUMENTS: &[&str] = &[
    "ci-platforms",
    "blob-upload-and-zip",
    "partner-center-api",
    "rust-exemplars",
    "shared/reference",
    "shared/spec",
];

/// Where this line cites something nobody can open: one of the outside documents by name,
/// or a section (`§`) of anything but an RFC (`RFC <number> §…`).
fn unopenable_citation(line: &str) -> bool {
    if OUTSIDE_DOCUMENTS.iter().any(|name| line.contains(name)) {
        return true;
    }
    line.match_indices('§').any(|(at, _)| {
        let before = line[..at].trim_end_matches(' ');
        let digits = before.trim_end_matches(|c: char| c.is_ascii_digit());
        digits.len() == before.len() || !digits.ends_with("RFC ")
    })
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_rule_itself() {
    assert!(unopenable_citation("/// The error body (reference §5.2)."));
    assert!(unopenable_citation("//! Exit codes of interface §5."));
    assert!(unopenable_citation("// (anchors §4 item 3)"));
    assert!(unopenable_citation("# ci-platforms §1.6"));
    assert!(unopenable_citation("/// RFC 9110 §5.6.7 and §2.3"));
    assert!(unopenable_citation(
        "/// As measured (see blob-upload-and-zip)."
    ));
    assert!(!unopenable_citation("/// An HTTP date (RFC 9110 §5.6.7)."));
    assert!(!unopenable_citation("/// Not a citation at all."));
}

#[test]
fn comments_cite_only_what_a_maintainer_can_open() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "tests", "scripts"] {
        files(&root.join(dir), &mut all);
    }
    let this = Path::new(file!()).file_name().unwrap();
    let mut found = Vec::new();
    for path in all {
        if path.file_name() == Some(this) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not text (fixtures)
        };
        for (number, line) in text.lines().enumerate() {
            if unopenable_citation(line) {
                let shown = path.strip_prefix(root).unwrap_or(&path).display();
                found.push(format!("{shown}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cite a Microsoft docs URL, a public issue URL or a page of docs/ instead:\n{}",
        found.join("\n")
    );
}
