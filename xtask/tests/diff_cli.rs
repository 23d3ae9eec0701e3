//! Exit status, error messages and output formats of the `cargo xtask diff` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff")
        .join(relative)
}

/// Runs the diff from the fixture directory, so file names in messages are relative.
fn run_diff(old: &str, new: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(fixture(""))
        .args(["diff", old, new])
        .args(extra)
        .output()
        .expect("the xtask binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn identical_specs_exit_zero() {
    let output = run_diff("compatible/old.yaml", "compatible/old.yaml", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "No changes between compatible/old.yaml and compatible/old.yaml.\n"
    );
}

#[test]
fn compatible_changes_exit_zero() {
    let output = run_diff("compatible/old.yaml", "compatible/new.json", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("0 breaking, 4 non-breaking"), "{text}");
    assert!(!text.contains("Breaking changes ("), "{text}");
}

#[test]
fn breaking_changes_exit_one() {
    let output = run_diff("request-fields/old.yaml", "request-fields/new.yaml", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn breaking_changes_exit_one_in_json() {
    let args = ["--format", "json"];
    let output = run_diff("request-fields/old.yaml", "request-fields/new.yaml", &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn missing_description_names_pointer() {
    let output = run_diff(
        "invalid/missing-description.yaml",
        "compatible/old.yaml",
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: invalid/missing-description.yaml: \
         /paths/~1api~1v2~1agents~1list/get/responses/200: missing description\n"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn invalid_new_spec_is_named() {
    let output = run_diff("compatible/old.yaml", "invalid/dangling-ref.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(
            "error: invalid/dangling-ref.yaml: /paths/~1api~1v2~1agents~1get/get/responses/200\
             /content/application~1json/schema/$ref: "
        ),
        "{message}"
    );
    assert!(
        message.contains("define `Agent` under components/schemas"),
        "{message}"
    );
}

#[test]
fn invalid_yaml_reports_line() {
    let output = run_diff("invalid/not-yaml.yaml", "compatible/old.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with("error: invalid/not-yaml.yaml: invalid YAML: "),
        "{message}"
    );
    assert!(message.contains("line 5"), "{message}");
}

#[test]
fn openapi_31_is_rejected() {
    let output = run_diff("compatible/old.yaml", "invalid/openapi-31.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("invalid/openapi-31.yaml: /openapi: OpenAPI version 3.1.0"),
        "{message}"
    );
}

#[test]
fn unknown_schema_type_is_rejected() {
    let output = run_diff("invalid/bad-type.json", "compatible/old.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(
            "invalid/bad-type.json: /components/schemas/Agent/properties/oId/type: \
             `text` is not a schema type"
        ),
        "{message}"
    );
}

#[test]
fn missing_file_exits_two() {
    let output = run_diff("compatible/old.yaml", "no-such-spec.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with("error: no-such-spec.yaml: cannot read the file: "),
        "{message}"
    );
}

#[test]
fn text_lists_breaking_changes_first() {
    let output = run_diff("response-fields/old.yaml", "response-fields/new.yaml", &[]);
    let text = stdout(&output);
    let breaking = text.find("Breaking changes (8)").expect("breaking section");
    let safe = text
        .find("Non-breaking changes (6)")
        .expect("non-breaking section");
    assert!(breaking < safe, "{text}");
    assert!(
        text.contains("  getAsyncAgentRunStatus  (GET /api/v2/async/agent/run/status)"),
        "{text}"
    );
    assert!(
        text.contains(
            "    - response 200 → agentOId: property removed [schema AsyncRunStatus]\n      \
             breaks readers: "
        ),
        "{text}"
    );
    assert!(
        text.contains("      safe: the SDK's enums are open"),
        "{text}"
    );
    assert!(
        text.contains("Changed schemas\n  AsyncRunStatus: 7 changes, 4 breaking"),
        "{text}"
    );
}

#[test]
fn markdown_has_sections_and_table() {
    let args = ["--format", "markdown"];
    let output = run_diff("shared-refs/old.yaml", "shared-refs/new.yaml", &args);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("## API changes\n"), "{text}");
    let breaking = text
        .find("\n### Breaking changes\n")
        .expect("breaking section");
    let safe = text
        .find("\n### Non-breaking changes\n")
        .expect("non-breaking section");
    assert!(breaking < safe, "{text}");
    assert!(
        text.contains(
            "- `request body → companyDomain`: property became required \
             (schema `CompanyIdentity`)\\\n  *Breaks callers:* "
        ),
        "{text}"
    );
    assert!(
        text.contains("| Schema | Changes | Breaking | Used by |"),
        "{text}"
    );
}

#[test]
fn json_has_documented_fields() {
    let args = ["--format", "json"];
    let output = run_diff("types/old.yaml", "types/new.yaml", &args);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON output");

    assert_eq!(report["format_version"], 1);
    assert_eq!(report["old"], "types/old.yaml");
    assert_eq!(report["new"], "types/new.yaml");
    let changes = report["changes"].as_array().expect("changes list");
    let breaking = changes
        .iter()
        .filter(|change| change["breaking"] == true)
        .count();
    assert_eq!(report["summary"]["breaking"], breaking);
    assert_eq!(report["summary"]["non_breaking"], changes.len() - breaking);

    let fields = [
        "kind",
        "breaking",
        "breaks",
        "message",
        "reason",
        "operation",
        "direction",
        "location",
        "locations",
        "omitted_locations",
        "component",
        "component_location",
        "old",
        "new",
    ];
    for change in changes {
        let object = change.as_object().expect("each change is an object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = fields.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{change:#}");
    }

    let first_safe = changes
        .iter()
        .position(|change| change["breaking"] == false);
    let last_breaking = changes
        .iter()
        .rposition(|change| change["breaking"] == true);
    if let (Some(first_safe), Some(last_breaking)) = (first_safe, last_breaking) {
        assert!(last_breaking < first_safe, "breaking changes come first");
    }
}

#[test]
fn yaml_and_json_inputs_mix() {
    let args = ["--format", "json"];
    let output = run_diff("compatible/old.yaml", "compatible/new.json", &args);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(report["summary"]["breaking"], 0);
    assert_eq!(report["summary"]["non_breaking"], 4);
}
