//! Writes to stdout and stderr that do not panic on a failed write.
//!
//! `println!` panics when stdout is a closed pipe (`octave agents list | head -1`). The
//! macros here write through [`write_stdout`] and [`write_stderr`] instead:
//!
//! - stdout closed by its reader (`BrokenPipe`): the process exits at once with code 0 and
//!   prints nothing. A reader such as `head` closes the pipe once it has what it needs, which
//!   is not a failure of this command. A batch writes stdout only after its output and
//!   journal are closed, so the early exit loses nothing.
//! - Any other stdout failure, such as a full disk, ends the process with code 7 and a
//!   message on stderr.
//! - stderr failures are ignored, because stderr only carries diagnostics and a closed stderr
//!   must not stop a batch halfway.

use std::fmt;
use std::io::{self, Write};

use crate::exit::Exit;

/// Writes one line to stdout, like `println!`, exiting quietly when stdout is closed.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::stdio::write_stdout(format_args!($($arg)*))
    };
}

/// Writes one line to stderr, like `eprintln!`, ignoring write failures.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::stdio::write_stderr(format_args!($($arg)*))
    };
}

pub(crate) use {errln, outln};

/// Writes `line` and a newline to stdout and flushes it.
///
/// Exits the process with code 0 when the reader closed stdout, and with code 7 on any
/// other write failure.
pub fn write_stdout(line: fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(error) = written {
        exit_on_stdout_error(&error);
    }
}

/// Writes `line` and a newline to stderr, ignoring failures.
pub fn write_stderr(line: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Ends the process after a failed write to stdout.
fn exit_on_stdout_error(error: &io::Error) -> ! {
    if error.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(Exit::Success.code()));
    }
    write_stderr(format_args!("error: failed to write to stdout: {error}"));
    std::process::exit(i32::from(Exit::Io.code()));
}
