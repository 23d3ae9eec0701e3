//! Classification of each change kind by `cargo xtask diff`, checked through its JSON output
//! on pairs of small specs under `tests/fixtures/diff/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff")
        .join(relative)
}

/// Runs the diff of `PAIR/old.yaml` and `PAIR/new.yaml` and returns the JSON changes.
fn changes(pair: &str) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("diff")
        .arg(fixture(&format!("{pair}/old.yaml")))
        .arg(fixture(&format!("{pair}/new.yaml")))
        .args(["--format", "json"])
        .output()
        .expect("the xtask binary runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "diff of {pair} printed no JSON ({error}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["changes"].as_array().cloned().unwrap_or_default()
}

fn listing(changes: &[Value]) -> String {
    let lines: Vec<String> = changes
        .iter()
        .map(|change| {
            format!(
                "  {} | {} | {}",
                change["operation"]["name"], change["kind"], change["location"]
            )
        })
        .collect();
    lines.join("\n")
}

/// Returns the change of `kind` in `operation` (`None` for document-level changes) at
/// `location` (`None` for changes to a whole operation or body).
fn find<'c>(
    changes: &'c [Value],
    operation: Option<&str>,
    kind: &str,
    location: Option<&str>,
) -> &'c Value {
    changes
        .iter()
        .find(|change| {
            let operation_matches = match operation {
                Some(name) => change["operation"]["name"] == name,
                None => change["operation"].is_null(),
            };
            let location_matches = match location {
                Some(location) => change["location"] == location,
                None => change["location"].is_null(),
            };
            operation_matches && change["kind"] == kind && location_matches
        })
        .unwrap_or_else(|| {
            panic!(
                "no {kind} in {operation:?} at {location:?}; found:\n{}",
                listing(changes)
            )
        })
}

fn assert_breaks(change: &Value, affected: &[&str]) {
    assert_eq!(change["breaking"], true, "{change:#}");
    assert_eq!(change["breaks"], serde_json::json!(affected), "{change:#}");
    assert!(
        !change["reason"].as_str().unwrap_or("").is_empty(),
        "{change:#}"
    );
}

fn assert_safe(change: &Value) {
    assert_eq!(change["breaking"], false, "{change:#}");
    assert_eq!(change["breaks"], serde_json::json!([]), "{change:#}");
    assert!(
        !change["reason"].as_str().unwrap_or("").is_empty(),
        "{change:#}"
    );
}

#[test]
fn removed_operation_breaks_callers() {
    let changes = changes("operations");
    let change = find(&changes, Some("deleteAgent"), "operation_removed", None);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["operation"]["method"], "POST");
    assert_eq!(change["operation"]["path"], "/api/v2/agents/delete");
}

#[test]
fn added_operation_is_safe() {
    let changes = changes("operations");
    assert_safe(find(
        &changes,
        Some("listAgentTypes"),
        "operation_added",
        None,
    ));
}

#[test]
fn renamed_operation_id_breaks_callers() {
    let changes = changes("operations");
    let change = find(&changes, Some("fetchAgent"), "operation_id_changed", None);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "getAgent");
    assert_eq!(change["new"], "fetchAgent");
}

#[test]
fn moved_operation_keeps_its_method() {
    let changes = changes("operations");
    let change = find(&changes, Some("validateApiKey"), "operation_moved", None);
    assert_safe(change);
    assert_eq!(change["old"], "GET /api/v2/api-key/validate");
    assert_eq!(change["new"], "GET /api/v2/api-key/check");
    let removed = changes
        .iter()
        .filter(|change| change["operation"]["name"] == "validateApiKey")
        .count();
    assert_eq!(
        removed,
        1,
        "moved, not removed and added:\n{}",
        listing(&changes)
    );
}

#[test]
fn deprecated_operation_is_reported_safe() {
    let changes = changes("operations");
    assert_safe(find(
        &changes,
        Some("listAgents"),
        "operation_deprecated",
        None,
    ));
}

#[test]
fn new_required_parameter_breaks_callers() {
    let changes = changes("parameters");
    let location = Some("query parameter workspaceOId");
    let change = find(
        &changes,
        Some("listAgents"),
        "required_parameter_added",
        location,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn new_optional_parameter_is_safe() {
    let changes = changes("parameters");
    let location = Some("query parameter search");
    assert_safe(find(
        &changes,
        Some("listAgents"),
        "optional_parameter_added",
        location,
    ));
}

#[test]
fn removed_parameter_breaks_callers() {
    let changes = changes("parameters");
    let location = Some("query parameter offset");
    let change = find(&changes, Some("listAgents"), "parameter_removed", location);
    assert_breaks(change, &["callers"]);
}

#[test]
fn parameter_becoming_required_breaks_callers() {
    let changes = changes("parameters");
    let location = Some("query parameter limit");
    let change = find(
        &changes,
        Some("listAgents"),
        "parameter_became_required",
        location,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn header_parameter_matches_any_case() {
    let changes = changes("parameters");
    let location = Some("header x-external-request-id");
    let change = find(
        &changes,
        Some("listAgents"),
        "parameter_became_optional",
        location,
    );
    assert_safe(change);
    let removed = changes.iter().any(|change| {
        change["kind"] == "parameter_removed"
            && change["location"] == "header X-External-Request-Id"
    });
    assert!(!removed, "{}", listing(&changes));
}

#[test]
fn path_level_parameter_deprecation_reported() {
    let changes = changes("parameters");
    let location = Some("header x-request-source");
    assert_safe(find(
        &changes,
        Some("listAgents"),
        "parameter_deprecated",
        location,
    ));
}

#[test]
fn request_enum_value_removal_breaks() {
    let changes = changes("parameters");
    let location = Some("query parameter type");
    let change = find(&changes, Some("listAgents"), "enum_value_removed", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "ENRICH_PERSON");
    assert_eq!(change["component"], "AgentType");
    assert_eq!(change["direction"], "request");
}

#[test]
fn request_enum_value_addition_is_safe() {
    let changes = changes("parameters");
    let location = Some("query parameter type");
    let change = find(&changes, Some("listAgents"), "enum_value_added", location);
    assert_safe(change);
    assert_eq!(change["new"], "QUALIFY_COMPANY");
}

#[test]
fn new_required_request_field_breaks() {
    let changes = changes("request-fields");
    let location = Some("request body → workspaceOId");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "required_property_added",
        location,
    );
    assert_breaks(change, &["callers"]);
    assert_eq!(change["component"], "EnrichCompanyAgentInput");
}

#[test]
fn new_optional_request_field_is_safe() {
    let changes = changes("request-fields");
    let location = Some("request body → includeFullAnnotation");
    let operation = Some("runEnrichCompanyAgent");
    assert_safe(find(
        &changes,
        operation,
        "optional_property_added",
        location,
    ));
}

#[test]
fn removed_request_field_breaks_callers() {
    let changes = changes("request-fields");
    let location = Some("request body → companyUrl");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "property_removed",
        location,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn request_field_becoming_required_breaks() {
    let changes = changes("request-fields");
    let location = Some("request body → companyDomain");
    let operation = Some("runEnrichCompanyAgent");
    let change = find(&changes, operation, "property_became_required", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(
        change["component_location"],
        "EnrichCompanyAgentInput → companyDomain"
    );
}

#[test]
fn request_field_becoming_optional_is_safe() {
    let changes = changes("request-fields");
    let location = Some("request body → companyName");
    let operation = Some("runEnrichCompanyAgent");
    assert_safe(find(
        &changes,
        operation,
        "property_became_optional",
        location,
    ));
}

#[test]
fn request_field_becoming_nullable_is_safe() {
    let changes = changes("request-fields");
    let location = Some("request body → runtimeContext");
    assert_safe(find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "became_nullable",
        location,
    ));
}

#[test]
fn request_field_losing_nullable_breaks() {
    let changes = changes("request-fields");
    let location = Some("request body → experimentOId");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "no_longer_nullable",
        location,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn narrowed_request_constraint_breaks() {
    let changes = changes("request-fields");
    let location = Some("request body → note");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "constraint_narrowed",
        location,
    );
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "200");
    assert_eq!(change["new"], "100");
}

#[test]
fn widened_request_constraint_is_safe() {
    let changes = changes("request-fields");
    let location = Some("request body → summary");
    assert_safe(find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "constraint_widened",
        location,
    ));
}

#[test]
fn added_request_format_breaks_callers() {
    let changes = changes("request-fields");
    let location = Some("request body → callbackUrl");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "format_changed",
        location,
    );
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], Value::Null);
    assert_eq!(change["new"], "uri");
}

#[test]
fn changed_request_default_is_safe() {
    let changes = changes("request-fields");
    let location = Some("request body → priority");
    let change = find(
        &changes,
        Some("runEnrichCompanyAgent"),
        "default_changed",
        location,
    );
    assert_safe(change);
    assert_eq!(change["old"], "1");
    assert_eq!(change["new"], "5");
}

#[test]
fn removed_response_field_breaks_readers() {
    let changes = changes("response-fields");
    let location = Some("response 200 → agentOId");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "property_removed",
        location,
    );
    assert_breaks(change, &["readers"]);
    assert_eq!(change["direction"], "response");
}

#[test]
fn new_response_field_is_safe() {
    let changes = changes("response-fields");
    let location = Some("response 200 → usage");
    let operation = Some("getAsyncAgentRunStatus");
    assert_safe(find(
        &changes,
        operation,
        "optional_property_added",
        location,
    ));
}

#[test]
fn response_field_becoming_nullable_breaks() {
    let changes = changes("response-fields");
    let location = Some("response 200 → result");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "became_nullable",
        location,
    );
    assert_breaks(change, &["readers"]);
}

#[test]
fn response_field_losing_nullable_is_safe() {
    let changes = changes("response-fields");
    let location = Some("response 200 → error");
    let operation = Some("getAsyncAgentRunStatus");
    assert_safe(find(&changes, operation, "no_longer_nullable", location));
}

#[test]
fn response_field_becoming_optional_breaks() {
    let changes = changes("response-fields");
    let location = Some("response 200 → createdAt");
    let operation = Some("getAsyncAgentRunStatus");
    let change = find(&changes, operation, "property_became_optional", location);
    assert_breaks(change, &["readers"]);
}

#[test]
fn response_field_becoming_required_is_safe() {
    let changes = changes("response-fields");
    let location = Some("response 200 → completedAt");
    let operation = Some("getAsyncAgentRunStatus");
    assert_safe(find(
        &changes,
        operation,
        "property_became_required",
        location,
    ));
}

#[test]
fn new_response_enum_value_is_safe() {
    let changes = changes("response-fields");
    let location = Some("response 200 → status");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "enum_value_added",
        location,
    );
    assert_safe(change);
    assert_eq!(change["new"], "running");
    assert_eq!(change["component"], "RunStatus");
    let reason = change["reason"].as_str().unwrap_or("");
    assert!(reason.contains("catch-all"), "{reason}");
}

#[test]
fn removed_response_enum_value_breaks_readers() {
    let changes = changes("response-fields");
    let location = Some("response 200 → status");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "enum_value_removed",
        location,
    );
    assert_breaks(change, &["readers"]);
    assert_eq!(change["old"], "cancelled");
}

#[test]
fn removed_response_format_breaks_readers() {
    let changes = changes("response-fields");
    let location = Some("response 200 → callbackUrl");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "format_changed",
        location,
    );
    assert_breaks(change, &["readers"]);
}

#[test]
fn removed_response_header_breaks_readers() {
    let changes = changes("response-fields");
    let location = Some("response 200 header X-Request-Id");
    let operation = Some("getAsyncAgentRunStatus");
    let change = find(&changes, operation, "response_header_removed", location);
    assert_breaks(change, &["readers"]);
}

#[test]
fn optional_response_header_breaks_readers() {
    let changes = changes("response-fields");
    let location = Some("response 200 header X-Credits-Used");
    let operation = Some("getAsyncAgentRunStatus");
    let change = find(
        &changes,
        operation,
        "response_header_became_optional",
        location,
    );
    assert_breaks(change, &["readers"]);
}

#[test]
fn new_response_header_is_safe() {
    let changes = changes("response-fields");
    let location = Some("response 200 header X-Rate-Limit-Remaining");
    let operation = Some("getAsyncAgentRunStatus");
    assert_safe(find(&changes, operation, "response_header_added", location));
}

#[test]
fn removed_success_response_breaks_readers() {
    let changes = changes("response-fields");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "response_removed",
        None,
    );
    assert_breaks(change, &["readers"]);
    assert_eq!(change["old"], "202");
}

#[test]
fn new_error_response_is_safe() {
    let changes = changes("response-fields");
    let change = find(
        &changes,
        Some("getAsyncAgentRunStatus"),
        "response_added",
        None,
    );
    assert_safe(change);
    assert_eq!(change["new"], "404");
}

#[test]
fn request_type_change_breaks_callers() {
    let changes = changes("types");
    let location = Some("request body → limit");
    let change = find(&changes, Some("listAgents"), "type_changed", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "string");
    assert_eq!(change["new"], "integer");
}

#[test]
fn response_type_change_breaks_readers() {
    let changes = changes("types");
    let location = Some("response 200 → total");
    let change = find(&changes, Some("listAgents"), "type_changed", location);
    assert_breaks(change, &["readers"]);
}

#[test]
fn integer_format_change_breaks() {
    let changes = changes("types");
    let location = Some("request body → offset");
    let change = find(&changes, Some("listAgents"), "format_changed", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "int32");
    assert_eq!(change["new"], "int64");
}

#[test]
fn date_time_format_removal_breaks() {
    let changes = changes("types");
    let location = Some("response 200 → data[] → createdAt");
    let change = find(&changes, Some("listAgents"), "format_changed", location);
    assert_breaks(change, &["readers"]);
    assert_eq!(change["component"], "Agent");
}

#[test]
fn schema_ref_change_breaks_and_compares() {
    let changes = changes("types");
    let location = Some("response 200 → data[] → owner");
    let change = find(&changes, Some("listAgents"), "schema_ref_changed", location);
    assert_breaks(change, &["readers"]);
    assert_eq!(change["old"], "User");
    assert_eq!(change["new"], "Member");

    let location = Some("response 200 → data[] → owner → role");
    let inner = find(
        &changes,
        Some("listAgents"),
        "optional_property_added",
        location,
    );
    assert_eq!(inner["component"], "Member (was User)");
}

#[test]
fn enum_added_to_string_breaks() {
    let changes = changes("types");
    let location = Some("request body → kind");
    let change = find(&changes, Some("listAgents"), "enum_added", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["new"], "sync, async");
}

#[test]
fn enum_removed_from_field_breaks() {
    let changes = changes("types");
    let location = Some("request body → mode");
    assert_breaks(
        find(&changes, Some("listAgents"), "enum_removed", location),
        &["callers"],
    );
}

#[test]
fn map_value_type_change_breaks() {
    let changes = changes("types");
    let location = Some("response 200 → labels → (any key)");
    let change = find(&changes, Some("listAgents"), "type_changed", location);
    assert_breaks(change, &["readers"]);
}

#[test]
fn required_body_added_breaks_callers() {
    let changes = changes("request-body");
    let change = find(
        &changes,
        Some("runContentAgent"),
        "required_request_body_added",
        None,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn removed_body_breaks_callers() {
    let changes = changes("request-body");
    let change = find(
        &changes,
        Some("runCallPrepAgent"),
        "request_body_removed",
        None,
    );
    assert_breaks(change, &["callers"]);
}

#[test]
fn body_becoming_required_breaks() {
    let changes = changes("request-body");
    let operation = Some("runSequenceAgent");
    let change = find(&changes, operation, "request_body_became_required", None);
    assert_breaks(change, &["callers"]);
}

#[test]
fn shared_body_becoming_optional_is_safe() {
    let changes = changes("request-body");
    let operation = Some("runProspectorAgent");
    assert_safe(find(
        &changes,
        operation,
        "request_body_became_optional",
        None,
    ));
}

#[test]
fn removed_request_media_type_breaks() {
    let changes = changes("request-body");
    let location = Some("request body");
    let change = find(
        &changes,
        Some("runSequenceAgent"),
        "media_type_removed",
        location,
    );
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "application/x-www-form-urlencoded");
}

#[test]
fn removed_response_media_type_breaks() {
    let changes = changes("request-body");
    let location = Some("response 200");
    let change = find(
        &changes,
        Some("runSequenceAgent"),
        "media_type_removed",
        location,
    );
    assert_breaks(change, &["readers"]);
    assert_eq!(change["old"], "text/csv");
}

#[test]
fn media_type_parameters_are_ignored() {
    let changes = changes("request-body");
    let json_changes = changes
        .iter()
        .filter(|change| {
            let old = change["old"].as_str().unwrap_or("");
            let new = change["new"].as_str().unwrap_or("");
            old.starts_with("application/json") || new.starts_with("application/json")
        })
        .count();
    assert_eq!(json_changes, 0, "{}", listing(&changes));
}

#[test]
fn added_security_requirement_breaks_callers() {
    let changes = changes("security");
    let location = Some("security");
    let change = find(&changes, Some("listAgents"), "security_changed", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "ApiKeyAuth");
    assert_eq!(change["new"], "ApiKeyAuth and WorkspaceToken");
}

#[test]
fn alternative_security_requirement_is_safe() {
    let changes = changes("security");
    let location = Some("security");
    let change = find(&changes, Some("getAgent"), "security_changed", location);
    assert_safe(change);
    assert_eq!(change["new"], "ApiKeyAuth or WorkspaceToken");
}

#[test]
fn dropped_security_requirement_is_safe() {
    let changes = changes("security");
    let location = Some("security");
    let change = find(
        &changes,
        Some("listAgentTypes"),
        "security_changed",
        location,
    );
    assert_safe(change);
    assert_eq!(change["new"], "no credentials");
}

#[test]
fn changed_api_key_header_breaks() {
    let changes = changes("security");
    let change = find(&changes, None, "security_scheme_changed", None);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "api_key");
    assert_eq!(change["new"], "x-api-key");
}

#[test]
fn removed_security_scheme_breaks() {
    let changes = changes("security");
    let change = find(&changes, None, "security_scheme_removed", None);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["old"], "LegacyToken");
}

#[test]
fn new_security_scheme_is_safe() {
    let changes = changes("security");
    let change = find(&changes, None, "security_scheme_added", None);
    assert_safe(change);
    assert_eq!(change["new"], "WorkspaceToken");
}

#[test]
fn changed_server_is_reported_safe() {
    let changes = changes("security");
    assert_safe(find(&changes, None, "server_removed", None));
    assert_safe(find(&changes, None, "server_added", None));
}

#[test]
fn unused_schema_change_is_reported() {
    let changes = changes("components");
    let location = Some("schema Credits → period");
    let change = find(&changes, None, "required_property_added", location);
    assert_breaks(change, &["callers"]);
    assert_eq!(change["direction"], Value::Null);

    let location = Some("schema Workspace → name");
    assert_safe(find(&changes, None, "optional_property_added", location));
}

#[test]
fn removed_schema_breaks_both() {
    let changes = changes("components");
    let change = find(&changes, None, "schema_removed", None);
    assert_breaks(change, &["callers", "readers"]);
    assert_eq!(change["old"], "LegacyPersona");
}

#[test]
fn added_schema_is_safe() {
    let changes = changes("components");
    let change = find(&changes, None, "schema_added", None);
    assert_safe(change);
    assert_eq!(change["new"], "Organization");
}
