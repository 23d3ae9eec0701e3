//! Workspace tasks, run as `cargo xtask <command>`.

mod diff;
mod generate;
mod update;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Workspace tasks for the Octave SDK")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client and types crates from the OpenAPI description.
    Generate {
        /// Spec to read, YAML or JSON.
        #[arg(long, default_value = "openapi/octave.yaml")]
        spec: PathBuf,
        /// Compare the committed files with what the spec produces instead of writing them.
        #[arg(long)]
        check: bool,
    },
    /// Report the changes between two OpenAPI descriptions, breaking ones first.
    Diff(diff::DiffArgs),
    /// Replace openapi/octave.yaml with a new spec: show the changes, regenerate, build, test
    /// and add a CHANGELOG.md entry.
    Update(update::UpdateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate { spec, check } => generate::run(&spec, check),
        Command::Diff(args) => diff::run(args),
        Command::Update(args) => update::run(args),
    }
}
