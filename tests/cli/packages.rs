//! Real, small MSIX-format packages for the tests, with chosen identity, version,
//! architecture and device families: a zip with `AppxManifest.xml`, `AppxBlockMap.xml`
//! (SHA-256 per 64 KiB block, as MakeAppx writes it), `[Content_Types].xml` and a payload;
//! bundles with `AppxMetadata/AppxBundleManifest.xml` and their packages stored at the
//! offsets the manifest gives; and `.msixupload` files holding a package or bundle and
//! symbol files. Nothing is signed: the Store signs packages itself.

use std::io::{Cursor, Write};

use base64::Engine;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The seeded app's reservation (the docs' app; the simulator's publisher).
pub const IDENTITY_NAME: &str = "30481DevCenterAPITester.ApiTestAppForDevbox";
pub const PUBLISHER: &str = "CN=Contoso Software, O=Contoso Corporation, C=US";

/// An `.msix` / `.appx`.
#[derive(Debug, Clone)]
pub struct Msix {
    pub name: String,
    pub publisher: String,
    pub version: String,
    pub arch: String,
    /// (name, MinVersion)
    pub families: Vec<(String, String)>,
    pub languages: Vec<String>,
    pub capabilities: Vec<String>,
    /// Bytes of the stand-in executable (stored, so the package is at least this big).
    pub payload: usize,
}

impl Msix {
    pub fn new(version: &str, arch: &str) -> Msix {
        Msix {
            name: IDENTITY_NAME.into(),
            publisher: PUBLISHER.into(),
            version: version.into(),
            arch: arch.into(),
            families: vec![("Windows.Desktop".into(), "10.0.17763.0".into())],
            languages: vec!["en-us".into()],
            capabilities: vec!["runFullTrust".into()],
            payload: 512,
        }
    }

    pub fn name(mut self, name: &str) -> Msix {
        self.name = name.into();
        self
    }

    pub fn publisher(mut self, publisher: &str) -> Msix {
        self.publisher = publisher.into();
        self
    }

    pub fn families(mut self, families: &[(&str, &str)]) -> Msix {
        self.families = families
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        self
    }

    pub fn payload(mut self, bytes: usize) -> Msix {
        self.payload = bytes;
        self
    }

    /// `ContosoReader_1.0.1.0_x64.msix`
    pub fn file_name(&self) -> String {
        format!("ContosoReader_{}_{}.msix", self.version, self.arch)
    }

    pub fn manifest(&self) -> String {
        let families: String = self
            .families
            .iter()
            .map(|(name, min)| {
                format!(
                    "\n    <TargetDeviceFamily Name=\"{name}\" MinVersion=\"{min}\" MaxVersionTested=\"10.0.22621.0\" />"
                )
            })
            .collect();
        let languages: String = self
            .languages
            .iter()
            .map(|l| format!("\n    <Resource Language=\"{l}\" />"))
            .collect();
        let capabilities: String = self
            .capabilities
            .iter()
            .map(|c| format!("\n    <rescap:Capability Name=\"{c}\" />"))
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"
         xmlns:uap="http://schemas.microsoft.com/appx/manifest/uap/windows10"
         xmlns:rescap="http://schemas.microsoft.com/appx/manifest/foundation/windows10/restrictedcapabilities"
         IgnorableNamespaces="uap rescap">
  <Identity Name="{name}" Publisher="{publisher}" Version="{version}" ProcessorArchitecture="{arch}" />
  <Properties>
    <DisplayName>Contoso ebook reader</DisplayName>
    <PublisherDisplayName>Contoso Software</PublisherDisplayName>
    <Logo>Assets\StoreLogo.png</Logo>
  </Properties>
  <Dependencies>{families}
  </Dependencies>
  <Resources>{languages}
  </Resources>
  <Capabilities>{capabilities}
  </Capabilities>
  <Applications>
    <Application Id="App" Executable="ContosoReader.exe" EntryPoint="Windows.FullTrustApplication">
      <uap:VisualElements DisplayName="Contoso ebook reader" Description="Reads ebooks"
        BackgroundColor="transparent" Square150x150Logo="Assets\StoreLogo.png" Square44x44Logo="Assets\StoreLogo.png" />
    </Application>
  </Applications>
</Package>
"#,
            name = xml(&self.name),
            publisher = xml(&self.publisher),
            version = self.version,
            arch = self.arch,
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        // Not random, but no two packages of different versions share bytes.
        let mut exe = b"MZ".to_vec();
        exe.extend(
            self.version
                .bytes()
                .cycle()
                .take(self.payload.saturating_sub(2)),
        );
        let payload = vec![
            ("AppxManifest.xml".to_string(), self.manifest().into_bytes()),
            (
                "Assets/StoreLogo.png".to_string(),
                b"\x89PNG\r\n\x1a\n".to_vec(),
            ),
            ("ContosoReader.exe".to_string(), exe),
        ];
        package_zip(
            payload,
            &[
                ("xml", "application/vnd.ms-appx.manifest+xml"),
                ("png", "image/png"),
                ("exe", "application/x-msdownload"),
            ],
        )
    }
}

/// An `.msixbundle` of application packages (one per architecture).
#[derive(Debug, Clone)]
pub struct Bundle {
    pub name: String,
    pub publisher: String,
    pub version: String,
    pub packages: Vec<Msix>,
}

impl Bundle {
    pub fn new(version: &str, arches: &[&str]) -> Bundle {
        Bundle {
            name: IDENTITY_NAME.into(),
            publisher: PUBLISHER.into(),
            version: version.into(),
            packages: arches.iter().map(|a| Msix::new(version, a)).collect(),
        }
    }

    /// `ContosoReader_1.2.0.0_x64_arm64.msixbundle`
    pub fn file_name(&self) -> String {
        let arches: Vec<&str> = self.packages.iter().map(|p| p.arch.as_str()).collect();
        format!(
            "ContosoReader_{}_{}.msixbundle",
            self.version,
            arches.join("_")
        )
    }

    fn manifest(&self, offsets: &[(u64, u64)]) -> String {
        let packages: String = self
            .packages
            .iter()
            .zip(offsets)
            .map(|(p, (offset, size))| {
                format!(
                    "\n    <Package Type=\"application\" Version=\"{}\" Architecture=\"{}\" FileName=\"{}\" Offset=\"{offset:010}\" Size=\"{size:010}\">\n      <Resources><Resource Language=\"en-us\" /></Resources>\n    </Package>",
                    p.version,
                    p.arch,
                    p.file_name()
                )
            })
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Bundle xmlns="http://schemas.microsoft.com/appx/2013/bundle" SchemaVersion="3.0">
  <Identity Name="{}" Publisher="{}" Version="{}" />
  <Packages>{packages}
  </Packages>
</Bundle>
"#,
            xml(&self.name),
            xml(&self.publisher),
            self.version
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        let inner: Vec<(String, Vec<u8>)> = self
            .packages
            .iter()
            .map(|p| (p.file_name(), p.bytes()))
            .collect();
        // The manifest names where each package's bytes start; packages come first, so a
        // manifest of the same length (offsets zero-padded) leaves them where they were.
        let placeholder = vec![(0, 0); inner.len()];
        let first = bundle_zip(&inner, &self.manifest(&placeholder));
        let mut archive = zip::ZipArchive::new(Cursor::new(&first)).unwrap();
        let offsets: Vec<(u64, u64)> = inner
            .iter()
            .map(|(name, bytes)| {
                let index = archive.index_for_name(name).unwrap();
                let entry = archive.by_index_raw(index).unwrap();
                (entry.data_start().unwrap(), bytes.len() as u64)
            })
            .collect();
        let bytes = bundle_zip(&inner, &self.manifest(&offsets));
        // The offsets hold in the final bytes.
        for ((_, package), (offset, size)) in inner.iter().zip(&offsets) {
            assert_eq!(
                &bytes[*offset as usize..(*offset + *size) as usize],
                &package[..]
            );
        }
        bytes
    }
}

/// An `.msixupload`: the package or bundle (stored) and symbol files.
pub fn upload(inner_name: &str, inner: &[u8], symbols: &[&str]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    writer.start_file(inner_name, stored()).unwrap();
    writer.write_all(inner).unwrap();
    for symbol in symbols {
        writer
            .start_file(*symbol, SimpleFileOptions::default())
            .unwrap();
        writer
            .write_all(b"Microsoft C/C++ MSF 7.00 (stand-in pdb)")
            .unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

/// Several loose packages zipped together under an upload's name: not a layout the Store
/// recognises (daruyanagi/XTimelineViewer#150).
pub fn hand_zipped_upload(packages: &[&Msix]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    for package in packages {
        writer.start_file(package.file_name(), stored()).unwrap();
        writer.write_all(&package.bytes()).unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// `AppxBlockMap.xml`: each file's size and a SHA-256 per 64 KiB block.
fn block_map(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BlockMap xmlns=\"http://schemas.microsoft.com/appx/2010/blockmap\" HashMethod=\"http://www.w3.org/2001/04/xmlenc#sha256\">\n",
    );
    for (name, bytes) in files {
        let windows_name = name.replace('/', "\\");
        text.push_str(&format!(
            "  <File Name=\"{}\" Size=\"{}\" LfhSize=\"{}\">",
            xml(&windows_name),
            bytes.len(),
            30 + name.len()
        ));
        for block in bytes.chunks(64 * 1024) {
            text.push_str(&format!(
                "<Block Hash=\"{}\" />",
                b64.encode(Sha256::digest(block))
            ));
        }
        text.push_str("</File>\n");
    }
    text.push_str("</BlockMap>\n");
    text.into_bytes()
}

fn content_types(defaults: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    );
    for (ext, kind) in defaults {
        text.push_str(&format!(
            "<Default Extension=\"{ext}\" ContentType=\"{kind}\"/>"
        ));
    }
    text.push_str("<Override PartName=\"/AppxBlockMap.xml\" ContentType=\"application/vnd.ms-appx.blockmap+xml\"/></Types>");
    text.into_bytes()
}

/// A package: payload (the manifest first, deflated as MakeAppx does), block map, content types.
fn package_zip(payload: Vec<(String, Vec<u8>)>, types: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    for (name, bytes) in &payload {
        // Big payloads are stored: the tests that use them need bytes, not compression.
        let options = if bytes.len() > 1 << 20 {
            stored()
        } else {
            SimpleFileOptions::default()
        };
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer
        .start_file("AppxBlockMap.xml", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(&block_map(&payload)).unwrap();
    writer
        .start_file("[Content_Types].xml", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(&content_types(types)).unwrap();
    writer.finish().unwrap();
    out.into_inner()
}

/// A bundle: its packages stored (as MakeAppx stores them), then the bundle manifest,
/// block map and content types.
fn bundle_zip(packages: &[(String, Vec<u8>)], manifest: &str) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    for (name, bytes) in packages {
        writer.start_file(name.as_str(), stored()).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer
        .start_file(
            "AppxMetadata/AppxBundleManifest.xml",
            SimpleFileOptions::default(),
        )
        .unwrap();
    writer.write_all(manifest.as_bytes()).unwrap();
    let mut listed = packages.to_vec();
    listed.push((
        "AppxMetadata/AppxBundleManifest.xml".into(),
        manifest.as_bytes().to_vec(),
    ));
    writer
        .start_file("AppxBlockMap.xml", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(&block_map(&listed)).unwrap();
    writer
        .start_file("[Content_Types].xml", SimpleFileOptions::default())
        .unwrap();
    writer
        .write_all(&content_types(&[
            ("msix", "application/vnd.ms-appx"),
            ("xml", "application/vnd.ms-appx.bundlemanifest+xml"),
        ]))
        .unwrap();
    writer.finish().unwrap();
    out.into_inner()
}

/// The package a file name stands for: `Name_1.2.3.4_arm64.msix` gives that version and
/// architecture; other names get `fallback_version` on x64. Bundles and uploads get one x64
/// package (an upload holds a bundle).
pub fn for_file_name(name: &str, fallback_version: &str) -> Vec<u8> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let (stem, extension) = base.rsplit_once('.').unwrap_or((base, ""));
    let parts: Vec<&str> = stem.split('_').collect();
    let parsed = parts.windows(2).rev().find_map(|w| {
        let version = w[0];
        let ok =
            version.split('.').count() == 4 && version.split('.').all(|p| p.parse::<u16>().is_ok());
        ok.then(|| (version.to_string(), w[1].to_string()))
    });
    let (version, arch) = parsed.unwrap_or_else(|| (fallback_version.to_string(), "x64".into()));
    match extension.to_ascii_lowercase().as_str() {
        "msixbundle" | "appxbundle" => Bundle::new(&version, &[&arch]).bytes(),
        "msixupload" | "appxupload" => {
            let bundle = Bundle::new(&version, &[&arch]);
            upload(
                &bundle.file_name(),
                &bundle.bytes(),
                &["ContosoReader.appxsym"],
            )
        }
        _ => Msix::new(&version, &arch).bytes(),
    }
}
