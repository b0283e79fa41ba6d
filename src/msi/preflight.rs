//! The installer pre-flight: before anything is written, the first bytes of every new
//! installer are read (one HTTP Range request each) and checked against what the package
//! declares. What it guards against, each seen in the wild:
//! - an MSI declared `exe` is run directly and fails with "Unsupported 16-Bit Application"
//!   on customers' machines, and certification does not catch it
//!   (https://github.com/opengisch/QField/pull/8011, https://github.com/opengisch/QField/pull/7888);
//! - `installerParameters` over 40 characters, accepted by the Partner Center UI and
//!   refused by the API (https://github.com/Devolutions/UniGetUI/pull/4965);
//! - a binary changed behind the same URL: the Store requires versioned URLs whose binary
//!   never changes (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msi/app-package-requirements);
//! - an installer that is not silent: "Win32 products must install silently"
//!   (https://github.com/tauri-apps/tauri-docs/pull/3887).

use std::time::Duration;

use serde_json::Value;

/// Bytes read from each installer: the MZ header, `e_lfanew` and, for every linker seen,
/// the PE header it points to.
pub const PROBE_BYTES: u64 = 4096;
/// An MSI is an OLE compound file (MS-CFB, 2.2 "Compound File Header").
pub const CFB_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Msi,
    /// A PE image with its `Machine` (IMAGE_FILE_HEADER).
    Exe {
        machine: u16,
    },
    Other,
}

impl Kind {
    pub fn describe(self) -> String {
        match self {
            Kind::Msi => "an MSI (compound file)".into(),
            Kind::Exe { machine } => format!("an EXE for {}", machine_name(machine)),
            Kind::Other => "neither an MSI nor an EXE".into(),
        }
    }
}

/// IMAGE_FILE_MACHINE_* (https://learn.microsoft.com/windows/win32/debug/pe-format#machine-types).
pub fn machine_name(machine: u16) -> String {
    match machine {
        0x014c => "x86".into(),
        0x8664 => "x64".into(),
        0xaa64 => "arm64".into(),
        0x01c4 => "arm".into(),
        0xa641 => "arm64ec".into(),
        other => format!("machine 0x{other:04x}"),
    }
}

/// Whether an installer built for `machine` fits a package declared for `arch` (the API's
/// spelling). An x86 installer fits x64 and Arm64 too: NSIS and Inno Setup build 32-bit
/// installers for 64-bit apps. An x64 installer declared Arm64 (or the reverse) is the
/// other architecture's file.
fn serves(machine: u16, arch: &str) -> bool {
    match arch {
        "Neutral" => true,
        "X86" => machine == 0x014c,
        "X64" => matches!(machine, 0x8664 | 0x014c),
        "Arm64" => matches!(machine, 0xaa64 | 0xa641 | 0x014c),
        "Arm" => machine == 0x01c4,
        _ => false,
    }
}

pub fn classify(bytes: &[u8]) -> Kind {
    if bytes.starts_with(&CFB_SIGNATURE) {
        return Kind::Msi;
    }
    if !bytes.starts_with(b"MZ") || bytes.len() < 0x40 {
        return Kind::Other;
    }
    let offset = u32::from_le_bytes([bytes[0x3c], bytes[0x3d], bytes[0x3e], bytes[0x3f]]) as usize;
    match bytes.get(offset..offset + 6) {
        Some(pe) if &pe[..4] == b"PE\0\0" => Kind::Exe {
            machine: u16::from_le_bytes([pe[4], pe[5]]),
        },
        _ => Kind::Other,
    }
}

pub use crate::config::msi::settings_problems;

/// One installer as read.
#[derive(Debug, Clone)]
pub struct Probe {
    pub kind: Kind,
}

/// Reads the first [`PROBE_BYTES`] of `url`. `Err` says why it could not.
pub async fn probe(http: &reqwest::Client, url: &str, timeout: Duration) -> Result<Probe, String> {
    let shown = crate::secrets::redact(url).into_owned();
    let response = http
        .get(url)
        .header("Range", format!("bytes=0-{}", PROBE_BYTES - 1))
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| format!("`{shown}` cannot be reached: {}", without_url(&e, url)))?;
    if let Some(redirect) = crate::net::redirect_target(&response) {
        return Err(format!(
            "`{shown}` redirects ({redirect}): the Store needs a direct download link"
        ));
    }
    let status = response.status();
    if !status.is_success() {
        return Err(format!("`{shown}` answers HTTP {}", status.as_u16()));
    }
    let mut bytes = Vec::new();
    let mut response = response;
    while let Ok(Some(chunk)) = response.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 >= PROBE_BYTES {
            break;
        }
    }
    Ok(Probe {
        kind: classify(&bytes),
    })
}

fn without_url(e: &reqwest::Error, url: &str) -> String {
    let mut text = e.to_string().replace(&format!(" for url ({url})"), "");
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    crate::secrets::redact(&text).into_owned()
}

/// What the file says against what the package declares.
pub fn file_problems(probe: &Probe, package: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let declared = package
        .get("packageType")
        .and_then(Value::as_str)
        .unwrap_or("");
    let arch = package["architectures"][0].as_str().unwrap_or("");
    match probe.kind {
        Kind::Other => problems.push(
            "is neither an MSI nor an EXE (no compound-file or MZ/PE header): the Store takes only .msi or .exe installers".into(),
        ),
        Kind::Msi if declared == "exe" => problems.push(
            "is an MSI but the package says `packageType: exe`: the Store would run it directly and customers would see \"Unsupported 16-Bit Application\"; use `packageType: msi`".into(),
        ),
        Kind::Exe { .. } if declared == "msi" => problems.push(
            "is an EXE but the package says `packageType: msi`: use `packageType: exe` with its silent switches".into(),
        ),
        _ => {}
    }
    if let Kind::Exe { machine } = probe.kind
        && !serves(machine, arch)
    {
        problems.push(format!(
            "is {} but is declared for {arch}",
            probe.kind.describe()
        ));
    }
    problems
}

/// A `packageType` for a new package from what its file is.
pub fn package_type(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Msi => Some("msi"),
        Kind::Exe { .. } => Some("exe"),
        Kind::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pe(machine: u16) -> Vec<u8> {
        let mut bytes = vec![0u8; 0x100];
        bytes[..2].copy_from_slice(b"MZ");
        bytes[0x3c] = 0x80;
        bytes[0x80..0x84].copy_from_slice(b"PE\0\0");
        bytes[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
        bytes
    }

    #[test]
    fn headers_are_read() {
        assert_eq!(classify(&CFB_SIGNATURE), Kind::Msi);
        assert_eq!(classify(&pe(0xaa64)), Kind::Exe { machine: 0xaa64 });
        assert_eq!(classify(b"PK\x03\x04"), Kind::Other);
        let mut cut = pe(0x8664);
        cut.truncate(0x82);
        assert_eq!(classify(&cut), Kind::Other);
    }

    #[test]
    fn file_against_declaration() {
        let package = serde_json::json!({"packageType": "exe", "architectures": ["Arm64"]});
        let msi = Probe { kind: Kind::Msi };
        assert!(file_problems(&msi, &package)[0].contains("16-Bit"));
        let x64 = Probe {
            kind: Kind::Exe { machine: 0x8664 },
        };
        assert!(file_problems(&x64, &package)[0].contains("declared for Arm64"));
        // NSIS and Inno Setup build 32-bit installers for every architecture.
        let x86 = Probe {
            kind: Kind::Exe { machine: 0x014c },
        };
        assert!(file_problems(&x86, &package).is_empty());
        let arm = Probe {
            kind: Kind::Exe { machine: 0xaa64 },
        };
        let x64_package = serde_json::json!({"packageType": "exe", "architectures": ["X64"]});
        assert!(file_problems(&arm, &x64_package)[0].contains("declared for X64"));
    }
}
