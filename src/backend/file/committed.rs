//! The `committed` file: the sequence number of the last event whose record was synced,
//! so that a log cut exactly at a record boundary (which reads as a whole, shorter
//! log) is noticed instead of silently losing acknowledged commands.
//!
//! It is written with a plain write (no fsync) after every commit's fsync, under the
//! writer lock. Written only once the log is durable, it can lag behind the log (a
//! crash, or power lost before the page reached the disk) but never lead it. A reader
//! reads it *before* the snapshot and the log, so a writer committing meanwhile can
//! only make the log longer than the number read: never a false alarm.
//!
//! The content is fixed-width with a checksum (`<seq:020> <crc32:08x>\n`), rewritten
//! in place: a read racing a write, or a file whose last page was lost, fails the
//! check and is ignored (it says nothing), never misread as another number.

use super::fsio;
use crate::backend::BackendError;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// The bytes for `seq`.
fn encode(seq: u64) -> String {
    let digits = format!("{seq:020}");
    format!("{digits} {:08x}\n", crc32fast::hash(digits.as_bytes()))
}

/// The number in `text`, if it is whole and checks.
fn decode(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let (digits, crc) = text.strip_suffix('\n')?.split_once(' ')?;
    let crc = u32::from_str_radix(crc, 16).ok()?;
    (digits.len() == 20 && crc32fast::hash(digits.as_bytes()) == crc)
        .then(|| digits.parse().ok())
        .flatten()
}

/// The last committed sequence number recorded at `path`; `None` when there is no
/// file (a new store, or one written by an older roster) or it does not check.
pub fn read(path: &Path) -> Result<Option<u64>, BackendError> {
    let mut buf = vec![];
    match File::open(path).and_then(|f| f.take(64).read_to_end(&mut buf)) {
        Ok(_) => Ok(decode(&buf)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(fsio::io_error("read", path, &e)),
    }
}

/// Records `seq` as committed. Called only after the records up to `seq` are synced.
/// A failure is logged, not returned: the commands are durable already, and a marker
/// that lags only weakens the check, it never raises a false alarm.
pub fn write(path: &Path, seq: u64) {
    let written = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| {
            // Same length every time: one positioned write, no truncate in between
            // that a reader could see as an empty file.
            f.write_all_at(encode(seq).as_bytes(), 0)?;
            f.flush()
        });
    if let Err(e) = written {
        tracing::warn!(
            "could not record event {seq} as committed in {}: {e}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_reads_back_and_a_torn_one_says_nothing() {
        let text = encode(1234);
        assert_eq!(decode(text.as_bytes()), Some(1234));
        let mut torn = text.clone().into_bytes();
        torn[19] = b'9';
        assert_eq!(decode(&torn), None);
        assert_eq!(decode(&[0; 30]), None);
        assert_eq!(decode(b""), None);
    }
}
