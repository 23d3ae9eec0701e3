//! Bad requests get 4xx `ErrorResponse` bodies whose message names the problem.

mod common;

use std::time::Duration;

use common::{TestApi, async_body, fast_config, sync_body};
use octave_mock::MockConfig;
use octave_types::{AgentKind, ErrorResponse};
use reqwest::Response;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Checks the status and returns the error message, which must also be in `_metadata`.
async fn error_message(response: Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let body: ErrorResponse = response.json().await.expect("error body decodes");
    assert!(body.metadata.is_some(), "error has _metadata");
    body.message.expect("error has a message")
}

#[tokio::test]
async fn missing_or_wrong_key_is_401() {
    let api = TestApi::with_defaults().await;
    let missing = api
        .client
        .get(api.url("/api/v2/agents/types"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_message(missing, 401).await, "Invalid API key");
    let wrong = api
        .client
        .get(api.url("/api/v2/api-key/validate"))
        .header("api_key", "not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(error_message(wrong, 401).await, "Invalid API key");
}

#[tokio::test]
async fn second_configured_key_is_accepted() {
    let config = MockConfig {
        api_keys: vec!["first".into(), "second".into()],
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let response = api
        .client
        .get(api.url("/api/v2/api-key/validate"))
        .header("api_key", "second")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(api.server.api_key(), "first");
}

#[tokio::test]
async fn unknown_route_and_wrong_method() {
    let api = TestApi::with_defaults().await;
    let message = error_message(api.get("/api/v2/nothing-here").await, 404).await;
    assert!(message.contains("/api/v2/nothing-here"), "{message}");

    let response = api
        .client
        .get(api.url("/api/v2/agents/sequence/run"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    let message = error_message(response, 405).await;
    assert!(message.contains("use POST"), "{message}");

    let response = api
        .client
        .delete(api.url("/api/v2/agents/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let config = MockConfig {
        max_body_bytes: 1024,
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let mut body = sync_body(AgentKind::EnrichCompany);
    body["runtimeContext"] = Value::from("x".repeat(4096));
    let message = error_message(
        api.post(AgentKind::EnrichCompany.sync_path(), &body).await,
        413,
    )
    .await;
    assert!(message.contains("1024"), "{message}");

    let mut stream = tokio::net::TcpStream::connect(api.server.addr())
        .await
        .unwrap();
    let head = format!(
        "POST /api/v2/async/agent/run HTTP/1.1\r\nhost: localhost\r\napi_key: {}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        api.server.api_key()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..2 {
        let chunk = format!("320\r\n{}\r\n", " ".repeat(800));
        stream.write_all(chunk.as_bytes()).await.unwrap();
    }
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut reply = vec![0; 12];
    stream.read_exact(&mut reply).await.unwrap();
    assert_eq!(&reply, b"HTTP/1.1 413", "chunked body without a length");
}

#[tokio::test]
async fn non_json_bodies_are_rejected() {
    let api = TestApi::with_defaults().await;
    let path = api.url(AgentKind::EnrichCompany.sync_path());
    let key = api.server.api_key().to_owned();

    let plain = api
        .client
        .post(&path)
        .header("api_key", &key)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let untyped = api
        .client
        .post(&path)
        .header("api_key", &key)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(untyped.status(), 415);

    let broken = api
        .client
        .post(&path)
        .header("api_key", &key)
        .header("content-type", "application/json")
        .body("{\"agentOId\":")
        .send()
        .await
        .unwrap();
    let message = error_message(broken, 400).await;
    assert!(message.contains("not valid JSON"), "{message}");

    let array = api
        .post(AgentKind::EnrichCompany.sync_path(), &json!([1, 2]))
        .await;
    let message = error_message(array, 400).await;
    assert!(message.contains("JSON array"), "{message}");
}

#[tokio::test]
async fn field_errors_name_the_field() {
    let api = TestApi::with_defaults().await;
    let cases = [
        (
            AgentKind::Prospector,
            json!({ "agentOId": "ca_prospector_01", "limit": "ten" }),
            "`limit`",
        ),
        (
            AgentKind::EnrichCompany,
            json!({ "companyDomain": "acme.com" }),
            "`agentOId`",
        ),
        (
            AgentKind::EnrichCompany,
            json!({ "agentOId": "ca_enrich_company_01", "companyDomain": "acme.com", "limit": 5 }),
            "`limit`",
        ),
        (
            AgentKind::EnrichCompany,
            json!({ "agentOId": "ca_enrich_company_01" }),
            "`companyDomain` or `companyName`",
        ),
        (
            AgentKind::QualifyCompany,
            json!({ "agentOId": "ca_qualify_company_01", "companyName": "  " }),
            "`companyDomain` or `companyName`",
        ),
        (
            AgentKind::EnrichPerson,
            json!({ "agentOId": "ca_enrich_person_01", "firstName": "Jo" }),
            "identify the person",
        ),
        (
            AgentKind::QualifyPerson,
            json!({ "agentOId": "ca_qualify_person_01", "jobTitle": "CTO" }),
            "identify the person",
        ),
        (
            AgentKind::CallPrep,
            json!({ "agentOId": "ca_call_prep_01" }),
            "identify the person",
        ),
        (
            AgentKind::Prospector,
            json!({ "agentOId": "ca_prospector_01", "limit": 0 }),
            "1..=1000",
        ),
        (
            AgentKind::Prospector,
            json!({ "agentOId": "ca_prospector_01", "limit": 1001 }),
            "1..=1000",
        ),
        (
            AgentKind::Sequence,
            json!({ "email": "a@b.com" }),
            "neither",
        ),
        (
            AgentKind::Content,
            json!({ "agentOId": "ca_content_01", "experimentOId": "ae_content_01", "email": "a@b.com" }),
            "not both",
        ),
        (
            AgentKind::EnrichCompany,
            json!({ "agentOId": "ca_enrich_person_01", "companyDomain": "acme.com" }),
            "`ca_enrich_person_01` has type ENRICH_PERSON",
        ),
        (
            AgentKind::Sequence,
            json!({ "agentOId": "ae_sequence_01" }),
            "experimentOId",
        ),
        (AgentKind::Sequence, json!({ "agentOId": 12 }), "`agentOId`"),
    ];
    for (kind, body, expected) in cases {
        let message = error_message(api.post(kind.sync_path(), &body).await, 400).await;
        assert!(message.contains(expected), "{kind} {body}: {message}");
    }
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let api = TestApi::with_defaults().await;
    let mut body = sync_body(AgentKind::EnrichCompany);
    body["fieldFromTheFuture"] = json!({ "nested": true });
    body["callbackUrl"] = Value::from("https://example.com/hook");
    let response = api.post(AgentKind::EnrichCompany.sync_path(), &body).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let api = TestApi::with_defaults().await;
    let body = json!({ "agentOId": "ca_missing", "companyDomain": "acme.com" });
    let message = error_message(
        api.post(AgentKind::EnrichCompany.sync_path(), &body).await,
        404,
    )
    .await;
    assert!(message.contains("ca_missing"), "{message}");

    let body = json!({ "experimentOId": "ae_missing", "email": "a@b.com" });
    assert_eq!(
        api.post(AgentKind::Sequence.sync_path(), &body)
            .await
            .status(),
        404
    );

    let body = json!({ "agentOId": "ca_missing", "callbackUrl": "https://example.com/hook" });
    assert_eq!(
        api.post("/api/v2/async/agent/run", &body).await.status(),
        404
    );

    let status = api
        .get("/api/v2/async/agent/run/status?requestId=asyncReqID_nope")
        .await;
    let message = error_message(status, 404).await;
    assert!(message.contains("asyncReqID_nope"), "{message}");
    assert_eq!(
        api.get("/api/v2/async/agent/run/status").await.status(),
        400
    );
    assert_eq!(
        api.get("/api/v2/async/agent/run/status?requestId=")
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn async_body_errors() {
    let api = TestApi::with_defaults().await;
    let path = "/api/v2/async/agent/run";

    let mut missing = sync_body(AgentKind::EnrichCompany);
    missing.as_object_mut().unwrap().remove("callbackUrl");
    let message = error_message(api.post(path, &missing).await, 400).await;
    assert!(message.contains("`callbackUrl`"), "{message}");

    for bad in ["ftp://example.com/hook", "not a url", "/relative/hook", ""] {
        let body = async_body(AgentKind::EnrichCompany, bad);
        let message = error_message(api.post(path, &body).await, 400).await;
        assert!(message.contains("`callbackUrl`"), "{bad}: {message}");
    }

    let mut foreign = async_body(AgentKind::EnrichCompany, "https://example.com/hook");
    foreign["searchContext"] = json!({});
    let message = error_message(api.post(path, &foreign).await, 400).await;
    assert!(
        message.contains("`searchContext`") && message.contains("Prospector"),
        "{message}"
    );

    let body = json!({ "callbackUrl": "https://example.com/hook", "companyDomain": "acme.com" });
    let message = error_message(api.post(path, &body).await, 400).await;
    assert!(message.contains("`agentOId`"), "{message}");

    let body = json!({ "agentOId": "ca_prospector_01", "callbackUrl": "https://example.com/hook", "limit": 5000 });
    assert_eq!(api.post(path, &body).await.status(), 400);
    assert_eq!(api.server.stats().runs_created, 0);
}

#[tokio::test]
async fn garbage_requests_get_400_not_a_hang() {
    let api = TestApi::with_defaults().await;
    let mut stream = tokio::net::TcpStream::connect(api.server.addr())
        .await
        .unwrap();
    stream.write_all(b"THIS IS NOT HTTP\r\n\r\n").await.unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the server answers or closes in time");
    let text = String::from_utf8_lossy(&reply);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
    );

    let response = api.get("/api/v2/agents/types").await;
    assert_eq!(response.status(), 200, "the server still serves");
}
