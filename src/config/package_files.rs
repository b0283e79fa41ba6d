//! Which files are packages, which zip entry names the Store will match, the files under a
//! folder (symlinks that lead out reported), entry names of a ready zip and a PNG's size:
//! what validation checks in the inputs before any call, and the zip and the flow use.

use std::io;
use std::path::{Path, PathBuf};

/// Package formats the submission API takes (StoreBroker's list, https://github.com/microsoft/StoreBroker/blob/master/StoreBroker/PackageTool.ps1).
pub const PACKAGE_EXTENSIONS: &[&str] = &[
    ".msix",
    ".msixbundle",
    ".msixupload",
    ".appx",
    ".appxbundle",
    ".appxupload",
];

pub fn is_package_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PACKAGE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) && lower.len() > 5
}

/// Why a name cannot be a zip entry that the Store will match, if it cannot.
/// Names are `/`-separated paths relative to the zip root.
pub fn entry_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty".into());
    }
    if !name.is_ascii() {
        return Some(
            "has non-ASCII characters; the Store asks for ANSI file names, so rename the file"
                .into(),
        );
    }
    let drive =
        name.len() >= 2 && name.as_bytes()[0].is_ascii_alphabetic() && name.as_bytes()[1] == b':';
    if name.starts_with('/') || drive {
        return Some("is an absolute path; give a path relative to the folder".into());
    }
    if let Some(bad) = name.chars().find(|c| "<>:\"|?*".contains(*c)) {
        return Some(format!(
            "has `{bad}`, which Windows file names cannot hold; rename the file"
        ));
    }
    if name.split('/').any(|part| part == "..") {
        return Some("climbs out of its folder with `..`".into());
    }
    if name.split('/').any(|part| part.is_empty() || part == ".") {
        return Some("has an empty or `.` path segment".into());
    }
    if name.chars().any(|c| c.is_ascii_control()) {
        return Some("has control characters".into());
    }
    None
}

/// Entry names of a zip, read from its central directory.
pub fn zip_entry_names(path: &Path) -> Result<Vec<String>, ::zip::result::ZipError> {
    let file = std::fs::File::open(path)?;
    let archive = ::zip::ZipArchive::new(io::BufReader::new(file))?;
    archive
        .file_names()
        .map(|name| name.map(|n| n.into_owned()))
        .collect()
}

/// Width and height of a PNG, from its IHDR chunk; `None` when the file is not a PNG.
pub fn png_dimensions(path: &Path) -> io::Result<Option<(u32, u32)>> {
    use std::io::Read;
    let mut header = [0u8; 24];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut header)?;
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if read < 24 || &header[..8] != SIGNATURE || &header[12..16] != b"IHDR" {
        return Ok(None);
    }
    let width = u32::from_be_bytes(header[16..20].try_into().expect("4 bytes"));
    let height = u32::from_be_bytes(header[20..24].try_into().expect("4 bytes"));
    Ok(Some((width, height)))
}

/// Files found under a folder, and what is wrong with the ones that cannot be zipped.
#[derive(Debug, Default)]
pub struct FolderFiles {
    /// Each file with its `/`-separated path relative to the folder, sorted by that path.
    pub files: Vec<(PathBuf, String)>,
    /// Symlinks that lead out of the folder (or nowhere), one message each.
    pub problems: Vec<String>,
}

/// Every file under `dir`. A symlink that leads out of `dir` is reported, not followed (it
/// could pull any file of the machine into a zip that leaves it). One to a file inside is
/// zipped under its own name; one to a folder inside is skipped, since that folder's files
/// are zipped under their real paths already (and links cannot make the walk loop).
pub fn files_under(dir: &Path) -> io::Result<FolderFiles> {
    let root = dir.canonicalize()?;
    let mut found = FolderFiles::default();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let mut entries = std::fs::read_dir(&current)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let relative = relative_name(&path, dir)?;
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                match path.canonicalize() {
                    Err(_) => found
                        .problems
                        .push(format!("{relative} is a symlink to nothing (broken link)")),
                    Ok(target) if !target.starts_with(&root) => found.problems.push(format!(
                        "{relative} is a symlink to {}, outside {}; only files inside the folder are zipped",
                        target.display(),
                        dir.display()
                    )),
                    Ok(target) if target.is_file() => found.files.push((path, relative)),
                    Ok(_) => {}
                }
            } else if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                found.files.push((path, relative));
            }
        }
    }
    found.files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

fn relative_name(path: &Path, dir: &Path) -> io::Result<String> {
    Ok(path
        .strip_prefix(dir)
        .map_err(io::Error::other)?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Where `path` really is, when a symlink on the way leads it out of `root` (or nowhere).
/// `None` when it stays inside.
pub fn escapes_root(path: &Path, root: &Path) -> Option<String> {
    let Ok(real_root) = root.canonicalize() else {
        return Some(format!("{} cannot be resolved", root.display()));
    };
    match path.canonicalize() {
        Ok(real) if real.starts_with(&real_root) => None,
        Ok(real) => Some(format!(
            "{} is a symlink to {}, outside {}",
            path.display(),
            real.display(),
            root.display()
        )),
        Err(e) => Some(format!("{} cannot be resolved: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_extensions() {
        assert!(is_package_file_name("App_1.0.0.0_x64.msix"));
        assert!(is_package_file_name("App.MSIXBUNDLE"));
        assert!(is_package_file_name("App.appxupload"));
        assert!(!is_package_file_name("App.zip"));
        assert!(!is_package_file_name(".msix"));
        assert!(!is_package_file_name("App.msix.txt"));
    }

    #[cfg(unix)]
    #[test]
    fn folder_walks_skip_inner_folder_links_and_report_outer_ones() {
        use std::os::unix::fs::symlink;
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("assets");
        std::fs::create_dir_all(root.join("img/deep")).unwrap();
        std::fs::write(root.join("img/deep/a.png"), b"a").unwrap();
        std::fs::write(base.path().join("secret.txt"), b"s").unwrap();
        // A loop back to the root, a second name for a folder, a link out, a dead link:
        // the folder's file is zipped once, under its real path.
        symlink(&root, root.join("img/deep/loop")).unwrap();
        symlink(root.join("img/deep"), root.join("again")).unwrap();
        symlink(base.path().join("secret.txt"), root.join("out.txt")).unwrap();
        symlink(root.join("missing"), root.join("dead.png")).unwrap();

        let found = files_under(&root).unwrap();
        let names: Vec<&str> = found.files.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["img/deep/a.png"]);
        assert_eq!(found.problems.len(), 2, "{:?}", found.problems);
        assert!(found.problems[0].starts_with("dead.png is a symlink to nothing"));
        assert!(found.problems[1].starts_with("out.txt is a symlink to "));
        assert!(found.problems[1].contains("secret.txt, outside"));
    }

    #[test]
    fn png_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(300u32.to_be_bytes());
        png.extend(200u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0]);
        std::fs::write(dir.path().join("a.png"), &png).unwrap();
        std::fs::write(dir.path().join("b.png"), b"GIF89a not a png at all").unwrap();
        assert_eq!(
            png_dimensions(&dir.path().join("a.png")).unwrap(),
            Some((300, 200))
        );
        assert_eq!(png_dimensions(&dir.path().join("b.png")).unwrap(), None);
    }

    #[test]
    fn entry_names() {
        assert_eq!(entry_name_problem("a/b.png"), None);
        for bad in [
            "",
            "/etc/x",
            "C:/x",
            "a/../b",
            "../b",
            "a//b",
            "./a",
            "bücher.png",
            "a\u{7}",
        ] {
            assert!(entry_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
