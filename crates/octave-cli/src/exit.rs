//! Exit codes and the error type that carries one.

use std::fmt;
use std::path::Path;

/// The process exit codes of `octave`, documented in `--help` and the crate docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked.
    Success = 0,
    /// A run failed, or the API rejected the request (invalid input, unknown id).
    Failed = 1,
    /// Invalid arguments or input file (clap uses the same code).
    Usage = 2,
    /// Missing or rejected API key, or an invalid base URL or key file.
    Config = 3,
    /// A batch finished, but some rows failed or were invalid.
    RowsFailed = 4,
    /// The wait deadline passed while the run was still in progress.
    TimedOut = 5,
    /// The service could not be reached or kept failing after retries.
    Unavailable = 6,
    /// A local file could not be read or written.
    Io = 7,
    /// The command was interrupted by Ctrl-C (SIGINT); 128 plus the signal number, as
    /// shells report it.
    Interrupted = 130,
}

/// The exit code table shown at the end of `octave --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    a run failed, or the API rejected the request
  2    usage error: invalid arguments or input file
  3    auth or config error: missing or rejected API key, invalid base URL
  4    batch finished, but some rows failed or were invalid
  5    timed out waiting; the run may still finish (use `octave wait`)
  6    service unavailable after retries; rerun later (a batch resumes)
  7    local file error: cannot read or write a file
  130  interrupted by Ctrl-C; a batch saves its progress and resumes when rerun";

impl Exit {
    /// Returns the numeric code passed to the operating system.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error that ends the command: a message for stderr and the exit code to use.
#[derive(Debug)]
pub struct CliError {
    /// Exit code of the process.
    pub exit: Exit,
    /// The full message, already naming the value that failed and what to do.
    pub message: String,
}

impl CliError {
    /// Builds an error with the given exit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    /// Builds a usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, message)
    }

    /// Builds a configuration or authentication error (exit code 3).
    pub fn config(message: impl Into<String>) -> Self {
        CliError::new(Exit::Config, message)
    }

    /// Builds a local file error (exit code 7) that names the file and the action.
    pub fn io(action: &str, path: &Path, error: &std::io::Error) -> Self {
        CliError::new(
            Exit::Io,
            format!("failed to {action} {}: {error}", path.display()),
        )
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// Result type of every command.
pub type CliResult<T> = Result<T, CliError>;
