//! Configuration, fault settings and statistics of the mock server.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::DEFAULT_API_KEY;

/// Settings of a [`MockServer`](crate::MockServer), fixed when it starts (except `faults`,
/// which [`MockServer::set_faults`](crate::MockServer::set_faults) replaces at run time).
#[derive(Clone, Debug, PartialEq)]
pub struct MockConfig {
    /// API keys the server accepts in the `api_key` header. The first one is the key that
    /// [`MockServer::api_key`](crate::MockServer::api_key) returns. Default: [`DEFAULT_API_KEY`].
    pub api_keys: Vec<String>,
    /// Seed of every generated output, request ID and fault decision. Default: 0.
    pub seed: u64,
    /// Time an asynchronous run takes from submission to completion. Default: 2 s.
    pub run_duration: Duration,
    /// Requests per second allowed per API key, as a token bucket that contains at most one
    /// second of requests. `None` turns rate limiting off. Default: `None`.
    pub rate_limit_per_second: Option<u32>,
    /// Value of the `Retry-After` header on 429 responses, rounded up to whole seconds.
    /// Default: 1 s.
    pub retry_after: Duration,
    /// Time the state of a finished run is kept; afterwards its request ID returns 404.
    /// Default: 10 min.
    pub finished_run_ttl: Duration,
    /// Maximum number of POST attempts per callback, the first one included; 0 acts as 1.
    /// Default: 5.
    pub callback_attempts: u32,
    /// Delay before the first callback retry; each later retry waits twice as long as the one
    /// before. Default: 200 ms.
    pub callback_backoff: Duration,
    /// Maximum size of a request body in bytes; larger bodies get 413. Default: 1 MiB.
    pub max_body_bytes: usize,
    /// Whether callbacks may be POSTed to hosts other than loopback addresses and
    /// `localhost`. Off by default, so a test that passes a real-looking callback URL never
    /// sends traffic off the machine; such callbacks are counted in
    /// [`MockStats::callbacks_blocked`] instead. Default: `false`.
    pub allow_remote_callbacks: bool,
    /// Faults injected from the start.
    pub faults: Faults,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            seed: 0,
            run_duration: Duration::from_secs(2),
            rate_limit_per_second: None,
            retry_after: Duration::from_secs(1),
            finished_run_ttl: Duration::from_secs(600),
            callback_attempts: 5,
            callback_backoff: Duration::from_millis(200),
            max_body_bytes: 1024 * 1024,
            allow_remote_callbacks: false,
            faults: Faults::default(),
        }
    }
}

/// Faults the server injects into API responses and callbacks.
///
/// The rates are shares between 0.0 and 1.0 of API requests (not of `/_mock/*` requests).
/// A random generator seeded with [`MockConfig::seed`] picks the requests a rate hits, so the
/// same sequence of requests is hit the same way every time. A rate of 1.0 hits every
/// request. In JSON (`PUT /_mock/faults`) a field left out takes its
/// default, which turns that fault off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Share of API requests that get `error_status` and an error body instead of a response,
    /// before the request has any effect.
    pub error_rate: f64,
    /// Status of injected errors: 500, 502 or 503; 0 means 500.
    pub error_status: u16,
    /// Number of upcoming API requests that get 429 and `Retry-After`. It counts down
    /// with each such request, so it reads 0 once they have all been sent.
    pub rate_limit_burst: u32,
    /// Delay in milliseconds added before every API response.
    pub latency_ms: u64,
    /// Runs finish, but their callback is never sent.
    pub drop_callbacks: bool,
    /// Every callback is sent twice.
    pub duplicate_callbacks: bool,
    /// An asynchronous run finishes at once, and its first callback attempt is made before
    /// the response to the submission is sent. That response then has status `completed`
    /// (or `failed` under `fail_runs`) instead of `pending`.
    pub early_callbacks: bool,
    /// Share of API requests whose connection is closed without any response: the client
    /// sees the connection close before a status line arrives.
    pub reset_rate: f64,
    /// Share of API responses replaced by a 200 response whose body is the first half of the
    /// real JSON body, which is never valid JSON.
    pub malformed_json_rate: f64,
    /// Responses and callbacks carry fields that no schema defines.
    pub unknown_fields: bool,
    /// Status and type values outside the documented sets appear: `queued` for a run that
    /// has not started, and an agent of type `FUTURE_AGENT` in the catalogue.
    pub unknown_enum_values: bool,
    /// Shape of the callback body.
    pub callback_shape: CallbackShape,
    /// Asynchronous runs submitted while this is set finish as failed with an error message.
    /// Synchronous runs are not affected: use `error_rate` to make them fail.
    pub fail_runs: bool,
}

impl Faults {
    /// Checks that the rates are between 0.0 and 1.0 and that `error_status` is 0, 500, 502
    /// or 503.
    ///
    /// # Errors
    ///
    /// Returns a message that names the first invalid field and its value.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("error_rate", self.error_rate),
            ("reset_rate", self.reset_rate),
            ("malformed_json_rate", self.malformed_json_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "invalid fault `{name}`: {rate} is not a share between 0.0 and 1.0"
                ));
            }
        }
        if !matches!(self.error_status, 0 | 500 | 502 | 503) {
            return Err(format!(
                "invalid fault `error_status`: {} is not 500, 502 or 503 (0 means 500)",
                self.error_status
            ));
        }
        Ok(())
    }

    /// Parses fault settings from JSON, as `PUT /_mock/faults` and `--faults` take them.
    /// Fields left out take their defaults.
    ///
    /// # Errors
    ///
    /// Returns a message that names the problem: invalid JSON, a body that is not an object,
    /// an unknown field name (a typo would otherwise be ignored), a value of the wrong type,
    /// or a value that [`Faults::validate`] rejects.
    pub fn from_json(json: &[u8]) -> Result<Faults, String> {
        let value: Value = serde_json::from_slice(json)
            .map_err(|error| format!("fault settings are not valid JSON: {error}"))?;
        let Value::Object(fields) = &value else {
            return Err("fault settings must be a JSON object".to_owned());
        };

        let defaults = serde_json::to_value(Faults::default()).unwrap_or(Value::Null);
        let known: Vec<&str> = defaults
            .as_object()
            .map(|object| object.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(unknown) = fields.keys().find(|name| !known.contains(&name.as_str())) {
            return Err(format!(
                "unknown fault `{unknown}`; the faults are: {}",
                known.join(", ")
            ));
        }

        let faults: Faults = serde_path_to_error::deserialize(&value).map_err(|error| {
            format!(
                "invalid value for fault `{}`: {}",
                error.path(),
                error.inner()
            )
        })?;
        faults.validate()?;
        Ok(faults)
    }

    /// Returns a copy whose rates are clamped to 0.0..=1.0 (NaN becomes 0.0) and whose error
    /// status is one of 500, 502 and 503 (anything else becomes 500).
    pub(crate) fn normalized(&self) -> Faults {
        let clamp = |rate: f64| {
            if rate.is_nan() {
                0.0
            } else {
                rate.clamp(0.0, 1.0)
            }
        };
        Faults {
            error_rate: clamp(self.error_rate),
            reset_rate: clamp(self.reset_rate),
            malformed_json_rate: clamp(self.malformed_json_rate),
            error_status: match self.error_status {
                502 => 502,
                503 => 503,
                _ => 500,
            },
            ..self.clone()
        }
    }
}

/// Shape of the body POSTed to a run's callback URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallbackShape {
    /// `{requestId, status, result}` on success, `{requestId, status, error}` on failure.
    #[default]
    #[serde(alias = "Standard")]
    Standard,
    /// `{agentRunOId, status, data}` on success, `{agentRunOId, status, error}` on failure.
    #[serde(alias = "AgentRunOId", alias = "agent_run_oid")]
    AgentRunOId,
    /// The synchronous envelope `{requestId, _metadata, found, message, data}`; a failure has
    /// `found: false`, the error as `message` and an `error` field.
    #[serde(alias = "SyncEnvelope")]
    SyncEnvelope,
}

/// Counters of what the server has done since it started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MockStats {
    /// Asynchronous runs created (duplicates not included).
    pub runs_created: u64,
    /// Asynchronous submissions that returned an existing run because their
    /// `x-external-request-id` was seen before for the same API key.
    pub duplicates_avoided: u64,
    /// Synchronous runs that returned 200.
    pub sync_runs: u64,
    /// Requests to the status endpoint that passed authentication, 404s included.
    pub status_polls: u64,
    /// Callback POSTs that got a 2xx status (each copy of a duplicated callback counts).
    pub callbacks_sent: u64,
    /// Callback attempts that failed and were scheduled again.
    pub callbacks_retried: u64,
    /// Callbacks given up after the last attempt failed.
    pub callbacks_failed: u64,
    /// Callbacks not sent because their URL's host is not loopback and
    /// [`MockConfig::allow_remote_callbacks`] is off.
    #[serde(default)]
    pub callbacks_blocked: u64,
    /// Responses with status 429, from rate limiting and from `rate_limit_burst`.
    pub rate_limited: u64,
    /// Injected faults: resets, errors, 429s from `rate_limit_burst`, malformed bodies and
    /// added latency, one count per fault per request.
    pub faults_injected: u64,
    /// Runs whose state is held in memory now, pending and finished.
    pub runs_in_memory: u64,
    /// Requests received, except those under `/_mock/`.
    pub requests: u64,
}
