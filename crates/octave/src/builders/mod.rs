//! Builders of agent runs: one per agent, sharing one generic core.
//!
//! [`RunBuilder<A>`] contains the typed input of agent `A` and runs it synchronously
//! ([`run`](RunBuilder::run)), submits it asynchronously ([`submit`](RunBuilder::submit)),
//! or both submits and waits ([`submit_and_wait`](RunBuilder::submit_and_wait)). The
//! constructors on [`Client`] take the required inputs as arguments; the optional inputs
//! are setters, defined per agent in the submodules.

mod company;
mod messaging;
mod person;
mod send;

use std::fmt;

use octave_types::Agent;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::handle::RunHandle;
use crate::output::RunOutput;
use crate::validate::check_callback_url;
use crate::wait::{WaitOptions, WaitOutcome};

pub use company::{EnrichCompanyBuilder, ProspectorBuilder, QualifyCompanyBuilder};
pub use messaging::{ContentBuilder, SequenceBuilder};
pub use person::{CallPrepBuilder, EnrichPersonBuilder, QualifyPersonBuilder};
pub(crate) use send::{Submitted, run_sync, submit_async};

pub(crate) mod sealed {
    use std::future::Future;

    use octave_client::ResponseValue;

    use crate::error::Result;
    use crate::transport::ClientError;

    /// Input checks and log ids of an agent, beyond what [`octave_types::Agent`] describes.
    pub trait AgentInput: octave_types::Agent {
        /// Runs the input checks of this agent.
        fn check(input: &Self::Input) -> Result<()>;

        /// Returns the agent or experiment OId the input names, for logs.
        fn target_id(input: &Self::Input) -> Option<&str>;
    }

    /// The synchronous run endpoint of an agent in the generated client.
    pub trait RunEndpoint: octave_types::Agent {
        /// Calls the generated method that runs this agent synchronously.
        fn call_run_endpoint<'a>(
            api: &'a octave_client::Client,
            external_request_id: &'a str,
            request_source: Option<&'a str>,
            input: &'a Self::Input,
        ) -> impl Future<
            Output = std::result::Result<ResponseValue<Self::Response>, ClientError>,
        > + Send
        + 'a;

        /// Returns the `_metadata.requestId` and `found` of a response.
        fn response_summary(response: &Self::Response) -> (Option<&str>, bool);
    }
}

/// An agent this crate can run: one of the marker types in [`octave_types::agents`].
///
/// Sealed: the eight agents implement it, and it cannot be implemented outside this crate.
pub trait SupportedAgent: sealed::AgentInput + sealed::RunEndpoint {}

impl<A: sealed::AgentInput + sealed::RunEndpoint> SupportedAgent for A {}

/// A run of agent `A`, ready to send.
///
/// Build one with a constructor on [`Client`] (such as
/// [`Client::enrich_company`]) or from a complete input with
/// [`RunBuilder::from_input`].
pub struct RunBuilder<A: Agent> {
    client: Client,
    input: A::Input,
    external_request_id: Option<String>,
}

impl<A: Agent> Clone for RunBuilder<A> {
    fn clone(&self) -> Self {
        RunBuilder {
            client: self.client.clone(),
            input: self.input.clone(),
            external_request_id: self.external_request_id.clone(),
        }
    }
}

impl<A: Agent> fmt::Debug for RunBuilder<A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RunBuilder")
            .field("kind", &A::KIND)
            .field("input", &self.input)
            .field("external_request_id", &self.external_request_id)
            .finish_non_exhaustive()
    }
}

impl<A: SupportedAgent> RunBuilder<A> {
    /// Starts from a complete generated input. The input checks run when the run is sent.
    pub fn from_input(client: &Client, input: A::Input) -> Self {
        RunBuilder {
            client: client.clone(),
            input,
            external_request_id: None,
        }
    }

    /// Sets the `x-external-request-id` header, a correlation id of the caller's choice.
    /// Without it, each send generates a random 128-bit hex id. Every retry of one send
    /// reuses the same id.
    pub fn external_request_id(mut self, id: impl Into<String>) -> Self {
        self.external_request_id = Some(id.into());
        self
    }

    /// Returns the input as it will be sent.
    pub fn input(&self) -> &A::Input {
        &self.input
    }

    /// Returns the input, consuming the builder.
    pub fn into_input(self) -> A::Input {
        self.input
    }

    /// Runs the input checks without sending anything.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first field that fails a check.
    pub fn check(&self) -> Result<()> {
        A::check(&self.input)
    }

    /// Runs the agent synchronously and returns its typed output.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending; afterwards the request errors of
    /// [`Error`], once the retry policy allows no further attempt.
    pub async fn run(self) -> Result<RunOutput<A::Output>> {
        A::check(&self.input)?;
        run_sync::<A>(&self.client, &self.input, self.external_request_id)
            .await?
            .into_typed()
    }

    /// Starts an asynchronous run. Octave POSTs the result to `callback_url` when the run
    /// finishes; the returned handle can also poll for it.
    ///
    /// NOTE: the asynchronous endpoint picks the input schema from the saved agent that
    /// `agentOId` names, so an agent of another kind is run as that kind instead of being
    /// rejected (the synchronous endpoints reject it). Its output then decodes into this
    /// agent's output type with most fields empty; check the agent's type with
    /// [`Client::get_agent`](crate::Client::get_agent) when the id comes from outside.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a failed input check or a callback URL that is not an
    /// absolute http(s) URL; afterwards the request errors of [`Error`].
    pub async fn submit(self, callback_url: impl AsRef<str>) -> Result<RunHandle<A>> {
        let callback_url = callback_url.as_ref();
        A::check(&self.input)?;
        check_callback_url(callback_url)?;
        let submitted = submit_async::<A>(
            &self.client,
            &self.input,
            callback_url,
            self.external_request_id,
        )
        .await?;
        bind_to_receiver(&self.client, callback_url, &submitted);
        Ok(RunHandle::submitted(self.client, submitted))
    }

    /// Starts an asynchronous run and waits for it.
    ///
    /// Without a `callback_url`, a fresh URL from the attached
    /// [`CallbackReceiver`](crate::callbacks::CallbackReceiver) is used, else the client's
    /// default ([`ClientBuilder::callback_url`](crate::ClientBuilder::callback_url)); the
    /// endpoint requires one.
    ///
    /// # Errors
    ///
    /// As [`submit`](RunBuilder::submit) and [`RunHandle::wait`];
    /// [`Error::InvalidInput`] for `callbackUrl` when no callback URL is known.
    pub async fn submit_and_wait(
        self,
        callback_url: Option<&str>,
        options: WaitOptions,
    ) -> Result<WaitOutcome<A::Output>> {
        let callback_url = resolve_callback_url(&self.client, callback_url)?;
        let handle = self.submit(callback_url).await?;
        handle.wait(options).await
    }
}

/// Binds `callback_url` to the submitted run in an attached callback receiver, so that the
/// run's callback can end its wait without a status poll. The receiver ignores URLs it
/// did not mint.
pub(crate) fn bind_to_receiver(client: &Client, callback_url: &str, submitted: &Submitted) {
    if let Some(source) = client.completion_source() {
        source.bind(callback_url, &submitted.request_id);
    }
}

/// Picks the callback URL: the caller's, else a fresh one from the attached callback
/// receiver, else the client's default. [`Bulk`](crate::Bulk) picks in the same order.
pub(crate) fn resolve_callback_url(client: &Client, explicit: Option<&str>) -> Result<String> {
    if let Some(url) = explicit {
        return Ok(url.to_owned());
    }
    let source = client.completion_source();
    if let Some(url) = source.as_ref().and_then(|source| source.callback_url()) {
        return Ok(url);
    }
    if let Some(url) = &client.inner.callback_url {
        return Ok(url.clone());
    }
    Err(missing_callback_url(source.is_some()))
}

/// Returns the error for a run that needs a callback URL and has none. `receiver_closed` is true
/// when a callback receiver is attached but shut down.
pub(crate) fn missing_callback_url(receiver_closed: bool) -> Error {
    let message = if receiver_closed {
        "no callback URL given, and the callback receiver attached to the client is shut \
         down; attach a running CallbackReceiver, pass a callback URL, or set \
         ClientBuilder::callback_url"
    } else {
        "no callback URL given and the client has no default; the asynchronous endpoint \
         requires one, so pass it here, attach a CallbackReceiver, or set \
         ClientBuilder::callback_url"
    };
    Error::invalid_input("callbackUrl", message)
}

/// Defines `Option` setters on a builder: `name: field = Type`, each with its doc comment.
macro_rules! setters {
    ($agent:ty { $( $(#[$doc:meta])* $name:ident : $field:ident = $ty:ty ),* $(,)? }) => {
        impl $crate::builders::RunBuilder<$agent> {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                    self.input.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// Defines the setters that every agent with a required `agentOId` shares.
macro_rules! common_setters {
    ($agent:ty) => {
        $crate::builders::setters!($agent {
            /// Runs this agent experiment (`experimentOId`) instead of the saved agent's
            /// current configuration.
            experiment: experiment_o_id = String,
            /// Extra context for this run (`runtimeContext`), of any JSON type, for example
            /// `json!({"user": {"oId": "user_123"}})`.
            runtime_context: runtime_context = serde_json::Value,
            /// Whether to return full annotation data with metadata
            /// (`includeFullAnnotation`). Default on the service: minimal annotations.
            include_full_annotation: include_full_annotation = bool,
        });
    };
}

pub(crate) use {common_setters, setters};

#[cfg(test)]
mod tests;
