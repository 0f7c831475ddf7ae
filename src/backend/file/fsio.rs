//! Small filesystem helpers with the store's rules built in: folders 0700, files 0600,
//! and every rename made durable by syncing the folder that holds it.

use crate::backend::BackendError;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Identifies one file on disk (device and inode), so a reader notices when the log
/// was replaced by a new generation even if the new one happens to be the same length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    pub fn of(meta: &fs::Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }
}

/// An I/O failure as a sentence naming what we were doing and where.
/// Permission denied gets a sentence of its own, saying what to do about it.
pub fn io_error(doing: &str, path: &Path, err: &io::Error) -> BackendError {
    if err.kind() == io::ErrorKind::PermissionDenied {
        return BackendError::Io(format!(
            "could not {doing} {}: permission denied. Your user may not use this store's files: run roster as the user the store belongs to, or have them give you access (the folder needs rwx, its files rw)",
            path.display()
        ));
    }
    BackendError::Io(format!("could not {doing} {}: {err}", path.display()))
}

/// Creates `path` and any missing parents as 0700 folders.
pub fn create_dir(path: &Path) -> Result<(), BackendError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| io_error("create the folder", path, &e))
}

/// Opens `path` for reading and writing, creating it as 0600 if needed.
pub fn open_rw(path: &Path) -> Result<File, BackendError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error("open", path, &e))
}

/// Creates (or empties) `path` as a 0600 file for writing.
pub fn create_file(path: &Path) -> Result<File, BackendError> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error("create", path, &e))
}

/// Opens `path` for reading; `None` when it does not exist.
pub fn open_existing(path: &Path, write: bool) -> Result<Option<File>, BackendError> {
    match OpenOptions::new().read(true).write(write).open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("open", path, &e)),
    }
}

/// Makes the entries of a folder (new files, renames) durable: without this a crash
/// can forget a rename even though the renamed file's data was synced.
pub fn sync_dir(path: &Path) -> Result<(), BackendError> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("sync the folder", path, &e))
}

/// Renames `from` to `to` and syncs the folders of both.
pub fn rename_durably(from: &Path, to: &Path) -> Result<(), BackendError> {
    fs::rename(from, to).map_err(|e| {
        BackendError::Io(format!(
            "could not rename {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })?;
    let to_dir = to.parent().unwrap_or(Path::new("."));
    sync_dir(to_dir)?;
    match from.parent() {
        Some(from_dir) if from_dir != to_dir => sync_dir(from_dir),
        _ => Ok(()),
    }
}

/// Removes a leftover file if it is there.
pub fn remove_if_present(path: &Path) -> Result<(), BackendError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", path, &e)),
    }
}
