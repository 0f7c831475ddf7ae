//! Where each file of a store lives inside its folder.

use super::fsio;
use crate::backend::BackendError;
use std::io;
use std::path::{Path, PathBuf};

/// The files of one store.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
    /// The current log generation.
    pub log: PathBuf,
    /// A new log generation being created (renamed to `log` once synced).
    pub log_tmp: PathBuf,
    pub snapshot: PathBuf,
    /// A new snapshot being written (renamed to `snapshot` once synced).
    pub snapshot_tmp: PathBuf,
    /// Old log generations, kept for the audit trail.
    pub archive: PathBuf,
    /// The writer lock.
    pub lock: PathBuf,
    /// The sequence number of the last committed event, written after each commit's
    /// fsync (see `committed`).
    pub committed: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
            log: root.join("events.log"),
            log_tmp: root.join("events.log.tmp"),
            snapshot: root.join("snapshot"),
            snapshot_tmp: root.join("snapshot.tmp"),
            archive: root.join("archive"),
            lock: root.join("lock"),
            committed: root.join("committed"),
        }
    }

    /// Whether a store lives here (a log, or a snapshot whose new log a crash
    /// prevented from being created). An error when the folder could not be looked
    /// into: a folder the user may not search hides its files, and "there is no store"
    /// would send them to `roster init` over their data.
    pub fn probe(&self) -> Result<bool, BackendError> {
        for path in [&self.log, &self.snapshot] {
            match std::fs::metadata(path) {
                Ok(_) => return Ok(true),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(fsio::io_error("look at", path, &e)),
            }
        }
        Ok(false)
    }

    /// Names that may already be in the folder when a store is created: leftovers of a
    /// `create` that did not finish.
    pub fn is_leftover(&self, path: &Path) -> bool {
        path == self.lock
            || path == self.log_tmp
            || path == self.snapshot_tmp
            || path == self.committed
    }
}
