//! Retries and errors of the facade against the mock's injected faults.

mod facade_common;

use std::time::Duration;

use facade_common::{CALLBACK_URL, builder_for, client_for, config, fast_retries, start_mock_with};
use octave::types::AgentType;
use octave::{AgentKind, CompanyIdentifier, Error, ListAgentsQuery, PersonIdentifier, RetryPolicy};
use octave_mock::{Faults, MockConfig, MockServer, seeded_agent_id};
use reqwest::StatusCode;
use tokio::time::Instant;

/// Starts a mock with `faults` on top of the test defaults.
async fn mock_with(faults: Faults) -> MockServer {
    let base = config(Duration::from_millis(100));
    start_mock_with(MockConfig {
        faults: Faults {
            drop_callbacks: true,
            ..faults
        },
        ..base
    })
    .await
}

fn failing_with(status: u16) -> Faults {
    Faults {
        error_rate: 1.0,
        error_status: status,
        ..Faults::default()
    }
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let mock = start_mock_with(MockConfig {
        retry_after: Duration::from_secs(1),
        faults: Faults {
            rate_limit_burst: 1,
            drop_callbacks: true,
            ..Faults::default()
        },
        ..config(Duration::from_millis(100))
    })
    .await;
    let client = client_for(&mock);
    let started = Instant::now();

    let result = client.validate_api_key().await;

    assert!(result.is_ok(), "{result:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "retried after {:?}, before the 1 s Retry-After",
        started.elapsed()
    );
    assert_eq!(mock.stats().rate_limited, 1);
}

#[tokio::test]
async fn retry_after_capped_by_policy() {
    let mock = start_mock_with(MockConfig {
        retry_after: Duration::from_secs(30),
        faults: Faults {
            rate_limit_burst: 1,
            drop_callbacks: true,
            ..Faults::default()
        },
        ..config(Duration::from_millis(100))
    })
    .await;
    let client = builder_for(&mock)
        .retry_policy(fast_retries().max_retry_after(Duration::from_millis(50)))
        .build()
        .expect("client");
    let started = Instant::now();

    let result = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .run()
        .await;

    assert!(result.is_ok(), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.stats().rate_limited, 1);
    assert_eq!(mock.stats().sync_runs, 1);
}

#[tokio::test]
async fn rate_limit_error_after_retries() {
    let mock = mock_with(Faults {
        rate_limit_burst: 10,
        ..Faults::default()
    })
    .await;
    let client = builder_for(&mock)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .max_retry_after(Duration::from_millis(10)),
        )
        .build()
        .expect("client");

    let error = client.list_agent_types().await.expect_err("still limited");

    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(mock.stats().rate_limited, 2);
}

#[tokio::test]
async fn unavailable_submit_is_retried() {
    let mock = mock_with(failing_with(503)).await;
    let client = client_for(&mock);

    let error = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect_err("every attempt fails");

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(mock.stats().requests, 4, "a 503 submit is sent four times");
    assert_eq!(mock.stats().runs_created, 0);
}

#[tokio::test]
async fn server_error_submit_not_retried() {
    let mock = mock_with(failing_with(500)).await;
    let client = client_for(&mock);

    let error = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect_err("500");

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(
        mock.stats().requests,
        1,
        "a 500 submit is sent once by default"
    );
}

#[tokio::test]
async fn server_error_submit_retried_when_allowed() {
    let mock = mock_with(failing_with(500)).await;
    let client = builder_for(&mock)
        .retry_policy(fast_retries().retry_ambiguous_submits(true))
        .build()
        .expect("client");

    let error = client
        .qualify_person(
            seeded_agent_id(AgentKind::QualifyPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .run()
        .await
        .expect_err("500");

    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(mock.stats().requests, 4);
}

#[tokio::test]
async fn server_error_read_is_retried() {
    let mock = mock_with(failing_with(502)).await;
    let client = client_for(&mock);

    let error = client.validate_api_key().await.expect_err("502");

    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    assert!(error.is_retryable());
    assert_eq!(mock.stats().requests, 4);
}

#[tokio::test]
async fn retried_submits_reuse_external_id() {
    // A garbled reply to a submit leaves it unknown whether the run started. With the
    // opt-in, the submit is sent again with the same x-external-request-id, and the mock
    // returns the run it already created for each repeat.
    let mock = mock_with(Faults {
        malformed_json_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let client = builder_for(&mock)
        .retry_policy(fast_retries().retry_ambiguous_submits(true))
        .build()
        .expect("client");

    let error = client
        .enrich_person(
            seeded_agent_id(AgentKind::EnrichPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect_err("every reply is garbled");

    assert!(matches!(error, Error::UndecodableBody { .. }), "{error:?}");
    let stats = mock.stats();
    assert_eq!(stats.runs_created, 1);
    assert_eq!(stats.duplicates_avoided, 3);
}

#[tokio::test]
async fn malformed_json_is_undecodable() {
    let mock = mock_with(Faults {
        malformed_json_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let client = client_for(&mock);

    let error = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .run()
        .await
        .expect_err("garbled reply");

    let Error::UndecodableBody {
        status, body_start, ..
    } = &error
    else {
        panic!("expected UndecodableBody, got {error:?}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert!(body_start.starts_with('{'), "{body_start:?}");
    assert!(body_start.len() <= 200);
    assert_eq!(
        mock.stats().requests,
        1,
        "a garbled submit reply is not retried"
    );
}

#[tokio::test]
async fn reset_connection_is_transport_error() {
    let mock = mock_with(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let client = client_for(&mock);

    let read_error = client.list_agent_types().await.expect_err("reset");
    assert!(
        matches!(read_error, Error::Transport { .. }),
        "{read_error:?}"
    );
    assert!(read_error.is_retryable());
    assert_eq!(
        mock.stats().faults_injected,
        4,
        "a reset read is sent four times"
    );

    let submit_error = client
        .call_prep(
            seeded_agent_id(AgentKind::CallPrep),
            PersonIdentifier::email("jane@example.com"),
        )
        .run()
        .await
        .expect_err("reset");
    assert!(
        matches!(submit_error, Error::Transport { .. }),
        "{submit_error:?}"
    );
    assert_eq!(
        mock.stats().faults_injected,
        5,
        "a reset submit is sent once"
    );
}

#[tokio::test]
async fn refused_connection_is_retried() {
    let mock = mock_with(Faults::default()).await;
    let url = mock.url();
    mock.shutdown().await;
    let client = octave::Client::builder()
        .api_key("key")
        .base_url(url)
        .retry_policy(fast_retries())
        .build()
        .expect("client");

    let error = client
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .run()
        .await
        .expect_err("nothing listens");

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("could not connect"), "{error}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn unknown_fields_and_values_decode() {
    let mock = mock_with(Faults {
        unknown_fields: true,
        unknown_enum_values: true,
        ..Faults::default()
    })
    .await;
    let client = client_for(&mock);

    let company = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .run()
        .await
        .expect("enrich company decodes");
    assert!(company.output.is_some());
    let sequence = client
        .sequence(octave::AgentTarget::agent(seeded_agent_id(
            AgentKind::Sequence,
        )))
        .email("jane@example.com")
        .run()
        .await
        .expect("sequence decodes");
    assert!(sequence.output.is_some());

    let agents = client
        .list_agents(ListAgentsQuery::new().limit(100))
        .await
        .expect("list decodes");
    let unknown = AgentType::Unknown("FUTURE_AGENT".into());
    assert!(
        agents
            .data
            .iter()
            .any(|agent| agent.type_.as_ref() == Some(&unknown)),
        "no agent of an unknown type listed"
    );

    let outcome = client
        .qualify_person(
            seeded_agent_id(AgentKind::QualifyPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .submit_and_wait(Some(CALLBACK_URL), facade_common::quick_wait())
        .await
        .expect("wait decodes");
    assert!(outcome.is_succeeded(), "{outcome:?}");
}

#[tokio::test]
async fn slow_response_times_out() {
    let mock = mock_with(Faults {
        latency_ms: 500,
        ..Faults::default()
    })
    .await;
    let client = builder_for(&mock)
        .request_timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");

    let error = client.validate_api_key().await.expect_err("too slow");

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(
        error.to_string().contains("timed out after 100ms"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_key_is_unauthorized() {
    let mock = mock_with(Faults::default()).await;
    let secret = "wrong-key-5f1c2a";
    let client = octave::Client::builder()
        .api_key(secret)
        .base_url(mock.url())
        .retry_policy(fast_retries())
        .build()
        .expect("client");

    let error = client.validate_api_key().await.expect_err("401");

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(!error.is_retryable());
    assert_eq!(mock.stats().requests, 1, "a 401 is not retried");
    assert!(!error.to_string().contains(secret), "Display shows the key");
    assert!(
        !format!("{error:?}").contains(secret),
        "Debug shows the key"
    );
    assert!(
        !format!("{client:?}").contains(secret),
        "client Debug shows the key"
    );
}

#[tokio::test]
async fn own_http_client_sends_key() {
    let mock = mock_with(Faults::default()).await;
    let client = octave::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .http_client(reqwest::Client::new())
        .request_source("facade-tests")
        .build()
        .expect("client");

    let key = client
        .validate_api_key()
        .await
        .expect("key sent per request");

    assert_eq!(key.valid, Some(true));
}
