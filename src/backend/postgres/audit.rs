//! The audit trail from the database: commits newest first, a page at a time, filtered
//! like the file store's (the organisation and position in SQL, the rest here).

use super::store::PgStore;
use crate::backend::file::audit::matches;
use crate::backend::{AuditQuery, BackendError};
use crate::core::Recorded;
use crate::core::visibility::redact_event;

const DEFAULT_LIMIT: usize = 100;
const PAGE: i64 = 256;

pub fn query(store: &PgStore, q: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
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
