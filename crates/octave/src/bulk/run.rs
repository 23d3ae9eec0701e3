//! One run of a bulk run: submit with the shared throttle, then wait by callback or poll.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;
use tracing::Instrument;

use super::throttle::Throttle;
use super::{BulkItem, no_callback_url};
use crate::builders::{RunBuilder, SupportedAgent};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::handle::RunHandle;
use crate::output::RunOutput;
use crate::wait::{CompletionSource, WaitOptions, WaitOutcome};
use octave_types::AgentKind;

/// Settings and state that every run of one bulk run shares.
pub(super) struct Shared {
    pub(super) client: Client,
    pub(super) source: Option<Arc<dyn CompletionSource>>,
    pub(super) explicit_url: Option<String>,
    pub(super) default_url: Option<String>,
    pub(super) batch_id: Option<String>,
    pub(super) poll_options: WaitOptions,
    pub(super) callback_options: WaitOptions,
    pub(super) max_rate_limit_retries: u32,
    pub(super) throttle: Throttle,
    pub(super) counters: Counters,
}

/// Counters behind [`BulkStats`](super::BulkStats).
#[derive(Default)]
pub(super) struct Counters {
    pub(super) pulled: AtomicU64,
    pub(super) submitted: AtomicU64,
    pub(super) rate_limited: AtomicU64,
    pub(super) completed: AtomicU64,
}

/// Callback URL of one run, and the receiver that handed it out, if any.
struct CallbackTarget<'a> {
    url: String,
    source: Option<&'a Arc<dyn CompletionSource>>,
}

impl Shared {
    fn callback_target(&self) -> Option<CallbackTarget<'_>> {
        if let Some(url) = &self.explicit_url {
            return Some(CallbackTarget {
                url: url.clone(),
                source: None,
            });
        }
        if let Some(source) = &self.source
            && let Some(url) = source.callback_url()
        {
            return Some(CallbackTarget {
                url,
                source: Some(source),
            });
        }
        self.default_url
            .clone()
            .map(|url| CallbackTarget { url, source: None })
    }
}

pub(super) async fn run_one<A: SupportedAgent, K>(
    shared: Arc<Shared>,
    index: usize,
    key: K,
    input: A::Input,
) -> BulkItem<A, K> {
    let external_request_id = match &shared.batch_id {
        Some(batch_id) => format!(
            "{batch_id}-{index}-{:016x}",
            input_fingerprint(A::KIND, &input)
        ),
        None => format!("{:032x}", rand::random::<u128>()),
    };
    let span = tracing::debug_span!(
        "octave.bulk.run",
        agent.kind = %A::KIND,
        index,
        external_request_id = %external_request_id,
        request_id = tracing::field::Empty,
    );
    let (request_id, result) = execute::<A>(&shared, &external_request_id, input)
        .instrument(span)
        .await;
    shared.counters.completed.fetch_add(1, Ordering::Relaxed);
    BulkItem {
        index,
        key,
        request_id,
        external_request_id,
        result,
    }
}

/// Returns a hash of the agent kind and the input's JSON with object keys sorted, the same
/// in every process for the same input, whatever order a map in it was built in. It is the
/// 64-bit FNV-1a hash, written out because std's hashers are randomly keyed or may change
/// between Rust releases.
fn input_fingerprint<I: serde::Serialize>(kind: AgentKind, input: &I) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    // The generated input types always serialize; a failure would only leave the hash
    // of the kind, which still separates agents.
    let text = serde_json::to_value(input)
        .map(|value| sorted_keys(value).to_string())
        .unwrap_or_default();
    [kind.slug().as_bytes(), b"\n", text.as_bytes()]
        .concat()
        .iter()
        .fold(OFFSET, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
        })
}

/// Returns `value` with the keys of every object in sorted order.
fn sorted_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|(left, _), (right, _)| left.cmp(right));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted_keys(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

/// Submits one input and waits for its result.
async fn execute<A: SupportedAgent>(
    shared: &Shared,
    external_request_id: &str,
    input: A::Input,
) -> (Option<String>, Result<RunOutput<A::Output>>) {
    let Some(target) = shared.callback_target() else {
        return (None, Err(no_callback_url(shared.source.is_some())));
    };
    let handle = match submit::<A>(shared, external_request_id, input, &target.url).await {
        Ok(handle) => handle,
        Err(error) => return (None, Err(error)),
    };
    let request_id = handle.request_id().to_owned();
    tracing::Span::current().record("request_id", request_id.as_str());

    let options = match target.source {
        Some(source) => {
            source.bind(&target.url, &request_id);
            &shared.callback_options
        }
        None => &shared.poll_options,
    };
    let result = handle
        .wait(options.clone())
        .await
        .and_then(WaitOutcome::into_result);
    (Some(request_id), result)
}

/// Submits one input, pausing and sending it again with the same external request id
/// after HTTP 429.
async fn submit<A: SupportedAgent>(
    shared: &Shared,
    external_request_id: &str,
    input: A::Input,
    callback_url: &str,
) -> Result<RunHandle<A>> {
    let mut rate_limited = 0;
    loop {
        shared.throttle.wait_turn().await;
        let sent_at = Instant::now();
        let builder = RunBuilder::<A>::from_input(&shared.client, input.clone())
            .external_request_id(external_request_id);
        match builder.submit(callback_url).await {
            Ok(handle) => {
                shared.throttle.on_accepted();
                shared.counters.submitted.fetch_add(1, Ordering::Relaxed);
                return Ok(handle);
            }
            Err(Error::RateLimited { retry_after, .. }) => {
                shared.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                if rate_limited >= shared.max_rate_limit_retries {
                    return Err(Error::RateLimited {
                        retry_after,
                        message: Some(format!(
                            "still rate limited after {rate_limited} pauses of the bulk run; \
                             lower Bulk::concurrency or raise Bulk::max_rate_limit_retries"
                        )),
                        request_id: None,
                    });
                }
                rate_limited += 1;
                let pause = shared.throttle.on_rate_limited(retry_after, sent_at);
                tracing::debug!(
                    external_request_id,
                    attempt = rate_limited,
                    pause_ms = pause.as_millis() as u64,
                    "submit rate limited; pausing the bulk run"
                );
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use octave_types::CallPrepAgentInput;
    use serde_json::json;

    use super::*;

    fn call_prep(context: serde_json::Value) -> CallPrepAgentInput {
        serde_json::from_value(json!({
            "agentOId": "ca_1",
            "email": "jane@example.com",
            "runtimeContext": context,
        }))
        .expect("valid input")
    }

    #[test]
    fn fingerprint_ignores_key_order() {
        let ordered = call_prep(json!({"a": 1, "b": {"c": 2, "d": 3}}));
        let reversed = call_prep(json!({"b": {"d": 3, "c": 2}, "a": 1}));
        assert_eq!(
            input_fingerprint(AgentKind::CallPrep, &ordered),
            input_fingerprint(AgentKind::CallPrep, &reversed)
        );
    }

    #[test]
    fn fingerprint_separates_inputs_and_kinds() {
        let input = call_prep(json!({"a": 1}));
        let other = call_prep(json!({"a": 2}));
        let fingerprint = input_fingerprint(AgentKind::CallPrep, &input);
        assert_ne!(fingerprint, input_fingerprint(AgentKind::CallPrep, &other));
        assert_ne!(
            fingerprint,
            input_fingerprint(AgentKind::EnrichPerson, &input)
        );
    }
}
