//! End-to-end tests of `octave batch`: CSV and JSON Lines input, invalid rows, and resuming
//! after the process is killed with SIGKILL at several points.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{DEAD_CALLBACK, TestMock, agent, count_lines, read_lines, run, run_expect};
use octave_types::AgentKind;
use serde_json::Value;

/// Writes a CSV of `rows` companies with a snake_case header.
fn write_companies(path: &Path, rows: usize) {
    let mut file = std::fs::File::create(path).expect("create input");
    writeln!(file, "company_domain,companyName").expect("header");
    for row in 1..=rows {
        writeln!(file, "company{row}.example,Company {row}").expect("row");
    }
}

fn batch_command(mock: &TestMock, kind: AgentKind, input: &Path, output: &Path) -> Command {
    let mut command = mock.octave();
    command
        .args(["batch", kind.slug(), "--agent", &agent(kind)])
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .args(["--callback-url", DEAD_CALLBACK])
        .args(["--poll-interval", "10ms", "--max-poll-interval", "40ms"]);
    command
}

/// Checks that the output has exactly one line per row 1..=rows, and returns the lines by
/// row.
fn lines_by_row(output: &Path, rows: usize) -> BTreeMap<u64, Value> {
    let lines = read_lines(output);
    let mut by_row = BTreeMap::new();
    for line in lines {
        let row = line["row"].as_u64().expect("row number");
        assert!(
            by_row.insert(row, line).is_none(),
            "row {row} appears twice"
        );
    }
    let expected: Vec<u64> = (1..=rows as u64).collect();
    let found: Vec<u64> = by_row.keys().copied().collect();
    assert_eq!(found, expected, "every row exactly once");
    by_row
}

fn journal_of(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

#[test]
fn batch_csv_runs_every_row() {
    let mock = TestMock::start(Duration::from_millis(20));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, 60);

    let result = run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output).args([
            "--concurrency",
            "8",
            "--json",
        ]),
        0,
    );
    let summary = result.json();
    assert_eq!(summary["succeeded"], 60, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");

    let by_row = lines_by_row(&output, 60);
    for line in by_row.values() {
        assert_eq!(line["status"], "succeeded", "{line}");
        assert!(line["requestId"].is_string(), "{line}");
        assert!(line["externalRequestId"].is_string(), "{line}");
        assert!(line["output"].is_object(), "{line}");
    }
    assert_eq!(mock.stats().runs_created, 60);
    assert!(journal_of(&output).exists());

    // Running it again finds every row done and submits nothing.
    let again = run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output).arg("--json"),
        0,
    )
    .json();
    assert_eq!(again["submitted"], 0, "{again}");
    assert_eq!(again["skipped"], 60, "{again}");
    assert_eq!(mock.stats().runs_created, 60);
}

#[test]
fn batch_jsonl_reports_invalid_rows() {
    let mock = TestMock::start(Duration::from_millis(20));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("people.ndjson");
    let output = directory.path().join("out.jsonl");
    let lines = [
        r#"{"email": "a@acme.com", "first_name": "Ann"}"#,
        r#"{"linkedin": "https://www.linkedin.com/in/bob"}"#,
        "not json",
        "",
        r#"{"email": "c@acme.com", "shoeSize": 44}"#,
        r#"{"email": "d@acme.com", "includeFullAnnotation": "maybe"}"#,
        r#"{"email": "e@acme.com", "jobTitle": "CTO"}"#,
    ];
    std::fs::write(&input, lines.join("\n")).expect("write input");

    let result = run_expect(
        batch_command(&mock, AgentKind::QualifyPerson, &input, &output)
            .args(["--concurrency", "4"]),
        4,
    );
    assert!(result.stdout.contains("3 succeeded"), "{}", result.stdout);
    assert!(result.stdout.contains("3 invalid"), "{}", result.stdout);

    let by_row = lines_by_row(&output, 6);
    let statuses: Vec<&str> = by_row
        .values()
        .map(|line| line["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses,
        [
            "succeeded",
            "succeeded",
            "invalid",
            "invalid",
            "invalid",
            "succeeded"
        ]
    );
    let unknown = by_row[&4]["error"].as_str().unwrap_or("");
    assert!(unknown.contains("shoeSize"), "{unknown}");
    assert!(unknown.contains("linkedInProfile"), "{unknown}");
    assert!(
        by_row[&3]["error"]
            .as_str()
            .unwrap_or("")
            .contains("line 3")
    );
    assert_eq!(mock.stats().runs_created, 3);
}

#[test]
fn batch_unknown_column_is_usage_error() {
    let mock = TestMock::start(Duration::from_millis(20));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("bad.csv");
    let output = directory.path().join("out.jsonl");
    std::fs::write(&input, "domain,favourite_colour\nacme.com,blue\n").expect("write");

    let result = run_expect(
        &mut batch_command(&mock, AgentKind::EnrichCompany, &input, &output),
        2,
    );
    assert!(
        result.stderr.contains("favourite_colour"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("companyDomain"), "{}", result.stderr);
    assert!(!output.exists());
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn batch_reads_stdin_with_format() {
    let mock = TestMock::start(Duration::from_millis(20));
    let directory = tempfile::tempdir().expect("temp dir");
    let output = directory.path().join("out.jsonl");
    let mut child = batch_command(&mock, AgentKind::QualifyCompany, Path::new("-"), &output)
        .args(["--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"domain\na.example\nb.example\n")
        .expect("write stdin");
    drop(stdin);
    let status = child.wait_with_output().expect("wait");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    lines_by_row(&output, 2);
}

#[test]
fn batch_mismatched_resume_rejected() {
    let mock = TestMock::start(Duration::from_millis(20));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, 3);
    run_expect(
        &mut batch_command(&mock, AgentKind::EnrichCompany, &input, &output),
        0,
    );

    let result = run_expect(
        mock.octave()
            .args(["batch", "qualify-company", "--agent", "ca_other"])
            .arg("--input")
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .args(["--callback-url", DEAD_CALLBACK]),
        2,
    );
    assert!(
        result.stderr.contains("enrich-company"),
        "{}",
        result.stderr
    );
}

/// Starts a batch, kills it with SIGKILL once `kill_when` holds, and returns the number of
/// output lines at that moment.
fn start_and_kill(mut command: Command, output: &Path, kill_when: impl Fn(&Path) -> bool) -> usize {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn batch");
    let started = Instant::now();
    while !kill_when(output) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("batch ended before it was killed: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "kill point never reached"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    count_lines(output)
}

/// Checks that no row created more than one run.
fn assert_no_duplicate_runs(mock: &TestMock, rows: usize, output: &Path) {
    let by_row = lines_by_row(output, rows);
    let stats = mock.stats();
    eprintln!("mock counters after the resumed batch: {stats:?}");
    assert_eq!(
        stats.runs_created, rows as u64,
        "runs created for {rows} rows (duplicates avoided: {})",
        stats.duplicates_avoided
    );
    let mut request_ids: Vec<&str> = by_row
        .values()
        .map(|line| line["requestId"].as_str().expect("requestId"))
        .collect();
    request_ids.sort_unstable();
    request_ids.dedup();
    assert_eq!(request_ids.len(), rows, "every row has its own run");
    for line in by_row.values() {
        assert_eq!(line["status"], "succeeded", "{line}");
    }
}

#[test]
fn batch_resumes_after_kill_mid_run() {
    let rows = 300;
    let mock = TestMock::start(Duration::from_millis(30));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, rows);
    let command = || {
        let mut command = batch_command(&mock, AgentKind::EnrichCompany, &input, &output);
        command.args(["--concurrency", "16"]);
        command
    };

    let at_kill = start_and_kill(command(), &output, |path| count_lines(path) >= 40);
    assert!(at_kill < rows, "killed after {at_kill} lines");

    let result = run(&mut command());
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    assert_no_duplicate_runs(&mock, rows, &output);
}

#[test]
fn batch_resumes_after_kill_at_start() {
    let rows = 120;
    let mock = TestMock::start(Duration::from_millis(30));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, rows);
    let journal = journal_of(&output);
    let command = || {
        let mut command = batch_command(&mock, AgentKind::EnrichCompany, &input, &output);
        command.args(["--concurrency", "32"]);
        command
    };

    // Killed as soon as the first intent reaches the journal, before any output line.
    start_and_kill(command(), &output, |_| {
        std::fs::read_to_string(&journal).is_ok_and(|text| text.contains("\"intent\""))
    });
    let result = run(&mut command());
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    assert_no_duplicate_runs(&mock, rows, &output);
}

#[test]
fn batch_survives_repeated_kills() {
    let rows = 240;
    let mock = TestMock::start(Duration::from_millis(40));
    // Slow responses keep submissions in flight when the process is killed, so some rows
    // are journaled as intents without a request id.
    mock.set_faults(octave_mock::Faults {
        latency_ms: 15,
        drop_callbacks: true,
        ..octave_mock::Faults::default()
    });
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, rows);
    let command = || {
        let mut command = batch_command(&mock, AgentKind::QualifyCompany, &input, &output);
        command.args(["--concurrency", "24"]);
        command
    };

    let mut killed_at = Vec::new();
    for target in [20, 80, 150] {
        killed_at.push(start_and_kill(command(), &output, |path| {
            count_lines(path) >= target
        }));
    }
    // A crash in the middle of a write leaves a partial last line.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&output)
        .expect("open output");
    file.write_all(b"{\"row\":999,\"status\":\"succ")
        .expect("partial line");
    drop(file);

    let result = run(&mut command());
    assert_eq!(
        result.code, 0,
        "killed at {killed_at:?}\n{}\n{}",
        result.stdout, result.stderr
    );
    assert_no_duplicate_runs(&mock, rows, &output);
}

#[test]
fn batch_rate_limit_spaces_submissions() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, 10);
    let started = Instant::now();
    run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output).args([
            "--concurrency",
            "10",
            "--rate",
            "20",
        ]),
        0,
    );
    // Ten submissions at 20 per second take at least 9 intervals of 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
    lines_by_row(&output, 10);
}

#[test]
fn batch_failed_runs_exit_four() {
    let mock = TestMock::start(Duration::from_millis(10));
    mock.set_faults(octave_mock::Faults {
        fail_runs: true,
        drop_callbacks: true,
        ..octave_mock::Faults::default()
    });
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, 5);
    run_expect(
        &mut batch_command(&mock, AgentKind::EnrichCompany, &input, &output),
        4,
    );
    for line in lines_by_row(&output, 5).values() {
        assert_eq!(line["status"], "failed", "{line}");
        assert!(line["error"].is_string(), "{line}");
        assert!(line["requestId"].is_string(), "{line}");
    }
}

#[test]
fn batch_outage_stops_then_resumes() {
    let rows = 40;
    let mock = TestMock::start(Duration::from_millis(10));
    mock.set_faults(octave_mock::Faults {
        error_rate: 1.0,
        error_status: 503,
        drop_callbacks: true,
        ..octave_mock::Faults::default()
    });
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, rows);

    let stopped = run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output)
            .args(["--concurrency", "4"]),
        6,
    );
    assert!(stopped.stderr.contains("503"), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("run the same command again"),
        "{}",
        stopped.stderr
    );
    assert_eq!(mock.stats().runs_created, 0);

    mock.set_faults(octave_mock::Faults {
        drop_callbacks: true,
        ..octave_mock::Faults::default()
    });
    run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output)
            .args(["--concurrency", "4"]),
        0,
    );
    assert_no_duplicate_runs(&mock, rows, &output);
}

#[test]
fn batch_rejected_key_exits_three() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("companies.csv");
    let output = directory.path().join("out.jsonl");
    write_companies(&input, 5);
    let result = run_expect(
        batch_command(&mock, AgentKind::EnrichCompany, &input, &output)
            .env("OCTAVE_API_KEY", "wrong-key"),
        3,
    );
    assert!(result.stderr.contains("401"), "{}", result.stderr);
    assert_eq!(count_lines(&output), 0);
}
