//! Fault injection on the API endpoints: resets, latency, 429 bursts, errors, malformed
//! bodies and unknown fields.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::body::read_limited;
use crate::config::Faults;
use crate::respond::ApiError;
use crate::state::{FaultView, Shared, bump};

/// Marks a response that must not be sent: the server closes the connection instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResetConnection;

/// Largest response body that the malformed-JSON and unknown-fields faults rewrite.
const MAX_REWRITTEN_BODY: usize = 64 * 1024 * 1024;

/// Applies the faults in force to one API request, and hands the request's [`FaultView`] to
/// the handler through the request extensions.
pub(crate) async fn inject(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let view = shared.faults.view();
    if shared.faults.take_burst() {
        bump(&shared.counters.faults_injected);
        bump(&shared.counters.rate_limited);
        let message = "Rate limit exceeded (injected fault); retry after the time in the \
                       Retry-After header";
        return ApiError::too_many_requests(message, shared.config.retry_after).into_response();
    }
    let Some(faults) = view.0.clone() else {
        return next.run(request).await;
    };

    if shared.faults.roll(faults.reset_rate) {
        bump(&shared.counters.faults_injected);
        tracing::debug!(path = %request.uri().path(), "closing the connection (injected reset)");
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(ResetConnection);
        return response;
    }
    if faults.latency_ms > 0 {
        bump(&shared.counters.faults_injected);
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if shared.faults.roll(faults.error_rate) {
        bump(&shared.counters.faults_injected);
        return injected_error(&faults).into_response();
    }

    request.extensions_mut().insert(view);
    let mut response = next.run(request).await;

    if faults.unknown_fields {
        response = rewrite_json(response, add_unknown_fields).await;
    }
    if shared.faults.roll(faults.malformed_json_rate) {
        bump(&shared.counters.faults_injected);
        response = truncate_body(response).await;
    }
    response
}

fn injected_error(faults: &Faults) -> ApiError {
    let status =
        StatusCode::from_u16(faults.error_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let status = if status.is_server_error() {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let message = match status {
        StatusCode::BAD_GATEWAY => "Bad gateway (injected fault); retry the request",
        StatusCode::SERVICE_UNAVAILABLE => {
            "Service unavailable (injected fault); retry the request"
        }
        _ => "Internal server error (injected fault); retry the request",
    };
    ApiError::new(status, message)
}

/// Replaces the response with a 200 whose body is the first half of the real body. Every
/// body the API sends is a JSON object, and no strict prefix of an object is valid JSON.
async fn truncate_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = read_limited(body, MAX_REWRITTEN_BODY)
        .await
        .unwrap_or_default();
    let cut = if bytes.len() < 2 {
        b"{".to_vec()
    } else {
        bytes[..bytes.len() / 2].to_vec()
    };
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(cut))
}

/// Parses a JSON response body, changes it and serializes it again. Bodies that are not JSON
/// are left as they are.
async fn rewrite_json(response: Response, change: fn(&mut Value)) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = read_limited(body, MAX_REWRITTEN_BODY)
        .await
        .unwrap_or_default();
    let rewritten = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut value) => {
            change(&mut value);
            serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec())
        }
        Err(_) => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(rewritten))
}

/// Adds fields that no schema defines: at the top level, in `_metadata`, and in `data` and
/// `result` (in each item when they are arrays).
pub(crate) fn add_unknown_fields(value: &mut Value) {
    let Value::Object(fields) = value else {
        return;
    };
    insert_extras(fields, "top");
    if let Some(Value::Object(metadata)) = fields.get_mut("_metadata") {
        metadata.insert("region".to_owned(), Value::from("mock-1"));
    }
    for key in ["data", "result"] {
        match fields.get_mut(key) {
            Some(Value::Object(inner)) => insert_extras(inner, key),
            Some(Value::Array(items)) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        insert_extras(inner, key);
                    }
                }
            }
            _ => {}
        }
    }
}

fn insert_extras(fields: &mut Map<String, Value>, place: &str) {
    fields.insert(
        "mockExtension".to_owned(),
        serde_json::json!({ "place": place, "version": 2, "flags": ["beta"] }),
    );
    fields.insert(
        "mockNote".to_owned(),
        Value::from("field added by the unknown_fields fault"),
    );
}

impl FaultView {
    /// Returns the view stored in a request's extensions by [`inject`], or no faults.
    pub fn of(request: &axum::http::request::Parts) -> FaultView {
        request
            .extensions
            .get::<FaultView>()
            .cloned()
            .unwrap_or_default()
    }
}
