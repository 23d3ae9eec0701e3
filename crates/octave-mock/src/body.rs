//! Reading and checking JSON request bodies: content type, size limit, JSON syntax, fields
//! that belong to another agent kind, and typed decoding that names the bad field.

use std::future::poll_fn;
use std::pin::Pin;
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, StatusCode, header};
use octave_types::AgentKind;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::respond::{ApiError, json_type_name};

/// Maximum time to receive a whole request body, so a client that stops sending mid-body
/// cannot hold a connection open forever.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Reason a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    TooLarge,
    Failed(String),
}

/// Reads a whole body, failing as soon as it grows past `limit` bytes.
pub(crate) async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ReadError> {
    let mut collected = Vec::new();
    loop {
        let frame = poll_fn(|context| Pin::new(&mut body).poll_frame(context)).await;
        match frame {
            None => break,
            Some(Err(error)) => return Err(ReadError::Failed(error.to_string())),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if collected.len() + data.len() > limit {
                        return Err(ReadError::TooLarge);
                    }
                    collected.extend_from_slice(&data);
                }
            }
        }
    }
    Ok(Bytes::from(collected))
}

/// Checks the content type and size of a POST body and parses it as a JSON object.
pub(crate) async fn read_json_object(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    check_content_type(headers)?;

    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than the limit of {limit} bytes; send a smaller body"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let read = tokio::time::timeout(BODY_READ_TIMEOUT, read_limited(body, limit)).await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(ReadError::TooLarge)) => return Err(too_large()),
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "timed out reading the request body after {} s; send the whole body at once",
                    BODY_READ_TIMEOUT.as_secs()
                ),
            ));
        }
        Ok(Err(ReadError::Failed(reason))) => {
            return Err(ApiError::bad_request(format!(
                "failed to read the request body: {reason}"
            )));
        }
    };

    let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
        ApiError::bad_request(format!("request body is not valid JSON: {error}"))
    })?;
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(ApiError::bad_request(format!(
            "request body must be a JSON object, but it is a JSON {}",
            json_type_name(&other)
        ))),
    }
}

/// Accepts `application/json` and `application/*+json`, with or without parameters.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "missing Content-Type header; send the body as JSON with Content-Type: application/json",
        ));
    };
    let text = value.to_str().unwrap_or("");
    let media_type = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported Content-Type `{text}`; send the body as JSON with Content-Type: \
                 application/json"
            ),
        ))
    }
}

/// Endpoint a body was sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Sync,
    Async,
}

/// Rejects fields that belong to another agent kind. Fields no kind defines are ignored, so
/// clients may send fields added in later API versions. `callbackUrl` in a synchronous body
/// is ignored too, because it belongs to the same kind's asynchronous request.
pub(crate) fn check_foreign_fields(
    kind: AgentKind,
    endpoint: Endpoint,
    fields: &Map<String, Value>,
) -> Result<(), ApiError> {
    let accepted = match endpoint {
        Endpoint::Sync => kind.input_field_names(),
        Endpoint::Async => kind.async_field_names(),
    };
    for name in fields.keys() {
        let name = name.as_str();
        if accepted.contains(&name) || kind.async_field_names().contains(&name) {
            continue;
        }
        let owner = AgentKind::ALL
            .into_iter()
            .find(|other| *other != kind && other.async_field_names().contains(&name));
        if let Some(owner) = owner {
            return Err(ApiError::bad_request(format!(
                "field `{name}` belongs to the {} agent and is not accepted by the {} agent; \
                 remove it or run an agent of the right kind",
                owner.display_name(),
                kind.display_name()
            )));
        }
    }
    Ok(())
}

/// Decodes a body into its typed input. Errors name the field: `invalid value for field
/// `limit`: invalid type: string "ten", expected i64`, or `missing field `agentOId``.
pub(crate) fn decode<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(fields)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("invalid request body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid value for field `{path}`: {inner}"))
        }
    })
}

/// Returns a string field when it is present, not null and not blank.
pub(crate) fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// Returns a string field that identifies an agent or experiment, rejecting other JSON types.
pub(crate) fn id_field<'a>(
    fields: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.as_str())),
        Some(other) => Err(ApiError::bad_request(format!(
            "invalid value for field `{name}`: expected a string, found a JSON {}",
            json_type_name(other)
        ))),
    }
}
