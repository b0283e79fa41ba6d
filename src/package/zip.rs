//! The upload zip: one pass over the inputs writes the zip and computes its SHA-256.
//!
//! Entries are stored, not deflated: packages, images and videos are already compressed,
//! and deflating them costs ~10× the time for nothing (reference blob-upload-and-zip §3).
//! The bytes are deterministic for the same inputs: entries sorted by name, fixed
//! timestamps and permissions. Because the zip is written as a stream (never seeking back),
//! the hash of the bytes as they go out is the hash of the file; entries therefore carry
//! data descriptors (general-purpose flag bit 3), which central-directory readers such as
//! .NET's `ZipArchive` read without trouble (see docs/decisions/0002-zip-format.md).

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ::zip::write::SimpleFileOptions;
use ::zip::{CompressionMethod, DateTime, ZipWriter};
use sha2::{Digest, Sha256};

use crate::config::ZipInput;
use crate::progress::Meter;

/// Entries at or above this size need ZIP64 records, which a streaming writer must know
/// before the entry starts.
const ZIP64_THRESHOLD: u64 = 0xFFFF_FFFF;
const COPY_BUFFER: usize = 1 << 20;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ZipSummary {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub entries: Vec<ZipEntry>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ZipEntry {
    pub name: String,
    pub size: u64,
}

/// Writes the zip of `files` to `path` (through a temporary file renamed into place, so a
/// failed run never leaves a half-written zip under the final name).
pub fn build_zip(files: &[ZipInput], path: &Path) -> io::Result<ZipSummary> {
    let mut files: Vec<&ZipInput> = files.iter().collect();
    files.sort_by(|a, b| a.entry_name.cmp(&b.entry_name));
    let sizes = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map(|m| m.len()))
        .collect::<io::Result<Vec<u64>>>()?;
    let meter = Meter::new("zip", sizes.iter().sum());

    let partial = partial_path(path);
    let result = write_zip(&files, &sizes, &partial, &meter);
    let (sha256, size) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, path)?;
    tracing::info!("{}", meter.finish_line());
    Ok(ZipSummary {
        path: path.to_path_buf(),
        sha256,
        size,
        entries: files
            .iter()
            .zip(sizes)
            .map(|(f, size)| ZipEntry {
                name: f.entry_name.clone(),
                size,
            })
            .collect(),
    })
}

fn write_zip(
    files: &[&ZipInput],
    sizes: &[u64],
    out: &Path,
    meter: &Meter,
) -> io::Result<(String, u64)> {
    let sink = HashingWriter::new(BufWriter::with_capacity(COPY_BUFFER, File::create(out)?));
    let mut zip = ZipWriter::new_stream(sink);
    let mut buffer = vec![0u8; COPY_BUFFER];
    for (file, &expected_size) in files.iter().zip(sizes) {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644)
            .large_file(expected_size >= ZIP64_THRESHOLD);
        zip.start_file(file.entry_name.as_str(), options)
            .map_err(io::Error::other)?;
        let mut input = File::open(&file.path)?;
        let mut copied = 0u64;
        loop {
            let n = input.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            zip.write_all(&buffer[..n])?;
            copied += n as u64;
            meter.add(n as u64);
        }
        if copied != expected_size {
            return Err(io::Error::other(format!(
                "{} changed size while it was zipped ({expected_size} → {copied} bytes)",
                file.path.display()
            )));
        }
    }
    let sink = zip.finish().map_err(io::Error::other)?.into_inner();
    let (writer, sha256, size) = sink.finish();
    writer
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    Ok((sha256, size))
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Passes bytes through to `inner` while hashing and counting them.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            written: 0,
        }
    }

    /// The inner writer, the hex SHA-256 and the byte count of everything written.
    pub fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            hex::encode(self.hasher.finalize()),
            self.written,
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = HashingWriter::new(io::sink());
    io::copy(&mut file, &mut hasher)?;
    let (_, hash, size) = hasher.finish();
    Ok((hash, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(dir: &Path, name: &str, bytes: &[u8]) -> ZipInput {
        let path = dir.join(name.replace('/', "_"));
        std::fs::write(&path, bytes).unwrap();
        ZipInput {
            path,
            entry_name: name.to_string(),
        }
    }

    #[test]
    fn same_inputs_same_bytes_and_hash_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            input(dir.path(), "b.msix", &vec![7u8; 300_000]),
            input(dir.path(), "a.msix", b"alpha"),
            input(dir.path(), "img/shot.png", b"png"),
        ];
        let first = build_zip(&files, &dir.path().join("one.zip")).unwrap();
        let mut reversed = files.clone();
        reversed.reverse();
        let second = build_zip(&reversed, &dir.path().join("two.zip")).unwrap();
        assert_eq!(first.sha256, second.sha256);
        let bytes_one = std::fs::read(dir.path().join("one.zip")).unwrap();
        assert_eq!(
            bytes_one,
            std::fs::read(dir.path().join("two.zip")).unwrap()
        );
        assert_eq!(first.size, bytes_one.len() as u64);
        assert_eq!(
            first.sha256,
            sha256_file(&dir.path().join("one.zip")).unwrap().0
        );
        let names: Vec<_> = first.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a.msix", "b.msix", "img/shot.png"]);

        let mut archive =
            ::zip::ZipArchive::new(File::open(dir.path().join("one.zip")).unwrap()).unwrap();
        let mut content = Vec::new();
        archive
            .by_name("b.msix")
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        assert_eq!(content, vec![7u8; 300_000]);
        assert_eq!(
            archive.by_name("a.msix").unwrap().compression(),
            CompressionMethod::Stored
        );
        assert!(!dir.path().join("one.zip.partial").exists());
    }
}
