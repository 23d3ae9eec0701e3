//! Conversion of the generated client's errors into this crate's [`Error`].

use std::time::{Duration, SystemTime};

use octave_client::ResponseMeta;
use octave_types::ErrorResponse;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::{ClientError, FallbackDecoder, Operation};
use crate::error::{Error, Result};
use crate::retry::parse_retry_after;

/// Number of body bytes kept in [`Error::UndecodableBody`].
const BODY_START_BYTES: usize = 200;

/// Details of the failed request that error messages name.
pub(crate) struct ErrorContext {
    /// Method and path of the request.
    pub(crate) operation: Operation,
    /// The client's timeout of one request.
    pub(crate) timeout: Option<Duration>,
}

/// Turns a failed call of the generated client into an [`Error`].
///
/// `meta` is the status and headers that [`octave_client::capture_response_meta`] recorded
/// for the call. Some success responses have a body that the generated method did not
/// decode: a 200 that does not match the documented type, or a 2xx status the API
/// description does not list. Such a body goes to `fallback`, whose value is the only `Ok`
/// this function returns. A body that `fallback` cannot decode either becomes
/// [`Error::UndecodableBody`].
pub(crate) async fn settle<B>(
    error: ClientError,
    meta: Option<ResponseMeta>,
    context: &ErrorContext,
    fallback: FallbackDecoder<B>,
) -> Result<B> {
    match error {
        ClientError::ErrorResponse(response) => {
            let status = response.status();
            let retry_after = retry_after(response.headers());
            Err(error_from_parsed(
                status,
                retry_after,
                Some(response.into_inner()),
            ))
        }
        ClientError::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|source| connection_error(context, source))?;
            if status.is_success() {
                fallback(&body).map_err(|source| undecodable(status, &body, source))
            } else {
                Err(error_from_body(status, &headers, &body))
            }
        }
        ClientError::InvalidResponsePayload(body, source) => {
            let Some(meta) = meta else {
                // NOTE: the client's hooks record every response inside
                // `capture_response_meta`, so the status is missing only for a call made
                // outside it. 200 is a guess: the status this body was most likely sent with.
                return Err(undecodable(StatusCode::OK, &body, source));
            };
            if meta.status.is_success() {
                fallback(&body).map_err(|_| undecodable(meta.status, &body, source))
            } else {
                Err(error_from_body(meta.status, &meta.headers, &body))
            }
        }
        ClientError::CommunicationError(source)
        | ClientError::ResponseBodyError(source)
        | ClientError::InvalidUpgrade(source) => Err(connection_error(context, source)),
        ClientError::InvalidRequest(message) => Err(Error::invalid_input(
            "request",
            format!(
                "{} could not be built: {message}; a header value contains characters \
                 that HTTP does not allow",
                context.operation
            ),
        )),
        // NOTE: the hooks of `octave_client::ClientState` never return a custom error, so
        // this arm runs only if a later version of them does.
        ClientError::Custom(message) => Err(Error::invalid_input(
            "request",
            format!(
                "{} was rejected by a client hook: {message}",
                context.operation
            ),
        )),
    }
}

/// Turns a failure to send a request or to read its response into a timeout or a
/// transport error.
fn connection_error(context: &ErrorContext, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout {
            operation: context.operation.to_string(),
            timeout: context.timeout,
            source,
        }
    } else {
        Error::Transport {
            operation: context.operation.to_string(),
            source,
        }
    }
}

/// Builds the error of a response with an error status from its raw body, which may be
/// the documented JSON or anything else, such as a proxy's HTML page.
fn error_from_body(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let retry_after = retry_after(headers);
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(parsed) => error_from_parsed(status, retry_after, Some(parsed)),
        // A 429 is a rate limit whatever its body contains.
        Err(_) if status == StatusCode::TOO_MANY_REQUESTS => {
            error_from_parsed(status, retry_after, None)
        }
        // NOTE: `UndecodableBody` has no field for `Retry-After`, so a retry after an HTML
        // 503 waits the backoff delay even when the response named a delay.
        Err(source) => undecodable(status, body, source),
    }
}

/// Builds the error of a response with an error status and, when it had one, a JSON
/// error body.
fn error_from_parsed(
    status: StatusCode,
    retry_after: Option<Duration>,
    parsed: Option<ErrorResponse>,
) -> Error {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Error::RateLimited {
            retry_after,
            message: parsed.as_ref().and_then(error_message),
            request_id: parsed.as_ref().and_then(error_request_id),
        };
    }
    Error::Api {
        status,
        message: parsed.as_ref().and_then(error_message).unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no message from the service")
                .to_owned()
        }),
        request_id: parsed.as_ref().and_then(error_request_id),
        retry_after,
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| parse_retry_after(value, SystemTime::now()))
}

fn error_message(response: &ErrorResponse) -> Option<String> {
    response
        .message
        .clone()
        .or_else(|| response.metadata.as_ref()?.message.clone())
        .filter(|message| !message.trim().is_empty())
}

fn error_request_id(response: &ErrorResponse) -> Option<String> {
    response.metadata.as_ref()?.request_id.clone()
}

/// Builds an [`Error::UndecodableBody`] with the start of `body`.
pub(crate) fn undecodable(status: StatusCode, body: &[u8], source: serde_json::Error) -> Error {
    let end = body.len().min(BODY_START_BYTES);
    Error::UndecodableBody {
        status,
        body_start: String::from_utf8_lossy(&body[..end]).into_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use octave_client::ResponseValue;
    use reqwest::header::HeaderValue;
    use serde_json::{Value, json};

    use super::*;

    const CONTEXT: ErrorContext = ErrorContext {
        operation: Operation::VALIDATE_API_KEY,
        timeout: Some(Duration::from_secs(5)),
    };

    fn json_fallback(body: &[u8]) -> serde_json::Result<Value> {
        serde_json::from_slice(body)
    }

    fn meta(status: u16, retry_after: Option<&'static str>) -> Option<ResponseMeta> {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
        }
        Some(ResponseMeta {
            status: StatusCode::from_u16(status).expect("valid status"),
            headers,
        })
    }

    fn error_response(status: u16, body: Value, retry_after: Option<&'static str>) -> ClientError {
        let parsed: ErrorResponse = serde_json::from_value(body).expect("error body");
        let meta = meta(status, retry_after).expect("meta");
        ClientError::ErrorResponse(ResponseValue::new(parsed, meta.status, meta.headers))
    }

    /// Builds the error the generated client returns for `body` that is not the JSON
    /// expected.
    fn invalid_payload(body: &'static [u8]) -> ClientError {
        let source = serde_json::from_slice::<ErrorResponse>(body).expect_err("not JSON");
        ClientError::InvalidResponsePayload(body.into(), source)
    }

    async fn settle_error(error: ClientError, meta: Option<ResponseMeta>) -> Error {
        settle(error, meta, &CONTEXT, json_fallback)
            .await
            .expect_err("an error")
    }

    #[tokio::test]
    async fn json_error_becomes_api_error() {
        let body = json!({"_metadata": {"requestId": "req_1"}, "message": "Invalid API key"});
        let error = settle_error(error_response(401, body, None), None).await;
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(error.request_id(), Some("req_1"));
        assert!(error.to_string().contains("Invalid API key"), "{error}");
    }

    #[tokio::test]
    async fn metadata_message_fills_missing_message() {
        let body = json!({"_metadata": {"message": "Bad request"}});
        let error = settle_error(error_response(400, body, None), None).await;
        assert!(matches!(&error, Error::Api { message, .. } if message == "Bad request"));
    }

    #[tokio::test]
    async fn empty_error_object_uses_reason() {
        let error = settle_error(error_response(404, json!({}), None), None).await;
        assert!(matches!(&error, Error::Api { message, .. } if message == "Not Found"));
    }

    #[tokio::test]
    async fn json_429_is_rate_limited() {
        let body = json!({"message": "slow down", "_metadata": {"requestId": "req_9"}});
        let error = settle_error(error_response(429, body, Some("12")), None).await;
        assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));
        assert_eq!(error.request_id(), Some("req_9"));
        assert!(error.to_string().contains("slow down"), "{error}");
    }

    #[tokio::test]
    async fn retry_after_kept_on_503() {
        let error = settle_error(error_response(503, json!({}), Some("3")), None).await;
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
        assert!(error.is_retryable());
    }

    #[tokio::test]
    async fn html_error_keeps_status_and_body() {
        let payload = invalid_payload(b"<html><body>502 Bad Gateway</body></html>");
        let error = settle_error(payload, meta(502, None)).await;
        match &error {
            Error::UndecodableBody {
                status, body_start, ..
            } => {
                assert_eq!(*status, StatusCode::BAD_GATEWAY);
                assert!(body_start.starts_with("<html>"), "{body_start:?}");
            }
            other => panic!("expected UndecodableBody, got {other:?}"),
        }
        assert!(error.is_retryable());
        assert!(std::error::Error::source(&error).is_some(), "no source");
    }

    #[tokio::test]
    async fn plain_text_429_is_rate_limited() {
        let error = settle_error(invalid_payload(b"slow down"), meta(429, Some("7"))).await;
        assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    }

    #[tokio::test]
    async fn empty_success_body_is_undecodable() {
        let error = settle_error(invalid_payload(b""), meta(200, None)).await;
        assert!(
            matches!(&error, Error::UndecodableBody { status, body_start, .. }
                if *status == StatusCode::OK && body_start.is_empty())
        );
        assert!(error.to_string().contains("empty body"), "{error}");
    }

    #[tokio::test]
    async fn body_start_is_truncated() {
        let body: &'static [u8] = Box::leak(vec![b'x'; 5000].into_boxed_slice());
        let error = settle_error(invalid_payload(body), meta(200, None)).await;
        assert!(
            matches!(&error, Error::UndecodableBody { body_start, .. } if body_start.len() == 200)
        );
    }

    #[tokio::test]
    async fn success_payload_goes_to_fallback() {
        // A body that the generated method rejected, such as an envelope without `found`,
        // and that the fallback decoder accepts.
        let source = serde_json::from_str::<ErrorResponse>("[]").expect_err("not an object");
        let body: &'static [u8] = br#"{"data": 1}"#;
        let payload = ClientError::InvalidResponsePayload(body.into(), source);
        let value = settle(payload, meta(200, None), &CONTEXT, json_fallback)
            .await
            .expect("fallback decodes");
        assert_eq!(value, json!({"data": 1}));
    }

    #[tokio::test]
    async fn missing_meta_reports_status_200() {
        let error = settle_error(invalid_payload(b"<html>"), None).await;
        assert_eq!(error.status(), Some(StatusCode::OK));
    }

    #[tokio::test]
    async fn invalid_request_is_invalid_input() {
        let error = ClientError::InvalidRequest("failed to parse header value".into());
        let error = settle_error(error, None).await;
        assert!(
            matches!(&error, Error::InvalidInput { field, .. } if field == "request"),
            "{error:?}"
        );
        assert!(error.to_string().contains("GET /api/v2/api-key/validate"));
        assert!(!error.is_retryable());
    }

    #[tokio::test]
    async fn custom_error_is_invalid_input() {
        let error = settle_error(ClientError::Custom("hook failed".into()), None).await;
        assert!(
            matches!(&error, Error::InvalidInput { message, .. } if message.contains("hook failed")),
            "{error:?}"
        );
        assert!(!error.is_retryable());
    }
}
