//! `octave-mock`: runs the mock Octave API server until SIGINT or SIGTERM.
//!
//! The first line on stdout is `listening on http://ADDR`; logs go to stderr and follow
//! `RUST_LOG` (default `info`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use octave_mock::{DEFAULT_API_KEY, Faults, MockConfig, MockServer};
use tracing_subscriber::EnvFilter;

/// Local mock server of the Octave agents API, with fault injection.
///
/// Serves every endpoint of the Octave v2 agents API over HTTP with deterministic outputs,
/// plus test controls: GET /_mock/stats, and GET and PUT /_mock/faults (JSON, no API key).
#[derive(Debug, Parser)]
#[command(name = "octave-mock", version)]
struct Cli {
    /// Address and port to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// API key accepted in the `api_key` header. Repeat the option to accept several keys.
    #[arg(long = "api-key", value_name = "KEY", default_value = DEFAULT_API_KEY)]
    api_keys: Vec<String>,

    /// Seed of generated outputs, request IDs and fault decisions.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Time an asynchronous run takes to finish, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    run_duration_ms: u64,

    /// Requests per second allowed per API key; rate limiting is off when omitted.
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<u32>,

    /// Value of the Retry-After header on 429 responses, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    retry_after_secs: u64,

    /// Time the state of a finished run is kept before its request ID returns 404, in
    /// seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    finished_run_ttl_secs: u64,

    /// Maximum number of POST attempts per callback, the first one included.
    #[arg(long, value_name = "COUNT", default_value_t = 5)]
    callback_attempts: u32,

    /// Delay before the first callback retry, in milliseconds; it doubles with each retry.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    callback_backoff_ms: u64,

    /// Maximum size of a request body, in bytes; larger bodies get 413.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,

    /// Also POST callbacks to hosts other than loopback addresses and localhost; without it,
    /// such callbacks are skipped and counted as callbacks_blocked.
    #[arg(long)]
    allow_remote_callbacks: bool,

    /// Faults to inject from the start, as JSON, e.g. '{"error_rate":0.1,"latency_ms":50}'.
    /// Fields: error_rate, error_status, rate_limit_burst, latency_ms, drop_callbacks,
    /// duplicate_callbacks, early_callbacks, reset_rate, malformed_json_rate, unknown_fields,
    /// unknown_enum_values, callback_shape (standard, agent_run_o_id, sync_envelope) and
    /// fail_runs. Default: no faults.
    #[arg(long, value_name = "JSON")]
    faults: Option<String>,
}

impl Cli {
    fn config(&self) -> Result<MockConfig, String> {
        let faults = match &self.faults {
            Some(json) => Faults::from_json(json.as_bytes())
                .map_err(|problem| format!("invalid --faults: {problem}"))?,
            None => Faults::default(),
        };
        if self.api_keys.iter().any(|key| key.is_empty()) {
            return Err("invalid --api-key: a key must not be empty".to_owned());
        }
        Ok(MockConfig {
            api_keys: self.api_keys.clone(),
            seed: self.seed,
            run_duration: Duration::from_millis(self.run_duration_ms),
            rate_limit_per_second: self.rate_limit,
            retry_after: Duration::from_secs(self.retry_after_secs),
            finished_run_ttl: Duration::from_secs(self.finished_run_ttl_secs),
            callback_attempts: self.callback_attempts.max(1),
            callback_backoff: Duration::from_millis(self.callback_backoff_ms),
            max_body_bytes: self.max_body_bytes,
            allow_remote_callbacks: self.allow_remote_callbacks,
            faults,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let config = match cli.config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("octave-mock: {message}");
            return ExitCode::from(2);
        }
    };
    let server = match MockServer::start_on(cli.addr, config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("octave-mock: failed to listen on {}: {error}", cli.addr);
            return ExitCode::FAILURE;
        }
    };

    println!("listening on {}", server.url());
    if let Err(error) = std::io::Write::flush(&mut std::io::stdout()) {
        tracing::warn!(%error, "failed to flush stdout");
    }

    match wait_for_signal().await {
        Ok(signal) => tracing::info!(signal, "shutting down"),
        Err(error) => {
            tracing::error!(%error, "failed to listen for shutdown signals");
            server.shutdown().await;
            return ExitCode::FAILURE;
        }
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Waits for SIGINT or SIGTERM (Ctrl-C only, on platforms without Unix signals) and returns
/// its name.
async fn wait_for_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = interrupt.recv() => Ok("SIGINT"),
            _ = terminate.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("Ctrl-C")
    }
}
