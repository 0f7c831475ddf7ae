//! The writer lock: an exclusive OS file lock on `lock`, held for one command, not for
//! a process's lifetime, so a console and several CLI invocations share one store.
//! Readers never take it. The OS drops it if the holder dies, so a crash never leaves
//! the store locked.

use super::fsio;
use crate::backend::BackendError;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Holds the writer lock until dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first just makes it prompt.
        let _ = self.file.unlock();
    }
}

/// Takes the lock at `path`, waiting for up to `wait`.
///
/// When the lock is taken, a helper thread blocks in the OS lock call and hands the
/// locked file over, so a waiter wakes the moment the holder releases it (polling
/// with a back-off left waiters asleep while the lock was free, and let newcomers
/// overtake them: with 16 writer processes some waited seconds). If we give up first,
/// the thread finds nobody to hand the lock to and releases it at once.
pub fn acquire(path: &Path, store: &Path, wait: Duration) -> Result<WriterLock, BackendError> {
    let file = fsio::open_rw(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(WriterLock { file }),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(e)) => return Err(fsio::io_error("lock", path, &e)),
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let lock_path: PathBuf = path.to_path_buf();
    let waiter = thread::Builder::new()
        .name("roster-writer-lock".into())
        .spawn(move || {
            let taken = file
                .lock()
                .map(|()| WriterLock { file })
                .map_err(|e| fsio::io_error("lock", &lock_path, &e));
            // A send fails only when the waiter gave up: the guard comes back and is
            // dropped here, releasing the lock for the next writer.
            let _ = tx.send(taken);
        });
    if let Err(e) = waiter {
        return Err(BackendError::Io(format!(
            "could not wait for the writer lock {}: {e}",
            path.display()
        )));
    }
    match rx.recv_timeout(wait) {
        Ok(taken) => taken,
        Err(_) => Err(BackendError::Busy(format!(
            "the store at {} is busy: another roster process is writing (waited {}); try again",
            store.display(),
            seconds(wait)
        ))),
    }
}

/// Takes the lock only if it is free right now.
pub fn try_acquire(path: &Path) -> Result<Option<WriterLock>, BackendError> {
    let file = fsio::open_rw(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(WriterLock { file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(fsio::io_error("lock", path, &e)),
    }
}

/// `5s`, `0.2s`: how long we waited, in the words of the Busy message.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}
