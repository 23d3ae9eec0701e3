//! State shared by the request handlers and the background tasks of one server.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth::RateLimiter;
use crate::config::{Faults, MockConfig, MockStats};
use crate::runs::scheduler::SchedulerHandle;
use crate::runs::store::RunStore;

/// Everything a handler or background task of one server needs.
pub(crate) struct Shared {
    pub config: MockConfig,
    pub counters: Counters,
    pub faults: FaultState,
    pub limiter: Option<RateLimiter>,
    pub runs: RunStore,
    pub ids: IdGenerator,
    pub scheduler: SchedulerHandle,
    pub callbacks: crate::runs::callback::CallbackQueue,
    /// Client that POSTs callbacks.
    pub http: reqwest::Client,
}

/// Counters behind [`MockStats`], updated without locks.
#[derive(Default)]
pub(crate) struct Counters {
    pub runs_created: AtomicU64,
    pub duplicates_avoided: AtomicU64,
    pub sync_runs: AtomicU64,
    pub status_polls: AtomicU64,
    pub callbacks_sent: AtomicU64,
    pub callbacks_retried: AtomicU64,
    pub callbacks_failed: AtomicU64,
    pub callbacks_blocked: AtomicU64,
    pub rate_limited: AtomicU64,
    pub faults_injected: AtomicU64,
    pub runs_in_memory: AtomicU64,
    pub requests: AtomicU64,
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    /// Reads every counter. The values are read one by one, so they may be from slightly
    /// different moments while requests are in flight.
    pub fn snapshot(&self) -> MockStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MockStats {
            runs_created: read(&self.runs_created),
            duplicates_avoided: read(&self.duplicates_avoided),
            sync_runs: read(&self.sync_runs),
            status_polls: read(&self.status_polls),
            callbacks_sent: read(&self.callbacks_sent),
            callbacks_retried: read(&self.callbacks_retried),
            callbacks_failed: read(&self.callbacks_failed),
            callbacks_blocked: read(&self.callbacks_blocked),
            rate_limited: read(&self.rate_limited),
            faults_injected: read(&self.faults_injected),
            runs_in_memory: read(&self.runs_in_memory),
            requests: read(&self.requests),
        }
    }
}

/// The faults in force, readable per request without taking a lock when none are set.
pub(crate) struct FaultState {
    current: RwLock<Arc<Faults>>,
    /// Whether any fault other than `rate_limit_burst` is set.
    active: AtomicBool,
    /// Remaining requests of `rate_limit_burst`.
    burst_remaining: AtomicU32,
    rng: Mutex<StdRng>,
}

/// The faults that apply to one request or run; `None` when no fault is set.
#[derive(Clone, Default)]
pub(crate) struct FaultView(pub Option<Arc<Faults>>);

impl FaultView {
    /// Returns the value of one fault setting, or `false`/zero when no fault is set.
    pub fn get<T: Default>(&self, read: impl FnOnce(&Faults) -> T) -> T {
        self.0.as_deref().map(read).unwrap_or_default()
    }
}

impl FaultState {
    pub fn new(faults: &Faults, seed: u64) -> FaultState {
        let state = FaultState {
            current: RwLock::new(Arc::new(Faults::default())),
            active: AtomicBool::new(false),
            burst_remaining: AtomicU32::new(0),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        };
        state.set(faults);
        state
    }

    /// Replaces the faults, starting with the next request.
    pub fn set(&self, faults: &Faults) {
        let normalized = faults.normalized();
        self.burst_remaining
            .store(normalized.rate_limit_burst, Ordering::SeqCst);
        let without_burst = Faults {
            rate_limit_burst: 0,
            ..normalized
        };
        let active = without_burst != Faults::default();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(without_burst);
        self.active.store(active, Ordering::SeqCst);
    }

    /// Returns the faults in force, with the burst requests still to come.
    pub fn get(&self) -> Faults {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        Faults {
            rate_limit_burst: self.burst_remaining.load(Ordering::SeqCst),
            ..(**current).clone()
        }
    }

    /// Returns the faults for one request.
    pub fn view(&self) -> FaultView {
        if !self.active.load(Ordering::Relaxed) {
            return FaultView(None);
        }
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        FaultView(Some(Arc::clone(&current)))
    }

    /// Takes one request of the 429 burst; `false` once the burst is used up.
    pub fn take_burst(&self) -> bool {
        self.burst_remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }

    /// Decides whether a fault with this rate hits the current request. Rates of 0 and 1
    /// decide without drawing a number, so they do not shift the seeded sequence.
    pub fn roll(&self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        if rate >= 1.0 {
            return true;
        }
        let draw: f64 = self
            .rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .random();
        draw < rate
    }
}

/// Makes request IDs that are unique within one server and repeat for the same seed.
pub(crate) struct IdGenerator {
    seed: u64,
    async_counter: AtomicU64,
    metadata_counter: AtomicU64,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl IdGenerator {
    pub fn new(seed: u64) -> IdGenerator {
        IdGenerator {
            seed,
            async_counter: AtomicU64::new(0),
            metadata_counter: AtomicU64::new(0),
        }
    }

    /// Returns an ID such as `asyncReqID_3rgkoHhR00cEdE9DjKeIK`: 21 base-62 characters after
    /// the prefix. The first 11 encode a bijective mix of a counter, so IDs never repeat.
    pub fn next_async_request_id(&self) -> String {
        let count = self.async_counter.fetch_add(1, Ordering::Relaxed);
        let unique = splitmix64(self.seed ^ count);
        let mut id = String::with_capacity(32);
        id.push_str("asyncReqID_");
        push_base62(&mut id, unique, 11);
        push_base62(&mut id, splitmix64(unique), 10);
        id
    }

    /// Returns the `_metadata.requestId` of a response, such as `req_0007Hc1aZ2kPq`.
    pub fn next_metadata_request_id(&self) -> String {
        let count = self.metadata_counter.fetch_add(1, Ordering::Relaxed);
        let mut id = String::with_capacity(16);
        id.push_str("req_");
        push_base62(&mut id, splitmix64(!self.seed ^ count), 11);
        id
    }
}

/// Appends `digits` base-62 digits of `value`, least significant first.
fn push_base62(out: &mut String, mut value: u64, digits: usize) {
    for _ in 0..digits {
        out.push(char::from(BASE62[(value % 62) as usize]));
        value /= 62;
    }
}

/// SplitMix64 finalizer: a bijection on `u64` that spreads every input bit over the output.
pub(crate) fn splitmix64(value: u64) -> u64 {
    let mut mixed = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}
