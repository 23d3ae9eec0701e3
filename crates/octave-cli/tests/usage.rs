//! End-to-end tests of how `octave` reports problems: a closed stdout, invalid flags and
//! faults, and error messages that name the CLI's own flags.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{DEAD_CALLBACK, TestMock, agent, octave, run, run_expect};
use octave_types::AgentKind;

/// Runs a command that must end within ten seconds, killing it otherwise.
fn run_with_deadline(command: &mut Command) -> common::Run {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("octave starts");
    let started = Instant::now();
    while child.try_wait().expect("poll child").is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().expect("kill");
            child.wait().expect("reap");
            panic!("the command was still running after 10 seconds");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("collect output");
    common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn closed_stdout_exits_quietly() {
    let mock = TestMock::start(Duration::from_millis(10));
    for args in [
        &["--json", "agents", "list"][..],
        &["agents", "list"][..],
        &["whoami"][..],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = mock
            .octave()
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .expect("octave runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn mock_rejects_unknown_fault() {
    let result = run_with_deadline(octave().args([
        "mock",
        "--addr",
        "127.0.0.1:0",
        "--faults",
        r#"{"latncy_ms":5}"#,
    ]));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(result.stderr.contains("latncy_ms"), "{}", result.stderr);
}

#[test]
fn batch_callback_url_marked_required() {
    let help = run_expect(octave().args(["batch", "--help"]), 0).stdout;
    let option = help
        .split("--callback-url")
        .nth(1)
        .expect("help lists --callback-url");
    assert!(option.contains("required"), "{help}");

    let mock = TestMock::start(Duration::from_millis(10));
    let result = run_expect(
        mock.octave().args([
            "batch",
            "enrich-company",
            "--input",
            "in.csv",
            "--output",
            "out.jsonl",
        ]),
        2,
    );
    assert!(
        result.stderr.contains("--callback-url"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("OCTAVE_CALLBACK_URL"),
        "{}",
        result.stderr
    );
}

#[test]
fn missing_key_names_env_and_flag() {
    let result = run_expect(octave().arg("whoami"), 3);
    assert!(
        result.stderr.contains("OCTAVE_API_KEY"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("--api-key-file"),
        "{}",
        result.stderr
    );
    assert!(
        !result.stderr.contains("ClientBuilder"),
        "{}",
        result.stderr
    );
}

#[test]
fn missing_identifiers_name_flags() {
    let mock = TestMock::start(Duration::from_millis(10));
    let company = run_expect(
        mock.octave().args([
            "run",
            "enrich-company",
            "--agent",
            &agent(AgentKind::EnrichCompany),
        ]),
        2,
    );
    assert!(company.stderr.contains("--domain"), "{}", company.stderr);
    assert!(
        company.stderr.contains("--company-name"),
        "{}",
        company.stderr
    );
    assert!(
        !company.stderr.contains("CompanyIdentifier"),
        "{}",
        company.stderr
    );

    let person = run_expect(
        mock.octave().args([
            "run",
            "enrich-person",
            "--agent",
            &agent(AgentKind::EnrichPerson),
        ]),
        2,
    );
    for flag in ["--email", "--linkedin", "--first-name", "--company-name"] {
        assert!(person.stderr.contains(flag), "{flag}: {}", person.stderr);
    }
    assert!(
        !person.stderr.contains("PersonIdentifier"),
        "{}",
        person.stderr
    );
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn zero_durations_are_usage_errors() {
    for (flag, args) in [
        (
            "--request-timeout",
            &["--request-timeout", "0s", "whoami"][..],
        ),
        (
            "--timeout",
            &["wait", "asyncReqID_x", "--timeout", "0s"][..],
        ),
        (
            "--row-timeout",
            &["batch", "enrich-company", "--row-timeout", "0"][..],
        ),
    ] {
        let result = run_expect(octave().env("OCTAVE_API_KEY", "k").args(args), 2);
        assert!(result.stderr.contains(flag), "{flag}: {}", result.stderr);
    }
}

#[test]
fn blank_base_url_env_is_an_error() {
    let result = run_expect(
        octave()
            .env("OCTAVE_API_KEY", "k")
            .env("OCTAVE_BASE_URL", " ")
            .arg("whoami"),
        3,
    );
    assert!(
        result.stderr.contains("OCTAVE_BASE_URL"),
        "{}",
        result.stderr
    );
    assert!(
        !result.stderr.contains("app.octavehq.com/api"),
        "{}",
        result.stderr
    );
}

#[test]
fn unreachable_base_url_is_named() {
    let result = run(octave().env("OCTAVE_API_KEY", "k").args([
        "--base-url",
        "http://127.0.0.1:9",
        "whoami",
    ]));
    assert_eq!(result.code, 6, "{}", result.stderr);
    assert!(
        result.stderr.contains("http://127.0.0.1:9"),
        "{}",
        result.stderr
    );
}

#[test]
fn sync_run_rejects_callback_url() {
    let mock = TestMock::start(Duration::from_millis(10));
    let result = run_expect(
        mock.octave().args([
            "run",
            "enrich-company",
            "--agent",
            &agent(AgentKind::EnrichCompany),
            "--domain",
            "acme.com",
            "--callback-url",
            DEAD_CALLBACK,
        ]),
        2,
    );
    assert!(result.stderr.contains("--async"), "{}", result.stderr);
    assert!(result.stderr.contains("--no-wait"), "{}", result.stderr);
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn duplicate_csv_column_rejected() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    for header in [
        "companyDomain,companyDomain",
        "companyDomain,company_domain",
    ] {
        let input = directory.path().join("in.csv");
        std::fs::write(&input, format!("{header}\na.com,b.com\n")).expect("write input");
        let result = run_expect(
            mock.octave()
                .args(["batch", "enrich-company", "--agent", "ca_1"])
                .arg("--input")
                .arg(&input)
                .arg("--output")
                .arg(directory.path().join("out.jsonl"))
                .args(["--callback-url", DEAD_CALLBACK]),
            2,
        );
        let repeated = header.split(',').nth(1).expect("second column");
        assert!(
            result.stderr.contains(repeated),
            "{header}: {}",
            result.stderr
        );
    }
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn piped_logs_have_no_colour() {
    let result = run(octave()
        .env_remove("NO_COLOR")
        .env("OCTAVE_API_KEY", "k")
        .args(["-vv", "--base-url", "http://127.0.0.1:9", "whoami"]));
    assert!(!result.stderr.is_empty());
    assert!(!result.stderr.contains('\u{1b}'), "{:?}", result.stderr);
}
