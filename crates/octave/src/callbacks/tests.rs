use serde_json::json;

use super::*;
use crate::error::Error;
use octave_types::agents::QualifyCompany;

#[test]
fn run_output_decodes_typed_output() {
    let body = br#"{"agentRunOId": "run_1", "status": "completed", "data": {"score": 4}}"#;
    let event = decode_callback(body).expect("decodes");
    let output = run_output::<QualifyCompany>(&event)
        .expect("fits the type")
        .expect("a success");
    assert_eq!(output.request_id.as_deref(), Some("run_1"));
    assert_eq!(output.output.and_then(|output| output.score), Some(4.0));
    assert!(output.found);
}

#[test]
fn run_output_of_failure_is_none() {
    let body = br#"{"requestId": "run_1", "status": "failed", "error": "boom"}"#;
    let event = decode_callback(body).expect("decodes");
    let output = run_output::<QualifyCompany>(&event).expect("no decoding needed");
    assert!(output.is_none());
}

#[test]
fn run_output_reports_mistyped_field() {
    let body = br#"{"requestId": "run_1", "status": "succeeded", "result": {"score": "high"}}"#;
    let event = decode_callback(body).expect("decodes");
    let error = run_output::<QualifyCompany>(&event).expect_err("score is not a number");
    assert!(
        matches!(&error, Error::OutputMismatch { path, request_id, .. }
            if path == "score" && request_id.as_deref() == Some("run_1")),
        "{error:?}"
    );
}

#[test]
fn envelope_callback_keeps_metadata() {
    let body = json!({
        "requestId": "run_1",
        "status": "succeeded",
        "_metadata": {"requestId": "req_9", "usage": 1.5},
        "found": true,
        "message": "Agent run completed",
        "data": {"score": 7}
    });
    let event = decode_callback(body.to_string().as_bytes()).expect("decodes");
    let output = run_output::<QualifyCompany>(&event)
        .expect("fits the type")
        .expect("a success");
    assert_eq!(output.usage, Some(1.5));
    assert_eq!(output.message.as_deref(), Some("Agent run completed"));
    assert_eq!(output.request_id.as_deref(), Some("run_1"));
    assert_eq!(output.output.and_then(|output| output.score), Some(7.0));
}

#[cfg(feature = "receiver")]
#[test]
fn fast_read_matches_decode_callback() {
    use super::read::read_callback;

    let bodies = [
        r#"{"requestId": "r1", "status": "succeeded", "result": {"score": 1}}"#,
        r#"{"agentRunOId": "r1", "status": "completed", "data": {"score": 2}}"#,
        r#"{"requestId": "r1", "agentRunOId": "r2", "status": "succeeded", "result": 3}"#,
        r#"{"requestId": "r1", "status": "succeeded", "_metadata": {"requestId": "q", "usage": 1.5},
            "found": true, "message": "done", "data": {"score": 4}}"#,
        r#"{"requestId": "r1", "status": "failed", "error": "boom"}"#,
        r#"{"requestId": "r1", "status": "failed"}"#,
        r#"{"requestId": "r1", "status": "failed", "error": ""}"#,
        r#"{"requestId": "r1", "error": "boom"}"#,
        r#"{"requestId": "r1", "result": {"score": 5}}"#,
        r#"{"requestId": "r1"}"#,
        r#"{"requestId": "r1", "status": "queued"}"#,
        r#"{"requestId": "r1", "status": "running", "result": {"score": 6}}"#,
        r#"{"requestId": "r1", "data": {"_metadata": {}, "found": false, "data": null}}"#,
        r#"{"requestId": "r1", "result": {"found": true, "data": {"score": 7}}}"#,
        r#"{"requestId": null, "error": null, "status": "succeeded", "result": null}"#,
        r#"{"requestId": "r1", "status": "succeeded", "result": {}, "extra": {"a": [1]}}"#,
        r#"{"requestId": 5, "status": "failed", "error": {"code": 1}}"#,
        r#"{"requestId": "r1", "status": "succeeded", "found": "yes", "data": {"score": 8}}"#,
        r#"{"requestId": "r1", "status": "succeeded", "_metadata": "x", "data": {"score": 9}}"#,
        r#"{"requestId": "r1", "status": 3, "result": {"score": 10}}"#,
        r#"[1]"#,
        r#""text""#,
        r#"{"requestId": "#,
    ];
    for body in bodies {
        let fast = read_callback(body.as_bytes());
        let lenient = decode_callback(body.as_bytes());
        match (fast, lenient) {
            (Ok(fast), Ok(event)) => {
                let state = match event.state {
                    RunState::Succeeded(_) => RunState::Succeeded(result_value(event.payload)),
                    other => other,
                };
                assert_eq!(fast.run_id, event.run_id, "{body}");
                assert_eq!(fast.status, event.status, "{body}");
                assert_eq!(fast.state, state, "{body}");
            }
            (Err(_), Err(_)) => {}
            (fast, lenient) => panic!("{body}: {fast:?} but {lenient:?}"),
        }
    }
}

#[cfg(feature = "receiver")]
mod registry {
    use std::time::Duration;

    use serde_json::json;
    use tokio::sync::oneshot;
    use tokio::sync::oneshot::error::TryRecvError;

    use crate::callbacks::registry::{Disposition, Registry, parse_token};
    use crate::wait::CallbackSignal;
    use octave_types::RunState;

    const BASE: &str = "https://hooks.example.com";

    fn registry() -> Registry {
        Registry::new(BASE, Duration::from_secs(60), Duration::from_secs(10))
    }

    fn token_of(url: &str) -> &str {
        url.rsplit('/').next().expect("URL has a path")
    }

    fn success(run_id: &str) -> Vec<u8> {
        json!({"requestId": run_id, "status": "succeeded", "result": {"score": 5}})
            .to_string()
            .into_bytes()
    }

    fn verified_score(receiver: &mut oneshot::Receiver<CallbackSignal>) -> serde_json::Value {
        match receiver.try_recv() {
            Ok(CallbackSignal::Verified(RunState::Succeeded(value))) => value,
            other => panic!("expected a verified success, got {other:?}"),
        }
    }

    #[test]
    fn minted_urls_are_distinct_tokens() {
        let registry = registry();
        let first = registry.mint().expect("open");
        let second = registry.mint().expect("open");
        assert!(
            first.starts_with("https://hooks.example.com/octave/callbacks/"),
            "{first}"
        );
        assert_ne!(first, second);
        assert!(parse_token(token_of(&first)).is_some());
    }

    #[test]
    fn token_parsing_is_strict() {
        assert!(parse_token(&"a".repeat(32)).is_some());
        for bad in [
            "",
            "abc",
            &"A".repeat(32),
            &"g".repeat(32),
            &"a".repeat(33),
            "+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(parse_token(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn bound_callback_is_verified() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");

        let disposition = registry.accept(token_of(&url), &success("run_1"));

        assert_eq!(disposition, Disposition::Verified);
        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
        assert_eq!(registry.sizes(), (1, 1));
    }

    #[tokio::test]
    async fn finished_run_rebound_polls_at_once() {
        let registry = registry();
        let first = registry.mint().expect("open");
        registry.bind(&first, "run_1");
        registry.accept(token_of(&first), &success("run_1"));
        let mut receiver = registry.subscribe("run_1").expect("open");
        verified_score(&mut receiver);

        // A resubmit that the service deduplicated returns the same run and no callback.
        let second = registry.mint().expect("open");
        registry.bind(&second, "run_1");
        let mut again = registry.subscribe("run_1").expect("open");

        assert!(matches!(again.try_recv(), Ok(CallbackSignal::Unverified)));
        let repeat = registry.accept(token_of(&second), &success("run_1"));
        assert_eq!(repeat, Disposition::Duplicate);
    }

    #[tokio::test]
    async fn callback_before_subscribe_is_kept() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        registry.accept(token_of(&url), &success("run_1"));

        let mut receiver = registry.subscribe("run_1").expect("open");

        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
    }

    #[tokio::test]
    async fn callback_before_bind_is_verified() {
        let registry = registry();
        let url = registry.mint().expect("open");

        let disposition = registry.accept(token_of(&url), &success("run_1"));
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");

        assert_eq!(disposition, Disposition::Early);
        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
        assert_eq!(
            registry
                .counters
                .verified
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }

    #[tokio::test]
    async fn unbound_callback_is_unverified() {
        let registry = registry();
        let url = registry.mint().expect("open");
        let mut receiver = registry.subscribe("run_1").expect("open");

        registry.accept(token_of(&url), &success("run_1"));

        assert!(matches!(
            receiver.try_recv(),
            Ok(CallbackSignal::Unverified)
        ));
    }

    #[tokio::test]
    async fn body_without_run_id_is_unverified() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");
        let body = br#"{"status": "succeeded", "result": {"score": 1}}"#;

        let disposition = registry.accept(token_of(&url), body);

        assert_eq!(disposition, Disposition::Unverified);
        assert!(matches!(
            receiver.try_recv(),
            Ok(CallbackSignal::Unverified)
        ));
    }

    #[tokio::test]
    async fn mismatched_run_id_is_ignored() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");
        let mut other = registry.subscribe("run_2").expect("open");

        let forged = registry.accept(token_of(&url), &success("run_2"));
        assert_eq!(forged, Disposition::MismatchedRunId);
        assert!(matches!(receiver.try_recv(), Err(TryRecvError::Empty)));
        assert!(matches!(other.try_recv(), Err(TryRecvError::Empty)));

        let genuine = registry.accept(token_of(&url), &success("run_1"));
        assert_eq!(genuine, Disposition::Verified);
        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
    }

    #[tokio::test]
    async fn early_callback_for_other_run_is_ignored() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.accept(token_of(&url), &success("run_2"));

        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");

        assert!(matches!(receiver.try_recv(), Err(TryRecvError::Empty)));
        let genuine = registry.accept(token_of(&url), &success("run_1"));
        assert_eq!(genuine, Disposition::Verified);
        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
    }

    #[tokio::test]
    async fn unknown_and_repeated_callbacks_ignored() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");

        let unknown = registry.accept(&"0".repeat(32), &success("run_1"));
        let malformed = registry.accept("not-a-token", &success("run_1"));
        let first = registry.accept(token_of(&url), &success("run_1"));
        let repeat = registry.accept(token_of(&url), &success("run_1"));

        assert_eq!(unknown, Disposition::UnknownToken);
        assert_eq!(malformed, Disposition::UnknownToken);
        assert_eq!(first, Disposition::Verified);
        assert_eq!(repeat, Disposition::Duplicate);
    }

    #[tokio::test]
    async fn unfinished_and_undecodable_ignored() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let running = br#"{"requestId": "run_1", "status": "running"}"#;

        assert_eq!(
            registry.accept(token_of(&url), running),
            Disposition::InProgress
        );
        assert_eq!(
            registry.accept(token_of(&url), b"<html>"),
            Disposition::Undecodable
        );
        assert_eq!(
            registry.accept(token_of(&url), b"[1]"),
            Disposition::Undecodable
        );
        let genuine = registry.accept(token_of(&url), &success("run_1"));
        assert_eq!(genuine, Disposition::Verified);
    }

    #[tokio::test]
    async fn failed_run_signal_carries_error() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");
        let body = br#"{"requestId": "run_1", "status": "failed", "error": "no such company"}"#;

        registry.accept(token_of(&url), body);

        match receiver.try_recv() {
            Ok(CallbackSignal::Verified(RunState::Failed(message))) => {
                assert_eq!(message, "no such company");
            }
            other => panic!("expected a verified failure, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn idle_tokens_expire() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        assert_eq!(registry.sizes(), (1, 0));

        tokio::time::advance(Duration::from_secs(61)).await;
        registry.mint();
        tokio::time::advance(Duration::from_secs(8)).await;
        registry.mint();

        assert_eq!(
            registry.accept(token_of(&url), &success("run_1")),
            Disposition::UnknownToken
        );
        assert_eq!(
            registry
                .counters
                .expired_tokens
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }

    #[tokio::test(start_paused = true)]
    async fn awaited_token_stays_valid() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");

        for _ in 0..20 {
            tokio::time::advance(Duration::from_secs(10)).await;
            registry.mint();
        }

        assert_eq!(
            registry.accept(token_of(&url), &success("run_1")),
            Disposition::Verified
        );
        assert_eq!(verified_score(&mut receiver), json!({"score": 5}));
    }

    #[tokio::test(start_paused = true)]
    async fn finished_entries_are_dropped() {
        let registry = registry();
        for index in 0..100 {
            let url = registry.mint().expect("open");
            let run_id = format!("run_{index}");
            registry.bind(&url, &run_id);
            registry.accept(token_of(&url), &success(&run_id));
        }
        assert_eq!(registry.sizes(), (100, 100));

        tokio::time::advance(Duration::from_secs(11)).await;
        registry.mint();
        tokio::time::advance(Duration::from_secs(2)).await;
        registry.mint();

        assert_eq!(registry.sizes(), (2, 0));
    }

    #[tokio::test]
    async fn closed_registry_hands_out_nothing() {
        let registry = registry();
        let url = registry.mint().expect("open");
        registry.bind(&url, "run_1");
        let mut receiver = registry.subscribe("run_1").expect("open");

        registry.close();

        assert!(registry.mint().is_none());
        assert!(registry.subscribe("run_1").is_none());
        assert!(matches!(receiver.try_recv(), Err(TryRecvError::Closed)));
    }
}
