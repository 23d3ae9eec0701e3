//! Requests through the generated client over loopback HTTP: responses that only the
//! scripted server sends, the headers that reach the server, and the API key on a caller's
//! own `reqwest::Client` against the mock server.

use std::time::Duration;

use octave_mock::{MockConfig, MockServer, seeded_agent_id};
use octave_types::{AgentKind, AgentOrderField, AgentType, OrderDirection};
use reqwest::StatusCode;
use serde_json::json;
use tokio::time::Instant;

use super::test_server::{Canned, TestServer};
use crate::{Client, CompanyIdentifier, Error, ListAgentsQuery, RetryPolicy};

const CALLBACK_URL: &str = "http://127.0.0.1:9/octave/callback";

const HTML_502: &str = "<html><head><title>502 Bad Gateway</title></head>\
                        <body><h1>502 Bad Gateway</h1></body></html>";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

fn client_for(server: &TestServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.url())
        .retry_policy(fast_retries())
        .build()
        .expect("client")
}

fn validate_body() -> serde_json::Value {
    json!({"_metadata": {"requestId": "req_v"}, "valid": true})
}

#[tokio::test]
async fn html_502_read_is_retried() {
    let server = TestServer::start(vec![Canned::new(502, "text/html", HTML_502)]).await;
    let client = client_for(&server);

    let error = client.validate_api_key().await.expect_err("502 every time");

    let Error::UndecodableBody {
        status, body_start, ..
    } = &error
    else {
        panic!("expected UndecodableBody, got {error:?}");
    };
    assert_eq!(*status, StatusCode::BAD_GATEWAY);
    assert!(body_start.starts_with("<html>"), "{body_start:?}");
    assert!(error.is_retryable());
    assert_eq!(server.requests().len(), 4, "a 502 read is sent four times");
}

#[tokio::test]
async fn html_502_then_success() {
    let server = TestServer::start(vec![
        Canned::new(502, "text/html", HTML_502),
        Canned::json(200, validate_body()),
    ])
    .await;
    let client = client_for(&server);

    let key = client.validate_api_key().await.expect("second attempt");

    assert_eq!(key.valid, Some(true));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn html_502_submit_sent_once() {
    let server = TestServer::start(vec![Canned::new(502, "text/html", HTML_502)]).await;
    let client = client_for(&server);

    let error = client
        .qualify_company("ca_1", CompanyIdentifier::domain("example.com"))
        .submit(CALLBACK_URL)
        .await
        .expect_err("502");

    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    assert!(matches!(error, Error::UndecodableBody { .. }), "{error:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "the run may have started, so the submit is not sent again"
    );
}

#[tokio::test]
async fn html_503_submit_reuses_external_id() {
    let server = TestServer::start(vec![Canned::new(503, "text/html", "<html>busy</html>")]).await;
    let client = client_for(&server);

    let error = client
        .qualify_company("ca_1", CompanyIdentifier::domain("example.com"))
        .external_request_id("ext-503")
        .submit(CALLBACK_URL)
        .await
        .expect_err("503");

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "a 503 submit is sent four times");
    for request in &requests {
        assert_eq!(request.header("x-external-request-id"), Some("ext-503"));
    }
}

#[tokio::test]
async fn plain_text_429_honours_retry_after() {
    let server = TestServer::start(vec![
        Canned::new(429, "text/plain", "slow down").header("Retry-After", "1"),
        Canned::json(200, validate_body()),
    ])
    .await;
    let client = client_for(&server);
    let started = Instant::now();

    let key = client.validate_api_key().await.expect("second attempt");

    assert_eq!(key.valid, Some(true));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "retried after {:?}, before the 1 s Retry-After",
        started.elapsed()
    );
}

#[tokio::test]
async fn plain_text_429_is_rate_limited() {
    let server = TestServer::start(vec![
        Canned::new(429, "text/plain", "slow down").header("Retry-After", "4"),
    ])
    .await;
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.url())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");

    let error = client.list_agent_types().await.expect_err("429");

    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(4)));
}

#[tokio::test]
async fn undocumented_504_is_api_error() {
    let body = json!({"message": "upstream timed out", "_metadata": {"requestId": "req_5"}});
    let server = TestServer::start(vec![Canned::json(504, body)]).await;
    let client = client_for(&server);

    let error = client.validate_api_key().await.expect_err("504");

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(error.request_id(), Some("req_5"));
    assert!(error.to_string().contains("upstream timed out"), "{error}");
    assert_eq!(server.requests().len(), 4, "a 504 read is sent four times");
}

#[tokio::test]
async fn undocumented_success_status_decodes() {
    let server = TestServer::start(vec![Canned::json(201, validate_body())]).await;
    let client = client_for(&server);

    let key = client.validate_api_key().await.expect("201 with a body");

    assert_eq!(key.valid, Some(true));
}

#[tokio::test]
async fn envelope_without_found_reads_leniently() {
    let body = json!({"data": {"score": 7, "rationale": "fits"}});
    let server = TestServer::start(vec![Canned::json(200, body)]).await;
    let client = client_for(&server);

    let typed = client
        .qualify_company("ca_1", CompanyIdentifier::domain("example.com"))
        .run()
        .await
        .expect("lenient envelope");
    assert!(typed.found, "data present, so found");
    assert_eq!(typed.output.and_then(|output| output.score), Some(7.0));

    let input = json!({"agentOId": "ca_1", "companyDomain": "example.com"});
    let dynamic = client
        .run_dynamic(AgentKind::QualifyCompany, input)
        .await
        .expect("lenient envelope");
    assert_eq!(
        dynamic.output,
        Some(json!({"score": 7, "rationale": "fits"}))
    );
}

#[tokio::test]
async fn mistyped_output_names_the_field() {
    let body =
        json!({"_metadata": {"requestId": "req_5"}, "found": true, "data": {"score": "high"}});
    let server = TestServer::start(vec![Canned::json(200, body)]).await;
    let client = client_for(&server);

    let error = client
        .qualify_company("ca_1", CompanyIdentifier::domain("example.com"))
        .run()
        .await
        .expect_err("score must be a number");

    assert!(
        matches!(&error, Error::OutputMismatch { path, request_id, output, .. }
            if path == "score"
                && request_id.as_deref() == Some("req_5")
                && output["score"] == "high"),
        "{error:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a garbled run reply is not retried"
    );
}

#[tokio::test]
async fn body_cut_short_is_transport_error() {
    let cut = Canned::json(200, validate_body()).cut_short(100);
    let server = TestServer::start(vec![cut]).await;
    let client = client_for(&server);

    let read_error = client.validate_api_key().await.expect_err("cut short");
    assert!(
        matches!(read_error, Error::Transport { .. }),
        "{read_error:?}"
    );
    assert!(read_error.is_retryable());
    assert_eq!(
        server.requests().len(),
        4,
        "a broken read is sent four times"
    );

    let submit_error = client
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .run()
        .await
        .expect_err("cut short");
    assert!(
        matches!(submit_error, Error::Transport { .. }),
        "{submit_error:?}"
    );
    assert_eq!(server.requests().len(), 5, "a broken run is sent once");
}

#[tokio::test]
async fn own_client_gets_key_and_headers() {
    let run_body = json!({"_metadata": {"requestId": "req_r"}, "found": true, "data": {}});
    let server = TestServer::start(vec![
        Canned::json(200, validate_body()),
        Canned::json(200, run_body),
    ])
    .await;
    let client = Client::builder()
        .api_key("own-client-key")
        .base_url(server.url())
        .http_client(reqwest::Client::new())
        .request_source("transport-tests")
        .user_agent("transport-tests/1.0")
        .build()
        .expect("client");

    client.validate_api_key().await.expect("validate");
    client
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .external_request_id("ext-1")
        .run()
        .await
        .expect("run");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.header("api_key"), Some("own-client-key"));
        assert_eq!(request.header("user-agent"), Some("transport-tests/1.0"));
        assert_eq!(request.header("accept"), Some("application/json"));
    }
    let run = &requests[1];
    assert!(
        run.line
            .starts_with("POST /api/v2/agents/enrich-company/run "),
        "{}",
        run.line
    );
    assert_eq!(run.header("x-request-source"), Some("transport-tests"));
    assert_eq!(run.header("x-external-request-id"), Some("ext-1"));
    let body: serde_json::Value = serde_json::from_slice(&run.body).expect("JSON body");
    assert_eq!(
        body,
        json!({"agentOId": "ca_1", "companyDomain": "example.com"})
    );
}

#[tokio::test]
async fn own_client_gets_request_timeout() {
    let slow = Canned::json(200, validate_body()).delayed(Duration::from_secs(2));
    let server = TestServer::start(vec![slow]).await;
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.url())
        .http_client(reqwest::Client::new())
        .request_timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");

    let error = client.validate_api_key().await.expect_err("too slow");

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("timed out after 100ms"),
        "{error}"
    );
    assert!(std::error::Error::source(&error).is_some(), "no source");
}

#[tokio::test]
async fn list_agents_sends_wire_names() {
    let page = json!({"_metadata": {}, "data": []});
    let server = TestServer::start(vec![Canned::json(200, page)]).await;
    let client = client_for(&server);
    let query = ListAgentsQuery::new()
        .agent_type(AgentType::Email)
        .search("seq")
        .offset(5)
        .limit(20)
        .order_field(AgentOrderField::UpdatedAt)
        .order_direction(OrderDirection::Asc)
        .include_experiments(true);

    client.list_agents(query).await.expect("empty page");

    let line = &server.requests()[0].line;
    assert!(line.starts_with("GET /api/v2/agents/list?"), "{line}");
    for pair in [
        "type=EMAIL",
        "query=seq",
        "offset=5",
        "limit=20",
        "orderField=updatedAt",
        "orderDirection=ASC",
        "includeExperiments=true",
    ] {
        assert!(line.contains(pair), "{pair} missing from {line}");
    }
}

#[tokio::test]
async fn own_client_key_reaches_mock() {
    let config = MockConfig {
        run_duration: Duration::from_millis(50),
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await.expect("mock starts");
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .http_client(reqwest::Client::new())
        .build()
        .expect("client");

    let key = client.validate_api_key().await.expect("key accepted");
    assert_eq!(key.valid, Some(true));
    let run = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .run()
        .await
        .expect("synchronous run");
    assert!(run.output.is_some());
    let handle = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect("submit");
    handle.status().await.expect("status");

    let stats = mock.stats();
    assert_eq!(stats.sync_runs, 1);
    assert_eq!(stats.runs_created, 1);
    assert_eq!(stats.status_polls, 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn own_client_wrong_key_rejected() {
    let mock = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let client = Client::builder()
        .api_key("not-the-mock-key")
        .base_url(mock.url())
        .http_client(reqwest::Client::new())
        .build()
        .expect("client");

    let error = client.validate_api_key().await.expect_err("wrong key");

    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    mock.shutdown().await;
}

#[tokio::test]
async fn html_200_status_ends_wait() {
    let login_page = "<html><body>Sign in to continue</body></html>";
    let server = TestServer::start(vec![Canned::new(200, "text/html", login_page)]).await;
    let client = client_for(&server);
    let handle =
        crate::RunHandle::<octave_types::agents::EnrichCompany>::from_request_id(&client, "r1");
    let options = crate::WaitOptions::new(Duration::from_secs(30))
        .min_interval(Duration::from_millis(20))
        .max_interval(Duration::from_millis(20));

    let started = Instant::now();
    let error = handle
        .wait(options)
        .await
        .expect_err("a login page every time");

    let Error::UndecodableBody {
        status, body_start, ..
    } = &error
    else {
        panic!("expected UndecodableBody, got {error:?}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert!(body_start.contains("Sign in"), "{body_start:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 4, "one poll, sent four times");
}

/// Lists every agent from a server whose responses are `pages`, the last one repeated
/// forever, and returns the agents and the number of requests.
async fn list_all(pages: Vec<serde_json::Value>) -> (Vec<octave_types::AgentSummary>, usize) {
    use futures::TryStreamExt;

    let script = pages
        .into_iter()
        .map(|page| Canned::json(200, page))
        .collect();
    let server = TestServer::start(script).await;
    let agents = client_for(&server)
        .list_all_agents(ListAgentsQuery::new().limit(2))
        .try_collect()
        .await
        .expect("listing ends");
    (agents, server.requests().len())
}

/// Returns a page of `agents` with `hasNext: true`.
fn page_of(agents: serde_json::Value) -> serde_json::Value {
    json!({"_metadata": {}, "hasNext": true, "total": 100, "data": agents})
}

#[tokio::test]
async fn listing_stops_when_a_page_repeats() {
    let (agents, requests) =
        list_all(vec![page_of(json!([{"oId": "ca_1"}, {"oId": "ca_2"}]))]).await;
    assert_eq!((agents.len(), requests), (2, 2));
}

#[tokio::test]
async fn listing_stops_when_pages_alternate() {
    let first = page_of(json!([{"oId": "a"}, {"oId": "b"}]));
    let second = page_of(json!([{"oId": "c"}, {"oId": "d"}]));
    let (agents, requests) = list_all(vec![first.clone(), second, first]).await;
    assert_eq!((agents.len(), requests), (4, 3));
}

#[tokio::test]
async fn listing_keeps_agents_without_ids() {
    let mut last = page_of(json!([{"name": "e"}]));
    last["hasNext"] = json!(false);
    let (agents, _) = list_all(vec![
        page_of(json!([{"name": "a"}, {"name": "b"}])),
        page_of(json!([{"name": "c"}, {"name": "d"}])),
        last,
    ])
    .await;
    let names: Vec<_> = agents
        .iter()
        .filter_map(|agent| agent.name.clone())
        .collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn listing_stops_on_repeated_anonymous_page() {
    let page = |name: &str| page_of(json!([{"oId": "a"}, {"name": name}]));
    let (agents, requests) = list_all(vec![page("x"), page("y"), page("x")]).await;
    assert_eq!((agents.len(), requests), (4, 3));
}
