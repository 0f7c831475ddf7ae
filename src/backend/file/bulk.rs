//! Writing a whole new store in one pass, for generated data sets (`roster demo
//! generate`). The result is exactly what a store looks like after compactions: the
//! history in archived log generations, the directory in a snapshot, an empty current
//! log. It uses the same header, frame, snapshot and log functions as the live store,
//! so the format stays one; what differs is that records are buffered and synced once
//! per segment instead of once per command (a million fsyncs would take hours, and
//! nobody waits for an acknowledgement here).

use super::archive;
use super::committed;
use super::frame;
use super::fsio;
use super::header::{Header, Kind, StoreId};
use super::layout::Layout;
use super::log;
use super::snapshot;
use crate::backend::BackendError;
use crate::core::{Directory, Recorded};
use jiff::Timestamp;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// An archived segment is closed once it passes this size, so the audit view (which
/// reads the newest segments first and stops when it has enough) never parses the
/// whole history of a large store.
const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Streams the history of a new store into archived segments, then writes its
/// snapshot and an empty current log in `finish`.
pub struct BulkWriter {
    paths: Layout,
    store: StoreId,
    generation: u64,
    segment: BufWriter<File>,
    segment_path: PathBuf,
    segment_len: u64,
    last_at: Option<Timestamp>,
}

impl BulkWriter {
    /// Starts a store in `path`, which must be missing or an empty folder.
    pub fn create(path: &Path) -> Result<BulkWriter, BackendError> {
        let paths = Layout::new(path);
        fsio::create_dir(path)?;
        let mut entries = std::fs::read_dir(path).map_err(|e| fsio::io_error("list", path, &e))?;
        if entries.next().is_some() {
            return Err(BackendError::Io(format!(
                "{} is not empty: a generated store needs a new or empty folder",
                path.display()
            )));
        }
        fsio::create_dir(&paths.archive)?;
        let store = StoreId::new();
        let (segment, segment_path, segment_len) = open_segment(&paths, store, 0)?;
        Ok(BulkWriter {
            paths,
            store,
            generation: 0,
            segment,
            segment_path,
            segment_len,
            last_at: None,
        })
    }

    /// Appends one command's events as one record (as the live store would).
    pub fn append(&mut self, events: &[Recorded]) -> Result<(), BackendError> {
        if events.is_empty() {
            return Ok(());
        }
        let payload = serde_json::to_vec(events)
            .map_err(|e| BackendError::Io(format!("could not encode generated events: {e}")))?;
        let record = frame::encode(&payload);
        self.segment
            .write_all(&record)
            .map_err(|e| fsio::io_error("write", &self.segment_path, &e))?;
        self.segment_len += record.len() as u64;
        self.last_at = events.last().map(|r| r.at);
        if self.segment_len >= SEGMENT_BYTES {
            self.close_segment()?;
            self.generation += 1;
            let (segment, path, len) = open_segment(&self.paths, self.store, self.generation)?;
            self.segment = segment;
            self.segment_path = path;
            self.segment_len = len;
        }
        Ok(())
    }

    fn close_segment(&mut self) -> Result<(), BackendError> {
        self.segment
            .flush()
            .and_then(|_| self.segment.get_ref().sync_all())
            .map_err(|e| fsio::io_error("write", &self.segment_path, &e))
    }

    /// Syncs the history, writes the snapshot of `dir` and the empty current log.
    /// Until this returns the folder is not a store (no snapshot, no log).
    pub fn finish(mut self, dir: Directory) -> Result<(), BackendError> {
        self.close_segment()?;
        fsio::sync_dir(&self.paths.archive)?;
        let next = self.generation + 1;
        let seq = dir.seq;
        snapshot::write(
            &self.paths.snapshot,
            &self.paths.snapshot_tmp,
            &Header {
                kind: Kind::Snapshot,
                store: self.store,
                generation: next,
            },
            &std::sync::RwLock::new(dir),
            self.last_at,
        )?;
        log::create(
            &self.paths.log,
            &self.paths.log_tmp,
            &Header {
                kind: Kind::Log,
                store: self.store,
                generation: next,
            },
        )?;
        // Synced above (the snapshot and the log): what the next open checks against.
        committed::write(&self.paths.committed, seq);
        Ok(())
    }
}

/// Opens archived segment `generation` and writes its header.
fn open_segment(
    paths: &Layout,
    store: StoreId,
    generation: u64,
) -> Result<(BufWriter<File>, PathBuf, u64), BackendError> {
    let path = archive::segment_path(&paths.archive, generation);
    let file = fsio::create_file(&path)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let header = Header {
        kind: Kind::Log,
        store,
        generation,
    }
    .encode();
    w.write_all(&header)
        .map_err(|e| fsio::io_error("write", &path, &e))?;
    Ok((w, path, header.len() as u64))
}
