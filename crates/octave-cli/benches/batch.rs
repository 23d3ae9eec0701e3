//! Throughput and peak memory of `octave batch` against the in-process mock server.
//!
//! Runs the built `octave` binary (release with `cargo bench`) over generated CSV files and
//! reports rows per second and the peak resident memory of the `octave` process (`VmHWM`
//! from `/proc/PID/status`, sampled every 10 ms until it exits). Two scenarios:
//!
//! - 10,000 rows at concurrency 64, mock runs of 2 ms;
//! - 10,000 and 1,000,000 rows at concurrency 256, mock runs of 0 ms, to show that peak
//!   memory does not grow with the input.
//!
//! `cargo bench -p octave-cli --bench batch`. Set `OCTAVE_BENCH_BIG_ROWS` to change the
//! size of the second scenario (0 skips it). The mock runs in this process, so it shares
//! the machine's cores with the `octave` process it measures.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use octave_mock::{Faults, MockConfig, MockServer};
use octave_types::AgentKind;

/// One benchmark scenario.
struct Scenario {
    rows: u64,
    concurrency: u32,
    run_duration: Duration,
}

/// Results of one scenario.
struct Measurement {
    rows: u64,
    concurrency: u32,
    seconds: f64,
    peak_kib: u64,
}

fn main() {
    let big_rows = std::env::var("OCTAVE_BENCH_BIG_ROWS")
        .ok()
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(1_000_000);
    let mut scenarios = vec![Scenario {
        rows: 10_000,
        concurrency: 64,
        run_duration: Duration::from_millis(2),
    }];
    if big_rows > 0 {
        // The same settings as the big run on a small file, so the two peaks compare.
        scenarios.push(Scenario {
            rows: 10_000,
            concurrency: 256,
            run_duration: Duration::ZERO,
        });
        scenarios.push(Scenario {
            rows: big_rows,
            concurrency: 256,
            run_duration: Duration::ZERO,
        });
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime for the mock server");

    let mut results = Vec::new();
    for scenario in &scenarios {
        results.push(measure(&runtime, scenario));
    }

    println!();
    println!(
        "{:>10}  {:>11}  {:>9}  {:>10}  {:>13}",
        "rows", "concurrency", "seconds", "rows/s", "peak RSS MiB"
    );
    for result in &results {
        println!(
            "{:>10}  {:>11}  {:>9.1}  {:>10.0}  {:>13.1}",
            result.rows,
            result.concurrency,
            result.seconds,
            result.rows as f64 / result.seconds,
            result.peak_kib as f64 / 1024.0
        );
    }
}

fn measure(runtime: &tokio::runtime::Runtime, scenario: &Scenario) -> Measurement {
    let config = MockConfig {
        run_duration: scenario.run_duration,
        finished_run_ttl: Duration::from_secs(60),
        faults: Faults {
            drop_callbacks: true,
            ..Faults::default()
        },
        ..MockConfig::default()
    };
    let server = runtime
        .block_on(MockServer::start(config))
        .expect("mock server starts");
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("results.jsonl");
    write_input(&input, scenario.rows);
    eprintln!(
        "batch of {} rows at concurrency {}...",
        scenario.rows, scenario.concurrency
    );

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_octave"))
        .env("OCTAVE_API_KEY", server.api_key())
        .env("OCTAVE_BASE_URL", server.url())
        .args(["batch", "enrich-company", "--agent"])
        .arg(octave_mock::seeded_agent_id(AgentKind::EnrichCompany))
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .args(["--callback-url", "http://127.0.0.1:9/octave-callback"])
        .args(["--concurrency", &scenario.concurrency.to_string()])
        .args([
            "--poll-interval",
            "2ms",
            "--max-poll-interval",
            "20ms",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("octave starts");

    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = read_peak_kib(Path::new(&status_path)) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("poll child") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let seconds = started.elapsed().as_secs_f64();
    let summary = child
        .wait_with_output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    assert!(status.success(), "batch failed: {status}\n{summary}");

    let lines = std::fs::read(&output)
        .map(|bytes| bytes.iter().filter(|byte| **byte == b'\n').count() as u64)
        .unwrap_or(0);
    assert_eq!(lines, scenario.rows, "output lines\n{summary}");
    let stats = server.stats();
    assert_eq!(stats.runs_created, scenario.rows, "runs created");
    runtime.block_on(server.shutdown());

    Measurement {
        rows: scenario.rows,
        concurrency: scenario.concurrency,
        seconds,
        peak_kib,
    }
}

fn write_input(path: &Path, rows: u64) {
    let file = std::fs::File::create(path).expect("create input");
    let mut writer = BufWriter::new(file);
    writeln!(writer, "company_domain,company_name").expect("write header");
    for row in 1..=rows {
        writeln!(writer, "company{row}.example,Company {row}").expect("write row");
    }
    writer.flush().expect("flush input");
}

/// Reads `VmHWM` (peak resident set size, KiB) from a `/proc/PID/status` file.
fn read_peak_kib(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
