//! The last caller's view of an organisation (`visibility::redact`), reused by the
//! next read of the same caller and organisation while no event has happened and for
//! at most ten seconds (visibility also depends on the time: a grant may lapse, and
//! such a change shows up to ten seconds late).
//!
//! Building a view copies everything the caller may see, so without this every read
//! (one account, one page) cost time in proportion to the organisation: about 8 ms at
//! 10k accounts and seconds at a million. The price is one view kept in memory.

use crate::core::visibility;
use crate::core::{Directory, OrgId, Principal};
use jiff::Timestamp;
use std::sync::{Arc, Mutex, PoisonError};

/// How long a view may be reused when nothing changed, in milliseconds.
pub const FRESH_MS: i64 = 10_000;

#[derive(Default)]
pub struct ViewCache(Mutex<Option<Entry>>);

struct Entry {
    seq: u64,
    who: Principal,
    org: OrgId,
    at: Timestamp,
    dir: Arc<Directory>,
}

impl ViewCache {
    /// `who`'s view of `org` in `dir` as of `now`.
    pub fn view(
        &self,
        dir: &Directory,
        who: &Principal,
        org: OrgId,
        now: Timestamp,
    ) -> Arc<Directory> {
        // Built under the lock: when many reads miss at once (after a write), one
        // builds and the others wait for it instead of all copying the organisation.
        let mut last = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = last.as_ref() {
            let age = now.as_millisecond() - e.at.as_millisecond();
            if e.seq == dir.seq && e.org == org && e.who == *who && (0..FRESH_MS).contains(&age) {
                return Arc::clone(&e.dir);
            }
        }
        let seen = Arc::new(visibility::redact(dir, who, org, now));
        *last = Some(Entry {
            seq: dir.seq,
            who: who.clone(),
            org,
            at: now,
            dir: Arc::clone(&seen),
        });
        seen
    }
}
