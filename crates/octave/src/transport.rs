//! Sends API requests through the generated `octave-client`, retries them under the
//! client's [`RetryPolicy`](crate::RetryPolicy), and turns the generated client's errors
//! into [`Error`](crate::Error).
//!
//! Every attempt calls one method of [`octave_client::Client`] inside
//! [`capture_response_meta`], which keeps the status and headers of the response. The
//! generated methods report a body that is not the documented JSON with the body alone, so
//! the captured status is what tells a proxy's HTML 502 (retryable) from a garbled 200, and
//! the captured headers carry `Retry-After`. The generated client's hooks add the API key,
//! the user agent and the request timeout of its [`ClientState`](octave_client::ClientState)
//! to every request, also when the `reqwest::Client` came from the caller.
//!
//! Each attempt runs in an `octave.http` span with the method, path, attempt number and
//! response status. The caller's closure starts each attempt, so a submit passes the same
//! `x-external-request-id` to every attempt.

mod errors;
#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use octave_client::{ClientInfo, ResponseValue, capture_response_meta};
use octave_types::{AgentKind, ErrorResponse};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::Result;
use crate::retry::{Idempotency, Retry, RetryPolicy};
use errors::{ErrorContext, settle};

pub(crate) use errors::undecodable;

/// Error of a method of the generated client.
pub(crate) type ClientError = octave_client::Error<ErrorResponse>;

/// Decoder of a success body that the generated method did not decode: a 200 whose body
/// does not match the documented type, or a 2xx status the API description does not list.
pub(crate) type FallbackDecoder<B> = fn(&[u8]) -> serde_json::Result<B>;

/// Method and path of one API operation, as shown in logs and error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operation {
    method: &'static str,
    path: &'static str,
}

impl Operation {
    /// `runAgentAsync`.
    pub(crate) const RUN_ASYNC: Operation = Operation::post("/api/v2/async/agent/run");
    /// `getAsyncAgentRunStatus`.
    pub(crate) const RUN_STATUS: Operation = Operation::get("/api/v2/async/agent/run/status");
    /// `listAgents`.
    pub(crate) const LIST_AGENTS: Operation = Operation::get("/api/v2/agents/list");
    /// `getAgent`.
    pub(crate) const GET_AGENT: Operation = Operation::get("/api/v2/agents/get");
    /// `listAgentTypes`.
    pub(crate) const LIST_AGENT_TYPES: Operation = Operation::get("/api/v2/agents/types");
    /// `validateApiKey`.
    pub(crate) const VALIDATE_API_KEY: Operation = Operation::get("/api/v2/api-key/validate");

    /// Returns the synchronous run of `kind`.
    pub(crate) fn sync_run(kind: AgentKind) -> Operation {
        Operation::post(kind.sync_path())
    }

    const fn get(path: &'static str) -> Operation {
        Operation {
            method: "GET",
            path,
        }
    }

    const fn post(path: &'static str) -> Operation {
        Operation {
            method: "POST",
            path,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.method, self.path)
    }
}

/// Retry settings of one request: its operation, whether it may start a run, and the
/// deadline after which no retry starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    operation: Operation,
    idempotency: Idempotency,
    deadline: Option<Instant>,
}

impl Call {
    /// Describes a read, which retries may send again freely.
    pub(crate) fn read(operation: Operation) -> Self {
        Call {
            operation,
            idempotency: Idempotency::Read,
            deadline: None,
        }
    }

    /// Describes a request that may start an agent run.
    pub(crate) fn submit(operation: Operation) -> Self {
        Call {
            operation,
            idempotency: Idempotency::Submit,
            deadline: None,
        }
    }

    /// Starts no retry that would end after `deadline`.
    pub(crate) fn deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }
}

/// A success body, decoded by the generated method or by the caller's fallback decoder.
#[derive(Debug)]
pub(crate) enum Decoded<T, B> {
    /// The body matched the documented type.
    Typed(T),
    /// The generated method did not decode the body, and the fallback decoder did.
    Fallback(B),
}

/// The HTTP side of a [`Client`](crate::Client): the generated client and the retry policy.
#[derive(Debug)]
pub(crate) struct Transport {
    api: octave_client::Client,
    request_source: Option<String>,
    retry: RetryPolicy,
}

impl Transport {
    /// Wraps a generated client. `request_source` must already be a valid header value.
    pub(crate) fn new(
        api: octave_client::Client,
        request_source: Option<String>,
        retry: RetryPolicy,
    ) -> Self {
        Transport {
            api,
            request_source,
            retry,
        }
    }

    /// Returns the generated client.
    pub(crate) fn api(&self) -> &octave_client::Client {
        &self.api
    }

    /// Returns the base URL, without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// Returns the `x-request-source` value sent with run requests.
    pub(crate) fn request_source(&self) -> Option<&str> {
        self.request_source.as_deref()
    }

    /// Returns the timeout of one request, if one is set.
    pub(crate) fn request_timeout(&self) -> Option<Duration> {
        self.api.inner().request_timeout()
    }

    /// Returns the retry policy.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sends `call`, starting each attempt with `attempt`, and retries under the policy.
    ///
    /// A success body that the generated method did not decode, such as one with an
    /// undocumented 2xx status, is decoded as `T` once more.
    ///
    /// # Errors
    ///
    /// Returns the error of the last attempt when the policy allows no further retry.
    pub(crate) async fn send<T, F, Fut>(&self, call: &Call, attempt: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ClientError>>,
    {
        let decode: FallbackDecoder<T> = |body| serde_json::from_slice(body);
        match self.send_with_fallback(call, attempt, decode).await? {
            Decoded::Typed(value) => Ok(*value),
            Decoded::Fallback(value) => Ok(value),
        }
    }

    /// Sends `call` as [`send`](Transport::send) does, but decodes a success body that the
    /// generated method did not decode with `fallback`.
    ///
    /// # Errors
    ///
    /// Returns the error of the last attempt when the policy allows no further retry.
    pub(crate) async fn send_with_fallback<T, B, F, Fut>(
        &self,
        call: &Call,
        mut attempt: F,
        fallback: FallbackDecoder<B>,
    ) -> Result<Decoded<Box<T>, B>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ClientError>>,
    {
        let mut number = 1;
        loop {
            let span = tracing::debug_span!(
                "octave.http",
                method = call.operation.method,
                path = call.operation.path,
                attempt = number,
                status = tracing::field::Empty,
            );
            let outcome = self
                .send_once(call, Box::pin(attempt()), fallback)
                .instrument(span)
                .await;
            let error = match outcome {
                Ok(decoded) => return Ok(decoded),
                Err(error) => error,
            };

            let requested = match self.retry.decide(&error, call.idempotency) {
                Retry::Yes(requested) if number < self.retry.attempts() => requested,
                _ => return Err(error),
            };
            let delay = self.retry.delay(number, requested);
            if call
                .deadline
                .is_some_and(|deadline| Instant::now() + delay >= deadline)
            {
                return Err(error);
            }

            tracing::debug!(
                operation = %call.operation,
                attempt = number,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "retrying request"
            );
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }

    // The attempt's future and the decoded body are boxed. A typed response is large inline
    // (Enrich Company's takes 1,752 bytes), so without the boxes every wrapping future held
    // space for one and each layer's return copied it again.
    async fn send_once<T, B, Fut>(
        &self,
        call: &Call,
        request: Pin<Box<Fut>>,
        fallback: FallbackDecoder<B>,
    ) -> Result<Decoded<Box<T>, B>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ClientError>>,
    {
        let (result, meta) = capture_response_meta(async move {
            request
                .await
                .map(|response| Box::new(response.into_inner()))
        })
        .await;
        if let Some(meta) = &meta {
            tracing::Span::current().record("status", meta.status.as_u16());
        }
        match result {
            Ok(response) => Ok(Decoded::Typed(response)),
            Err(error) => {
                let context = ErrorContext {
                    operation: call.operation,
                    timeout: self.request_timeout(),
                };
                // Boxed so that the space for reading an error body is taken only when
                // there is one, not in every request's future.
                Box::pin(settle(error, meta, &context, fallback))
                    .await
                    .map(Decoded::Fallback)
            }
        }
    }
}
