//! MSI/EXE products (docs/msi-exe.md) end to end: the binary against the simulator's
//! MSI/EXE API, with real installers built here (an MSI by Debian's `wixl`, an x64 EXE by
//! MinGW-w64, an ARM64 PE header made by hand) served from a local HTTP server that
//! answers Range requests. The tools are installed by scripts/test; without them these
//! tests fail, they do not skip.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::util::{Run, Simulator, Workspace};

const PRODUCT: &str = "3e31a9f9-84e8-4d2d-9eba-487878d02ebf";
const SELLER: &str = "123456892";

/// Each request's path and `Range` header.
type Ranges = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A local web server for installers: `GET /path` with or without `Range`, 404 for
/// anything it does not hold. Records the `Range` of every request.
struct Cdn {
    url: String,
    files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    ranges: Ranges,
}

impl Cdn {
    fn start() -> Cdn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
        let ranges: Ranges = Arc::default();
        let (f, r) = (files.clone(), ranges.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (f, r) = (f.clone(), r.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let path = first.split(' ').nth(1).unwrap_or("/").to_string();
                    let mut range = None;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':')
                            && k.eq_ignore_ascii_case("range")
                        {
                            range = Some(v.trim().to_string());
                        }
                    }
                    r.lock().unwrap().push((path.clone(), range.clone()));
                    let body = f.lock().unwrap().get(&path).cloned();
                    let response = match body {
                        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                        Some(bytes) => {
                            let (status, part, extra) = match range
                                .as_deref()
                                .and_then(|r| r.strip_prefix("bytes="))
                                .and_then(|r| r.split_once('-'))
                            {
                                Some((a, b)) => {
                                    let start: usize = a.parse().unwrap_or(0);
                                    let end = b
                                        .parse::<usize>()
                                        .unwrap_or(bytes.len() - 1)
                                        .min(bytes.len() - 1);
                                    (
                                        "206 Partial Content",
                                        bytes[start..=end].to_vec(),
                                        format!(
                                            "Content-Range: bytes {start}-{end}/{}\r\n",
                                            bytes.len()
                                        ),
                                    )
                                }
                                None => ("200 OK", bytes.clone(), String::new()),
                            };
                            let mut out = format!(
                                "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                                part.len()
                            )
                            .into_bytes();
                            out.extend(part);
                            out
                        }
                    };
                    let _ = stream.write_all(&response);
                });
            }
        });
        Cdn { url, files, ranges }
    }

    /// Serves `bytes` at `path`; returns its URL.
    fn serve(&self, path: &str, bytes: Vec<u8>) -> String {
        self.files.lock().unwrap().insert(path.to_string(), bytes);
        format!("{}{path}", self.url)
    }
}

/// A real MSI, built by `wixl` (Debian's msitools).
fn build_msi(dir: &Path) -> Vec<u8> {
    std::fs::write(dir.join("app.txt"), "Contoso Tool\n").unwrap();
    std::fs::write(
        dir.join("app.wxs"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Contoso Tool" Language="1033" Version="2.1.0" Manufacturer="Contoso" UpgradeCode="6a0f4b9e-3c3b-4d7c-9f7a-0e6c7a1b2c3d">
    <Package InstallerVersion="500" Compressed="yes"/>
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="Contoso Tool">
          <Component Id="App" Guid="0b6f9c56-8d2e-4f5b-a1c3-7e9d2f4a6b8c" Win64="yes">
            <File Id="AppTxt" Source="app.txt"/>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="App"/></Feature>
  </Product>
</Wix>"#,
    )
    .unwrap();
    let status = Command::new("wixl")
        .current_dir(dir)
        .args(["-a", "x64", "-o", "setup.msi", "app.wxs"])
        .status()
        .expect("wixl (Debian package `wixl`, from msitools) must be installed: scripts/test installs it");
    assert!(status.success(), "wixl failed");
    std::fs::read(dir.join("setup.msi")).unwrap()
}

/// A real x64 EXE, built by MinGW-w64.
fn build_x64_exe(dir: &Path) -> Vec<u8> {
    std::fs::write(dir.join("setup.c"), "int main(void) { return 0; }\n").unwrap();
    let status = Command::new("x86_64-w64-mingw32-gcc")
        .current_dir(dir)
        .args(["-o", "setup.exe", "setup.c"])
        .status()
        .expect("x86_64-w64-mingw32-gcc (Debian package `gcc-mingw-w64-x86-64`) must be installed: scripts/test installs it");
    assert!(status.success(), "mingw gcc failed");
    std::fs::read(dir.join("setup.exe")).unwrap()
}

/// A well-formed PE header for ARM64 (IMAGE_FILE_MACHINE_ARM64, 0xAA64): the MZ stub,
/// `e_lfanew` at 0x3C, `PE\0\0`, the COFF header and a PE32+ optional header magic.
fn arm64_exe() -> Vec<u8> {
    let mut bytes = vec![0u8; 1024];
    bytes[..2].copy_from_slice(b"MZ");
    bytes[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    bytes[0x80..0x84].copy_from_slice(b"PE\0\0");
    bytes[0x84..0x86].copy_from_slice(&0xaa64u16.to_le_bytes());
    bytes[0x86..0x88].copy_from_slice(&1u16.to_le_bytes()); // sections
    bytes[0x94..0x96].copy_from_slice(&240u16.to_le_bytes()); // optional header size
    bytes[0x96..0x98].copy_from_slice(&0x0022u16.to_le_bytes()); // executable, large address aware
    bytes[0x98..0x9a].copy_from_slice(&0x020bu16.to_le_bytes()); // PE32+
    bytes
}

fn msi_run(ws: &Workspace, sim: &Simulator) -> Run {
    let mut run = Run::against(ws, sim);
    run.args([
        "--store-api-base-url",
        &sim.url,
        "--seller-id",
        SELLER,
        "--app-id",
        PRODUCT,
    ]);
    run
}

fn product(sim: &Simulator) -> Value {
    sim.get("/_simulator/msi/state")[PRODUCT].clone()
}

fn package(product: &Value, field: &str, arch: &str) -> Value {
    product[field]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["architectures"][0] == arch)
        .cloned()
        .unwrap_or(Value::Null)
}

/// Calls to the MSI/EXE API that change something.
fn msi_writes(sim: &Simulator) -> Vec<String> {
    sim.writes()
        .into_iter()
        .filter(|w| w.contains("/submission/v1/"))
        .collect()
}

fn installers(cdn: &Cdn, ws: &Workspace) -> (String, String, String) {
    let msi = cdn.serve("/2.1.0/setup-x64.msi", build_msi(ws.path()));
    let exe = cdn.serve("/2.1.0/setup-x64.exe", build_x64_exe(ws.path()));
    let arm = cdn.serve("/2.1.0/setup-arm64.exe", arm64_exe());
    (msi, exe, arm)
}

#[test]
fn msi_x64_and_arm64_installers_are_published_keeping_every_other_setting() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, arm) = installers(&cdn, &ws);
    let before = product(&sim);
    let out = msi_run(&ws, &sim)
        .github(&ws)
        .args([
            "--installers",
            &format!("x64={msi}\narm64={arm}"),
            "--release-notes",
            "Faster widgets.",
            "--notes-for-certification",
            "Installs silently.",
            "--wait-for",
            "published",
        ])
        .run();
    out.assert_code(0);
    assert_eq!(out.output("status"), "PUBLISHED");
    let id = out.output("submission-id");
    assert!(
        id.len() >= 19 && id.chars().all(|c| c.is_ascii_digit()),
        "{id}"
    );
    assert!(out.output("submission-url").contains(PRODUCT));
    let after = product(&sim);
    for (arch, url) in [("X64", &msi), ("Arm64", &arm)] {
        let (old, new) = (
            package(&before, "packages", arch),
            package(&after, "live", arch),
        );
        assert_eq!(new["packageUrl"], json!(url));
        // Everything else the service returned came back unchanged.
        for field in [
            "languages",
            "architectures",
            "isSilentInstall",
            "installerParameters",
            "genericDocUrl",
            "errorDetails",
            "packageType",
        ] {
            assert_eq!(old[field], new[field], "{arch} {field}");
        }
    }
    // Whether the Store keeps a package's id across a full update is not settled (its docs
    // say ids are regenerated, docs/simulator.md); what the tool controls is that it sent
    // back the id it read.
    let sent = after["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["call"] == "PUT packages")
        .cloned()
        .unwrap();
    for arch in ["X64", "Arm64"] {
        let id = &package(&before, "packages", arch)["packageId"];
        assert!(
            sent["body"]["packages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["architectures"][0] == arch && &p["packageId"] == id),
            "{arch}: {sent}"
        );
    }
    assert_eq!(
        package(&after, "live", "Arm64")["installerParameters"],
        "/S"
    );
    let listing = &after["listings"]["en-us"];
    assert_eq!(listing["whatsNew"], "Faster widgets.");
    for field in ["description", "searchTerms", "copyright", "productFeatures"] {
        assert_eq!(
            listing[field], before["listings"]["en-us"][field],
            "{field}"
        );
    }
    assert_eq!(
        after["properties"]["certificationNotes"],
        "Installs silently."
    );
    assert_eq!(
        after["properties"]["category"],
        before["properties"]["category"]
    );
    // Each installer was read with one Range request before anything was written.
    let ranges = cdn.ranges.lock().unwrap().clone();
    assert!(
        ranges
            .iter()
            .any(|(p, r)| p == "/2.1.0/setup-x64.msi" && r.as_deref() == Some("bytes=0-4095")),
        "{ranges:?}"
    );
    // Every call carried the seller id; the writes came in the documented order.
    let requests = sim.requests();
    let api: Vec<&Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/submission/v1/"))
        .collect();
    assert!(
        api.iter()
            .all(|r| r["headers"]["x-seller-account-id"] == SELLER)
    );
    let base = format!("/submission/v1/product/{PRODUCT}");
    assert_eq!(
        msi_writes(&sim),
        vec![
            format!("PUT {base}/packages"),
            format!("POST {base}/packages/commit"),
            format!("PUT {base}/metadata"),
            format!("PUT {base}/metadata"),
            format!("POST {base}/submit"),
        ]
    );
    assert!(out.summary.contains("PUBLISHED"), "{}", out.summary);
    // The outcome, as for MSIX products.
    assert!(
        out.summary
            .lines()
            .next()
            .unwrap_or("")
            .contains("Published"),
        "{}",
        out.summary
    );
}

#[test]
fn msi_preflight_refuses_each_bad_installer_before_any_write() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, exe, arm) = installers(&cdn, &ws);
    let text = cdn.serve("/2.1.0/readme.exe", b"just text".to_vec());
    let current = package(&product(&sim), "packages", "X64")["packageUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let long = json!([{"packageUrl": msi, "languages": ["en-us"], "architectures": ["X64"],
        "isSilentInstall": false, "installerParameters": format!("/quiet {}", "x".repeat(34)), "packageType": "msi"}]);
    let loud = json!([{"packageUrl": exe, "languages": ["en-us"], "architectures": ["X64"],
        "isSilentInstall": false, "packageType": "exe"}]);
    let cases: Vec<(String, &str)> = vec![
        (
            "x64=https://cdn.invalid/2.1.0/setup.msi".into(),
            "cannot be reached",
        ),
        (
            "x64=http://cdn.contoso.com/2.1.0/setup.msi".into(),
            "is not https",
        ),
        (
            format!("x64={}/2.1.0/missing.msi", cdn.url),
            "answers HTTP 404",
        ),
        (
            format!("x64={arm}"),
            "is an EXE for arm64 but is declared for X64",
        ),
        (
            format!("arm64={exe}"),
            "is an EXE for x64 but is declared for Arm64",
        ),
        (format!("arm64={msi}"), "Unsupported 16-Bit Application"),
        (
            format!("x64={exe}"),
            "is an EXE but the package says `packageType: msi`",
        ),
        (format!("x64={text}"), "neither an MSI nor an EXE"),
        (format!("x64={current}"), "versioned URL"),
        (long.to_string(), "is 41 characters"),
        (loud.to_string(), "`installerParameters` is empty"),
    ];
    for (installers, expected) in cases {
        sim.get("/_simulator/state");
        let out = msi_run(&ws, &sim)
            .args(["--installers", &installers, "--dry-run"])
            .run();
        out.assert_code(2);
        assert!(out.stderr.contains(expected), "{installers}: {}", out.log());
        assert!(out.stderr.contains("installers"), "{}", out.log());
        let out = msi_run(&ws, &sim).args(["--installers", &installers]).run();
        out.assert_code(2);
        assert!(out.stderr.contains(expected), "{installers}: {}", out.log());
    }
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
}

#[test]
fn msi_seller_id_is_required_before_any_call() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let out = Run::against(&ws, &sim)
        .args(["--app-id", PRODUCT, "--store-api-base-url", &sim.url])
        .args(["--installers", "x64=https://cdn.contoso.com/9/a.msi"])
        .args(["--on-pending", "delete", "--packages", "a.msix"])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("`seller-id`"), "{}", out.log());
    assert!(
        out.stderr.contains("cannot cancel a submission"),
        "{}",
        out.log()
    );
    assert!(out.stderr.contains("take `installers`"), "{}", out.log());
    assert!(sim.requests().is_empty());
    // `installers` on an MSIX product is a mistake, not ignored.
    let out = Run::against(&ws, &sim)
        .args(["--app-id", "9NBLGGH4R315"])
        .args(["--installers", "x64=https://cdn.contoso.com/9/a.msi"])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("`installers`"), "{}", out.log());
}

#[test]
fn msi_commit_false_leaves_the_draft_and_dry_run_changes_nothing() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    let out = msi_run(&ws, &sim)
        .args(["--installers", &format!("x64={msi}"), "--dry-run"])
        .args(["--output", "json"])
        .run();
    out.assert_code(0);
    assert!(
        out.stderr.contains("would call: PUT packages"),
        "{}",
        out.log()
    );
    assert!(out.stderr.contains(&msi), "{}", out.log());
    assert_eq!(msi_writes(&sim), Vec::<String>::new());

    let out = msi_run(&ws, &sim)
        .args(["--installers", &format!("x64={msi}"), "--commit", "false"])
        .args(["--output", "json"])
        .run();
    out.assert_code(0);
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(result["status"], "DRAFT");
    let p = product(&sim);
    assert_eq!(package(&p, "packages", "X64")["packageUrl"], json!(msi));
    assert_eq!(p["submissions"], json!({}));
    // `package-mode: replace` (the default) made the set exactly the one given.
    assert_eq!(p["packages"].as_array().unwrap().len(), 1);
}

#[test]
fn msi_an_active_submission_stops_the_run_and_cannot_be_deleted() {
    let sim = Simulator::start_with(&["--simulator-phase", "60s"]);
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    // Committed: the submission runs on, in progress for minutes.
    msi_run(&ws, &sim)
        .args(["--release-notes", "one", "--wait-for", "committed"])
        .run()
        .assert_code(0);
    let out = msi_run(&ws, &sim)
        .args([
            "--installers",
            &format!("x64={msi}"),
            "--package-mode",
            "add",
        ])
        .run();
    out.assert_code(4);
    assert!(out.stderr.contains("in progress"), "{}", out.log());
    assert!(out.stderr.contains("Cancel review"), "{}", out.log());
    // `reuse` waits for it, within `timeout`.
    let out = msi_run(&ws, &sim)
        .args([
            "--release-notes",
            "two",
            "--on-pending",
            "reuse",
            "--timeout",
            "1s",
        ])
        .run();
    out.assert_code(6);
    // The draft was not touched by either.
    assert_eq!(product(&sim)["listings"]["en-us"]["whatsNew"], "one");
    assert_eq!(
        msi_writes(&sim)
            .iter()
            .filter(|w| w.ends_with("/submit"))
            .count(),
        1
    );
}

#[test]
fn msi_a_failed_submission_exits_5_with_its_errors() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    sim.post(
        "/_simulator/msi/fail",
        json!({"productId": PRODUCT, "stage": "submission", "message": "10.2.9.2 Win32 products must install silently."}),
    );
    let out = msi_run(&ws, &sim)
        .github(&ws)
        .args(["--release-notes", "x", "--wait-for", "published"])
        .run();
    out.assert_code(5);
    assert_eq!(out.output("status"), "FAILED");
    assert!(
        out.output("status-details")
            .contains("must install silently")
    );
    assert!(out.stdout.contains("::error"), "{}", out.log());
    assert!(out.log().contains("must install silently"), "{}", out.log());
    assert!(
        out.summary.contains("must install silently"),
        "{}",
        out.summary
    );
}

#[test]
fn msi_a_failed_package_fetch_exits_5() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    sim.post(
        "/_simulator/msi/fail",
        json!({"productId": PRODUCT, "stage": "package-upload"}),
    );
    let out = msi_run(&ws, &sim)
        .args([
            "--installers",
            &format!("x64={msi}"),
            "--package-mode",
            "add",
        ])
        .run();
    out.assert_code(5);
    assert!(out.stderr.contains("packageuploaderror"), "{}", out.log());
    assert!(!msi_writes(&sim).iter().any(|w| w.ends_with("/submit")));
}

#[test]
fn msi_json_packages_and_metadata_patch_change_only_what_they_name() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (_, exe, _) = installers(&cdn, &ws);
    let before = product(&sim);
    let packages = json!([{
        "packageUrl": exe, "languages": ["en-us"], "architectures": ["X86"],
        "isSilentInstall": false, "installerParameters": "/S", "packageType": "exe",
        "genericDocUrl": "https://docs.contoso.com/x86"
    }]);
    ws.write("notes/en-us.txt", "Per-language notes.\n".as_bytes());
    let patch = json!({
        "listings": {"en-us": {"shortDescription": "Widgets, faster."}},
        "availability": {"markets": ["US", "CA"]}
    });
    let out = msi_run(&ws, &sim)
        .args([
            "--installers",
            &packages.to_string(),
            "--package-mode",
            "add",
        ])
        .args(["--release-notes-dir", "notes"])
        .args(["--submission-patch", &patch.to_string()])
        .run();
    // An x86 EXE installer fits an X86 package? It is x64: refused.
    out.assert_code(2);
    assert!(out.stderr.contains("declared for X86"), "{}", out.log());

    let packages = json!([{
        "packageUrl": exe, "languages": ["en-us"], "architectures": ["X64"],
        "isSilentInstall": false, "installerParameters": "/S", "packageType": "exe",
        "genericDocUrl": "https://docs.contoso.com/x64"
    }]);
    let out = msi_run(&ws, &sim)
        .args([
            "--installers",
            &packages.to_string(),
            "--package-mode",
            "add",
        ])
        .args(["--release-notes-dir", "notes"])
        .args(["--submission-patch", &patch.to_string()])
        .args(["--wait-for", "published"])
        .run();
    out.assert_code(0);
    let after = product(&sim);
    let x64 = package(&after, "live", "X64");
    assert_eq!(x64["packageType"], "exe");
    assert_eq!(x64["installerParameters"], "/S");
    // `add` kept the Arm64 package as it was.
    assert_eq!(
        package(&after, "live", "Arm64"),
        package(&before, "packages", "Arm64")
    );
    let listing = &after["listings"]["en-us"];
    assert_eq!(listing["whatsNew"], "Per-language notes.");
    assert_eq!(listing["shortDescription"], "Widgets, faster.");
    assert_eq!(
        listing["description"],
        before["listings"]["en-us"]["description"]
    );
    assert_eq!(after["availability"]["markets"], json!(["US", "CA"]));
    assert_eq!(
        after["availability"]["pricing"],
        before["availability"]["pricing"]
    );
    // A patch of a module the product does not have is refused before any call.
    let out = msi_run(&ws, &sim)
        .args(["--submission-patch", r#"{"pricing": {"priceId": "Free"}}"#])
        .run();
    out.assert_code(2);
}

#[test]
fn msi_sign_in_asks_for_the_store_api_scope_and_retries_on_429() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // GitHub's OIDC token, exchanged for a token for https://api.store.microsoft.com: the
    // simulator's MSI/EXE API takes no other audience.
    sim.fault(json!({
        "path": format!("/submission/v1/product/{PRODUCT}/status"),
        "kind": "status", "status": 429, "retryAfter": 1,
    }));
    let out = Run::signing_in(&ws, &sim)
        .github(&ws)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &sim.github_request_url)
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &sim.github_request_token)
        .args(["--store-api-base-url", &sim.url, "--seller-id", SELLER])
        .args(["--app-id", PRODUCT, "--release-notes", "x"])
        .run();
    out.assert_code(0);
    assert_eq!(sim.sign_ins().last().unwrap()["kind"], "federated");
    let statuses: Vec<u64> = sim
        .requests()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/status"))
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses[..2], [429, 200]);
    // A certificate, and Azure Pipelines' workload identity: the same scope.
    sim.post(
        "/_simulator/credentials",
        json!({"tenantId": sim.tenant_id, "clientId": sim.client_id,
               "certificate": include_str!("../fixtures/sign-in/rsa.pem")}),
    );
    ws.write(
        "cert.pem",
        include_str!("../fixtures/sign-in/rsa.pem").as_bytes(),
    );
    Run::signing_in(&ws, &sim)
        .args(["--client-certificate-file", "cert.pem"])
        .args(["--store-api-base-url", &sim.url, "--seller-id", SELLER])
        .args([
            "--app-id",
            PRODUCT,
            "--release-notes",
            "y",
            "--on-pending",
            "reuse",
        ])
        .run()
        .assert_code(0);
    assert_eq!(sim.sign_ins().last().unwrap()["kind"], "certificate");
    Run::signing_in(&ws, &sim)
        .azure(&ws)
        .env("SYSTEM_OIDCREQUESTURI", &sim.azure_request_uri)
        .env("SYSTEM_ACCESSTOKEN", &sim.azure_access_token)
        .args([
            "--azure-service-connection-id",
            &sim.azure_service_connection_id,
        ])
        .args(["--store-api-base-url", &sim.url, "--seller-id", SELLER])
        .args([
            "--app-id",
            PRODUCT,
            "--release-notes",
            "z",
            "--on-pending",
            "reuse",
        ])
        .run()
        .assert_code(0);
    assert_eq!(sim.sign_ins().last().unwrap()["kind"], "federated");
    assert_eq!(product(&sim)["listings"]["en-us"]["whatsNew"], "z");
    // A Partner Center token is for another audience: refused, exit 3.
    let out = Run::signing_in(&ws, &sim)
        .args(["--store-api-base-url", &sim.url, "--seller-id", SELLER])
        .args(["--app-id", PRODUCT, "--access-token", &sim.token()])
        .args(["--release-notes", "x"])
        .run();
    out.assert_code(3);
    assert!(
        out.stderr.contains("api.store.microsoft.com/.default"),
        "{}",
        out.log()
    );
}

#[test]
fn msi_simulator_answers_in_the_observed_envelope() {
    let sim = Simulator::start();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id.as_str()),
        ("client_secret", sim.client_secret.as_str()),
        ("scope", "https://api.store.microsoft.com/.default"),
    ];
    let token: Value = ureq::post(&format!("{}/{}/oauth2/v2.0/token", sim.url, sim.tenant_id))
        .send_form(form)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let auth = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let call = |method: &str,
                path: &str,
                body: Option<Value>,
                seller: bool|
     -> (u16, String, Option<String>) {
        let url = format!("{}/submission/v1/product/{PRODUCT}/{path}", sim.url);
        let mut response = match (method, body) {
            ("GET", _) => {
                let mut r = agent.get(&url).header("Authorization", &auth);
                if seller {
                    r = r.header("X-Seller-Account-Id", SELLER);
                }
                r.call()
            }
            ("PUT", Some(b)) => agent
                .put(&url)
                .header("Authorization", &auth)
                .header("X-Seller-Account-Id", SELLER)
                .send_json(b),
            ("POST", Some(b)) => agent
                .post(&url)
                .header("Authorization", &auth)
                .header("X-Seller-Account-Id", SELLER)
                .send_json(b),
            ("POST", None) => agent
                .post(&url)
                .header("Authorization", &auth)
                .header("X-Seller-Account-Id", SELLER)
                .send_empty(),
            other => panic!("{other:?}"),
        }
        .unwrap();
        let correlation = response
            .headers()
            .get("x-correlation-id")
            .map(|v| v.to_str().unwrap().to_string());
        (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap(),
            correlation,
        )
    };
    let (status, body, correlation) = call("GET", "status", None, true);
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"responseData":{"isReady":true},"isSuccess":true}"#)
    );
    assert!(correlation.is_some());
    assert_eq!(call("GET", "status", None, false).0, 400);
    // PascalCase names, as msstore-cli sends them; a 41-character parameter is refused with
    // the text users saw.
    let long = json!({"Packages": [{"PackageUrl": "https://cdn.contoso.com/2/a.exe", "Languages": ["en-us"],
        "Architectures": ["X64"], "IsSilentInstall": false, "InstallerParameters": "x".repeat(41), "PackageType": "exe"}]});
    let (status, body, _) = call("PUT", "packages", Some(long), true);
    assert_eq!(status, 400);
    assert!(
        body.contains("Packages, maximum length allowed for InstallerParameters is 40"),
        "{body}"
    );
    let ok = json!({"Packages": [{"PackageUrl": "https://cdn.contoso.com/2/a.exe", "Languages": ["en-us"],
        "Architectures": ["X64"], "IsSilentInstall": false, "InstallerParameters": "/S", "PackageType": "exe"}]});
    let (status, body, _) = call("PUT", "packages", Some(ok), true);
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"responseData":{},"isSuccess":true}"#)
    );
    // Uncommitted packages cannot be submitted.
    assert_eq!(call("POST", "submit", None, true).0, 400);
    let (_, body, _) = call("POST", "packages/commit", None, true);
    assert_eq!(
        body,
        format!(
            r#"{{"responseData":{{"pollingUrl":"submission/v1/product/{PRODUCT}/status"}},"isSuccess":true}}"#
        )
    );
    let (_, body, _) = call("GET", "packages", None, true);
    let packages: Value = serde_json::from_str(&body).unwrap();
    let stored = &packages["responseData"]["packages"][0];
    assert_eq!(stored["errorDetails"].as_array().unwrap().len(), 9);
    assert!(
        stored["packageId"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit())
    );
    // The Store fetches the committed installer first; every update waits for that.
    for _ in 0..200 {
        if call("GET", "status", None, true)
            .1
            .contains(r#""isReady":true"#)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    // Listing assets: upload slots (an object, capitalised counts, no `storeLogos` when
    // `Logo` is 0), a Put Blob to the slot, and a commit that replaces the screenshots only.
    let (_, before, _) = call("GET", "listings/assets", None, true);
    let before: Value = serde_json::from_str(&before).unwrap();
    let (status, body, _) = call(
        "POST",
        "listings/assets/create",
        Some(json!({"language": "en-us", "createAssetRequest": {"Screenshot": 1, "Logo": 0}})),
        true,
    );
    assert_eq!(status, 200, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let slots = &created["responseData"]["listingAssets"];
    assert!(
        slots.is_object() && slots.get("storeLogos").is_none(),
        "{slots}"
    );
    let slot = &slots["screenshots"][0];
    let upload = slot["primaryAssetUploadUrl"].as_str().unwrap();
    let put = agent
        .put(upload)
        .header("x-ms-blob-type", "BlockBlob")
        .header("Content-Type", "image/png")
        .send(crate::util::png(1366, 768))
        .unwrap();
    assert_eq!(put.status().as_u16(), 201);
    let commit = json!({"listingAssets": {"language": "en-us",
        "screenshots": [{"id": slot["id"], "assetUrl": upload}]}});
    let (status, body, _) = call("PUT", "listings/assets/commit", Some(commit), true);
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"responseData":{},"isSuccess":true}"#)
    );
    let (_, after, _) = call("GET", "listings/assets", None, true);
    let after: Value = serde_json::from_str(&after).unwrap();
    let (b, a) = (
        &before["responseData"]["listingAssets"][0],
        &after["responseData"]["listingAssets"][0],
    );
    assert_eq!(a["screenshots"][0]["id"], slot["id"]);
    assert_eq!(a["storeLogos"], b["storeLogos"]);
}

#[test]
fn msi_status_reads_and_follows_the_submission_in_progress() {
    let sim = Simulator::start_with(&["--simulator-phase", "1s"]);
    let ws = Workspace::new();
    let status = |extra: &[&str]| {
        let mut run = Run::against(&ws, &sim);
        run.args([
            "status",
            "--store-api-base-url",
            &sim.url,
            "--seller-id",
            SELLER,
        ])
        .args(["--app-id", PRODUCT, "--output", "json"])
        .args(extra);
        let out = run.run();
        let result: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
        (out, result)
    };
    let (out, result) = status(&[]);
    out.assert_code(0);
    assert_eq!(result["status"], "DRAFT", "{}", out.log());
    assert!(
        out.stderr.contains("no submission in progress"),
        "{}",
        out.log()
    );
    let submitted = msi_run(&ws, &sim)
        .args(["--release-notes", "x", "--output", "json"])
        .run();
    submitted.assert_code(0);
    let id = serde_json::from_str::<Value>(&submitted.stdout).unwrap()["submission_id"].clone();
    let (out, result) = status(&[]);
    out.assert_code(0);
    assert_eq!(result["status"], "INPROGRESS", "{}", out.log());
    assert_eq!(result["submission_id"], id);
    let (out, result) = status(&["--wait-for", "published"]);
    out.assert_code(0);
    assert_eq!(result["status"], "PUBLISHED", "{}", out.log());
    // Once published, the API no longer names it; `submission-id` reads it.
    let (out, result) = status(&["--submission-id", id.as_str().unwrap()]);
    out.assert_code(0);
    assert_eq!(result["status"], "PUBLISHED", "{}", out.log());
}

#[test]
fn msi_a_long_parameter_set_in_partner_center_is_named_before_any_write() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    let other = "7f1c2a3b-0000-4000-8000-00000000abcd";
    sim.post(
        "/_simulator/msi/products",
        json!({"productId": other, "sellerId": SELLER,
               "arm64InstallerParameters": "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP-"}),
    );
    let out = Run::against(&ws, &sim)
        .github(&ws)
        .args(["--store-api-base-url", &sim.url, "--seller-id", SELLER])
        .args(["--app-id", other, "--package-mode", "add"])
        .args(["--installers", &format!("x64={msi}")])
        .run();
    out.assert_code(2);
    assert!(out.log().contains("kept from the draft"), "{}", out.log());
    assert!(out.log().contains("45 characters"), "{}", out.log());
    assert!(out.summary.contains("45 characters"), "{}", out.summary);
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
}

#[test]
fn msi_simulate_runs_the_whole_flow_in_process() {
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, arm) = installers(&cdn, &ws);
    let out = Run::new(&ws)
        .args([
            "--simulate",
            "--simulator-phase",
            "100ms",
            "--poll-interval",
            "100ms",
        ])
        .args([
            "--app-id",
            "6a0f4b9e-3c3b-4d7c-9f7a-0e6c7a1b2c3d",
            "--seller-id",
            "42",
        ])
        .args(["--installers", &format!("x64={msi}, arm64={arm}")])
        .args(["--wait-for", "published", "--output", "json"])
        .run();
    out.assert_code(0);
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(result["status"], "PUBLISHED", "{}", out.log());
    // Other commands name the GUID for what it is.
    let out = Run::new(&ws)
        .args(["rollout", "--simulate", "--rollout-action", "get"])
        .args(["--app-id", "6a0f4b9e-3c3b-4d7c-9f7a-0e6c7a1b2c3d"])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("MSI/EXE product"), "{}", out.log());
}

#[test]
fn msi_a_refused_update_exits_5_with_the_stores_errors() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // A listing limit is caught before any write (exit 2); a listing moved to a language
    // the product has not is only refused by the Store.
    let patch = json!({"listings": {"en-us": {"description": "x".repeat(10001)}}});
    let out = msi_run(&ws, &sim)
        .args(["--submission-patch", &patch.to_string()])
        .run();
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("maximum length allowed for description is 10000"),
        "{}",
        out.log()
    );
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
    let patch = json!({"listings": {"en-us": {"language": "de-de"}}});
    let out = msi_run(&ws, &sim)
        .args(["--submission-patch", &patch.to_string(), "--output", "json"])
        .run();
    out.assert_code(5);
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("is not in the product"), "{message}");
    assert!(!msi_writes(&sim).iter().any(|w| w.ends_with("/submit")));
    // The refusing call's id, under the name this API gives it (support asks for it).
    let correlation = result["error"]["correlation_id"]
        .as_str()
        .unwrap_or_default();
    assert!(uuid::Uuid::parse_str(correlation).is_ok(), "{result}");
    assert!(
        out.stderr
            .contains(&format!("X-Correlation-ID {correlation}")),
        "{}",
        out.log()
    );
    assert!(!out.stderr.contains("MS-CorrelationId"), "{}", out.log());
}

#[test]
fn msi_a_rerun_after_a_failed_package_commit_commits_before_it_submits() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    sim.fault(json!({
        "method": "POST", "path": format!("/submission/v1/product/{PRODUCT}/packages/commit"),
        "kind": "status", "status": 400, "message": "The service is busy.",
    }));
    let run = |extra: &[&str]| {
        msi_run(&ws, &sim)
            .args(["--package-mode", "add", "--wait-for", "published"])
            .args(extra)
            .run()
    };
    run(&["--installers", &format!("x64={msi}")]).assert_code(5);
    // The draft holds the new URL now: giving it again cannot tell a re-run from a binary
    // swapped behind the same URL, so it is refused with the way out.
    let out = run(&["--installers", &format!("x64={msi}")]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("submit without `installers`"),
        "{}",
        out.log()
    );
    run(&["--release-notes", "2.1.0"]).assert_code(0);
    assert_eq!(
        package(&product(&sim), "live", "X64")["packageUrl"],
        json!(msi)
    );
}

#[test]
fn msi_a_module_the_store_would_refuse_stops_the_run_before_any_write() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let (msi, _, _) = installers(&cdn, &ws);
    ws.write("notes/en-us.txt", "x".repeat(1501).as_bytes());
    let long_notes = "y".repeat(2001);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--release-notes-dir".into(), "notes".into()],
            "maximum length allowed for whatsNew is 1500",
        ),
        (
            vec![
                "--submission-patch".into(),
                r#"{"listings": {"en-us": {"additionalLicenseTerms": ""}}}"#.into(),
            ],
            "AdditionalLicenseTerms is required",
        ),
        (
            vec![
                "--submission-patch".into(),
                r#"{"listings": {"en-us": {"description": null}}}"#.into(),
            ],
            "Description is required",
        ),
        (
            vec![
                "--submission-patch".into(),
                json!({"properties": {"certificationNotes": long_notes}}).to_string(),
            ],
            "CertificationNotes is 2000",
        ),
        (
            vec![
                "--submission-patch".into(),
                r#"{"listings": {"en-us": null}}"#.into(),
            ],
            "languages are removed in Partner Center",
        ),
        (
            vec![
                "--submission-patch".into(),
                r#"{"properties": null}"#.into(),
            ],
            "a module cannot be removed",
        ),
    ];
    for (args, expected) in cases {
        let out = msi_run(&ws, &sim)
            .args(["--installers", &format!("x64={msi}")])
            .args(&args)
            .run();
        out.assert_code(2);
        assert!(out.stderr.contains(expected), "{expected}: {}", out.log());
        assert_eq!(msi_writes(&sim), Vec::<String>::new(), "{expected}");
    }
    // A JSON package without languages is named before any write.
    let packages = json!([{
        "packageUrl": msi, "architectures": ["X64"], "isSilentInstall": true,
        "packageType": "msi"
    }]);
    let out = msi_run(&ws, &sim)
        .args(["--installers", &packages.to_string()])
        .run();
    out.assert_code(2);
    assert!(
        out.stderr.contains("X64") && out.stderr.contains("`languages` is missing"),
        "{}",
        out.log()
    );
    let packages = json!([{
        "packageUrl": msi, "architectures": ["X64"], "isSilentInstall": true,
        "packageType": "msi", "languages": ["xx-yy"]
    }]);
    let out = msi_run(&ws, &sim)
        .args(["--installers", &packages.to_string()])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("xx-yy"), "{}", out.log());
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
}

#[test]
fn msi_the_live_url_is_refused_in_json_too_and_old_urls_are_redacted() {
    let sim = Simulator::start();
    let cdn = Cdn::start();
    let ws = Workspace::new();
    let secret = "SECRETSIGNATURE0123";
    let signed = cdn.serve(
        &format!("/2.1.0/setup-x64.msi?sv=2024-05-04&sig={secret}"),
        build_msi(ws.path()),
    );
    let next = cdn.serve("/2.2.0/setup-x64.msi", build_msi(ws.path()));
    let arm = cdn.serve("/2.2.0/setup-arm64.exe", arm64_exe());
    let out = msi_run(&ws, &sim)
        .args([
            "--installers",
            &format!("x64={signed}"),
            "--commit",
            "false",
        ])
        .args(["--package-mode", "add"])
        .run();
    out.assert_code(0);
    assert_eq!(
        package(&product(&sim), "packages", "X64")["packageUrl"],
        json!(signed)
    );
    let writes = msi_writes(&sim).len();
    // The same URL as a JSON package: refused as for `ARCH=URL`.
    let packages = json!([{
        "packageUrl": signed, "languages": ["en-us"], "architectures": ["X64"],
        "isSilentInstall": true, "packageType": "msi"
    }]);
    let out = msi_run(&ws, &sim)
        .github(&ws)
        .args(["--installers", &packages.to_string()])
        .run();
    out.assert_code(2);
    assert!(out.log().contains("already has"), "{}", out.log());
    assert_eq!(msi_writes(&sim).len(), writes);
    let mut seen = vec![out.stdout, out.stderr, out.output_file, out.summary];
    // The old, signed URL replaced (dry run and real run) and removed (`replace`).
    for args in [
        vec![
            "--installers".to_string(),
            format!("x64={next}"),
            "--dry-run".into(),
        ],
        vec![
            "--installers".to_string(),
            format!("arm64={arm}"),
            "--dry-run".into(),
        ],
        vec![
            "--installers".to_string(),
            format!("x64={next}"),
            "--commit".into(),
            "false".into(),
        ],
    ] {
        let out = msi_run(&ws, &sim).github(&ws).args(&args).run();
        out.assert_code(0);
        assert!(out.log().contains("setup-x64.msi"), "{}", out.log());
        seen.extend([out.stdout, out.stderr, out.output_file, out.summary]);
    }
    for text in seen {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn msi_simulator_requires_license_terms_and_cancel_review_returns_to_draft() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // Seeds the product (the simulator creates it on first use).
    msi_run(&ws, &sim)
        .args(["--release-notes", "one", "--wait-for", "committed"])
        .run()
        .assert_code(0);
    let id = product(&sim)["active"].as_str().unwrap().to_string();
    sim.post("/_simulator/msi/cancel", json!({"productId": PRODUCT}));
    let p = product(&sim);
    assert_eq!(p["active"], Value::Null);
    assert_ne!(p["submissions"][&id]["status"], "FAILED", "{p}");
    // A full listing update without `additionalLicenseTerms` is refused by the API.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id.as_str()),
        ("client_secret", sim.client_secret.as_str()),
        ("scope", "https://api.store.microsoft.com/.default"),
    ];
    let token: Value = ureq::post(&format!("{}/{}/oauth2/v2.0/token", sim.url, sim.tenant_id))
        .send_form(form)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .put(&format!(
            "{}/submission/v1/product/{PRODUCT}/metadata",
            sim.url
        ))
        .header(
            "Authorization",
            &format!("Bearer {}", token["access_token"].as_str().unwrap()),
        )
        .header("X-Seller-Account-Id", SELLER)
        .send_json(json!({"listings": {"language": "en-us", "description": "Widgets."}}))
        .unwrap();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("AdditionalLicenseTerms is required"),
        "{body}"
    );
    // The draft, back from review, is submitted again.
    let out = msi_run(&ws, &sim)
        .args(["--release-notes", "two", "--wait-for", "committed"])
        .run();
    out.assert_code(0);
    assert_eq!(product(&sim)["listings"]["en-us"]["whatsNew"], "two");
}

// ----- listings as code (docs/listings.md, "MSI/EXE products") -----

/// A PNG of that size whose bytes differ by `variant` (after IEND, which readers ignore).
fn listing_image(width: u32, height: u32, variant: &str) -> Vec<u8> {
    let mut bytes = crate::util::png(width, height);
    bytes.extend(variant.as_bytes());
    bytes
}

/// A call to the simulator's MSI/EXE API as a client would make it (to set up a product).
fn store_call(sim: &Simulator, method: &str, path: &str, body: Value) -> Value {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id.as_str()),
        ("client_secret", sim.client_secret.as_str()),
        ("scope", "https://api.store.microsoft.com/.default"),
    ];
    let token: Value = ureq::post(&format!("{}/{}/oauth2/v2.0/token", sim.url, sim.tenant_id))
        .send_form(form)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let auth = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let url = format!("{}/submission/v1/product/{PRODUCT}/{path}", sim.url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let request = match method {
        "PUT" => agent.put(&url),
        _ => agent.post(&url),
    };
    request
        .header("Authorization", &auth)
        .header("X-Seller-Account-Id", SELLER)
        .send_json(body)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

fn msi_pull(ws: &Workspace, sim: &Simulator, dir: &str) -> crate::util::Outcome {
    msi_run(ws, sim).args(["pull", "--listings-dir", dir]).run()
}

fn msi_push(ws: &Workspace, sim: &Simulator, extra: &[&str]) -> crate::util::Outcome {
    msi_run(ws, sim)
        .args(["--listings-dir", "store", "--commit", "false"])
        .args(extra)
        .run()
}

fn live_assets(sim: &Simulator, language: &str, kind: &str) -> Vec<Value> {
    product(sim)["assets"][language][kind]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn ids(assets: &[Value]) -> Vec<String> {
    assets
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

fn read_file(ws: &Workspace, rel: &str) -> String {
    std::fs::read_to_string(ws.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn msi_listings_pull_edit_push_round_trip_uploads_only_new_images() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let shots = ids(&live_assets(&sim, "en-us", "screenshots"));
    let logos = ids(&live_assets(&sim, "en-us", "storeLogos"));

    msi_pull(&ws, &sim, "store").assert_code(0);
    assert_eq!(
        read_file(&ws, "store/app/en-us/description.txt"),
        "Contoso Tool manages your widgets.\n"
    );
    assert_eq!(read_file(&ws, "store/app/en-us/keywords.txt"), "widgets\n");
    assert_eq!(
        read_file(&ws, "store/app/en-us/release_notes.txt"),
        "First release.\n"
    );
    assert_eq!(
        read_file(&ws, "store/app/en-us/license_terms.txt"),
        "See https://contoso.com/license\n"
    );
    assert_eq!(read_file(&ws, "store/app/en-us/contact_info.txt"), "");
    assert!(!ws.path().join("store/app/en-us/title.txt").exists());
    let shot = read_file(&ws, "store/app/en-us/images/Screenshot/01-screenshot.live");
    assert!(shot.starts_with(&format!("id: {}\n", shots[0])), "{shot}");
    let logo = read_file(&ws, "store/app/en-us/images/StoreLogoSquare/01-logo.live");
    assert!(logo.starts_with(&format!("id: {}\n", logos[0])), "{logo}");
    let state: Value =
        serde_json::from_str(&read_file(&ws, "store/.msstore/listing-state.json")).unwrap();
    assert_eq!(state["images"].as_array().unwrap().len(), 2, "{state}");

    // Pushed back unchanged: nothing is written.
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim), Vec::<String>::new());

    // Edit two fields and add a screenshot after the live one.
    ws.write(
        "store/app/en-us/description.txt",
        b"Contoso Tool manages every widget.\n",
    );
    ws.write("store/app/en-us/keywords.txt", b"widgets\ngadgets\n");
    ws.write("store/app/en-us/contact_info.txt", b"support@contoso.com\n");
    let new_shot = listing_image(1920, 1080, "new");
    ws.write("store/app/en-us/images/Screenshot/02-editor.png", &new_shot);
    let out = msi_push(&ws, &sim, &["--log-level", "trace"]);
    out.assert_code(0);
    let p = product(&sim);
    let listing = &p["listings"]["en-us"];
    assert_eq!(listing["description"], "Contoso Tool manages every widget.");
    assert_eq!(listing["searchTerms"], json!(["widgets", "gadgets"]));
    assert_eq!(listing["contactInfo"], "support@contoso.com");
    // Fields the folder did not change are sent back as they were.
    assert_eq!(listing["whatsNew"], "First release.");
    assert_eq!(listing["developedBy"], "Contoso");
    let now = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0]["id"], json!(shots[0]));
    assert_eq!(now[1]["imageSize"], json!({"width": 1920, "height": 1080}));
    assert_eq!(ids(&live_assets(&sim, "en-us", "storeLogos")), logos);
    let uploads = p["uploads"].as_array().unwrap().clone();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(
        uploads[0]["sha256"],
        json!(crate::util::sha256_hex(&new_shot))
    );
    assert_eq!(uploads[0]["assetId"], now[1]["id"]);
    // No SAS signature reaches the log (the verbose log shows the calls).
    let log = format!("{}{}", out.stdout, out.stderr);
    assert!(
        log.match_indices("sig=")
            .all(|(i, _)| log[i + 4..].starts_with("***")),
        "{log}"
    );
    // The signature the commit carried (the docs' way to name a new asset) is nowhere.
    let committed = p["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|b| b["call"] == "PUT listings/assets/commit")
        .unwrap()
        .clone();
    let url = committed["body"]["listingAssets"]["screenshots"][1]["assetUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let sig = url.split("sig=").nth(1).unwrap().split('&').next().unwrap();
    assert!(sig.len() > 8, "{url}");
    assert!(!log.contains(sig), "{log}");
    assert!(!log.contains(&url), "{log}");

    // Again, unchanged: the state file knows the PNG is live, so it is not uploaded again.
    let writes = msi_writes(&sim).len();
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim).len(), writes, "{:?}", msi_writes(&sim));
    assert_eq!(product(&sim)["uploads"].as_array().unwrap().len(), 1);

    // Remove the live screenshot (its placeholder), add another: the PNG kept stays.
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/01-screenshot.live"),
    )
    .unwrap();
    let third = listing_image(1366, 768, "third");
    ws.write("store/app/en-us/images/Screenshot/03-third.png", &third);
    msi_push(&ws, &sim, &[]).assert_code(0);
    let after = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(after[0]["id"], now[1]["id"]);
    assert!(!ids(&after).contains(&shots[0]));
    let uploads = product(&sim)["uploads"].as_array().unwrap().clone();
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[1]["sha256"], json!(crate::util::sha256_hex(&third)));
}

#[test]
fn msi_listings_keep_a_language_prune_one_and_refuse_a_new_one() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    for language in ["de-de", "fr-fr"] {
        store_call(
            &sim,
            "PUT",
            "metadata",
            json!({"listingsToAdd": [language], "listings": {"language": language, "description": format!("{language} text"), "additionalLicenseTerms": "terms"}}),
        );
    }
    msi_pull(&ws, &sim, "store").assert_code(0);
    assert_eq!(
        read_file(&ws, "store/app/de-de/description.txt"),
        "de-de text\n"
    );

    // Without `prune-languages` a missing language folder keeps its listing.
    std::fs::remove_dir_all(ws.path().join("store/app/fr-fr")).unwrap();
    ws.write("store/app/de-de/description.txt", b"Neuer Text\n");
    msi_push(&ws, &sim, &[]).assert_code(0);
    let p = product(&sim);
    assert_eq!(p["listings"]["de-de"]["description"], "Neuer Text");
    assert_eq!(p["listings"]["fr-fr"]["description"], "fr-fr text");

    // A language folder the product does not have: refused before any write.
    ws.write("store/app/es-es/description.txt", b"Texto\n");
    let writes = msi_writes(&sim).len();
    let out = msi_push(&ws, &sim, &["--prune-languages", "true"]);
    out.assert_code(2);
    assert!(out.stderr.contains("app/es-es/"), "{}", out.log());
    assert_eq!(msi_writes(&sim).len(), writes);
    std::fs::remove_dir_all(ws.path().join("store/app/es-es")).unwrap();

    // With it, fr-fr is removed; en-us and de-de stay.
    let out = msi_push(&ws, &sim, &["--prune-languages", "true", "--dry-run"]);
    out.assert_code(0);
    assert!(out.stderr.contains("- listings/fr-fr"), "{}", out.log());
    assert_eq!(msi_writes(&sim).len(), writes);
    msi_push(&ws, &sim, &["--prune-languages", "true"]).assert_code(0);
    let p = product(&sim);
    let languages: Vec<&String> = p["listings"].as_object().unwrap().keys().collect();
    assert_eq!(languages, ["de-de", "en-us"]);
}

#[test]
fn msi_listings_lint_names_the_file_and_dry_run_changes_nothing() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);

    // Lint: before any call, each problem naming its file.
    ws.write("store/app/en-us/keywords.txt", "k".repeat(31).as_bytes());
    ws.write("store/app/en-us/title.txt", b"Contoso\n");
    ws.write(
        "store/app/en-us/images/Screenshot/02-small.png",
        &listing_image(800, 600, "small"),
    );
    ws.write(
        "store/app/en-us/images/Screenshot/02-small.txt",
        b"caption\n",
    );
    ws.write(
        "store/app/en-us/images/Icon/icon.png",
        &listing_image(300, 300, "icon"),
    );
    ws.write("store/trailers/01-launch/default/title.txt", b"Launch\n");
    let calls = sim.requests().len();
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(2);
    for file in [
        "app/en-us/keywords.txt",
        "app/en-us/title.txt",
        "app/en-us/images/Screenshot/02-small.png",
        "app/en-us/images/Screenshot/02-small.txt",
        "app/en-us/images/Icon",
    ] {
        assert!(out.stderr.contains(file), "{file}: {}", out.log());
    }
    assert!(out.stderr.contains("800×600"), "{}", out.log());
    assert!(out.stderr.contains("no image captions"), "{}", out.log());
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
    // Not even a sign-in: the lint runs before any call.
    assert_eq!(sim.requests().len(), calls, "{:?}", sim.requests());
    std::fs::remove_dir_all(ws.path().join("store/trailers")).unwrap();
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(2);

    // Fixed; the dry run shows the field diff and the image changes and writes nothing.
    ws.write("store/app/en-us/keywords.txt", b"widgets\ntools\n");
    std::fs::remove_file(ws.path().join("store/app/en-us/title.txt")).unwrap();
    std::fs::remove_dir_all(ws.path().join("store/app/en-us/images/Icon")).unwrap();
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/02-small.txt"),
    )
    .unwrap();
    ws.write(
        "store/app/en-us/images/Screenshot/02-small.png",
        &listing_image(1366, 768, "ok"),
    );
    let before = product(&sim);
    let out = msi_push(&ws, &sim, &["--dry-run"]);
    out.assert_code(0);
    assert!(
        out.stderr
            .contains(r#"~ listings/en-us/searchTerms: ["widgets"] → ["widgets","tools"]"#),
        "{}",
        out.log()
    );
    assert!(
        out.stderr.contains(
            "+ assets/en-us/screenshots: upload app/en-us/images/Screenshot/02-small.png"
        ),
        "{}",
        out.log()
    );
    assert!(
        out.stderr
            .contains("would call: PUT listings/assets/commit (en-us)"),
        "{}",
        out.log()
    );
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
    assert_eq!(product(&sim)["listings"], before["listings"]);
    assert_eq!(product(&sim)["assets"], before["assets"]);
}

#[test]
fn msi_listings_a_failed_asset_commit_reruns_without_duplicates() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let live = ids(&live_assets(&sim, "en-us", "screenshots"));
    ws.write(
        "store/app/en-us/images/Screenshot/02-new.png",
        &listing_image(1366, 768, "new"),
    );
    sim.post(
        "/_simulator/msi/fail",
        json!({"productId": PRODUCT, "stage": "asset-commit"}),
    );
    let out = msi_push(&ws, &sim, &[]);
    // The Store's refusal of the commit, not an upload that never happened.
    out.assert_code(5);
    assert!(
        out.stderr.contains("simulator hook `asset-commit`"),
        "{}",
        out.log()
    );
    // Uploaded, not committed: the live screenshots are as they were.
    assert_eq!(product(&sim)["uploads"].as_array().unwrap().len(), 1);
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), live);

    msi_push(&ws, &sim, &[]).assert_code(0);
    let now = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0]["id"], json!(live[0]));
    // The re-run uploaded again into a new slot; the first slot was never committed.
    let uploads = product(&sim)["uploads"].as_array().unwrap().clone();
    assert_eq!(uploads.len(), 2);
    assert_eq!(now[1]["id"], uploads[1]["assetId"]);
    assert_ne!(uploads[0]["assetId"], uploads[1]["assetId"]);
}

#[test]
fn msi_simulator_commits_only_uploaded_slots_of_their_language_and_type() {
    let sim = Simulator::start();
    let live_shot = live_assets(&sim, "en-us", "screenshots")[0].clone();
    let created = store_call(
        &sim,
        "POST",
        "listings/assets/create",
        json!({"language": "en-us", "createAssetRequest": {"Screenshot": 2}}),
    );
    let slots = created["responseData"]["listingAssets"]["screenshots"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        created["responseData"]["listingAssets"]
            .get("storeLogos")
            .is_none()
    );
    let slot_url = |i: usize| {
        slots[i]["primaryAssetUploadUrl"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let commit = |screenshots: Value| {
        store_call(
            &sim,
            "PUT",
            "listings/assets/commit",
            json!({"listingAssets": {"language": "en-us", "screenshots": screenshots}}),
        )
    };
    // Not uploaded yet: refused, nothing changes.
    let answer = commit(json!([{"id": slots[0]["id"], "assetUrl": slot_url(0)}]));
    assert_eq!(answer["isSuccess"], false, "{answer}");
    assert!(answer.to_string().contains("was not uploaded"), "{answer}");
    // A wrong signature cannot upload.
    let forged = slot_url(0).replace("sig=", "sig=x");
    let status = ureq::put(&forged)
        .header("x-ms-blob-type", "BlockBlob")
        .config()
        .http_status_as_error(false)
        .build()
        .send(crate::util::png(1366, 768))
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403);
    // The slot's headers, each once: a repeated one is one comma-joined value (RFC 9110),
    // a missing Content-Type is not the slot's.
    let put = |headers: &[(&str, &str)]| {
        let mut request = ureq::put(&slot_url(0));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .config()
            .http_status_as_error(false)
            .build()
            .send(crate::util::png(1366, 768))
            .unwrap()
            .status()
            .as_u16()
    };
    let blob = ("x-ms-blob-type", "BlockBlob");
    let png = ("Content-Type", "image/png");
    assert_eq!(put(&[blob, blob, png]), 400);
    assert_eq!(put(&[blob, png, png]), 400);
    assert_eq!(put(&[blob]), 400);
    assert_eq!(put(&[blob, png]), 201);
    // Committed as a logo: not the type it was created for.
    let answer = store_call(
        &sim,
        "PUT",
        "listings/assets/commit",
        json!({"listingAssets": {"language": "en-us", "storeLogos": [{"id": slots[0]["id"], "assetUrl": slot_url(0)}]}}),
    );
    assert_eq!(answer["isSuccess"], false, "{answer}");
    // An id twice, or an id with another asset's URL: refused, nothing changes.
    let answer = commit(json!([
        {"id": live_shot["id"], "assetUrl": live_shot["assetUrl"]},
        {"id": live_shot["id"], "assetUrl": live_shot["assetUrl"]},
    ]));
    assert!(answer.to_string().contains("named twice"), "{answer}");
    let answer = commit(json!([{"id": slots[0]["id"], "assetUrl": live_shot["assetUrl"]}]));
    assert!(answer.to_string().contains("is not its URL"), "{answer}");
    let answer = commit(json!([{"id": live_shot["id"], "assetUrl": slot_url(0)}]));
    assert!(answer.to_string().contains("is not its URL"), "{answer}");
    assert_eq!(
        live_assets(&sim, "en-us", "screenshots"),
        vec![live_shot.clone()]
    );
    // The live one and the uploaded slot: the list becomes exactly these, the URL without SAS.
    let answer = commit(json!([
        {"id": slots[0]["id"], "assetUrl": slot_url(0)},
        {"id": live_shot["id"], "assetUrl": live_shot["assetUrl"]},
    ]));
    assert_eq!(answer["isSuccess"], true, "{answer}");
    let now = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(
        ids(&now),
        [
            slots[0]["id"].as_str().unwrap(),
            live_shot["id"].as_str().unwrap()
        ]
    );
    assert!(
        !now[0]["assetUrl"].as_str().unwrap().contains('?'),
        "{now:?}"
    );
    assert_eq!(now[0]["imageSize"], json!({"width": 1366, "height": 768}));
    assert_eq!(live_assets(&sim, "en-us", "storeLogos").len(), 1);
}

#[test]
fn msi_listings_a_poster_logo_joins_the_square_one_and_pull_sorts_them_by_size() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let square = ids(&live_assets(&sim, "en-us", "storeLogos"));
    let shots = ids(&live_assets(&sim, "en-us", "screenshots"));
    let poster = listing_image(720, 1080, "poster");
    ws.write("store/app/en-us/images/StoreLogo9x16/poster.png", &poster);
    msi_push(&ws, &sim, &[]).assert_code(0);
    let logos = live_assets(&sim, "en-us", "storeLogos");
    assert_eq!(logos.len(), 2, "{logos:?}");
    assert_eq!(logos[0]["id"], json!(square[0]));
    assert_eq!(logos[1]["imageSize"], json!({"width": 720, "height": 1080}));
    // The screenshots, whose folder did not change, are committed as they were.
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), shots);
    let state: Value =
        serde_json::from_str(&read_file(&ws, "store/.msstore/listing-state.json")).unwrap();
    assert!(
        state["images"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == logos[1]["id"]
                && i["sha256"] == json!(crate::util::sha256_hex(&poster))),
        "{state}"
    );

    msi_pull(&ws, &sim, "again").assert_code(0);
    let placeholder = read_file(&ws, "again/app/en-us/images/StoreLogo9x16/01-logo.live");
    assert!(
        placeholder.starts_with(&format!("id: {}\n", logos[1]["id"].as_str().unwrap())),
        "{placeholder}"
    );
    assert!(
        ws.path()
            .join("again/app/en-us/images/StoreLogoSquare/01-logo.live")
            .is_file()
    );

    // A second poster is one too many for its type: exit 2 naming the folder.
    ws.write(
        "store/app/en-us/images/StoreLogo9x16/second.png",
        &listing_image(1440, 2160, "second"),
    );
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("app/en-us/images/StoreLogo9x16"),
        "{}",
        out.log()
    );
}

#[test]
fn msi_listings_a_png_beside_the_placeholder_of_its_name_stops_before_any_write() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let live = ids(&live_assets(&sim, "en-us", "screenshots"));
    // The placeholder says "put the PNG here under the same name": kept beside it, both
    // would stay live (an image added where one was replaced).
    ws.write(
        "store/app/en-us/images/Screenshot/01-screenshot.png",
        &listing_image(1366, 768, "replacement"),
    );
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("app/en-us/images/Screenshot/01-screenshot.live")
            && out
                .stderr
                .contains("app/en-us/images/Screenshot/01-screenshot.png"),
        "{}",
        out.log()
    );
    assert_eq!(msi_writes(&sim), Vec::<String>::new());
    assert!(product(&sim)["uploads"].as_array().unwrap().is_empty());

    // The placeholder deleted: the PNG replaces the live screenshot.
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/01-screenshot.live"),
    )
    .unwrap();
    msi_push(&ws, &sim, &[]).assert_code(0);
    let now = ids(&live_assets(&sim, "en-us", "screenshots"));
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, live);
}

#[test]
fn msi_listings_logos_live_poster_first_push_back_unchanged_with_no_write() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let square = live_assets(&sim, "en-us", "storeLogos")[0].clone();
    // The Store's own order, poster first (as Partner Center may keep it).
    let created = store_call(
        &sim,
        "POST",
        "listings/assets/create",
        json!({"language": "en-us", "createAssetRequest": {"Logo": 1}}),
    );
    let slot = created["responseData"]["listingAssets"]["storeLogos"][0].clone();
    let url = slot["primaryAssetUploadUrl"].as_str().unwrap().to_string();
    let status = ureq::put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .header("Content-Type", "image/png")
        .send(listing_image(720, 1080, "poster"))
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201);
    let answer = store_call(
        &sim,
        "PUT",
        "listings/assets/commit",
        json!({"listingAssets": {"language": "en-us", "storeLogos": [
            {"id": slot["id"], "assetUrl": url},
            {"id": square["id"], "assetUrl": square["assetUrl"]},
        ]}}),
    );
    assert_eq!(answer["isSuccess"], true, "{answer}");
    let before = product(&sim)["assets"].clone();

    msi_pull(&ws, &sim, "store").assert_code(0);
    let out = msi_push(&ws, &sim, &["--dry-run"]);
    out.assert_code(0);
    assert!(!out.stderr.contains("assets/en-us"), "{}", out.log());
    let writes = msi_writes(&sim).len();
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim).len(), writes, "{:?}", msi_writes(&sim));
    assert_eq!(product(&sim)["assets"], before);
}

#[test]
fn msi_listings_the_same_png_twice_is_two_images_and_a_rerun_keeps_both() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let same = listing_image(1366, 768, "same");
    ws.write("store/app/en-us/images/Screenshot/02-a.png", &same);
    ws.write("store/app/en-us/images/Screenshot/03-b.png", &same);
    msi_push(&ws, &sim, &[]).assert_code(0);
    let shots = ids(&live_assets(&sim, "en-us", "screenshots"));
    assert_eq!(shots.len(), 3, "{shots:?}");

    // The state file gives both ids for these bytes: each file keeps its own.
    let writes = msi_writes(&sim).len();
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim).len(), writes, "{:?}", msi_writes(&sim));
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), shots);
    assert_eq!(product(&sim)["uploads"].as_array().unwrap().len(), 2);
}

#[test]
fn msi_listings_pull_refuses_a_language_that_is_no_code_before_writing() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // A hostile or broken answer: a language that would be a path outside `listings-dir`.
    sim.fault(json!({
        "method": "GET",
        "path": format!("/submission/v1/product/{PRODUCT}/metadata/listings"),
        "kind": "answer",
        "message": r#"{"responseData":{"listings":[{"language":"en-us","description":"ok"},{"language":"../../escape","description":"x"}]},"isSuccess":true}"#,
        "times": 10,
    }));
    let out = msi_pull(&ws, &sim, "store");
    out.assert_code(1);
    assert!(out.stderr.contains("no language code"), "{}", out.log());
    assert!(!ws.path().join("escape").exists());
    assert!(!ws.path().join("store/app").exists());
}

#[test]
fn msi_listings_upload_slots_with_one_id_twice_stop_before_any_upload() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let live = ids(&live_assets(&sim, "en-us", "screenshots"));
    ws.write(
        "store/app/en-us/images/Screenshot/02-a.png",
        &listing_image(1366, 768, "a"),
    );
    ws.write(
        "store/app/en-us/images/Screenshot/03-b.png",
        &listing_image(1366, 768, "b"),
    );
    // A broken answer: two slots, one id (both files would go into one blob).
    let url = format!(
        "{}/blob/listingassets/{PRODUCT}_0d0c0b0a-0000-4000-8000-000000000001?sv=2021-08-06&sr=b&sp=rcw&sig=c2lnbmF0dXJl",
        sim.url
    );
    let slot = json!({"id": "0d0c0b0a-0000-4000-8000-000000000001", "primaryAssetUploadUrl": url, "secondaryAssetUploadUrl": url, "httpMethod": "PUT", "httpHeaders": {}});
    sim.fault(json!({
        "method": "POST",
        "path": format!("/submission/v1/product/{PRODUCT}/listings/assets/create"),
        "kind": "answer",
        "message": json!({"responseData": {"listingAssets": {"language": "en-us", "screenshots": [slot, slot]}}, "isSuccess": true}).to_string(),
        "times": 10,
    }));
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(1);
    assert!(out.stderr.contains("not new and distinct"), "{}", out.log());
    assert!(
        !sim.requests()
            .iter()
            .any(|r| r.to_string().contains("/blob/")),
        "{:?}",
        sim.requests()
    );
    assert!(!out.log().contains("c2lnbmF0dXJl"), "{}", out.log());
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), live);
}

/// Adds a screenshot to the live en-us listing assets as Partner Center would (after the
/// live ones, logos untouched). Returns its id.
fn add_screenshot_in_partner_center(sim: &Simulator) -> String {
    let live: Vec<Value> = live_assets(sim, "en-us", "screenshots")
        .iter()
        .map(|a| json!({"id": a["id"], "assetUrl": a["assetUrl"]}))
        .collect();
    let created = store_call(
        sim,
        "POST",
        "listings/assets/create",
        json!({"language": "en-us", "createAssetRequest": {"Screenshot": 1}}),
    );
    let slot = created["responseData"]["listingAssets"]["screenshots"][0].clone();
    let url = slot["primaryAssetUploadUrl"].as_str().unwrap().to_string();
    ureq::put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .header("Content-Type", "image/png")
        .send(listing_image(1366, 768, "partner-center"))
        .expect("upload");
    let mut screenshots = live;
    screenshots.push(json!({"id": slot["id"], "assetUrl": url}));
    let answer = store_call(
        sim,
        "PUT",
        "listings/assets/commit",
        json!({"listingAssets": {"language": "en-us", "screenshots": screenshots}}),
    );
    assert_eq!(answer["isSuccess"], true, "{answer}");
    slot["id"].as_str().unwrap().to_string()
}

#[test]
fn msi_listings_an_image_added_in_partner_center_after_pull_is_never_removed_silently() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let shots = ids(&live_assets(&sim, "en-us", "screenshots"));
    msi_pull(&ws, &sim, "store").assert_code(0);
    let added = add_screenshot_in_partner_center(&sim);
    let writes = msi_writes(&sim);

    // Only the text changes: the commit would drop the image the folder never saw.
    ws.write("store/app/en-us/description.txt", b"New words.\n");
    let expected = "`app/en-us/images/Screenshot/`: 1 live image(s) of Screenshot in en-us are not in this folder and were never pulled into it";
    for extra in [&["--dry-run"][..], &[]] {
        let out = msi_push(&ws, &sim, extra);
        out.assert_code(2);
        assert!(out.log().contains(expected), "{}", out.log());
        assert!(!out.log().contains("If an earlier run"), "{}", out.log());
    }
    assert_eq!(msi_writes(&sim), writes);
    assert_eq!(
        ids(&live_assets(&sim, "en-us", "screenshots")),
        [shots[0].clone(), added.clone()]
    );

    // Pulled again, its placeholder is there: deleting it removes it.
    std::fs::remove_dir_all(ws.path().join("store")).unwrap();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let placeholder = "store/app/en-us/images/Screenshot/02-screenshot.live";
    assert!(read_file(&ws, placeholder).starts_with(&format!("id: {added}\n")));
    std::fs::remove_file(ws.path().join(placeholder)).unwrap();
    ws.write("store/app/en-us/description.txt", b"New words.\n");
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), shots);
    assert_eq!(
        product(&sim)["listings"]["en-us"]["description"],
        "New words."
    );
}

#[test]
fn msi_listings_a_hand_written_folder_is_exact_and_removes_what_it_leaves_out() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    let before = ids(&live_assets(&sim, "en-us", "screenshots"));
    // No `pull`, no state file: `Screenshot/` present means exactly these.
    let shot = listing_image(1366, 768, "hand");
    ws.write("store/app/en-us/images/Screenshot/01-hand.png", &shot);
    msi_push(&ws, &sim, &[]).assert_code(0);
    let now = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(!ids(&now).contains(&before[0]));
    // The state file `submit` wrote does not make the folder a pulled one: still exact.
    ws.write(
        "store/app/en-us/images/Screenshot/01-hand.png",
        &listing_image(1366, 768, "hand 2"),
    );
    msi_push(&ws, &sim, &[]).assert_code(0);
    let after = live_assets(&sim, "en-us", "screenshots");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0]["id"], now[0]["id"]);
}

#[test]
fn msi_listings_a_commit_whose_answer_is_lost_stops_the_rerun_saying_what_to_do() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let live = ids(&live_assets(&sim, "en-us", "screenshots"));
    ws.write(
        "store/app/en-us/images/Screenshot/02-new.png",
        &listing_image(1366, 768, "new"),
    );
    // The commit goes through, and so does each retry, but no answer comes back (one
    // lost answer is retried and recovers in the run: the commit is a PUT of whole lists).
    sim.fault(json!({
        "method": "PUT",
        "path": format!("/submission/v1/product/{PRODUCT}/listings/assets/commit"),
        "kind": "apply-then-fail", "status": 503, "retryAfter": 0,
        "times": 10,
    }));
    msi_push(&ws, &sim, &[]).assert_code(7);
    sim.clear_faults();
    let committed = ids(&live_assets(&sim, "en-us", "screenshots"));
    assert_eq!(committed.len(), 2, "{committed:?}");
    assert_eq!(committed[0], live[0]);

    // The state file does not know the committed PNG: the re-run cannot tell it from an
    // image added in Partner Center, and says what to do instead of dropping it.
    let writes = msi_writes(&sim).len();
    let out = msi_push(&ws, &sim, &[]);
    out.assert_code(2);
    for text in [
        "`app/en-us/images/Screenshot/`: 1 live image(s) of Screenshot in en-us are not in this folder",
        "If an earlier run stopped while committing this folder's new PNGs, they are among them: `pull` into a new folder",
    ] {
        assert!(out.log().contains(text), "{text}: {}", out.log());
    }
    assert_eq!(msi_writes(&sim).len(), writes);

    // Doing so: the pulled folder holds both as placeholders; nothing is uploaded again.
    msi_pull(&ws, &sim, "fresh").assert_code(0);
    std::fs::remove_dir_all(ws.path().join("store")).unwrap();
    std::fs::rename(ws.path().join("fresh"), ws.path().join("store")).unwrap();
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim).len(), writes, "{:?}", msi_writes(&sim));
    assert_eq!(ids(&live_assets(&sim, "en-us", "screenshots")), committed);
    assert_eq!(product(&sim)["uploads"].as_array().unwrap().len(), 1);
}

#[test]
fn msi_listings_one_lost_commit_answer_is_sent_again_and_the_rerun_changes_nothing() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    msi_pull(&ws, &sim, "store").assert_code(0);
    let live = ids(&live_assets(&sim, "en-us", "screenshots"));
    ws.write(
        "store/app/en-us/images/Screenshot/02-new.png",
        &listing_image(1366, 768, "new"),
    );
    sim.fault(json!({
        "method": "PUT",
        "path": format!("/submission/v1/product/{PRODUCT}/listings/assets/commit"),
        "kind": "apply-then-fail", "status": 503, "retryAfter": 0,
        "times": 1,
    }));
    msi_push(&ws, &sim, &[]).assert_code(0);
    let now = ids(&live_assets(&sim, "en-us", "screenshots"));
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0], live[0]);
    assert_eq!(product(&sim)["uploads"].as_array().unwrap().len(), 1);
    // The state file was written: the PNG is known, nothing is uploaded or committed again.
    let writes = msi_writes(&sim).len();
    msi_push(&ws, &sim, &[]).assert_code(0);
    assert_eq!(msi_writes(&sim).len(), writes, "{:?}", msi_writes(&sim));
}
