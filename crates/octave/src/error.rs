//! The one error type of the crate.

use std::time::Duration;

use reqwest::StatusCode;

use crate::retry::{Idempotency, Retry, classify};

/// Result of this crate's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the Octave API.
///
/// Every variant states what failed and what to do next. The API key never appears in an
/// error, and neither does a whole request or response body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input failed a check before anything was sent.
    #[error("invalid input `{field}`: {message}")]
    InvalidInput {
        /// JSON name of the field, such as `companyDomain` or `callbackUrl`.
        field: String,
        /// Explanation of the problem and its fix.
        message: String,
    },

    /// The service returned an error status with a JSON error body.
    #[error("{}", describe_api_error(*status, message, request_id.as_deref()))]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// The service's message, or the status's reason phrase when it sent none.
        message: String,
        /// The service's id of the request, from `_metadata.requestId`.
        request_id: Option<String>,
        /// Delay from a `Retry-After` header, if the response had one.
        retry_after: Option<Duration>,
    },

    /// The service returned HTTP 429 Too Many Requests.
    #[error("{}", describe_rate_limit(*retry_after, message.as_deref(), request_id.as_deref()))]
    RateLimited {
        /// Delay from the `Retry-After` header, if the response had one.
        retry_after: Option<Duration>,
        /// The service's message, if the body had one.
        message: Option<String>,
        /// The service's id of the request, from `_metadata.requestId`.
        request_id: Option<String>,
    },

    /// A request took longer than the configured request timeout.
    #[error("{}", describe_timeout(operation, *timeout))]
    Timeout {
        /// Method and path of the request.
        operation: String,
        /// The timeout that expired, when known.
        timeout: Option<Duration>,
        /// The underlying HTTP error.
        #[source]
        source: reqwest::Error,
    },

    /// The connection failed: it could not be opened, or it broke before a complete
    /// response arrived. Also reports a request that `reqwest` could not build.
    #[error("{}", describe_transport(operation, source))]
    Transport {
        /// Method and path of the request.
        operation: String,
        /// The underlying HTTP error.
        #[source]
        source: reqwest::Error,
    },

    /// The response body is not the JSON expected: HTML from a proxy, an empty body or
    /// malformed JSON.
    #[error("{}", describe_undecodable(*status, body_start))]
    UndecodableBody {
        /// HTTP status of the response.
        status: StatusCode,
        /// The first 200 bytes of the body, decoded as lossy UTF-8.
        body_start: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },

    /// A run's output does not fit the agent's output type, for example because the service
    /// changed the type of a field. The output is kept as JSON.
    #[error("{}", describe_output_mismatch(request_id.as_deref(), path, source))]
    OutputMismatch {
        /// The run's request id, when known.
        request_id: Option<String>,
        /// Path of the first field that does not fit, such as `score` or `people[2].email`.
        path: String,
        /// The output as the service sent it.
        output: Box<serde_json::Value>,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },

    /// An asynchronous run finished with an error.
    #[error("run {request_id} failed: {}", truncated_message(message))]
    RunFailed {
        /// The run's request id.
        request_id: String,
        /// The service's error message.
        message: String,
    },

    /// A wait reached its deadline before the run finished. The run may still finish: wait
    /// again on the same request id.
    #[error(
        "run {request_id} did not finish within {elapsed:?} ({polls} status polls); wait \
         again with a later deadline, for example from a handle rebuilt with the request id"
    )]
    DeadlineExceeded {
        /// The run's request id.
        request_id: String,
        /// Time spent waiting.
        elapsed: Duration,
        /// Status polls made.
        polls: u32,
    },

    /// The client configuration is invalid or incomplete.
    #[error("invalid client configuration of {setting}: {message}")]
    Config {
        /// The setting or environment variable at fault, such as `OCTAVE_API_KEY`.
        setting: String,
        /// Explanation of the problem and its fix.
        message: String,
    },
}

impl Error {
    /// Returns the HTTP status of a response that caused the error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::UndecodableBody { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// Returns the request id the error concerns: the service's `_metadata.requestId` of a
    /// failed request, or the run's request id for [`RunFailed`](Error::RunFailed) and
    /// [`DeadlineExceeded`](Error::DeadlineExceeded).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::RateLimited { request_id, .. } => {
                request_id.as_deref()
            }
            Error::RunFailed { request_id, .. } | Error::DeadlineExceeded { request_id, .. } => {
                Some(request_id)
            }
            Error::OutputMismatch { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Returns the delay the service asked for with `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } | Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Returns `true` when the same read request may succeed if sent again: connection
    /// failures, timeouts, HTTP 408, 429 and 5xx.
    ///
    /// A submit (a run request) is retried under stricter rules; see
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        matches!(classify(self, Idempotency::Read), Retry::Yes(_))
    }

    /// Builds an [`InvalidInput`](Error::InvalidInput) error.
    pub(crate) fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Builds a [`Config`](Error::Config) error.
    pub(crate) fn config(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// Maximum number of characters of a service's message in an error's text. The error's
/// field keeps the whole message.
const MAX_MESSAGE_CHARS: usize = 300;

/// Returns a service's message for an error's text, cut after [`MAX_MESSAGE_CHARS`]
/// characters.
fn truncated_message(message: &str) -> std::borrow::Cow<'_, str> {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!(
            "{}… (cut; the whole message is in the error's `message` field)",
            &message[..end]
        )
        .into(),
        None => message.into(),
    }
}

fn describe_api_error(status: StatusCode, message: &str, request_id: Option<&str>) -> String {
    let mut text = format!(
        "Octave API returned HTTP {status}: {}",
        truncated_message(message)
    );
    if let Some(request_id) = request_id {
        text.push_str(&format!(" (request id {request_id})"));
    }
    let hint = match status.as_u16() {
        400 | 422 => Some("check the input fields of the request"),
        401 => Some("check the API key (OCTAVE_API_KEY)"),
        403 => Some("check that the API key is valid for this workspace"),
        404 => Some("check the id; it is not on this account"),
        408 | 500..=599 => Some("the service failed; retry later"),
        _ => None,
    };
    if let Some(hint) = hint {
        text.push_str("; ");
        text.push_str(hint);
    }
    text
}

fn describe_rate_limit(
    retry_after: Option<Duration>,
    message: Option<&str>,
    request_id: Option<&str>,
) -> String {
    let mut text = String::from("rate limited by the Octave API (HTTP 429)");
    if let Some(message) = message {
        text.push_str(&format!(": {}", truncated_message(message)));
    }
    if let Some(request_id) = request_id {
        text.push_str(&format!(" (request id {request_id})"));
    }
    match retry_after {
        Some(delay) if delay > Duration::from_secs(24 * 3600) => {
            text.push_str("; the service asked to wait more than a day before retrying");
        }
        Some(delay) => text.push_str(&format!("; retry after {} s", delay.as_secs_f64())),
        None => text.push_str("; slow down and retry later"),
    }
    text
}

fn describe_timeout(operation: &str, timeout: Option<Duration>) -> String {
    let after = timeout
        .map(|timeout| format!(" after {timeout:?}"))
        .unwrap_or_default();
    format!(
        "{operation} timed out{after}; raise ClientBuilder::request_timeout if the agent needs \
         longer, or retry later"
    )
}

fn describe_transport(operation: &str, source: &reqwest::Error) -> String {
    if source.is_builder() {
        format!(
            "{operation} failed: the request could not be built ({source}); check the base URL \
             (OCTAVE_BASE_URL)"
        )
    } else if source.is_connect() {
        format!(
            "{operation} failed: could not connect to the Octave API; check the base URL \
             (OCTAVE_BASE_URL) and the network"
        )
    } else {
        format!("{operation} failed: the connection broke before a complete response arrived")
    }
}

fn describe_output_mismatch(
    request_id: Option<&str>,
    path: &str,
    source: &serde_json::Error,
) -> String {
    let run = request_id.map_or_else(|| "the run".to_owned(), |id| format!("run {id}"));
    let field = if path.is_empty() || path == "." {
        "the output as a whole".to_owned()
    } else {
        format!("field `{path}`")
    };
    format!(
        "the output of {run} does not fit the agent's output type at {field}: {source}. The \
         service may have changed its output; the JSON is kept in the error's `output` field, \
         and regenerating the SDK from the current API description picks up the change"
    )
}

fn describe_undecodable(status: StatusCode, body_start: &str) -> String {
    if body_start.is_empty() {
        format!("HTTP {status} response has an empty body where JSON was expected")
    } else {
        format!(
            "HTTP {status} response is not the JSON expected; the body starts with \
             {body_start:?}. A proxy in front of the service may have sent it"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_message_is_truncated() {
        let message = "é".repeat(5_000);
        let error = Error::Api {
            status: StatusCode::UNAUTHORIZED,
            message: message.clone(),
            request_id: Some("req_1".to_owned()),
            retry_after: None,
        };
        let text = error.to_string();
        assert!(
            text.chars().count() < 500,
            "{} characters",
            text.chars().count()
        );
        assert!(text.contains("(request id req_1)"), "{text}");
        assert!(text.contains("the whole message is in the error's `message` field"));
        let Error::Api { message: kept, .. } = &error else {
            unreachable!()
        };
        assert_eq!(kept, &message);

        let failed = Error::RunFailed {
            request_id: "r1".to_owned(),
            message: message.clone(),
        };
        assert!(failed.to_string().chars().count() < 500);
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(u64::MAX)),
            message: Some(message),
            request_id: None,
        };
        let text = limited.to_string();
        assert!(text.chars().count() < 500, "{text}");
        assert!(text.contains("more than a day"), "{text}");
    }
}
