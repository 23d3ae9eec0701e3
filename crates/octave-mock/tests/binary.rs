//! The `octave-mock` binary: startup line, serving, clean exit on SIGTERM, and `--help`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_octave-mock");

#[tokio::test]
async fn binary_serves_and_exits_on_sigterm() {
    let mut child = Command::new(BINARY)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "cli-key",
            "--run-duration-ms",
            "50",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("first line");
    let url = first_line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let response = reqwest::Client::new()
        .get(format!("{url}/api/v2/api-key/validate"))
        .header("api_key", "cli-key")
        .send()
        .await
        .expect("binary answers");
    assert_eq!(response.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "binary did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn help_lists_every_option() {
    let output = Command::new(BINARY)
        .arg("--help")
        .output()
        .expect("binary runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    let options = [
        "--addr",
        "--api-key",
        "--seed",
        "--run-duration-ms",
        "--rate-limit",
        "--retry-after-secs",
        "--finished-run-ttl-secs",
        "--callback-attempts",
        "--callback-backoff-ms",
        "--max-body-bytes",
        "--faults",
    ];
    for option in options {
        assert!(help.contains(option), "--help lists {option}");
    }
    assert!(help.contains("milliseconds"));
    assert!(help.contains("[default: 127.0.0.1:0]"));
}

#[test]
fn invalid_faults_exit_with_usage_error() {
    let cases = [
        (r#"{"error_rate": 3}"#, "error_rate"),
        (r#"{"error_rat": 1}"#, "unknown fault `error_rat`"),
        ("not json", "not valid JSON"),
    ];
    for (faults, expected) in cases {
        let output = Command::new(BINARY)
            .args(["--faults", faults])
            .output()
            .expect("binary runs");
        assert_eq!(output.status.code(), Some(2), "{faults}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{faults}: {stderr}");
    }
}
