//! The rooms of `src/` (ARCHITECTURE.md) import each other in one direction only: no two
//! rooms reach into each other, directly or around a circle. A circle means two rooms are
//! one job split in two, or that a type sits above a room that needs it; this test names
//! the circle so that the type can move down (as the package checks' results moved to
//! `package::checks`, below both the flows that fill them and the report that shows them).
//!
//! A room is a top-level module (`src/<room>.rs` or `src/<room>/`); inside the simulator,
//! its sub-rooms count as rooms too. Imports are read from the source text: `crate::<room>`
//! paths outside comments and outside `#[cfg(test)] mod tests`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (also used by `config::leaf`).
pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/simulator/msi/mod.rs` → `["simulator", "msi"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The room a module path belongs to: its first segment, or its first two inside `nested`.
fn room_of(parts: &[String], nested: &str) -> Option<String> {
    let first = parts.first()?;
    if first == nested && parts.len() > 1 {
        Some(format!("{first}::{}", parts[1]))
    } else {
        Some(first.clone())
    }
}

/// The code of a file without its comments and its unit-test module.
fn code_of(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Room → the rooms it imports.
fn imports(nested: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let parts = module_path(&src, &file);
        let Some(from) = room_of(&parts, nested) else {
            continue;
        };
        if from == "lib" || from == "main" || from == "rooms" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        let code = code_of(&text);
        for (at, _) in code.match_indices("crate::") {
            let path: Vec<String> = code[at + "crate::".len()..]
                .split("::")
                .take(2)
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect()
                })
                .collect();
            let Some(to) = room_of(&path, nested) else {
                continue;
            };
            if to.is_empty() || to == from || from.starts_with(&format!("{to}::")) {
                continue;
            }
            graph.entry(from.clone()).or_default().insert(to);
        }
    }
    graph
}

/// A path of imports from `from` back to `to`, if there is one.
fn path_back(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in graph.get(from).into_iter().flatten() {
        if next == to {
            return Some(vec![from.to_string(), next.clone()]);
        }
        if seen.insert(next.clone())
            && let Some(mut rest) = path_back(graph, next, to, seen)
        {
            rest.insert(0, from.to_string());
            return Some(rest);
        }
    }
    None
}

#[test]
fn no_two_rooms_import_each_other() {
    let graph = imports("simulator");
    assert!(
        graph.contains_key("commands") && graph.contains_key("simulator::msi"),
        "the import graph was not read: {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let mut circles = Vec::new();
    for room in graph.keys() {
        if let Some(circle) = path_back(&graph, room, room, &mut BTreeSet::new()) {
            circles.push(circle.join(" → "));
        }
    }
    assert!(
        circles.is_empty(),
        "rooms that import each other (ARCHITECTURE.md; move the shared type down into a \
         room both may use): {circles:#?}"
    );
}

#[test]
fn a_circle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("report", &["api", "submission"][..]),
        ("submission", &["api", "report"][..]),
        ("api", &[][..]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
    .collect();
    assert_eq!(
        path_back(&graph, "report", "report", &mut BTreeSet::new()),
        Some(vec!["report".into(), "submission".into(), "report".into()])
    );
    assert_eq!(path_back(&graph, "api", "api", &mut BTreeSet::new()), None);
}
