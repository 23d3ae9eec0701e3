//! Rust SDK for the [Octave](https://octavehq.com) agents API.
//!
//! - [`Client`] carries the API key, base URL, timeouts and [`RetryPolicy`]. Build it with
//!   [`Client::from_env`] (`OCTAVE_API_KEY`, `OCTAVE_BASE_URL`) or [`Client::builder`].
//! - One builder per agent, such as [`Client::enrich_company`] or [`Client::sequence`]:
//!   required inputs are arguments, optional ones are setters, and every input is checked
//!   before anything is sent. [`RunBuilder::run`] runs the agent synchronously and returns
//!   its typed output; [`RunBuilder::submit`] starts an asynchronous run and returns a
//!   [`RunHandle`] that can [`wait`](RunHandle::wait) for the result.
//! - [`Client::run_dynamic`] and [`Client::submit_dynamic`] take the agent kind and a JSON
//!   input, for code that learns the kind at run time.
//! - One [`Error`] type. Reads are retried on connection failures, timeouts, HTTP 429 and
//!   5xx; a submit only when the service cannot have started a run. See [`RetryPolicy`].
//! - Every operation runs in a `tracing` span (`octave.run`, `octave.submit`,
//!   `octave.wait`, `octave.poll`, `octave.http`, ...) with the agent kind, the ids and the
//!   attempt. The API key and request bodies are never logged.
//!
//! # Run an agent
//!
//! This example runs against the crate's mock server. With a real key, build the client
//! with [`Client::from_env`] and use an agent OId from the Octave dashboard.
//!
//! ```
//! use octave::{Client, CompanyIdentifier};
//! # use octave_mock::{MockConfig, MockServer, seeded_agent_id};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = MockServer::start(MockConfig::default()).await?;
//! # let agent_id = seeded_agent_id(octave::AgentKind::EnrichCompany);
//! let client = Client::builder()
//!     .api_key(mock.api_key())
//!     .base_url(mock.url())
//!     .build()?;
//!
//! let result = client
//!     .enrich_company(agent_id, CompanyIdentifier::domain("example.com"))
//!     .run()
//!     .await?;
//! println!("request {:?} used {:?} credits", result.request_id, result.usage);
//! if let Some(company) = result.output.and_then(|output| output.company) {
//!     println!("{:?}", company.name);
//! }
//! # mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Run asynchronously and wait
//!
//! An asynchronous run reports to a callback URL and can also be polled. Waiting needs a
//! deadline, and the outcome separates success, failure and a passed deadline. A stored
//! request id is enough to wait again after a restart.
//!
//! ```
//! use std::time::Duration;
//!
//! use octave::{Client, PersonIdentifier, RunHandle, WaitOptions, WaitOutcome};
//! use octave::agents::QualifyPerson;
//! # use octave_mock::{MockConfig, MockServer, seeded_agent_id};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let config = MockConfig { run_duration: Duration::from_millis(100), ..MockConfig::default() };
//! # let mock = MockServer::start(config).await?;
//! # let agent_id = seeded_agent_id(octave::AgentKind::QualifyPerson);
//! # let client = Client::builder().api_key(mock.api_key()).base_url(mock.url()).build()?;
//! let handle = client
//!     .qualify_person(agent_id, PersonIdentifier::email("jane@example.com"))
//!     .submit("https://example.com/octave/callback")
//!     .await?;
//! let stored_id = handle.request_id().to_owned();
//!
//! // Later, possibly in another process:
//! let handle = RunHandle::<QualifyPerson>::from_request_id(&client, stored_id);
//! let options = WaitOptions::new(Duration::from_secs(300)).min_interval(Duration::from_millis(50));
//! match handle.wait(options).await? {
//!     WaitOutcome::Succeeded(result) => println!("score {:?}", result.output.and_then(|o| o.score)),
//!     WaitOutcome::Failed { error, .. } => eprintln!("run failed: {error}"),
//!     WaitOutcome::DeadlineExceeded { polls, .. } => eprintln!("still running after {polls} polls"),
//!     _ => {}
//! }
//! # mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Callbacks and bulk runs
//!
//! [`callbacks::CallbackReceiver`] (feature `receiver`, on by default) is an HTTP server
//! that hands out one unguessable callback URL per run and ends a run's wait as soon as its
//! callback arrives; waits still poll, so a lost callback delays a result but never loses
//! it. [`callbacks::decode_callback`] reads callback bodies for services with their own
//! HTTP server. [`Client::bulk`] runs a stream of inputs with bounded concurrency, backs
//! off together on HTTP 429, and yields each result with its input's index as it finishes.
//!
//! # Errors
//!
//! Input checks fail with [`Error::InvalidInput`] naming the JSON field. Answers of the
//! service become [`Error::Api`] (with the status, message and `_metadata.requestId`),
//! [`Error::RateLimited`] or [`Error::UndecodableBody`] (with the start of a body that is
//! not the JSON expected, such as a proxy's HTML page). A run output that does not fit the
//! agent's output type is [`Error::OutputMismatch`], which names the field and keeps the
//! JSON. [`Error::is_retryable`] returns whether sending the same read again may help.

mod builders;
mod bulk;
pub mod callbacks;
mod catalog;
mod client;
mod config;
mod dynamic;
mod error;
mod handle;
mod identifiers;
mod output;
mod retry;
mod secret;
mod transport;
mod validate;
mod wait;

pub use builders::{
    CallPrepBuilder, ContentBuilder, EnrichCompanyBuilder, EnrichPersonBuilder, ProspectorBuilder,
    QualifyCompanyBuilder, QualifyPersonBuilder, RunBuilder, SequenceBuilder, SupportedAgent,
};
pub use bulk::{Bulk, BulkItem, BulkStats, BulkStream};
pub use catalog::ListAgentsQuery;
pub use client::{API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use dynamic::DynamicRunOutput;
pub use error::{Error, Result};
pub use handle::{DynamicRunHandle, RunHandle};
pub use identifiers::{AgentTarget, CompanyIdentifier, PersonIdentifier};
pub use output::RunOutput;
pub use retry::RetryPolicy;
pub use secret::ApiKey;
pub use wait::{WaitOptions, WaitOutcome};

/// The request, response and callback types of the API, from the `octave-types` crate.
pub use octave_types as types;
pub use octave_types::{Agent, AgentKind, agents};

/// The repository README, compiled here so its Rust example stays correct.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
