//! The fixed header at the start of the event log and of the snapshot:
//!
//! ```text
//! 0..8    magic          "ROSTER\0L" (log) or "ROSTER\0S" (snapshot)
//! 8..12   format version u32 LE
//! 12..28  store id       16 bytes, the same in every file of one store
//! 28..36  generation     u64 LE, bumped by every compaction
//! 36..40  crc32          u32 LE of bytes 0..36
//! ```
//!
//! The magic tells roster's files from anything else, the version lets a newer format
//! be refused in words instead of misread, and the store id keeps a log from being
//! replayed on top of another store's snapshot.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::time::SystemTime;

pub const HEADER_LEN: usize = 40;
pub const FORMAT_VERSION: u32 = 1;
/// The snapshot's format: 2 since accounts are stored as binary chunks (see
/// `snapshot_accounts`), 3 since requests, resets and invitations are too (see
/// `snapshot_records`). Every older version still opens; a roster that knows only an
/// older one refuses a newer snapshot in words instead of misreading it, because its
/// header check reads only the versions it knows.
pub const SNAPSHOT_VERSION: u32 = 3;

const LOG_MAGIC: &[u8; 8] = b"ROSTER\0L";
const SNAPSHOT_MAGIC: &[u8; 8] = b"ROSTER\0S";

/// Which of roster's files a header starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Log,
    Snapshot,
}

impl Kind {
    fn magic(self) -> &'static [u8; 8] {
        match self {
            Kind::Log => LOG_MAGIC,
            Kind::Snapshot => SNAPSHOT_MAGIC,
        }
    }

    /// The version this roster writes for this kind of file.
    fn version(self) -> u32 {
        match self {
            Kind::Log => FORMAT_VERSION,
            Kind::Snapshot => SNAPSHOT_VERSION,
        }
    }

    /// Whether this roster can read `version` of this kind of file.
    fn reads(self, version: u32) -> bool {
        (FORMAT_VERSION..=self.version()).contains(&version)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Log => "event log",
            Kind::Snapshot => "snapshot",
        }
    }
}

/// A store's identity, chosen when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreId(pub [u8; 16]);

impl StoreId {
    /// A fresh id. It only has to differ between stores, not be secret, so the
    /// randomly keyed std hasher mixed with the time and pid is enough.
    pub fn new() -> StoreId {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mut bytes = [0u8; 16];
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = RandomState::new().build_hasher();
            h.write_u128(nanos);
            h.write_u32(std::process::id());
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
        StoreId(bytes)
    }
}

impl fmt::Display for StoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    pub store: StoreId,
    pub generation: u64,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(self.kind.magic());
        out[8..12].copy_from_slice(&self.kind.version().to_le_bytes());
        out[12..28].copy_from_slice(&self.store.0);
        out[28..36].copy_from_slice(&self.generation.to_le_bytes());
        let crc = crc32fast::hash(&out[0..36]);
        out[36..40].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads the header of a file expected to be of `kind`; the error is the second
    /// half of a sentence that starts with the file's path.
    pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Header, String> {
        let name = kind.name();
        if bytes.len() < HEADER_LEN {
            return Err(format!(
                "is not a roster {name}: it is {} bytes long, shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            ));
        }
        let magic = &bytes[0..8];
        if magic != kind.magic() {
            let other = [Kind::Log, Kind::Snapshot]
                .into_iter()
                .find(|k| magic == k.magic());
            return Err(match other {
                Some(other) => format!("is a roster {}, not a roster {name}", other.name()),
                None => {
                    format!("is not a roster {name}: it does not start with roster's magic bytes")
                }
            });
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        let crc = u32::from_le_bytes([bytes[36], bytes[37], bytes[38], bytes[39]]);
        if crc != crc32fast::hash(&bytes[0..36]) {
            return Err(format!(
                "has a damaged header (checksum mismatch in bytes 0..{HEADER_LEN})"
            ));
        }
        if !kind.reads(version) {
            let max = kind.version();
            return Err(format!(
                "uses format version {version}, but this roster reads versions up to {max}: use a roster that matches"
            ));
        }
        let mut store = [0u8; 16];
        store.copy_from_slice(&bytes[12..28]);
        let mut generation = [0u8; 8];
        generation.copy_from_slice(&bytes[28..36]);
        Ok(Header {
            kind,
            store: StoreId(store),
            generation: u64::from_le_bytes(generation),
        })
    }
}

/// The format version in a header that `Header::decode` accepted.
pub fn version_of(bytes: &[u8]) -> u32 {
    match bytes.get(8..12) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_the_other_kind() {
        let h = Header {
            kind: Kind::Log,
            store: StoreId::new(),
            generation: 7,
        };
        let bytes = h.encode();
        assert_eq!(Header::decode(Kind::Log, &bytes), Ok(h));
        let err = Header::decode(Kind::Snapshot, &bytes).unwrap_err();
        assert!(
            err.contains("is a roster event log, not a roster snapshot"),
            "{err}"
        );
    }

    #[test]
    fn a_damaged_header_is_refused() {
        let mut bytes = Header {
            kind: Kind::Log,
            store: StoreId::new(),
            generation: 1,
        }
        .encode();
        bytes[30] ^= 1;
        assert!(
            Header::decode(Kind::Log, &bytes)
                .unwrap_err()
                .contains("damaged header")
        );
    }

    /// Snapshots are written in version 3 and read in versions 1 to 3; logs stay
    /// version 1; an unknown version is refused naming both.
    #[test]
    fn snapshots_are_version_three_and_older_versions_still_read() {
        let h = Header {
            kind: Kind::Snapshot,
            store: StoreId::new(),
            generation: 3,
        };
        let bytes = h.encode();
        assert_eq!(version_of(&bytes), SNAPSHOT_VERSION);
        assert_eq!(Header::decode(Kind::Snapshot, &bytes), Ok(h));
        let with_version = |v: u32| {
            let mut b = bytes;
            b[8..12].copy_from_slice(&v.to_le_bytes());
            let crc = crc32fast::hash(&b[0..36]);
            b[36..40].copy_from_slice(&crc.to_le_bytes());
            b
        };
        assert_eq!(Header::decode(Kind::Snapshot, &with_version(1)), Ok(h));
        assert_eq!(Header::decode(Kind::Snapshot, &with_version(2)), Ok(h));
        assert!(Header::decode(Kind::Snapshot, &with_version(0)).is_err());
        let err = Header::decode(Kind::Snapshot, &with_version(4)).unwrap_err();
        assert!(
            err.contains("format version 4") && err.contains("up to 3"),
            "{err}"
        );
        let log = Header {
            kind: Kind::Log,
            ..h
        }
        .encode();
        assert_eq!(version_of(&log), FORMAT_VERSION);
    }

    #[test]
    fn store_ids_differ() {
        assert_ne!(StoreId::new(), StoreId::new());
    }
}
