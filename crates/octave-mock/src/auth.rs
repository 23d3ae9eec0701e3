//! API-key check and per-key rate limiting of the API endpoints.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use crate::respond::ApiError;
use crate::state::{Shared, bump};

/// Name of the header that carries the API key.
pub(crate) const API_KEY_HEADER: &str = "api_key";

/// Position of the request's key in [`MockConfig::api_keys`](crate::MockConfig::api_keys),
/// added to the request extensions once the key is accepted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyIndex(pub usize);

/// Rejects requests without an accepted key (401) and requests over the key's rate (429).
pub(crate) async fn authenticate(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(sent) = request.headers().get(API_KEY_HEADER) else {
        return ApiError::unauthorized("the api_key header is missing").into_response();
    };
    let position = shared
        .config
        .api_keys
        .iter()
        .position(|key| key.as_bytes() == sent.as_bytes());
    let Some(index) = position else {
        return ApiError::unauthorized("the key in the api_key header is not accepted")
            .into_response();
    };

    if let Some(limiter) = &shared.limiter
        && !limiter.try_acquire(index)
    {
        bump(&shared.counters.rate_limited);
        let message = format!(
            "Rate limit exceeded: this API key may make {} requests per second; retry after \
             the time in the Retry-After header",
            limiter.per_second
        );
        return ApiError::too_many_requests(message, shared.config.retry_after).into_response();
    }

    request.extensions_mut().insert(KeyIndex(index));
    next.run(request).await
}

/// Token buckets, one per accepted key, each holding at most one second of requests.
pub(crate) struct RateLimiter {
    per_second: u32,
    buckets: Vec<Mutex<Bucket>>,
}

struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimiter {
    pub fn new(per_second: u32, keys: usize) -> RateLimiter {
        let capacity = f64::from(per_second.max(1));
        let buckets = (0..keys)
            .map(|_| {
                Mutex::new(Bucket {
                    tokens: capacity,
                    refilled_at: Instant::now(),
                })
            })
            .collect();
        RateLimiter {
            per_second: per_second.max(1),
            buckets,
        }
    }

    /// Takes one token from the key's bucket; `false` when the bucket is empty.
    fn try_acquire(&self, key: usize) -> bool {
        let Some(bucket) = self.buckets.get(key) else {
            return true;
        };
        let mut bucket = bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let rate = f64::from(self.per_second);
        let elapsed = now.saturating_duration_since(bucket.refilled_at);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * rate).min(rate);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
