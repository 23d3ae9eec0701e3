//! Reading a callback body on the receiver's hot path.
//!
//! [`decode_callback`] copies the body's fields and the output while it normalizes them.
//! The receiver needs only the run id, the status and the final state with the raw output,
//! so it reads a body of the expected field types in one pass without copies, and hands
//! any other body to [`decode_callback`]. A test checks that both paths give the same
//! result. The one difference: the fast path keeps fields of `_metadata` that the
//! `Metadata` type does not define.

use octave_types::{CallbackError, RunState, RunStatus, decode_callback};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{OutputParts, result_value};

/// Message of a failed run whose callback gives no error; the one `octave-types` uses.
const NO_REASON: &str = "the run failed and the service gave no reason";

/// Run id, status and state of a callback, as the receiver uses them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReceivedCallback {
    /// The run's id from `requestId` or `agentRunOId`.
    pub(crate) run_id: Option<String>,
    /// The status as sent, if any.
    pub(crate) status: Option<RunStatus>,
    /// The run's state; a success carries the raw output, envelope included.
    pub(crate) state: RunState,
}

/// The callback fields with the types the service is expected to send. Unknown fields are
/// skipped.
#[derive(Deserialize)]
struct ExpectedBody {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    #[serde(rename = "agentRunOId")]
    agent_run_o_id: Option<String>,
    status: Option<String>,
    error: Option<String>,
    result: Option<Value>,
    data: Option<Value>,
    found: Option<bool>,
    message: Option<String>,
    #[serde(rename = "_metadata")]
    metadata: Option<Map<String, Value>>,
}

/// Reads a callback body.
///
/// # Errors
///
/// As [`decode_callback`]: the body is not a JSON object.
pub(crate) fn read_callback(body: &[u8]) -> Result<ReceivedCallback, CallbackError> {
    let Ok(body) = serde_json::from_slice::<ExpectedBody>(body) else {
        let event = decode_callback(body)?;
        let state = match event.state {
            RunState::Succeeded(_) => RunState::Succeeded(result_value(event.payload)),
            other => other,
        };
        return Ok(ReceivedCallback {
            run_id: event.run_id,
            status: event.status,
            state,
        });
    };

    let status = body.status.as_deref().map(RunStatus::from);
    let error = body.error.filter(|message| !message.is_empty());
    let has_output = body
        .result
        .as_ref()
        .or(body.data.as_ref())
        .is_some_and(has_agent_output);
    let parts = OutputParts {
        result: body.result,
        data: body.data,
        metadata: body.metadata.map(Value::Object),
        found: body.found,
        message: body.message,
    };
    // The same rules as the status endpoint: an explicit status wins; without one, an
    // error means failure and an output means success.
    let state = match &status {
        Some(status) if status.is_success() => RunState::Succeeded(parts.into_result()),
        Some(status) if status.is_failure() => {
            RunState::Failed(error.unwrap_or_else(|| NO_REASON.to_owned()))
        }
        Some(status) => RunState::InProgress(status.clone()),
        None => match error {
            Some(error) => RunState::Failed(error),
            None if has_output => RunState::Succeeded(parts.into_result()),
            None => RunState::InProgress(RunStatus::Pending),
        },
    };
    Ok(ReceivedCallback {
        run_id: body.request_id.or(body.agent_run_o_id),
        status,
        state,
    })
}

/// Returns `true` when an output, or the `data` of a synchronous envelope, is not null.
fn has_agent_output(value: &Value) -> bool {
    match value {
        Value::Object(fields)
            if fields.contains_key("data")
                && (fields.contains_key("_metadata") || fields.contains_key("found")) =>
        {
            fields.get("data").is_some_and(|data| !data.is_null())
        }
        other => !other.is_null(),
    }
}
