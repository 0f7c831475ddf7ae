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
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// Answers kept at most.
const KEPT: usize = 256;

#[derive(Default)]
pub struct PageCache(Mutex<VecDeque<Entry>>);

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
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
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
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
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
}
