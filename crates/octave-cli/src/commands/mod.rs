//! One module per command, and the dispatch from parsed arguments to them.

mod agents;
mod listen;
mod mock;
mod run;
mod wait;
mod whoami;

use crate::args::{Cli, Command};
use crate::batch;
use crate::config::{self, Purpose};
use crate::exit::{CliError, CliResult, Exit};

/// Runs the parsed command and returns its exit code.
///
/// # Errors
///
/// The command's error, which carries its exit code.
pub async fn dispatch(cli: Cli) -> CliResult<Exit> {
    let json = cli.global.json;
    match cli.command {
        Command::Batch(args) => {
            let callback_url = run::require_callback_url(args.callback_url.as_deref(), "batches")?;
            let client = config::client(&cli.global, Purpose::Batch)?;
            batch::run(args, client, callback_url, json).await
        }
        Command::Mock(args) => mock::run(args).await,
        Command::Listen(args) => listen::run(args).await,
        command => {
            let client = config::client(&cli.global, Purpose::Interactive)?;
            let base_url = client.base_url().to_owned();
            run_interactive(command, client, json)
                .await
                .map_err(|error| name_base_url(error, &base_url))
        }
    }
}

/// Runs a command that makes one or a few API calls.
async fn run_interactive(command: Command, client: octave::Client, json: bool) -> CliResult<Exit> {
    match command {
        Command::Whoami => whoami::run(client, json).await,
        Command::Agents(command) => agents::run(command, client, json).await,
        Command::Run(args) => run::run(*args, client, json).await,
        Command::Status(args) => wait::status(args, client, json).await,
        Command::Wait(args) => wait::wait(args, client, json).await,
        Command::Batch(_) | Command::Mock(_) | Command::Listen(_) => Err(CliError::usage(
            "batch, mock and listen are not single API calls",
        )),
    }
}

/// Adds the base URL to an error of an unreachable or failing service, so a wrong
/// `--base-url` or `OCTAVE_BASE_URL` shows in the message.
fn name_base_url(mut error: CliError, base_url: &str) -> CliError {
    if error.exit == Exit::Unavailable {
        error.message = format!("{} (base URL: {base_url})", error.message);
    }
    error
}
