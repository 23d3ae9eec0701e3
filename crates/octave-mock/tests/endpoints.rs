//! Every endpoint returns bodies that decode into the API types.

mod common;

use std::time::Duration;

use common::{CallbackReceiver, TestApi, async_body, fast_config, sync_body};
use octave_mock::{MockConfig, seeded_agent_id};
use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use octave_types::{
    Agent, AgentKind, AgentType, AgentTypesResponse, AsyncAgentRunAccepted,
    AsyncAgentRunStatusResponse, GetAgentResponse, ListAgentsResponse, RunState, RunStatus,
    ValidateApiKeyResponse, decode_callback_value,
};
use serde_json::{Value, json};

/// Runs an agent synchronously and decodes the response with its typed envelope.
async fn run_typed<A: Agent>(api: &TestApi) -> A::Output {
    let response = api.post(A::KIND.sync_path(), &sync_body(A::KIND)).await;
    assert_eq!(response.status(), 200, "{} run", A::KIND);
    let envelope: A::Response = response.json().await.expect("typed envelope");
    let parts = A::split_response(envelope);
    assert!(parts.found);
    assert!(parts.metadata.request_id.is_some());
    parts.data.expect("output present")
}

#[tokio::test]
async fn sync_runs_return_every_output() {
    let api = TestApi::with_defaults().await;

    let company = run_typed::<EnrichCompany>(&api).await;
    let profile = company.company.expect("company");
    assert_eq!(profile.name.as_deref(), Some("Acme Robotics"));
    assert_eq!(profile.domain.as_deref(), Some("acme-robotics.io"));
    assert!(company.product.is_some());

    let person = run_typed::<EnrichPerson>(&api)
        .await
        .person
        .expect("person");
    assert_eq!(person.first_name.as_deref(), Some("Jane"));
    assert_eq!(person.last_name.as_deref(), Some("Doe"));

    let content = run_typed::<Content>(&api).await;
    assert!(
        content
            .content
            .is_some_and(|text| text.contains("Acme Robotics"))
    );

    let emails = run_typed::<Sequence>(&api).await.emails.expect("emails");
    assert_eq!(emails.len(), 3);
    let sections = emails[0].sections.clone().expect("sections");
    assert_eq!(sections.greeting.as_deref(), Some("Hi Jane,"));

    let qualified = run_typed::<QualifyPerson>(&api).await;
    let score = qualified.score.expect("score");
    assert!((0.0..=10.0).contains(&score));
    assert!(qualified.rationale.is_some());

    let prospects = run_typed::<Prospector>(&api).await.people.expect("people");
    assert_eq!(prospects.len(), 5);
    assert!(prospects.iter().all(|person| person.title.is_some()));
    assert!(prospects.iter().all(|person| person.company.is_none()));

    let company_score = run_typed::<QualifyCompany>(&api)
        .await
        .score
        .expect("score");
    assert!((0.0..=10.0).contains(&company_score));

    let prep = run_typed::<CallPrep>(&api).await;
    assert_eq!(prep.discovery_questions.as_ref().map(Vec::len), Some(5));
    assert!(prep.extra.contains_key("objectionHandling"));

    assert_eq!(api.server.stats().sync_runs, 8);
}

#[tokio::test]
async fn sync_options_shape_the_output() {
    let api = TestApi::with_defaults().await;

    let body = json!({
        "agentOId": "ca_sequence_02",
        "firstName": "Lena",
        "companyName": "Brightline",
        "lang": "de",
        "outputFormat": "html",
        "runtimeContext": { "all": "They just opened an office in Berlin." }
    });
    let response: Value = api
        .post(AgentKind::Sequence.sync_path(), &body)
        .await
        .json()
        .await
        .unwrap();
    let emails = response["data"]["emails"].as_array().expect("emails");
    assert_eq!(emails.len(), 4);
    assert_eq!(emails[0]["sections"]["greeting"], "Hallo Lena,");
    assert!(emails[0]["email"].as_str().unwrap().starts_with("<p>"));
    assert!(
        emails[1]["sections"]["ps"]
            .as_str()
            .unwrap()
            .contains("Berlin")
    );

    let body = json!({
        "agentOId": "ca_prospector_01",
        "companyDomain": "acme.com",
        "limit": 3,
        "minimal": false,
        "searchContext": { "exactTitles": ["CFO"] }
    });
    let response: Value = api
        .post(AgentKind::Prospector.sync_path(), &body)
        .await
        .json()
        .await
        .unwrap();
    let people = response["data"]["people"].as_array().expect("people");
    assert_eq!(people.len(), 3);
    assert!(people.iter().all(|person| person["title"] == "CFO"));
    assert!(people.iter().all(|person| person["company"].is_object()));

    let body =
        json!({ "agentOId": "ca_content_01", "email": "sam@acme.com", "outputFormat": "JSON" });
    let response: Value = api
        .post(AgentKind::Content.sync_path(), &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(response["data"]["jsonContent"]["headline"].is_string());

    let body = json!({ "agentOId": "ca_enrich_company_01", "companyName": "Acme", "includeFullAnnotation": true });
    let response: Value = api
        .post(AgentKind::EnrichCompany.sync_path(), &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(response["data"]["product"]["data"]["capabilities"].is_array());
    assert_eq!(response["data"]["company"]["domain"], "acme.com");
}

#[tokio::test]
async fn experiments_run_sequence_and_content() {
    let api = TestApi::with_defaults().await;
    let body = json!({ "experimentOId": "ae_sequence_01", "email": "ana@acme.com" });
    let response = api.post(AgentKind::Sequence.sync_path(), &body).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn list_agents_pages_and_filters() {
    let api = TestApi::with_defaults().await;

    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page: ListAgentsResponse = api
            .get(&format!("/api/v2/agents/list?limit=5&offset={offset}"))
            .await
            .json()
            .await
            .expect("list decodes");
        assert_eq!(page.total, Some(16));
        offset += page.data.len();
        seen.extend(page.data.into_iter().filter_map(|agent| agent.o_id));
        if page.has_next != Some(true) {
            break;
        }
    }
    assert_eq!(seen.len(), 16);
    for kind in AgentKind::ALL {
        assert!(
            seen.iter().any(|o_id| o_id == seeded_agent_id(kind)),
            "{kind} listed"
        );
    }

    let filtered: ListAgentsResponse = api
        .get("/api/v2/agents/list?type=EMAIL&includeExperiments=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered.total, Some(3));
    assert!(
        filtered
            .data
            .iter()
            .all(|agent| agent.type_ == Some(AgentType::Email))
    );

    let searched: ListAgentsResponse = api
        .get("/api/v2/agents/list?query=renewal")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(searched.total, Some(1));
    assert_eq!(searched.data[0].o_id.as_deref(), Some("ca_call_prep_02"));

    let ascending: ListAgentsResponse = api
        .get("/api/v2/agents/list?orderField=createdAt&orderDirection=ASC&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ascending.data[0].o_id.as_deref(),
        Some("ca_enrich_company_01")
    );
    assert_eq!(ascending.has_next, Some(true));

    let past_end: ListAgentsResponse = api
        .get("/api/v2/agents/list?offset=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(past_end.data.is_empty());
    assert_eq!(past_end.has_next, Some(false));

    for bad in [
        "limit=0",
        "limit=abc",
        "offset=-1",
        "orderField=name",
        "orderDirection=UP",
    ] {
        let response = api.get(&format!("/api/v2/agents/list?{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn get_agent_and_types_and_validate() {
    let api = TestApi::with_defaults().await;

    let agent: GetAgentResponse = api
        .get("/api/v2/agents/get?oId=ca_prospector_01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(agent.data.type_, Some(AgentType::Prospector));
    assert!(agent.data.data.is_some());
    assert_eq!(
        api.get("/api/v2/agents/get?oId=ca_nope").await.status(),
        404
    );
    assert_eq!(api.get("/api/v2/agents/get").await.status(), 400);

    let types: AgentTypesResponse = api.get("/api/v2/agents/types").await.json().await.unwrap();
    assert_eq!(types.total, Some(9));
    assert!(
        types
            .data
            .iter()
            .all(|info| info.type_.as_ref().is_some_and(|t| t.is_known()))
    );

    let validated: ValidateApiKeyResponse = api
        .get("/api/v2/api-key/validate")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(validated.valid, Some(true));
    assert!(validated.credits.is_some());
}

#[tokio::test]
async fn async_run_reports_every_stage() {
    let config = MockConfig {
        run_duration: Duration::from_millis(400),
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let receiver = CallbackReceiver::start(0).await;

    let body = async_body(AgentKind::QualifyCompany, &receiver.url);
    let response = api.post("/api/v2/async/agent/run", &body).await;
    assert_eq!(response.status(), 200);
    let accepted: AsyncAgentRunAccepted = response.json().await.expect("accepted decodes");
    assert_eq!(accepted.status, RunStatus::Pending);
    assert!(accepted.request_id.starts_with("asyncReqID_"));
    assert_eq!(
        accepted.agent_o_id.as_deref(),
        Some("ca_qualify_company_01")
    );

    let pending = api
        .wait_for_status(&accepted.request_id, &["pending"])
        .await;
    assert!(pending["data"]["result"].is_null());
    api.wait_for_status(&accepted.request_id, &["running"])
        .await;
    let done = api
        .wait_for_status(&accepted.request_id, &["completed"])
        .await;
    let status: AsyncAgentRunStatusResponse = serde_json::from_value(done).expect("decodes");
    let RunState::Succeeded(output) = status.data.state() else {
        panic!("run did not succeed: {:?}", status.data);
    };
    assert!(status.data.completed_at.is_some());

    let sync: Value = api
        .post(
            AgentKind::QualifyCompany.sync_path(),
            &sync_body(AgentKind::QualifyCompany),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(output, sync["data"], "async result equals the sync output");

    let callbacks = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(callbacks.len(), 1);
    let event = decode_callback_value(callbacks[0].clone()).expect("callback decodes");
    assert_eq!(event.run_id.as_deref(), Some(accepted.request_id.as_str()));
    assert_eq!(event.state, RunState::Succeeded(output));

    let stats = api.wait_for_stats(|stats| stats.callbacks_sent == 1).await;
    assert_eq!(stats.runs_created, 1);
    assert_eq!(stats.callbacks_sent, 1);
    assert!(stats.status_polls >= 3);
}

#[tokio::test]
async fn every_kind_runs_async() {
    let api = TestApi::with_defaults().await;
    let receiver = CallbackReceiver::start(0).await;
    for kind in AgentKind::ALL {
        let response = api
            .post("/api/v2/async/agent/run", &async_body(kind, &receiver.url))
            .await;
        assert_eq!(response.status(), 200, "{kind}");
    }
    let callbacks = receiver.wait_for(8, Duration::from_secs(5)).await;
    assert_eq!(callbacks.len(), 8);
    assert!(callbacks.iter().all(|body| body["status"] == "succeeded"));
}

#[tokio::test]
async fn runs_finish_without_polling() {
    let api = TestApi::with_defaults().await;
    let receiver = CallbackReceiver::start(0).await;
    for _ in 0..20 {
        let body = async_body(AgentKind::EnrichCompany, &receiver.url);
        assert_eq!(
            api.post("/api/v2/async/agent/run", &body).await.status(),
            200
        );
    }
    let callbacks = receiver.wait_for(20, Duration::from_secs(5)).await;
    assert_eq!(callbacks.len(), 20);
    assert_eq!(api.server.stats().status_polls, 0);
}

#[tokio::test]
async fn control_endpoints_need_no_key() {
    let api = TestApi::with_defaults().await;
    api.get("/api/v2/agents/types").await;
    let stats: Value = api
        .client
        .get(api.url("/_mock/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 1);
    let faults = api
        .client
        .get(api.url("/_mock/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 200);
}
