//! Record framing: `[u32 len LE][u32 crc32 LE][payload]`, the crc over the payload.
//!
//! A log record's payload is the JSON array of one command's events, so a command is
//! either wholly in the log or not at all: a crash can tear only the last record, never
//! half of a command.
//!
//! Reading tells a *torn tail* (a write that never finished, safe to cut) from
//! *damage* (acknowledged history is hurt, so we stop and say so rather than guess).
//! A command is acknowledged only after its whole record is fsynced, so:
//!
//! - a last record shorter than its length field says (or whose length field is
//!   zero or absurd), with nothing valid after it, is a torn tail: cut;
//! - a last record of full length that fails its checksum is damage, unless its
//!   payload *ends in zero bytes*: that is what power lost during the write leaves
//!   when the file's size reached the disk but its last page did not (the unwritten
//!   part reads as zeros), and a payload roster writes always ends in `]`, never in
//!   a zero byte. Such a record was never synced, so never acknowledged: cut;
//! - a bad record with a valid record after it is damage, whatever the flaw.

use crate::core::Recorded;

/// Bytes before a record's payload.
pub const FRAME_OVERHEAD: usize = 8;

/// No record is this big; a larger length field is damage, not a record.
const MAX_PAYLOAD: usize = 256 * 1024 * 1024;

/// Frames one payload.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_OVERHEAD + payload.len());
    // The payload of one command is far below 4 GiB; saturate rather than wrap so an
    // absurd payload is caught as a bad record on read instead of misframing.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Why the bytes at some position are not a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// Fewer bytes than the length field promises.
    Short { have: usize, need: usize },
    /// The length field is zero or absurd.
    BadLength(u64),
    /// The payload does not match its checksum.
    Checksum,
}

impl std::fmt::Display for Flaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flaw::Short { have, need } => {
                write!(f, "the record is incomplete ({have} of {need} bytes)")
            }
            Flaw::BadLength(n) => write!(f, "the record length {n} is impossible"),
            Flaw::Checksum => write!(f, "the record fails its checksum"),
        }
    }
}

/// The payload of the record starting at `pos`, and where the next one starts.
pub fn frame_at(buf: &[u8], pos: usize) -> Result<(&[u8], usize), Flaw> {
    frame_at_most(buf, pos, MAX_PAYLOAD)
}

/// The largest snapshot frame (its length field is a u32). A format 1 snapshot is one
/// record for the whole directory, far past a command's `MAX_PAYLOAD` at a million
/// accounts (about 370 MiB); in format 2 the JSON part is still over 100 MiB there (in
/// format 3, where requests, resets and invitations are chunks too, a few MiB).
/// Only as many bytes as the file holds are ever allocated for it.
pub const MAX_SNAPSHOT: usize = u32::MAX as usize;

/// `frame_at` for a record that may be up to `max` bytes.
pub fn frame_at_most(buf: &[u8], pos: usize, max: usize) -> Result<(&[u8], usize), Flaw> {
    let rest = buf.get(pos..).unwrap_or_default();
    if rest.len() < FRAME_OVERHEAD {
        return Err(Flaw::Short {
            have: rest.len(),
            need: FRAME_OVERHEAD,
        });
    }
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    if len == 0 || len > max {
        return Err(Flaw::BadLength(len as u64));
    }
    let Some(payload) = rest.get(FRAME_OVERHEAD..FRAME_OVERHEAD + len) else {
        return Err(Flaw::Short {
            have: rest.len(),
            need: FRAME_OVERHEAD + len,
        });
    };
    if crc32fast::hash(payload) != crc {
        return Err(Flaw::Checksum);
    }
    Ok((payload, pos + FRAME_OVERHEAD + len))
}

/// One command's events as stored.
#[derive(Debug)]
pub struct Batch {
    /// Where the record starts, relative to the scanned buffer.
    pub at: usize,
    pub events: Vec<Recorded>,
}

/// A torn tail: where the valid prefix ends and why the rest is not a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tail {
    pub at: usize,
    pub bytes: usize,
    pub flaw: Flaw,
}

/// What a scan of log records found.
#[derive(Debug)]
pub struct Scan {
    pub batches: Vec<Batch>,
    /// End of the last complete record (relative to the buffer).
    pub end: usize,
    pub tail: Option<Tail>,
}

/// Damage that is not a torn tail; `at` is relative to the scanned buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    pub at: usize,
    pub why: String,
}

/// Reads consecutive log records from `buf`.
pub fn scan(buf: &[u8]) -> Result<Scan, Damage> {
    let mut batches = vec![];
    let mut pos = 0;
    while pos < buf.len() {
        match frame_at(buf, pos) {
            Ok((payload, next)) => {
                let events = parse_batch(payload).map_err(|why| Damage {
                    at: pos,
                    why: format!("the record passes its checksum but cannot be read ({why}); it may come from a newer roster"),
                })?;
                batches.push(Batch { at: pos, events });
                pos = next;
            }
            Err(flaw) => {
                if let Some(next) = next_valid_record(buf, pos + 1) {
                    return Err(Damage {
                        at: pos,
                        why: format!(
                            "{flaw}, yet a valid record follows at byte {next}: this is damage inside the history, not an interrupted write"
                        ),
                    });
                }
                if flaw == Flaw::Checksum && !unfinished(buf, pos) {
                    return Err(Damage {
                        at: pos,
                        why: "the last record is complete but fails its checksum, and it does not end in the zero bytes an unfinished write leaves: this record was acknowledged, so it is not cut".into(),
                    });
                }
                return Ok(Scan {
                    batches,
                    end: pos,
                    tail: Some(Tail {
                        at: pos,
                        bytes: buf.len() - pos,
                        flaw,
                    }),
                });
            }
        }
    }
    Ok(Scan {
        batches,
        end: pos,
        tail: None,
    })
}

/// Whether the full-length record at `pos` that fails its checksum ends in zero
/// bytes: the part of an unfinished write that never reached the disk (see the
/// module comment).
fn unfinished(buf: &[u8], pos: usize) -> bool {
    let rest = &buf[pos..];
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    rest.get(FRAME_OVERHEAD..FRAME_OVERHEAD + len)
        .and_then(|payload| payload.last())
        .is_some_and(|&b| b == 0)
}

/// A batch is a non-empty JSON array of recorded events.
fn parse_batch(payload: &[u8]) -> Result<Vec<Recorded>, String> {
    let events: Vec<Recorded> = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
    if events.is_empty() {
        return Err("it holds no events".into());
    }
    Ok(events)
}

/// The first position at or after `from` where a complete, readable record starts.
/// Cheap byte checks (a batch payload is `[{…}]`) rule out almost every position
/// before the checksum is computed, so this stays fast on a long damaged tail.
fn next_valid_record(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len().saturating_sub(FRAME_OVERHEAD)).find(|&pos| {
        let rest = &buf[pos..];
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Some(payload) = rest.get(FRAME_OVERHEAD..FRAME_OVERHEAD + len) else {
            return false;
        };
        payload.len() >= 2
            && payload.starts_with(b"[{")
            && payload.ends_with(b"]")
            && frame_at(buf, pos).is_ok()
            && parse_batch(payload).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Event, GroupId, Principal};

    fn record(seq: u64) -> Vec<u8> {
        let rec = Recorded {
            seq,
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: Principal::Operator,
            actor_label: "operator".into(),
            org: None,
            event: Event::GroupDeleted {
                group: GroupId(seq),
            },
        };
        encode(&serde_json::to_vec(&vec![rec]).unwrap())
    }

    fn log(n: u64) -> Vec<u8> {
        (1..=n).flat_map(record).collect()
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let buf = log(3);
        let scan = scan(&buf).unwrap();
        assert_eq!(scan.batches.len(), 3);
        assert_eq!(scan.end, buf.len());
        assert!(scan.tail.is_none());
        assert_eq!(scan.batches[2].events[0].seq, 3);
    }

    #[test]
    fn every_truncation_is_a_torn_tail_keeping_the_complete_records() {
        let buf = log(3);
        let two = record(1).len() + record(2).len();
        for cut in two + 1..buf.len() {
            let scan = scan(&buf[..cut]).unwrap();
            assert_eq!(scan.batches.len(), 2, "cut at {cut}");
            assert_eq!(scan.tail.as_ref().map(|t| t.at), Some(two));
        }
    }

    /// A full-length record was synced before it was acknowledged: a flipped bit in
    /// it is damage wherever it is, never a tail to cut.
    #[test]
    fn a_flipped_bit_in_the_last_record_or_in_the_middle_is_damage() {
        let buf = log(3);
        let first = record(1).len();
        let last_at = buf.len() - record(3).len();
        let mut last = buf.clone();
        let n = last.len();
        last[n - 3] ^= 0x10;
        let damage = scan(&last).unwrap_err();
        assert_eq!(damage.at, last_at);
        assert!(damage.why.contains("acknowledged"), "{}", damage.why);

        let mut middle = buf.clone();
        middle[first + 12] ^= 0x10;
        let damage = super::scan(&middle).unwrap_err();
        assert_eq!(damage.at, first);
        assert!(
            damage.why.contains("valid record follows"),
            "{}",
            damage.why
        );
    }

    /// Power lost mid-write: the size reached the disk, the last page did not, and
    /// the payload ends in zeros. Never synced, so never acknowledged: a tail.
    #[test]
    fn a_full_length_last_record_ending_in_zeros_is_an_unfinished_write() {
        let buf = log(3);
        let last_at = buf.len() - record(3).len();
        for zeros in [1, 7, record(3).len() - FRAME_OVERHEAD] {
            let mut b = buf.clone();
            let n = b.len();
            b[n - zeros..].fill(0);
            let scan = scan(&b).unwrap_or_else(|d| panic!("{zeros} zeros: {d:?}"));
            assert_eq!(scan.batches.len(), 2);
            let tail = scan.tail.unwrap();
            assert_eq!((tail.at, tail.flaw), (last_at, Flaw::Checksum));
        }
    }

    #[test]
    fn a_damaged_length_in_the_middle_is_damage_not_a_tail() {
        let mut buf = log(3);
        buf[3] = 0x7f; // the first record now claims to be huge
        let damage = scan(&buf).unwrap_err();
        assert_eq!(damage.at, 0);
    }

    /// A snapshot of a million accounts (~370 MiB) is longer than any command record
    /// may be, and must still read as a snapshot rather than as damage.
    #[test]
    fn a_snapshot_frame_may_be_longer_than_a_command_record() {
        let len = (MAX_PAYLOAD + 1) as u32;
        let mut buf = len.to_le_bytes().to_vec();
        buf.extend_from_slice(&[0; 4]);
        assert!(matches!(frame_at(&buf, 0), Err(Flaw::BadLength(_))));
        assert!(matches!(
            frame_at_most(&buf, 0, MAX_SNAPSHOT),
            Err(Flaw::Short { .. })
        ));
    }
}
