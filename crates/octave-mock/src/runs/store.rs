//! In-memory state of asynchronous runs, sharded by request ID, and the index of
//! `x-external-request-id` values that makes submissions idempotent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use octave_types::AgentKind;
use serde_json::Value;
use tokio::time::Instant;

use crate::state::FaultView;

/// Number of independently locked parts of the run map, so concurrent requests for
/// different runs rarely wait on the same lock.
const SHARDS: usize = 32;

/// One asynchronous run.
pub(crate) struct Run {
    pub kind: AgentKind,
    /// The saved agent (or the experiment, when the body named only an experiment).
    pub agent_o_id: Box<str>,
    /// The synchronous input as JSON, from which the output is generated when the run
    /// finishes.
    pub input: Box<str>,
    pub callback_url: Box<str>,
    pub created_at: SystemTime,
    pub started: Instant,
    pub finish_at: Instant,
    /// Faults in force when the run was submitted; they decide how it finishes and how its
    /// callback is sent.
    pub faults: FaultView,
    pub dedup_key: Option<DedupKey>,
    /// `None` until the run finishes.
    pub outcome: Option<Outcome>,
}

/// Final state of a run.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Completed { output: Arc<Value>, at: SystemTime },
    Failed { error: Arc<str>, at: SystemTime },
}

/// An `x-external-request-id` value together with the API key that sent it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DedupKey {
    pub key_index: usize,
    pub external_id: Box<str>,
}

/// Result of [`RunStore::insert_unique`].
pub(crate) enum Inserted {
    /// The run was stored under this new request ID.
    New(Arc<str>),
    /// The dedup key was already used; this is the request ID of that run.
    Existing(Arc<str>),
}

type Shard = Mutex<HashMap<Arc<str>, Run>>;

/// All runs of one server.
pub(crate) struct RunStore {
    shards: Box<[Shard]>,
    dedup: Mutex<HashMap<DedupKey, Arc<str>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RunStore {
    pub fn new() -> RunStore {
        RunStore {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            dedup: Mutex::new(HashMap::new()),
        }
    }

    fn shard(&self, id: &str) -> &Shard {
        // The IDs end in random characters, so summing the last bytes spreads them evenly.
        let spread = id
            .bytes()
            .rev()
            .take(4)
            .fold(0usize, |sum, byte| sum * 31 + usize::from(byte));
        &self.shards[spread % SHARDS]
    }

    /// Stores a run, or returns the existing run's ID when its dedup key was used before.
    /// The check and the insert happen under one lock, so concurrent duplicates create one
    /// run.
    pub fn insert_unique(&self, id: Arc<str>, run: Run) -> Inserted {
        let Some(key) = run.dedup_key.clone() else {
            lock(self.shard(&id)).insert(Arc::clone(&id), run);
            return Inserted::New(id);
        };
        let mut dedup = lock(&self.dedup);
        if let Some(existing) = dedup.get(&key) {
            return Inserted::Existing(Arc::clone(existing));
        }
        dedup.insert(key, Arc::clone(&id));
        lock(self.shard(&id)).insert(Arc::clone(&id), run);
        Inserted::New(id)
    }

    /// Runs `action` on a run while holding its shard's lock; `None` when the ID is unknown.
    pub fn with<R>(&self, id: &str, action: impl FnOnce(&mut Run) -> R) -> Option<R> {
        lock(self.shard(id)).get_mut(id).map(action)
    }

    /// Removes a run and its dedup entry; `false` when the ID is unknown.
    pub fn remove(&self, id: &str) -> bool {
        let Some(run) = lock(self.shard(id)).remove(id) else {
            return false;
        };
        if let Some(key) = run.dedup_key {
            let mut dedup = lock(&self.dedup);
            if dedup.get(&key).is_some_and(|owner| &**owner == id) {
                dedup.remove(&key);
            }
        }
        true
    }
}
