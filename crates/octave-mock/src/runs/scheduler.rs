//! One task that fires every timed event of the server: runs finishing, finished runs
//! expiring and callback retries.
//!
//! Events wait in a binary heap ordered by due time, so a pending run costs one heap entry
//! (about 50 bytes) instead of a task or timer of its own, and 100,000 pending runs are
//! cheap. Handlers send new events over an unbounded channel and never touch the heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::runs::callback::Job;
use crate::state::Shared;

/// Something that must happen at a given time.
#[derive(Debug)]
pub(crate) enum Event {
    /// The run's time is up: it finishes and its callback is queued.
    Finish(Arc<str>),
    /// The finished run's state is dropped.
    Expire(Arc<str>),
    /// A callback attempt is made.
    Deliver(Job),
}

/// Sends events to the scheduler task.
#[derive(Clone)]
pub(crate) struct SchedulerHandle {
    sender: mpsc::UnboundedSender<(Instant, Event)>,
}

impl SchedulerHandle {
    /// Schedules an event. Events sent after the scheduler has stopped are dropped.
    pub fn schedule(&self, at: Instant, event: Event) {
        if self.sender.send((at, event)).is_err() {
            tracing::debug!("scheduler stopped; dropping an event");
        }
    }
}

/// Receives the events of one server.
pub(crate) struct SchedulerInbox(mpsc::UnboundedReceiver<(Instant, Event)>);

pub(crate) fn channel() -> (SchedulerHandle, SchedulerInbox) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (SchedulerHandle { sender }, SchedulerInbox(receiver))
}

struct Entry {
    at: Instant,
    /// Order of arrival, so events due at the same time fire in the order they were sent.
    sequence: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.sequence).cmp(&(self.at, self.sequence))
    }
}

/// Events received from the channel per turn, so a flood of submissions cannot delay due
/// events indefinitely.
const RECEIVE_BATCH: usize = 4096;

/// Events fired before the task yields to other tasks.
const FIRE_BATCH: usize = 1024;

/// Fires events when they are due. Ends when every [`SchedulerHandle`] is dropped or the
/// server state is gone.
pub(crate) async fn run(shared: Weak<Shared>, inbox: SchedulerInbox) {
    let SchedulerInbox(mut receiver) = inbox;
    let mut heap = BinaryHeap::new();
    let mut sequence = 0u64;
    let idle = || Instant::now() + Duration::from_secs(86_400 * 365);
    let timer = tokio::time::sleep_until(idle());
    tokio::pin!(timer);

    loop {
        let next_due = heap.peek().map_or_else(idle, |entry: &Entry| entry.at);
        if timer.deadline() != next_due {
            timer.as_mut().reset(next_due);
        }

        tokio::select! {
            received = receiver.recv() => {
                let Some((at, event)) = received else { break };
                heap.push(Entry { at, sequence, event });
                sequence += 1;
                for _ in 0..RECEIVE_BATCH {
                    let Ok((at, event)) = receiver.try_recv() else { break };
                    heap.push(Entry { at, sequence, event });
                    sequence += 1;
                }
            }
            () = &mut timer, if !heap.is_empty() => {
                let Some(shared) = shared.upgrade() else { break };
                let now = Instant::now();
                let mut fired = 0;
                while heap.peek().is_some_and(|entry| entry.at <= now) {
                    let Some(entry) = heap.pop() else { break };
                    fire(&shared, entry.event);
                    fired += 1;
                    if fired % FIRE_BATCH == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            }
        }
    }
    tracing::debug!(pending = heap.len(), "scheduler stopped");
}

fn fire(shared: &Shared, event: Event) {
    match event {
        Event::Finish(id) => crate::runs::finish_on_schedule(shared, &id),
        Event::Expire(id) => crate::runs::expire(shared, &id),
        Event::Deliver(job) => shared.callbacks.enqueue(job),
    }
}
