//! Callback delivery: a fixed pool of workers POSTs the result of each finished run to its
//! callback URL, and failed attempts go back to the scheduler with exponential backoff.

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::header;
use octave_types::AgentCallbackPayload;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::CallbackShape;
use crate::faults::add_unknown_fields;
use crate::respond::metadata;
use crate::runs::scheduler::Event;
use crate::runs::store::Outcome;
use crate::state::{FaultView, Shared, bump};

/// Workers that send callbacks at the same time. A receiver that hangs occupies one worker for
/// up to [`CALLBACK_TIMEOUT`].
pub(crate) const WORKERS: usize = 32;

/// Time allowed for one callback POST, connection included.
pub(crate) const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

/// One callback attempt to make.
#[derive(Debug)]
pub(crate) struct Job {
    pub id: Arc<str>,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// Queue of callback attempts waiting for a worker.
pub(crate) struct CallbackQueue {
    sender: mpsc::UnboundedSender<Job>,
}

impl CallbackQueue {
    pub fn enqueue(&self, job: Job) {
        if self.sender.send(job).is_err() {
            tracing::debug!("callback workers stopped; dropping a callback");
        }
    }
}

/// Receives the callback attempts of one server.
pub(crate) struct CallbackInbox(mpsc::UnboundedReceiver<Job>);

pub(crate) fn channel() -> (CallbackQueue, CallbackInbox) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (CallbackQueue { sender }, CallbackInbox(receiver))
}

/// Starts the worker pool; the workers end when the queue's sender is dropped or the server
/// state is gone.
pub(crate) fn spawn_workers(shared: Weak<Shared>, inbox: CallbackInbox) -> Vec<JoinHandle<()>> {
    let receiver = Arc::new(Mutex::new(inbox.0));
    (0..WORKERS)
        .map(|_| {
            let shared = Weak::clone(&shared);
            let receiver = Arc::clone(&receiver);
            tokio::spawn(async move {
                loop {
                    let job = receiver.lock().await.recv().await;
                    let Some(job) = job else { break };
                    let Some(shared) = shared.upgrade() else {
                        break;
                    };
                    deliver(&shared, job).await;
                }
            })
        })
        .collect()
}

/// Makes one callback attempt (two POSTs under the `duplicate_callbacks` fault) and, if it
/// fails, schedules the next one or gives up after the last.
pub(crate) async fn deliver(shared: &Shared, job: Job) {
    let snapshot = shared.runs.with(&job.id, |run| {
        (
            run.callback_url.clone(),
            run.outcome.clone(),
            run.faults.clone(),
        )
    });
    let Some((url, Some(outcome), faults)) = snapshot else {
        tracing::debug!(request_id = %job.id, "run expired or unfinished; callback not sent");
        return;
    };
    if faults.get(|faults| faults.drop_callbacks) {
        return;
    }
    if !shared.config.allow_remote_callbacks && !is_loopback_url(&url) {
        bump(&shared.counters.callbacks_blocked);
        tracing::warn!(
            request_id = %job.id,
            %url,
            "callback not sent: its host is not a loopback address; start the mock with \
             allow_remote_callbacks to send it"
        );
        return;
    }

    let body = payload(shared, &job.id, &outcome, &faults);
    match post(shared, &url, body.clone()).await {
        Ok(()) => {
            bump(&shared.counters.callbacks_sent);
            tracing::debug!(request_id = %job.id, attempt = job.attempt, "callback sent");
            if faults.get(|faults| faults.duplicate_callbacks)
                && post(shared, &url, body).await.is_ok()
            {
                bump(&shared.counters.callbacks_sent);
            }
        }
        Err(reason) if job.attempt < shared.config.callback_attempts => {
            bump(&shared.counters.callbacks_retried);
            let exponent = (job.attempt - 1).min(20);
            let delay = shared.config.callback_backoff.saturating_mul(1 << exponent);
            tracing::warn!(
                request_id = %job.id,
                attempt = job.attempt,
                delay_ms = delay.as_millis() as u64,
                %reason,
                "callback failed; retrying"
            );
            let next = Job {
                id: job.id,
                attempt: job.attempt + 1,
            };
            shared.scheduler.schedule(
                crate::runs::after(Instant::now(), delay),
                Event::Deliver(next),
            );
        }
        Err(reason) => {
            bump(&shared.counters.callbacks_failed);
            tracing::warn!(
                request_id = %job.id,
                attempts = job.attempt,
                %reason,
                "callback failed on the last attempt; giving up"
            );
        }
    }
}

/// Returns `true` when the URL's host is `localhost` or a loopback IP address.
fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

/// POSTs a JSON body; any status other than 2xx is a failure.
async fn post(shared: &Shared, url: &str, body: Vec<u8>) -> Result<(), String> {
    let response = shared
        .http
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|error| format!("POST to the callback URL failed: {error}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the callback URL answered with status {status}"))
    }
}

/// Builds the callback body in the shape the run's faults ask for.
fn payload(shared: &Shared, id: &str, outcome: &Outcome, faults: &FaultView) -> Vec<u8> {
    let (status, output, error) = match outcome {
        Outcome::Completed { output, .. } => ("succeeded", Some((**output).clone()), None),
        Outcome::Failed { error, .. } => ("failed", None, Some(error.to_string())),
    };
    let empty = AgentCallbackPayload {
        agent_run_o_id: None,
        data: None,
        error: None,
        found: None,
        message: None,
        metadata: None,
        request_id: None,
        result: None,
        status: Some(status.to_owned()),
        extra: Map::new(),
    };
    let body = match faults.get(|faults| faults.callback_shape) {
        CallbackShape::AgentRunOId => AgentCallbackPayload {
            agent_run_o_id: Some(id.to_owned()),
            data: output,
            error,
            ..empty
        },
        CallbackShape::SyncEnvelope => {
            let message = error
                .clone()
                .unwrap_or_else(|| "Agent run completed".to_owned());
            AgentCallbackPayload {
                request_id: Some(id.to_owned()),
                metadata: Some(metadata(&shared.ids, &message, 0.0)),
                found: Some(output.is_some()),
                message: Some(message),
                data: output,
                error,
                ..empty
            }
        }
        _ => AgentCallbackPayload {
            request_id: Some(id.to_owned()),
            result: output,
            error,
            ..empty
        },
    };

    let mut value = serde_json::to_value(&body).unwrap_or(Value::Null);
    if faults.get(|faults| faults.unknown_fields) {
        add_unknown_fields(&mut value);
    }
    serde_json::to_vec(&value).unwrap_or_default()
}
