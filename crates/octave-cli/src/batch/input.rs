//! Streaming readers of batch input: CSV with a header row, or JSON Lines.
//!
//! Rows are numbered from 1 in file order: CSV data records (the header is not a row), or
//! non-blank JSON lines (blank lines are skipped and not numbered). The reader keeps one row
//! in memory at a time, so memory does not grow with the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use octave_types::AgentKind;
use serde_json::{Map, Value};

use crate::fields;

/// Format of the input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl InputFormat {
    /// Returns the name stored in the journal.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::Jsonl => "jsonl",
        }
    }

    /// Picks the format from the file extension: `.csv`, or `.jsonl`/`.ndjson`.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(InputFormat::Csv),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            _ => None,
        }
    }
}

/// One input row.
#[derive(Debug)]
pub enum Row {
    /// The row's fields, keyed by JSON field name.
    Fields(u64, Map<String, Value>),
    /// The row cannot be turned into fields; the reason names what is wrong.
    Invalid(u64, String),
}

impl Row {
    /// Returns the row number.
    pub fn number(&self) -> u64 {
        match self {
            Row::Fields(number, _) | Row::Invalid(number, _) => *number,
        }
    }
}

/// Error that prevents reading the input at all (as opposed to one invalid row).
#[derive(Debug)]
pub enum InputError {
    /// The file cannot be opened or read.
    Io(PathBuf, io::Error),
    /// The CSV header names a column the kind does not accept.
    UnknownColumn {
        /// The column as written in the header.
        column: String,
        /// The kind's valid field names.
        valid: String,
    },
    /// The CSV header cannot be read.
    Header(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Io(path, error) => {
                write!(formatter, "failed to read {}: {error}", path.display())
            }
            InputError::UnknownColumn { column, valid } => write!(
                formatter,
                "unknown input column `{column}`; valid columns (camelCase or snake_case): {valid}"
            ),
            InputError::Header(reason) => write!(formatter, "invalid CSV header: {reason}"),
        }
    }
}

/// Opens the input: a file path, or `-` for standard input.
///
/// # Errors
///
/// Fails when the file cannot be opened.
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>, InputError> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdin()));
    }
    File::open(path)
        .map(|file| Box::new(file) as Box<dyn Read + Send>)
        .map_err(|error| InputError::Io(path.to_owned(), error))
}

/// A streaming reader of rows.
pub enum RowReader {
    /// CSV records mapped through the header.
    Csv {
        /// The CSV reader.
        reader: csv::Reader<Box<dyn Read + Send>>,
        /// JSON field name of each column.
        columns: Vec<&'static str>,
        /// Reused record buffer.
        record: csv::StringRecord,
        /// Number of the last row read.
        row: u64,
    },
    /// JSON Lines.
    Jsonl {
        /// Buffered source.
        reader: BufReader<Box<dyn Read + Send>>,
        /// The agent kind the keys are mapped to.
        kind: AgentKind,
        /// Reused line buffer.
        line: String,
        /// Number of the last row read.
        row: u64,
        /// 1-based line number of the last line read.
        line_number: u64,
    },
}

impl RowReader {
    /// Starts reading; for CSV this reads and checks the header row.
    ///
    /// # Errors
    ///
    /// Fails on a CSV header that cannot be read or names an unknown column.
    pub fn new(
        source: Box<dyn Read + Send>,
        format: InputFormat,
        kind: AgentKind,
    ) -> Result<Self, InputError> {
        match format {
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .trim(csv::Trim::All)
                    .from_reader(source);
                let headers = reader
                    .headers()
                    .map_err(|error| InputError::Header(error.to_string()))?
                    .clone();
                let mut columns = Vec::with_capacity(headers.len());
                for column in headers.iter() {
                    let json_name = fields::resolve_column(kind, column).ok_or_else(|| {
                        InputError::UnknownColumn {
                            column: column.to_owned(),
                            valid: fields::valid_names(kind),
                        }
                    })?;
                    if columns.contains(&json_name) {
                        return Err(InputError::Header(format!(
                            "column `{column}` repeats the column {json_name}; keep one of them"
                        )));
                    }
                    columns.push(json_name);
                }
                Ok(RowReader::Csv {
                    reader,
                    columns,
                    record: csv::StringRecord::new(),
                    row: 0,
                })
            }
            InputFormat::Jsonl => Ok(RowReader::Jsonl {
                reader: BufReader::with_capacity(1 << 16, source),
                kind,
                line: String::new(),
                row: 0,
                line_number: 0,
            }),
        }
    }

    /// Reads the next row; `Ok(None)` at the end of the input.
    ///
    /// # Errors
    ///
    /// Fails only when the source cannot be read; a malformed row is returned as
    /// [`Row::Invalid`].
    pub fn next_row(&mut self) -> io::Result<Option<Row>> {
        match self {
            RowReader::Csv {
                reader,
                columns,
                record,
                row,
            } => {
                let read = reader.read_record(record);
                let more = match read {
                    Ok(more) => more,
                    Err(error) if matches!(error.kind(), csv::ErrorKind::Io(_)) => {
                        return Err(io::Error::other(error));
                    }
                    Err(error) => {
                        *row += 1;
                        return Ok(Some(Row::Invalid(*row, format!("malformed CSV: {error}"))));
                    }
                };
                if !more {
                    return Ok(None);
                }
                *row += 1;
                Ok(Some(csv_row(*row, columns, record)))
            }
            RowReader::Jsonl {
                reader,
                kind,
                line,
                row,
                line_number,
            } => loop {
                line.clear();
                if reader.read_line(line)? == 0 {
                    return Ok(None);
                }
                *line_number += 1;
                if line.trim().is_empty() {
                    continue;
                }
                *row += 1;
                return Ok(Some(jsonl_row(*row, *line_number, *kind, line)));
            },
        }
    }
}

fn csv_row(row: u64, columns: &[&'static str], record: &csv::StringRecord) -> Row {
    if record.len() != columns.len() {
        return Row::Invalid(
            row,
            format!(
                "the row has {} fields, but the header has {}",
                record.len(),
                columns.len()
            ),
        );
    }
    let mut fields = Map::new();
    for (json_name, cell) in columns.iter().zip(record.iter()) {
        if cell.is_empty() {
            continue;
        }
        match fields::parse_text(json_name, cell) {
            Ok(value) => {
                fields.insert((*json_name).to_owned(), value);
            }
            Err(reason) => return Row::Invalid(row, reason),
        }
    }
    Row::Fields(row, fields)
}

fn jsonl_row(row: u64, line_number: u64, kind: AgentKind, line: &str) -> Row {
    let object = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return Row::Invalid(row, format!("line {line_number} is not a JSON object"));
        }
        Err(error) => {
            return Row::Invalid(
                row,
                format!("line {line_number} is not valid JSON: {error}"),
            );
        }
    };
    match fields::map_object(kind, object) {
        Ok(fields) => Row::Fields(row, fields),
        Err(reason) => Row::Invalid(row, reason),
    }
}

/// Counts the rows of a regular file for the progress total, reading it once. Returns
/// `None` for standard input or when the file cannot be read.
pub fn count_rows(path: &Path, format: InputFormat) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    let file = File::open(path).ok()?;
    match format {
        InputFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
            let mut record = csv::ByteRecord::new();
            let mut count = 0;
            loop {
                match reader.read_byte_record(&mut record) {
                    Ok(true) => count += 1,
                    Ok(false) => return Some(count),
                    Err(error) if matches!(error.kind(), csv::ErrorKind::Io(_)) => return None,
                    Err(_) => count += 1,
                }
            }
        }
        InputFormat::Jsonl => {
            let mut reader = BufReader::with_capacity(1 << 16, file);
            let mut line = Vec::new();
            let mut count = 0;
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) => return Some(count),
                    Ok(_) if line.iter().all(u8::is_ascii_whitespace) => {}
                    Ok(_) => count += 1,
                    Err(_) => return None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str, format: InputFormat) -> Result<RowReader, InputError> {
        let source: Box<dyn Read + Send> = Box::new(io::Cursor::new(text.to_owned()));
        RowReader::new(source, format, AgentKind::EnrichCompany)
    }

    fn all_rows(mut reader: RowReader) -> Vec<Row> {
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().expect("read") {
            rows.push(row);
        }
        rows
    }

    #[test]
    fn csv_maps_snake_case_headers() {
        let rows = all_rows(
            reader(
                "company_domain,companyName\na.com,A\n,B\nc.com\n",
                InputFormat::Csv,
            )
            .expect("header"),
        );
        assert_eq!(rows.len(), 3);
        match &rows[0] {
            Row::Fields(1, fields) => {
                assert_eq!(fields["companyDomain"], "a.com");
                assert_eq!(fields["companyName"], "A");
            }
            other => panic!("unexpected {other:?}"),
        }
        match &rows[1] {
            Row::Fields(2, fields) => assert!(!fields.contains_key("companyDomain")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(&rows[2], Row::Invalid(3, reason) if reason.contains("1 fields")));
    }

    #[test]
    fn csv_unknown_column_lists_valid_ones() {
        let error = reader("domain,shoe_size\n", InputFormat::Csv)
            .err()
            .expect("unknown column");
        let message = error.to_string();
        assert!(message.contains("`shoe_size`"), "{message}");
        assert!(message.contains("companyDomain"), "{message}");
    }

    #[test]
    fn jsonl_skips_blank_lines_and_flags_bad_ones() {
        let rows = all_rows(
            reader(
                "{\"companyDomain\":\"a.com\"}\n\n[1]\nnot json\n{\"company_name\":\"B\"}\n",
                InputFormat::Jsonl,
            )
            .expect("reader"),
        );
        assert_eq!(rows.len(), 4);
        assert!(matches!(&rows[0], Row::Fields(1, _)));
        assert!(matches!(&rows[1], Row::Invalid(2, reason) if reason.contains("line 3")));
        assert!(matches!(&rows[2], Row::Invalid(3, reason) if reason.contains("line 4")));
        assert!(matches!(&rows[3], Row::Fields(4, fields) if fields["companyName"] == "B"));
    }

    #[test]
    fn format_follows_extension() {
        assert_eq!(
            InputFormat::from_path(Path::new("a.CSV")),
            Some(InputFormat::Csv)
        );
        assert_eq!(
            InputFormat::from_path(Path::new("a.ndjson")),
            Some(InputFormat::Jsonl)
        );
        assert_eq!(InputFormat::from_path(Path::new("a.txt")), None);
    }
}
