//! Cost of the facade, measured against the in-process mock server over loopback HTTP.
//!
//! Run with `cargo bench -p octave --bench facade`. The client and the receiver run on one
//! Tokio runtime with 2 worker threads in this process. The phases are:
//!
//! 1. Sequential synchronous Enrich Company runs, in rounds of one batch per side. The
//!    sides are the facade (`RunBuilder::run`), a hand-written `reqwest` + `serde` call of
//!    the same endpoint with the same body, a second identical hand-written side as a
//!    control, and the generated client's method called directly. Each round runs them in
//!    a new random order. Each side has its own `reqwest::Client` built with the same
//!    settings, and each decodes the response into the typed envelope.
//! 2. 10,000 asynchronous Qualify Company runs through `Client::bulk` with a
//!    `CallbackReceiver` on 127.0.0.1: completed runs per second, status polls per run
//!    (from the mock's counters) and memory. The mock runs in a child process (this binary
//!    started again with `FACADE_BENCH_SERVE_MOCK=1`), so the memory figures cover the SDK
//!    alone: `VmHWM` (peak resident set) and `VmRSS` from `/proc/self/status` (Linux only).
//!    The peak is reset through `/proc/self/clear_refs` before the phase when the kernel
//!    allows it, so it then covers this phase only.
//!
//! Settings can be changed with `FACADE_BENCH_SYNC_BATCHES` (rounds; 0 skips phase 1),
//! `FACADE_BENCH_BATCH` (runs per batch), `FACADE_BENCH_BULK_RUNS` (0 skips phase 2) and
//! `FACADE_BENCH_CONCURRENCY`. The defaults take well under two minutes.

use std::error::Error;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use octave::agents::{EnrichCompany, QualifyCompany};
use octave::callbacks::CallbackReceiver;
use octave::{Agent, AgentKind, Client, CompanyIdentifier};
use octave_mock::{MockConfig, MockServer, MockStats, seeded_agent_id};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, USER_AGENT};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Run time of the asynchronous runs on the mock.
const RUN_DURATION: Duration = Duration::from_millis(5);

/// Timeout of one request, the facade's default, set on every side.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

/// Seed of the order in which the sides run in each round.
const ORDER_SEED: u64 = 0x0c7a_7e5e;

/// Sync runs sent by each side before measuring, to open connections and warm caches.
const WARM_UP_RUNS: usize = 200;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Set in the child process that serves the mock for phase 2.
const SERVE_MOCK_ENV: &str = "FACADE_BENCH_SERVE_MOCK";

fn main() -> BenchResult<()> {
    if std::env::var_os(SERVE_MOCK_ENV).is_some() {
        return serve_mock();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        sync_overhead().await?;
        bulk_throughput().await
    })
}

/// Builds a `reqwest::Client` with the settings the facade uses by default.
fn http_client() -> BenchResult<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?)
}

/// The hand-written call: one POST with the headers the facade sends, decoded with serde.
struct HandWritten {
    http: reqwest::Client,
    url: String,
    api_key: HeaderValue,
}

impl HandWritten {
    async fn run(
        &self,
        input: &<EnrichCompany as Agent>::Input,
    ) -> BenchResult<<EnrichCompany as Agent>::Response> {
        let body = serde_json::to_vec(input)?;
        let external_id = format!("{:032x}", rand::random::<u128>());
        let response = self
            .http
            .post(&self.url)
            .header("api_key", self.api_key.clone())
            .header(USER_AGENT, "octave-rust/bench")
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .header("x-external-request-id", external_id)
            .timeout(REQUEST_TIMEOUT)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            return Err(format!("hand-written call got HTTP {status}").into());
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}

async fn sync_overhead() -> BenchResult<()> {
    let rounds = setting("FACADE_BENCH_SYNC_BATCHES", 200);
    let batch = setting("FACADE_BENCH_BATCH", 100);
    if rounds == 0 || batch == 0 {
        return Ok(());
    }
    let mock = MockServer::start(MockConfig::default()).await?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .user_agent("octave-rust/bench")
        .http_client(http_client()?)
        .build()?;
    let agent_id = seeded_agent_id(AgentKind::EnrichCompany);
    let input = client
        .enrich_company(agent_id, CompanyIdentifier::domain("example.com"))
        .into_input();
    let hand_written = || -> BenchResult<HandWritten> {
        Ok(HandWritten {
            http: http_client()?,
            url: format!("{}/api/v2/agents/enrich-company/run", mock.url()),
            api_key: HeaderValue::from_str(mock.api_key())?,
        })
    };
    // The control is a second hand-written side, the same code with its own connection.
    // Its ratio to the first shows how far two equal sides drift apart in this run.
    // The generated client alone shows how much of the facade's cost comes from the
    // generated layer it wraps.
    let state = octave_client::ClientState::new()
        .with_api_key(mock.api_key())?
        .with_user_agent("octave-rust/bench")?
        .with_request_timeout(Some(REQUEST_TIMEOUT));
    let generated = octave_client::Client::new_with_client(&mock.url(), http_client()?, state);
    let sides = [
        Side::Facade(client),
        Side::HandWritten(hand_written()?),
        Side::HandWritten(hand_written()?),
        Side::Generated(generated),
    ];

    for side in &sides {
        side.batch(&input, WARM_UP_RUNS).await?;
    }
    let mut times: [Vec<Duration>; 4] = Default::default();
    // Each round runs the sides in a new random order. Drift in the machine's load then hits
    // all of them, and no side always follows the same other side: with a fixed rotation
    // that position alone moved a side's ratio by up to two percent.
    let mut rng = StdRng::seed_from_u64(ORDER_SEED);
    let mut order: Vec<usize> = (0..sides.len()).collect();
    for _ in 0..rounds {
        order.shuffle(&mut rng);
        for &index in &order {
            times[index].push(sides[index].batch(&input, batch).await?);
        }
    }

    let per_run = |times: &[Duration]| {
        let mut micros: Vec<f64> = times
            .iter()
            .map(|time| time.as_secs_f64() * 1e6 / batch as f64)
            .collect();
        micros.sort_by(f64::total_cmp);
        let mean = micros.iter().sum::<f64>() / micros.len() as f64;
        (micros[micros.len() / 2], mean)
    };
    // Each round's batches ran back to back, so their ratio is least affected by changes
    // in the machine's load.
    let ratios = |side: &[Duration]| {
        let mut ratios: Vec<f64> = side
            .iter()
            .zip(&times[1])
            .map(|(time, hand)| time.as_secs_f64() / hand.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios
    };
    let [facade_times, hand_times, control_times, generated_times] = &times;
    let (facade_median, facade_mean) = per_run(facade_times);
    let (hand_median, hand_mean) = per_run(hand_times);
    let (control_median, control_mean) = per_run(control_times);
    let (generated_median, generated_mean) = per_run(generated_times);
    println!(
        "Phase 1: {rounds} rounds of {batch} sequential sync Enrich Company runs per side, \
         in a new random order each round"
    );
    println!("  facade       median {facade_median:8.1} us/run, mean {facade_mean:8.1} us/run");
    println!("  hand-written median {hand_median:8.1} us/run, mean {hand_mean:8.1} us/run");
    println!("  control      median {control_median:8.1} us/run, mean {control_mean:8.1} us/run");
    println!(
        "  generated    median {generated_median:8.1} us/run, mean {generated_mean:8.1} us/run"
    );
    for (name, side, mean, note) in [
        (
            "facade   ",
            facade_times,
            facade_mean,
            "; target at most 1.05",
        ),
        (
            "generated",
            generated_times,
            generated_mean,
            " (the layer the facade wraps)",
        ),
        (
            "control  ",
            control_times,
            control_mean,
            " (equal code: the noise)",
        ),
    ] {
        let ratios = ratios(side);
        println!(
            "  {name} / hand-written: median of per-round ratios {:.3} (quartiles {:.3} to \
             {:.3}), ratio of means {:.3}{note}",
            ratios[ratios.len() / 2],
            ratios[ratios.len() / 4],
            ratios[ratios.len() * 3 / 4],
            mean / hand_mean,
        );
    }
    mock.shutdown().await;
    Ok(())
}

/// One side of the synchronous comparison.
enum Side {
    Facade(Client),
    HandWritten(HandWritten),
    Generated(octave_client::Client),
}

impl Side {
    /// Sends `count` sequential runs of `input` and returns the time they took.
    async fn batch(
        &self,
        input: &<EnrichCompany as Agent>::Input,
        count: usize,
    ) -> BenchResult<Duration> {
        let started = Instant::now();
        match self {
            Side::Facade(client) => {
                for _ in 0..count {
                    let output =
                        octave::RunBuilder::<EnrichCompany>::from_input(client, input.clone())
                            .run()
                            .await?;
                    std::hint::black_box(output);
                }
            }
            Side::HandWritten(hand) => {
                for _ in 0..count {
                    std::hint::black_box(hand.run(input).await?);
                }
            }
            Side::Generated(api) => {
                for _ in 0..count {
                    let external_id = format!("{:032x}", rand::random::<u128>());
                    let response = api
                        .run_enrich_company_agent(Some(&external_id), None, input)
                        .await
                        .map_err(|error| error.to_string())?;
                    std::hint::black_box(response.into_inner());
                }
            }
        }
        Ok(started.elapsed())
    }
}

async fn bulk_throughput() -> BenchResult<()> {
    let runs = setting("FACADE_BENCH_BULK_RUNS", 10_000);
    let concurrency = setting("FACADE_BENCH_CONCURRENCY", 256);
    if runs == 0 {
        return Ok(());
    }
    let mock = MockProcess::spawn()?;
    let client = Client::builder()
        .api_key(octave_mock::DEFAULT_API_KEY)
        .base_url(mock.url.as_str())
        .build()?;
    let receiver = CallbackReceiver::builder().bind("127.0.0.1:0").await?;
    receiver.attach(&client);
    let agent_id = seeded_agent_id(AgentKind::QualifyCompany);
    let input_client = client.clone();
    let inputs = (0..runs).map(move |index| {
        input_client
            .qualify_company(
                agent_id,
                CompanyIdentifier::domain(format!("company-{index}.example.com")),
            )
            .into_input()
    });

    let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = memory();
    let started = Instant::now();
    let mut results = client
        .bulk::<QualifyCompany>()
        .concurrency(concurrency)
        .run(futures::stream::iter(inputs))?;
    let mut succeeded = 0usize;
    let mut failed = 0usize;
    while let Some(item) = results.next().await {
        match item.result {
            Ok(_) => succeeded += 1,
            Err(error) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("run {} failed: {error}", item.index);
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let after = memory();
    let stats = mock.stats().await?;
    let receiver_stats = receiver.stats();

    println!(
        "Phase 2: {runs} async Qualify Company runs through Client::bulk, concurrency {concurrency}, mock run time {RUN_DURATION:?}, callbacks to 127.0.0.1"
    );
    println!(
        "  completed {succeeded} ok, {failed} failed in {:.2} s: {:.0} runs/s (target at least 3,000)",
        elapsed.as_secs_f64(),
        (succeeded + failed) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  status polls {} = {:.4} per run (target below 0.1); callbacks verified {}, unverified {}, early {}",
        stats.status_polls,
        stats.status_polls as f64 / runs as f64,
        receiver_stats.verified,
        receiver_stats.unverified,
        receiver_stats.early,
    );
    println!(
        "  memory of this process (client and receiver; the mock runs in a child process): VmRSS {} -> {} KiB, VmHWM {} -> {} KiB{}",
        before.rss_kib,
        after.rss_kib,
        before.peak_kib,
        after.peak_kib,
        if peak_reset {
            " (peak reset before the phase)"
        } else {
            " (peak since the process started)"
        },
    );
    receiver.shutdown().await;
    drop(mock);
    Ok(())
}

/// Child-process mode: serves the mock until standard input closes.
fn serve_mock() -> BenchResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = MockConfig {
            run_duration: RUN_DURATION,
            ..MockConfig::default()
        };
        let mock = MockServer::start(config).await?;
        println!("{}", mock.url());
        tokio::task::spawn_blocking(|| {
            let mut rest = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut rest);
        })
        .await?;
        mock.shutdown().await;
        Ok(())
    })
}

/// The mock server in a child process, stopped when this value is dropped.
struct MockProcess {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl MockProcess {
    fn spawn() -> BenchResult<MockProcess> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(SERVE_MOCK_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the mock process has no stdout")?;
        let mut url = String::new();
        BufReader::new(stdout).read_line(&mut url)?;
        let url = url.trim().to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            return Err(format!("the mock process printed {url:?} instead of its URL").into());
        }
        Ok(MockProcess {
            child,
            url,
            http: reqwest::Client::new(),
        })
    }

    async fn stats(&self) -> BenchResult<MockStats> {
        let response = self
            .http
            .get(format!("{}/_mock/stats", self.url))
            .send()
            .await?;
        Ok(response.json().await?)
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        // Closing stdin stops the child. Kill it if it is still running after a moment.
        drop(self.child.stdin.take());
        std::thread::sleep(Duration::from_millis(200));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of the process, in KiB; zeros where `/proc` is unavailable.
struct Memory {
    rss_kib: u64,
    peak_kib: u64,
}

fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kib: field("VmRSS:"),
        peak_kib: field("VmHWM:"),
    }
}
