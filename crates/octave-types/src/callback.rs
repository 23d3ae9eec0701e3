//! Decoding the body that the service POSTs to a run's callback URL.
//!
//! The service describes the callback's shape only in prose, so decoding is lenient. The run
//! id may be `requestId` or `agentRunOId`. The output may be `result` or `data`, possibly
//! wrapped in the sync envelope `{_metadata, found, message, data}`. The error is a string,
//! and unknown fields are ignored.

use std::fmt;

use serde_json::{Map, Value};

use crate::generated::{AgentCallbackPayload, RunStatus};
use crate::run_state::{RunState, interpret, unwrap_envelope};

/// A decoded callback.
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackEvent {
    /// The run's id from `requestId` or `agentRunOId`; `None` when the body names neither.
    pub run_id: Option<String>,
    /// The status as sent, if any.
    pub status: Option<RunStatus>,
    /// State of the run that the callback reports.
    pub state: RunState,
    /// The whole body, typed, with unknown fields kept in `extra`.
    pub payload: AgentCallbackPayload,
}

/// Error from decoding a callback body.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackError {
    /// The body is not JSON.
    NotJson(serde_json::Error),
    /// The body is JSON but not an object; the value is the JSON type found.
    NotAnObject(&'static str),
}

impl fmt::Display for CallbackError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::NotJson(error) => {
                write!(formatter, "callback body is not valid JSON: {error}")
            }
            CallbackError::NotAnObject(found) => write!(
                formatter,
                "callback body is a JSON {found}, but a callback is a JSON object"
            ),
        }
    }
}

impl std::error::Error for CallbackError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallbackError::NotJson(error) => Some(error),
            CallbackError::NotAnObject(_) => None,
        }
    }
}

/// Decodes a callback body.
///
/// # Errors
///
/// Fails only when the body is not a JSON object. Fields of an unexpected type are dropped
/// (an `error` object is kept as its JSON text) rather than failing the whole callback.
pub fn decode_callback(body: &[u8]) -> Result<CallbackEvent, CallbackError> {
    let value: Value = serde_json::from_slice(body).map_err(CallbackError::NotJson)?;
    decode_callback_value(value)
}

/// Decodes a callback body that is already parsed as JSON.
///
/// # Errors
///
/// Fails only when the value is not a JSON object.
pub fn decode_callback_value(value: Value) -> Result<CallbackEvent, CallbackError> {
    let mut fields = match value {
        Value::Object(fields) => fields,
        other => return Err(CallbackError::NotAnObject(json_type(&other))),
    };
    normalize(&mut fields);

    // Every field is optional and unknown ones land in `extra`, so after `normalize` this
    // cannot fail. If it ever does, the fallback keeps the raw fields instead of panicking.
    let payload: AgentCallbackPayload = serde_json::from_value(Value::Object(fields.clone()))
        .unwrap_or_else(|_| AgentCallbackPayload {
            agent_run_o_id: None,
            data: None,
            error: None,
            found: None,
            message: None,
            metadata: None,
            request_id: None,
            result: None,
            status: None,
            extra: fields,
        });

    let run_id = payload
        .request_id
        .clone()
        .or_else(|| payload.agent_run_o_id.clone());
    let status = payload.status.as_deref().map(RunStatus::from);
    let output = payload
        .result
        .as_ref()
        .or(payload.data.as_ref())
        .map(unwrap_envelope);
    let state = interpret(status.as_ref(), output.as_ref(), payload.error.as_deref());

    Ok(CallbackEvent {
        run_id,
        status,
        state,
        payload,
    })
}

/// Drops or converts fields whose JSON type differs from the one the payload schema expects.
fn normalize(fields: &mut Map<String, Value>) {
    // A numeric run id is still an id; keep it as text.
    for key in ["requestId", "agentRunOId"] {
        if let Some(Value::Number(number)) = fields.get(key) {
            let text = number.to_string();
            fields.insert(key.to_owned(), Value::String(text));
        }
    }
    for key in ["requestId", "agentRunOId", "status", "message"] {
        if fields.get(key).is_some_and(|value| !value.is_string()) {
            fields.remove(key);
        }
    }
    if let Some(error) = fields.get_mut("error") {
        match error {
            Value::String(_) => {}
            Value::Null => {
                fields.remove("error");
            }
            other => *other = Value::String(other.to_string()),
        }
    }
    if fields.get("found").is_some_and(|value| !value.is_boolean()) {
        fields.remove("found");
    }
    if fields
        .get("_metadata")
        .is_some_and(|value| !value.is_object())
    {
        fields.remove("_metadata");
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
