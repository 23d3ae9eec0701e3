//! `octave batch`: runs an agent over every row of a file, resumably.
//!
//! A reader thread streams the input. Rows go through [`runner`] with bounded concurrency,
//! and the [`store`] thread writes the [`journal`] and the [`output`]. See [`journal`] for
//! the file format and the recovery rules.

pub mod input;
pub mod journal;
pub mod output;
mod progress;
mod resume;
mod runner;
mod store;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use serde_json::json;
use tokio::sync::mpsc;

use crate::api::WaitSettings;
use crate::args::BatchArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::stdio::{errln, outln};
use input::{InputFormat, RowReader};
use journal::{Header, Journal};
use output::{OutputState, OutputWriter, ScanError};
use runner::{Dispatch, RowSettings, Shared, StopReason};

/// Runs a batch and returns the exit code it ends with.
///
/// # Errors
///
/// Before any row is sent, fails on invalid arguments, an unreadable input header, or an
/// output or journal that cannot be resumed. Afterwards, fails when a file cannot be read or
/// written.
pub async fn run(
    args: BatchArgs,
    client: octave::Client,
    callback_url: String,
    json: bool,
) -> CliResult<Exit> {
    let format = resolve_format(&args)?;
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        return Err(CliError::usage(format!(
            "invalid --rate {rate}: expected a number of submissions per second above 0"
        )));
    }
    if args.output == Path::new("-") {
        return Err(CliError::usage(
            "--output must be a file: the batch appends to it and resumes from it",
        ));
    }

    let source = input::open(&args.input).map_err(|error| input_error(&args.input, error))?;
    let reader = RowReader::new(source, format, args.kind)
        .map_err(|error| input_error(&args.input, error))?;

    let (state, header, pending, journal) = open_files(&args, format)?;
    resume::verify(&args.input, format, args.kind, &state, &pending)?;
    let output_writer = OutputWriter::open(&args.output)
        .map_err(|error| CliError::io("open", &args.output, &error))?;
    let (store, writer_thread) =
        store::Store::start(journal, output_writer, header.clone(), pending.clone()).map_err(
            |error| {
                CliError::new(
                    Exit::Io,
                    format!("failed to start the batch writer: {error}"),
                )
            },
        )?;

    let total = input::count_rows(&args.input, format);
    let shared = Shared::new();
    let (row_sender, row_receiver) = mpsc::channel(args.concurrency as usize * 2);
    let reader_thread = std::thread::Builder::new()
        .name("octave-batch-reader".into())
        .spawn(move || read_rows(reader, row_sender))
        .map_err(|error| {
            CliError::new(
                Exit::Io,
                format!("failed to start the input reader: {error}"),
            )
        })?;

    let progress = progress::Progress::start(shared.clone(), total);
    let dispatched = runner::dispatch(
        Dispatch {
            client,
            settings: RowSettings {
                kind: args.kind,
                agent: args.agent.clone(),
                experiment: args.experiment.clone(),
                callback_url,
                wait: WaitSettings {
                    timeout: args.row_timeout,
                    first_poll: args.poll_interval,
                    max_poll: args.max_poll_interval,
                },
            },
            header,
            store,
            shared: shared.clone(),
            done: state.done,
            done_hashes: state.hashes,
            pending,
            concurrency: args.concurrency as usize,
            rate: args.rate,
        },
        row_receiver,
    );
    // Ctrl-C drops the dispatcher, which aborts every row task. The writer thread then
    // flushes and syncs what it received, and a rerun resumes from the output and journal:
    // a row cut off after its intent was journaled is resubmitted under the same external
    // id, which the API deduplicates.
    let leftover = tokio::select! {
        leftover = dispatched => leftover,
        _ = tokio::signal::ctrl_c() => {
            shared.stop(StopReason::Interrupted);
            HashMap::new()
        }
    };
    progress.finish();

    // The reader stops on its own once the receiver is gone.
    let _ = reader_thread.join();
    let written = writer_thread
        .join()
        .unwrap_or_else(|_| Err("the batch writer thread panicked".into()));
    if let Err(message) = written {
        return Err(CliError::new(Exit::Io, message));
    }

    Ok(summarize(&args, &state.counts, &shared, &leftover, json))
}

fn resolve_format(args: &BatchArgs) -> CliResult<InputFormat> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    InputFormat::from_path(&args.input).ok_or_else(|| {
        CliError::usage(format!(
            "cannot tell the format of input `{}` from its extension; name it .csv, .jsonl or \
             .ndjson, or pass --format csv|jsonl",
            args.input.display()
        ))
    })
}

fn input_error(path: &Path, error: input::InputError) -> CliError {
    match error {
        input::InputError::Io(_, io_error) => CliError::io("read", path, &io_error),
        other => CliError::usage(format!("{}: {other}", path.display())),
    }
}

type OpenedFiles = (OutputState, Header, HashMap<u64, journal::Pending>, Journal);

/// Scans the output, reads or creates the journal and compacts it.
fn open_files(args: &BatchArgs, format: InputFormat) -> CliResult<OpenedFiles> {
    let journal_path = journal::path_for(&args.output);
    let expected = Header::new(
        args.kind.slug(),
        format.name(),
        args.agent.clone(),
        args.experiment.clone(),
    );

    let state = output::scan(&args.output).map_err(|error| match error {
        ScanError::Io(error) => CliError::io("read", &args.output, &error),
        ScanError::NotResult { line, reason } => CliError::usage(format!(
            "{} is not the output of a batch (line {line}: {reason}); choose another --output",
            args.output.display()
        )),
    })?;
    if state.truncated_bytes > 0 {
        tracing::info!(
            bytes = state.truncated_bytes,
            "cut a partial last line from the output"
        );
    }

    let (header, pending) = if journal_path.exists() {
        let (header, pending) =
            journal::read(&journal_path, &state.done).map_err(|error| match error {
                journal::JournalError::Io(error) => CliError::io("read", &journal_path, &error),
                journal::JournalError::Corrupt { line, reason } => CliError::usage(format!(
                    "{} is not a valid batch journal (line {line}: {reason}); move it away only \
                     if no batch was started with this output",
                    journal_path.display()
                )),
            })?;
        if let Some(difference) = header.mismatch(&expected) {
            return Err(CliError::usage(format!(
                "{} was written by a batch with {difference}; rerun with the same arguments to \
                 resume it, or choose another --output",
                journal_path.display()
            )));
        }
        (header, pending)
    } else if state.done.len() > 0 {
        return Err(CliError::usage(format!(
            "{} already has results but no journal {}; choose another --output",
            args.output.display(),
            journal_path.display()
        )));
    } else {
        (expected, HashMap::new())
    };

    // Finished rows are dropped from the journal below, so their lines must be on disk first.
    if let Ok(file) = std::fs::File::open(&args.output) {
        file.sync_all()
            .map_err(|error| CliError::io("sync", &args.output, &error))?;
    }
    let journal = Journal::write_new(&journal_path, &header, &pending)
        .map_err(|error| CliError::io("write", &journal_path, &error))?;
    Ok((state, header, pending, journal))
}

fn read_rows(mut reader: RowReader, sender: mpsc::Sender<std::io::Result<input::Row>>) {
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => Ok(row),
            Ok(None) => return,
            Err(error) => Err(error),
        };
        let failed = row.is_err();
        if sender.blocking_send(row).is_err() || failed {
            return;
        }
    }
}

fn summarize(
    args: &BatchArgs,
    before: &output::StatusCounts,
    shared: &Shared,
    leftover: &HashMap<u64, journal::Pending>,
    json: bool,
) -> Exit {
    let counters = &shared.counters;
    let load = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    let succeeded = before.succeeded + load(&counters.succeeded);
    let failed = before.failed + load(&counters.failed);
    let invalid = before.invalid + load(&counters.invalid);
    let reason = shared.reason();
    let interrupted = reason == Some(StopReason::Interrupted);
    let mut unfinished = load(&counters.unfinished) + leftover.len() as u64;
    if interrupted {
        unfinished += load(&counters.in_flight);
    }

    let exit = match &reason {
        Some(StopReason::Auth(_)) => Exit::Config,
        Some(StopReason::Unavailable(_)) => Exit::Unavailable,
        Some(StopReason::Store) => Exit::Io,
        Some(StopReason::Input(_)) => Exit::Usage,
        Some(StopReason::Interrupted) => Exit::Interrupted,
        None if load(&counters.timed_out) > 0 => Exit::TimedOut,
        None if unfinished > 0 => Exit::Unavailable,
        None if failed + invalid > 0 => Exit::RowsFailed,
        None => Exit::Success,
    };

    let stop_message = reason.as_ref().map(|reason| match reason {
        StopReason::Auth(message)
        | StopReason::Unavailable(message)
        | StopReason::Input(message) => message.clone(),
        StopReason::Store => "failed to write the output or journal".to_owned(),
        StopReason::Interrupted => "interrupted".to_owned(),
    });
    if json {
        let summary = json!({
            "output": args.output.display().to_string(),
            "succeeded": succeeded,
            "failed": failed,
            "invalid": invalid,
            "unfinished": unfinished,
            "skipped": load(&counters.skipped),
            "submitted": load(&counters.submitted),
            "resumed": load(&counters.resumed),
            "stoppedBecause": stop_message,
            "exitCode": exit.code(),
        });
        outln!("{summary}");
    } else {
        outln!(
            "{}: {succeeded} succeeded, {failed} failed, {invalid} invalid, {unfinished} \
             unfinished ({} submitted now, {} resumed in flight, {} already done before)",
            args.output.display(),
            load(&counters.submitted),
            load(&counters.resumed),
            load(&counters.skipped),
        );
    }
    if interrupted {
        errln!("interrupted; rerun the same command to resume");
    } else if let Some(message) = stop_message {
        errln!("error: the batch stopped: {message}");
    }
    if !interrupted && (unfinished > 0 || reason.is_some()) {
        errln!(
            "{} in flight {} no result yet; after fixing the cause, run the same command \
             again to resume the batch",
            count_rows(unfinished),
            if unfinished == 1 { "has" } else { "have" },
        );
    }
    if reason.is_none() && !leftover.is_empty() {
        errln!(
            "warning: the journal has {} submitted beyond the end of the input; was the \
             input shortened?",
            count_rows(leftover.len() as u64)
        );
    }
    exit
}

/// Formats a row count with the noun in the right number: `1 row`, `2 rows`.
fn count_rows(count: u64) -> String {
    if count == 1 {
        "1 row".to_owned()
    } else {
        format!("{count} rows")
    }
}
