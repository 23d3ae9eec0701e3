//! The check that a resumed batch reads the same input its output and journal were made
//! from.

use std::collections::HashMap;
use std::path::Path;

use octave_types::AgentKind;

use super::input::{self, InputFormat, RowReader};
use super::journal::{self, Pending};
use super::output::{OutputState, format_hash, row_index};
use crate::exit::{CliError, CliResult};

/// Reads the input once and compares the hash of every row that is already in the output or
/// the journal with the hash recorded for it. Standard input cannot be read twice, so it is
/// checked row by row while the batch runs instead.
///
/// # Errors
///
/// Returns a usage error that names the first row whose input changed, or the last recorded
/// row when the input has fewer rows than the output or journal. Returns a file error when
/// the input cannot be read.
pub fn verify(
    path: &Path,
    format: InputFormat,
    kind: AgentKind,
    state: &OutputState,
    pending: &HashMap<u64, Pending>,
) -> CliResult<()> {
    if path == Path::new("-") || (state.done.len() == 0 && pending.is_empty()) {
        return Ok(());
    }
    let read_error = |error: std::io::Error| CliError::io("read", path, &error);
    let source = input::open(path).map_err(|error| super::input_error(path, error))?;
    let mut reader =
        RowReader::new(source, format, kind).map_err(|error| super::input_error(path, error))?;

    let mut last = 0;
    while let Some(row) = reader.next_row().map_err(read_error)? {
        let number = row.number();
        last = number;
        let journaled = pending.get(&number);
        if !state.done.contains(number) && journaled.is_none() {
            continue;
        }
        let hash = journal::row_hash(&row);
        // NOTE: journals written before intents recorded the row hash hold a hash of the
        // prepared input instead, so an in-flight row from such a journal reads as changed.
        let journal_differs = journaled.is_some_and(|entry| entry.fingerprint != format_hash(hash));
        if changed(&state.hashes, number, hash) || journal_differs {
            return Err(CliError::usage(changed_row_message(number)));
        }
    }

    let recorded = pending
        .keys()
        .copied()
        .max()
        .unwrap_or(0)
        .max(state.max_row);
    if recorded > last {
        return Err(CliError::usage(beyond_input_message(recorded, last)));
    }
    Ok(())
}

/// Returns `true` when the output recorded a different input hash for `row`. Lines written
/// without `inputHash` (hash 0) cannot be checked and pass.
pub fn changed(done_hashes: &[u64], row: u64, hash: u64) -> bool {
    done_hashes
        .get(row_index(row))
        .is_some_and(|&recorded| recorded != 0 && recorded != hash)
}

/// Describes an output or journal that has rows past the end of the input.
pub fn beyond_input_message(recorded: u64, input_rows: u64) -> String {
    let rows = if input_rows == 1 { "row" } else { "rows" };
    format!(
        "the output or journal has row {recorded}, but the input has only {input_rows} {rows}; \
         rerun with the original input, or use a new --output (or delete the old output and \
         its journal)"
    )
}

/// Describes an input row that differs from the one recorded by an earlier run.
pub fn changed_row_message(row: u64) -> String {
    format!(
        "input row {row} differs from the row this output was made from; rerun with the \
         original input, or use a new --output (or delete the old output and its journal)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_compares_recorded_hashes() {
        let hashes = [0, 11, 0, 33];
        assert!(!changed(&hashes, 1, 11));
        assert!(changed(&hashes, 1, 12));
        assert!(!changed(&hashes, 2, 99), "a line without inputHash passes");
        assert!(changed(&hashes, 3, 34));
        assert!(!changed(&hashes, 9, 1), "a row past the vector has no line");
    }

    #[test]
    fn messages_name_row_and_output_flag() {
        let changed = changed_row_message(7);
        assert!(changed.contains("row 7"), "{changed}");
        assert!(changed.contains("--output"), "{changed}");
        let beyond = beyond_input_message(5, 1);
        assert!(beyond.contains("row 5"), "{beyond}");
        assert!(beyond.contains("only 1 row;"), "{beyond}");
    }
}
