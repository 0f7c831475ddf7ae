//! The store's decoders over plain bytes, public so that property tests and the
//! `cargo fuzz` target (fuzz/) can feed them anything: whatever the bytes, the answer
//! is a value or an error sentence, never a panic.

use super::frame;
use super::header::{HEADER_LEN, Header, Kind};
use super::snapshot;
use crate::core::{Directory, Recorded};
use std::path::Path;

/// What a whole event-log file holds: one entry per command, and whether a torn tail
/// (an interrupted write, which opening cuts off) followed the valid prefix.
#[derive(Debug)]
pub struct DecodedLog {
    pub commands: Vec<Vec<Recorded>>,
    /// Bytes after the last complete record, and why they are not one.
    pub torn_tail: Option<String>,
}

/// Decodes an event-log file (header and records) as opening a store reads it.
pub fn log(bytes: &[u8]) -> Result<DecodedLog, String> {
    let path = Path::new("events.log");
    Header::decode(Kind::Log, bytes).map_err(|why| format!("{} {why}", path.display()))?;
    let body = bytes.get(HEADER_LEN..).unwrap_or_default();
    let scan = frame::scan(body).map_err(|d| {
        format!(
            "damaged at byte {}: {}",
            d.at.saturating_add(HEADER_LEN),
            d.why
        )
    })?;
    Ok(DecodedLog {
        commands: scan.batches.into_iter().map(|b| b.events).collect(),
        torn_tail: scan.tail.map(|t| format!("{} bytes: {}", t.bytes, t.flaw)),
    })
}

/// Decodes the records of a log without its header (what follows byte `HEADER_LEN`).
pub fn records(bytes: &[u8]) -> Result<DecodedLog, String> {
    let scan = frame::scan(bytes).map_err(|d| format!("damaged at byte {}: {}", d.at, d.why))?;
    Ok(DecodedLog {
        commands: scan.batches.into_iter().map(|b| b.events).collect(),
        torn_tail: scan.tail.map(|t| format!("{} bytes: {}", t.bytes, t.flaw)),
    })
}

/// Decodes a snapshot file as opening a store reads it.
pub fn snapshot(bytes: &[u8]) -> Result<Directory, String> {
    snapshot::decode(bytes, Path::new("snapshot"))
        .map(|s| s.dir)
        .map_err(|e| e.to_string())
}
