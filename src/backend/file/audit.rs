//! The audit trail: read from the current log and the archived generations, newest
//! first, filtered by an `AuditQuery`. It reads files, which is fine: it serves the
//! audit view and the CLI, never a frame of the console.

use super::archive;
use super::frame;
use super::log;
use crate::backend::{AuditQuery, BackendError};
use crate::core::summary::{kind, summary};
use crate::core::visibility::redact_event;
use crate::core::{Directory, Recorded};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{PoisonError, RwLock};

const DEFAULT_LIMIT: usize = 100;

/// Whether `rec` passes the filters; `dir` names things for the text filter.
pub fn matches(q: &AuditQuery, dir: &Directory, rec: &Recorded) -> bool {
    if q.before.is_some_and(|b| rec.seq >= b) {
        return false;
    }
    if q.org.is_some() && rec.org != q.org {
        return false;
    }
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty())
        && !kind(&rec.event).eq_ignore_ascii_case(k)
    {
        return false;
    }
    if let Some(actor) = nonblank(&q.actor)
        && !rec.actor_label.to_lowercase().contains(&actor)
    {
        return false;
    }
    if let Some(text) = nonblank(&q.text) {
        let json = serde_json::to_string(rec)
            .unwrap_or_default()
            .to_lowercase();
        if !json.contains(&text) && !summary(dir, rec).to_lowercase().contains(&text) {
            return false;
        }
    }
    true
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}

/// Events matching `q`, newest first. The current log is read before the archive is
/// listed, so a compaction running meanwhile can only make a segment appear twice
/// (deduplicated by sequence number), never make one vanish. Files are read without
/// the directory lock; it is taken only to filter each segment.
pub fn query(
    log_path: &Path,
    archive_dir: &Path,
    dir: &RwLock<Directory>,
    q: &AuditQuery,
) -> Result<Vec<Recorded>, BackendError> {
    let limit = if q.limit == 0 { DEFAULT_LIMIT } else { q.limit };
    let mut found: BTreeMap<u64, Recorded> = BTreeMap::new();
    keep_newest(&mut found, log_path, dir, q, limit)?;
    for path in archive::segments(archive_dir)? {
        // Segments come newest first and hold disjoint, ascending ranges, so once
        // enough match the older ones cannot contribute to the newest `limit`.
        if found.len() >= limit {
            break;
        }
        keep_newest(&mut found, &path, dir, q, limit)?;
    }
    Ok(found.into_values().rev().take(limit).collect())
}

/// Adds the matches of one log file to `found`, decoding its records newest first and
/// stopping once `found` holds `limit`: records ascend within a file, so older ones
/// cannot be among the newest `limit`. The console asks for the newest thousand events
/// on every load, and decoding every record of a long log for them was a tenth of its
/// first frame at 100k accounts.
fn keep_newest(
    found: &mut BTreeMap<u64, Recorded>,
    path: &Path,
    dir: &RwLock<Directory>,
    q: &AuditQuery,
    limit: usize,
) -> Result<(), BackendError> {
    let Some(mut file) = log::open(path)? else {
        return Ok(());
    };
    let from = super::header::HEADER_LEN as u64;
    let mut buf = vec![];
    file.file
        .seek(SeekFrom::Start(from))
        .and_then(|_| file.file.read_to_end(&mut buf))
        .map_err(|e| super::fsio::io_error("read", path, &e))?;
    // Frame boundaries and checksums only; JSON is decoded below, newest first.
    let mut payloads = vec![];
    let mut pos = 0;
    while pos < buf.len() {
        match frame::frame_at(&buf, pos) {
            Ok((payload, next)) => {
                payloads.push((pos, payload));
                pos = next;
            }
            // A torn tail (not history yet) or damage: the full scan tells which,
            // and says where.
            Err(_) => {
                if let Err(damage) = frame::scan(&buf[pos..]) {
                    return Err(log::corrupt(
                        path,
                        from + (pos + damage.at) as u64,
                        &damage.why,
                    ));
                }
                break;
            }
        }
    }
    for (at, payload) in payloads.into_iter().rev() {
        if found.len() >= limit {
            break;
        }
        let records: Vec<Recorded> = serde_json::from_slice(payload).map_err(|e| {
            log::corrupt(
                path,
                from + at as u64,
                &format!("the record passes its checksum but cannot be read ({e}); it may come from a newer roster"),
            )
        })?;
        keep_matches(found, records, dir, q);
    }
    Ok(())
}

fn keep_matches(
    found: &mut BTreeMap<u64, Recorded>,
    records: Vec<Recorded>,
    dir: &RwLock<Directory>,
    q: &AuditQuery,
) {
    let d = dir.read().unwrap_or_else(PoisonError::into_inner);
    found.extend(
        records
            .into_iter()
            // The audit trail never needs secret hashes: drop them before anything
            // can search or print them.
            .map(|r| redact_event(&r))
            .filter(|r| matches(q, &d, r))
            .map(|r| (r.seq, r)),
    );
}
