//! Run behaviour: deduplication, rate limiting, callback retries, expiry and determinism.

mod common;

use std::time::Duration;

use common::{CallbackReceiver, TestApi, async_body, fast_config, sync_body};
use octave_mock::MockConfig;
use octave_types::{AgentKind, AsyncAgentRunAccepted};
use serde_json::{Value, json};

const RUN: &str = "/api/v2/async/agent/run";

async fn accepted(response: reqwest::Response) -> AsyncAgentRunAccepted {
    assert_eq!(response.status(), 200);
    response.json().await.expect("accepted decodes")
}

#[tokio::test]
async fn external_request_id_deduplicates() {
    let config = MockConfig {
        api_keys: vec!["key-a".into(), "key-b".into()],
        run_duration: Duration::from_secs(5),
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let body = async_body(AgentKind::EnrichCompany, "http://127.0.0.1:9/hook");

    let first = accepted(api.post_with_id(RUN, &body, "order-42").await).await;
    let second = accepted(api.post_with_id(RUN, &body, "order-42").await).await;
    assert_eq!(first.request_id, second.request_id);
    let other = accepted(api.post_with_id(RUN, &body, "order-43").await).await;
    assert_ne!(first.request_id, other.request_id);

    let response = api
        .client
        .post(api.url(RUN))
        .header("api_key", "key-b")
        .header("x-external-request-id", "order-42")
        .json(&body)
        .send()
        .await
        .unwrap();
    let from_other_key = accepted(response).await;
    assert_ne!(
        first.request_id, from_other_key.request_id,
        "scoped per key"
    );

    let stats = api.server.stats();
    assert_eq!(stats.runs_created, 3);
    assert_eq!(stats.duplicates_avoided, 1);
    assert_eq!(stats.runs_in_memory, 3);
}

#[tokio::test]
async fn concurrent_duplicates_create_one_run() {
    let api = std::sync::Arc::new(TestApi::with_defaults().await);
    let body = async_body(AgentKind::Content, "http://127.0.0.1:9/hook");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let api = std::sync::Arc::clone(&api);
        let body = body.clone();
        tasks.spawn(async move {
            accepted(api.post_with_id(RUN, &body, "same").await)
                .await
                .request_id
        });
    }
    let ids: Vec<String> = tasks.join_all().await;
    assert!(ids.iter().all(|id| id == &ids[0]));
    assert_eq!(api.server.stats().runs_created, 1);
    assert_eq!(api.server.stats().duplicates_avoided, 15);
}

#[tokio::test]
async fn rate_limit_sends_retry_after() {
    let config = MockConfig {
        rate_limit_per_second: Some(5),
        retry_after: Duration::from_millis(1500),
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = api.get("/api/v2/agents/types").await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert_eq!(
                response.headers()["retry-after"],
                "2",
                "rounded up to seconds"
            );
            let body: Value = response.json().await.unwrap();
            assert!(body["message"].as_str().unwrap().contains("Rate limit"));
        }
    }
    // The bucket starts with 5 tokens and refills one per 200 ms, so a slow machine may
    // let one more request through.
    assert!(
        statuses[..5].iter().all(|status| *status == 200),
        "{statuses:?}"
    );
    let limited = statuses.iter().filter(|status| **status == 429).count();
    assert!((6..=7).contains(&limited), "{statuses:?}");
    assert_eq!(api.server.stats().rate_limited, limited as u64);

    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        api.get("/api/v2/agents/types").await.status(),
        200,
        "tokens refill"
    );
}

#[tokio::test]
async fn callbacks_retry_until_accepted() {
    let api = TestApi::with_defaults().await;
    let receiver = CallbackReceiver::start(2).await;
    let run = accepted(
        api.post(RUN, &async_body(AgentKind::Prospector, &receiver.url))
            .await,
    )
    .await;

    let callbacks = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0]["requestId"], run.request_id.as_str());
    assert_eq!(receiver.attempts(), 3);
    let stats = api.wait_for_stats(|stats| stats.callbacks_sent == 1).await;
    assert_eq!(stats.callbacks_retried, 2);
    assert_eq!(stats.callbacks_sent, 1);
    assert_eq!(stats.callbacks_failed, 0);
}

#[tokio::test]
async fn callbacks_give_up_after_last_attempt() {
    let config = MockConfig {
        callback_attempts: 3,
        callback_backoff: Duration::from_millis(10),
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let receiver = CallbackReceiver::start(u32::MAX).await;
    api.post(RUN, &async_body(AgentKind::EnrichPerson, &receiver.url))
        .await;
    let stats = api
        .wait_for_stats(|stats| stats.callbacks_failed == 1)
        .await;
    assert_eq!(stats.callbacks_failed, 1);
    assert_eq!(stats.callbacks_retried, 2);
    assert_eq!(receiver.attempts(), 3);

    let unreachable = async_body(AgentKind::EnrichPerson, "http://127.0.0.1:9/closed-port");
    api.post(RUN, &unreachable).await;
    let stats = api
        .wait_for_stats(|stats| stats.callbacks_failed == 2)
        .await;
    assert_eq!(
        stats.callbacks_failed, 2,
        "connection errors count as failures"
    );
}

#[tokio::test]
async fn finished_runs_expire() {
    let config = MockConfig {
        finished_run_ttl: Duration::from_millis(150),
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let run = accepted(
        api.post(
            RUN,
            &async_body(AgentKind::QualifyCompany, "http://127.0.0.1:9/x"),
        )
        .await,
    )
    .await;
    api.wait_for_status(&run.request_id, &["completed"]).await;
    assert_eq!(api.server.stats().runs_in_memory, 1);

    let path = format!(
        "/api/v2/async/agent/run/status?requestId={}",
        run.request_id
    );
    let mut status = 200;
    for _ in 0..100 {
        status = api.get(&path).await.status().as_u16();
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 404);
    let stats = api.wait_for_stats(|stats| stats.runs_in_memory == 0).await;
    assert_eq!(stats.runs_in_memory, 0);
}

async fn sync_output(api: &TestApi, kind: AgentKind, body: &Value) -> Value {
    let response: Value = api.post(kind.sync_path(), body).await.json().await.unwrap();
    response["data"].clone()
}

#[tokio::test]
async fn outputs_are_deterministic() {
    let first = TestApi::with_defaults().await;
    let second = TestApi::with_defaults().await;
    let reseeded = TestApi::start(MockConfig {
        seed: 99,
        ..fast_config()
    })
    .await;

    for kind in AgentKind::ALL {
        let body = sync_body(kind);
        let once = sync_output(&first, kind, &body).await;
        let again = sync_output(&first, kind, &body).await;
        assert_eq!(once, again, "{kind}: same server");
        assert_eq!(
            once,
            sync_output(&second, kind, &body).await,
            "{kind}: same seed"
        );
        assert_ne!(
            once,
            sync_output(&reseeded, kind, &body).await,
            "{kind}: other seed"
        );
    }

    let body = json!({ "agentOId": "ca_enrich_company_01", "companyName": "Acme", "runtimeContext": { "a": 1, "b": 2 } });
    let reordered = json!({ "runtimeContext": { "b": 2, "a": 1 }, "companyName": "Acme", "agentOId": "ca_enrich_company_01" });
    assert_eq!(
        sync_output(&first, AgentKind::EnrichCompany, &body).await,
        sync_output(&first, AgentKind::EnrichCompany, &reordered).await,
        "key order does not matter"
    );
    let other_input = json!({ "agentOId": "ca_enrich_company_01", "companyName": "Globex" });
    assert_ne!(
        sync_output(&first, AgentKind::EnrichCompany, &body).await,
        sync_output(&first, AgentKind::EnrichCompany, &other_input).await
    );
}

#[tokio::test]
async fn request_ids_repeat_for_a_seed() {
    let first = TestApi::with_defaults().await;
    let second = TestApi::with_defaults().await;
    let body = async_body(AgentKind::EnrichCompany, "http://127.0.0.1:9/x");
    let one = accepted(first.post(RUN, &body).await).await.request_id;
    let two = accepted(second.post(RUN, &body).await).await.request_id;
    assert_eq!(one, two);
    assert_eq!(one.len(), "asyncReqID_".len() + 21);
    let next = accepted(first.post(RUN, &body).await).await.request_id;
    assert_ne!(one, next);
}

#[tokio::test]
async fn shutdown_waits_for_in_flight_requests() {
    let config = MockConfig {
        faults: octave_mock::Faults {
            latency_ms: 300,
            ..Default::default()
        },
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let client = api.client.clone();
    let url = api.url("/api/v2/agents/types");
    let key = api.server.api_key().to_owned();
    let request = tokio::spawn(async move { client.get(url).header("api_key", key).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    api.server.shutdown().await;
    let response = request.await.unwrap().expect("in-flight request completes");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn remote_callbacks_are_blocked() {
    let api = TestApi::start(fast_config()).await;
    let body = async_body(AgentKind::EnrichCompany, "https://example.com/hook");

    let run = accepted(api.post(RUN, &body).await).await;
    api.wait_for_status(&run.request_id, &["completed"]).await;
    let stats = api
        .wait_for_stats(|stats| stats.callbacks_blocked == 1)
        .await;

    assert_eq!(stats.callbacks_blocked, 1);
    assert_eq!(stats.callbacks_sent, 0);
    assert_eq!(stats.callbacks_retried, 0);
}

#[tokio::test]
async fn localhost_callbacks_are_sent() {
    let receiver = CallbackReceiver::start(0).await;
    let api = TestApi::start(fast_config()).await;
    let url = receiver.url.replace("127.0.0.1", "localhost");
    let body = async_body(AgentKind::EnrichCompany, &url);

    accepted(api.post(RUN, &body).await).await;
    let bodies = receiver.wait_for(1, Duration::from_secs(5)).await;

    assert_eq!(bodies.len(), 1);
    assert_eq!(api.server.stats().callbacks_blocked, 0);
}
