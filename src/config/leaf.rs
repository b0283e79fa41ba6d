//! `config/` is a leaf (ARCHITECTURE.md): it reads and checks inputs and may import nothing
//! from the rooms above it. The imports that still run upwards are listed here, so that the
//! list only shrinks: a new one fails this test, and so does one that is gone but still
//! listed.

use std::collections::BTreeSet;
use std::path::Path;

use crate::rooms::rust_files;

/// The rooms above `config/`.
const UPPER: &[&str] = &[
    "auth",
    "api",
    "commands",
    "package",
    "products",
    "report",
    "run",
    "simulator",
    "submission",
    "upload",
];

/// Imports from above that are still to move: none (issue 16 moved the last, the
/// certificate `Credential` holds, behind `config::ClientKey`). Kept, empty, so that the
/// test names what to do when one comes back.
const STILL_TO_MOVE: &[&str] = &[];

/// Every `crate::<upper room>…` path in `config/`, up to the first character that cannot
/// continue a path.
fn upward_imports() -> BTreeSet<String> {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/config");
    let mut files = Vec::new();
    rust_files(&config, &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        if file.ends_with("leaf.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            let room: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !UPPER.contains(&room.as_str()) {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | ',' | ' ')
                })
                .collect();
            let path = path.trim_end_matches([':', ' ', ',']).to_string();
            found.insert(module_of(&path));
        }
    }
    found
}

/// `crate::auth::jws::Jws::parse` and `crate::auth::jws::base64url` are one import of
/// `crate::auth::jws`: a path is kept to its room and the next segment (a module, a
/// constant or a `{…}` group).
fn module_of(path: &str) -> String {
    path.split("::").take(3).collect::<Vec<_>>().join("::")
}

#[test]
fn config_imports_nothing_from_the_rooms_above_it() {
    let found = upward_imports();
    let allowed: BTreeSet<String> = STILL_TO_MOVE.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = found.difference(&allowed).collect();
    assert!(
        new.is_empty(),
        "config/ imports from the rooms above it (ARCHITECTURE.md): {new:?}; move the type \
         down into config/ or the check up into the room that owns it"
    );
    let gone: Vec<&String> = allowed.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "no longer imported by config/, remove from STILL_TO_MOVE: {gone:?}"
    );
}
