//! Bulk runs: many inputs of one agent, submitted with bounded concurrency, each result
//! yielded as soon as its run finishes.
//!
//! Inputs are pulled from the caller's stream only when a slot is free, and only the runs in
//! flight have state, so memory does not grow with the number of inputs. Each submit first
//! retries HTTP 429 under the client's [`RetryPolicy`](crate::RetryPolicy). A submit that
//! still ends in 429 pauses every slot for the `Retry-After` delay (1 s without one, at most
//! the policy's [`max_retry_after`](crate::RetryPolicy::max_retry_after)) and halves the
//! number of runs in flight. Each accepted submit then adds back a fraction of a slot (additive
//! increase, multiplicative decrease). A run waits for its callback when a
//! [`CallbackReceiver`](crate::callbacks::CallbackReceiver) is attached to the client, and
//! polls otherwise.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt};
use futures::stream::{BoxStream, FuturesUnordered, Stream, StreamExt};
use octave_types::Agent;

use crate::builders::SupportedAgent;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::RunOutput;
use crate::validate::{check_callback_url, masked_url};
use crate::wait::WaitOptions;

mod run;
mod throttle;

use run::{Counters, Shared, run_one};
use throttle::Throttle;

/// Default maximum number of runs in flight.
const DEFAULT_CONCURRENCY: usize = 32;

/// Default deadline of each run's wait.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(3600);

/// First poll of a run that waits for its callback, when the callback is late.
const CALLBACK_FALLBACK_MIN_INTERVAL: Duration = Duration::from_secs(60);

/// Maximum time between the polls of a run whose callback is late.
const CALLBACK_FALLBACK_MAX_INTERVAL: Duration = Duration::from_secs(300);

/// Default number of times one submit is sent again after HTTP 429.
const DEFAULT_RATE_LIMIT_RETRIES: u32 = 8;

/// Maximum length of a batch id, so that `{batch id}-{index}-{fingerprint}` stays a short
/// header value.
const MAX_BATCH_ID_LEN: usize = 128;

impl Client {
    /// Returns a bulk run of agent `A` with default settings; see [`Bulk`].
    pub fn bulk<A: SupportedAgent>(&self) -> Bulk<A> {
        Bulk::new(self)
    }
}

/// Settings of a bulk run of agent `A`. [`run`](Bulk::run) starts it.
///
/// ```
/// use futures::StreamExt;
/// use octave::CompanyIdentifier;
/// use octave::agents::QualifyCompany;
/// # use octave_mock::{MockConfig, MockServer, seeded_agent_id};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let config = MockConfig { run_duration: std::time::Duration::from_millis(20), ..MockConfig::default() };
/// # let mock = MockServer::start(config).await?;
/// # let client = octave::Client::builder().api_key(mock.api_key()).base_url(mock.url()).build()?;
/// # let agent_id = seeded_agent_id(octave::AgentKind::QualifyCompany);
/// let receiver = octave::callbacks::CallbackReceiver::builder().bind("127.0.0.1:0").await?;
/// receiver.attach(&client);
///
/// let domains = ["example.com", "example.org", "example.net"];
/// let inputs: Vec<_> = domains
///     .iter()
///     .map(|domain| {
///         client
///             .qualify_company(agent_id, CompanyIdentifier::domain(*domain))
///             .into_input()
///     })
///     .collect();
/// let mut results = client
///     .bulk::<QualifyCompany>()
///     .concurrency(16)
///     .batch_id("nightly-2025-01-31")
///     .run(futures::stream::iter(inputs))?;
/// while let Some(item) = results.next().await {
///     let score = item.result?.output.and_then(|output| output.score);
///     println!("{}: score {score:?}", domains[item.index]);
/// }
/// # receiver.shutdown().await;
/// # mock.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Bulk<A> {
    client: Client,
    concurrency: usize,
    batch_id: Option<String>,
    callback_url: Option<String>,
    poll_options: WaitOptions,
    callback_options: WaitOptions,
    max_rate_limit_retries: u32,
    agent: PhantomData<fn() -> A>,
}

impl<A: SupportedAgent> fmt::Debug for Bulk<A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Bulk")
            .field("kind", &A::KIND)
            .field("concurrency", &self.concurrency)
            .field("batch_id", &self.batch_id)
            .field(
                "callback_url",
                &self.callback_url.as_deref().map(masked_url),
            )
            .field("poll_options", &self.poll_options)
            .field("callback_options", &self.callback_options)
            .field("max_rate_limit_retries", &self.max_rate_limit_retries)
            .finish()
    }
}

impl<A: SupportedAgent> Bulk<A> {
    /// Returns a bulk run on `client` with default settings.
    pub fn new(client: &Client) -> Self {
        Bulk {
            client: client.clone(),
            concurrency: DEFAULT_CONCURRENCY,
            batch_id: None,
            callback_url: None,
            poll_options: WaitOptions::new(DEFAULT_DEADLINE),
            callback_options: WaitOptions::new(DEFAULT_DEADLINE)
                .min_interval(CALLBACK_FALLBACK_MIN_INTERVAL)
                .max_interval(CALLBACK_FALLBACK_MAX_INTERVAL),
            max_rate_limit_retries: DEFAULT_RATE_LIMIT_RETRIES,
            agent: PhantomData,
        }
    }

    /// Sets the maximum number of runs in flight, from submit to result. Values below 1
    /// count as 1. Default: 32.
    pub fn concurrency(mut self, runs: usize) -> Self {
        self.concurrency = runs.max(1);
        self
    }

    /// Names the batch, so that input `i` is submitted with the `x-external-request-id`
    /// `{batch_id}-{i}-{fingerprint}`, where the fingerprint is a hash of the agent kind
    /// and the input. Running the same batch again with the same inputs then sends the same
    /// ids, which a service that deduplicates on them uses to return the earlier runs. An
    /// input that changed, or another agent, gets a new id and a new run. Without a batch
    /// id each input gets a random id. At most 128 visible ASCII characters.
    ///
    /// NOTE: a run that was still going when an earlier process stopped calls back to that
    /// process's URL, not to this one's. Its result is found by the callback wait's polls,
    /// the first after 60 s by default; lower it with
    /// [`callback_wait_options`](Bulk::callback_wait_options) when such reruns are common.
    pub fn batch_id(mut self, batch_id: impl Into<String>) -> Self {
        self.batch_id = Some(batch_id.into());
        self
    }

    /// Sends every run with this callback URL and waits by polling, even when a receiver is
    /// attached. Default: a fresh URL per run from the attached receiver, else the client's
    /// default callback URL.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets the deadline and poll schedule of runs that wait by polling. Default: 1 hour,
    /// polling every 5 to 10 s.
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.poll_options = options;
        self
    }

    /// Sets the deadline and poll schedule of runs that wait for a callback; the polls
    /// find runs whose callback is late or lost. Default: 1 hour, with the first poll after
    /// 60 s and then every 60 to 300 s.
    pub fn callback_wait_options(mut self, options: WaitOptions) -> Self {
        self.callback_options = options;
        self
    }

    /// Sets how often one submit is sent again after HTTP 429, beyond the retries of the
    /// client's [`RetryPolicy`](crate::RetryPolicy). Default: 8.
    pub fn max_rate_limit_retries(mut self, retries: u32) -> Self {
        self.max_rate_limit_retries = retries;
        self
    }

    /// Starts the bulk run on a stream of inputs; the results come in the order the runs
    /// finish, each with the index of its input.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an invalid batch id or callback URL, and for
    /// `callbackUrl` when there is no callback URL at all: no [`Bulk::callback_url`], no
    /// attached receiver and no [`ClientBuilder::callback_url`](crate::ClientBuilder::callback_url).
    pub fn run<S>(self, inputs: S) -> Result<BulkStream<A>>
    where
        S: Stream<Item = A::Input> + Send + 'static,
    {
        self.run_keyed(inputs.map(|input| ((), input)))
    }

    /// Starts the bulk run on a stream of `(key, input)` pairs; each result carries its
    /// input's key as well as its index.
    ///
    /// # Errors
    ///
    /// As [`run`](Bulk::run).
    pub fn run_keyed<K, S>(self, inputs: S) -> Result<BulkStream<A, K>>
    where
        K: Send + 'static,
        S: Stream<Item = (K, A::Input)> + Send + 'static,
    {
        if let Some(batch_id) = &self.batch_id {
            check_batch_id(batch_id)?;
        }
        if let Some(url) = &self.callback_url {
            check_callback_url(url)?;
        }
        let source = self.client.completion_source();
        let default_url = self.client.inner.callback_url.clone();
        if self.callback_url.is_none() && source.is_none() && default_url.is_none() {
            return Err(no_callback_url(false));
        }

        let max_pause = self.client.transport().retry_policy().retry_after_cap();
        let shared = Shared {
            client: self.client,
            source,
            explicit_url: self.callback_url,
            default_url,
            batch_id: self.batch_id,
            poll_options: self.poll_options,
            callback_options: self.callback_options,
            max_rate_limit_retries: self.max_rate_limit_retries,
            throttle: Throttle::new(self.concurrency, max_pause),
            counters: Counters::default(),
        };
        Ok(BulkStream {
            inputs: Some(inputs.boxed()),
            running: FuturesUnordered::new(),
            next_index: 0,
            shared: Arc::new(shared),
        })
    }
}

/// Result of one input of a bulk run.
#[non_exhaustive]
pub struct BulkItem<A: Agent, K = ()> {
    /// Position of the input in the stream, from 0.
    pub index: usize,
    /// The key given with the input to [`Bulk::run_keyed`].
    pub key: K,
    /// The run's request id; `None` when the submit failed.
    pub request_id: Option<String>,
    /// The `x-external-request-id` sent with the submit.
    pub external_request_id: String,
    /// The run's output, or why there is none: a failed submit, a failed run
    /// ([`Error::RunFailed`]), a passed deadline ([`Error::DeadlineExceeded`]) or a failed
    /// poll.
    pub result: Result<RunOutput<A::Output>>,
}

impl<A: Agent, K: fmt::Debug> fmt::Debug for BulkItem<A, K> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("BulkItem")
            .field("index", &self.index)
            .field("key", &self.key)
            .field("request_id", &self.request_id)
            .field("external_request_id", &self.external_request_id)
            .field("result", &self.result)
            .finish()
    }
}

/// Counters of a bulk run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkStats {
    /// Inputs taken from the input stream.
    pub pulled: u64,
    /// Submits the service accepted.
    pub submitted: u64,
    /// Submits that got HTTP 429 after the client's own retries, and were sent again or
    /// given up.
    pub rate_limited: u64,
    /// Results yielded or ready to be yielded.
    pub completed: u64,
    /// Runs in flight now.
    pub in_flight: usize,
    /// Current limit of runs in flight, lowered after HTTP 429.
    pub concurrency_limit: usize,
}

/// Stream of the results of a bulk run, in the order the runs finish.
///
/// Runs make progress only while the stream is polled. Dropping it abandons the runs in
/// flight: they go on on the service, but their results are not collected.
pub struct BulkStream<A: Agent, K = ()> {
    inputs: Option<BoxStream<'static, (K, A::Input)>>,
    running: FuturesUnordered<BoxFuture<'static, BulkItem<A, K>>>,
    next_index: usize,
    shared: Arc<Shared>,
}

impl<A: Agent, K> fmt::Debug for BulkStream<A, K> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("BulkStream")
            .field("kind", &A::KIND)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl<A: Agent, K> BulkStream<A, K> {
    /// Returns the counters of the run so far.
    pub fn stats(&self) -> BulkStats {
        let counters = &self.shared.counters;
        BulkStats {
            pulled: counters.pulled.load(Ordering::Relaxed),
            submitted: counters.submitted.load(Ordering::Relaxed),
            rate_limited: counters.rate_limited.load(Ordering::Relaxed),
            completed: counters.completed.load(Ordering::Relaxed),
            in_flight: self.running.len(),
            concurrency_limit: self.shared.throttle.limit(),
        }
    }
}

impl<A: SupportedAgent, K: Send + 'static> BulkStream<A, K> {
    /// Starts runs from the input stream while slots are free.
    fn fill(&mut self, context: &mut Context<'_>) {
        while self.running.len() < self.shared.throttle.limit() {
            let Some(inputs) = self.inputs.as_mut() else {
                return;
            };
            match inputs.as_mut().poll_next(context) {
                Poll::Ready(Some((key, input))) => {
                    let index = self.next_index;
                    self.next_index += 1;
                    self.shared.counters.pulled.fetch_add(1, Ordering::Relaxed);
                    let run = run_one::<A, K>(Arc::clone(&self.shared), index, key, input);
                    self.running.push(run.boxed());
                }
                Poll::Ready(None) => self.inputs = None,
                Poll::Pending => return,
            }
        }
    }
}

impl<A: SupportedAgent, K: Send + 'static> Stream for BulkStream<A, K> {
    type Item = BulkItem<A, K>;

    fn poll_next(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.fill(context);
        match this.running.poll_next_unpin(context) {
            Poll::Ready(Some(item)) => Poll::Ready(Some(item)),
            Poll::Ready(None) if this.inputs.is_none() => Poll::Ready(None),
            // No run in flight and the input stream is pending: `fill` registered the waker.
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }
}

fn check_batch_id(batch_id: &str) -> Result<()> {
    if batch_id.is_empty() {
        return Err(Error::invalid_input(
            "batchId",
            "is empty; pass a name for the batch, or set none for random ids",
        ));
    }
    if batch_id.len() > MAX_BATCH_ID_LEN {
        return Err(Error::invalid_input(
            "batchId",
            format!(
                "is {} characters long; use at most {MAX_BATCH_ID_LEN}",
                batch_id.len()
            ),
        ));
    }
    if batch_id.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            "batchId",
            format!(
                "`{batch_id}` contains a space or a character outside visible ASCII; use letters, digits and punctuation only"
            ),
        ));
    }
    Ok(())
}

/// Returns the error for a bulk run without a callback URL. `receiver_closed` is true when the
/// attached callback receiver has been shut down.
fn no_callback_url(receiver_closed: bool) -> Error {
    let message = if receiver_closed {
        "the callback receiver attached to the client is shut down and there is no other \
         callback URL: attach a running CallbackReceiver, or set Bulk::callback_url or \
         ClientBuilder::callback_url"
    } else {
        "a bulk run needs a callback URL: attach a CallbackReceiver to the client, or set \
         Bulk::callback_url or ClientBuilder::callback_url"
    };
    Error::invalid_input("callbackUrl", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_id_checks() {
        assert!(check_batch_id("nightly-2025-01-31").is_ok());
        for bad in ["", "has space", "tab\t", "é", &"x".repeat(129)] {
            let error = check_batch_id(bad).expect_err(bad);
            assert!(
                matches!(&error, Error::InvalidInput { field, .. } if field == "batchId"),
                "{error:?}"
            );
        }
    }
}
