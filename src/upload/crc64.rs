//! Azure Storage's CRC64, the transactional checksum of the `x-ms-content-crc64` header
//! (Put Blob and Put Block, service versions 2019-02-02 and later:
//! <https://learn.microsoft.com/rest/api/storageservices/put-block>).
//!
//! Azure's CRC64 is the catalogued CRC-64/NVME: polynomial 0xAD93D23594C93659 (reflected
//! 0x9A6C9329AC4BC9B5), input and output reflected, initial value and final XOR all ones;
//! check value (of `123456789`) 0xAE8B14860A799888
//! (<https://reveng.sourceforge.io/crc-catalogue/all.htm#crc.cat.crc-64-nvme>). That is what
//! Microsoft's own implementation computes: `crc64module.c` of the PyPI package
//! `azure-storage-extensions` (used by the Azure Storage SDK for Python) has
//! `poly = 0x9A6C9329AC4BC9B5` and complements the CRC before and after. The header carries
//! the 8 bytes **little-endian**, base64-encoded (a recorded Azure answer names
//! `pK+ypU+jreM=` as the CRC of 1,024 bytes `b`, which only the little-endian order gives).
//! The tests compare both with that package on many inputs.
//!
//! The `crc-fast` crate computes it with carry-less multiplication (PCLMULQDQ / PMULL),
//! ~20× faster than the MD5 it replaces (docs/decisions/0010-crc64-and-fuzzing.md).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The CRC64 of `data`.
pub fn checksum(data: &[u8]) -> u64 {
    crc_fast::crc64_nvme(data)
}

/// A CRC64 computed piece by piece (the simulator checks bodies as they stream in).
pub struct Crc64(crc_fast::Digest);

impl Default for Crc64 {
    fn default() -> Self {
        Crc64(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Nvme))
    }
}

impl Crc64 {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(&self) -> u64 {
        self.0.finalize()
    }
}

/// The `x-ms-content-crc64` value of a CRC: its 8 bytes little-endian, in base64.
pub fn header_value(crc: u64) -> String {
    BASE64.encode(crc.to_le_bytes())
}

/// The CRC in an `x-ms-content-crc64` value; `None` unless it is base64 of exactly 8 bytes.
pub fn parse_header(value: &str) -> Option<u64> {
    let bytes: [u8; 8] = BASE64.decode(value.trim()).ok()?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_crc64_nvme() {
        assert_eq!(checksum(b"123456789"), 0xAE8B_1486_0A79_9888);
        assert_eq!(checksum(b""), 0);
        // Azure's own answer for 1,024 × `b` (a Crc64Mismatch recorded by the Azure SDK for
        // JavaScript's tests: `<ServerCalculatedCrc>pK+ypU+jreM=</ServerCalculatedCrc>`).
        assert_eq!(header_value(checksum(&[b'b'; 1024])), "pK+ypU+jreM=");
    }

    #[test]
    fn pieces_give_the_same_crc() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for split in [0, 1, 7, 31, 32, 33, 4095, 65_536, 99_999, 100_000] {
            let mut crc = Crc64::default();
            crc.update(&data[..split]);
            crc.update(&data[split..]);
            assert_eq!(crc.finish(), checksum(&data), "split at {split}");
        }
    }

    /// Our CRC64 against Microsoft's own implementation (the C extension in the PyPI package
    /// `azure-storage-extensions`, which the Azure Storage SDK for Python uses) on inputs of
    /// odd lengths and offsets, runs of one byte, and more than 4 MiB; also the CRC of a
    /// body given in two pieces. scripts/test installs the package; without python3 or the
    /// package this test fails, it does not skip.
    #[test]
    fn matches_microsofts_implementation() {
        const MIB: usize = 1 << 20;
        let mut data = Vec::with_capacity(8 * MIB);
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        while data.len() < 5 * MIB + 13 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            data.extend_from_slice(&state.to_le_bytes()[..5]);
        }
        data.truncate(5 * MIB + 13);
        let zeros = data.len();
        data.resize(zeros + MIB, 0);
        let ones = data.len();
        data.resize(ones + MIB + 3, 0xFF);
        let mut cases: Vec<(usize, usize)> = [
            0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 129,
            255, 256, 257, 1000, 1023, 1024, 4095, 4097, 65_537, 1_000_003,
        ]
        .iter()
        .flat_map(|&len| [(0, len), (1, len), (5, len), (4096 + 3, len)])
        .collect();
        cases.extend([
            (0, 4 * MIB),
            (0, 4 * MIB + 1),
            (7, 4 * MIB - 1),
            (0, 5 * MIB + 13),
            (zeros, MIB),
            (zeros + 1, 77),
            (ones, MIB + 3),
            (ones, 1),
            (MIB, data.len() - MIB),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data");
        std::fs::write(&file, &data).unwrap();
        let script = r#"
import json, sys
from azure.storage.extensions.checksums import crc64
data = open(sys.argv[1], "rb").read()
out = []
for offset, length in json.loads(sys.argv[2]):
    piece = data[offset:offset + length]
    half = length // 3
    out.append([crc64.compute(piece, 0), crc64.compute(piece[half:], crc64.compute(piece[:half], 0))])
print(json.dumps(out))
"#;
        let cases_json = serde_json::to_string(&cases).unwrap();
        let output = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&file)
            .arg(&cases_json)
            .output()
            .expect("python3 runs (scripts/test installs it)");
        assert!(
            output.status.success(),
            "Microsoft's CRC64 could not run (scripts/test installs it: \
             `python3 -m pip install azure-storage-extensions`): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs: Vec<(u64, u64)> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(theirs.len(), cases.len());
        for (&(offset, length), &(whole, chained)) in cases.iter().zip(&theirs) {
            let piece = &data[offset..offset + length];
            assert_eq!(checksum(piece), whole, "offset {offset}, length {length}");
            let mut crc = Crc64::default();
            crc.update(&piece[..length / 3]);
            crc.update(&piece[length / 3..]);
            assert_eq!(crc.finish(), chained, "in two pieces: {offset}, {length}");
        }
    }

    #[test]
    fn header_values_round_trip() {
        for crc in [0, 1, u64::MAX, 0xAE8B_1486_0A79_9888] {
            assert_eq!(parse_header(&header_value(crc)), Some(crc));
        }
        assert_eq!(parse_header("AQIDBAUGBwg="), Some(0x0807_0605_0403_0201));
        assert_eq!(parse_header("AQIDBAUGBw=="), None, "7 bytes");
        assert_eq!(parse_header("AQIDBAUGBwgJ"), None, "9 bytes");
        assert_eq!(parse_header("not base64!"), None);
    }
}
