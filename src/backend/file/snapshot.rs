//! The snapshot: the whole directory as of one sequence number, so opening a store
//! replays only what came after it. A header, then one framed JSON object holding the
//! `Directory` and the time of its newest event (the moment the core last vouched for
//! its invariants, which is when they are checked after loading).
//! It is only ever replaced whole (written aside, synced, renamed), so unlike the log
//! it has no torn tail: any flaw in it is damage.

use super::frame;
use super::fsio;
use super::header::{HEADER_LEN, Header, Kind};
use super::log::{corrupt, foreign};
use crate::backend::BackendError;
use crate::core::Directory;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

pub struct Snapshot {
    pub header: Header,
    pub dir: Directory,
    /// When the newest event in `dir` happened (`None`: no event yet).
    pub last_at: Option<Timestamp>,
}

#[derive(Serialize)]
struct Out<'a> {
    last_event_at: Option<Timestamp>,
    directory: &'a Directory,
}

#[derive(Deserialize)]
struct In {
    last_event_at: Option<Timestamp>,
    directory: Directory,
}

/// Reads the snapshot at `path`; `None` when the store has never been compacted.
pub fn read(path: &Path) -> Result<Option<Snapshot>, BackendError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fsio::io_error("read", path, &e)),
    };
    decode(&bytes, path).map(Some)
}

/// The snapshot in `bytes`, read from `path` (named in errors).
pub fn decode(bytes: &[u8], path: &Path) -> Result<Snapshot, BackendError> {
    let header = Header::decode(Kind::Snapshot, bytes).map_err(|why| foreign(path, &why))?;
    let (payload, end) = frame::frame_at_most(bytes, HEADER_LEN, frame::MAX_SNAPSHOT)
        .map_err(|flaw| corrupt(path, HEADER_LEN as u64, &flaw.to_string()))?;
    if end != bytes.len() {
        return Err(corrupt(
            path,
            end as u64,
            "unexpected bytes after the snapshot",
        ));
    }
    let In {
        last_event_at,
        directory: mut dir,
    } = serde_json::from_slice(payload).map_err(|e| {
        corrupt(
            path,
            HEADER_LEN as u64,
            &format!("the snapshot passes its checksum but cannot be read ({e})"),
        )
    })?;
    dir.reindex();
    Ok(Snapshot {
        header,
        dir,
        last_at: last_event_at,
    })
}

/// Replaces the snapshot with `dir`: written to `tmp`, synced, renamed over `path`,
/// and the folder synced, so a crash leaves either the old snapshot or the new one.
pub fn write(
    path: &Path,
    tmp: &Path,
    header: &Header,
    dir: &Directory,
    last_at: Option<Timestamp>,
) -> Result<(), BackendError> {
    let json = serde_json::to_vec(&Out {
        last_event_at: last_at,
        directory: dir,
    })
    .map_err(|e| {
        BackendError::Io(format!(
            "could not encode the snapshot for {}: {e}",
            path.display()
        ))
    })?;
    if json.len() > frame::MAX_SNAPSHOT {
        return Err(BackendError::Io(format!(
            "the snapshot for {} would be {} bytes, more than the 4 GiB a snapshot can hold; the log keeps growing instead",
            path.display(),
            json.len()
        )));
    }
    let mut file = fsio::create_file(tmp)?;
    file.write_all(&header.encode())
        .and_then(|_| file.write_all(&frame::encode(&json)))
        .and_then(|_| file.sync_all())
        .map_err(|e| fsio::io_error("write", tmp, &e))?;
    drop(file);
    fsio::rename_durably(tmp, path)
}
