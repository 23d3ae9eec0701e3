//! End-to-end tests of resuming `octave batch`: the input must be the one the output was
//! made from, and Ctrl-C leaves a batch that a rerun completes.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{DEAD_CALLBACK, TestMock, agent, count_lines, read_lines, run_expect};
use octave_types::AgentKind;

fn write_csv(path: &Path, domains: &[&str]) {
    let mut text = String::from("companyDomain\n");
    for domain in domains {
        text.push_str(domain);
        text.push('\n');
    }
    std::fs::write(path, text).expect("write input");
}

fn batch_command(mock: &TestMock, input: &Path, output: &Path) -> Command {
    let kind = AgentKind::EnrichCompany;
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

/// Returns the row numbers of the output, checking that none appears twice.
fn output_rows(output: &Path) -> BTreeSet<u64> {
    let mut rows = BTreeSet::new();
    for line in read_lines(output) {
        let row = line["row"].as_u64().expect("row number");
        assert!(rows.insert(row), "row {row} appears twice");
    }
    rows
}

#[test]
fn output_lines_carry_input_hash() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("in.csv");
    let output = directory.path().join("out.jsonl");
    write_csv(&input, &["a.example", "b.example"]);
    run_expect(&mut batch_command(&mock, &input, &output), 0);

    for line in read_lines(&output) {
        let hash = line["inputHash"].as_str().expect("inputHash");
        assert_eq!(hash.len(), 16, "{line}");
    }
    let again = run_expect(&mut batch_command(&mock, &input, &output), 0);
    assert!(again.stdout.contains("2 already done"), "{}", again.stdout);
}

#[test]
fn resume_with_edited_row_rejected() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("in.csv");
    let output = directory.path().join("out.jsonl");
    write_csv(&input, &["a.example", "b.example", "c.example"]);
    run_expect(&mut batch_command(&mock, &input, &output), 0);
    let requests = mock.stats().requests;

    write_csv(
        &input,
        &["a.example", "changed.example", "c.example", "d.example"],
    );
    let result = run_expect(&mut batch_command(&mock, &input, &output), 2);
    assert!(result.stderr.contains("row 2"), "{}", result.stderr);
    assert!(result.stderr.contains("--output"), "{}", result.stderr);
    assert_eq!(count_lines(&output), 3);
    assert_eq!(mock.stats().requests, requests, "nothing was sent");
}

#[test]
fn resume_with_shorter_input_rejected() {
    let mock = TestMock::start(Duration::from_millis(10));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("in.csv");
    let output = directory.path().join("out.jsonl");
    write_csv(&input, &["a.example", "b.example", "c.example"]);
    run_expect(&mut batch_command(&mock, &input, &output), 0);

    write_csv(&input, &["a.example", "b.example"]);
    let result = run_expect(&mut batch_command(&mock, &input, &output), 2);
    assert!(result.stderr.contains("row 3"), "{}", result.stderr);
    assert!(result.stderr.contains("--output"), "{}", result.stderr);

    let stdin_result = run_expect(
        batch_command(&mock, Path::new("-"), &output)
            .args(["--format", "csv"])
            .stdin(std::fs::File::open(&input).expect("open input")),
        2,
    );
    assert!(
        stdin_result.stderr.contains("row 3"),
        "{}",
        stdin_result.stderr
    );
    assert_eq!(count_lines(&output), 3);
}

#[test]
fn interrupted_batch_resumes() {
    let mock = TestMock::start(Duration::from_millis(300));
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("in.csv");
    let output = directory.path().join("out.jsonl");
    let domains: Vec<String> = (1..=12).map(|row| format!("c{row}.example")).collect();
    let domains: Vec<&str> = domains.iter().map(String::as_str).collect();
    write_csv(&input, &domains);

    let child = batch_command(&mock, &input, &output)
        .args(["--concurrency", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn batch");
    let started = Instant::now();
    while count_lines(&output) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no row finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());

    let interrupted = child.wait_with_output().expect("batch ends");
    let stderr = String::from_utf8_lossy(&interrupted.stderr);
    assert_eq!(interrupted.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; rerun the same command to resume"),
        "{stderr}"
    );
    assert!(count_lines(&output) < domains.len(), "stopped early");

    run_expect(&mut batch_command(&mock, &input, &output), 0);
    let expected: BTreeSet<u64> = (1..=domains.len() as u64).collect();
    assert_eq!(output_rows(&output), expected);
}
