//! The batch output file: one JSON line per input row, written in completion order.
//!
//! Each line is `{"row": N, "status": S, "requestId": ID|null, "externalRequestId": X|null,
//! "inputHash": H, "output": {...}}` for a run that succeeded, with `"error": "..."` in place of `output`
//! for a failed run (`status` `failed`) or an input row that was not sent (`status`
//! `invalid`). Rows are numbered from 1 in input order. `inputHash` is the row's input
//! fingerprint ([`super::journal::row_hash`], 16 hex digits), which lets a resumed batch
//! check that the input is the one the output was made from.
//!
//! On resume the file is scanned once. The row numbers of complete lines go into a bitset and
//! their input hashes into a vector indexed by row (8 bytes per row). A partial last line (a
//! write cut short by a crash) is truncated.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Outcome of one input row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// The run finished with output.
    Succeeded,
    /// The run failed, or the API rejected the submission.
    Failed,
    /// The row could not be turned into an agent input and was not sent.
    Invalid,
}

/// One output line.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultLine {
    /// 1-based row number in the input.
    pub row: u64,
    /// Outcome of the row.
    pub status: RowStatus,
    /// The run's id, when the API accepted the submission.
    pub request_id: Option<String>,
    /// The `x-external-request-id` sent with the submission, when one was sent.
    pub external_request_id: Option<String>,
    /// Fingerprint of the row's input, 16 hex digits.
    pub input_hash: String,
    /// The agent's output, for a row that succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Box<RawValue>>,
    /// Reason the row failed or is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ResultLine {
    /// Builds the line of a row that was not sent.
    pub fn invalid(row: u64, input_hash: u64, reason: String) -> Self {
        ResultLine {
            row,
            status: RowStatus::Invalid,
            request_id: None,
            external_request_id: None,
            input_hash: format_hash(input_hash),
            output: None,
            error: Some(reason),
        }
    }
}

/// Largest row number accepted in an output file, which bounds the memory a scan allocates.
pub const MAX_ROW: u64 = 1 << 32;

/// Formats an input hash as it appears in output lines and the journal.
pub fn format_hash(hash: u64) -> String {
    format!("{hash:016x}")
}

/// A growable set of row numbers, one bit per row.
#[derive(Clone, Debug, Default)]
pub struct RowSet {
    words: Vec<u64>,
    count: u64,
}

impl RowSet {
    /// Adds a row; returns `false` when it was already present.
    pub fn insert(&mut self, row: u64) -> bool {
        let (word, bit) = Self::position(row);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let mask = 1u64 << bit;
        let fresh = self.words[word] & mask == 0;
        self.words[word] |= mask;
        if fresh {
            self.count += 1;
        }
        fresh
    }

    /// Returns `true` when the row is present.
    pub fn contains(&self, row: u64) -> bool {
        let (word, bit) = Self::position(row);
        self.words
            .get(word)
            .is_some_and(|value| value & (1u64 << bit) != 0)
    }

    /// Returns the number of rows present.
    pub fn len(&self) -> u64 {
        self.count
    }

    fn position(row: u64) -> (usize, u32) {
        // Row numbers come from counting input records, so they fit in memory-sized indexes.
        ((row / 64) as usize, (row % 64) as u32)
    }
}

/// Counts of each status among the lines of an output file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Lines with status `succeeded`.
    pub succeeded: u64,
    /// Lines with status `failed`.
    pub failed: u64,
    /// Lines with status `invalid`.
    pub invalid: u64,
}

impl StatusCounts {
    /// Adds one line of the given status.
    pub fn add(&mut self, status: RowStatus) {
        match status {
            RowStatus::Succeeded => self.succeeded += 1,
            RowStatus::Failed => self.failed += 1,
            RowStatus::Invalid => self.invalid += 1,
        }
    }
}

/// Result of scanning an existing output file.
#[derive(Debug, Default)]
pub struct OutputState {
    /// Rows that already have a line.
    pub done: RowSet,
    /// Status counts of those lines.
    pub counts: StatusCounts,
    /// Input hash of each finished row, indexed by row number; 0 for a row without a line
    /// or with a line written before output lines carried `inputHash`.
    pub hashes: Vec<u64>,
    /// Largest row number in the output, 0 when it is empty.
    pub max_row: u64,
    /// Bytes of the partial last line that were cut off, 0 when there was none.
    pub truncated_bytes: u64,
}

/// Error that prevents resuming from an output file.
#[derive(Debug)]
pub enum ScanError {
    /// Reading or truncating failed.
    Io(io::Error),
    /// A complete line is not a batch result line.
    NotResult {
        /// 1-based line number.
        line: u64,
        /// The decoding error.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineHead {
    row: u64,
    status: RowStatus,
    #[serde(default)]
    input_hash: Option<String>,
}

/// Scans an existing output file, truncating a partial last line. A missing file scans as
/// empty.
///
/// # Errors
///
/// Fails when the file cannot be read or truncated, or a complete line is not a result line.
pub fn scan(path: &Path) -> Result<OutputState, ScanError> {
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(OutputState::default());
        }
        Err(error) => return Err(ScanError::Io(error)),
    };

    let mut state = OutputState::default();
    let mut reader = BufReader::with_capacity(1 << 16, &file);
    let mut line = Vec::new();
    let mut complete_bytes = 0u64;
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(ScanError::Io)?;
        if read == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            state.truncated_bytes = read as u64;
            break;
        }
        line_number += 1;
        let head: LineHead =
            serde_json::from_slice(&line).map_err(|error| ScanError::NotResult {
                line: line_number,
                reason: error.to_string(),
            })?;
        if head.row == 0 || head.row > MAX_ROW {
            return Err(ScanError::NotResult {
                line: line_number,
                reason: format!("row {} is outside 1..={MAX_ROW}", head.row),
            });
        }
        let hash = match head.input_hash.as_deref() {
            Some(text) => u64::from_str_radix(text, 16).map_err(|_| ScanError::NotResult {
                line: line_number,
                reason: format!("inputHash `{text}` is not a 64-bit hex number"),
            })?,
            None => 0,
        };
        if state.done.insert(head.row) {
            state.counts.add(head.status);
            let index = row_index(head.row);
            if state.hashes.len() <= index {
                state.hashes.resize(index + 1, 0);
            }
            state.hashes[index] = hash;
        }
        state.max_row = state.max_row.max(head.row);
        complete_bytes += read as u64;
    }
    drop(reader);

    if state.truncated_bytes > 0 {
        file.set_len(complete_bytes).map_err(ScanError::Io)?;
        file.sync_all().map_err(ScanError::Io)?;
    }
    Ok(state)
}

/// Converts a row number to a vector index. Row numbers come from counting input records,
/// so they fit in memory-sized indexes.
pub fn row_index(row: u64) -> usize {
    usize::try_from(row).unwrap_or(usize::MAX)
}

/// Appends result lines to the output file.
pub struct OutputWriter {
    writer: BufWriter<File>,
    path: PathBuf,
}

impl OutputWriter {
    /// Opens the file for appending, creating it when missing.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be opened.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(OutputWriter {
            writer: BufWriter::with_capacity(1 << 16, file),
            path: path.to_owned(),
        })
    }

    /// Buffers one line.
    ///
    /// # Errors
    ///
    /// Fails when the buffer cannot be written out.
    pub fn write(&mut self, line: &ResultLine) -> io::Result<()> {
        serde_json::to_writer(&mut self.writer, line)?;
        self.writer.write_all(b"\n")
    }

    /// Hands buffered lines to the operating system, so they survive the process being
    /// killed.
    ///
    /// # Errors
    ///
    /// Fails when the write fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Flushes and then forces the lines to disk, so they survive a power loss.
    ///
    /// # Errors
    ///
    /// Fails when the write or the sync fails.
    pub fn sync(&mut self) -> io::Result<()> {
        self.writer.flush()?;
        self.writer.get_ref().sync_data()
    }

    /// Returns the file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_set_counts_each_row_once() {
        let mut rows = RowSet::default();
        assert!(rows.insert(1));
        assert!(rows.insert(1_000_000));
        assert!(!rows.insert(1));
        assert!(rows.contains(1));
        assert!(!rows.contains(2));
        assert!(rows.contains(1_000_000));
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn scan_truncates_partial_last_line() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("out.jsonl");
        std::fs::write(
            &path,
            "{\"row\":2,\"status\":\"succeeded\"}\n{\"row\":1,\"status\":\"failed\"}\n{\"row\":3,\"sta",
        )
        .expect("write");

        let state = scan(&path).expect("scan");
        assert!(state.done.contains(1));
        assert!(state.done.contains(2));
        assert!(!state.done.contains(3));
        assert_eq!(state.counts.failed, 1);
        assert_eq!(state.truncated_bytes, 13);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.ends_with("\"failed\"}\n"), "{text}");
    }

    #[test]
    fn scan_rejects_foreign_lines() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("out.jsonl");
        std::fs::write(&path, "{\"row\":1,\"status\":\"succeeded\"}\nhello\n").expect("write");
        match scan(&path) {
            Err(ScanError::NotResult { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected NotResult, got {other:?}"),
        }
    }
}
