//! The change feed's memory: the newest events and the head `seq` that long polls and
//! streams wait on. It lives apart from the task that fills it (`feed`), so the shared
//! state can hold it without the state and the feed importing each other.

use crate::core::Recorded;
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use tokio::sync::{Notify, watch};

pub struct Feed {
    pub(super) head: watch::Sender<u64>,
    pub(super) recent: Mutex<VecDeque<Recorded>>,
    pub(super) cap: usize,
    pub(super) nudge: Notify,
    /// One catch-up at a time, so memory grows in order.
    pub(super) catching_up: tokio::sync::Mutex<()>,
}

impl Feed {
    pub fn new(cap: usize) -> Feed {
        Feed {
            head: watch::Sender::new(0),
            recent: Mutex::new(VecDeque::new()),
            cap: cap.max(1),
            nudge: Notify::new(),
            catching_up: tokio::sync::Mutex::new(()),
        }
    }

    /// The newest `seq` the feed knows of.
    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Something was just committed: look now rather than at the next tick.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Events in `(after, upto]` from memory, oldest first, when memory reaches back far
    /// enough.
    pub(super) fn buffered(&self, after: u64, upto: u64) -> Option<Vec<Recorded>> {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let first = recent.front()?.seq;
        if first > after + 1 {
            return None;
        }
        Some(
            recent
                .iter()
                .filter(|r| r.seq > after && r.seq <= upto)
                .cloned()
                .collect(),
        )
    }

    pub(super) fn remember(&self, known: u64, seq: u64, mut events: Vec<Recorded>) {
        events.sort_by_key(|r| r.seq);
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        // A gap (more came than we fetched) or a store that went backwards (replaced
        // under us) would make memory lie about what follows what: start afresh.
        let contiguous = events.first().is_some_and(|r| r.seq == known + 1)
            && recent.back().is_none_or(|r| r.seq == known);
        if !contiguous || seq < known {
            recent.clear();
        }
        recent.extend(events);
        while recent.len() > self.cap {
            recent.pop_front();
        }
    }
}
