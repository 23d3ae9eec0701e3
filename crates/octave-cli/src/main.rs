//! `octave`: run Octave agents from a terminal, one at a time or over files of thousands of
//! rows.
//!
//! # Commands
//!
//! - `octave whoami`: validates the API key and prints the workspace and remaining credits.
//! - `octave agents list [--type KIND]`, `octave agents get OID`, `octave agents types`.
//! - `octave run KIND [--agent OID | --experiment OID] [input flags] [--input-json FILE|-]`:
//!   one run, synchronous by default; `--async` submits and waits by polling, `--no-wait`
//!   prints the `requestId` and exits. Asynchronous runs need `--callback-url`.
//! - `octave status REQUEST_ID` and `octave wait REQUEST_ID [--timeout DURATION]`.
//! - `octave batch KIND --input FILE --output FILE`: runs every row of a CSV or JSON Lines
//!   file asynchronously with bounded concurrency. A journal beside the output
//!   (`OUTPUT.journal`) makes it resumable after any crash without submitting a row twice.
//! - `octave mock [--addr ADDR]`: the local mock server of the API.
//! - `octave listen --addr ADDR`: prints each callback it receives as a JSON line.
//!
//! The API key comes from `OCTAVE_API_KEY` or `--api-key-file` and is never printed. The
//! base URL comes from `--base-url` or `OCTAVE_BASE_URL`, and the callback URL of
//! asynchronous runs from `--callback-url` or `OCTAVE_CALLBACK_URL`. `--json` prints JSON
//! for scripts.
//!
//! # Exit codes
//!
//! | Code | Meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | a run failed, or the API rejected the request |
//! | 2 | usage error: invalid arguments or input file |
//! | 3 | auth or config error: missing or rejected API key, invalid base URL |
//! | 4 | batch finished, but some rows failed or were invalid |
//! | 5 | timed out waiting; the run may still finish (`octave wait`) |
//! | 6 | service unavailable after retries; rerun later (a batch resumes) |
//! | 7 | local file error: cannot read or write a file |
//! | 130 | interrupted by Ctrl-C; a batch saves its progress and resumes when rerun |

mod api;
mod args;
mod batch;
mod commands;
mod config;
mod duration;
mod exit;
mod fields;
mod render;
mod stdio;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use args::Cli;
use stdio::errln;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    init_tracing(cli.global.verbose);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            errln!("error: failed to start the async runtime: {error}");
            return ExitCode::from(exit::Exit::Io.code());
        }
    };

    match runtime.block_on(commands::dispatch(cli)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) => {
            errln!("error: {error}");
            ExitCode::from(error.exit.code())
        }
    }
}

/// Logs to stderr: warnings by default, `-v` for info, `-vv` for debug; `RUST_LOG`
/// overrides both.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
