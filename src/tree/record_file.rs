//! A file of fixed-size records read a run of records at a time, for the
//! files a large tree holds by the tens of megabytes (GAL.NME): their bytes
//! are never held whole.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use super::{frame_count_ctx, Ctx, FixedRecords, U8F};
use crate::error::{Error, Result};

/// An open record file, framed by its length as [`super::frame_ctx`] frames
/// its bytes (the same errors, the same salvage of a truncated last record).
pub(super) struct RecordFile {
    shown: String,
    path: PathBuf,
    file: File,
    header: usize,
    size: usize,
    records: usize,
}

impl RecordFile {
    /// Opens `path` (shown as `shown`) read-only and frames it.
    pub(super) fn open(
        shown: &str,
        path: PathBuf,
        header: usize,
        size: usize,
        ctx: &mut Ctx,
    ) -> Result<RecordFile> {
        let file = File::open(&path).map_err(|e| Error::read(&path, e))?;
        let len = file.metadata().map_err(|e| Error::read(&path, e))?.len();
        let records = frame_count_ctx(shown, len, header, size, ctx)?;
        Ok(RecordFile {
            shown: shown.to_string(),
            path,
            file,
            header,
            size,
            records,
        })
    }

    /// The number of (whole) records.
    pub(super) fn len(&self) -> usize {
        self.records
    }

    /// Checks every record's status byte (`status`), as
    /// [`super::frame_checked`] does: 0 or 1, else damage.
    pub(super) fn check_statuses(&mut self, run: usize, status: U8F, ctx: &mut Ctx) -> Result<()> {
        let (header, shown) = (self.header, self.shown.clone());
        self.for_each_run(run, |first, recs| {
            super::check_statuses(&shown, recs, first, header, status, ctx)
        })
    }

    /// Reads the records from the first, `run` at a time, and hands each
    /// run to `each` with the number of its first record; stops at the
    /// first error `each` returns.
    pub(super) fn for_each_run(
        &mut self,
        run: usize,
        mut each: impl FnMut(usize, FixedRecords<'_>) -> Result<()>,
    ) -> Result<()> {
        let run = run.max(1);
        let read_err = |e| Error::read(&self.path, e);
        self.file
            .seek(SeekFrom::Start(self.header as u64))
            .map_err(read_err)?;
        let mut buffer = vec![0u8; run.min(self.records) * self.size];
        let mut first = 0;
        while first < self.records {
            let n = run.min(self.records - first);
            let bytes = buffer.get_mut(..n * self.size).unwrap_or_default();
            self.file.read_exact(bytes).map_err(read_err)?;
            each(
                first,
                FixedRecords {
                    bytes,
                    size: self.size,
                },
            )?;
            first += n;
        }
        Ok(())
    }
}
