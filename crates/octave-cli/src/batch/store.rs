//! The batch's single writer of the journal and the output file, on its own thread.
//!
//! Row tasks send it messages. It appends journal records, syncs intents in groups before
//! acknowledging them, writes output lines, and compacts the journal when it grows. One
//! writer for both files keeps their order simple, because compaction drops a row's journal
//! records only after its output line is synced.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::journal::{self, COMPACT_AT_BYTES, Header, Journal, Pending};
use super::output::{OutputWriter, ResultLine};

/// Time between syncs of the output file (and of `submitted` records).
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// Maximum number of messages handled between two flushes.
const GROUP_LIMIT: usize = 4096;

enum Message {
    Intent {
        row: u64,
        pending: Pending,
        ack: oneshot::Sender<io::Result<()>>,
    },
    Submitted {
        row: u64,
        request_id: String,
    },
    Finished(ResultLine),
}

/// A cloneable handle that sends records to the writer thread.
#[derive(Clone)]
pub struct Store {
    sender: mpsc::Sender<Message>,
}

/// Error returned when the writer thread has stopped.
#[derive(Debug)]
pub struct StoreClosed;

impl Store {
    /// Starts the writer thread. `pending` contains the unfinished rows already in the journal.
    ///
    /// # Errors
    ///
    /// Fails when the thread cannot be started.
    pub fn start(
        journal: Journal,
        output: OutputWriter,
        header: Header,
        pending: HashMap<u64, Pending>,
    ) -> io::Result<(Store, JoinHandle<Result<(), String>>)> {
        let (sender, receiver) = mpsc::channel(1024);
        let writer = Writer {
            journal,
            output,
            header,
            pending,
            journal_buffer: String::new(),
            acks: Vec::new(),
            last_sync: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("octave-batch-writer".into())
            .spawn(move || writer.run(receiver))?;
        Ok((Store { sender }, thread))
    }

    /// Records that `row` is about to be submitted and waits until the record is on disk.
    ///
    /// # Errors
    ///
    /// Fails when the writer has stopped or the sync failed.
    pub async fn intent(&self, row: u64, pending: Pending) -> Result<(), StoreClosed> {
        let (ack, done) = oneshot::channel();
        self.sender
            .send(Message::Intent { row, pending, ack })
            .await
            .map_err(|_| StoreClosed)?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(StoreClosed),
        }
    }

    /// Records the request id of a submitted row, without waiting for disk.
    ///
    /// # Errors
    ///
    /// Fails when the writer has stopped.
    pub async fn submitted(&self, row: u64, request_id: String) -> Result<(), StoreClosed> {
        self.sender
            .send(Message::Submitted { row, request_id })
            .await
            .map_err(|_| StoreClosed)
    }

    /// Writes a row's output line.
    ///
    /// # Errors
    ///
    /// Fails when the writer has stopped.
    pub async fn finished(&self, line: ResultLine) -> Result<(), StoreClosed> {
        self.sender
            .send(Message::Finished(line))
            .await
            .map_err(|_| StoreClosed)
    }
}

struct Writer {
    journal: Journal,
    output: OutputWriter,
    header: Header,
    pending: HashMap<u64, Pending>,
    journal_buffer: String,
    acks: Vec<oneshot::Sender<io::Result<()>>>,
    last_sync: Instant,
}

impl Writer {
    fn run(mut self, mut receiver: mpsc::Receiver<Message>) -> Result<(), String> {
        while let Some(first) = receiver.blocking_recv() {
            let mut group = vec![first];
            while group.len() < GROUP_LIMIT {
                match receiver.try_recv() {
                    Ok(message) => group.push(message),
                    Err(_) => break,
                }
            }
            if let Err(error) = self.write_group(group) {
                let message = self.describe(&error);
                for ack in self.acks.drain(..) {
                    let _ = ack.send(Err(io::Error::other(message.clone())));
                }
                return Err(message);
            }
        }
        self.output
            .sync()
            .and_then(|()| self.journal.sync())
            .map_err(|error| self.describe(&error))
    }

    fn write_group(&mut self, group: Vec<Message>) -> io::Result<()> {
        for message in group {
            match message {
                Message::Intent { row, pending, ack } => {
                    self.journal_buffer.push_str(&journal::intent_line(
                        row,
                        &pending.external_id,
                        &pending.fingerprint,
                    ));
                    self.pending.insert(row, pending);
                    self.acks.push(ack);
                }
                Message::Submitted { row, request_id } => {
                    self.journal_buffer
                        .push_str(&journal::submitted_line(row, &request_id));
                    if let Some(entry) = self.pending.get_mut(&row) {
                        entry.request_id = Some(request_id);
                    }
                }
                Message::Finished(line) => {
                    self.output.write(&line)?;
                    self.pending.remove(&line.row);
                }
            }
        }

        if !self.journal_buffer.is_empty() {
            self.journal.append(self.journal_buffer.as_bytes())?;
            self.journal_buffer.clear();
        }
        if !self.acks.is_empty() {
            self.journal.sync()?;
            for ack in self.acks.drain(..) {
                let _ = ack.send(Ok(()));
            }
        }
        self.output.flush()?;

        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.output.sync()?;
            self.journal.sync()?;
            self.last_sync = Instant::now();
        }
        if self.journal.len() > COMPACT_AT_BYTES {
            self.output.sync()?;
            let path: PathBuf = self.journal.path().to_owned();
            self.journal = Journal::write_new(&path, &self.header, &self.pending)?;
            tracing::debug!(rows = self.pending.len(), "compacted the batch journal");
        }
        Ok(())
    }

    fn describe(&self, error: &io::Error) -> String {
        format!(
            "failed to write {} or {}: {error}",
            self.output.path().display(),
            self.journal.path().display()
        )
    }
}
