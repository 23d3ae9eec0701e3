//! Every agent run through the facade against the mock server: synchronously, and
//! asynchronously with polling. Also the dynamic entry points and the agent catalogue.

mod facade_common;

use facade_common::{CALLBACK_URL, client_for, quick_wait, start_mock};
use futures::TryStreamExt;
use octave::types::{AgentType, SearchContext, SequenceOutputFormat};
use octave::{
    AgentKind, AgentTarget, CompanyIdentifier, ListAgentsQuery, PersonIdentifier, RunBuilder,
    RunOutput, SupportedAgent, WaitOutcome,
};
use octave_mock::{MockServer, seeded_agent_id};
use serde_json::json;

/// Runs `builder` synchronously, then submits it and polls until it finishes. Returns both
/// outputs after checking what every run must have.
async fn run_both_ways<A: SupportedAgent>(
    mock: &MockServer,
    builder: RunBuilder<A>,
) -> (RunOutput<A::Output>, RunOutput<A::Output>) {
    let sync = builder
        .clone()
        .run()
        .await
        .expect("synchronous run succeeds");
    assert!(sync.found, "synchronous run found nothing");
    assert!(sync.output.is_some(), "synchronous run has no output");
    assert!(
        sync.request_id.is_some(),
        "synchronous run has no request id"
    );
    assert_eq!(sync.external_request_id.as_ref().map(String::len), Some(32));

    let handle = builder.submit(CALLBACK_URL).await.expect("submit accepted");
    let request_id = handle.request_id().to_owned();
    let outcome = handle.wait(quick_wait()).await.expect("wait succeeds");
    let WaitOutcome::Succeeded(run) = outcome else {
        panic!("asynchronous run did not succeed: {outcome:?}");
    };
    assert!(run.output.is_some(), "asynchronous run has no output");
    assert_eq!(run.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(
        run.external_request_id.as_deref(),
        handle.external_request_id()
    );

    let stats = mock.stats();
    assert_eq!(stats.sync_runs, 1);
    assert_eq!(stats.runs_created, 1);
    assert!(stats.status_polls >= 1, "no status poll reached the mock");
    (sync, run)
}

#[tokio::test]
async fn enrich_company_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .include_full_annotation(true)
        .runtime_context(json!({"user": {"oId": "user_123"}}));

    let (sync, run) = run_both_ways(&mock, builder).await;

    let company = sync.output.and_then(|output| output.company);
    assert!(company.and_then(|company| company.name).is_some());
    assert!(run.output.and_then(|output| output.company).is_some());
}

#[tokio::test]
async fn enrich_person_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .enrich_person(
            seeded_agent_id(AgentKind::EnrichPerson),
            PersonIdentifier::linked_in_profile("https://www.linkedin.com/in/jane-doe/"),
        )
        .job_title("VP Sales")
        .last_name("Doe");

    let (sync, run) = run_both_ways(&mock, builder).await;

    assert!(sync.output.and_then(|output| output.person).is_some());
    assert!(run.output.and_then(|output| output.person).is_some());
}

#[tokio::test]
async fn content_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .content(AgentTarget::agent(seeded_agent_id(AgentKind::Content)))
        .person(PersonIdentifier::email("jane@example.com"))
        .url("https://example.com/launch")
        .output_format("MARKDOWN");

    let (sync, run) = run_both_ways(&mock, builder).await;

    assert!(sync.output.and_then(|output| output.content).is_some());
    assert!(run.output.and_then(|output| output.content).is_some());
}

#[tokio::test]
async fn sequence_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .sequence(AgentTarget::agent(seeded_agent_id(AgentKind::Sequence)))
        .person(PersonIdentifier::name(
            "Jane",
            CompanyIdentifier::domain("example.com"),
        ))
        .output_format(SequenceOutputFormat::Markdown)
        .lang("en")
        .context_for_all_emails("Opened an office in Lisbon")
        .instructions_for_email(2, "Mention the case study");

    let (sync, run) = run_both_ways(&mock, builder).await;

    let sync_emails = sync.output.and_then(|output| output.emails);
    assert!(!sync_emails.unwrap_or_default().is_empty());
    let async_emails = run.output.and_then(|output| output.emails);
    assert!(!async_emails.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn qualify_person_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .qualify_person(
            seeded_agent_id(AgentKind::QualifyPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .job_title("Director of Sales");

    let (sync, run) = run_both_ways(&mock, builder).await;

    assert!(sync.output.and_then(|output| output.score).is_some());
    assert!(run.output.and_then(|output| output.score).is_some());
}

#[tokio::test]
async fn prospector_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let search = SearchContext {
        fuzzy_titles: vec!["Head of Sales".to_owned()],
        ..SearchContext::default()
    };
    let builder = client
        .prospector(seeded_agent_id(AgentKind::Prospector))
        .company_domain("example.com")
        .limit(3)
        .minimal(true)
        .search_context(search);

    let (sync, run) = run_both_ways(&mock, builder).await;

    let sync_people = sync.output.and_then(|output| output.people);
    assert_eq!(sync_people.map(|people| people.len()), Some(3));
    let async_people = run.output.and_then(|output| output.people);
    assert_eq!(async_people.map(|people| people.len()), Some(3));
}

#[tokio::test]
async fn qualify_company_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client.qualify_company(
        seeded_agent_id(AgentKind::QualifyCompany),
        CompanyIdentifier::name("Example Inc."),
    );

    let (sync, run) = run_both_ways(&mock, builder).await;

    assert!(sync.output.and_then(|output| output.score).is_some());
    assert!(run.output.and_then(|output| output.score).is_some());
}

#[tokio::test]
async fn call_prep_runs_both_ways() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let builder = client
        .call_prep(
            seeded_agent_id(AgentKind::CallPrep),
            PersonIdentifier::email("jane@example.com"),
        )
        .company_domain("example.com");

    let (sync, run) = run_both_ways(&mock, builder).await;

    let questions = sync.output.and_then(|output| output.discovery_questions);
    assert!(!questions.unwrap_or_default().is_empty());
    assert!(run.output.and_then(|output| output.call_script).is_some());
}

#[tokio::test]
async fn dynamic_runs_every_kind() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    for kind in AgentKind::ALL {
        let agent_id = seeded_agent_id(kind);
        let input = match kind {
            AgentKind::EnrichCompany | AgentKind::QualifyCompany | AgentKind::Prospector => {
                json!({"agentOId": agent_id, "companyDomain": "example.com"})
            }
            _ => json!({"agentOId": agent_id, "email": "jane@example.com"}),
        };

        let output = client
            .run_dynamic(kind, input.clone())
            .await
            .unwrap_or_else(|error| panic!("{kind}: synchronous run failed: {error}"));
        assert!(output.output.is_some(), "{kind}: no output");

        let handle = client
            .submit_dynamic(kind, input, CALLBACK_URL, Some(format!("dynamic-{kind}")))
            .await
            .unwrap_or_else(|error| panic!("{kind}: submit failed: {error}"));
        assert_eq!(handle.kind(), kind);
        assert_eq!(
            handle.external_request_id(),
            Some(format!("dynamic-{kind}").as_str())
        );
        let outcome = handle.wait(quick_wait()).await.expect("wait succeeds");
        assert!(outcome.is_succeeded(), "{kind}: {outcome:?}");
    }

    assert_eq!(mock.stats().runs_created, 8);
}

#[tokio::test]
async fn catalogue_endpoints_decode() {
    let mock = start_mock().await;
    let client = client_for(&mock);

    let key = client.validate_api_key().await.expect("key is valid");
    assert_eq!(key.valid, Some(true));

    let types = client.list_agent_types().await.expect("agent types");
    assert!(!types.data.is_empty());

    let page = client
        .list_agents(ListAgentsQuery::new().limit(2))
        .await
        .expect("first page");
    assert_eq!(page.data.len(), 2);

    let agent_id = seeded_agent_id(AgentKind::Sequence);
    let agent = client.get_agent(agent_id).await.expect("seeded agent");
    assert_eq!(agent.data.o_id.as_deref(), Some(agent_id));
    assert_eq!(agent.data.type_, Some(AgentType::Email));
}

#[tokio::test]
async fn agent_stream_reads_all_pages() {
    let mock = start_mock().await;
    let client = client_for(&mock);
    let everything = client
        .list_agents(ListAgentsQuery::new().limit(100))
        .await
        .expect("one big page");

    let streamed: Vec<_> = client
        .list_all_agents(ListAgentsQuery::new().limit(2))
        .try_collect()
        .await
        .expect("stream completes");

    let streamed_ids: Vec<_> = streamed.iter().map(|agent| agent.o_id.clone()).collect();
    let expected_ids: Vec<_> = everything
        .data
        .iter()
        .map(|agent| agent.o_id.clone())
        .collect();
    assert_eq!(streamed_ids, expected_ids);
    assert!(streamed.len() > 2, "paging was not exercised");
}
