//! Test controls under `/_mock/`: statistics and fault settings. They need no API key and
//! are never hit by faults.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::body::{ReadError, read_limited};
use crate::config::Faults;
use crate::respond::{ApiError, json_ok};
use crate::state::Shared;

/// Largest body `PUT /_mock/faults` accepts.
const MAX_FAULTS_BODY: usize = 64 * 1024;

/// `GET /_mock/stats`.
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    json_ok(&shared.counters.snapshot())
}

/// `GET /_mock/faults`.
pub(crate) async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_ok(&shared.faults.get())
}

/// `PUT /_mock/faults`: replaces every fault; fields left out take their defaults.
pub(crate) async fn put_faults(State(shared): State<Arc<Shared>>, body: Body) -> Response {
    match parse_faults(body).await {
        Ok(faults) => {
            tracing::info!(?faults, "faults replaced");
            shared.faults.set(&faults);
            json_ok(&shared.faults.get())
        }
        Err(error) => error.into_response(),
    }
}

async fn parse_faults(body: Body) -> Result<Faults, ApiError> {
    let bytes = read_limited(body, MAX_FAULTS_BODY)
        .await
        .map_err(|error| match error {
            ReadError::TooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("fault settings are larger than {MAX_FAULTS_BODY} bytes"),
            ),
            ReadError::Failed(reason) => {
                ApiError::bad_request(format!("failed to read the request body: {reason}"))
            }
        })?;
    Faults::from_json(&bytes).map_err(ApiError::bad_request)
}
