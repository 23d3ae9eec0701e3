//! Retry decisions and delays for failed requests.
//!
//! One classifier, [`classify`], decides whether an error is transient. Reads (GETs and
//! status polls) are retried on connection failures, timeouts, HTTP 408, 429 and 5xx. A
//! submit, which may start a paid agent run, is retried only when the request cannot have
//! started a run: the connection could not be opened, or the service returned 429 or 503.
//! After an ambiguous failure (a timeout, a broken connection, HTTP 500, 502 or 504) the run
//! may exist already, so a submit is retried only when
//! [`RetryPolicy::retry_ambiguous_submits`] allows it. Every attempt of one submit sends the
//! same `x-external-request-id`.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::HeaderValue;

use crate::error::Error;

/// Retry settings of a client: which failed requests are sent again, and after what delay.
///
/// Delays use full-jitter exponential backoff: before retry `n` the client waits a random
/// time between zero and `min(max_delay, base_delay * 2^(n-1))`. When the service sends
/// `Retry-After` (in seconds or as an HTTP date), the client waits that long instead, up to
/// [`max_retry_after`](RetryPolicy::max_retry_after).
///
/// ```
/// use std::time::Duration;
///
/// let policy = octave::RetryPolicy::default()
///     .max_attempts(6)
///     .base_delay(Duration::from_millis(200))
///     .retry_ambiguous_submits(true);
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    retry_ambiguous_submits: bool,
}

impl Default for RetryPolicy {
    /// Four attempts in all, a 500 ms base delay, a 30 s maximum delay, `Retry-After`
    /// honoured up to 60 s, and no retry of a submit after an ambiguous failure.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            retry_ambiguous_submits: false,
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that sends every request once and never retries.
    pub fn never() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Sets the number of attempts per request, the first included. Values below 1 count
    /// as 1. Default: 4.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the delay before the first retry, which doubles with each further retry.
    /// Default: 500 ms.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest backoff delay. Default: 30 s.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest delay taken from a `Retry-After` header; longer requests are cut to
    /// this. Default: 60 s.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay.min(crate::wait::MAX_DURATION);
        self
    }

    /// Allows retrying a submit after a failure that leaves it unknown whether the run
    /// started: a timeout, a broken connection, HTTP 500, 502 or 504. The retry reuses the
    /// submit's `x-external-request-id`, but the service is not documented to use that id to
    /// avoid a duplicate run, so a retry may start (and bill) a second run. Default: false.
    pub fn retry_ambiguous_submits(mut self, allow: bool) -> Self {
        self.retry_ambiguous_submits = allow;
        self
    }

    /// Returns the number of attempts per request.
    /// Returns the longest delay taken from a `Retry-After` header.
    pub(crate) fn retry_after_cap(&self) -> Duration {
        self.max_retry_after
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Decides whether to retry after `error`.
    pub(crate) fn decide(&self, error: &Error, idempotency: Idempotency) -> Retry {
        match transience(error) {
            Transience::Permanent => Retry::No,
            Transience::Safe(after) => Retry::Yes(after),
            Transience::Ambiguous(after) => match idempotency {
                Idempotency::Read => Retry::Yes(after),
                Idempotency::Submit if self.retry_ambiguous_submits => Retry::Yes(after),
                Idempotency::Submit => Retry::No,
            },
        }
    }

    /// Returns the delay before retry number `retry` (1 for the first retry). A delay the
    /// service requested wins over backoff, up to `max_retry_after`.
    pub(crate) fn delay(&self, retry: u32, requested: Option<Duration>) -> Duration {
        if let Some(requested) = requested {
            return requested.min(self.max_retry_after);
        }
        let exponent = retry.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        random_duration(Duration::ZERO, ceiling)
    }
}

/// Whether sending a request twice is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// A GET: sending it again changes nothing.
    Read,
    /// A POST that may start an agent run.
    Submit,
}

/// Decision of the classifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Retry, after the delay the service requested if it sent one.
    Yes(Option<Duration>),
    /// Do not retry.
    No,
}

/// Classifies an error under the default policy.
pub(crate) fn classify(error: &Error, idempotency: Idempotency) -> Retry {
    RetryPolicy::default().decide(error, idempotency)
}

/// Certainty that a failed request had no effect on the service.
enum Transience {
    /// Sending it again cannot help.
    Permanent,
    /// The service did not act on the request: safe to send again.
    Safe(Option<Duration>),
    /// The service may have acted on the request before it failed.
    Ambiguous(Option<Duration>),
}

fn transience(error: &Error) -> Transience {
    match error {
        // A request that could not be built was never sent, and building it again fails
        // the same way.
        Error::Transport { source, .. } if source.is_builder() => Transience::Permanent,
        Error::Transport { source, .. } | Error::Timeout { source, .. } if source.is_connect() => {
            Transience::Safe(None)
        }
        Error::Transport { .. } | Error::Timeout { .. } => Transience::Ambiguous(None),
        Error::RateLimited { retry_after, .. } => Transience::Safe(*retry_after),
        Error::Api {
            status,
            retry_after,
            ..
        } => status_transience(*status, *retry_after),
        Error::UndecodableBody { status, .. } if status.is_success() => {
            // The request was handled but the reply is garbled: a read can simply be sent
            // again, a submit may have started a run.
            Transience::Ambiguous(None)
        }
        Error::UndecodableBody { status, .. } => status_transience(*status, None),
        _ => Transience::Permanent,
    }
}

fn status_transience(status: StatusCode, retry_after: Option<Duration>) -> Transience {
    match status {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            Transience::Safe(retry_after)
        }
        StatusCode::REQUEST_TIMEOUT => Transience::Ambiguous(retry_after),
        status if status.is_server_error() => Transience::Ambiguous(retry_after),
        _ => Transience::Permanent,
    }
}

/// Parses a `Retry-After` value: a number of seconds, or an HTTP date that is turned into
/// the time left from `now` (zero for a date in the past). Returns `None` for anything else.
pub(crate) fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<u64>().ok().map(Duration::from_secs);
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Returns a uniformly random duration in `[low, high]`; `low` when `high <= low`.
pub(crate) fn random_duration(low: Duration, high: Duration) -> Duration {
    if high <= low {
        return low;
    }
    let nanos = rand::rng().random_range(low.as_nanos()..=high.as_nanos());
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Api {
            status: StatusCode::from_u16(status).expect("valid status"),
            message: "message".into(),
            request_id: None,
            retry_after,
        }
    }

    fn undecodable(status: u16) -> Error {
        let source =
            serde_json::from_slice::<serde_json::Value>(b"<html>").expect_err("HTML is not JSON");
        Error::UndecodableBody {
            status: StatusCode::from_u16(status).expect("valid status"),
            body_start: "<html>".into(),
            source,
        }
    }

    #[test]
    fn reads_retry_every_transient_status() {
        let policy = RetryPolicy::default();
        for status in [408, 429, 500, 502, 503, 504] {
            let decision = policy.decide(&api_error(status, None), Idempotency::Read);
            assert_eq!(decision, Retry::Yes(None), "status {status}");
        }
    }

    #[test]
    fn client_errors_never_retry() {
        let policy = RetryPolicy::default().retry_ambiguous_submits(true);
        for status in [400, 401, 403, 404, 422] {
            for idempotency in [Idempotency::Read, Idempotency::Submit] {
                let decision = policy.decide(&api_error(status, None), idempotency);
                assert_eq!(decision, Retry::No, "status {status}");
            }
        }
    }

    #[test]
    fn submits_retry_only_safe_statuses() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(&api_error(503, None), Idempotency::Submit),
            Retry::Yes(None)
        );
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
            message: None,
            request_id: None,
        };
        assert_eq!(
            policy.decide(&limited, Idempotency::Submit),
            Retry::Yes(Some(Duration::from_secs(2)))
        );
        for status in [500, 502, 504] {
            let decision = policy.decide(&api_error(status, None), Idempotency::Submit);
            assert_eq!(decision, Retry::No, "status {status}");
        }
    }

    #[test]
    fn ambiguous_submits_retry_when_allowed() {
        let policy = RetryPolicy::default().retry_ambiguous_submits(true);
        for status in [500, 502, 504] {
            let decision = policy.decide(&api_error(status, None), Idempotency::Submit);
            assert_eq!(decision, Retry::Yes(None), "status {status}");
        }
    }

    #[test]
    fn undecodable_bodies_follow_status() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(&undecodable(200), Idempotency::Read),
            Retry::Yes(None)
        );
        assert_eq!(
            policy.decide(&undecodable(200), Idempotency::Submit),
            Retry::No
        );
        assert_eq!(
            policy.decide(&undecodable(503), Idempotency::Submit),
            Retry::Yes(None)
        );
        assert_eq!(
            policy.decide(&undecodable(502), Idempotency::Read),
            Retry::Yes(None)
        );
        assert_eq!(
            policy.decide(&undecodable(404), Idempotency::Read),
            Retry::No
        );
    }

    #[test]
    fn input_errors_never_retry() {
        let error = Error::invalid_input("agentOId", "blank");
        assert_eq!(classify(&error, Idempotency::Read), Retry::No);
    }

    #[test]
    fn retry_after_parses_seconds() {
        let value = HeaderValue::from_static("7");
        let parsed = parse_retry_after(&value, SystemTime::now());
        assert_eq!(parsed, Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_parses_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let value = HeaderValue::from_str(&later).expect("valid header");
        assert_eq!(
            parse_retry_after(&value, now),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn retry_after_past_date_is_zero() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        let value = HeaderValue::from_str(&earlier).expect("valid header");
        assert_eq!(parse_retry_after(&value, now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_rejects_garbage() {
        for text in ["soon", "-5", "1.5", ""] {
            let value = HeaderValue::from_str(text).expect("valid header");
            assert_eq!(
                parse_retry_after(&value, SystemTime::now()),
                None,
                "{text:?}"
            );
        }
    }

    #[test]
    fn requested_delay_is_capped() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(60));
        let delay = policy.delay(1, Some(Duration::from_secs(3600)));
        assert_eq!(delay, Duration::from_secs(60));
        let delay = policy.delay(1, Some(Duration::from_secs(3)));
        assert_eq!(delay, Duration::from_secs(3));
    }

    #[test]
    fn backoff_stays_within_ceiling() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(2, None) <= Duration::from_millis(200));
            assert!(policy.delay(3, None) <= Duration::from_millis(350));
            assert!(policy.delay(40, None) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let policy = RetryPolicy::default().base_delay(Duration::from_secs(10));
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.delay(1, None)).collect();
        assert!(delays.len() > 1, "20 delays were all equal: {delays:?}");
    }

    #[test]
    fn max_attempts_has_floor_of_one() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::never().attempts(), 1);
        assert_eq!(RetryPolicy::default().attempts(), 4);
    }
}
