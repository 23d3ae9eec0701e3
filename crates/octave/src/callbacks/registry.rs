//! The receiver's table of callback tokens and of the waits that listen for them.
//!
//! A token is minted before its run is submitted, and the request id is known only after
//! the submit returns, so a callback can arrive first. Such a callback is kept under its
//! token until the request id is bound to it. Entries expire: a token with no callback
//! after the token TTL (unless a wait for its run is still open), and everything about a
//! finished run after the finished TTL. Expired entries are swept from inside ordinary
//! operations, so the receiver needs no timer task.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use octave_types::RunState;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::read::read_callback;
use crate::wait::{CallbackSignal, CompletionSource};

/// Number of hex digits in a token: 128 bits.
const TOKEN_DIGITS: usize = 32;

/// Sweeps run at most this often, as a share of the shorter TTL.
const SWEEPS_PER_TTL: u32 = 8;

/// Outcome of one callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Disposition {
    /// Bound token, matching run id: the wait ends with the callback's result.
    Verified,
    /// Known token whose run could not be checked: the wait polls at once.
    Unverified,
    /// Arrived before its token was bound; kept until the bind.
    Early,
    /// A callback was already accepted at this token.
    Duplicate,
    /// The token was never handed out, or has expired.
    UnknownToken,
    /// The body names a different run than the one bound to the token.
    MismatchedRunId,
    /// The body reports a status that is not final.
    InProgress,
    /// The body is not a JSON object.
    Undecodable,
}

/// Counters of a registry, read without a lock.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) received: AtomicU64,
    pub(crate) verified: AtomicU64,
    pub(crate) unverified: AtomicU64,
    pub(crate) early: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) unknown_token: AtomicU64,
    pub(crate) mismatched_run_id: AtomicU64,
    pub(crate) in_progress: AtomicU64,
    pub(crate) undecodable: AtomicU64,
    pub(crate) expired_tokens: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Tokens and waits of one receiver.
pub(crate) struct Registry {
    /// `{public base URL}/octave/callbacks/`; a token completes a callback URL.
    url_prefix: String,
    token_ttl: Duration,
    finished_ttl: Duration,
    sweep_every: Duration,
    tables: Mutex<Tables>,
    pub(crate) counters: Counters,
    closed: AtomicBool,
}

#[derive(Default)]
struct Tables {
    tokens: HashMap<u128, TokenEntry>,
    runs: HashMap<Arc<str>, RunEntry>,
    next_sweep: Option<Instant>,
}

struct TokenEntry {
    state: TokenState,
    expires_at: Instant,
}

enum TokenState {
    /// Handed out; neither a callback nor a request id yet.
    Minted,
    /// The run submitted with this token's URL has this request id.
    Bound(Arc<str>),
    /// A callback came before the bind. Boxed because the output can be large.
    Early(Box<EarlyCallback>),
    /// A callback was accepted; later ones are duplicates.
    Done,
}

struct EarlyCallback {
    run_id: Option<Arc<str>>,
    state: RunState,
}

/// The waits for one run, a signal that arrived while no wait was open, or the mark of a
/// run whose callback was accepted.
struct RunEntry {
    signal: Option<CallbackSignal>,
    waiters: Vec<oneshot::Sender<CallbackSignal>>,
    /// A callback at a URL bound to this run was accepted. A resubmit that the service
    /// deduplicated gets no second callback, so later waits poll at once instead.
    finished: bool,
    expires_at: Instant,
}

fn lock(tables: &Mutex<Tables>) -> MutexGuard<'_, Tables> {
    tables.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Registry {
    /// Creates a registry that builds callback URLs from `public_base_url`, which has no
    /// trailing slash.
    pub(crate) fn new(public_base_url: &str, token_ttl: Duration, finished_ttl: Duration) -> Self {
        let sweep_every =
            (token_ttl.min(finished_ttl) / SWEEPS_PER_TTL).max(Duration::from_millis(10));
        Registry {
            url_prefix: format!("{public_base_url}/octave/callbacks/"),
            token_ttl,
            finished_ttl,
            sweep_every,
            tables: Mutex::new(Tables::default()),
            counters: Counters::default(),
            closed: AtomicBool::new(false),
        }
    }

    /// Mints a token and returns its callback URL; `None` once the registry is closed.
    pub(crate) fn mint(&self) -> Option<String> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        // `rand::random` draws from the thread-local generator, a CSPRNG.
        let token: u128 = rand::random();
        let now = Instant::now();
        let mut tables = lock(&self.tables);
        self.sweep_if_due(&mut tables, now);
        tables.tokens.insert(
            token,
            TokenEntry {
                state: TokenState::Minted,
                expires_at: now + self.token_ttl,
            },
        );
        Some(format!("{}{token:032x}", self.url_prefix))
    }

    /// Binds the token of `callback_url` to the run `request_id`, and delivers a callback
    /// that arrived before the bind.
    pub(crate) fn bind(&self, callback_url: &str, request_id: &str) {
        let Some(token) = callback_url
            .strip_prefix(&self.url_prefix)
            .and_then(parse_token)
        else {
            tracing::debug!(
                request_id,
                "callback URL is not one of this receiver's; not bound"
            );
            return;
        };
        let request_id: Arc<str> = Arc::from(request_id);
        let now = Instant::now();
        let mut guard = lock(&self.tables);
        let tables = &mut *guard;
        let Some(entry) = tables.tokens.get_mut(&token) else {
            tracing::debug!(%request_id, "callback token expired before its run was bound");
            return;
        };

        match std::mem::replace(&mut entry.state, TokenState::Done) {
            TokenState::Minted => {
                let finished = tables.runs.get(&request_id).is_some_and(|run| run.finished);
                if finished {
                    tracing::debug!(%request_id, "run already finished; no callback expected at its new URL");
                    entry.expires_at = now + self.finished_ttl;
                } else {
                    entry.state = TokenState::Bound(request_id);
                }
            }
            TokenState::Bound(existing) => {
                if existing != request_id {
                    tracing::warn!(
                        bound = %existing,
                        request_id = %request_id,
                        "callback URL was submitted for two runs; keeping the first"
                    );
                }
                entry.state = TokenState::Bound(existing);
            }
            TokenState::Early(early) => {
                let EarlyCallback { run_id, state } = *early;
                let signal = match run_id {
                    Some(run_id) if run_id == request_id => {
                        bump(&self.counters.verified);
                        CallbackSignal::Verified(state)
                    }
                    None => {
                        bump(&self.counters.unverified);
                        CallbackSignal::Unverified
                    }
                    Some(run_id) => {
                        bump(&self.counters.mismatched_run_id);
                        tracing::warn!(
                            request_id = %request_id,
                            callback_run_id = %run_id,
                            "ignored an early callback naming another run than its URL's"
                        );
                        entry.state = TokenState::Bound(request_id);
                        entry.expires_at = now + self.token_ttl;
                        return;
                    }
                };
                entry.expires_at = now + self.finished_ttl;
                let delivery = Delivery::accepted(signal, now + self.finished_ttl);
                deliver(&mut tables.runs, request_id, delivery);
            }
            TokenState::Done => {}
        }
    }

    /// Handles one callback body that arrived at the URL with `token_text`.
    pub(crate) fn accept(&self, token_text: &str, body: &[u8]) -> Disposition {
        let disposition = self.classify(token_text, body);
        if !matches!(disposition, Disposition::Verified | Disposition::Unverified) {
            self.count(disposition);
        }
        disposition
    }

    fn count(&self, disposition: Disposition) {
        let counter = match disposition {
            Disposition::Verified => &self.counters.verified,
            Disposition::Unverified => &self.counters.unverified,
            Disposition::Early => &self.counters.early,
            Disposition::Duplicate => &self.counters.duplicates,
            Disposition::UnknownToken => &self.counters.unknown_token,
            Disposition::MismatchedRunId => &self.counters.mismatched_run_id,
            Disposition::InProgress => &self.counters.in_progress,
            Disposition::Undecodable => &self.counters.undecodable,
        };
        bump(counter);
    }

    fn classify(&self, token_text: &str, body: &[u8]) -> Disposition {
        let fingerprint: String = token_text.chars().take(8).collect();
        let known =
            parse_token(token_text).filter(|token| lock(&self.tables).tokens.contains_key(token));
        let Some(token) = known else {
            tracing::debug!(token = %fingerprint, "ignored a callback with an unknown or expired token");
            return Disposition::UnknownToken;
        };

        // Decoded outside the lock, because a large output takes a while.
        let event = match read_callback(body) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(token = %fingerprint, %error, "ignored a callback body that is not a JSON object");
                return Disposition::Undecodable;
            }
        };
        let run_id: Option<Arc<str>> = event.run_id.as_deref().map(Arc::from);
        if !event.state.is_terminal() {
            tracing::debug!(token = %fingerprint, run_id = ?run_id, status = ?event.status, "ignored a callback whose status is not final");
            return Disposition::InProgress;
        }
        let state = event.state;

        let now = Instant::now();
        let mut guard = lock(&self.tables);
        let tables = &mut *guard;
        let Some(entry) = tables.tokens.get_mut(&token) else {
            tracing::debug!(token = %fingerprint, run_id = ?run_id, "ignored a callback whose token expired");
            return Disposition::UnknownToken;
        };
        match &entry.state {
            TokenState::Done | TokenState::Early(_) => {
                tracing::debug!(token = %fingerprint, run_id = ?run_id, "ignored a repeated callback");
                Disposition::Duplicate
            }
            TokenState::Minted => {
                tracing::debug!(token = %fingerprint, run_id = ?run_id, "callback arrived before its run was bound; keeping it");
                if let Some(run_id) = &run_id {
                    let delivery = Delivery {
                        signal: CallbackSignal::Unverified,
                        accepted: false,
                        keep_until: now + self.finished_ttl,
                    };
                    deliver(&mut tables.runs, Arc::clone(run_id), delivery);
                }
                entry.state = TokenState::Early(Box::new(EarlyCallback { run_id, state }));
                entry.expires_at = now + self.finished_ttl;
                Disposition::Early
            }
            TokenState::Bound(expected) => {
                let expected = Arc::clone(expected);
                let (signal, disposition) = match run_id {
                    Some(run_id) if run_id == expected => {
                        (CallbackSignal::Verified(state), Disposition::Verified)
                    }
                    None => (CallbackSignal::Unverified, Disposition::Unverified),
                    Some(run_id) => {
                        tracing::warn!(
                            request_id = %expected,
                            callback_run_id = %run_id,
                            "ignored a callback naming another run than its URL's"
                        );
                        return Disposition::MismatchedRunId;
                    }
                };
                tracing::debug!(request_id = %expected, ?disposition, "callback accepted");
                // Counted before the wait is released, so stats read right after the wait
                // ends include this callback.
                self.count(disposition);
                entry.state = TokenState::Done;
                entry.expires_at = now + self.finished_ttl;
                let delivery = Delivery::accepted(signal, now + self.finished_ttl);
                deliver(&mut tables.runs, expected, delivery);
                disposition
            }
        }
    }

    /// Returns a receiver for the callback of `request_id`, resolved at once when the
    /// callback has arrived already; `None` once the registry is closed.
    pub(crate) fn subscribe(&self, request_id: &str) -> Option<oneshot::Receiver<CallbackSignal>> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        let (sender, receiver) = oneshot::channel();
        let now = Instant::now();
        let mut tables = lock(&self.tables);
        self.sweep_if_due(&mut tables, now);

        if let Some(entry) = tables.runs.get_mut(request_id) {
            entry.waiters.retain(|waiter| !waiter.is_closed());
            let ready = match entry.signal.take() {
                Some(signal) => Some(signal),
                // The callback went to an earlier wait: poll at once.
                None if entry.finished => Some(CallbackSignal::Unverified),
                None => None,
            };
            match ready {
                // The receiver is still in scope, so the send cannot fail.
                Some(signal) => drop(sender.send(signal)),
                None => entry.waiters.push(sender),
            }
            return Some(receiver);
        }
        tables.runs.insert(
            Arc::from(request_id),
            RunEntry {
                signal: None,
                waiters: vec![sender],
                finished: false,
                expires_at: now + self.token_ttl,
            },
        );
        Some(receiver)
    }

    /// Stops handing out URLs and drops every entry, so open waits keep to their poll
    /// schedule.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let mut tables = lock(&self.tables);
        tables.tokens.clear();
        tables.runs.clear();
    }

    /// Returns the number of tokens and of runs held.
    pub(crate) fn sizes(&self) -> (usize, usize) {
        let tables = lock(&self.tables);
        (tables.tokens.len(), tables.runs.len())
    }

    /// Drops expired entries, at most once per `sweep_every`.
    fn sweep_if_due(&self, tables: &mut Tables, now: Instant) {
        match tables.next_sweep {
            Some(next) if now < next => return,
            Some(_) => self.sweep(tables, now),
            None => {}
        }
        tables.next_sweep = Some(now + self.sweep_every);
    }

    fn sweep(&self, tables: &mut Tables, now: Instant) {
        let Tables { tokens, runs, .. } = tables;
        runs.retain(|_, entry| {
            entry.waiters.retain(|waiter| !waiter.is_closed());
            let has_news = entry.signal.is_some() || entry.finished;
            !entry.waiters.is_empty() || (has_news && entry.expires_at > now)
        });
        let mut expired = 0;
        tokens.retain(|_, entry| {
            if entry.expires_at > now {
                return true;
            }
            // A token whose run is still awaited stays until its callback or the wait's end.
            if let TokenState::Bound(request_id) = &entry.state
                && runs
                    .get(request_id)
                    .is_some_and(|run| !run.waiters.is_empty())
            {
                entry.expires_at = now + self.token_ttl;
                return true;
            }
            if matches!(entry.state, TokenState::Minted | TokenState::Bound(_)) {
                expired += 1;
            }
            false
        });
        if expired > 0 {
            self.counters
                .expired_tokens
                .fetch_add(expired, Ordering::Relaxed);
            tracing::debug!(expired, "callback tokens expired without a callback");
        }
    }
}

/// A signal for the waits of one run.
struct Delivery {
    signal: CallbackSignal,
    /// The callback came to a URL bound to the run, so the run is finished.
    accepted: bool,
    /// End of the time the signal or the finished mark is kept.
    keep_until: Instant,
}

impl Delivery {
    fn accepted(signal: CallbackSignal, keep_until: Instant) -> Self {
        Delivery {
            signal,
            accepted: true,
            keep_until,
        }
    }
}

/// Sends a signal to the waits for `request_id`, or keeps it until one subscribes. A kept
/// signal is not replaced by an unverified one.
fn deliver(runs: &mut HashMap<Arc<str>, RunEntry>, request_id: Arc<str>, delivery: Delivery) {
    let entry = runs.entry(request_id).or_insert_with(|| RunEntry {
        signal: None,
        waiters: Vec::new(),
        finished: false,
        expires_at: delivery.keep_until,
    });
    entry.finished |= delivery.accepted;
    entry.expires_at = entry.expires_at.max(delivery.keep_until);

    let mut pending = Some(delivery.signal);
    while let Some(waiter) = entry.waiters.pop() {
        let Some(signal) = pending.take() else { break };
        if entry.waiters.is_empty() {
            match waiter.send(signal) {
                Ok(()) => break,
                Err(returned) => pending = Some(returned),
            }
        } else {
            let _ = waiter.send(signal.clone());
            pending = Some(signal);
        }
    }

    match pending {
        None => {}
        Some(CallbackSignal::Unverified) if entry.signal.is_some() => {}
        Some(signal) => entry.signal = Some(signal),
    }
}

/// Parses a token: exactly 32 lowercase hex digits.
pub(crate) fn parse_token(text: &str) -> Option<u128> {
    let well_formed = text.len() == TOKEN_DIGITS
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
    if !well_formed {
        return None;
    }
    u128::from_str_radix(text, 16).ok()
}

impl CompletionSource for Registry {
    fn callback_url(&self) -> Option<String> {
        self.mint()
    }

    fn bind(&self, callback_url: &str, request_id: &str) {
        Registry::bind(self, callback_url, request_id);
    }

    fn subscribe(&self, request_id: &str) -> Option<oneshot::Receiver<CallbackSignal>> {
        Registry::subscribe(self, request_id)
    }
}
