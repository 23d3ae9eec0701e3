//! Every input check of the facade: it fails before anything is sent, and the error names
//! the field. Each test ends by checking that the mock received no request.

mod facade_common;

use facade_common::{CALLBACK_URL, client_for, quick_wait, start_mock};
use octave::agents::{Content, EnrichCompany, EnrichPerson, QualifyCompany, Sequence};
use octave::types::CustomContext;
use octave::{
    AgentKind, AgentTarget, CompanyIdentifier, Error, ListAgentsQuery, PersonIdentifier,
    RunBuilder, RunHandle,
};
use octave_mock::{MockServer, seeded_agent_id};
use serde_json::json;

/// Returns the field of an `InvalidInput` error, after checking that its message names it.
fn invalid_field<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(error @ Error::InvalidInput { .. }) => {
            let Error::InvalidInput { field, .. } = &error else {
                unreachable!()
            };
            assert!(
                error.to_string().contains(field.as_str()),
                "message does not name the field: {error}"
            );
            field.clone()
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn assert_nothing_sent(mock: &MockServer) {
    assert_eq!(mock.stats().requests, 0, "a request reached the mock");
}

#[tokio::test]
async fn blank_agent_id_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .enrich_company(" ", CompanyIdentifier::domain("example.com"))
        .run()
        .await;

    assert_eq!(invalid_field(result), "agentOId");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn blank_experiment_id_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .sequence(AgentTarget::experiment(""))
        .email("jane@example.com")
        .run()
        .await;

    assert_eq!(invalid_field(result), "experimentOId");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn missing_company_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let input = serde_json::from_value(json!({"agentOId": "ca_1"})).expect("input");

    let result = RunBuilder::<QualifyCompany>::from_input(&client, input)
        .run()
        .await;

    assert_eq!(invalid_field(result), "companyDomain");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn blank_company_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .enrich_company("ca_1", CompanyIdentifier::name("  "))
        .run()
        .await;

    assert_eq!(invalid_field(result), "companyName");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn missing_person_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let input =
        serde_json::from_value(json!({"agentOId": "ca_1", "firstName": "Jane"})).expect("input");

    let result = RunBuilder::<EnrichPerson>::from_input(&client, input)
        .run()
        .await;

    assert_eq!(invalid_field(result), "email");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn blank_person_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .call_prep("ca_1", PersonIdentifier::email(""))
        .run()
        .await;

    assert_eq!(invalid_field(result), "email");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn relative_callback_url_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .qualify_person("ca_1", PersonIdentifier::email("jane@example.com"))
        .submit("/octave/callback")
        .await;

    assert_eq!(invalid_field(result), "callbackUrl");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn non_http_callback_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .qualify_person("ca_1", PersonIdentifier::email("jane@example.com"))
        .submit("ftp://example.com/callback")
        .await;

    assert_eq!(invalid_field(result), "callbackUrl");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn missing_callback_url_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .qualify_company("ca_1", CompanyIdentifier::domain("example.com"))
        .submit_and_wait(None, quick_wait())
        .await;

    assert_eq!(invalid_field(result), "callbackUrl");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn prospector_limit_zero_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client.prospector("ca_1").limit(0).run().await;

    assert_eq!(invalid_field(result), "limit");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn prospector_limit_above_maximum_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .prospector("ca_1")
        .limit(1001)
        .submit(CALLBACK_URL)
        .await;

    assert_eq!(invalid_field(result), "limit");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn sequence_with_both_targets_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let input = serde_json::from_value(json!({
        "agentOId": "ca_1",
        "experimentOId": "ae_1",
        "email": "jane@example.com"
    }))
    .expect("input");

    let result = RunBuilder::<Sequence>::from_input(&client, input)
        .run()
        .await;

    assert_eq!(invalid_field(result), "agentOId");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn content_without_target_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let input = serde_json::from_value(json!({"email": "jane@example.com"})).expect("input");

    let result = RunBuilder::<Content>::from_input(&client, input)
        .submit(CALLBACK_URL)
        .await;

    assert_eq!(invalid_field(result), "agentOId");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn sequence_step_out_of_range_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .sequence(AgentTarget::agent("ca_1"))
        .email("jane@example.com")
        .instructions_for_email(5, "Too late")
        .run()
        .await;

    assert_eq!(invalid_field(result), "runtimeInstructions");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn blank_custom_context_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let context: CustomContext =
        serde_json::from_value(json!({"playbook": {"oId": " "}})).expect("context");

    let result = client
        .content(AgentTarget::agent("ca_1"))
        .email("jane@example.com")
        .custom_context(context)
        .run()
        .await;

    assert_eq!(invalid_field(result), "customContext.playbook.oId");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn blank_external_request_id_rejected() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let result = client
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .external_request_id("")
        .submit(CALLBACK_URL)
        .await;

    assert_eq!(invalid_field(result), "x-external-request-id");
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn catalogue_inputs_checked() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    assert_eq!(invalid_field(client.get_agent(" ").await), "oId");
    assert_eq!(
        invalid_field(client.list_agents(ListAgentsQuery::new().limit(0)).await),
        "limit"
    );
    let handle = RunHandle::<EnrichCompany>::from_request_id(&client, "");
    assert_eq!(invalid_field(handle.status().await), "requestId");
    assert_eq!(invalid_field(handle.wait(quick_wait()).await), "requestId");
    let message = handle.status().await.expect_err("blank").to_string();
    assert!(
        message.contains("request id that submit returned"),
        "{message}"
    );
    assert_nothing_sent(&mock);
}

#[tokio::test]
async fn dynamic_inputs_checked() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let agent_id = seeded_agent_id(AgentKind::Prospector);

    let unknown = json!({"agentOId": agent_id, "companyDomian": "example.com"});
    let result = client.run_dynamic(AgentKind::Prospector, unknown).await;
    assert_eq!(invalid_field(result), "companyDomian");

    let mistyped = json!({"agentOId": agent_id, "limit": "ten"});
    let result = client.run_dynamic(AgentKind::Prospector, mistyped).await;
    assert_eq!(invalid_field(result), "limit");

    let out_of_range = json!({"agentOId": agent_id, "limit": 5000});
    let result = client
        .run_dynamic(AgentKind::Prospector, out_of_range)
        .await;
    assert_eq!(invalid_field(result), "limit");

    let result = client
        .run_dynamic(AgentKind::Prospector, json!("text"))
        .await;
    assert_eq!(invalid_field(result), "input");

    let with_callback = json!({"agentOId": agent_id, "callbackUrl": CALLBACK_URL});
    let result = client
        .submit_dynamic(AgentKind::Prospector, with_callback, CALLBACK_URL, None)
        .await;
    assert_eq!(invalid_field(result), "callbackUrl");

    let valid = json!({"agentOId": agent_id});
    let result = client
        .submit_dynamic(AgentKind::Prospector, valid, "not a url", None)
        .await;
    assert_eq!(invalid_field(result), "callbackUrl");

    assert_nothing_sent(&mock);
}
