//! Handles of asynchronous runs: fetch the status once, or wait for the end.

use std::fmt;
use std::marker::PhantomData;

use octave_types::{AgentKind, AsyncAgentRunStatus};
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;

use crate::builders::{Submitted, SupportedAgent};
use crate::client::Client;
use crate::error::Result;
use crate::output::output_from_result;
use crate::transport::{Call, Operation};
use crate::validate::check_request_id;
use crate::wait::{LoopEnd, StatusSource, WaitOptions, WaitOutcome, poll_until_finished};

/// Handle of an asynchronous run of agent `A`.
///
/// Returned by `submit`. The request id is all it needs, so a process that restarts can
/// store [`request_id`](RunHandle::request_id) and pick the run up again with
/// [`RunHandle::from_request_id`].
pub struct RunHandle<A> {
    core: HandleCore,
    agent: PhantomData<fn() -> A>,
}

impl<A> Clone for RunHandle<A> {
    fn clone(&self) -> Self {
        RunHandle {
            core: self.core.clone(),
            agent: PhantomData,
        }
    }
}

impl<A: SupportedAgent> fmt::Debug for RunHandle<A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RunHandle")
            .field("kind", &A::KIND)
            .field("request_id", &self.core.request_id)
            .field("external_request_id", &self.core.external_request_id)
            .finish()
    }
}

impl<A: SupportedAgent> RunHandle<A> {
    /// Rebuilds a handle from a stored request id. Its first wait polls at once, since the
    /// run may have finished while nothing waited for it.
    ///
    /// The status endpoint does not say which agent a run belongs to, and every output field
    /// is optional, so a request id of another agent's run decodes into a mostly empty
    /// output instead of failing. Store the agent kind beside the request id.
    pub fn from_request_id(client: &Client, request_id: impl Into<String>) -> Self {
        RunHandle {
            core: HandleCore::rebuilt(client, A::KIND, request_id.into()),
            agent: PhantomData,
        }
    }

    /// Returns the handle of a run that `submit` just started.
    pub(crate) fn submitted(client: Client, submitted: Submitted) -> Self {
        RunHandle {
            core: HandleCore::submitted(client, A::KIND, submitted),
            agent: PhantomData,
        }
    }

    /// Returns the run's request id.
    pub fn request_id(&self) -> &str {
        &self.core.request_id
    }

    /// Returns the `x-external-request-id` sent with the submit; `None` for a rebuilt
    /// handle.
    pub fn external_request_id(&self) -> Option<&str> {
        self.core.external_request_id.as_deref()
    }

    /// Fetches the run's status once. [`AsyncAgentRunStatus::state`] interprets it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a blank request id, and the
    /// request errors of [`Error`](crate::Error) once retries are spent.
    pub async fn status(&self) -> Result<AsyncAgentRunStatus> {
        self.core.status().await
    }

    /// Polls until the run finishes or the deadline passes, and decodes the output.
    ///
    /// Dropping the returned future stops polling. See [`WaitOptions`] for the schedule.
    ///
    /// # Errors
    ///
    /// A failed run and a passed deadline are [`WaitOutcome`]s, not errors. Errors are a
    /// blank request id, a poll failing with an error that retrying cannot fix (such as
    /// HTTP 401 or 404, or a 2xx reply that stays unreadable), and an output that does not
    /// decode into `A::Output` ([`Error::OutputMismatch`](crate::Error::OutputMismatch)).
    pub async fn wait(&self, options: WaitOptions) -> Result<WaitOutcome<A::Output>> {
        match self.core.wait(&options).await? {
            WaitOutcome::Succeeded(output) => Ok(WaitOutcome::Succeeded(output.decode()?)),
            WaitOutcome::Failed { error, request_id } => {
                Ok(WaitOutcome::Failed { error, request_id })
            }
            WaitOutcome::DeadlineExceeded {
                elapsed,
                polls,
                request_id,
            } => Ok(WaitOutcome::DeadlineExceeded {
                elapsed,
                polls,
                request_id,
            }),
        }
    }
}

/// Handle of an asynchronous run whose agent kind is known only at run time. Its output
/// stays JSON.
#[derive(Clone)]
pub struct DynamicRunHandle {
    core: HandleCore,
}

impl fmt::Debug for DynamicRunHandle {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DynamicRunHandle")
            .field("kind", &self.core.kind)
            .field("request_id", &self.core.request_id)
            .field("external_request_id", &self.core.external_request_id)
            .finish()
    }
}

impl DynamicRunHandle {
    /// Rebuilds a handle from a stored agent kind and request id. Its first wait polls at
    /// once, since the run may have finished while nothing waited for it.
    pub fn from_request_id(
        client: &Client,
        kind: AgentKind,
        request_id: impl Into<String>,
    ) -> Self {
        DynamicRunHandle {
            core: HandleCore::rebuilt(client, kind, request_id.into()),
        }
    }

    /// Returns the handle of a run that `submit_dynamic` just started.
    pub(crate) fn submitted(client: Client, kind: AgentKind, submitted: Submitted) -> Self {
        DynamicRunHandle {
            core: HandleCore::submitted(client, kind, submitted),
        }
    }

    /// Returns the agent kind of the run.
    pub fn kind(&self) -> AgentKind {
        self.core.kind
    }

    /// Returns the run's request id.
    pub fn request_id(&self) -> &str {
        &self.core.request_id
    }

    /// Returns the `x-external-request-id` sent with the submit; `None` for a rebuilt
    /// handle.
    pub fn external_request_id(&self) -> Option<&str> {
        self.core.external_request_id.as_deref()
    }

    /// Fetches the run's status once.
    ///
    /// # Errors
    ///
    /// As [`RunHandle::status`].
    pub async fn status(&self) -> Result<AsyncAgentRunStatus> {
        self.core.status().await
    }

    /// Polls until the run finishes or the deadline passes. The output is the run's JSON
    /// `data`.
    ///
    /// # Errors
    ///
    /// As [`RunHandle::wait`], except that the output is not decoded.
    pub async fn wait(&self, options: WaitOptions) -> Result<WaitOutcome<Value>> {
        self.core.wait(&options).await
    }
}

/// Fields and operations that both handle types share.
#[derive(Clone)]
struct HandleCore {
    client: Client,
    kind: AgentKind,
    request_id: String,
    external_request_id: Option<String>,
    /// The first wait polls at once: the handle was rebuilt, or the submit reply already
    /// reported the run finished, so no callback may come.
    poll_at_once: bool,
}

impl HandleCore {
    fn rebuilt(client: &Client, kind: AgentKind, request_id: String) -> Self {
        HandleCore {
            client: client.clone(),
            kind,
            request_id,
            external_request_id: None,
            poll_at_once: true,
        }
    }

    fn submitted(client: Client, kind: AgentKind, submitted: Submitted) -> Self {
        HandleCore {
            client,
            kind,
            request_id: submitted.request_id,
            external_request_id: Some(submitted.external_request_id),
            poll_at_once: submitted.finished,
        }
    }

    async fn status(&self) -> Result<AsyncAgentRunStatus> {
        check_request_id(&self.request_id)?;
        let span = tracing::info_span!(
            "octave.status",
            agent.kind = %self.kind,
            request_id = %self.request_id,
        );
        fetch_status(&self.client, &self.request_id, None)
            .instrument(span)
            .await
    }

    async fn wait(&self, options: &WaitOptions) -> Result<WaitOutcome<Value>> {
        check_request_id(&self.request_id)?;
        let span = tracing::info_span!(
            "octave.wait",
            agent.kind = %self.kind,
            request_id = %self.request_id,
            external_request_id = self.external_request_id.as_deref(),
            deadline_ms = options.deadline().as_millis() as u64,
        );
        let signal = self
            .client
            .completion_source()
            .and_then(|source| source.subscribe(&self.request_id));
        let source = HttpStatusSource {
            client: &self.client,
            request_id: &self.request_id,
        };
        let options = if self.poll_at_once {
            options.clone().first_poll_at_once()
        } else {
            options.clone()
        };
        let end = poll_until_finished(&source, &self.request_id, &options, signal)
            .instrument(span)
            .await?;

        let request_id = self.request_id.clone();
        Ok(match end {
            LoopEnd::Succeeded(result) => WaitOutcome::Succeeded(output_from_result(
                result,
                &request_id,
                self.external_request_id.clone(),
            )),
            LoopEnd::Failed(error) => WaitOutcome::Failed { error, request_id },
            LoopEnd::DeadlineExceeded { elapsed, polls } => WaitOutcome::DeadlineExceeded {
                elapsed,
                polls,
                request_id,
            },
        })
    }
}

/// Fetches a run's status from the status endpoint.
async fn fetch_status(
    client: &Client,
    request_id: &str,
    deadline: Option<Instant>,
) -> Result<AsyncAgentRunStatus> {
    let transport = client.transport();
    let api = transport.api();
    let call = Call::read(Operation::RUN_STATUS).deadline(deadline);
    let response = transport
        .send(&call, move || api.get_async_agent_run_status(request_id))
        .await?;
    Ok(response.data)
}

/// The status endpoint as a [`StatusSource`].
struct HttpStatusSource<'a> {
    client: &'a Client,
    request_id: &'a str,
}

impl StatusSource for HttpStatusSource<'_> {
    fn fetch(
        &self,
        deadline: Instant,
    ) -> impl std::future::Future<Output = Result<AsyncAgentRunStatus>> + Send {
        fetch_status(self.client, self.request_id, Some(deadline))
    }
}
