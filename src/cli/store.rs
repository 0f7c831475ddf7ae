//! The CLI's one seam to the local file store: where it lives by default, whether one
//! exists, opening and creating it.

use crate::backend::file::FileStore;
use crate::backend::{Backend, BackendError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The per-user default store (`$ROSTER_STORE`, else under the XDG data directory).
pub fn default_path() -> Option<PathBuf> {
    Some(crate::backend::file::default_store_path())
}

/// True when anything is at `path`; opening then says whether it is a store.
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// True when `path` holds something a new store must not be put over: a file, or a
/// folder that is not empty. An empty folder (made by `mkdir` first) is fine.
pub fn occupied(path: &Path) -> bool {
    if path.is_dir() {
        return std::fs::read_dir(path)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
    }
    path.exists()
}

pub fn open(path: &Path) -> Result<Arc<dyn Backend>, BackendError> {
    Ok(Arc::new(FileStore::open(path)?))
}
