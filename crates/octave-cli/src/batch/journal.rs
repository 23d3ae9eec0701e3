//! The batch journal: the record that lets a killed batch resume without submitting a row
//! twice or losing a result it already paid for.
//!
//! # File
//!
//! The journal lives beside the output as `OUTPUT.journal`. It is UTF-8 text with one JSON
//! value per `\n`-terminated line, only ever appended to, except when it is compacted
//! (below).
//!
//! The first line is the header:
//!
//! ```text
//! {"journal":"octave-batch","version":1,"batchId":"5f0c9a2e7d41b8c3","kind":"enrich-company","format":"csv","agentOId":"ca_1","experimentOId":null}
//! ```
//!
//! `batchId` is 16 random hex digits chosen when the journal is created. The other fields
//! must match the arguments of a resumed batch, because they decide what each row sends.
//!
//! Each following line is one record, a JSON array:
//!
//! - `["intent", ROW, EXTERNAL_ID, FINGERPRINT]`: the row (1-based, in input order) is about
//!   to be submitted with the header `x-external-request-id: EXTERNAL_ID`
//!   (`BATCHID-ROW`). `FINGERPRINT` is the row's input hash ([`row_hash`], 16 hex digits),
//!   the same value as the `inputHash` of its output line.
//! - `["submitted", ROW, REQUEST_ID]`: the API accepted the row's run as `REQUEST_ID`.
//!
//! Finished rows have no record here: the output file is the record of finished rows.
//!
//! # Durability
//!
//! - The header is written and synced, and then the directory is synced, before anything
//!   else happens.
//! - An `intent` record is synced to disk before its submission is sent. Intents are synced
//!   in groups: one sync covers every intent queued while the previous one ran.
//! - A `submitted` record is appended without waiting for a sync; the next sync covers it.
//!   If it is lost, the row is resubmitted with the same external id, which the API
//!   deduplicates into the same run.
//! - Output lines are handed to the operating system as they complete (so they survive
//!   `kill -9`) and synced every second, before compaction and at the end.
//!
//! # Recovery
//!
//! A resumed batch first scans the output (cutting a partial last line) into a bitset of
//! finished rows. It then reads the journal, ignoring a last line without `\n` (a torn
//! write), and keeps, for each row that is not finished, its external id, fingerprint and
//! request id if known. Memory is one bit per input row plus one entry per unfinished row.
//!
//! While the input is read again, each row is handled by what is known about it:
//!
//! - in the output: skipped;
//! - `submitted`: not sent again, its run is polled by request id;
//! - `intent` only: resubmitted with the same external id;
//! - unknown: a fresh submission.
//!
//! Before any of that, the input hash of every row that is in the output or the journal is
//! compared with the current input. A batch whose input changed (a different hash, or
//! results for rows past the end of the input) stops with a usage error before sending
//! anything, because its old results would be mixed with results of the new input.
//!
//! # Compaction
//!
//! At start and whenever the file passes [`COMPACT_AT_BYTES`], the journal is rewritten to
//! the header plus the records of unfinished rows. First the output is synced. Then the new
//! journal is written to `OUTPUT.journal.tmp`, synced and renamed over the old one, and the
//! directory is synced. A crash at any point leaves either the old or the new journal, and
//! both are valid.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::input::Row;
use super::output::RowSet;

/// Size past which a running batch compacts its journal.
pub const COMPACT_AT_BYTES: u64 = 8 << 20;

const JOURNAL_NAME: &str = "octave-batch";
const VERSION: u32 = 1;

/// The journal's first line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// Always `octave-batch`.
    pub journal: String,
    /// Format version, 1.
    pub version: u32,
    /// Random id that prefixes every external request id of the batch.
    pub batch_id: String,
    /// Agent kind slug.
    pub kind: String,
    /// Input format, `csv` or `jsonl`.
    pub format: String,
    /// The `--agent` argument.
    #[serde(rename = "agentOId")]
    pub agent_o_id: Option<String>,
    /// The `--experiment` argument.
    #[serde(rename = "experimentOId")]
    pub experiment_o_id: Option<String>,
}

impl Header {
    /// Builds the header of a new journal with a fresh batch id.
    pub fn new(
        kind: &str,
        format: &str,
        agent_o_id: Option<String>,
        experiment_o_id: Option<String>,
    ) -> Self {
        Header {
            journal: JOURNAL_NAME.to_owned(),
            version: VERSION,
            batch_id: format!("{:016x}", rand::random::<u64>()),
            kind: kind.to_owned(),
            format: format.to_owned(),
            agent_o_id,
            experiment_o_id,
        }
    }

    /// Returns the external request id of a row.
    pub fn external_id(&self, row: u64) -> String {
        format!("{}-{row}", self.batch_id)
    }

    /// Names the first setting that differs from `other`, ignoring the batch id.
    pub fn mismatch(&self, other: &Header) -> Option<String> {
        let describe = |value: &Option<String>| value.clone().unwrap_or_else(|| "none".into());
        if self.kind != other.kind {
            return Some(format!("kind {} (now {})", self.kind, other.kind));
        }
        if self.format != other.format {
            return Some(format!(
                "input format {} (now {})",
                self.format, other.format
            ));
        }
        if self.agent_o_id != other.agent_o_id {
            return Some(format!(
                "--agent {} (now {})",
                describe(&self.agent_o_id),
                describe(&other.agent_o_id)
            ));
        }
        if self.experiment_o_id != other.experiment_o_id {
            return Some(format!(
                "--experiment {} (now {})",
                describe(&self.experiment_o_id),
                describe(&other.experiment_o_id)
            ));
        }
        None
    }
}

/// Journal entry of a row that is not finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The external request id sent with its submission.
    pub external_id: String,
    /// Fingerprint of the input sent.
    pub fingerprint: String,
    /// The run's id, once the API accepted it.
    pub request_id: Option<String>,
}

/// Error that prevents using a journal.
#[derive(Debug)]
pub enum JournalError {
    /// Reading or writing failed.
    Io(io::Error),
    /// The file is not a batch journal or a line is malformed.
    Corrupt {
        /// 1-based line number.
        line: u64,
        /// Description of the problem.
        reason: String,
    },
}

impl From<io::Error> for JournalError {
    fn from(error: io::Error) -> Self {
        JournalError::Io(error)
    }
}

/// Returns the journal path of an output file: the output path plus `.journal`.
pub fn path_for(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Returns the FNV-1a 64-bit hash of a JSON value's compact text. Never returns 0, which
/// output scans use for "no hash".
pub fn fingerprint(input: &Value) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let text = input.to_string();
    let hash = text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    hash.max(1)
}

/// Returns the fingerprint of an input row as read from the file: its fields, or for a row
/// that cannot be read, the reason. Settings such as `--agent` are left out because the
/// journal header already pins them.
pub fn row_hash(row: &Row) -> u64 {
    match row {
        Row::Fields(_, fields) => fingerprint(&Value::Object(fields.clone())),
        Row::Invalid(_, reason) => fingerprint(&serde_json::json!({ "invalid": reason })),
    }
}

/// Formats an `intent` record line.
pub fn intent_line(row: u64, external_id: &str, fingerprint: &str) -> String {
    let mut line = serde_json::json!(["intent", row, external_id, fingerprint]).to_string();
    line.push('\n');
    line
}

/// Formats a `submitted` record line.
pub fn submitted_line(row: u64, request_id: &str) -> String {
    let mut line = serde_json::json!(["submitted", row, request_id]).to_string();
    line.push('\n');
    line
}

/// Reads a journal and returns its header and the unfinished rows (those not in `done`).
///
/// # Errors
///
/// Fails when the file cannot be read, has no header or has a malformed complete line.
pub fn read(path: &Path, done: &RowSet) -> Result<(Header, HashMap<u64, Pending>), JournalError> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut line = String::new();
    let mut line_number = 0u64;
    let mut header: Option<Header> = None;
    let mut pending: HashMap<u64, Pending> = HashMap::new();

    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || !line.ends_with('\n') {
            break;
        }
        line_number += 1;
        let corrupt = |reason: String| JournalError::Corrupt {
            line: line_number,
            reason,
        };

        if header.is_none() {
            let parsed: Header = serde_json::from_str(&line)
                .map_err(|error| corrupt(format!("not a batch journal header: {error}")))?;
            if parsed.journal != JOURNAL_NAME || parsed.version != VERSION {
                return Err(corrupt(format!(
                    "unsupported journal `{}` version {}",
                    parsed.journal, parsed.version
                )));
            }
            header = Some(parsed);
            continue;
        }

        let record: Vec<Value> = serde_json::from_str(&line)
            .map_err(|error| corrupt(format!("malformed record: {error}")))?;
        let (tag, row, text) = match record.as_slice() {
            [Value::String(tag), row, Value::String(text), ..] => (tag.as_str(), row, text),
            _ => return Err(corrupt("expected [TAG, ROW, ID, ...]".into())),
        };
        let row = row
            .as_u64()
            .ok_or_else(|| corrupt("row is not a positive integer".into()))?;
        if done.contains(row) {
            continue;
        }
        match tag {
            "intent" => {
                let fingerprint = record
                    .get(3)
                    .and_then(Value::as_str)
                    .ok_or_else(|| corrupt("intent record has no fingerprint".into()))?;
                let entry = pending.entry(row).or_insert_with(|| Pending {
                    external_id: text.clone(),
                    fingerprint: fingerprint.to_owned(),
                    request_id: None,
                });
                entry.external_id = text.clone();
                entry.fingerprint = fingerprint.to_owned();
            }
            "submitted" => match pending.get_mut(&row) {
                Some(entry) => entry.request_id = Some(text.clone()),
                None => return Err(corrupt(format!("row {row} submitted without an intent"))),
            },
            other => return Err(corrupt(format!("unknown record `{other}`"))),
        }
    }

    let header = header.ok_or_else(|| JournalError::Corrupt {
        line: 1,
        reason: "the file has no complete header line".into(),
    })?;
    Ok((header, pending))
}

/// An open journal, appended to by the batch's writer thread.
pub struct Journal {
    file: File,
    path: PathBuf,
    len: u64,
}

impl Journal {
    /// Writes a new journal holding the header and the given unfinished rows, and makes it
    /// durable: used to create a journal and to compact one.
    ///
    /// # Errors
    ///
    /// Fails when a file cannot be written, synced or renamed.
    pub fn write_new(
        path: &Path,
        header: &Header,
        pending: &HashMap<u64, Pending>,
    ) -> io::Result<Journal> {
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);

        let mut text = serde_json::to_string(header)?;
        text.push('\n');
        let mut rows: Vec<&u64> = pending.keys().collect();
        rows.sort_unstable();
        for row in rows {
            let entry = &pending[row];
            text.push_str(&intent_line(*row, &entry.external_id, &entry.fingerprint));
            if let Some(request_id) = &entry.request_id {
                text.push_str(&submitted_line(*row, request_id));
            }
        }

        let mut file = File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)?;
        sync_directory(path)?;

        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Journal {
            file,
            path: path.to_owned(),
            len: text.len() as u64,
        })
    }

    /// Appends record lines without syncing.
    ///
    /// # Errors
    ///
    /// Fails when the write fails.
    pub fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        self.file.write_all(lines)?;
        self.len += lines.len() as u64;
        Ok(())
    }

    /// Forces appended records to disk.
    ///
    /// # Errors
    ///
    /// Fails when the sync fails.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Returns the file's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Returns the file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Syncs the directory that contains `path`, so a created or renamed entry is durable.
fn sync_directory(path: &Path) -> io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(directory)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::new("enrich-company", "csv", Some("ca_1".into()), None)
    }

    #[test]
    fn recovers_unfinished_rows() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("out.jsonl.journal");
        let header = header();
        let mut journal = Journal::write_new(&path, &header, &HashMap::new()).expect("create");
        let mut lines = String::new();
        lines.push_str(&intent_line(1, "b-1", "f1"));
        lines.push_str(&intent_line(2, "b-2", "f2"));
        lines.push_str(&submitted_line(1, "req_1"));
        lines.push_str(&intent_line(3, "b-3", "f3"));
        lines.push_str(&submitted_line(3, "req_3"));
        lines.push_str("[\"submitted\",2,\"req_");
        journal.append(lines.as_bytes()).expect("append");

        let mut done = RowSet::default();
        done.insert(3);
        let (read_header, pending) = read(&path, &done).expect("read");
        assert_eq!(read_header, header);
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[&1].request_id.as_deref(), Some("req_1"));
        assert_eq!(pending[&2].request_id, None);
        assert_eq!(pending[&2].external_id, "b-2");
        assert_eq!(pending[&2].fingerprint, "f2");
    }

    #[test]
    fn compaction_keeps_unfinished_rows() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("out.jsonl.journal");
        let mut pending = HashMap::new();
        pending.insert(
            7,
            Pending {
                external_id: "b-7".into(),
                fingerprint: "f7".into(),
                request_id: Some("req_7".into()),
            },
        );
        Journal::write_new(&path, &header(), &pending).expect("write");
        let (_, read_back) = read(&path, &RowSet::default()).expect("read");
        assert_eq!(read_back, pending);
    }

    #[test]
    fn rejects_malformed_middle_line() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("j");
        let mut journal = Journal::write_new(&path, &header(), &HashMap::new()).expect("create");
        journal
            .append(b"garbage\n[\"intent\",1,\"b-1\",\"f\"]\n")
            .expect("append");
        match read(&path, &RowSet::default()) {
            Err(JournalError::Corrupt { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn header_mismatch_names_setting() {
        let old = header();
        let mut new = header();
        new.agent_o_id = Some("ca_2".into());
        let reason = old.mismatch(&new).expect("mismatch");
        assert!(
            reason.contains("ca_1") && reason.contains("ca_2"),
            "{reason}"
        );
        assert_eq!(old.mismatch(&old.clone()), None);
    }

    #[test]
    fn fingerprint_is_stable() {
        let value = serde_json::json!({"companyDomain": "a.com"});
        assert_eq!(fingerprint(&value), fingerprint(&value.clone()));
        assert_ne!(fingerprint(&value), fingerprint(&serde_json::json!({})));
        assert_ne!(fingerprint(&value), 0);
    }
}
