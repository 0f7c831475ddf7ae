//! The last answers to account-list reads, as the bytes sent: a console polling the
//! same page, or many clients asking the same thing, get them again without a scan of
//! the organisation. An answer is reused only for the same caller, organisation and
//! query, while no event has happened (the store's `seq` is part of the key) and for at
//! most as long as a cached view (visibility also depends on the time: a grant may
//! lapse). Bounded: the oldest answer goes when a new one needs room.

use super::view_cache::FRESH_MS;
use crate::core::{OrgId, Principal};
use axum::body::Bytes;
use jiff::Timestamp;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// Answers kept at most.
const KEPT: usize = 256;

#[derive(Default)]
pub struct PageCache {
    kept: Mutex<VecDeque<Entry>>,
    /// One lock per question being answered: when many ask the same thing at once
    /// (after a write, or at start), one scans and the others take its answer.
    busy: Mutex<HashMap<Question, Arc<Mutex<()>>>>,
}

/// Who asks what of which organisation (by slug, as asked).
type Question = (Principal, String, String);

struct Entry {
    seq: u64,
    who: Principal,
    org: OrgId,
    query: String,
    at: Timestamp,
    body: Bytes,
}

impl PageCache {
    /// The answer kept for this caller, organisation and query at `seq`, if still fresh.
    pub fn get(
        &self,
        seq: u64,
        who: &Principal,
        org: OrgId,
        query: &str,
        now: Timestamp,
    ) -> Option<Bytes> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter()
            .find(|e| e.seq == seq && e.org == org && e.who == *who && e.query == query)
            .filter(|e| (0..FRESH_MS).contains(&(now.as_millisecond() - e.at.as_millisecond())))
            .map(|e| e.body.clone())
    }

    /// Keeps an answer; answers of an older `seq` can never be used again and go first.
    pub fn put(
        &self,
        seq: u64,
        who: &Principal,
        org: OrgId,
        query: String,
        now: Timestamp,
        body: Bytes,
    ) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|e| e.seq >= seq);
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back(Entry {
            seq,
            who: who.clone(),
            org,
            query,
            at: now,
            body,
        });
    }

    /// Runs `f` while no other thread answers the same question, so that concurrent
    /// misses of one query scan the organisation once: `f` looks in the cache again
    /// first. Blocks; for the blocking pool only.
    pub fn one_at_a_time<R>(
        &self,
        who: &Principal,
        slug: &str,
        query: &str,
        f: impl FnOnce() -> R,
    ) -> R {
        let key: Question = (who.clone(), slug.to_string(), query.to_string());
        let gate = {
            let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(busy.entry(key.clone()).or_default())
        };
        let out = {
            let _turn = gate.lock().unwrap_or_else(PoisonError::into_inner);
            f()
        };
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        // Only the map and this thread hold it: nobody else waits for this question.
        if Arc::strong_count(&gate) <= 2 {
            busy.remove(&key);
        }
        out
    }
}
