//! Helpers shared by the facade tests: a mock server per test and a client for it.

#![allow(dead_code)]

use std::time::Duration;

use octave::{Client, ClientBuilder, RetryPolicy, WaitOptions};
use octave_mock::{Faults, MockConfig, MockServer};

/// Callback URL handed to the mock. Nothing listens on port 9 of the loopback address, and
/// the tests turn callbacks off, so they rely on polling.
pub const CALLBACK_URL: &str = "http://127.0.0.1:9/octave/callback";

/// Mock settings for tests: runs finish after `run_duration`, and callbacks are not sent.
pub fn config(run_duration: Duration) -> MockConfig {
    MockConfig {
        run_duration,
        faults: Faults {
            drop_callbacks: true,
            ..Faults::default()
        },
        ..MockConfig::default()
    }
}

/// Starts a mock whose runs finish after 150 ms.
pub async fn start_mock() -> MockServer {
    start_mock_with(config(Duration::from_millis(150))).await
}

/// Starts a mock with the given settings.
pub async fn start_mock_with(config: MockConfig) -> MockServer {
    MockServer::start(config).await.expect("mock server starts")
}

/// Retries with short delays, so fault tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

/// Returns a client builder for `mock` with fast retries.
pub fn builder_for(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(fast_retries())
}

/// Returns a client for `mock` with fast retries.
pub fn client_for(mock: &MockServer) -> Client {
    builder_for(mock).build().expect("client builds")
}

/// Waits up to 10 s, polling every 20 to 80 ms.
pub fn quick_wait() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(10))
        .min_interval(Duration::from_millis(20))
        .max_interval(Duration::from_millis(80))
}
