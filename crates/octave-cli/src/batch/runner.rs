//! Runs the rows of a batch: bounded concurrency, an optional submission rate, one task per
//! row that submits (journaled first), waits by polling and hands its line to the writer.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use octave_types::AgentKind;
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::input::Row;
use super::journal::{self, Header, Pending};
use super::output::{ResultLine, RowSet, RowStatus, format_hash};
use super::resume;
use super::store::Store;
use crate::api::{self, ErrorClass, RunOutcome, WaitSettings};

/// Settings that apply to every row.
#[derive(Clone, Debug)]
pub struct RowSettings {
    /// The agent kind.
    pub kind: AgentKind,
    /// `agentOId` for rows that name neither an agent nor an experiment.
    pub agent: Option<String>,
    /// `experimentOId` for rows that name neither an agent nor an experiment.
    pub experiment: Option<String>,
    /// Callback URL sent with every submission.
    pub callback_url: String,
    /// Polling and deadline of each run.
    pub wait: WaitSettings,
}

/// Counters shown by the progress display and the summary.
#[derive(Debug, Default)]
pub struct Counters {
    /// Rows skipped because the output already has them.
    pub skipped: AtomicU64,
    /// Rows that succeeded in this run.
    pub succeeded: AtomicU64,
    /// Rows that failed in this run.
    pub failed: AtomicU64,
    /// Invalid rows found in this run.
    pub invalid: AtomicU64,
    /// Runs submitted and not yet finished.
    pub in_flight: AtomicU64,
    /// Submissions sent in this run (resubmissions of journaled intents included).
    pub submitted: AtomicU64,
    /// Rows submitted by an earlier run and polled again in this one.
    pub resumed: AtomicU64,
    /// Rows left without an output line (deadline passed or the batch stopped).
    pub unfinished: AtomicU64,
    /// Rows whose run was still in progress at the row deadline.
    pub timed_out: AtomicU64,
}

impl Counters {
    /// Returns the rows that got an output line in this run.
    pub fn finished(&self) -> u64 {
        self.succeeded.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed)
            + self.invalid.load(Ordering::Relaxed)
    }
}

/// Reason the batch stopped taking new rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The API key was rejected.
    Auth(String),
    /// The service kept failing after retries.
    Unavailable(String),
    /// The journal or output could not be written.
    Store,
    /// An input row changed since it was journaled, or the input could not be read.
    Input(String),
    /// Ctrl-C (SIGINT) was received.
    Interrupted,
}

/// State shared by the dispatcher and the row tasks.
pub struct Shared {
    /// Progress counters.
    pub counters: Counters,
    stopped: AtomicBool,
    reason: Mutex<Option<StopReason>>,
}

impl Shared {
    /// Creates the shared state.
    pub fn new() -> Arc<Self> {
        Arc::new(Shared {
            counters: Counters::default(),
            stopped: AtomicBool::new(false),
            reason: Mutex::new(None),
        })
    }

    /// Stops the batch; the first reason is kept.
    pub fn stop(&self, reason: StopReason) {
        self.stopped.store(true, Ordering::SeqCst);
        let mut slot = self
            .reason
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if slot.is_none() {
            tracing::warn!(reason = ?reason, "the batch stops taking new rows");
            *slot = Some(reason);
        }
    }

    /// Returns `true` once the batch has stopped taking new rows.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Returns why the batch stopped, if it did.
    pub fn reason(&self) -> Option<StopReason> {
        self.reason
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }
}

/// Spaces submissions at least `interval` apart.
struct RateLimiter {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl RateLimiter {
    async fn acquire(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

struct Context {
    client: octave::Client,
    settings: RowSettings,
    header: Header,
    store: Store,
    shared: Arc<Shared>,
    rate: Option<RateLimiter>,
}

/// Everything the dispatcher needs.
pub struct Dispatch {
    /// API client.
    pub client: octave::Client,
    /// Row settings.
    pub settings: RowSettings,
    /// The journal header (its batch id makes the external ids).
    pub header: Header,
    /// Writer of the journal and output.
    pub store: Store,
    /// Shared state.
    pub shared: Arc<Shared>,
    /// Rows already in the output.
    pub done: RowSet,
    /// Input hash of each row in the output, indexed by row number.
    pub done_hashes: Vec<u64>,
    /// Unfinished rows from the journal.
    pub pending: HashMap<u64, Pending>,
    /// Maximum runs in flight.
    pub concurrency: usize,
    /// Maximum submissions per second.
    pub rate: Option<f64>,
}

/// Reads rows from `rows` and runs them until the input ends or the batch stops. Returns the
/// journaled rows that the input never reached.
pub async fn dispatch(
    dispatch: Dispatch,
    mut rows: mpsc::Receiver<std::io::Result<Row>>,
) -> HashMap<u64, Pending> {
    let Dispatch {
        client,
        settings,
        header,
        store,
        shared,
        done,
        done_hashes,
        mut pending,
        concurrency,
        rate,
    } = dispatch;
    let rate = rate.map(|per_second| RateLimiter {
        interval: Duration::from_secs_f64(1.0 / per_second),
        next: tokio::sync::Mutex::new(Instant::now()),
    });
    let context = Arc::new(Context {
        client,
        settings,
        header,
        store,
        shared: shared.clone(),
        rate,
    });
    let done_max = done_hashes.len().saturating_sub(1) as u64;
    let mut last_number = 0;
    let semaphore = Arc::new(Semaphore::new(concurrency));
    let mut tasks = JoinSet::new();

    while !shared.is_stopped() {
        let Ok(permit) = semaphore.clone().acquire_owned().await else {
            break;
        };
        let Some(row) = rows.recv().await else {
            break;
        };
        while tasks.try_join_next().is_some() {}

        let row = match row {
            Ok(row) => row,
            Err(error) => {
                shared.stop(StopReason::Input(format!(
                    "failed to read the input: {error}"
                )));
                break;
            }
        };
        let number = row.number();
        last_number = number;
        let hash = journal::row_hash(&row);
        if done.contains(number) {
            if resume::changed(&done_hashes, number, hash) {
                shared.stop(changed_row(number));
                break;
            }
            shared.counters.skipped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let journaled = pending.remove(&number);
        if let Some(entry) = &journaled
            && entry.fingerprint != format_hash(hash)
        {
            shared.stop(changed_row(number));
            break;
        }
        let submitted = journaled
            .as_ref()
            .is_some_and(|entry| entry.request_id.is_some());
        if submitted {
            shared.counters.resumed.fetch_add(1, Ordering::Relaxed);
        }

        // A submitted row is only polled, so its input is not needed.
        let input = match row {
            _ if submitted => Ok(Value::Null),
            Row::Invalid(_, reason) => Err(reason),
            Row::Fields(_, fields) => prepare_input(&context.client, &context.settings, fields),
        };
        let input = match input {
            Ok(input) => input,
            Err(reason) => {
                shared.counters.invalid.fetch_add(1, Ordering::Relaxed);
                let line = ResultLine::invalid(number, hash, reason);
                if context.store.finished(line).await.is_err() {
                    shared.stop(StopReason::Store);
                }
                continue;
            }
        };

        let context = context.clone();
        tasks.spawn(async move {
            run_row(&context, number, hash, input, journaled).await;
            drop(permit);
        });
    }

    let recorded = pending.keys().copied().max().unwrap_or(0).max(done_max);
    if !shared.is_stopped() && recorded > last_number {
        shared.stop(StopReason::Input(resume::beyond_input_message(
            recorded,
            last_number,
        )));
    }

    while tasks.join_next().await.is_some() {}
    pending
}

/// Builds the stop reason for an input row that differs from the row the output or the
/// journal recorded.
pub fn changed_row(row: u64) -> StopReason {
    StopReason::Input(resume::changed_row_message(row))
}

/// Fills in the batch's agent or experiment and checks the row against the kind's input
/// type, so an invalid row is reported without being sent.
fn prepare_input(
    client: &octave::Client,
    settings: &RowSettings,
    mut fields: Map<String, Value>,
) -> Result<Value, String> {
    let names_target = fields.contains_key("agentOId") || fields.contains_key("experimentOId");
    if !names_target {
        if let Some(agent) = &settings.agent {
            fields.insert("agentOId".into(), Value::String(agent.clone()));
        } else if let Some(experiment) = &settings.experiment {
            fields.insert("experimentOId".into(), Value::String(experiment.clone()));
        }
    }
    let input = Value::Object(fields);
    api::check_input(client, settings.kind, &input, api::InputNames::Columns)?;
    Ok(input)
}

async fn run_row(context: &Context, row: u64, hash: u64, input: Value, journaled: Option<Pending>) {
    let shared = &context.shared;
    let (external_id, request_id) = match journaled {
        Some(Pending {
            external_id,
            request_id: Some(request_id),
            ..
        }) => (external_id, request_id),
        journaled => {
            if let Some(rate) = &context.rate {
                rate.acquire().await;
            }
            if shared.is_stopped() {
                shared.counters.unfinished.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let external_id = match journaled {
                Some(entry) => entry.external_id,
                None => {
                    let external_id = context.header.external_id(row);
                    let entry = Pending {
                        external_id: external_id.clone(),
                        fingerprint: format_hash(hash),
                        request_id: None,
                    };
                    if context.store.intent(row, entry).await.is_err() {
                        shared.stop(StopReason::Store);
                        shared.counters.unfinished.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    external_id
                }
            };
            match submit(context, row, hash, input, &external_id).await {
                Some(request_id) => (external_id, request_id),
                None => return,
            }
        }
    };

    shared.counters.in_flight.fetch_add(1, Ordering::Relaxed);
    let outcome = api::wait(
        &context.client,
        context.settings.kind,
        &request_id,
        &context.settings.wait,
    )
    .await;
    shared.counters.in_flight.fetch_sub(1, Ordering::Relaxed);

    let line = match outcome {
        Ok(RunOutcome::Succeeded(output)) => ResultLine {
            row,
            status: RowStatus::Succeeded,
            request_id: Some(request_id),
            external_request_id: Some(external_id),
            input_hash: format_hash(hash),
            output: Some(api::typed_output_json(context.settings.kind, &output)),
            error: None,
        },
        Ok(RunOutcome::Failed(message)) => ResultLine {
            row,
            status: RowStatus::Failed,
            request_id: Some(request_id),
            external_request_id: Some(external_id),
            input_hash: format_hash(hash),
            output: None,
            error: Some(message),
        },
        Err(error) => match api::classify(&error) {
            ErrorClass::Rejected => ResultLine {
                row,
                status: RowStatus::Failed,
                request_id: Some(request_id),
                external_request_id: Some(external_id),
                input_hash: format_hash(hash),
                output: None,
                error: Some(error.to_string()),
            },
            class => {
                leave_unfinished(shared, row, class, &error);
                return;
            }
        },
    };
    finish(context, line).await;
}

/// Submits a journaled row; returns its request id, or `None` when the row got its line or
/// was left unfinished.
async fn submit(
    context: &Context,
    row: u64,
    hash: u64,
    input: Value,
    external_id: &str,
) -> Option<String> {
    let shared = &context.shared;
    shared.counters.submitted.fetch_add(1, Ordering::Relaxed);
    let submitted = api::submit(
        &context.client,
        context.settings.kind,
        input,
        &context.settings.callback_url,
        external_id,
    )
    .await;
    match submitted {
        Ok(request_id) => {
            if context
                .store
                .submitted(row, request_id.clone())
                .await
                .is_err()
            {
                shared.stop(StopReason::Store);
            }
            Some(request_id)
        }
        Err(error) => match api::classify(&error) {
            class @ (ErrorClass::Rejected | ErrorClass::Invalid) => {
                let status = if class == ErrorClass::Invalid {
                    RowStatus::Invalid
                } else {
                    RowStatus::Failed
                };
                let line = ResultLine {
                    row,
                    status,
                    request_id: None,
                    external_request_id: Some(external_id.to_owned()),
                    input_hash: format_hash(hash),
                    output: None,
                    error: Some(error.to_string()),
                };
                finish(context, line).await;
                None
            }
            class => {
                leave_unfinished(shared, row, class, &error);
                None
            }
        },
    }
}

fn leave_unfinished(shared: &Shared, row: u64, class: ErrorClass, error: &octave::Error) {
    tracing::debug!(row, error = %error, "row left without a result");
    shared.counters.unfinished.fetch_add(1, Ordering::Relaxed);
    match class {
        ErrorClass::TimedOut => {
            shared.counters.timed_out.fetch_add(1, Ordering::Relaxed);
        }
        ErrorClass::Auth => shared.stop(StopReason::Auth(error.to_string())),
        _ => shared.stop(StopReason::Unavailable(error.to_string())),
    }
}

async fn finish(context: &Context, line: ResultLine) {
    let counters = &context.shared.counters;
    let counter = match line.status {
        RowStatus::Succeeded => &counters.succeeded,
        RowStatus::Failed => &counters.failed,
        RowStatus::Invalid => &counters.invalid,
    };
    if context.store.finished(line).await.is_err() {
        context.shared.stop(StopReason::Store);
        counters.unfinished.fetch_add(1, Ordering::Relaxed);
        return;
    }
    counter.fetch_add(1, Ordering::Relaxed);
}
