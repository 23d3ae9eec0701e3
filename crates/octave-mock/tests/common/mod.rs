//! Helpers shared by the integration tests: a started server with a client, and a callback
//! receiver that records what it gets.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use octave_mock::{MockConfig, MockServer, MockStats};
use octave_types::AgentKind;
use reqwest::{Client, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// A running server and a client that sends its key.
pub struct TestApi {
    pub server: MockServer,
    pub client: Client,
}

impl TestApi {
    pub async fn start(config: MockConfig) -> TestApi {
        let server = MockServer::start(config).await.expect("server starts");
        let client = Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client builds");
        TestApi { server, client }
    }

    pub async fn with_defaults() -> TestApi {
        TestApi::start(fast_config()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("api_key", self.server.api_key())
            .send()
            .await
            .expect("GET is answered")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header("api_key", self.server.api_key())
            .json(body)
            .send()
            .await
            .expect("POST is answered")
    }

    pub async fn post_with_id(&self, path: &str, body: &Value, external_id: &str) -> Response {
        self.client
            .post(self.url(path))
            .header("api_key", self.server.api_key())
            .header("x-external-request-id", external_id)
            .json(body)
            .send()
            .await
            .expect("POST is answered")
    }

    /// Waits up to 5 s for the server's counters to satisfy `ready`, and returns them.
    /// Counters change just after the event they count, such as a callback's 200 arriving.
    pub async fn wait_for_stats(&self, ready: impl Fn(&MockStats) -> bool) -> MockStats {
        for _ in 0..500 {
            let stats = self.server.stats();
            if ready(&stats) {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.server.stats()
    }

    /// Polls the status endpoint until the run reports one of `statuses`.
    pub async fn wait_for_status(&self, request_id: &str, statuses: &[&str]) -> Value {
        let path = format!("/api/v2/async/agent/run/status?requestId={request_id}");
        for _ in 0..400 {
            let body: Value = self.get(&path).await.json().await.expect("status is JSON");
            let status = body["data"]["status"].as_str().unwrap_or("").to_owned();
            if statuses.contains(&status.as_str()) {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("run {request_id} never reached {statuses:?}");
    }
}

/// Configuration with short run times for tests.
pub fn fast_config() -> MockConfig {
    MockConfig {
        run_duration: Duration::from_millis(60),
        callback_backoff: Duration::from_millis(20),
        ..MockConfig::default()
    }
}

/// Returns a valid synchronous body for a kind, naming its first seeded agent.
pub fn sync_body(kind: AgentKind) -> Value {
    let agent = octave_mock::seeded_agent_id(kind);
    match kind {
        AgentKind::EnrichCompany | AgentKind::QualifyCompany => {
            json!({ "agentOId": agent, "companyDomain": "acme-robotics.io" })
        }
        AgentKind::Prospector => {
            json!({ "agentOId": agent, "companyDomain": "acme-robotics.io", "limit": 5 })
        }
        _ => json!({
            "agentOId": agent,
            "email": "jane.doe@acme-robotics.io",
            "firstName": "Jane",
            "companyDomain": "acme-robotics.io"
        }),
    }
}

/// Returns a valid asynchronous body for a kind.
pub fn async_body(kind: AgentKind, callback_url: &str) -> Value {
    let mut body = sync_body(kind);
    body["callbackUrl"] = Value::from(callback_url);
    body
}

/// Callback endpoint that records the bodies it receives and responds with 500 to the first
/// `failures` POSTs.
pub struct CallbackReceiver {
    pub url: String,
    state: Arc<ReceiverState>,
    task: tokio::task::JoinHandle<()>,
}

struct ReceiverState {
    failures: u32,
    attempts: AtomicU32,
    bodies: Mutex<Vec<Value>>,
    arrived: Notify,
}

async fn receive(State(state): State<Arc<ReceiverState>>, body: Bytes) -> StatusCode {
    let attempt = state.attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if attempt <= state.failures {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.bodies.lock().expect("lock").push(value);
    state.arrived.notify_waiters();
    StatusCode::OK
}

impl CallbackReceiver {
    pub async fn start(failures: u32) -> CallbackReceiver {
        let state = Arc::new(ReceiverState {
            failures,
            attempts: AtomicU32::new(0),
            bodies: Mutex::new(Vec::new()),
            arrived: Notify::new(),
        });
        let app = Router::new()
            .route("/callback", post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/callback",
            listener.local_addr().expect("address")
        );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        });
        CallbackReceiver { url, state, task }
    }

    pub fn attempts(&self) -> u32 {
        self.state.attempts.load(Ordering::SeqCst)
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.state.bodies.lock().expect("lock").clone()
    }

    /// Waits until at least `count` bodies have arrived, for up to `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.state.arrived.notified();
            let bodies = self.bodies();
            if bodies.len() >= count {
                return bodies;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.bodies();
            }
        }
    }
}

impl Drop for CallbackReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
