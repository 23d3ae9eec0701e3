//! Shared helpers of the end-to-end tests: an in-process mock server and a way to run the
//! built `octave` binary against it.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use octave_mock::{Faults, MockConfig, MockServer, MockStats};
use octave_types::AgentKind;

/// Callback URL used in tests: a loopback port where nothing listens, so callbacks fail
/// fast and never leave the machine.
pub const DEAD_CALLBACK: &str = "http://127.0.0.1:9/octave-callback";

/// A mock server running on its own runtime, shut down on drop.
pub struct TestMock {
    runtime: tokio::runtime::Runtime,
    server: Option<MockServer>,
}

impl TestMock {
    /// Starts a mock whose asynchronous runs take `run_duration`, with callbacks dropped.
    pub fn start(run_duration: Duration) -> TestMock {
        let faults = Faults {
            drop_callbacks: true,
            ..Faults::default()
        };
        TestMock::with_config(MockConfig {
            run_duration,
            faults,
            ..MockConfig::default()
        })
    }

    /// Starts a mock with a full configuration.
    pub fn with_config(config: MockConfig) -> TestMock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime");
        let server = runtime
            .block_on(MockServer::start(config))
            .expect("mock server starts");
        TestMock {
            runtime,
            server: Some(server),
        }
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().expect("server running")
    }

    /// Returns the base URL.
    pub fn url(&self) -> String {
        self.server().url()
    }

    /// Returns the accepted API key.
    pub fn api_key(&self) -> String {
        self.server().api_key().to_owned()
    }

    /// Returns the counters.
    pub fn stats(&self) -> MockStats {
        self.server().stats()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.server().set_faults(faults);
    }

    /// Returns a command for the `octave` binary aimed at this mock.
    pub fn octave(&self) -> Command {
        let mut command = octave();
        command
            .env("OCTAVE_API_KEY", self.api_key())
            .env("OCTAVE_BASE_URL", self.url());
        command
    }
}

impl Drop for TestMock {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// Returns a command for the `octave` binary with a clean, fixed environment.
pub fn octave() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_octave"));
    command
        .env_remove("OCTAVE_API_KEY")
        .env_remove("OCTAVE_BASE_URL")
        .env_remove("OCTAVE_CALLBACK_URL")
        .env_remove("RUST_LOG")
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1");
    command
}

/// The captured result of a finished command.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Parses stdout as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", self.stdout))
    }
}

/// Runs a command to completion and captures its output.
pub fn run(command: &mut Command) -> Run {
    let output: Output = command.output().expect("octave runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command and checks its exit code, printing its output when the code differs.
pub fn run_expect(command: &mut Command, code: i32) -> Run {
    let result = run(command);
    assert_eq!(
        result.code, code,
        "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
        result.stdout, result.stderr
    );
    result
}

/// Returns the seeded agent id of a kind.
pub fn agent(kind: AgentKind) -> String {
    octave_mock::seeded_agent_id(kind).to_string()
}

/// Reads a JSON Lines file into values, failing on any line that is not JSON.
pub fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("output readable");
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

/// Counts the complete lines of a file (0 when it does not exist).
pub fn count_lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|bytes| bytes.iter().filter(|byte| **byte == b'\n').count())
        .unwrap_or(0)
}
