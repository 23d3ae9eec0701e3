//! Limit of runs in flight and the shared pause after HTTP 429.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::retry::random_duration;

/// Pause after HTTP 429 without a `Retry-After` header.
const DEFAULT_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(1);

/// Limit of runs in flight (additive increase, multiplicative decrease) and the pause
/// that every submit keeps after HTTP 429.
pub(super) struct Throttle {
    max: usize,
    /// Maximum pause after HTTP 429, the retry policy's cap on `Retry-After` delays.
    max_pause: Duration,
    state: Mutex<ThrottleState>,
}

struct ThrottleState {
    window: f64,
    /// Start of the latest pause; a 429 to a submit sent before it belongs to that pause.
    pause_started: Option<Instant>,
    pause_until: Option<Instant>,
    pause: Duration,
}

impl Throttle {
    pub(super) fn new(max: usize, max_pause: Duration) -> Self {
        Throttle {
            max,
            max_pause,
            state: Mutex::new(ThrottleState {
                window: max as f64,
                pause_started: None,
                pause_until: None,
                pause: Duration::ZERO,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ThrottleState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the number of runs allowed in flight now, at least 1.
    pub(super) fn limit(&self) -> usize {
        (self.lock().window as usize).clamp(1, self.max)
    }

    /// Adds one slot per window of accepted submits, up to the maximum.
    pub(super) fn on_accepted(&self) {
        let mut state = self.lock();
        if state.window < self.max as f64 {
            state.window = (state.window + 1.0 / state.window).min(self.max as f64);
        }
    }

    /// Starts a pause after HTTP 429 to a submit sent at `sent_at`, and halves the window.
    /// A 429 to a submit sent before the latest pause started reports the same overload,
    /// so it changes nothing. Returns the pause in force.
    pub(super) fn on_rate_limited(
        &self,
        retry_after: Option<Duration>,
        sent_at: Instant,
    ) -> Duration {
        let pause = retry_after
            .unwrap_or(DEFAULT_RATE_LIMIT_PAUSE)
            .min(self.max_pause);
        let now = Instant::now();
        let mut state = self.lock();
        if state
            .pause_started
            .is_some_and(|started| sent_at <= started)
        {
            return state.pause;
        }

        state.window = (state.window / 2.0).max(1.0);
        state.pause_started = Some(now);
        state.pause_until = Some(
            now.checked_add(pause)
                .unwrap_or_else(|| now + crate::wait::MAX_DURATION),
        );
        state.pause = pause;
        tracing::info!(
            concurrency_limit = state.window as usize,
            pause_ms = pause.as_millis() as u64,
            "bulk run rate limited; pausing submits and lowering the limit of runs in flight"
        );
        pause
    }

    /// Waits until no pause is in force. Each waiter adds a random delay of up to a quarter
    /// of the pause, so that they do not all submit at the same instant.
    pub(super) async fn wait_turn(&self) {
        loop {
            let (until, pause) = {
                let state = self.lock();
                match state.pause_until {
                    Some(until) if until > Instant::now() => (until, state.pause),
                    _ => return,
                }
            };
            let spread = random_duration(Duration::ZERO, pause / 4);
            sleep_until(until.checked_add(spread).unwrap_or(until)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn throttle_halves_once_per_pause() {
        let throttle = Throttle::new(32, MAX_PAUSE);
        assert_eq!(throttle.limit(), 32);
        let sent_at = Instant::now();
        throttle.on_rate_limited(Some(Duration::from_secs(1)), sent_at);
        throttle.on_rate_limited(Some(Duration::from_secs(1)), sent_at);
        assert_eq!(throttle.limit(), 16);

        tokio::time::advance(Duration::from_secs(2)).await;
        throttle.on_rate_limited(Some(Duration::from_secs(1)), Instant::now());
        assert_eq!(throttle.limit(), 8);
    }

    #[test]
    fn throttle_grows_back_slowly() {
        let throttle = Throttle::new(8, MAX_PAUSE);
        throttle.on_rate_limited(None, Instant::now());
        assert_eq!(throttle.limit(), 4);
        // About one window of accepted submits adds one slot: 4 + 1/4 + 1/4.25 + ... > 5.
        for _ in 0..5 {
            throttle.on_accepted();
        }
        assert_eq!(throttle.limit(), 5);
        for _ in 0..100 {
            throttle.on_accepted();
        }
        assert_eq!(throttle.limit(), 8);
    }

    #[test]
    fn throttle_keeps_one_slot() {
        let throttle = Throttle::new(1, MAX_PAUSE);
        throttle.on_rate_limited(None, Instant::now());
        assert_eq!(throttle.limit(), 1);
    }

    const MAX_PAUSE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn throttle_pause_is_capped() {
        let throttle = Throttle::new(4, Duration::from_millis(100));
        let started = Instant::now();
        let pause = throttle.on_rate_limited(Some(Duration::from_secs(u64::MAX)), started);
        assert_eq!(pause, Duration::from_millis(100));
        throttle.wait_turn().await;
        assert!(started.elapsed() <= Duration::from_millis(125));
    }

    #[tokio::test(start_paused = true)]
    async fn throttle_pause_honours_retry_after() {
        let throttle = Throttle::new(4, MAX_PAUSE);
        let started = Instant::now();
        throttle.on_rate_limited(Some(Duration::from_secs(3)), started);
        throttle.wait_turn().await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(3), "{waited:?}");
        assert!(waited <= Duration::from_millis(3750), "{waited:?}");
    }
}
