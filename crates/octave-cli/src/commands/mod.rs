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
use crate::exit::{CliResult, Exit};

/// Runs the parsed command and returns its exit code.
///
/// # Errors
///
/// The command's error, which carries its exit code.
pub async fn dispatch(cli: Cli) -> CliResult<Exit> {
    let json = cli.global.json;
    match cli.command {
        Command::Whoami => {
            whoami::run(config::client(&cli.global, Purpose::Interactive)?, json).await
        }
        Command::Agents(command) => {
            agents::run(
                command,
                config::client(&cli.global, Purpose::Interactive)?,
                json,
            )
            .await
        }
        Command::Run(args) => {
            run::run(
                *args,
                config::client(&cli.global, Purpose::Interactive)?,
                json,
            )
            .await
        }
        Command::Status(args) => {
            wait::status(
                args,
                config::client(&cli.global, Purpose::Interactive)?,
                json,
            )
            .await
        }
        Command::Wait(args) => {
            wait::wait(
                args,
                config::client(&cli.global, Purpose::Interactive)?,
                json,
            )
            .await
        }
        Command::Batch(args) => {
            let callback_url = run::require_callback_url(args.callback_url.as_deref(), "batches")?;
            let client = config::client(&cli.global, Purpose::Batch)?;
            batch::run(args, client, callback_url, json).await
        }
        Command::Mock(args) => mock::run(args).await,
        Command::Listen(args) => listen::run(args).await,
    }
}
