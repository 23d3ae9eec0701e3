//! Callbacks: the body Octave POSTs to a run's `callbackUrl` when the run finishes.
//!
//! [`decode_callback`] reads a body in any shape the service is known or expected to send
//! (the run id as `requestId` or `agentRunOId`, the output as `result` or `data`, possibly
//! inside the synchronous envelope) into a [`CallbackEvent`]. [`run_output`] turns a
//! successful event into the typed [`RunOutput`] of an agent. Both need only the body, so a
//! service with its own HTTP server can use them.
//!
//! ```
//! use octave::agents::QualifyCompany;
//! use octave::callbacks::{RunState, decode_callback, run_output};
//!
//! let body = br#"{"requestId": "asyncReqID_1", "status": "succeeded", "result": {"score": 8}}"#;
//! let event = decode_callback(body)?;
//! assert_eq!(event.run_id.as_deref(), Some("asyncReqID_1"));
//! assert!(matches!(event.state, RunState::Succeeded(_)));
//!
//! let output = run_output::<QualifyCompany>(&event)?.expect("a successful run");
//! assert_eq!(output.output.and_then(|output| output.score), Some(8.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Receiver
//!
//! With the `receiver` feature (on by default), [`CallbackReceiver`] is an HTTP server for
//! callbacks. Attached to a [`Client`](crate::Client), it ends waits as soon as a run's
//! callback arrives, and waits fall back to polling when a callback is late or lost.
//!
//! A callback is never trusted on its own. The receiver hands out one callback URL per run,
//! `{public base URL}/octave/callbacks/{token}`, where the token is 128 random bits from a
//! cryptographically secure generator, so only the service that got the URL can reach it.
//! Each arriving callback is then sorted:
//!
//! - **Verified**: the URL's token was bound to the run's request id after the submit
//!   returned, and the body names that same run. `submit` on a client with the receiver
//!   attached binds the URL it was given, and so do [`Bulk`](crate::Bulk) and
//!   [`CallbackReceiver::register_run`]. The wait ends with the callback's result, without a
//!   status poll.
//! - **Unverified**: the token is known, but the pairing cannot be checked, because the body
//!   names no run, or because the token was never bound (a URL submitted by another client or
//!   process, for example). The wait polls the status endpoint at once and takes the result
//!   from there.
//! - **Ignored**: an unknown or expired token, a body naming a different run than the
//!   token's, a repeat of a callback already accepted, a status that is not final, and a
//!   body that is not a JSON object. Each is counted in [`ReceiverStats`] and logged.
//!
//! A callback that arrives before its submit returned is kept by token until the submit's
//! request id is bound to it, so it still ends the wait at once.

#[cfg(feature = "receiver")]
mod read;
#[cfg(feature = "receiver")]
mod receiver;
#[cfg(feature = "receiver")]
mod registry;

use octave_types::Agent;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::output::{RunOutput, output_from_result};

pub use octave_types::{
    AgentCallbackPayload, CallbackError, CallbackEvent, RunState, decode_callback,
    decode_callback_value,
};

#[cfg(feature = "receiver")]
pub use receiver::{CallbackReceiver, CallbackReceiverBuilder, ReceiverStats};

/// Decodes the output of a successful callback into agent `A`'s typed output.
///
/// Returns `Ok(None)` when the event does not report a success. The `_metadata`, `found`
/// and `message` of a callback shaped like the synchronous envelope are kept.
///
/// # Errors
///
/// [`Error::OutputMismatch`](crate::Error::OutputMismatch) when the output does not fit
/// `A::Output`; the error names the first field that does not fit and keeps the output.
pub fn run_output<A: Agent>(event: &CallbackEvent) -> Result<Option<RunOutput<A::Output>>> {
    if !matches!(event.state, RunState::Succeeded(_)) {
        return Ok(None);
    }
    let result = result_value(event.payload.clone());
    let mut output = output_from_result(result, "", None);
    output.request_id = event.run_id.clone();
    output.decode().map(Some)
}

/// Returns the output part of a callback body: `result`, else `data`. A body that is itself
/// the synchronous envelope (`_metadata` or `found` beside `data`) becomes that envelope, in
/// the form the status endpoint's `result` may take.
fn result_value(payload: AgentCallbackPayload) -> Value {
    let parts = OutputParts {
        result: payload.result,
        data: payload.data,
        metadata: payload
            .metadata
            .and_then(|metadata| serde_json::to_value(metadata).ok()),
        found: payload.found,
        message: payload.message,
    };
    parts.into_result()
}

/// The fields of a callback body that make up a run's output.
struct OutputParts {
    result: Option<Value>,
    data: Option<Value>,
    metadata: Option<Value>,
    found: Option<bool>,
    message: Option<String>,
}

impl OutputParts {
    /// Returns `result`, else `data`, rebuilt into the synchronous envelope when the body
    /// carried the envelope's fields beside `data`.
    fn into_result(self) -> Value {
        if let Some(result) = self.result {
            return result;
        }
        let Some(data) = self.data else {
            return Value::Null;
        };
        if self.metadata.is_none() && self.found.is_none() {
            return data;
        }

        let mut envelope = Map::new();
        if let Some(metadata) = self.metadata {
            envelope.insert("_metadata".to_owned(), metadata);
        }
        if let Some(found) = self.found {
            envelope.insert("found".to_owned(), Value::Bool(found));
        }
        if let Some(message) = self.message {
            envelope.insert("message".to_owned(), Value::String(message));
        }
        envelope.insert("data".to_owned(), data);
        Value::Object(envelope)
    }
}

#[cfg(test)]
mod tests;
