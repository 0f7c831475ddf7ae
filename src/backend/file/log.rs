//! The event log file: a header, then one framed record per command, append-only.

use super::committed;
use super::frame::{self, Scan};
use super::fsio::{self, FileId};
use super::header::{HEADER_LEN, Header, Kind};
use super::layout::Layout;
use crate::backend::BackendError;
use crate::core::Recorded;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// An open log whose header has been checked.
pub struct LogFile {
    pub file: File,
    pub header: Header,
    pub id: FileId,
    pub len: u64,
}

/// Opens the log at `path` for reading; `None` when there is none (a compaction was
/// interrupted between archiving the old generation and creating the new one). Read
/// only, so a log the user may only read (0400) still opens: only a write (an append,
/// cutting a torn tail) asks for write access, and says so if refused.
pub fn open(path: &Path) -> Result<Option<LogFile>, BackendError> {
    let Some(mut file) = fsio::open_existing(path, false)? else {
        return Ok(None);
    };
    let meta = file
        .metadata()
        .map_err(|e| fsio::io_error("read the size of", path, &e))?;
    let mut head = Vec::with_capacity(HEADER_LEN);
    (&mut file)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| fsio::io_error("read", path, &e))?;
    let header = Header::decode(Kind::Log, &head).map_err(|why| foreign(path, &why))?;
    Ok(Some(LogFile {
        file,
        header,
        id: FileId::of(&meta),
        len: meta.len(),
    }))
}

/// The error for damage at byte `at` of `path`.
pub fn corrupt(path: &Path, at: u64, why: &str) -> BackendError {
    BackendError::Corrupt(format!(
        "the store is damaged at byte {at} of {}: {why}. Move the store aside and restore it from a backup; roster will not guess",
        path.display()
    ))
}

/// The error for a file that does not start as roster's files do; `why` continues a
/// sentence that starts with the path ("is not a roster event log: …").
pub fn foreign(path: &Path, why: &str) -> BackendError {
    BackendError::Corrupt(format!("{} {why}", path.display()))
}

/// Reads the records from byte `from` to the end of the file as it is now.
/// Positions in the result are absolute file offsets.
pub fn read_from(log: &mut LogFile, path: &Path, from: u64) -> Result<Scan, BackendError> {
    let mut buf = vec![];
    log.file
        .seek(SeekFrom::Start(from))
        .and_then(|_| log.file.read_to_end(&mut buf))
        .map_err(|e| fsio::io_error("read", path, &e))?;
    let shift = |n: usize| n + from as usize;
    let mut scan = frame::scan(&buf).map_err(|d| corrupt(path, shift(d.at) as u64, &d.why))?;
    for b in &mut scan.batches {
        b.at = shift(b.at);
    }
    scan.end = shift(scan.end);
    if let Some(t) = &mut scan.tail {
        t.at = shift(t.at);
    }
    Ok(scan)
}

/// Cuts a torn tail off; only ever called under the writer lock.
pub fn truncate(log: &mut LogFile, path: &Path, len: u64) -> Result<(), BackendError> {
    let file = open_for_writing(path)?;
    file.set_len(len)
        .and_then(|_| file.sync_all())
        .map_err(|e| fsio::io_error("cut the incomplete record off", path, &e))?;
    log.len = len;
    Ok(())
}

/// The log opened for writing; a log the user may only read is refused in words.
fn open_for_writing(path: &Path) -> Result<File, BackendError> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(BackendError::Io(format!(
            "the event log {} disappeared while writing",
            path.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(read_only(path)),
        Err(e) => Err(fsio::io_error("open", path, &e)),
    }
}

/// The sentence for a log this user may read but not write.
pub fn read_only(path: &Path) -> BackendError {
    BackendError::Io(format!(
        "the event log {} is read-only for your user (permission denied): roster can show this store but not change it. To make changes, run roster as the user the store belongs to, or have them make it writable (chmod u+w {})",
        path.display(),
        path.display()
    ))
}

/// Appends one command's events as one record and waits until they are on disk.
/// Returns the new length of the log. On failure the log is cut back to `len`
/// so a half-written record is not left behind (a later writer would cut it too).
pub fn append(paths: &Layout, len: u64, events: &[Recorded]) -> Result<u64, BackendError> {
    append_batch(paths, len, &[events])
}

/// Appends several commands, one record each, in one write and one sync (group
/// commit). A crash during it leaves a prefix of whole records and a torn tail that
/// the next writer cuts off; none of them was acknowledged yet. Once synced, the last
/// event's sequence number is recorded in `committed` (see there).
pub fn append_batch(paths: &Layout, len: u64, batch: &[&[Recorded]]) -> Result<u64, BackendError> {
    let path = &paths.log;
    let mut records = vec![];
    for events in batch {
        let payload = serde_json::to_vec(events).map_err(|e| {
            BackendError::Io(format!(
                "could not encode the events for {}: {e}",
                path.display()
            ))
        })?;
        records.extend_from_slice(&frame::encode(&payload));
    }
    let mut file = open_for_writing(path)?;
    let written = file
        .seek(SeekFrom::Start(len))
        .and_then(|_| file.write_all(&records))
        .and_then(|_| file.sync_data());
    if let Err(e) = written {
        let _ = file.set_len(len).and_then(|_| file.sync_data());
        return Err(fsio::io_error("write the event log", path, &e));
    }
    if let Some(last) = batch.iter().rev().find_map(|events| events.last()) {
        committed::write(&paths.committed, last.seq);
    }
    Ok(len + records.len() as u64)
}

/// Creates an empty log of `header`'s generation at `path`: written to a temporary
/// file, synced, then renamed into place, so `path` always holds a whole header.
pub fn create(path: &Path, tmp: &Path, header: &Header) -> Result<(), BackendError> {
    let mut file = fsio::create_file(tmp)?;
    file.write_all(&header.encode())
        .and_then(|_| file.sync_all())
        .map_err(|e| fsio::io_error("write", tmp, &e))?;
    drop(file);
    fsio::rename_durably(tmp, path)
}
