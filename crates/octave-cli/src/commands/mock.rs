//! `octave mock`: runs the local mock server of the API until Ctrl-C.

use octave_mock::{DEFAULT_API_KEY, Faults, MockConfig, MockServer};

use crate::args::MockArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::stdio::outln;

/// Starts the mock server, prints `listening on URL` as the first line on stdout, and
/// serves until Ctrl-C or SIGTERM.
///
/// # Errors
///
/// Usage errors for invalid faults or keys, or an address that cannot be bound.
pub async fn run(args: MockArgs) -> CliResult<Exit> {
    let faults = match &args.faults {
        Some(json) => Faults::from_json(json.as_bytes())
            .map_err(|problem| CliError::usage(format!("invalid --faults: {problem}")))?,
        None => Faults::default(),
    };
    if args.accept_keys.iter().any(|key| key.trim().is_empty()) {
        return Err(CliError::usage(
            "invalid --accept-key: a key must not be blank",
        ));
    }
    let api_keys = if args.accept_keys.is_empty() {
        vec![DEFAULT_API_KEY.to_owned()]
    } else {
        args.accept_keys.clone()
    };

    let config = MockConfig {
        api_keys,
        seed: args.seed,
        run_duration: args.run_duration,
        rate_limit_per_second: args.rate_limit,
        faults,
        ..MockConfig::default()
    };
    let server = MockServer::start_on(args.addr, config)
        .await
        .map_err(|error| {
            CliError::usage(format!(
                "failed to listen on {}: {error}; pick another --addr",
                args.addr
            ))
        })?;

    outln!("listening on {}", server.url());

    let signal = wait_for_signal().await;
    server.shutdown().await;
    signal.map_err(|error| {
        CliError::new(
            Exit::Io,
            format!("failed to listen for shutdown signals: {error}"),
        )
    })?;
    Ok(Exit::Success)
}

/// Waits for SIGINT or SIGTERM.
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}
