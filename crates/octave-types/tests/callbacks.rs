//! Decoding of callback bodies in every shape the service is known or expected to send, and
//! the meaning of a run's status.

mod common;

use std::error::Error as _;

use octave_types::{
    AsyncAgentRunStatus, AsyncAgentRunStatusResponse, CallbackError, CallbackEvent, RunState,
    RunStatus, decode_callback, decode_callback_value,
};
use serde_json::{Value, json};

use common::fixture;

const RUN_ID: &str = "asyncReqID_3rgkoHhR00cEdE9DjKeIK";

/// Decodes a callback given as a JSON value, through the byte-level entry point.
fn decode(body: &Value) -> CallbackEvent {
    let bytes = serde_json::to_vec(body).expect("a JSON value encodes");
    decode_callback(&bytes).unwrap_or_else(|error| panic!("callback {body} rejected: {error}"))
}

/// Returns the sync envelope `{_metadata, found, message, data}` around `data`.
fn sync_envelope(data: Value) -> Value {
    json!({
        "_metadata": {
            "requestId": "requestId",
            "timestamp": "2021-01-01T00:00:00.000Z",
            "usage": 0,
            "message": "message"
        },
        "found": true,
        "message": "Additional information",
        "data": data
    })
}

fn qualify_output() -> Value {
    json!({
        "score": 7.5,
        "rationale": "Example is in the target segment.",
        "company": {"name": "Example", "domain": "example.com"}
    })
}

#[test]
fn request_id_with_result() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "succeeded",
        "result": qualify_output()
    }));

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.status, Some(RunStatus::Succeeded));
    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
    assert_eq!(event.payload.request_id.as_deref(), Some(RUN_ID));
    assert!(event.payload.extra.is_empty());
}

#[test]
fn agent_run_o_id_with_data() {
    let event = decode(&json!({
        "agentRunOId": RUN_ID,
        "status": "succeeded",
        "data": qualify_output()
    }));

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.payload.request_id, None);
    assert_eq!(event.payload.agent_run_o_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
}

#[test]
fn request_id_preferred_over_agent_run_o_id() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "agentRunOId": "asyncReqID_other",
        "status": "failed",
        "error": "Agent not found"
    }));

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
}

#[test]
fn sync_envelope_as_body() {
    let event = decode(&sync_envelope(qualify_output()));

    assert_eq!(event.run_id, None, "the envelope names no run id");
    assert_eq!(event.status, None);
    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
    assert_eq!(event.payload.found, Some(true));
    assert_eq!(
        event.payload.message.as_deref(),
        Some("Additional information")
    );
    let metadata = event.payload.metadata.expect("_metadata is decoded");
    assert_eq!(metadata.request_id.as_deref(), Some("requestId"));
    assert_eq!(metadata.usage, Some(0.0));
}

#[test]
fn sync_envelope_with_run_id() {
    let mut body = sync_envelope(qualify_output());
    body["requestId"] = json!(RUN_ID);
    body["status"] = json!("completed");

    let event = decode(&body);

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.status, Some(RunStatus::Completed));
    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
}

#[test]
fn result_holding_sync_envelope() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "succeeded",
        "result": sync_envelope(qualify_output())
    }));

    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
    assert_eq!(
        event.payload.result,
        Some(sync_envelope(qualify_output())),
        "the payload keeps the result as sent"
    );
}

#[test]
fn data_holding_sync_envelope() {
    let event = decode(&json!({
        "agentRunOId": RUN_ID,
        "status": "succeeded",
        "data": sync_envelope(qualify_output())
    }));

    assert_eq!(event.state, RunState::Succeeded(qualify_output()));
}

#[test]
fn result_preferred_over_data() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "succeeded",
        "result": {"score": 9},
        "data": {"score": 1}
    }));

    assert_eq!(event.state, RunState::Succeeded(json!({"score": 9})));
}

#[test]
fn error_string_with_failed_status() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "failed",
        "error": "Agent ca_... has no product configured"
    }));

    assert_eq!(event.status, Some(RunStatus::Failed));
    assert_eq!(
        event.state,
        RunState::Failed("Agent ca_... has no product configured".to_owned())
    );
    assert!(event.state.is_terminal());
}

#[test]
fn error_without_status_means_failure() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "error": "Rate limit of the data provider reached"
    }));

    assert_eq!(event.status, None);
    assert_eq!(
        event.state,
        RunState::Failed("Rate limit of the data provider reached".to_owned())
    );
}

#[test]
fn error_object_kept_as_json_text() {
    let error = json!({"code": "AGENT_TIMEOUT", "message": "The agent timed out after 300 s"});
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "failed",
        "error": error
    }));

    let RunState::Failed(message) = &event.state else {
        panic!("expected a failed state, found {:?}", event.state);
    };
    let parsed: Value = serde_json::from_str(message)
        .unwrap_or_else(|parse_error| panic!("message {message:?} is not JSON: {parse_error}"));
    assert_eq!(parsed, error, "the error object is kept in full");
    assert_eq!(event.payload.error.as_deref(), Some(message.as_str()));
}

#[test]
fn failed_without_error_gets_default_message() {
    for body in [
        json!({"requestId": RUN_ID, "status": "failed"}),
        json!({"requestId": RUN_ID, "status": "failed", "error": ""}),
        json!({"requestId": RUN_ID, "status": "failed", "error": null}),
    ] {
        let event = decode(&body);
        let RunState::Failed(message) = &event.state else {
            panic!("{body}: expected a failed state, found {:?}", event.state);
        };
        assert!(
            !message.is_empty(),
            "{body}: a failure must carry a message"
        );
    }
}

#[test]
fn null_error_with_success_status() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "succeeded",
        "result": {"score": 8},
        "error": null
    }));

    assert_eq!(event.state, RunState::Succeeded(json!({"score": 8})));
    assert_eq!(event.payload.error, None);
}

#[test]
fn succeeded_and_completed_both_succeed() {
    for (status, expected) in [
        ("succeeded", RunStatus::Succeeded),
        ("completed", RunStatus::Completed),
    ] {
        let event = decode(&json!({
            "requestId": RUN_ID,
            "status": status,
            "result": qualify_output()
        }));

        assert_eq!(event.status, Some(expected), "status {status}");
        assert_eq!(
            event.state,
            RunState::Succeeded(qualify_output()),
            "status {status}"
        );
    }
}

#[test]
fn success_status_without_output() {
    let event = decode(&json!({"requestId": RUN_ID, "status": "completed"}));

    assert_eq!(event.state, RunState::Succeeded(Value::Null));
}

#[test]
fn pending_and_running_in_progress() {
    for (status, expected) in [
        ("pending", RunStatus::Pending),
        ("running", RunStatus::Running),
    ] {
        let event = decode(&json!({"requestId": RUN_ID, "status": status}));

        assert_eq!(
            event.state,
            RunState::InProgress(expected),
            "status {status}"
        );
        assert!(!event.state.is_terminal(), "status {status}");
    }
}

#[test]
fn unknown_status_means_in_progress() {
    let event = decode(&json!({"requestId": RUN_ID, "status": "queued"}));

    assert_eq!(event.status, Some(RunStatus::Unknown("queued".to_owned())));
    assert_eq!(
        event.state,
        RunState::InProgress(RunStatus::Unknown("queued".to_owned()))
    );
    assert_eq!(event.payload.status.as_deref(), Some("queued"));
}

#[test]
fn unknown_status_wins_over_result() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "partially_completed",
        "result": qualify_output()
    }));

    assert_eq!(
        event.state,
        RunState::InProgress(RunStatus::Unknown("partially_completed".to_owned()))
    );
}

#[test]
fn unknown_fields_kept_in_extra() {
    let event = decode(&json!({
        "requestId": RUN_ID,
        "status": "succeeded",
        "result": {"score": 8},
        "deliveryAttempt": 2,
        "workflowOId": "caw_3rgkoHhR00cEdE9DjKeIK",
        "trace": {"region": "us-east-1", "durationMs": 4180}
    }));

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.state, RunState::Succeeded(json!({"score": 8})));
    let extra = &event.payload.extra;
    assert_eq!(
        extra.len(),
        3,
        "extra contains exactly the unknown fields: {extra:?}"
    );
    assert_eq!(extra.get("deliveryAttempt"), Some(&json!(2)));
    assert_eq!(
        extra.get("workflowOId"),
        Some(&json!("caw_3rgkoHhR00cEdE9DjKeIK"))
    );
    assert_eq!(
        extra.get("trace"),
        Some(&json!({"region": "us-east-1", "durationMs": 4180}))
    );
}

#[test]
fn mistyped_known_fields_are_dropped() {
    let event = decode(&json!({
        "requestId": true,
        "agentRunOId": RUN_ID,
        "status": 3,
        "message": ["not", "a", "string"],
        "found": "yes",
        "_metadata": "none",
        "result": {"score": 8}
    }));

    assert_eq!(event.run_id.as_deref(), Some(RUN_ID));
    assert_eq!(event.status, None);
    assert_eq!(event.payload.message, None);
    assert_eq!(event.payload.found, None);
    assert_eq!(event.payload.metadata, None);
    assert_eq!(event.state, RunState::Succeeded(json!({"score": 8})));
}

#[test]
fn empty_object_is_in_progress() {
    let event = decode(&json!({}));

    assert_eq!(event.run_id, None);
    assert_eq!(event.state, RunState::InProgress(RunStatus::Pending));
}

#[test]
fn non_object_body_rejected() {
    for (body, found) in [
        ("[1, 2]", "array"),
        ("\"succeeded\"", "string"),
        ("null", "null"),
        ("42", "number"),
        ("true", "boolean"),
    ] {
        let error = decode_callback(body.as_bytes()).expect_err(body);

        assert!(
            matches!(error, CallbackError::NotAnObject(kind) if kind == found),
            "{body}: expected NotAnObject({found}), found {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(found),
            "{body}: the message {message:?} should name the JSON type"
        );
        assert!(error.source().is_none());
    }
}

#[test]
fn invalid_json_rejected() {
    for body in [
        &b"{\"requestId\": "[..],
        b"",
        b"status=succeeded",
        b"\xff\xfe",
    ] {
        let error = decode_callback(body).expect_err("invalid JSON is rejected");

        assert!(
            matches!(error, CallbackError::NotJson(_)),
            "{body:?}: expected NotJson, found {error:?}"
        );
        assert!(
            error.to_string().contains("not valid JSON"),
            "{body:?}: message {error}"
        );
        assert!(error.source().is_some(), "the parse error is the source");
    }
}

#[test]
fn value_entry_point_matches_bytes() {
    let body = json!({"agentRunOId": RUN_ID, "status": "succeeded", "data": {"score": 8}});

    let from_value = decode_callback_value(body.clone()).expect("an object decodes");

    assert_eq!(from_value, decode(&body));
    assert!(matches!(
        decode_callback_value(json!([body])),
        Err(CallbackError::NotAnObject("array"))
    ));
}

/// Returns a run status with only the fields that decide its state set.
fn run_status(
    status: Option<RunStatus>,
    result: Option<Value>,
    error: Option<&str>,
) -> AsyncAgentRunStatus {
    let mut fields = json!({"requestId": RUN_ID});
    if let Some(status) = status {
        fields["status"] = json!(status.as_str());
    }
    if let Some(result) = result {
        fields["result"] = result;
    }
    if let Some(error) = error {
        fields["error"] = json!(error);
    }
    serde_json::from_value(fields).expect("a run status decodes")
}

#[test]
fn explicit_status_wins_over_fields() {
    let failed_with_result = run_status(
        Some(RunStatus::Failed),
        Some(json!({"score": 8})),
        Some("timed out"),
    );
    assert_eq!(
        failed_with_result.state(),
        RunState::Failed("timed out".to_owned())
    );

    let completed_with_error = run_status(
        Some(RunStatus::Completed),
        Some(json!({"score": 8})),
        Some("warning"),
    );
    assert_eq!(
        completed_with_error.state(),
        RunState::Succeeded(json!({"score": 8}))
    );

    let running_with_result = run_status(Some(RunStatus::Running), Some(json!({"score": 8})), None);
    assert_eq!(
        running_with_result.state(),
        RunState::InProgress(RunStatus::Running)
    );

    let unknown_with_error = run_status(
        Some(RunStatus::Unknown("queued".to_owned())),
        None,
        Some("boom"),
    );
    assert_eq!(
        unknown_with_error.state(),
        RunState::InProgress(RunStatus::Unknown("queued".to_owned()))
    );
}

#[test]
fn missing_status_read_from_fields() {
    let with_result = run_status(None, Some(json!({"score": 8})), None);
    assert_eq!(
        with_result.state(),
        RunState::Succeeded(json!({"score": 8}))
    );

    let with_error = run_status(None, None, Some("Agent not found"));
    assert_eq!(
        with_error.state(),
        RunState::Failed("Agent not found".to_owned())
    );

    let with_neither = run_status(None, None, None);
    assert_eq!(
        with_neither.state(),
        RunState::InProgress(RunStatus::Pending)
    );

    let with_null_result = AsyncAgentRunStatus {
        result: Some(Value::Null),
        ..run_status(None, None, None)
    };
    assert_eq!(
        with_null_result.state(),
        RunState::InProgress(RunStatus::Pending)
    );

    let with_empty_error = run_status(None, None, Some(""));
    assert_eq!(
        with_empty_error.state(),
        RunState::InProgress(RunStatus::Pending)
    );
}

#[test]
fn missing_status_error_beats_result() {
    let both = run_status(None, Some(json!({"score": 8})), Some("partial failure"));

    assert_eq!(both.state(), RunState::Failed("partial failure".to_owned()));
}

#[test]
fn status_result_envelope_unwrapped() {
    let status: AsyncAgentRunStatus = fixture("AsyncAgentRunStatus");

    assert_eq!(status.status, Some(RunStatus::Completed));
    assert_eq!(status.state(), RunState::Succeeded(qualify_output()));

    let without_status = AsyncAgentRunStatus {
        status: None,
        ..status
    };
    assert_eq!(
        without_status.state(),
        RunState::Succeeded(qualify_output())
    );
}

#[test]
fn status_fixture_unknown_in_progress() {
    let response: AsyncAgentRunStatusResponse = fixture("AsyncAgentRunStatusResponse");

    assert_eq!(
        response.data.state(),
        RunState::InProgress(RunStatus::Unknown("queued".to_owned()))
    );
}

#[test]
fn run_status_terminal_values() {
    let cases = [
        ("pending", false, false),
        ("running", false, false),
        ("completed", true, false),
        ("succeeded", true, false),
        ("failed", false, true),
        ("queued", false, false),
        ("cancelled", false, false),
    ];
    for (value, success, failure) in cases {
        let status = RunStatus::from(value);

        assert_eq!(status.as_str(), value);
        assert_eq!(status.is_success(), success, "{value}.is_success()");
        assert_eq!(status.is_failure(), failure, "{value}.is_failure()");
        assert_eq!(
            status.is_terminal(),
            success || failure,
            "{value}.is_terminal()"
        );
    }
}

#[test]
fn upper_case_status_is_understood() {
    let body = br#"{"requestId": "x", "status": "SUCCEEDED", "result": {"score": 1}}"#;
    let event = decode_callback(body).expect("decodes");

    assert!(
        matches!(event.state, RunState::Succeeded(_)),
        "{:?}",
        event.state
    );
    assert_eq!(
        event.status,
        Some(RunStatus::Unknown("SUCCEEDED".to_owned()))
    );
}

#[test]
fn numeric_run_id_kept_as_text() {
    let event = decode_callback(br#"{"requestId": 5, "status": "failed"}"#).expect("decodes");

    assert_eq!(event.run_id.as_deref(), Some("5"));
    assert!(matches!(event.state, RunState::Failed(_)));
}
