//! Upload tuning: concurrency, block size and the memory they take together.

use super::*;

impl Check<'_> {
    /// `upload-concurrency` and `upload-block-size`: blocks in flight × block size is the
    /// memory the upload holds, so both are bounded.
    pub(super) fn upload_tuning(&mut self) -> UploadTuning {
        let defaults = UploadTuning::default();
        let concurrency = match self.inputs.value("upload-concurrency") {
            None => defaults.concurrency,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_UPLOAD_CONCURRENCY).contains(&n) => n,
                _ => {
                    self.problem(
                        "upload-concurrency",
                        format!(
                            "`{text}` is not a number of blocks in flight from 1 to {MAX_UPLOAD_CONCURRENCY}"
                        ),
                    );
                    defaults.concurrency
                }
            },
        };
        let block_size = match self.inputs.value("upload-block-size") {
            None => defaults.block_size,
            Some(text) => match parse_size(text) {
                Ok(size) if (MIN_UPLOAD_BLOCK..=MAX_UPLOAD_BLOCK).contains(&size) => size,
                Ok(_) => {
                    self.problem(
                        "upload-block-size",
                        format!(
                            "`{text}` is out of range: use 256KiB to 4000MiB (the largest block Azure Storage takes)"
                        ),
                    );
                    defaults.block_size
                }
                Err(e) => {
                    self.problem("upload-block-size", e);
                    defaults.block_size
                }
            },
        };
        let held = concurrency as u64 * block_size;
        if held > MAX_UPLOAD_MEMORY {
            self.problem(
                "upload-block-size",
                format!(
                    "{concurrency} blocks of {} in flight would hold {} in memory; keep upload-concurrency × upload-block-size within {}",
                    format_size(block_size),
                    format_size(held),
                    format_size(MAX_UPLOAD_MEMORY)
                ),
            );
        }
        UploadTuning {
            concurrency,
            block_size,
        }
    }
}
