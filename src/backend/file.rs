//! The local file store: the embedded default backend.
//!
//! A store is a folder (0700; every file in it 0600):
//!
//! ```text
//! events.log        the current log generation: header, then one record per command
//! snapshot          the directory as of the end of the previous generation (after the
//!                   first compaction)
//! archive/          earlier log generations, whole, for the audit trail
//! lock              the writer lock, held for one command at a time
//! committed         the last committed event's number, written after each fsync
//! ```
//!
//! A record is `[u32 len][u32 crc32][JSON array of one command's events]`, synced
//! before the command is acknowledged. Opening reads the snapshot and replays the
//! records after it; a torn last record is cut, damage anywhere else (a whole record
//! failing its checksum included: see `frame`) is reported, and so is a log holding
//! fewer events than `committed` says (see `committed`).
//! When the log passes a size threshold the writer snapshots, archives the log and
//! starts the next generation, so opening never replays more than one generation.

mod archive;
pub(crate) mod audit;
mod bulk;
mod committed;
pub mod decode;
mod export;
mod frame;
mod fsio;
mod group;
mod header;
mod layout;
mod lock;
mod log;
mod recover;
mod snapshot;
mod snapshot_accounts;
mod snapshot_records;
mod store;

pub use bulk::BulkWriter;
pub use header::HEADER_LEN;
pub use lock::WriterLock;
pub use store::{Clock, FileStore, Options};

use std::path::PathBuf;

/// Where the store lives unless `--store` says otherwise: `$ROSTER_STORE`, else the
/// XDG data folder (`~/.local/share/roster/store`).
pub fn default_store_path() -> PathBuf {
    if let Some(p) = std::env::var_os("ROSTER_STORE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    match dirs::data_dir() {
        Some(d) => d.join("roster").join("store"),
        // No home folder at all (a bare service account): keep it next to us.
        None => PathBuf::from("roster-store"),
    }
}
