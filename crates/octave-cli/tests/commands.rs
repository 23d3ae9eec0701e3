//! End-to-end tests of the single-run commands against the mock server.

mod common;

use std::time::Duration;

use common::{DEAD_CALLBACK, TestMock, agent, octave, run_expect};
use octave_types::AgentKind;

fn mock() -> TestMock {
    TestMock::start(Duration::from_millis(30))
}

#[test]
fn whoami_prints_workspace_and_credits() {
    let mock = mock();
    let result = run_expect(mock.octave().arg("whoami"), 0);
    assert!(result.stdout.contains("Workspace:"), "{}", result.stdout);
    assert!(result.stdout.contains("Credits:"), "{}", result.stdout);
    assert!(!result.stdout.contains(&mock.api_key()));

    let json = run_expect(mock.octave().args(["whoami", "--json"]), 0).json();
    assert_eq!(json["valid"], true);
    assert!(json["credits"].is_object(), "{json}");
    assert!(!json.to_string().contains(&mock.api_key()));
}

#[test]
fn whoami_rejected_key_exits_three() {
    let mock = mock();
    let result = run_expect(
        mock.octave()
            .env("OCTAVE_API_KEY", "wrong-key")
            .arg("whoami"),
        3,
    );
    assert!(result.stderr.contains("401"), "{}", result.stderr);
    assert!(!result.stderr.contains("wrong-key"), "{}", result.stderr);
}

#[test]
fn missing_key_exits_three() {
    let mock = mock();
    let result = run_expect(octave().args(["--base-url", &mock.url(), "whoami"]), 3);
    assert!(
        result.stderr.contains("OCTAVE_API_KEY"),
        "{}",
        result.stderr
    );
}

#[test]
fn api_key_file_is_used() {
    let mock = mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let key_file = directory.path().join("key");
    std::fs::write(&key_file, format!("{}\n", mock.api_key())).expect("write key");
    let result = run_expect(
        octave()
            .args(["--base-url", &mock.url(), "--api-key-file"])
            .arg(&key_file)
            .args(["whoami", "--json"]),
        0,
    );
    assert_eq!(result.json()["valid"], true);

    let missing = directory.path().join("missing");
    let result = run_expect(
        octave()
            .args(["--base-url", &mock.url(), "--api-key-file"])
            .arg(&missing)
            .arg("whoami"),
        3,
    );
    assert!(result.stderr.contains("missing"), "{}", result.stderr);
}

#[test]
fn agents_list_filters_by_kind() {
    let mock = mock();
    let result = run_expect(mock.octave().args(["agents", "list"]), 0);
    assert!(result.stdout.starts_with("OID"), "{}", result.stdout);

    let json = run_expect(
        mock.octave()
            .args(["agents", "list", "--type", "qualify-company", "--json"]),
        0,
    )
    .json();
    let agents = json["agents"].as_array().expect("agents array");
    assert!(!agents.is_empty(), "{json}");
    for listed in agents {
        assert_eq!(listed["type"], "QUALIFY_COMPANY", "{listed}");
    }

    let all = run_expect(
        mock.octave()
            .args(["agents", "list", "--all", "--limit", "3", "--json"]),
        0,
    )
    .json();
    let count = all["agents"].as_array().map_or(0, Vec::len);
    assert!(count > 3, "--all fetched only {count} agents");
}

#[test]
fn agents_get_and_types() {
    let mock = mock();
    let oid = agent(AgentKind::EnrichCompany);
    let result = run_expect(mock.octave().args(["agents", "get", &oid]), 0);
    assert!(result.stdout.contains(&oid), "{}", result.stdout);
    assert!(
        result.stdout.contains("enrich-company"),
        "{}",
        result.stdout
    );

    let json = run_expect(mock.octave().args(["agents", "get", &oid, "--json"]), 0).json();
    assert_eq!(json["oId"], oid.as_str());

    let result = run_expect(
        mock.octave().args(["agents", "get", "ca_does_not_exist"]),
        1,
    );
    assert!(result.stderr.contains("404"), "{}", result.stderr);

    let types = run_expect(mock.octave().args(["agents", "types", "--json"]), 0).json();
    assert!(
        types["types"]
            .as_array()
            .is_some_and(|types| !types.is_empty())
    );
}

#[test]
fn run_sync_several_kinds() {
    let mock = mock();
    let cases: [(AgentKind, &[&str]); 4] = [
        (AgentKind::EnrichCompany, &["--domain", "acme.com"]),
        (AgentKind::QualifyPerson, &["--email", "jane@acme.com"]),
        (
            AgentKind::Prospector,
            &["--domain", "acme.com", "--limit", "3"],
        ),
        (
            AgentKind::Sequence,
            &["--email", "jane@acme.com", "--first-name", "Jane"],
        ),
    ];
    for (kind, flags) in cases {
        let result = run_expect(
            mock.octave()
                .args(["run", kind.slug(), "--agent", &agent(kind), "--json"])
                .args(flags),
            0,
        );
        let json = result.json();
        assert_eq!(json["status"], "succeeded", "{kind}: {json}");
        assert!(json["output"].is_object(), "{kind}: {json}");
    }
    assert_eq!(mock.stats().sync_runs, 4);

    let human = run_expect(
        mock.octave().args([
            "run",
            "qualify-company",
            "--agent",
            &agent(AgentKind::QualifyCompany),
            "--domain",
            "acme.com",
        ]),
        0,
    );
    assert!(
        human.stderr.contains("Qualify Company run"),
        "{}",
        human.stderr
    );
    let output: serde_json::Value = serde_json::from_str(&human.stdout).expect("pretty JSON");
    assert!(output.is_object());
}

#[test]
fn run_input_json_and_flag_override() {
    let mock = mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let path = directory.path().join("input.json");
    let input = serde_json::json!({
        "agent_o_id": agent(AgentKind::EnrichPerson),
        "email": "old@acme.com",
        "runtimeContext": {"note": "from file"}
    });
    std::fs::write(&path, input.to_string()).expect("write input");
    let result = run_expect(
        mock.octave()
            .args(["run", "enrich-person", "--input-json"])
            .arg(&path)
            .args(["--email", "new@acme.com", "--json"]),
        0,
    );
    assert_eq!(result.json()["status"], "succeeded");
}

#[test]
fn run_rejects_flag_of_other_kind() {
    let mock = mock();
    let result = run_expect(
        mock.octave().args([
            "run",
            "enrich-company",
            "--agent",
            &agent(AgentKind::EnrichCompany),
            "--email",
            "jane@acme.com",
        ]),
        2,
    );
    assert!(result.stderr.contains("--email"), "{}", result.stderr);
    assert!(
        result.stderr.contains("enrich-company"),
        "{}",
        result.stderr
    );
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn run_usage_errors_exit_two() {
    let mock = mock();
    let unknown = run_expect(mock.octave().args(["run", "summon-dragon"]), 2);
    assert!(
        unknown.stderr.contains("summon-dragon"),
        "{}",
        unknown.stderr
    );

    let no_agent = run_expect(
        mock.octave()
            .args(["run", "enrich-company", "--domain", "acme.com"]),
        2,
    );
    assert!(no_agent.stderr.contains("--agent"), "{}", no_agent.stderr);

    let bad_limit = run_expect(
        mock.octave().args([
            "run",
            "prospector",
            "--agent",
            &agent(AgentKind::Prospector),
            "--limit",
            "5000",
        ]),
        2,
    );
    assert!(bad_limit.stderr.contains("5000"), "{}", bad_limit.stderr);

    let no_callback = run_expect(
        mock.octave().args([
            "run",
            "enrich-company",
            "--agent",
            &agent(AgentKind::EnrichCompany),
            "--domain",
            "acme.com",
            "--async",
        ]),
        2,
    );
    assert!(
        no_callback.stderr.contains("--callback-url"),
        "{}",
        no_callback.stderr
    );
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn run_async_waits_for_output() {
    let mock = mock();
    for kind in [AgentKind::EnrichCompany, AgentKind::CallPrep] {
        let identity: &[&str] = match kind {
            AgentKind::EnrichCompany => &["--domain", "acme.com"],
            _ => &["--email", "jane@acme.com"],
        };
        let result = run_expect(
            mock.octave()
                .args(["run", kind.slug(), "--agent", &agent(kind), "--async"])
                .args([
                    "--callback-url",
                    DEAD_CALLBACK,
                    "--poll-interval",
                    "20ms",
                    "--json",
                ])
                .args(identity),
            0,
        );
        let json = result.json();
        assert_eq!(json["status"], "succeeded", "{json}");
        assert!(json["output"].is_object(), "{json}");
        assert!(json["requestId"].is_string(), "{json}");
    }
    assert_eq!(mock.stats().runs_created, 2);
}

#[test]
fn no_wait_then_status_and_wait() {
    // Long enough that the run is still going after three process starts on a loaded
    // machine, when the short wait below must time out.
    let mock = TestMock::start(Duration::from_secs(2));
    let submitted = run_expect(
        mock.octave().args([
            "run",
            "qualify-company",
            "--agent",
            &agent(AgentKind::QualifyCompany),
            "--domain",
            "acme.com",
            "--no-wait",
            "--callback-url",
            DEAD_CALLBACK,
        ]),
        0,
    );
    let request_id = submitted.stdout.trim().to_owned();
    assert!(
        !request_id.is_empty() && !request_id.contains(' '),
        "{request_id}"
    );

    let pending = run_expect(mock.octave().args(["status", &request_id, "--json"]), 0).json();
    assert_eq!(pending["state"], "in_progress", "{pending}");

    let timed_out = run_expect(
        mock.octave().args([
            "wait",
            &request_id,
            "--timeout",
            "50ms",
            "--poll-interval",
            "10ms",
        ]),
        5,
    );
    assert!(
        timed_out.stderr.contains("octave wait"),
        "{}",
        timed_out.stderr
    );

    let done = run_expect(
        mock.octave().args([
            "wait",
            &request_id,
            "--kind",
            "qualify-company",
            "--poll-interval",
            "50ms",
            "--json",
        ]),
        0,
    )
    .json();
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(done["output"]["score"].is_number(), "{done}");

    let status = run_expect(mock.octave().args(["status", &request_id]), 0);
    assert!(status.stdout.contains("succeeded") || status.stdout.contains("completed"));
}

#[test]
fn failed_run_exits_one() {
    let mock = mock();
    mock.set_faults(octave_mock::Faults {
        fail_runs: true,
        drop_callbacks: true,
        ..octave_mock::Faults::default()
    });
    let result = run_expect(
        mock.octave().args([
            "run",
            "enrich-company",
            "--agent",
            &agent(AgentKind::EnrichCompany),
            "--domain",
            "acme.com",
            "--async",
            "--callback-url",
            DEAD_CALLBACK,
            "--poll-interval",
            "20ms",
        ]),
        1,
    );
    assert!(result.stderr.contains("failed"), "{}", result.stderr);
}

#[test]
fn unknown_request_id_exits_one() {
    let mock = mock();
    let result = run_expect(mock.octave().args(["status", "asyncReqID_nope"]), 1);
    assert!(result.stderr.contains("404"), "{}", result.stderr);
}

#[test]
fn unreachable_service_exits_six() {
    let result = run_expect(
        octave().env("OCTAVE_API_KEY", "key").args([
            "--base-url",
            "http://127.0.0.1:9",
            "--request-timeout",
            "2s",
            "whoami",
        ]),
        6,
    );
    assert!(result.stderr.contains("connect"), "{}", result.stderr);
}
