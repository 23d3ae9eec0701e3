//! Waiting for an asynchronous run: the poll schedule, the deadline, and the extension
//! point through which a callback receiver can end a wait early.
//!
//! A wait polls the status endpoint. The first poll comes after the minimum interval.
//! Each later poll comes after a random interval between the minimum and a ceiling that
//! doubles with every poll up to the maximum. The defaults are 5 s and 10 s, because
//! Octave advises polling every 5 to 10 seconds. When the next poll would fall after the
//! deadline, one last poll is made shortly before the deadline instead. A wait never runs
//! past its deadline: a poll still in flight at the deadline is abandoned. Time comes from
//! `tokio::time`, so tests can run long waits with paused time.
//!
//! # Ending a wait early
//!
//! A callback receiver implements [`CompletionSource`] and attaches it with
//! `Client::set_completion_source`. Every wait then asks the source for a
//! [`oneshot::Receiver`] for its run and selects between the poll schedule and that
//! receiver. A [`CallbackSignal::Verified`] terminal state ends the wait at once; a
//! [`CallbackSignal::Unverified`] signal makes the wait poll immediately, so an unproven
//! callback is checked against the status endpoint before it is believed.

use std::future::Future;
use std::time::Duration;

use octave_types::{AsyncAgentRunStatus, RunState};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until, timeout_at};
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::output::RunOutput;
use crate::retry::random_duration;

/// Default shortest time between polls.
const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(5);

/// Default longest time between polls.
const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(10);

/// Maximum time between the last poll and the deadline. A wait shorter than 10 s uses a
/// tenth of its length instead.
const FINAL_POLL_LEAD: Duration = Duration::from_secs(1);

/// Minimum time between polls. A shorter minimum interval counts as this, so the backoff
/// grows from it instead of polling in a tight loop.
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Maximum duration [`WaitOptions`] and the callback receiver keep: about 100 years. Longer
/// values are cut to it, so adding one to the current instant cannot overflow.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Deadline and poll intervals of a wait.
///
/// There is no default: every wait has a deadline.
///
/// ```
/// use std::time::Duration;
///
/// let options = octave::WaitOptions::new(Duration::from_secs(600))
///     .min_interval(Duration::from_secs(2))
///     .max_interval(Duration::from_secs(20));
/// assert_eq!(options.deadline(), Duration::from_secs(600));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    deadline: Duration,
    min_interval: Duration,
    max_interval: Duration,
    /// Whether the first poll comes at once instead of after the minimum interval. Handles
    /// set it, callers cannot.
    first_poll_at_once: bool,
}

impl WaitOptions {
    /// Waits at most `deadline`, polling every 5 to 10 seconds. A deadline above about 100
    /// years counts as 100 years.
    pub fn new(deadline: Duration) -> Self {
        WaitOptions {
            deadline: deadline.min(MAX_DURATION),
            min_interval: DEFAULT_MIN_INTERVAL,
            max_interval: DEFAULT_MAX_INTERVAL,
            first_poll_at_once: false,
        }
    }

    /// Sets the time before the first poll and the shortest time between polls. Values
    /// below 10 ms count as 10 ms. Default: 5 s.
    pub fn min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval.clamp(MIN_POLL_INTERVAL, MAX_DURATION);
        self
    }

    /// Sets the longest time between polls. A value below the minimum counts as the
    /// minimum. Default: 10 s.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval.min(MAX_DURATION);
        self
    }

    /// Makes the first poll at once, for a run that may already have finished.
    pub(crate) fn first_poll_at_once(mut self) -> Self {
        self.first_poll_at_once = true;
        self
    }

    /// Returns the overall time limit of the wait.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Returns the time to wait after `polls_done` polls, at least the minimum.
    fn interval_after(&self, polls_done: u32) -> Duration {
        let max = self.max_interval.max(self.min_interval);
        let ceiling = self
            .min_interval
            .saturating_mul(1u32 << polls_done.min(16))
            .min(max);
        random_duration(self.min_interval, ceiling)
    }

    /// Returns how long before the deadline the last poll starts.
    fn final_poll_lead(&self) -> Duration {
        FINAL_POLL_LEAD.min(self.deadline / 10)
    }
}

/// Result of a wait.
///
/// A failed run and a deadline are outcomes, not errors, so code can tell them apart from a
/// failed request without inspecting an error. [`into_result`](WaitOutcome::into_result)
/// turns them into [`Error::RunFailed`](crate::Error::RunFailed) and
/// [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded) for code that only wants the
/// output.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WaitOutcome<O> {
    /// The run finished with output.
    Succeeded(RunOutput<O>),
    /// The run finished with an error.
    Failed {
        /// The service's error message.
        error: String,
        /// The run's request id.
        request_id: String,
    },
    /// The deadline passed before the run finished. The run may still finish later.
    DeadlineExceeded {
        /// Time spent waiting.
        elapsed: Duration,
        /// Status polls made.
        polls: u32,
        /// The run's request id.
        request_id: String,
    },
}

impl<O> WaitOutcome<O> {
    /// Returns the output of a successful run, or the failure or deadline as an error.
    ///
    /// # Errors
    ///
    /// [`Error::RunFailed`](crate::Error::RunFailed) for a failed run and
    /// [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded) for a wait that ran out
    /// of time.
    pub fn into_result(self) -> Result<RunOutput<O>> {
        match self {
            WaitOutcome::Succeeded(output) => Ok(output),
            WaitOutcome::Failed { error, request_id } => Err(crate::Error::RunFailed {
                request_id,
                message: error,
            }),
            WaitOutcome::DeadlineExceeded {
                elapsed,
                polls,
                request_id,
            } => Err(crate::Error::DeadlineExceeded {
                request_id,
                elapsed,
                polls,
            }),
        }
    }

    /// Returns `true` for [`WaitOutcome::Succeeded`].
    pub fn is_succeeded(&self) -> bool {
        matches!(self, WaitOutcome::Succeeded(_))
    }
}

/// Report of a callback receiver about a run.
// Constructed by callback receivers, which attach through `Client::set_completion_source`.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub(crate) enum CallbackSignal {
    /// A callback whose origin is proven, for example because it came to an unguessable
    /// per-run URL. Its state is trusted, and a terminal state ends the wait.
    Verified(RunState),
    /// A callback arrived whose origin is not proven; the wait polls the status at once.
    Unverified,
}

/// Extension point for a callback receiver, which notifies waits when a run's callback
/// arrives.
///
/// `subscribe` is called once per wait, after the run was submitted, so a callback may
/// arrive before it: the implementation must keep the signal of a run it has already seen
/// and resolve the receiver at once. Returning `None` means the source does not track the
/// run, and the wait relies on polling alone.
pub(crate) trait CompletionSource: Send + Sync + 'static {
    /// Returns the callback URL to use when `submit_and_wait` gets none.
    #[allow(dead_code)]
    fn callback_url(&self) -> Option<String> {
        None
    }

    /// Records that the run `request_id` was submitted with `callback_url`, a URL that
    /// [`callback_url`](CompletionSource::callback_url) returned. A source that can match
    /// the two trusts a callback at that URL naming that run.
    fn bind(&self, _callback_url: &str, _request_id: &str) {}

    /// Returns a receiver that resolves when the callback of `request_id` arrives.
    fn subscribe(&self, request_id: &str) -> Option<oneshot::Receiver<CallbackSignal>>;
}

/// Source of a run's status for a wait: the HTTP status endpoint, or a fake in tests.
pub(crate) trait StatusSource {
    /// Fetches the status once (with the client's retries), retrying no later than
    /// `deadline`.
    fn fetch(&self, deadline: Instant) -> impl Future<Output = Result<AsyncAgentRunStatus>> + Send;
}

/// End of a poll loop.
#[derive(Debug, PartialEq)]
pub(crate) enum LoopEnd {
    /// The run succeeded; the value is its `result` (agent output or sync envelope).
    Succeeded(Value),
    /// The run failed with this message.
    Failed(String),
    /// The deadline passed.
    DeadlineExceeded { elapsed: Duration, polls: u32 },
}

/// Polls `source` until the run finishes, a verified callback arrives, or the deadline
/// passes.
///
/// A poll that still fails with a retryable error after the client's own retries is logged,
/// and the wait goes on. Any other error ends the wait, and so does a 2xx reply that stays
/// unreadable after those retries: it will not read differently on the next poll, and
/// waiting on would hide it behind the deadline.
pub(crate) async fn poll_until_finished<S: StatusSource + Sync>(
    source: &S,
    request_id: &str,
    options: &WaitOptions,
    mut signal: Option<oneshot::Receiver<CallbackSignal>>,
) -> Result<LoopEnd> {
    let started = Instant::now();
    let deadline = started + options.deadline;
    let last_poll_at = deadline - options.final_poll_lead();
    let mut polls: u32 = 0;
    let first_poll = if options.first_poll_at_once {
        started
    } else {
        started + options.min_interval
    };
    let mut next_poll = first_poll.min(last_poll_at);

    loop {
        if let Some(state) = wait_for_turn(next_poll, &mut signal).await {
            tracing::debug!(request_id, "verified callback ended the wait");
            return Ok(end_from_state(state));
        }

        polls += 1;
        let is_last = Instant::now() >= last_poll_at;
        let span = tracing::debug_span!("octave.poll", request_id, poll = polls, last = is_last);
        let fetched = timeout_at(deadline, source.fetch(deadline))
            .instrument(span)
            .await;
        match fetched {
            Err(_) => {
                return Ok(LoopEnd::DeadlineExceeded {
                    elapsed: started.elapsed(),
                    polls,
                });
            }
            Ok(Ok(status)) => {
                let state = status.state();
                if state.is_terminal() {
                    return Ok(end_with_result(state, status));
                }
                tracing::debug!(request_id, poll = polls, state = ?state, "run not finished");
            }
            Ok(Err(error)) if error.is_retryable() && !is_unreadable_success(&error) => {
                tracing::warn!(request_id, poll = polls, error = %error, "status poll failed; waiting for the next poll");
            }
            Ok(Err(error)) => return Err(error),
        }

        if is_last {
            return Ok(LoopEnd::DeadlineExceeded {
                elapsed: started.elapsed(),
                polls,
            });
        }
        next_poll = (Instant::now() + options.interval_after(polls)).min(last_poll_at);
    }
}

/// Returns whether `error` is a 2xx response whose body is not the documented JSON, such as
/// a proxy's login page.
fn is_unreadable_success(error: &Error) -> bool {
    matches!(error, Error::UndecodableBody { status, .. } if status.is_success())
}

/// Sleeps until `next_poll`, or until a callback signal calls for a poll or ends the wait.
/// Returns the trusted terminal state of a verified callback.
async fn wait_for_turn(
    next_poll: Instant,
    signal: &mut Option<oneshot::Receiver<CallbackSignal>>,
) -> Option<RunState> {
    loop {
        let Some(receiver) = signal.as_mut() else {
            sleep_until(next_poll).await;
            return None;
        };
        tokio::select! {
            () = sleep_until(next_poll) => return None,
            received = receiver => {
                *signal = None;
                match received {
                    Ok(CallbackSignal::Verified(state)) if state.is_terminal() => {
                        return Some(state);
                    }
                    // A callback that proves nothing on its own: poll now to check it.
                    Ok(_) => return None,
                    // The source dropped the sender: keep to the poll schedule.
                    Err(_) => continue,
                }
            }
        }
    }
}

fn end_from_state(state: RunState) -> LoopEnd {
    match state {
        RunState::Failed(message) => LoopEnd::Failed(message),
        RunState::Succeeded(value) => LoopEnd::Succeeded(value),
        // `RunState` is non-exhaustive, so a terminal state added in a later version of
        // `octave-types` lands here.
        _ => LoopEnd::Failed("the run ended in a state this version does not know".into()),
    }
}

/// Keeps the raw `result` of a successful status so the envelope's metadata survives.
fn end_with_result(state: RunState, status: AsyncAgentRunStatus) -> LoopEnd {
    match state {
        RunState::Succeeded(unwrapped) => LoopEnd::Succeeded(status.result.unwrap_or(unwrapped)),
        other => end_from_state(other),
    }
}

#[cfg(test)]
mod tests;
