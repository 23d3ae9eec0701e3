//! End-to-end tests of `octave mock` and `octave listen`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{TestMock, agent, octave, run_expect};
use octave_mock::MockConfig;
use octave_types::AgentKind;

/// Sends lines read from a pipe into a channel, so tests can wait with a timeout.
fn line_channel(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// Stops a server with SIGINT and returns its exit code.
fn interrupt(mut child: Child) -> Option<i32> {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    child.wait().expect("reap").code()
}

fn listening_url(lines: &mpsc::Receiver<String>) -> String {
    let line = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("server prints its address");
    line.strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned()
}

#[test]
fn mock_command_serves_api() {
    let mut child = octave()
        .args(["mock", "--addr", "127.0.0.1:0", "--run-duration", "20ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mock");
    let lines = line_channel(child.stdout.take().expect("stdout"));
    let url = listening_url(&lines);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let whoami = run_expect(
        octave()
            .env("OCTAVE_API_KEY", octave_mock::DEFAULT_API_KEY)
            .env("OCTAVE_BASE_URL", &url)
            .args(["whoami", "--json"]),
        0,
    );
    assert_eq!(whoami.json()["valid"], true);
    assert_eq!(interrupt(child), Some(0));
}

#[test]
fn mock_command_rejects_bad_faults() {
    let result = run_expect(
        octave().args(["mock", "--faults", "{\"error_rate\": 7}"]),
        2,
    );
    assert!(result.stderr.contains("error_rate"), "{}", result.stderr);
}

#[test]
fn listen_prints_callbacks() {
    let mut listener = octave()
        .args(["listen", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listen");
    let stderr = line_channel(listener.stderr.take().expect("stderr"));
    let stdout = line_channel(listener.stdout.take().expect("stdout"));
    let url = listening_url(&stderr);

    let mock = TestMock::with_config(MockConfig {
        run_duration: Duration::from_millis(20),
        ..MockConfig::default()
    });
    let callback_url = format!("{url}/callbacks/run-1");
    let result = run_expect(
        mock.octave().args([
            "run",
            "qualify-person",
            "--agent",
            &agent(AgentKind::QualifyPerson),
            "--email",
            "jane@acme.com",
            "--async",
            "--callback-url",
            &callback_url,
            "--poll-interval",
            "20ms",
            "--json",
        ]),
        0,
    );
    let request_id = result.json()["requestId"]
        .as_str()
        .expect("requestId")
        .to_owned();

    let line = stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("callback line");
    let event: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
    assert_eq!(event["runId"], request_id.as_str(), "{event}");
    assert_eq!(event["state"], "succeeded", "{event}");
    assert_eq!(event["path"], "/callbacks/run-1", "{event}");
    assert!(event["output"].is_object(), "{event}");
    assert_eq!(interrupt(listener), Some(0));
}

#[test]
fn listen_rejects_bad_address() {
    let result = run_expect(octave().args(["listen", "--addr", "not-an-address"]), 2);
    assert!(
        result.stderr.contains("not-an-address"),
        "{}",
        result.stderr
    );
}

/// Sends one HTTP/1.1 request without a body to `url` and returns the response's status.
fn status_of(url: &str, method: &str, path: &str) -> u16 {
    use std::io::Write;

    let address = url.strip_prefix("http://").expect("an http URL");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to listen");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    response
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

#[test]
fn listen_rejects_other_methods() {
    let mut listener = octave()
        .args(["listen", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listen");
    let stderr = line_channel(listener.stderr.take().expect("stderr"));
    let url = listening_url(&stderr);

    assert_eq!(status_of(&url, "GET", "/"), 200);
    assert_eq!(status_of(&url, "GET", "/callbacks/run-1"), 405);
    assert_eq!(status_of(&url, "PUT", "/callbacks/run-1"), 405);
    assert_eq!(
        status_of(&url, "POST", "/"),
        400,
        "an empty body is not a callback"
    );
    assert_eq!(interrupt(listener), Some(0));
}
