//! The upload zip: one pass over the inputs writes the zip and computes its SHA-256.
//!
//! Entries are stored, not deflated: packages, images and videos are already compressed,
//! and deflating them costs ~10× the time for nothing (docs/decisions/0002-zip-format.md).
//! The bytes are deterministic for the same inputs: entries sorted by name, fixed
//! timestamps and permissions. Because the zip is written as a stream (never seeking back),
//! the hash of the bytes as they go out is the hash of the file; entries therefore carry
//! data descriptors (general-purpose flag bit 3), which central-directory readers such as
//! .NET's `ZipArchive` read without trouble (see docs/decisions/0002-zip-format.md).

use std::fs::File;
use std::io::{self, Read, Write};
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
    meter.finish();
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
    let sink = HashedFile::create(out)?;
    let sink = write_entries(files, sizes, sink, meter)?;
    // No fsync: the zip is an intermediate file that the upload reads straight back, and
    // a run cut short by a crash is run again (the zip comes out the same). Syncing costs
    // about as long as writing (docs/benchmarks.md).
    sink.finish()
}

/// The zip itself, streamed into `sink` front to back (never seeking back). ZIP64 records
/// are written for entries of 4 GiB or more (decided up front from the size, as a stream
/// cannot patch a header later); the zip crate adds the ZIP64 offsets and end record on
/// its own when the archive passes 4 GiB or 65,535 entries.
fn write_entries<W: Write>(
    files: &[&ZipInput],
    sizes: &[u64],
    sink: W,
    meter: &Meter,
) -> io::Result<W> {
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
    Ok(zip.finish().map_err(io::Error::other)?.into_inner())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// A file written in 1 MiB chunks, each hashed (SHA-256) on a second thread while the next
/// is filled: hashing runs beside reading and writing instead of after them, which makes
/// the zip about a third faster on two cores (docs/benchmarks.md). At most a few chunks wait
/// for the hasher, so memory stays bounded.
struct HashedFile {
    file: File,
    pending: Vec<u8>,
    written: u64,
    to_hasher: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
    hasher: Option<std::thread::JoinHandle<String>>,
}

impl HashedFile {
    fn create(path: &Path) -> io::Result<Self> {
        let file = File::create(path)?;
        let (to_hasher, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(3);
        let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let hasher = std::thread::Builder::new()
            .name("zip-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in chunks {
                    hasher.update(&chunk);
                    let _ = recycle.send(chunk);
                }
                hex::encode(hasher.finalize())
            })?;
        Ok(HashedFile {
            file,
            pending: Vec::with_capacity(COPY_BUFFER),
            written: 0,
            to_hasher: Some(to_hasher),
            recycled,
            hasher: Some(hasher),
        })
    }

    fn send_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.pending)?;
        let mut next = self
            .recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(COPY_BUFFER));
        next.clear();
        let full = std::mem::replace(&mut self.pending, next);
        self.to_hasher
            .as_ref()
            .expect("open until finish")
            .send(full)
            .map_err(|_| io::Error::other("the SHA-256 thread stopped"))
    }

    /// The hex SHA-256 and the size of everything written.
    fn finish(mut self) -> io::Result<(String, u64)> {
        self.send_pending()?;
        drop(self.to_hasher.take());
        let sha256 = self
            .hasher
            .take()
            .expect("joined once")
            .join()
            .map_err(|_| io::Error::other("the SHA-256 thread panicked"))?;
        Ok((sha256, self.written))
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = COPY_BUFFER - self.pending.len();
        let n = buf.len().min(room);
        self.pending.extend_from_slice(&buf[..n]);
        self.written += n as u64;
        if self.pending.len() == COPY_BUFFER {
            self.send_pending()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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

    /// Writes runs of zeros as holes, so a zip of a sparse file stays sparse on disk.
    struct SparseFile {
        file: File,
        position: u64,
    }

    impl Write for SparseFile {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            use std::io::{Seek, SeekFrom};
            const ZEROS: [u8; 4096] = [0; 4096];
            // Slice comparison is a memcmp, fast even in a debug build.
            let zeros = buf.chunks(4096).all(|c| c == &ZEROS[..c.len()]);
            if !zeros {
                self.file.seek(SeekFrom::Start(self.position))?;
                self.file.write_all(buf)?;
            }
            self.position += buf.len() as u64;
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            self.file.set_len(self.position)
        }
    }

    /// An entry over 4 GiB, and one after it whose header starts past 4 GiB: the entry
    /// needs ZIP64 sizes, the second a ZIP64 offset, the archive a ZIP64 end record. Built
    /// from a sparse file into a sparse zip, so it costs reading zeros, not disk space.
    #[test]
    fn zip64_for_an_entry_over_4_gib_built_from_a_sparse_file() {
        let dir = tempfile::tempdir().unwrap();
        let big_size = (4u64 << 30) + (1 << 20) + 3;
        let big = dir.path().join("big.msix");
        File::create(&big).unwrap().set_len(big_size).unwrap();
        let tail = input(dir.path(), "tail.txt", b"after the big one");
        let files = [
            ZipInput {
                path: big,
                entry_name: "big.msix".into(),
            },
            tail,
        ];
        let files: Vec<&ZipInput> = files.iter().collect();
        let out = dir.path().join("big.zip");
        let sink = SparseFile {
            file: File::create(&out).unwrap(),
            position: 0,
        };
        let meter = Meter::new("zip", big_size + 17);
        let mut sink = write_entries(&files, &[big_size, 17], sink, &meter).unwrap();
        sink.flush().unwrap();
        drop(sink);

        let bytes_on_disk = {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(&out).unwrap().blocks() * 512
        };
        assert!(bytes_on_disk < 64 << 20, "the zip is not sparse");
        let mut archive = ::zip::ZipArchive::new(File::open(&out).unwrap()).unwrap();
        {
            let entry = archive.by_name("big.msix").unwrap();
            assert_eq!(entry.size(), big_size);
            assert_eq!(entry.compression(), CompressionMethod::Stored);
        }
        let mut tail = archive.by_name("tail.txt").unwrap();
        assert!(tail.header_start() > u32::MAX as u64);
        let mut text = String::new();
        tail.read_to_string(&mut text).unwrap();
        assert_eq!(text, "after the big one");
        drop(tail);
        // The ZIP64 end of central directory record and its locator are there.
        let end = {
            use std::io::{Seek, SeekFrom};
            let mut file = File::open(&out).unwrap();
            file.seek(SeekFrom::End(-200)).unwrap();
            let mut end = Vec::new();
            file.read_to_end(&mut end).unwrap();
            end
        };
        let has = |signature: u32| {
            end.windows(4)
                .any(|w| w == signature.to_le_bytes().as_slice())
        };
        assert!(has(0x0606_4b50), "no ZIP64 end of central directory record");
        assert!(
            has(0x0706_4b50),
            "no ZIP64 end of central directory locator"
        );

        // Python's zipfile, a reader written apart from ours, reads every entry back and
        // checks its CRC. (Info-ZIP's `unzip -t` does the same but takes a minute for
        // 4 GiB; it checks the smaller zips of the `pack` tests.)
        let test = std::process::Command::new("python3")
            .arg("-c")
            .arg("import sys, zipfile; bad = zipfile.ZipFile(sys.argv[1]).testzip(); print(bad or 'ok')")
            .arg(&out)
            .output()
            .expect("python3 is needed for this test");
        assert_eq!(
            String::from_utf8_lossy(&test.stdout).trim(),
            "ok",
            "{}",
            String::from_utf8_lossy(&test.stderr)
        );
    }
}
