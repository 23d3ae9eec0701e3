//! JSON responses: success bodies, `_metadata` and the `ErrorResponse` of every failure.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use octave_types::{ErrorResponse, Metadata};
use serde::Serialize;

use crate::state::IdGenerator;
use crate::time::now_iso8601;

/// Builds the `_metadata` object of a response.
pub(crate) fn metadata(ids: &IdGenerator, message: &str, usage: f64) -> Metadata {
    Metadata {
        message: Some(message.to_owned()),
        request_id: Some(ids.next_metadata_request_id()),
        timestamp: Some(now_iso8601()),
        usage: Some(usage),
    }
}

/// Serializes a body as a 200 JSON response.
pub(crate) fn json_ok<T: Serialize>(body: &T) -> Response {
    json_response(StatusCode::OK, body)
}

/// Serializes a body as a JSON response with the given status.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "failed to serialize a response body");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "failed to serialize the response",
            )
                .into_response()
        }
    }
}

/// A failed request, sent as an `ErrorResponse` body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Detail for `_metadata.message`; the top-level message when `None`.
    pub detail: Option<String>,
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            detail: None,
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 401 with the message the service sends, `Invalid API key`, and the reason in
    /// `_metadata.message`.
    pub fn unauthorized(reason: &str) -> ApiError {
        ApiError {
            detail: Some(format!("Invalid API key: {reason}")),
            ..ApiError::new(StatusCode::UNAUTHORIZED, "Invalid API key")
        }
    }

    /// 429 with a `Retry-After` header.
    pub fn too_many_requests(message: impl Into<String>, retry_after: Duration) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }
}

/// `_metadata.requestId` of error responses, which are built without access to a server's
/// [`IdGenerator`].
static ERROR_IDS: std::sync::LazyLock<IdGenerator> =
    std::sync::LazyLock::new(|| IdGenerator::new(0x6572_726f_7273));

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::debug!(status = self.status.as_u16(), message = %self.message, "request failed");
        let detail = self.detail.as_deref().unwrap_or(&self.message);
        let body = ErrorResponse {
            metadata: Some(metadata(&ERROR_IDS, detail, 0.0)),
            message: Some(self.message.clone()),
        };
        let mut response = json_response(self.status, &body);
        if let Some(retry_after) = self.retry_after {
            let seconds = retry_after.as_secs_f64().ceil() as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Returns the plain name of a JSON value's type, for error messages.
pub(crate) fn json_type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
