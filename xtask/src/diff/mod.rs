//! `cargo xtask diff OLD NEW`: the changes between two OpenAPI descriptions.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `cargo xtask diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The older spec, YAML or JSON.
    pub old: PathBuf,
    /// The newer spec, YAML or JSON.
    pub new: PathBuf,
}

/// Runs the diff and returns the process exit code.
pub fn run(args: DiffArgs) -> ExitCode {
    let _ = args;
    ExitCode::from(2)
}
