//! `cargo xtask diff OLD NEW`: the changes between two OpenAPI 3.0 descriptions, each
//! classified as breaking or not for users of this SDK.
//!
//! The work is split into loading ([`load`], [`build`], [`build_schema`]), comparison of
//! operations and document parts ([`compare`]), comparison of schemas ([`schema`]),
//! following shared schemas to every operation that uses them ([`reach`]), classification
//! ([`classify`]) and rendering ([`render`]).

mod build;
mod build_document;
mod build_schema;
mod change;
mod classify;
mod compare;
mod compare_document;
mod load;
mod matching;
mod model;
mod reach;
pub mod render;
mod report;
mod schema;
mod value;
mod view;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use load::LoadError;
pub use render::Format;
pub use report::Report;

/// Exit status when no change breaks users.
pub const EXIT_COMPATIBLE: u8 = 0;
/// Exit status when at least one change breaks users.
pub const EXIT_BREAKING: u8 = 1;
/// Exit status when a spec cannot be read.
pub const EXIT_UNREADABLE: u8 = 2;

/// Arguments of `cargo xtask diff`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 without breaking changes, 1 with breaking changes, \
                        2 when a spec cannot be read."
)]
pub struct DiffArgs {
    /// The older spec, YAML or JSON.
    pub old: PathBuf,
    /// The newer spec, YAML or JSON.
    pub new: PathBuf,
    /// Output format: grouped text, markdown for a pull request, or JSON for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the diff, prints the report to standard output and returns the exit status.
pub fn run(args: DiffArgs) -> ExitCode {
    match diff_files(&args.old, &args.new) {
        Ok(report) => {
            print!("{}", render::render(&report, args.format));
            if report.has_breaking() {
                ExitCode::from(EXIT_BREAKING)
            } else {
                ExitCode::from(EXIT_COMPATIBLE)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

/// Loads two spec files, on two threads, and compares them.
///
/// # Errors
///
/// Returns the error of the old spec if it cannot be read, else that of the new one.
pub fn diff_files(old: &Path, new: &Path) -> Result<Report, LoadError> {
    let (old_spec, new_spec) = std::thread::scope(|scope| {
        let old_thread = scope.spawn(|| load::load(old));
        let new_spec = load::load(new);
        let old_spec = old_thread.join().unwrap_or_else(|_| {
            Err(LoadError {
                file: old.to_path_buf(),
                pointer: None,
                message: "the loader thread panicked".to_owned(),
            })
        });
        (old_spec, new_spec)
    });
    let old_spec = old_spec?;
    let new_spec = new_spec?;

    let changes = compare::compare(&old_spec, &new_spec);
    Ok(Report::new(
        old.display().to_string(),
        new.display().to_string(),
        changes,
    ))
}
