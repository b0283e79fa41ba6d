//! `pack`: the upload zip on its own. Same inputs, same bytes; Info-ZIP finds nothing
//! wrong; and every file that cannot go into the zip is refused with exit 2 before anything
//! is written.

use std::os::unix::fs::symlink;

use crate::util::*;

fn pack(ws: &Workspace, args: &[&str]) -> Outcome {
    let mut run = Run::new(ws);
    run.github(ws).args(["pack"]).args(args);
    run.run()
}

/// Runs `pack` expecting exit 2 and no zip; returns what it printed.
fn refused(ws: &Workspace, args: &[&str]) -> String {
    let out = pack(ws, &[args, &["--zip-path", "out.zip"]].concat());
    out.assert_code(2);
    assert!(!ws.path().join("out.zip").exists(), "a zip was written");
    assert!(!ws.path().join("out.zip.partial").exists());
    format!("{}{}", out.stdout, out.stderr)
}

fn unzip_test(path: &std::path::Path) {
    let test = std::process::Command::new("unzip")
        .arg("-t")
        .arg(path)
        .output()
        .expect("`unzip` is needed for this test (scripts/test installs it)");
    let text = String::from_utf8_lossy(&test.stdout);
    assert!(test.status.success(), "unzip -t:\n{text}");
    assert!(text.contains("No errors detected"), "{text}");
}

#[test]
fn the_same_inputs_give_the_same_bytes_and_unzip_finds_no_error() {
    let ws = Workspace::new();
    ws.package("build/ContosoReader_1.0.1.0_x64.msix");
    ws.write(
        "build/ContosoReader_1.0.1.0_arm64.msix",
        &crate::packages::Msix::new("1.0.1.0", "arm64")
            .payload(300_000)
            .bytes(),
    );
    ws.write("assets/en-us/shot one.png", b"png bytes");
    ws.write("assets/en-us/icons/icon.png", b"icon");
    ws.write("assets/trailer.mp4", &vec![7; 70_000]);

    let first = pack(
        &ws,
        &[
            "--packages",
            "build/*.msix",
            "--assets-dir",
            "assets",
            "--zip-path",
            "one.zip",
        ],
    );
    first.assert_code(0);
    // Another run later, with every file touched and made executable: nothing of that
    // reaches the zip.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for file in [
        "build/ContosoReader_1.0.1.0_x64.msix",
        "assets/en-us/shot one.png",
        "assets/trailer.mp4",
    ] {
        let path = ws.path().join(file);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, bytes).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let second = pack(
        &ws,
        &[
            "--packages",
            "build/*.msix",
            "--assets-dir",
            "assets",
            "--zip-path",
            "two.zip",
        ],
    );
    second.assert_code(0);

    let one = std::fs::read(ws.path().join("one.zip")).unwrap();
    let two = std::fs::read(ws.path().join("two.zip")).unwrap();
    assert!(one == two, "two runs gave different bytes");
    assert_eq!(first.output("zip-sha256"), sha256_hex(&one));
    assert_eq!(second.output("zip-sha256"), sha256_hex(&one));
    assert_eq!(first.output("zip-size"), one.len().to_string());
    assert_eq!(
        zip_entries(&one),
        [
            "ContosoReader_1.0.1.0_arm64.msix",
            "ContosoReader_1.0.1.0_x64.msix",
            "en-us/icons/icon.png",
            "en-us/shot one.png",
            "trailer.mp4",
        ]
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&one)).unwrap();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
    }
    unzip_test(&ws.path().join("one.zip"));
}

#[test]
fn two_packages_with_the_same_name_are_refused() {
    let ws = Workspace::new();
    ws.package("x64/App.msix");
    ws.package("arm64/App.msix");
    let text = refused(&ws, &["--packages", "x64/*.msix, arm64/*.msix"]);
    assert!(text.contains("input `packages`"), "{text}");
    assert!(
        text.contains("x64/App.msix") && text.contains("arm64/App.msix"),
        "{text}"
    );
    assert!(
        text.contains("would both be `App.msix` in the zip"),
        "{text}"
    );
}

#[test]
fn names_that_differ_only_in_case_are_refused() {
    let ws = Workspace::new();
    ws.write("assets/Logo.png", b"a");
    ws.write("assets/logo.png", b"b");
    let text = refused(&ws, &["--assets-dir", "assets"]);
    assert!(text.contains("input `assets-dir`"), "{text}");
    assert!(text.contains("differ only in case"), "{text}");
}

#[test]
fn names_that_climb_out_or_are_absolute_are_refused() {
    let ws = Workspace::new();
    ws.write("assets/ok.png", b"ok");
    ws.write("secret.png", b"not yours");
    let patch = r#"{"listings": {"en-us": {"baseListing": {"images": [
        {"fileName": "..\\secret.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
        {"fileName": "/etc/hostname", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
        {"fileName": "C:\\Windows\\win.ini", "fileStatus": "PendingUpload", "imageType": "Screenshot"},
        {"fileName": "ok.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"}
    ]}}}}"#;
    let text = refused(
        &ws,
        &["--submission-patch", patch, "--assets-dir", "assets"],
    );
    assert!(
        text.contains("file `..\\secret.png`: climbs out of its folder"),
        "{text}"
    );
    assert!(
        text.contains("file `/etc/hostname`: is an absolute path"),
        "{text}"
    );
    assert!(
        text.contains("file `C:\\Windows\\win.ini`: is an absolute path"),
        "{text}"
    );
    assert!(!text.contains("`ok.png`"), "{text}");
}

#[test]
fn symlinks_that_lead_out_of_the_inputs_are_refused() {
    let ws = Workspace::new();
    let outside = ws.write("private/id_rsa", b"-----BEGIN KEY-----");
    ws.write("private/App.msix", b"a package kept elsewhere");
    ws.write("assets/inside.png", b"png");
    std::fs::create_dir_all(ws.path().join("build")).unwrap();
    symlink(&outside, ws.path().join("assets/key.png")).unwrap();
    symlink(ws.path().join("private"), ws.path().join("assets/linked")).unwrap();
    symlink(
        ws.path().join("private/App.msix"),
        ws.path().join("build/App.msix"),
    )
    .unwrap();
    // A link that stays inside the folder is fine.
    symlink(
        ws.path().join("assets/inside.png"),
        ws.path().join("assets/alias.png"),
    )
    .unwrap();

    let text = refused(
        &ws,
        &["--packages", "build/*.msix", "--assets-dir", "assets"],
    );
    assert!(
        text.contains("input `assets-dir`: key.png is a symlink to"),
        "{text}"
    );
    assert!(
        text.contains("input `assets-dir`: linked is a symlink to"),
        "{text}"
    );
    assert!(text.contains("input `packages`:"), "{text}");
    assert!(text.contains("build/App.msix is a symlink to"), "{text}");
    assert!(!text.contains("alias.png"), "{text}");

    // Without the links that lead out, the one that stays inside is zipped as a file.
    std::fs::remove_file(ws.path().join("assets/key.png")).unwrap();
    std::fs::remove_file(ws.path().join("assets/linked")).unwrap();
    let out = pack(&ws, &["--assets-dir", "assets", "--zip-path", "out.zip"]);
    out.assert_code(0);
    let zip = std::fs::read(ws.path().join("out.zip")).unwrap();
    assert_eq!(zip_entries(&zip), ["alias.png", "inside.png"]);
}

#[test]
fn non_ascii_names_are_refused() {
    let ws = Workspace::new();
    ws.package("Bücher_1.0.0.0_x64.msix");
    ws.write("assets/café.png", b"png");
    let text = refused(&ws, &["--packages", "*.msix", "--assets-dir", "assets"]);
    assert!(
        text.contains("Bücher_1.0.0.0_x64.msix: has non-ASCII characters"),
        "{text}"
    );
    assert!(
        text.contains("café.png: has non-ASCII characters"),
        "{text}"
    );
}

#[test]
fn submit_refuses_a_symlink_out_of_assets_dir_before_any_request() {
    let ws = Workspace::new();
    let sim = Simulator::start();
    ws.package("App.msix");
    let outside = ws.write("home/.ssh/id_rsa", b"-----BEGIN KEY-----");
    std::fs::create_dir_all(ws.path().join("assets")).unwrap();
    symlink(&outside, ws.path().join("assets/shot.png")).unwrap();
    let patch = r#"{"listings": {"en-us": {"baseListing": {"images": [
        {"fileName": "shot.png", "fileStatus": "PendingUpload", "imageType": "Screenshot"}]}}}}"#;
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--app-id",
            APP_ID,
            "--packages",
            "App.msix",
            "--submission-patch",
            patch,
            "--assets-dir",
            "assets",
        ])
        .run();
    out.assert_code(2);
    assert!(
        out.stderr.contains("input `assets-dir`: `shot.png`: ")
            && out.stderr.contains("is a symlink to"),
        "{}",
        out.log()
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}
