//! Interpretation of a run's status. The status set is open and the status endpoint may
//! leave the status out, so one function decides what a status means.

use serde_json::Value;

use crate::generated::{AsyncAgentRunStatus, RunStatus};

impl RunStatus {
    /// Returns `true` for `completed` and `succeeded`, which both mean the run produced output.
    pub fn is_success(&self) -> bool {
        matches!(self, RunStatus::Completed | RunStatus::Succeeded)
    }

    /// Returns `true` for `failed`.
    pub fn is_failure(&self) -> bool {
        matches!(self, RunStatus::Failed)
    }

    /// Returns `true` when the run has finished, one way or the other. Unknown values count as
    /// not finished, so a client keeps polling rather than guessing.
    pub fn is_terminal(&self) -> bool {
        self.is_success() || self.is_failure()
    }
}

/// State of a run, as read from the status endpoint or a callback.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RunState {
    /// Not finished: `pending`, `running`, or a status this version does not know.
    InProgress(RunStatus),
    /// Finished with output. The value is the agent's output (`data` of the sync envelope).
    Succeeded(Value),
    /// Finished with an error message from the service.
    Failed(String),
}

impl RunState {
    /// Returns `true` unless the run is still in progress.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, RunState::InProgress(_))
    }
}

impl AsyncAgentRunStatus {
    /// Interprets the status: an explicit status wins; without one, a non-null `result` means
    /// success and a non-null `error` means failure.
    pub fn state(&self) -> RunState {
        interpret(
            self.status.as_ref(),
            self.result.as_ref(),
            self.error.as_deref(),
        )
    }
}

/// Shared by the status endpoint and callbacks: decides the state from the three fields that
/// may carry it.
pub(crate) fn interpret(
    status: Option<&RunStatus>,
    result: Option<&Value>,
    error: Option<&str>,
) -> RunState {
    let output = || result.map(unwrap_envelope).unwrap_or(Value::Null);
    let error_message = || {
        error
            .filter(|message| !message.is_empty())
            .unwrap_or("the run failed and the service gave no reason")
            .to_owned()
    };

    // `SUCCEEDED` and `Failed` mean the same as the documented lower-case values.
    let folded = match status {
        Some(RunStatus::Unknown(value)) => Some(RunStatus::from(value.to_ascii_lowercase())),
        _ => None,
    };
    let meaning = folded.as_ref().or(status);

    match status {
        Some(_) if meaning.is_some_and(RunStatus::is_success) => RunState::Succeeded(output()),
        Some(_) if meaning.is_some_and(RunStatus::is_failure) => RunState::Failed(error_message()),
        Some(status) => RunState::InProgress(status.clone()),
        None if error.is_some_and(|message| !message.is_empty()) => {
            RunState::Failed(error_message())
        }
        None if result.is_some_and(|value| !value.is_null()) => RunState::Succeeded(output()),
        None => RunState::InProgress(RunStatus::Pending),
    }
}

/// Returns the agent output inside a result: the `data` of a sync envelope
/// (`{_metadata, found, message, data}`) when the result is one, else the result itself.
pub fn unwrap_envelope(result: &Value) -> Value {
    match result {
        Value::Object(fields)
            if fields.contains_key("data")
                && (fields.contains_key("_metadata") || fields.contains_key("found")) =>
        {
            fields.get("data").cloned().unwrap_or(Value::Null)
        }
        other => other.clone(),
    }
}
