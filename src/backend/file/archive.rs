//! Old log generations, kept whole in `archive/` for the audit trail. Compaction
//! renames the log there rather than copying it, so archiving is one atomic step.

use super::fsio;
use crate::backend::BackendError;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Moves the log of `generation` into `archive_dir`.
pub fn store(log: &Path, archive_dir: &Path, generation: u64) -> Result<PathBuf, BackendError> {
    fsio::create_dir(archive_dir)?;
    let target = free_name(archive_dir, generation);
    fsio::rename_durably(log, &target)?;
    Ok(target)
}

/// Where segment `generation` is archived under its plain name (`events-00000003.log`).
pub fn segment_path(archive_dir: &Path, generation: u64) -> PathBuf {
    archive_dir.join(format!("events-{generation:08}.log"))
}

/// `events-00000003.log`, or with a suffix if that name is somehow taken: an archived
/// segment is history and is never overwritten.
fn free_name(archive_dir: &Path, generation: u64) -> PathBuf {
    let plain = segment_path(archive_dir, generation);
    if !plain.exists() {
        return plain;
    }
    (1u32..)
        .map(|n| archive_dir.join(format!("events-{generation:08}.{n}.log")))
        .find(|p| !p.exists())
        .unwrap_or(plain)
}

/// The archived segments, newest first.
pub fn segments(archive_dir: &Path) -> Result<Vec<PathBuf>, BackendError> {
    let entries = match fs::read_dir(archive_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(fsio::io_error("list", archive_dir, &e)),
    };
    let mut out = vec![];
    for entry in entries {
        let entry = entry.map_err(|e| fsio::io_error("list", archive_dir, &e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("events-") && name.ends_with(".log") {
            out.push(entry.path());
        }
    }
    // Zero-padded generations sort by name (a suffixed duplicate lands next to its
    // generation; the audit orders by sequence number anyway).
    out.sort();
    out.reverse();
    Ok(out)
}
