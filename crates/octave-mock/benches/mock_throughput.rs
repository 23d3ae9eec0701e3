//! Throughput and memory of the mock server, measured over loopback HTTP.
//!
//! Run with `cargo bench -p octave-mock --bench mock_throughput`. The server and a reqwest
//! load generator (`TASKS` concurrent tasks sharing one connection pool) run in this process
//! on one Tokio runtime, so they share the machine's cores. The phases are:
//!
//! 1. status polls of pending runs,
//! 2. status polls of completed runs (the response carries the agent output),
//! 3. asynchronous submissions,
//! 4. resident memory (`VmRSS` from `/proc/self/status`, Linux only) before and after
//!    100,000 pending runs are submitted to a fresh server.
//!
//! Each phase has a fixed request count and stops early after `PHASE_LIMIT`, so the whole
//! benchmark takes well under two minutes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use octave_mock::{MockConfig, MockServer, seeded_agent_id};
use octave_types::AgentKind;
use reqwest::Client;
use serde_json::{Value, json};

/// Concurrent request loops of the load generator.
const TASKS: usize = 32;
/// Runs whose status the poll phases cycle through.
const POLLED_RUNS: usize = 1_000;
const PENDING_POLLS: usize = 200_000;
const COMPLETED_POLLS: usize = 50_000;
const SUBMISSIONS: usize = 20_000;
const MEMORY_RUNS: usize = 100_000;
/// Maximum time of one phase; a phase that takes longer stops early.
const PHASE_LIMIT: Duration = Duration::from_secs(30);
/// Callback URL of the runs; nothing listens there, and pending runs never call it.
const CALLBACK_URL: &str = "http://127.0.0.1:9/callback";

fn submission(index: usize) -> Value {
    json!({
        "agentOId": seeded_agent_id(AgentKind::EnrichCompany),
        "companyDomain": format!("company-{index}.example.com"),
        "callbackUrl": CALLBACK_URL,
    })
}

/// Result of one phase.
struct Measured {
    requests: usize,
    elapsed: Duration,
    /// Latency of each request, sorted.
    latencies: Vec<Duration>,
}

impl Measured {
    fn report(&self, name: &str) {
        let rate = self.requests as f64 / self.elapsed.as_secs_f64();
        let percentile = |share: f64| {
            let index = ((self.latencies.len() as f64 - 1.0) * share).round() as usize;
            self.latencies.get(index).copied().unwrap_or_default()
        };
        println!(
            "{name}: {} requests in {:.2} s = {rate:.0} requests/s; latency p50 {:.2} ms, \
             p99 {:.2} ms",
            self.requests,
            self.elapsed.as_secs_f64(),
            percentile(0.5).as_secs_f64() * 1000.0,
            percentile(0.99).as_secs_f64() * 1000.0,
        );
    }
}

/// Sends `total` requests from `TASKS` loops; `request(client, index)` sends request number
/// `index` and returns whether it got the expected status.
async fn drive<F, Fut>(client: &Client, total: usize, request: F) -> Measured
where
    F: Fn(Client, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let client = client.clone();
        let request = Arc::clone(&request);
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= total || started.elapsed() > PHASE_LIMIT {
                    break;
                }
                let sent = Instant::now();
                if !request(client.clone(), index).await {
                    eprintln!("request {index} failed");
                }
                latencies.push(sent.elapsed());
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Measured {
        requests: latencies.len(),
        elapsed,
        latencies,
    }
}

/// Submits `count` runs and returns their request IDs.
async fn submit_runs(client: &Client, server: &MockServer, count: usize) -> Vec<String> {
    let url = format!("{}/api/v2/async/agent/run", server.url());
    let key = server.api_key().to_owned();
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let response = client
            .post(&url)
            .header("api_key", &key)
            .json(&submission(index))
            .send()
            .await
            .expect("submission gets a response");
        let body: Value = response.json().await.expect("submission body is JSON");
        ids.push(body["requestId"].as_str().unwrap_or_default().to_owned());
    }
    ids
}

async fn poll_phase(
    client: &Client,
    server: &MockServer,
    ids: Vec<String>,
    total: usize,
) -> Measured {
    let base = format!("{}/api/v2/async/agent/run/status?requestId=", server.url());
    let key = Arc::new(server.api_key().to_owned());
    let urls: Arc<Vec<String>> = Arc::new(ids.iter().map(|id| format!("{base}{id}")).collect());
    drive(client, total, move |client, index| {
        let url = urls[index % urls.len()].clone();
        let key = Arc::clone(&key);
        async move {
            match client.get(url).header("api_key", key.as_str()).send().await {
                Ok(response) => {
                    let ok = response.status() == 200;
                    response.bytes().await.is_ok() && ok
                }
                Err(_) => false,
            }
        }
    })
    .await
}

/// Reads the resident set size in KiB, or `None` off Linux.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn throughput(client: &Client) {
    let config = MockConfig {
        run_duration: Duration::from_secs(600),
        callback_attempts: 1,
        ..MockConfig::default()
    };
    let server = MockServer::start(config).await.expect("server starts");

    let pending = submit_runs(client, &server, POLLED_RUNS).await;
    poll_phase(client, &server, pending, PENDING_POLLS)
        .await
        .report("status polls, pending runs");
    server.shutdown().await;

    let config = MockConfig {
        run_duration: Duration::ZERO,
        callback_attempts: 1,
        ..MockConfig::default()
    };
    let server = MockServer::start(config).await.expect("server starts");
    let completed = submit_runs(client, &server, POLLED_RUNS).await;
    poll_phase(client, &server, completed, COMPLETED_POLLS)
        .await
        .report("status polls, completed runs");
    server.shutdown().await;

    let config = MockConfig {
        run_duration: Duration::from_secs(600),
        callback_attempts: 1,
        ..MockConfig::default()
    };
    let server = MockServer::start(config).await.expect("server starts");
    let url = Arc::new(format!("{}/api/v2/async/agent/run", server.url()));
    let key = Arc::new(server.api_key().to_owned());
    let measured = drive(client, SUBMISSIONS, move |client, index| {
        let url = Arc::clone(&url);
        let key = Arc::clone(&key);
        async move {
            let sent = client
                .post(url.as_str())
                .header("api_key", key.as_str())
                .json(&submission(index))
                .send()
                .await;
            match sent {
                Ok(response) => {
                    let ok = response.status() == 200;
                    response.bytes().await.is_ok() && ok
                }
                Err(_) => false,
            }
        }
    })
    .await;
    measured.report("async submissions");
    server.shutdown().await;
}

async fn memory(client: &Client) {
    let config = MockConfig {
        run_duration: Duration::from_secs(600),
        callback_attempts: 1,
        ..MockConfig::default()
    };
    let server = MockServer::start(config).await.expect("server starts");
    let before = resident_kib();

    let url = Arc::new(format!("{}/api/v2/async/agent/run", server.url()));
    let key = Arc::new(server.api_key().to_owned());
    let started = Instant::now();
    let measured = drive(client, MEMORY_RUNS, move |client, index| {
        let url = Arc::clone(&url);
        let key = Arc::clone(&key);
        async move {
            let sent = client
                .post(url.as_str())
                .header("api_key", key.as_str())
                .json(&submission(index))
                .send()
                .await;
            matches!(sent, Ok(response) if response.status() == 200)
        }
    })
    .await;

    let after = resident_kib();
    let in_memory = server.stats().runs_in_memory;
    println!(
        "pending runs: {in_memory} submitted in {:.1} s ({} requests)",
        started.elapsed().as_secs_f64(),
        measured.requests
    );

    match (before, after) {
        (Some(before), Some(after)) => {
            let grown = after.saturating_sub(before);
            println!(
                "resident memory: {:.1} MiB before, {:.1} MiB after, +{:.1} MiB = {:.0} bytes per \
                 pending run (server and client together)",
                before as f64 / 1024.0,
                after as f64 / 1024.0,
                grown as f64 / 1024.0,
                grown as f64 * 1024.0 / in_memory.max(1) as f64
            );
        }
        _ => println!("resident memory: not available (no /proc/self/status)"),
    }
    server.shutdown().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime builds");
    runtime.block_on(async {
        let client = Client::builder()
            .pool_max_idle_per_host(TASKS)
            .build()
            .expect("client builds");
        println!(
            "octave-mock throughput: {TASKS} client tasks, {} cores",
            std::thread::available_parallelism().map_or(0, usize::from)
        );
        throughput(&client).await;
        memory(&client).await;
    });
}
