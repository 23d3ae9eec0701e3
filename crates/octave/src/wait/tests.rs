//! Poll-schedule tests against a scripted status source, with paused time.

use std::collections::VecDeque;
use std::sync::Mutex;

use octave_types::{AsyncAgentRunStatus, RunStatus};
use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::error::Error;

/// Returns scripted statuses, then `running` forever, and records when each poll happened.
struct ScriptedSource {
    started: Instant,
    script: Mutex<VecDeque<Result<AsyncAgentRunStatus>>>,
    poll_times: Mutex<Vec<Duration>>,
    hang: bool,
}

impl ScriptedSource {
    fn new(script: Vec<Result<AsyncAgentRunStatus>>) -> Self {
        ScriptedSource {
            started: Instant::now(),
            script: Mutex::new(script.into()),
            poll_times: Mutex::new(Vec::new()),
            hang: false,
        }
    }

    fn poll_times(&self) -> Vec<Duration> {
        self.poll_times.lock().expect("lock").clone()
    }
}

impl StatusSource for ScriptedSource {
    fn fetch(
        &self,
        _deadline: Instant,
    ) -> impl Future<Output = Result<AsyncAgentRunStatus>> + Send {
        self.poll_times
            .lock()
            .expect("lock")
            .push(self.started.elapsed());
        let next = self
            .script
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_else(|| Ok(status(Some(RunStatus::Running), None, None)));
        let hang = self.hang;
        async move {
            if hang {
                std::future::pending::<()>().await;
            }
            next
        }
    }
}

fn status(
    status: Option<RunStatus>,
    result: Option<serde_json::Value>,
    error: Option<&str>,
) -> AsyncAgentRunStatus {
    let mut fields = json!({"requestId": "asyncReqID_1"});
    if let Some(status) = status {
        fields["status"] = json!(status.as_str());
    }
    if let Some(result) = result {
        fields["result"] = result;
    }
    if let Some(error) = error {
        fields["error"] = json!(error);
    }
    serde_json::from_value(fields).expect("valid status")
}

fn fixed_interval(deadline: u64, interval: u64) -> WaitOptions {
    WaitOptions::new(Duration::from_secs(deadline))
        .min_interval(Duration::from_secs(interval))
        .max_interval(Duration::from_secs(interval))
}

fn api_error(status: u16) -> Error {
    Error::Api {
        status: StatusCode::from_u16(status).expect("valid status"),
        message: "message".into(),
        request_id: None,
        retry_after: None,
    }
}

#[tokio::test(start_paused = true)]
async fn unfinished_run_hits_deadline() {
    let source = ScriptedSource::new(Vec::new());
    let options = fixed_interval(60, 5);

    let end = poll_until_finished(&source, "r", &options, None)
        .await
        .expect("no error");

    // Polls at 5, 10, ..., 55 s, then one last poll 1 s before the 60 s deadline.
    assert_eq!(
        end,
        LoopEnd::DeadlineExceeded {
            elapsed: Duration::from_secs(59),
            polls: 12
        }
    );
    let times = source.poll_times();
    assert_eq!(times.first(), Some(&Duration::from_secs(5)));
    assert_eq!(times.last(), Some(&Duration::from_secs(59)));
}

#[tokio::test(start_paused = true)]
async fn last_poll_replaces_late_poll() {
    let source = ScriptedSource::new(Vec::new());
    // The second poll would be due at 16 s, after the 12 s deadline.
    let options = fixed_interval(12, 8);

    let end = poll_until_finished(&source, "r", &options, None)
        .await
        .expect("no error");

    assert!(
        matches!(end, LoopEnd::DeadlineExceeded { polls: 2, .. }),
        "{end:?}"
    );
    let times = source.poll_times();
    assert_eq!(times, vec![Duration::from_secs(8), Duration::from_secs(11)]);
}

#[tokio::test(start_paused = true)]
async fn succeeded_run_returns_result() {
    let source = ScriptedSource::new(vec![
        Ok(status(Some(RunStatus::Pending), None, None)),
        Ok(status(None, None, None)),
        Ok(status(None, Some(json!({"score": 9})), None)),
    ]);

    let end = poll_until_finished(
        &source,
        "r",
        &WaitOptions::new(Duration::from_secs(300)),
        None,
    )
    .await
    .expect("no error");

    assert_eq!(end, LoopEnd::Succeeded(json!({"score": 9})));
    assert_eq!(source.poll_times().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn failed_run_returns_message() {
    let source = ScriptedSource::new(vec![Ok(status(
        Some(RunStatus::Failed),
        None,
        Some("agent crashed"),
    ))]);

    let end = poll_until_finished(
        &source,
        "r",
        &WaitOptions::new(Duration::from_secs(30)),
        None,
    )
    .await
    .expect("no error");

    assert_eq!(end, LoopEnd::Failed("agent crashed".into()));
}

#[tokio::test(start_paused = true)]
async fn default_intervals_stay_in_range() {
    let source = ScriptedSource::new(Vec::new());

    let end = poll_until_finished(
        &source,
        "r",
        &WaitOptions::new(Duration::from_secs(600)),
        None,
    )
    .await
    .expect("no error");

    assert!(matches!(end, LoopEnd::DeadlineExceeded { .. }));
    let times = source.poll_times();
    assert_eq!(times[0], Duration::from_secs(5));
    // Every gap but the one before the final poll lies in [5 s, 10 s].
    for pair in times[..times.len() - 1].windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_secs(5), "gap {gap:?}");
        assert!(gap <= Duration::from_secs(10), "gap {gap:?}");
    }
    assert_eq!(times.last(), Some(&Duration::from_secs(599)));
}

#[tokio::test(start_paused = true)]
async fn retryable_poll_error_keeps_waiting() {
    let source = ScriptedSource::new(vec![
        Err(api_error(503)),
        Ok(status(Some(RunStatus::Completed), Some(json!({})), None)),
    ]);

    let end = poll_until_finished(&source, "r", &fixed_interval(60, 5), None)
        .await
        .expect("no error");

    assert_eq!(end, LoopEnd::Succeeded(json!({})));
    assert_eq!(source.poll_times().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn permanent_poll_error_ends_wait() {
    let source = ScriptedSource::new(vec![Err(api_error(404))]);

    let error = poll_until_finished(&source, "r", &fixed_interval(60, 5), None)
        .await
        .expect_err("404 ends the wait");

    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
}

#[tokio::test(start_paused = true)]
async fn unreadable_success_ends_wait() {
    let html = b"<html><body>Sign in to continue</body></html>";
    let parse_error = serde_json::from_slice::<Value>(html).expect_err("not JSON");
    let unreadable = crate::transport::undecodable(StatusCode::OK, html, parse_error);
    let source = ScriptedSource::new(vec![Err(unreadable)]);

    let error = poll_until_finished(&source, "r", &fixed_interval(60, 5), None)
        .await
        .expect_err("an unreadable 200 ends the wait");

    assert!(
        matches!(&error, Error::UndecodableBody { body_start, .. } if body_start.contains("Sign in")),
        "{error:?}"
    );
    assert_eq!(source.poll_times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn hanging_poll_stops_at_deadline() {
    let mut source = ScriptedSource::new(Vec::new());
    source.hang = true;
    let started = Instant::now();

    let end = poll_until_finished(&source, "r", &fixed_interval(20, 5), None)
        .await
        .expect("no error");

    assert_eq!(
        end,
        LoopEnd::DeadlineExceeded {
            elapsed: Duration::from_secs(20),
            polls: 1
        }
    );
    assert_eq!(started.elapsed(), Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn verified_callback_ends_wait() {
    let source = ScriptedSource::new(Vec::new());
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(12)).await;
        let _ = sender.send(CallbackSignal::Verified(RunState::Succeeded(
            json!({"ok": true}),
        )));
    });
    let started = Instant::now();

    let end = poll_until_finished(&source, "r", &fixed_interval(300, 5), Some(receiver))
        .await
        .expect("no error");

    assert_eq!(end, LoopEnd::Succeeded(json!({"ok": true})));
    assert_eq!(started.elapsed(), Duration::from_secs(12));
    assert_eq!(source.poll_times().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn unverified_callback_polls_now() {
    let source = ScriptedSource::new(vec![Ok(status(
        Some(RunStatus::Succeeded),
        Some(json!({"n": 1})),
        None,
    ))]);
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let _ = sender.send(CallbackSignal::Unverified);
    });

    let end = poll_until_finished(&source, "r", &fixed_interval(300, 5), Some(receiver))
        .await
        .expect("no error");

    assert_eq!(end, LoopEnd::Succeeded(json!({"n": 1})));
    assert_eq!(source.poll_times(), vec![Duration::from_secs(2)]);
}

#[tokio::test(start_paused = true)]
async fn dropped_signal_falls_back_to_polling() {
    let source = ScriptedSource::new(vec![Ok(status(
        Some(RunStatus::Completed),
        Some(json!(1)),
        None,
    ))]);
    let (sender, receiver) = oneshot::channel::<CallbackSignal>();
    drop(sender);

    let end = poll_until_finished(&source, "r", &fixed_interval(60, 5), Some(receiver))
        .await
        .expect("no error");

    assert_eq!(end, LoopEnd::Succeeded(json!(1)));
    assert_eq!(source.poll_times(), vec![Duration::from_secs(5)]);
}

#[test]
fn into_result_maps_outcomes() {
    let failed: WaitOutcome<()> = WaitOutcome::Failed {
        error: "boom".into(),
        request_id: "r1".into(),
    };
    let error = failed.into_result().expect_err("failed run");
    assert!(matches!(&error, Error::RunFailed { message, .. } if message == "boom"));
    assert_eq!(error.request_id(), Some("r1"));

    let late: WaitOutcome<()> = WaitOutcome::DeadlineExceeded {
        elapsed: Duration::from_secs(3),
        polls: 2,
        request_id: "r2".into(),
    };
    let error = late.into_result().expect_err("deadline");
    assert!(matches!(error, Error::DeadlineExceeded { polls: 2, .. }));
}

#[tokio::test(start_paused = true)]
async fn zero_min_interval_still_backs_off() {
    let source = ScriptedSource::new(Vec::new());
    let options = WaitOptions::new(Duration::from_millis(500))
        .min_interval(Duration::ZERO)
        .max_interval(Duration::from_secs(10));

    let end = poll_until_finished(&source, "r", &options, None)
        .await
        .expect("no error");

    assert!(matches!(end, LoopEnd::DeadlineExceeded { .. }), "{end:?}");
    let times = source.poll_times();
    // About 6 polls are typical; a tight loop made hundreds.
    assert!(times.len() <= 15, "{} polls: {times:?}", times.len());
    assert!(times[0] >= Duration::from_millis(10), "{times:?}");
}
