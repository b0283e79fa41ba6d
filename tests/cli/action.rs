//! action.yml is the GitHub face of the binary: its inputs must be exactly the binary's input
//! names, its outputs exactly the ones the tool writes and docs/outputs.md lists, and the
//! defaults its descriptions promise the ones docs/inputs.md gives. Drift in any of them is a
//! silent bug for users (an input the runner warns about as unexpected, an output that is
//! never set), so these tests hold them together.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
        .remove(0)
}

fn action() -> Yaml {
    load(&Path::new(ROOT).join("action.yml"))
}

fn keys(map: &Yaml) -> Vec<String> {
    map.as_hash()
        .expect("a mapping")
        .keys()
        .map(|k| k.as_str().expect("string keys").to_string())
        .collect()
}

fn read_doc(name: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join("docs").join(name)).unwrap()
}

/// Rows of every Markdown table in `doc` as trimmed cells, with the header of their table.
fn table_rows(doc: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let split = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut rows = Vec::new();
    let lines: Vec<&str> = doc.lines().collect();
    let mut i = 0;
    while i + 1 < lines.len() {
        if lines[i].trim_start().starts_with('|') && lines[i + 1].contains("---") {
            let header = split(lines[i]);
            i += 2;
            while i < lines.len() && lines[i].trim_start().starts_with('|') {
                rows.push((header.clone(), split(lines[i])));
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    rows
}

/// `a`, `b` from a cell like "`a` / `b`" or "`a`, `b`".
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn action_inputs_are_exactly_the_binary_inputs() {
    let action = action();
    let declared: BTreeSet<String> = keys(&action["inputs"]).into_iter().collect();
    let binary: BTreeSet<String> = msstore_submit::config::Inputs::names()
        .into_iter()
        .collect();
    let missing: Vec<_> = binary.difference(&declared).collect();
    let unknown: Vec<_> = declared.difference(&binary).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "action.yml lacks inputs {missing:?} and declares inputs the binary does not read {unknown:?}"
    );
}

#[test]
fn every_input_has_a_one_line_description_and_no_runner_default() {
    let action = action();
    for name in keys(&action["inputs"]) {
        let input = &action["inputs"][name.as_str()];
        let description = input["description"]
            .as_str()
            .unwrap_or_else(|| panic!("input {name} has no description"));
        assert!(
            !description.trim().is_empty() && !description.contains('\n'),
            "input {name}: the description must be one line"
        );
        // A `default:` would reach the tool as if the user had given it (see action.yml).
        assert!(
            input["default"].is_badvalue(),
            "input {name} has a `default:`; write the default in the description instead"
        );
        assert_eq!(
            input["required"].as_bool(),
            Some(false),
            "input {name}: the runner does not enforce `required`, the tool does"
        );
    }
}

#[test]
fn defaults_in_descriptions_match_docs_inputs() {
    let action = action();
    let mut checked = 0;
    for (header, row) in table_rows(&read_doc("inputs.md")) {
        if header.get(1).map(String::as_str) != Some("default") || row.len() < 2 {
            continue;
        }
        let Some(default) = backticked(&row[1]).into_iter().next() else {
            continue;
        };
        for name in backticked(&row[0]) {
            let description = action["inputs"][name.as_str()]["description"]
                .as_str()
                .unwrap_or_else(|| panic!("docs/inputs.md lists `{name}`, action.yml does not"));
            assert!(
                description.contains(&format!("Default `{default}`")),
                "input {name}: docs/inputs.md gives the default `{default}`, action.yml says: {description}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 8,
        "only {checked} defaults found in docs/inputs.md"
    );
}

#[test]
fn action_outputs_are_the_written_and_documented_ones() {
    let action = action();
    let declared: BTreeSet<String> = keys(&action["outputs"]).into_iter().collect();
    let written: BTreeSet<String> = msstore_submit::report::OUTPUT_NAMES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let documented: BTreeSet<String> = table_rows(&read_doc("outputs.md"))
        .into_iter()
        .filter(|(header, _)| header.first().map(String::as_str) == Some("output"))
        .flat_map(|(_, row)| backticked(&row[0]))
        .collect();
    assert_eq!(
        declared, written,
        "action.yml outputs vs report::OUTPUT_NAMES"
    );
    assert_eq!(
        documented, written,
        "docs/outputs.md vs report::OUTPUT_NAMES"
    );
    for name in declared {
        assert!(
            action["outputs"][name.as_str()]["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty()),
            "output {name} has no description"
        );
    }
}

#[test]
fn the_action_is_a_container_action_fed_through_the_environment() {
    let action = action();
    let runs = &action["runs"];
    assert_eq!(runs["using"].as_str(), Some("docker"));
    assert_eq!(
        runs["image"].as_str(),
        Some("Dockerfile"),
        "on branches the action builds the Dockerfile; only release commits pin an image"
    );
    // Positional args would be quoted by the runner's own rules and lose values ending in `\`.
    assert!(
        runs["args"].is_badvalue(),
        "inputs go through INPUT_*, not args"
    );
    assert!(
        runs["entrypoint"].is_badvalue(),
        "the image's ENTRYPOINT runs"
    );
    assert!(action["branding"]["icon"].as_str().is_some());
    assert!(action["branding"]["color"].as_str().is_some());
    for key in ["name", "description", "author"] {
        assert!(action[key].as_str().is_some(), "action.yml lacks `{key}`");
    }
}

#[test]
fn release_pinning_changes_only_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("action.yml");
    std::fs::copy(Path::new(ROOT).join("action.yml"), &copy).unwrap();
    let script = Path::new(ROOT).join("scripts/pin-action-image");
    let digest = "0123456789abcdef".repeat(4);
    let reference = format!("ghcr.io/msstore-submit/msstore-submit@sha256:{digest}");

    let tag_only = Command::new(&script)
        .args(["ghcr.io/msstore-submit/msstore-submit:1.2.3", "1.2.3"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(tag_only.status.code(), Some(2), "a mutable tag is refused");

    let pinned = Command::new(&script)
        .args([&reference, "1.2.3"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        pinned.status.success(),
        "{}",
        String::from_utf8_lossy(&pinned.stderr)
    );
    let mut before = action();
    let after = load(&copy);
    assert_eq!(
        after["runs"]["image"].as_str(),
        Some(format!("docker://{reference}").as_str())
    );
    if let Yaml::Hash(top) = &mut before
        && let Some(Yaml::Hash(runs)) = top.get_mut(&Yaml::String("runs".into()))
    {
        runs.insert(
            Yaml::String("image".into()),
            Yaml::String(format!("docker://{reference}")),
        );
    }
    assert_eq!(before, after, "everything but the image stays as it was");

    let again = Command::new(&script)
        .args([&reference, "1.2.3"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "a pinned action.yml is not pinned twice"
    );
}
