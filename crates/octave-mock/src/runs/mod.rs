//! Life of an asynchronous run: submitted, pending, running, finished, expired.

pub(crate) mod callback;
pub(crate) mod scheduler;
pub(crate) mod store;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use octave_types::AgentKind;
use serde_json::Value;
use tokio::time::Instant;

use crate::output::{Generate, KindVisitor, generate, visit_kind};
use crate::runs::callback::Job;
use crate::runs::scheduler::Event;
use crate::runs::store::{DedupKey, Inserted, Outcome, Run};
use crate::state::{FaultView, Shared, bump};

/// A validated submission.
pub(crate) struct NewRun {
    pub kind: AgentKind,
    pub agent_o_id: String,
    /// The synchronous input as JSON.
    pub input: String,
    pub callback_url: String,
    pub faults: FaultView,
    pub dedup_key: Option<DedupKey>,
}

/// Result of [`submit`].
pub(crate) enum Submitted {
    New(Arc<str>),
    /// An earlier submission with the same `x-external-request-id` created this run.
    Duplicate(Arc<str>),
}

/// Stores a new run and schedules its end, or returns the existing run for a repeated
/// `x-external-request-id`. Under the `early_callbacks` fault the run finishes here and its
/// first callback attempt completes before this returns.
pub(crate) async fn submit(shared: &Shared, new: NewRun) -> Submitted {
    let early = new.faults.get(|faults| faults.early_callbacks);
    let now = Instant::now();
    let finish_at = if early {
        now
    } else {
        after(now, shared.config.run_duration)
    };
    let run = Run {
        kind: new.kind,
        agent_o_id: new.agent_o_id.into(),
        input: new.input.into(),
        callback_url: new.callback_url.into(),
        created_at: SystemTime::now(),
        started: now,
        finish_at,
        faults: new.faults,
        dedup_key: new.dedup_key,
        outcome: None,
    };
    let id: Arc<str> = shared.ids.next_async_request_id().into();

    let id = match shared.runs.insert_unique(id, run) {
        Inserted::New(id) => id,
        Inserted::Existing(id) => {
            bump(&shared.counters.duplicates_avoided);
            return Submitted::Duplicate(id);
        }
    };
    bump(&shared.counters.runs_created);
    shared
        .counters
        .runs_in_memory
        .fetch_add(1, Ordering::Relaxed);

    if early {
        finalize(shared, &id);
        schedule_expiry(shared, &id);
        let job = Job {
            id: Arc::clone(&id),
            attempt: 1,
        };
        callback::deliver(shared, job).await;
    } else {
        shared
            .scheduler
            .schedule(finish_at, Event::Finish(Arc::clone(&id)));
    }
    Submitted::New(id)
}

/// Maximum delay the scheduler is given. Longer configured times are cut to it, because
/// adding an unbounded duration to an `Instant` can overflow.
const MAX_DELAY: Duration = Duration::from_secs(86_400 * 365 * 10);

/// Returns `start + delay`, with the delay cut to [`MAX_DELAY`].
pub(crate) fn after(start: Instant, delay: Duration) -> Instant {
    start + delay.min(MAX_DELAY)
}

/// Finishes a run whose time is up, queues its callback and schedules its expiry.
pub(crate) fn finish_on_schedule(shared: &Shared, id: &Arc<str>) {
    if !finalize(shared, id) && shared.runs.with(id, |_| ()).is_none() {
        return;
    }
    schedule_expiry(shared, id);
    shared.callbacks.enqueue(Job {
        id: Arc::clone(id),
        attempt: 1,
    });
}

fn schedule_expiry(shared: &Shared, id: &Arc<str>) {
    let at = after(Instant::now(), shared.config.finished_run_ttl);
    shared.scheduler.schedule(at, Event::Expire(Arc::clone(id)));
}

/// Drops a finished run's state.
pub(crate) fn expire(shared: &Shared, id: &str) {
    if shared.runs.remove(id) {
        shared
            .counters
            .runs_in_memory
            .fetch_sub(1, Ordering::Relaxed);
        tracing::debug!(request_id = %id, "finished run expired");
    }
}

/// Sets a run's outcome unless it has one. Returns `true` when this call set it.
///
/// The output is generated outside the store's lock. When two callers race, the first to
/// store its outcome wins, and both outcomes are equal because generation is deterministic.
pub(crate) fn finalize(shared: &Shared, id: &str) -> bool {
    let pending = shared.runs.with(id, |run| {
        run.outcome.is_none().then(|| {
            (
                run.kind,
                run.input.clone(),
                run.faults.get(|faults| faults.fail_runs),
            )
        })
    });
    let Some(Some((kind, input, fail))) = pending else {
        return false;
    };

    let at = SystemTime::now();
    let outcome = if fail {
        Outcome::Failed {
            error: "The agent could not complete the run (injected fault: fail_runs)".into(),
            at,
        }
    } else {
        let visitor = FromStoredInput {
            input: &input,
            seed: shared.config.seed,
        };
        match visit_kind(kind, visitor) {
            Some(Ok(output)) => Outcome::Completed {
                output: Arc::new(output),
                at,
            },
            Some(Err(error)) => Outcome::Failed {
                error: format!("The agent could not read its stored input: {error}").into(),
                at,
            },
            None => Outcome::Failed {
                error: format!("This server cannot run {kind} agents").into(),
                at,
            },
        }
    };

    shared
        .runs
        .with(id, |run| {
            if run.outcome.is_none() {
                run.outcome = Some(outcome);
                true
            } else {
                false
            }
        })
        .unwrap_or(false)
}

/// Generates a run's output from its stored input.
struct FromStoredInput<'a> {
    input: &'a str,
    seed: u64,
}

impl KindVisitor for FromStoredInput<'_> {
    type Output = Result<Value, serde_json::Error>;

    fn visit<A: Generate>(self) -> Self::Output {
        let input: A::Input = serde_json::from_str(self.input)?;
        serde_json::to_value(generate::<A>(&input, self.seed))
    }
}

/// Progress of a run.
pub(crate) enum Phase {
    /// Submitted, in the first quarter of its run time.
    Pending,
    /// In the rest of its run time.
    Running,
    Finished(Outcome),
}

/// State of a run as the status endpoint reports it.
pub(crate) struct StatusSnapshot {
    pub phase: Phase,
    pub agent_o_id: String,
    pub created_at: SystemTime,
}

/// Reads a run's state. A run whose time is up is finished here, so the status is exact
/// even when the scheduler has not fired yet. `None` for unknown or expired IDs.
pub(crate) fn status(shared: &Shared, id: &str) -> Option<StatusSnapshot> {
    let now = Instant::now();
    let read = |run: &mut Run| {
        let phase = match &run.outcome {
            Some(outcome) => Some(Phase::Finished(outcome.clone())),
            None if now >= run.finish_at => None,
            None => {
                let pending_until = run.started + (run.finish_at - run.started) / 4;
                Some(if now < pending_until {
                    Phase::Pending
                } else {
                    Phase::Running
                })
            }
        };
        (phase, run.agent_o_id.to_string(), run.created_at)
    };

    let (phase, agent_o_id, created_at) = shared.runs.with(id, read)?;
    let phase = match phase {
        Some(phase) => phase,
        None => {
            finalize(shared, id);
            shared.runs.with(id, read)?.0?
        }
    };
    Some(StatusSnapshot {
        phase,
        agent_o_id,
        created_at,
    })
}
