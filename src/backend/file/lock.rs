//! The writer lock: an exclusive OS file lock on `lock`, held for one command, not for
//! a process's lifetime, so a console and several CLI invocations share one store.
//! Readers never take it. The OS drops it if the holder dies, so a crash never leaves
//! the store locked.

use super::fsio;
use crate::backend::BackendError;
use std::fs::{File, TryLockError};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

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

/// Takes the lock at `path`, retrying for up to `wait`.
pub fn acquire(path: &Path, store: &Path, wait: Duration) -> Result<WriterLock, BackendError> {
    let file = fsio::open_rw(path)?;
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriterLock { file }),
            Err(TryLockError::WouldBlock) => {
                let waited = start.elapsed();
                if waited >= wait {
                    return Err(BackendError::Busy(format!(
                        "the store at {} is busy: another roster process is writing (waited {}); try again",
                        store.display(),
                        seconds(wait)
                    )));
                }
                thread::sleep(pause.min(wait - waited));
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(TryLockError::Error(e)) => return Err(fsio::io_error("lock", path, &e)),
        }
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
