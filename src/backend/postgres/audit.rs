//! The audit trail from the database: commits newest first, a page at a time, filtered
//! like the file store's (the organisation and position in SQL, the rest here).

use crate::backend::file::audit::matches;
use crate::backend::{AuditQuery, BackendError};
use crate::core::visibility::redact_event;
use crate::core::{Directory, Recorded};

const DEFAULT_LIMIT: usize = 100;
const PAGE: i64 = 256;

/// What the walk needs from the store: a page of commits below a version, newest first,
/// and the current directory to filter against. `PgStore` answers it; asking through
/// this trait keeps the walk from importing the store that calls it.
pub trait Pages {
    fn audit_page(
        &self,
        upper: i64,
        org: Option<i64>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<Recorded>)>, BackendError>;

    fn with_dir<R>(&self, f: impl FnOnce(&Directory) -> R) -> R;
}

pub fn query(store: &impl Pages, q: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
    let limit = if q.limit == 0 { DEFAULT_LIMIT } else { q.limit };
    let org = q.org.map(|o| o.0 as i64);
    let before = q.before.map(|b| b.min(i64::MAX as u64) as i64);
    let mut found = vec![];
    let mut upper = i64::MAX;
    loop {
        let page = store.audit_page(upper, org, before, PAGE)?;
        let Some(&(oldest, _)) = page.last() else {
            return Ok(found);
        };
        let full = page.len() as i64 == PAGE;
        store.with_dir(|dir| {
            for (_, commit) in &page {
                // The audit trail never needs secret hashes: drop them before anything
                // can search or print them.
                found.extend(
                    commit
                        .iter()
                        .rev()
                        .map(redact_event)
                        .filter(|r| matches(q, dir, r)),
                );
            }
        });
        if found.len() >= limit || !full {
            found.truncate(limit);
            return Ok(found);
        }
        upper = oldest;
    }
}
