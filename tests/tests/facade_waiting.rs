//! Waiting for asynchronous runs: failed runs, handles rebuilt from a stored request id,
//! deadlines, and long runs with paused time.
//!
//! The paused-time tests run the mock in the test's own runtime. Its run timer reads the
//! same paused clock, and loopback I/O completes without the clock moving, so a 30 s run
//! finishes in milliseconds of real time. They set no request timeout: with the clock
//! paused, tokio jumps to the next timer whenever every task waits on I/O, and a request
//! timeout would then fire early.

mod facade_common;

use std::time::Duration;

use facade_common::{CALLBACK_URL, builder_for, client_for, config, quick_wait, start_mock_with};
use octave::agents::EnrichCompany;
use octave::{
    AgentKind, CompanyIdentifier, DynamicRunHandle, Error, PersonIdentifier, RunHandle,
    WaitOptions, WaitOutcome,
};
use octave_mock::{Faults, MockConfig, seeded_agent_id};
use serde_json::json;
use tokio::time::Instant;

#[tokio::test]
async fn failed_run_is_failed_outcome() {
    let mock = start_mock_with(MockConfig {
        faults: Faults {
            fail_runs: true,
            drop_callbacks: true,
            ..Faults::default()
        },
        ..config(Duration::from_millis(100))
    })
    .await;
    let client = client_for(&mock);

    let handle = client
        .enrich_person(
            seeded_agent_id(AgentKind::EnrichPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect("submit accepted");
    let outcome = handle.wait(quick_wait()).await.expect("wait completes");

    let WaitOutcome::Failed { error, request_id } = &outcome else {
        panic!("expected a failed run, got {outcome:?}");
    };
    assert!(!error.is_empty());
    assert_eq!(request_id, handle.request_id());

    let error = outcome.into_result().expect_err("failed run");
    assert!(matches!(error, Error::RunFailed { .. }), "{error:?}");
    assert_eq!(error.request_id(), Some(handle.request_id()));
}

#[tokio::test]
async fn rebuilt_handle_finds_run() {
    let mock = start_mock_with(config(Duration::from_millis(200))).await;
    let submitting_client = client_for(&mock);
    let handle = submitting_client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .external_request_id("order-42")
        .submit(CALLBACK_URL)
        .await
        .expect("submit accepted");
    assert_eq!(handle.external_request_id(), Some("order-42"));
    let stored_id = handle.request_id().to_owned();
    drop(handle);
    drop(submitting_client);

    let client = client_for(&mock);
    let rebuilt = RunHandle::<EnrichCompany>::from_request_id(&client, stored_id.clone());
    let outcome = rebuilt.wait(quick_wait()).await.expect("wait completes");

    let WaitOutcome::Succeeded(run) = outcome else {
        panic!("expected success, got {outcome:?}");
    };
    assert_eq!(run.request_id.as_deref(), Some(stored_id.as_str()));
    assert_eq!(run.external_request_id, None);
    assert!(run.output.and_then(|output| output.company).is_some());

    let dynamic = DynamicRunHandle::from_request_id(&client, AgentKind::EnrichCompany, stored_id);
    let status = dynamic.status().await.expect("status");
    assert!(status.state().is_terminal());
}

#[tokio::test]
async fn same_external_id_reuses_run() {
    let mock = start_mock_with(config(Duration::from_millis(100))).await;
    let client = client_for(&mock);
    let builder = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .external_request_id("batch-7-row-3");

    let first = builder.clone().submit(CALLBACK_URL).await.expect("first");
    let second = builder.submit(CALLBACK_URL).await.expect("second");

    assert_eq!(first.request_id(), second.request_id());
    assert_eq!(mock.stats().runs_created, 1);
    assert_eq!(mock.stats().duplicates_avoided, 1);
}

#[tokio::test]
async fn deadline_reached_over_http() {
    let mock = start_mock_with(config(Duration::from_secs(60))).await;
    let client = client_for(&mock);
    let handle = client
        .call_prep(
            seeded_agent_id(AgentKind::CallPrep),
            PersonIdentifier::email("jane@example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect("submit accepted");
    let options = WaitOptions::new(Duration::from_millis(600))
        .min_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(100));
    let started = Instant::now();

    let outcome = handle.wait(options).await.expect("wait completes");

    let elapsed = started.elapsed();
    let WaitOutcome::DeadlineExceeded { polls, .. } = outcome else {
        panic!("expected the deadline, got {outcome:?}");
    };
    // Polls every 100 ms plus the request time, and one last poll 60 ms before the
    // deadline: at most six polls, fewer when requests are slow on a loaded machine. The
    // exact schedule is checked with paused time below.
    assert!((2..=6).contains(&polls), "{polls} polls");
    let received = mock.stats().status_polls;
    assert!(received <= u64::from(polls), "{received} polls received");
    assert!(
        received + 1 >= u64::from(polls),
        "{received} polls received"
    );
    assert!(elapsed >= Duration::from_millis(540), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn long_run_completes_paused() {
    let mock = start_mock_with(config(Duration::from_secs(30))).await;
    let client = builder_for(&mock)
        .no_request_timeout()
        .build()
        .expect("client");
    let started = Instant::now();

    let outcome = client
        .sequence(octave::AgentTarget::agent(seeded_agent_id(
            AgentKind::Sequence,
        )))
        .email("jane@example.com")
        .submit_and_wait(
            Some(CALLBACK_URL),
            WaitOptions::new(Duration::from_secs(120)),
        )
        .await
        .expect("wait completes");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(30), "{elapsed:?}");
    assert!(elapsed <= Duration::from_secs(41), "{elapsed:?}");
    // First poll at 5 s, then every 5 to 10 s: between 4 and 7 polls cover 30 s.
    let polls = mock.stats().status_polls;
    assert!((4..=7).contains(&polls), "{polls} polls");
}

#[tokio::test(start_paused = true)]
async fn unfinished_run_deadline_paused() {
    let mock = start_mock_with(config(Duration::from_secs(3600))).await;
    let client = builder_for(&mock)
        .no_request_timeout()
        .build()
        .expect("client");
    let handle = client
        .submit_dynamic(
            AgentKind::Prospector,
            json!({"agentOId": seeded_agent_id(AgentKind::Prospector)}),
            CALLBACK_URL,
            None,
        )
        .await
        .expect("submit accepted");
    let options = WaitOptions::new(Duration::from_secs(60))
        .min_interval(Duration::from_secs(5))
        .max_interval(Duration::from_secs(5));
    let started = Instant::now();

    let outcome = handle.wait(options).await.expect("wait completes");

    // Polls at 5, 10, ..., 55 s, then one last poll 1 s before the 60 s deadline.
    let WaitOutcome::DeadlineExceeded { polls, elapsed, .. } = outcome else {
        panic!("expected the deadline, got {outcome:?}");
    };
    assert_eq!(polls, 12);
    assert_eq!(mock.stats().status_polls, 12);
    assert_eq!(started.elapsed(), elapsed);
    assert!(elapsed >= Duration::from_secs(59), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[tokio::test]
async fn unbounded_durations_do_not_overflow() {
    let mock = start_mock_with(config(Duration::from_millis(50))).await;
    let client = client_for(&mock);
    let handle = client
        .enrich_company(
            seeded_agent_id(AgentKind::EnrichCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(CALLBACK_URL)
        .await
        .expect("submit accepted");

    let options = WaitOptions::new(Duration::MAX)
        .min_interval(Duration::from_millis(20))
        .max_interval(Duration::MAX);
    let outcome = handle.wait(options).await.expect("wait completes");

    assert!(outcome.is_succeeded(), "{outcome:?}");
}
