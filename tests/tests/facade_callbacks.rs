//! Waits that end by callback: a `CallbackReceiver` on loopback receives the mock's
//! callbacks, in every shape and under every callback fault, and ignores forged ones.
//!
//! The waits poll at most every 10 s with a 20 s deadline unless a test needs polling, so a
//! run that finishes in well under a second finished by callback.

mod facade_common;

use std::time::Duration;

use facade_common::{builder_for, start_mock_with};
use octave::agents::QualifyCompany;
use octave::callbacks::{CallbackReceiver, ReceiverStats};
use octave::{
    AgentKind, Client, CompanyIdentifier, Error, PersonIdentifier, RunHandle, WaitOptions,
    WaitOutcome,
};
use octave_mock::{CallbackShape, Faults, MockConfig, MockServer, seeded_agent_id};
use serde_json::json;
use tokio::time::Instant;

/// Run time of the mock's runs: long enough that a callback does not overtake the reply
/// to its submit on a loaded machine, which would make it early and cost a status poll.
const RUN_TIME: Duration = Duration::from_millis(250);

/// Waits whose first poll comes after 10 s.
fn callback_wait() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(20))
        .min_interval(Duration::from_secs(10))
        .max_interval(Duration::from_secs(10))
}

/// Mock whose runs take `run_duration`, with `faults`, a client, and a receiver attached.
async fn setup(run_duration: Duration, faults: Faults) -> (MockServer, Client, CallbackReceiver) {
    let mock = start_mock_with(MockConfig {
        run_duration,
        callback_backoff: Duration::from_millis(20),
        faults,
        ..MockConfig::default()
    })
    .await;
    let client = builder_for(&mock).build().expect("client builds");
    let receiver = CallbackReceiver::builder()
        .bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    receiver.attach(&client);
    (mock, client, receiver)
}

/// Submits a Qualify Company run to a fresh receiver URL and binds its request id.
async fn submit_bound(client: &Client, receiver: &CallbackReceiver) -> RunHandle<QualifyCompany> {
    let url = receiver.callback_url();
    let handle = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(&url)
        .await
        .expect("submit accepted");
    receiver.register_run(&url, handle.request_id());
    handle
}

/// Reads the receiver's counters until `done` returns true or 5 s pass, because callbacks
/// are handled on their own task after the 200 response.
async fn stats_when(
    receiver: &CallbackReceiver,
    done: impl Fn(&ReceiverStats) -> bool,
) -> ReceiverStats {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let stats = receiver.stats();
        if done(&stats) || Instant::now() > until {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn every_agent_finishes_by_callback() {
    let (mock, client, receiver) = setup(RUN_TIME, Faults::default()).await;
    let started = Instant::now();

    for kind in AgentKind::ALL {
        let agent_id = seeded_agent_id(kind);
        let input = match kind {
            AgentKind::EnrichCompany | AgentKind::QualifyCompany | AgentKind::Prospector => {
                json!({"agentOId": agent_id, "companyDomain": "example.com"})
            }
            _ => json!({"agentOId": agent_id, "email": "jane@example.com"}),
        };
        let url = receiver.callback_url();
        let handle = client
            .submit_dynamic(kind, input, &url, None)
            .await
            .unwrap_or_else(|error| panic!("{kind}: submit failed: {error}"));
        receiver.register_run(&url, handle.request_id());

        let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");
        let WaitOutcome::Succeeded(run) = outcome else {
            panic!("{kind}: run did not succeed: {outcome:?}");
        };
        assert!(run.output.is_some(), "{kind}: no output");
        assert_eq!(run.request_id.as_deref(), Some(handle.request_id()));
    }

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.stats().status_polls, 0);
    assert_eq!(receiver.stats().verified, 8);
    receiver.shutdown().await;
}

#[tokio::test]
async fn submit_and_wait_uses_receiver() {
    let (mock, client, receiver) = setup(RUN_TIME, Faults::default()).await;
    let started = Instant::now();

    let outcome = client
        .qualify_person(
            seeded_agent_id(AgentKind::QualifyPerson),
            PersonIdentifier::email("jane@example.com"),
        )
        .submit_and_wait(None, callback_wait())
        .await
        .expect("wait succeeds");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // submit binds the receiver's URL to the request id, so the callback is trusted as is.
    assert_eq!(mock.stats().status_polls, 0);
    assert_eq!(receiver.stats().verified, 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn attached_receiver_comes_before_client_default() {
    let mock = start_mock_with(MockConfig {
        run_duration: RUN_TIME,
        ..MockConfig::default()
    })
    .await;
    let client = builder_for(&mock)
        .callback_url("http://127.0.0.1:9/fallback")
        .build()
        .expect("client builds");
    let receiver = CallbackReceiver::builder()
        .bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    receiver.attach(&client);

    let outcome = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit_and_wait(None, callback_wait())
        .await
        .expect("wait succeeds");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    assert_eq!(receiver.stats().verified, 1);
    assert_eq!(mock.stats().status_polls, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn dynamic_submit_binds_receiver_url() {
    let (mock, client, receiver) = setup(RUN_TIME, Faults::default()).await;
    let input = json!({
        "agentOId": seeded_agent_id(AgentKind::QualifyCompany),
        "companyDomain": "example.com",
    });

    let handle = client
        .submit_dynamic(
            AgentKind::QualifyCompany,
            input,
            &receiver.callback_url(),
            None,
        )
        .await
        .expect("submit accepted");
    let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    let stats = receiver.stats();
    assert_eq!((stats.verified, stats.early), (1, 0), "{stats:?}");
    assert_eq!(mock.stats().status_polls, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn lost_callback_recovered_by_polling() {
    let faults = Faults {
        drop_callbacks: true,
        ..Faults::default()
    };
    let (mock, client, receiver) = setup(RUN_TIME, faults).await;
    let options = WaitOptions::new(Duration::from_secs(10))
        .min_interval(Duration::from_millis(200))
        .max_interval(Duration::from_millis(400));

    let handle = submit_bound(&client, &receiver).await;
    let outcome = handle.wait(options).await.expect("wait succeeds");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    assert!(mock.stats().status_polls >= 1);
    assert_eq!(receiver.stats().received, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn duplicate_callbacks_are_ignored() {
    let faults = Faults {
        duplicate_callbacks: true,
        ..Faults::default()
    };
    let (mock, client, receiver) = setup(RUN_TIME, faults).await;

    for _ in 0..5 {
        let handle = submit_bound(&client, &receiver).await;
        let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");
        assert!(outcome.is_succeeded(), "{outcome:?}");
    }

    let stats = stats_when(&receiver, |stats| stats.duplicates >= 5).await;
    assert_eq!(stats.verified, 5);
    assert_eq!(stats.duplicates, 5);
    assert_eq!(mock.stats().callbacks_sent, 10);
    assert_eq!(mock.stats().status_polls, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn early_callback_completes_wait() {
    let faults = Faults {
        early_callbacks: true,
        ..Faults::default()
    };
    let (mock, client, receiver) = setup(Duration::from_secs(30), faults).await;
    let url = receiver.callback_url();
    let handle = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit(&url)
        .await
        .expect("submit accepted");

    // The callback arrived before the submit returned; let it be handled before the bind.
    let stats = stats_when(&receiver, |stats| stats.early == 1).await;
    assert_eq!(stats.early, 1);
    receiver.register_run(&url, handle.request_id());
    let started = Instant::now();
    let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");

    assert!(outcome.is_succeeded(), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(receiver.stats().verified, 1);
    assert_eq!(mock.stats().status_polls, 0);

    let outcome = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.org"),
        )
        .submit_and_wait(None, callback_wait())
        .await
        .expect("wait succeeds");
    assert!(outcome.is_succeeded(), "{outcome:?}");
    receiver.shutdown().await;
}

#[tokio::test]
async fn forged_callbacks_are_ignored() {
    // The forgeries must arrive before the genuine callbacks, after which any further
    // callback at the URL counts as a duplicate.
    let (mock, client, receiver) = setup(Duration::from_secs(1), Faults::default()).await;
    let other = submit_bound(&client, &receiver).await;
    let real_url = receiver.callback_url();
    let handle = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.net"),
        )
        .submit(&real_url)
        .await
        .expect("submit accepted");
    receiver.register_run(&real_url, handle.request_id());
    let forged_body =
        |run_id: &str| json!({"requestId": run_id, "status": "succeeded", "result": {"score": -1}});
    let http = reqwest::Client::new();
    let base = format!("http://{}/octave/callbacks", receiver.local_addr());

    let forgeries = [
        (
            format!("{base}/{}", "0".repeat(32)),
            forged_body(handle.request_id()),
        ),
        (
            format!("{base}/not-a-token"),
            forged_body(handle.request_id()),
        ),
        (real_url.clone(), forged_body(other.request_id())),
        (real_url.clone(), forged_body("asyncReqID_forged")),
    ];
    for (url, body) in forgeries {
        let response = http.post(&url).json(&body).send().await.expect("POST sent");
        assert_eq!(response.status(), 200, "{url}");
    }
    let method = http.get(&real_url).send().await.expect("GET sent");
    assert_eq!(method.status(), 405);

    let stats = stats_when(&receiver, |stats| {
        stats.unknown_token == 2 && stats.mismatched_run_id == 2
    })
    .await;
    assert_eq!(stats.unknown_token, 2);
    assert_eq!(stats.mismatched_run_id, 2);

    for handle in [handle, other] {
        let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");
        let WaitOutcome::Succeeded(run) = outcome else {
            panic!("run did not succeed: {outcome:?}");
        };
        let score = run.output.and_then(|output| output.score);
        assert!(
            score.is_some_and(|score| score >= 0.0),
            "forged score {score:?}"
        );
    }
    assert_eq!(mock.stats().status_polls, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn every_callback_shape_decodes() {
    for shape in [
        CallbackShape::Standard,
        CallbackShape::AgentRunOId,
        CallbackShape::SyncEnvelope,
    ] {
        let faults = Faults {
            callback_shape: shape,
            unknown_fields: true,
            ..Faults::default()
        };
        let (mock, client, receiver) = setup(RUN_TIME, faults).await;

        let handle = submit_bound(&client, &receiver).await;
        let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");

        let WaitOutcome::Succeeded(run) = outcome else {
            panic!("{shape:?}: run did not succeed: {outcome:?}");
        };
        assert!(run.found, "{shape:?}");
        assert!(
            run.output.and_then(|output| output.score).is_some(),
            "{shape:?}"
        );
        if shape == CallbackShape::SyncEnvelope {
            assert_eq!(run.message.as_deref(), Some("Agent run completed"));
            assert!(run.usage.is_some());
        }
        assert_eq!(receiver.stats().verified, 1, "{shape:?}");
        assert_eq!(mock.stats().status_polls, 0, "{shape:?}");
        receiver.shutdown().await;
    }
}

#[tokio::test]
async fn failed_run_reported_by_callback() {
    let faults = Faults {
        fail_runs: true,
        ..Faults::default()
    };
    let (mock, client, receiver) = setup(RUN_TIME, faults).await;

    let handle = submit_bound(&client, &receiver).await;
    let outcome = handle.wait(callback_wait()).await.expect("wait succeeds");

    let WaitOutcome::Failed { error, request_id } = outcome else {
        panic!("expected a failed run, got {outcome:?}");
    };
    assert!(error.contains("fail_runs"), "{error}");
    assert_eq!(request_id, handle.request_id());
    assert_eq!(mock.stats().status_polls, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn base_path_routes_callbacks() {
    let receiver = CallbackReceiver::bind("127.0.0.1:0", "https://hooks.example.com/octave-sdk/")
        .await
        .expect("receiver binds");
    assert_eq!(
        receiver.public_base_url(),
        "https://hooks.example.com/octave-sdk"
    );
    let url = receiver.callback_url();
    let token = url.rsplit('/').next().expect("token");
    assert!(
        url.starts_with("https://hooks.example.com/octave-sdk/octave/callbacks/"),
        "{url}"
    );
    receiver.register_run(&url, "run_1");
    let http = reqwest::Client::new();
    let body = json!({"requestId": "run_1", "status": "succeeded", "result": {}});

    for path in ["/octave-sdk/octave/callbacks", "/octave/callbacks"] {
        let local = format!("http://{}{path}/{token}", receiver.local_addr());
        let response = http
            .post(&local)
            .json(&body)
            .send()
            .await
            .expect("POST sent");
        assert_eq!(response.status(), 200, "{local}");
    }

    let stats = stats_when(&receiver, |stats| stats.duplicates == 1).await;
    assert_eq!(stats.received, 2);
    assert_eq!(stats.verified, 1);
    assert_eq!(stats.duplicates, 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn route_syntax_in_base_path_is_text() {
    let http = reqwest::Client::new();
    for base in [
        "https://hooks.example.com/:param",
        "https://hooks.example.com/*rest",
        "https://hooks.example.com/{token}",
    ] {
        let receiver = CallbackReceiver::bind("127.0.0.1:0", base)
            .await
            .expect(base);
        let url = receiver.callback_url();
        // `{` and `}` are percent-encoded in the URL; the other characters stay as given.
        assert!(url.starts_with(receiver.public_base_url()), "{url}");
        let path = url.strip_prefix("https://hooks.example.com").expect("path");
        receiver.register_run(&url, "run_1");
        let body = json!({"requestId": "run_1", "status": "succeeded", "result": {}});

        let local = format!("http://{}{path}", receiver.local_addr());
        let response = http.post(&local).json(&body).send().await.expect("POST");
        assert_eq!(response.status(), 200, "{local}");
        let stats = stats_when(&receiver, |stats| stats.verified == 1).await;
        assert_eq!(stats.verified, 1, "{base}");
        receiver.shutdown().await;
    }
}

#[tokio::test]
async fn only_posts_to_callback_paths_are_served() {
    let receiver = CallbackReceiver::bind("127.0.0.1:0", "https://hooks.example.com/base")
        .await
        .expect("receiver binds");
    let url = receiver.callback_url();
    let token = url.rsplit('/').next().expect("token");
    let local = |path: &str| format!("http://{}{path}", receiver.local_addr());
    let http = reqwest::Client::new();

    let get = http
        .get(local(&format!("/base/octave/callbacks/{token}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    for path in [
        "/",
        "/base",
        "/octave/callbacks/",
        "/other/octave/callbacks/abc",
        "/octave/callbacks/abc/extra",
    ] {
        let response = http
            .post(local(path))
            .body("{}")
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 404, "{path}");
    }
    assert_eq!(receiver.stats().received, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn public_url_credentials_rejected_and_hidden() {
    let error = CallbackReceiver::bind("127.0.0.1:0", "https://hook:s3cret@hooks.example.com")
        .await
        .expect_err("credentials in the public URL");
    assert!(
        matches!(&error, Error::Config { setting, .. } if setting == "public_base_url"),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        !text.contains("s3cret") && !text.contains("hook:"),
        "{text}"
    );
    assert!(text.contains("user name or password"), "{text}");
}

#[tokio::test]
async fn invalid_public_url_rejected() {
    for url in [
        "ftp://hooks.example.com",
        "/relative",
        "https://hooks.example.com/?a=1",
    ] {
        let error = CallbackReceiver::bind("127.0.0.1:0", url)
            .await
            .expect_err(url);
        assert!(
            matches!(&error, Error::Config { setting, .. } if setting == "public_base_url"),
            "{url}: {error:?}"
        );
        // A query may hold a secret, so the error shows the URL without it.
        let without_query = url.split('?').next().expect("text");
        assert!(error.to_string().contains(without_query), "{error}");
        assert!(!error.to_string().contains("a=1"), "{error}");
    }
}

#[tokio::test]
async fn shutdown_stops_handing_out_urls() {
    let (mock, client, receiver) = setup(RUN_TIME, Faults::default()).await;
    receiver.shutdown().await;

    let error = client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain("example.com"),
        )
        .submit_and_wait(None, callback_wait())
        .await
        .expect_err("no callback URL left");

    assert!(
        matches!(&error, Error::InvalidInput { field, .. } if field == "callbackUrl"),
        "{error:?}"
    );
    assert!(error.to_string().contains("shut down"), "{error}");
    assert_eq!(mock.stats().runs_created, 0);
}
