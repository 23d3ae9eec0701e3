//! The client's own state and its request hooks. The hooks add the API key, the user agent
//! and a timeout to every request. They also record each response's status and headers for
//! callers that need them when a body fails to decode.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, InvalidHeaderValue, USER_AGENT};

use crate::Client;

/// Name of the header that carries the API key.
pub const API_KEY_HEADER: &str = "api_key";

/// [`API_KEY_HEADER`] as a header name, which is inserted without parsing or copying it.
const API_KEY_HEADER_NAME: HeaderName = HeaderName::from_static(API_KEY_HEADER);

/// Values the client adds to every request. The API key is marked sensitive and never shown
/// by `Debug`.
#[derive(Clone, Default)]
pub struct ClientState {
    api_key: Option<HeaderValue>,
    user_agent: Option<HeaderValue>,
    request_timeout: Option<Duration>,
}

impl ClientState {
    /// Creates a state that adds nothing to requests.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `api_key` with every request.
    ///
    /// # Errors
    ///
    /// Fails when the key contains characters that are not allowed in an HTTP header value.
    pub fn with_api_key(mut self, api_key: &str) -> Result<Self, InvalidHeaderValue> {
        let mut value = HeaderValue::from_str(api_key)?;
        value.set_sensitive(true);
        self.api_key = Some(value);
        Ok(self)
    }

    /// Sends `user_agent` with every request, replacing the HTTP client's own.
    ///
    /// # Errors
    ///
    /// Fails when the value is not a valid HTTP header value.
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, InvalidHeaderValue> {
        self.user_agent = Some(HeaderValue::from_str(user_agent)?);
        Ok(self)
    }

    /// Sets a timeout for each request, from sending until the whole body has arrived.
    pub fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Returns the per-request timeout, if one is set.
    pub fn request_timeout(&self) -> Option<Duration> {
        self.request_timeout
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ClientState")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let state = &self.inner;
        if let Some(api_key) = &state.api_key {
            request
                .headers_mut()
                .insert(API_KEY_HEADER_NAME, api_key.clone());
        }
        if let Some(user_agent) = &state.user_agent {
            request.headers_mut().insert(USER_AGENT, user_agent.clone());
        }
        if let Some(timeout) = state.request_timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Ok(response) = result {
            let status = response.status();
            // A success's headers reach the caller in its `ResponseValue`, so copying them
            // here would only cost an allocation on every call.
            let headers = if status.is_success() {
                HeaderMap::new()
            } else {
                response.headers().clone()
            };
            let meta = ResponseMeta { status, headers };
            // Outside `capture_response_meta` there is no slot, and nothing needs recording.
            let _ = LAST_RESPONSE.try_with(|slot| *slot.borrow_mut() = Some(meta));
        }
        Ok(())
    }
}

/// Status and headers of a response, recorded before its body is decoded.
#[derive(Clone, Debug)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers of a response whose status is not 2xx; empty for a 2xx response.
    pub headers: HeaderMap,
}

tokio::task_local! {
    static LAST_RESPONSE: RefCell<Option<ResponseMeta>>;
}

/// Runs one call of the generated client and returns its result with the status and headers
/// of the last response it received.
///
/// The generated methods report a body that is not the documented JSON as
/// [`Error::InvalidResponsePayload`], which carries the body but not the status. Wrapping
/// the call in this function recovers the status and headers, such as `Retry-After`.
pub async fn capture_response_meta<F: Future>(call: F) -> (F::Output, Option<ResponseMeta>) {
    LAST_RESPONSE
        .scope(RefCell::new(None), async {
            let output = call.await;
            let meta = LAST_RESPONSE.with(|slot| slot.borrow_mut().take());
            (output, meta)
        })
        .await
}
