//! The spool: `<store>/outbox/<mail-id>.eml`, one rendered message per queued mail, the
//! only place its link exists until it is delivered. The folder is 0700, each file 0600,
//! written to a temporary name and renamed so a reader never sees half a message.

use crate::core::MailId;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub fn dir(root: &Path) -> PathBuf {
    root.join("outbox")
}

pub fn path(root: &Path, id: MailId) -> PathBuf {
    dir(root).join(format!("{id}.eml"))
}

/// Makes a private folder (and its parents), and makes it private if it already was there.
pub fn private_dir(path: &Path) -> Result<(), String> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot make {} private: {e}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file, 0600 from the start, synced.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

pub fn write(root: &Path, id: MailId, bytes: &[u8]) -> Result<PathBuf, String> {
    private_dir(&dir(root))?;
    let p = path(root, id);
    write_private(&p, bytes)?;
    Ok(p)
}

/// The spooled message, `None` when there is none.
pub fn read(root: &Path, id: MailId) -> Result<Option<Vec<u8>>, String> {
    let p = path(root, id);
    match fs::read(&p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", p.display())),
    }
}

/// Forgets a delivered message (and its link). Already gone is fine.
pub fn remove(root: &Path, id: MailId) -> Result<(), String> {
    let p = path(root, id);
    match fs::remove_file(&p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", p.display())),
    }
}
