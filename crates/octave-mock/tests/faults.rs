//! Every fault, set through the library and through `PUT /_mock/faults`.

mod common;

use std::time::{Duration, Instant};

use common::{CallbackReceiver, TestApi, async_body, fast_config, sync_body};
use octave_mock::{CallbackShape, Faults, MockConfig};
use octave_types::{
    AgentKind, AgentType, AsyncAgentRunAccepted, ListAgentsResponse, RunState, RunStatus,
    decode_callback_value,
};
use serde_json::{Value, json};

const TYPES: &str = "/api/v2/agents/types";

async fn api_with(faults: Faults) -> TestApi {
    TestApi::start(MockConfig {
        faults,
        ..fast_config()
    })
    .await
}

#[tokio::test]
async fn error_rate_one_hits_every_request() {
    let api = api_with(Faults {
        error_rate: 1.0,
        error_status: 503,
        ..Faults::default()
    })
    .await;
    for _ in 0..3 {
        let response = api.get(TYPES).await;
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("injected"));
    }
    let receiver = CallbackReceiver::start(0).await;
    let response = api
        .post(
            "/api/v2/async/agent/run",
            &async_body(AgentKind::Content, &receiver.url),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        api.server.stats().runs_created,
        0,
        "errors come before any effect"
    );
    assert_eq!(api.server.stats().faults_injected, 4);

    api.server.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(api.get(TYPES).await.status(), 500, "status 0 means 500");
    api.server.set_faults(Faults::default());
    assert_eq!(api.get(TYPES).await.status(), 200);
}

/// Returns which of `count` requests failed under a 50 % error rate.
async fn error_pattern(seed: u64, count: usize) -> Vec<bool> {
    let api = TestApi::start(MockConfig {
        seed,
        faults: Faults {
            error_rate: 0.5,
            ..Faults::default()
        },
        ..fast_config()
    })
    .await;
    let mut pattern = Vec::new();
    for _ in 0..count {
        pattern.push(api.get(TYPES).await.status() == 500);
    }
    pattern
}

#[tokio::test]
async fn fault_decisions_repeat_for_a_seed() {
    let first = error_pattern(3, 40).await;
    let second = error_pattern(3, 40).await;
    assert_eq!(first, second);
    let hits = first.iter().filter(|hit| **hit).count();
    assert!((5..=35).contains(&hits), "about half fail: {hits}");
}

#[tokio::test]
async fn rate_limit_burst_counts_down() {
    let api = api_with(Faults {
        rate_limit_burst: 3,
        ..Faults::default()
    })
    .await;
    for _ in 0..3 {
        let response = api.get(TYPES).await;
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "1");
    }
    assert_eq!(api.get(TYPES).await.status(), 200);
    assert_eq!(api.server.faults().rate_limit_burst, 0);
    assert_eq!(api.server.stats().rate_limited, 3);
}

#[tokio::test]
async fn latency_delays_responses() {
    let api = api_with(Faults {
        latency_ms: 150,
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(api.get(TYPES).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// The client sees the connection close before any status line: reqwest reports a request
/// error ("connection closed before message completed"), not an HTTP status.
#[tokio::test]
async fn reset_closes_without_response() {
    let api = api_with(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let result = api
        .client
        .get(api.url(TYPES))
        .header("api_key", api.server.api_key())
        .send()
        .await;
    let error = result.expect_err("no response arrives");
    assert!(error.is_request(), "{error:?}");
    assert!(error.status().is_none());

    api.server.set_faults(Faults::default());
    assert_eq!(api.get(TYPES).await.status(), 200, "new connections work");
}

#[tokio::test]
async fn malformed_json_is_200_and_invalid() {
    let api = api_with(Faults {
        malformed_json_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let response = api.get(TYPES).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.starts_with('{'));
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    let unauthorized = api.client.get(api.url(TYPES)).send().await.unwrap();
    assert_eq!(unauthorized.status(), 200, "errors are replaced too");
}

#[tokio::test]
async fn unknown_fields_still_decode() {
    let api = api_with(Faults {
        unknown_fields: true,
        ..Faults::default()
    })
    .await;
    let body: Value = api.get("/api/v2/agents/list").await.json().await.unwrap();
    assert!(body["mockExtension"].is_object());
    assert!(body["data"][0]["mockNote"].is_string());
    let typed: ListAgentsResponse = serde_json::from_value(body).expect("typed decode");
    assert!(!typed.data.is_empty());

    let response = api
        .post(
            AgentKind::CallPrep.sync_path(),
            &sync_body(AgentKind::CallPrep),
        )
        .await;
    let envelope: octave_types::CallPrepAgentResponse = response.json().await.unwrap();
    let output = envelope.data.expect("data");
    assert!(output.extra.contains_key("mockExtension"), "kept in extra");

    let receiver = CallbackReceiver::start(0).await;
    api.post(
        "/api/v2/async/agent/run",
        &async_body(AgentKind::EnrichCompany, &receiver.url),
    )
    .await;
    let callbacks = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert!(callbacks[0]["mockExtension"].is_object());
    let event = decode_callback_value(callbacks[0].clone()).unwrap();
    assert!(matches!(event.state, RunState::Succeeded(_)));
}

#[tokio::test]
async fn unknown_enum_values_appear() {
    let config = MockConfig {
        run_duration: Duration::from_secs(5),
        faults: Faults {
            unknown_enum_values: true,
            ..Faults::default()
        },
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let list: ListAgentsResponse = api
        .get("/api/v2/agents/list?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let future = AgentType::Unknown("FUTURE_AGENT".to_owned());
    assert!(
        list.data
            .iter()
            .any(|agent| agent.type_.as_ref() == Some(&future))
    );
    let types: Value = api.get(TYPES).await.json().await.unwrap();
    assert!(
        types["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|info| info["type"] == "FUTURE_AGENT")
    );

    let body = json!({ "agentOId": "ca_future_agent_01", "callbackUrl": "http://127.0.0.1:9/x" });
    assert_eq!(
        api.post("/api/v2/async/agent/run", &body).await.status(),
        400
    );

    let body = async_body(AgentKind::EnrichCompany, "http://127.0.0.1:9/x");
    let accepted: AsyncAgentRunAccepted = api
        .post("/api/v2/async/agent/run", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(accepted.status, RunStatus::Unknown("queued".to_owned()));
    let status = api
        .get(&format!(
            "/api/v2/async/agent/run/status?requestId={}",
            accepted.request_id
        ))
        .await;
    let status: Value = status.json().await.unwrap();
    assert_eq!(status["data"]["status"], "queued");
}

#[tokio::test]
async fn drop_callbacks_sends_nothing() {
    let api = api_with(Faults {
        drop_callbacks: true,
        ..Faults::default()
    })
    .await;
    let receiver = CallbackReceiver::start(0).await;
    let accepted: AsyncAgentRunAccepted = api
        .post(
            "/api/v2/async/agent/run",
            &async_body(AgentKind::EnrichPerson, &receiver.url),
        )
        .await
        .json()
        .await
        .unwrap();
    api.wait_for_status(&accepted.request_id, &["completed"])
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.attempts(), 0);
}

#[tokio::test]
async fn duplicate_callbacks_arrive_twice() {
    let api = api_with(Faults {
        duplicate_callbacks: true,
        ..Faults::default()
    })
    .await;
    let receiver = CallbackReceiver::start(0).await;
    api.post(
        "/api/v2/async/agent/run",
        &async_body(AgentKind::Sequence, &receiver.url),
    )
    .await;
    let callbacks = receiver.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(callbacks.len(), 2);
    assert_eq!(callbacks[0], callbacks[1]);
    let stats = api.wait_for_stats(|stats| stats.callbacks_sent == 2).await;
    assert_eq!(stats.callbacks_sent, 2);
}

#[tokio::test]
async fn early_callback_beats_the_response() {
    let config = MockConfig {
        run_duration: Duration::from_secs(30),
        faults: Faults {
            early_callbacks: true,
            ..Faults::default()
        },
        ..fast_config()
    };
    let api = TestApi::start(config).await;
    let receiver = CallbackReceiver::start(0).await;
    let response = api
        .post(
            "/api/v2/async/agent/run",
            &async_body(AgentKind::Prospector, &receiver.url),
        )
        .await;
    assert_eq!(
        receiver.bodies().len(),
        1,
        "callback arrived before the response"
    );
    let accepted: AsyncAgentRunAccepted = response.json().await.unwrap();
    assert_eq!(accepted.status, RunStatus::Completed);
    assert_eq!(
        receiver.bodies()[0]["requestId"],
        accepted.request_id.as_str()
    );
    let status: Value = api
        .get(&format!(
            "/api/v2/async/agent/run/status?requestId={}",
            accepted.request_id
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["status"], "completed");
}

#[tokio::test]
async fn callback_shapes_all_decode() {
    let shapes = [
        (CallbackShape::Standard, "requestId", "result"),
        (CallbackShape::AgentRunOId, "agentRunOId", "data"),
        (CallbackShape::SyncEnvelope, "requestId", "data"),
    ];
    for (shape, id_field, output_field) in shapes {
        let api = api_with(Faults {
            callback_shape: shape,
            ..Faults::default()
        })
        .await;
        let receiver = CallbackReceiver::start(0).await;
        let accepted: AsyncAgentRunAccepted = api
            .post(
                "/api/v2/async/agent/run",
                &async_body(AgentKind::QualifyPerson, &receiver.url),
            )
            .await
            .json()
            .await
            .unwrap();
        let callbacks = receiver.wait_for(1, Duration::from_secs(5)).await;
        let body = &callbacks[0];
        assert_eq!(body[id_field], accepted.request_id.as_str(), "{shape:?}");
        assert!(body[output_field]["score"].is_number(), "{shape:?}: {body}");
        if shape == CallbackShape::SyncEnvelope {
            assert_eq!(body["found"], true);
            assert!(body["_metadata"].is_object());
        }
        let event = decode_callback_value(body.clone()).unwrap();
        assert_eq!(event.run_id.as_deref(), Some(accepted.request_id.as_str()));
        assert!(matches!(event.state, RunState::Succeeded(_)), "{shape:?}");
    }
}

#[tokio::test]
async fn fail_runs_finish_as_failed() {
    let api = api_with(Faults {
        fail_runs: true,
        ..Faults::default()
    })
    .await;
    let receiver = CallbackReceiver::start(0).await;
    let accepted: AsyncAgentRunAccepted = api
        .post(
            "/api/v2/async/agent/run",
            &async_body(AgentKind::CallPrep, &receiver.url),
        )
        .await
        .json()
        .await
        .unwrap();
    let status = api.wait_for_status(&accepted.request_id, &["failed"]).await;
    assert!(
        status["data"]["error"]
            .as_str()
            .unwrap()
            .contains("fail_runs")
    );
    assert!(status["data"]["result"].is_null());
    let callbacks = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(callbacks[0]["status"], "failed");
    let event = decode_callback_value(callbacks[0].clone()).unwrap();
    assert!(matches!(event.state, RunState::Failed(_)));
}

#[tokio::test]
async fn faults_are_set_over_http() {
    let api = TestApi::with_defaults().await;
    let url = api.url("/_mock/faults");
    let response = api
        .client
        .put(&url)
        .json(&json!({ "error_rate": 1.0, "error_status": 502, "callback_shape": "sync_envelope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let faults: Faults = api
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults.error_status, 502);
    assert_eq!(faults.callback_shape, CallbackShape::SyncEnvelope);
    assert!(!faults.fail_runs, "omitted fields keep defaults");
    assert_eq!(api.get(TYPES).await.status(), 502);
    assert_eq!(api.server.faults(), faults);

    let stats = api
        .client
        .get(api.url("/_mock/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(stats.status(), 200, "controls are never faulted");

    for bad in [
        json!({ "error_rat": 1.0 }),
        json!({ "error_rate": 2.0 }),
        json!({ "error_status": 404 }),
        json!({ "latency_ms": "slow" }),
        json!([1]),
    ] {
        let response = api.client.put(&url).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
    api.client.put(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(api.get(TYPES).await.status(), 200);
}
