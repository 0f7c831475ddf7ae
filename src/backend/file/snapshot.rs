//! The snapshot: the whole directory as of one sequence number, so opening a store
//! replays only what came after it. It is only ever replaced whole (written aside,
//! synced, renamed), so unlike the log it has no torn tail: any flaw in it is damage.
//!
//! Version 3 (written now): as version 2, but the approval requests, password-reset
//! links and invitations leave the JSON object too (which then says how many of each
//! there are), for binary chunks after the accounts' (`snapshot_records`): section by
//! section, ids rising within each.
//!
//! Version 2 (still read): the header, one framed JSON object holding the time of the
//! newest event (the moment the core last vouched for its invariants, which is when
//! they are checked after loading), the number of accounts and the `Directory` without
//! its accounts; then the accounts in binary chunks (`snapshot_accounts`), each its own
//! checked frame, in id order, until the file ends. The file is read through a buffer,
//! never whole (at a million accounts it is hundreds of MiB), and chunks are decoded
//! on two threads while the next ones are read.
//!
//! Version 1 (still read): the header and one framed JSON object with the whole
//! `Directory`, accounts included.

use super::frame::{self, FRAME_OVERHEAD, Flaw};
use super::fsio;
use super::header::{self, HEADER_LEN, Header, Kind};
use super::log::{corrupt, foreign};
use super::snapshot_accounts::{self as accounts, CHUNK, MAX_CHUNK_BYTES};
use super::snapshot_records::{self as records, Rows, Section};
use crate::backend::BackendError;
use crate::core::{Account, AccountId, Directory};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock, mpsc};

pub struct Snapshot {
    pub header: Header,
    pub dir: Directory,
    /// When the newest event in `dir` happened (`None`: no event yet).
    pub last_at: Option<Timestamp>,
}

#[derive(Serialize)]
struct Out<'a> {
    last_event_at: Option<Timestamp>,
    /// How many accounts the chunks after this frame hold (version 2).
    accounts: u64,
    /// How many requests, resets and invitations they hold (version 3).
    requests: u64,
    resets: u64,
    invitations: u64,
    directory: &'a Directory,
}

#[derive(Deserialize)]
struct In {
    last_event_at: Option<Timestamp>,
    /// Absent in version 1, where the accounts are in `directory`.
    #[serde(default)]
    accounts: u64,
    /// Absent before version 3, where these are in `directory`.
    #[serde(default)]
    requests: u64,
    #[serde(default)]
    resets: u64,
    #[serde(default)]
    invitations: u64,
    directory: Directory,
}

/// Reads the snapshot at `path`; `None` when the store has never been compacted.
pub fn read(path: &Path) -> Result<Option<Snapshot>, BackendError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fsio::io_error("read", path, &e)),
    };
    decode_from(BufReader::with_capacity(1 << 20, file), path).map(Some)
}

/// The snapshot in `bytes`, read from `path` (named in errors).
pub fn decode(bytes: &[u8], path: &Path) -> Result<Snapshot, BackendError> {
    decode_from(bytes, path)
}

/// What can go wrong reading: the files (named as they are) or the bytes (damage at
/// an offset).
enum Trouble {
    Io(io::Error),
    Damage(u64, String),
}

/// Reads up to `buf.len()` bytes, fewer only at the end of the input.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The payload of the frame at `pos` into `buf`, checked; `false` at a clean end of
/// the input. Only as many bytes as are there are allocated, whatever the length
/// field says.
fn next_frame(r: &mut impl Read, pos: u64, max: usize, buf: &mut Vec<u8>) -> Result<bool, Trouble> {
    let mut head = [0u8; FRAME_OVERHEAD];
    let got = read_full(r, &mut head).map_err(Trouble::Io)?;
    if got == 0 {
        return Ok(false);
    }
    let flaw = |f: Flaw| Trouble::Damage(pos, f.to_string());
    if got < FRAME_OVERHEAD {
        return Err(flaw(Flaw::Short {
            have: got,
            need: FRAME_OVERHEAD,
        }));
    }
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if len == 0 || len > max {
        return Err(flaw(Flaw::BadLength(len as u64)));
    }
    buf.clear();
    r.take(len as u64).read_to_end(buf).map_err(Trouble::Io)?;
    if buf.len() < len {
        return Err(flaw(Flaw::Short {
            have: FRAME_OVERHEAD + buf.len(),
            need: FRAME_OVERHEAD + len,
        }));
    }
    if crc32fast::hash(buf) != crc {
        return Err(flaw(Flaw::Checksum));
    }
    Ok(true)
}

fn decode_from(mut r: impl Read, path: &Path) -> Result<Snapshot, BackendError> {
    let mut head = [0u8; HEADER_LEN];
    let got = read_full(&mut r, &mut head).map_err(|e| fsio::io_error("read", path, &e))?;
    let header = Header::decode(Kind::Snapshot, &head[..got]).map_err(|why| foreign(path, &why))?;
    let version = header::version_of(&head);
    body(&mut r, version)
        .map(|(dir, last_at)| Snapshot {
            header,
            dir,
            last_at,
        })
        .map_err(|t| match t {
            Trouble::Io(e) => fsio::io_error("read", path, &e),
            Trouble::Damage(at, why) => corrupt(path, at, &why),
        })
}

fn body(r: &mut impl Read, version: u32) -> Result<(Directory, Option<Timestamp>), Trouble> {
    let start = HEADER_LEN as u64;
    let mut json = Vec::new();
    if !next_frame(r, start, frame::MAX_SNAPSHOT, &mut json)? {
        let why = Flaw::Short {
            have: 0,
            need: FRAME_OVERHEAD,
        };
        return Err(Trouble::Damage(start, why.to_string()));
    }
    let mut pos = start + (FRAME_OVERHEAD + json.len()) as u64;
    let (parsed, sections) = if version >= 2 {
        // The JSON part is parsed on its own thread while the chunks are read and
        // decoded: neither needs the other until both are done.
        std::thread::scope(|s| {
            let parser = std::thread::Builder::new().spawn_scoped(s, || parse(&json));
            let sections = read_chunks(r, &mut pos, version, &mut Vec::new());
            let parsed = match parser {
                Ok(thread) => thread.join().unwrap_or_else(|_| {
                    Err(Trouble::Damage(start, "the snapshot cannot be read".into()))
                }),
                Err(_) => parse(&json), // no thread to be had: parse it here
            };
            (parsed, Some(sections))
        })
    } else {
        (parse(&json), None)
    };
    drop(json);
    let In {
        last_event_at,
        accounts,
        requests,
        resets,
        invitations,
        directory: mut dir,
    } = parsed?;
    match sections {
        Some(sections) => {
            let sections = sections?;
            // Each section must be whole: the JSON part says how many rows it has (a
            // chunk dropped passes every checksum), and what a section holds must not
            // also be in the JSON part.
            let misplaced = |what: &str| {
                Trouble::Damage(
                    start,
                    format!("{what} are in the directory instead of their own section"),
                )
            };
            if !dir.accounts.is_empty() {
                return Err(misplaced("accounts"));
            }
            if version >= 3 {
                if !dir.requests.is_empty() {
                    return Err(misplaced("approval requests"));
                }
                if !dir.resets.is_empty() {
                    return Err(misplaced("password resets"));
                }
                if !dir.invitations.is_empty() {
                    return Err(misplaced("invitations"));
                }
            }
            let counts = [
                ("accounts", sections.accounts.len(), accounts),
                ("approval requests", sections.requests.len(), requests),
                ("password resets", sections.resets.len(), resets),
                ("invitations", sections.invitations.len(), invitations),
            ];
            if let Some((what, have, promised)) = counts
                .into_iter()
                .find(|&(_, have, promised)| have as u64 != promised)
            {
                return Err(Trouble::Damage(
                    start,
                    format!("the snapshot holds {have} {what} where it promises {promised}"),
                ));
            }
            dir.accounts = sections.accounts;
            if version >= 3 {
                dir.requests = sections.requests;
                dir.resets = sections.resets;
                dir.invitations = sections.invitations;
            }
        }
        None => {
            if read_full(r, &mut [0u8; 1]).map_err(Trouble::Io)? != 0 {
                return Err(Trouble::Damage(
                    pos,
                    "unexpected bytes after the snapshot".into(),
                ));
            }
        }
    }
    dir.reindex_with(both);
    Ok((dir, last_event_at))
}

/// Runs `a` and `b` at once, on this thread and another (on this one alone when the
/// system has no thread to give).
fn both(a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
    let spawned = std::thread::scope(|s| {
        let Ok(thread) = std::thread::Builder::new().spawn_scoped(s, &mut *b) else {
            return false;
        };
        a();
        // A panic there is re-raised here, as if both had run on this thread.
        if let Err(p) = thread.join() {
            std::panic::resume_unwind(p);
        }
        true
    });
    if !spawned {
        a();
        b();
    }
}

/// The first frame's JSON.
fn parse(json: &[u8]) -> Result<In, Trouble> {
    serde_json::from_slice(json).map_err(|e| {
        Trouble::Damage(
            HEADER_LEN as u64,
            format!("the snapshot passes its checksum but cannot be read ({e})"),
        )
    })
}

/// Chunks read and checked, waiting to be decoded: the batch's place among the
/// batches, and each chunk with where it starts in the file.
type Job = (usize, Vec<(u64, Vec<u8>)>);
type Done = (usize, Vec<(u64, Result<Rows, String>)>);
/// A decoded chunk: where it starts in the file, its rows.
type Chunk = (u64, Rows);

/// Chunks are handed to the decoders in batches of about this many bytes: every
/// hand-over can wait for a time slice on a busy machine, so there are few of them
/// (about 20 at a million accounts) rather than one per chunk.
const BATCH_BYTES: usize = 4 << 20;

fn decode_batch(version: u32, (i, batch): Job) -> Done {
    let decoded = batch
        .into_iter()
        .map(|(at, payload)| {
            let rows = if version >= 3 {
                records::decode(&payload)
            } else {
                accounts::decode_chunk(&payload).map(Rows::Accounts)
            };
            (at, rows)
        })
        .collect();
    (i, decoded)
}

/// What the chunks hold, section by section.
#[derive(Default)]
struct Sections {
    accounts: BTreeMap<AccountId, Arc<Account>>,
    requests: BTreeMap<crate::core::RequestId, crate::core::ApprovalRequest>,
    resets: BTreeMap<crate::core::ResetId, crate::core::ResetRequest>,
    invitations: BTreeMap<crate::core::InvitationId, crate::core::Invitation>,
}

/// Rows in id order into a map (one pass, no search per insert: a map built from a
/// sorted list), refusing an id not above the one before it: a chunk repeated or
/// moved passes its checksum, the order gives it away.
fn in_order<K: Ord + Copy + std::fmt::Display, V>(
    chunks: Vec<(u64, Vec<V>)>,
    id: impl Fn(&V) -> K,
    what: &str,
) -> Result<BTreeMap<K, V>, Trouble> {
    let mut all = Vec::with_capacity(chunks.iter().map(|(_, c)| c.len()).sum());
    let mut last: Option<K> = None;
    for (at, chunk) in chunks {
        for row in chunk {
            let k = id(&row);
            if last.is_some_and(|l| l >= k) {
                return Err(Trouble::Damage(at, format!("{what} {k} is out of order")));
            }
            last = Some(k);
            all.push((k, row));
        }
    }
    Ok(all.into_iter().collect())
}

/// Threads decoding chunks while this one reads the next ones: decoding (strings and
/// accounts allocated, UTF-8 checked) is most of reading the section, and the machine
/// roster is measured on has two cores.
const DECODERS: usize = 2;

/// The chunks to the end of the file: sections in their order, ids rising from chunk
/// to chunk within each (so a chunk repeated or moved is damage even though each
/// passes its checksum; the caller checks the counts against the JSON part, which
/// catches a chunk dropped).
fn read_chunks(
    r: &mut impl Read,
    pos: &mut u64,
    version: u32,
    buf: &mut Vec<u8>,
) -> Result<Sections, Trouble> {
    let mut batches: Vec<Option<Vec<Chunk>>> = Vec::new();
    let (jobs, queue) = mpsc::sync_channel::<Job>(DECODERS);
    let queue = Mutex::new(queue);
    let (done, results) = mpsc::channel::<Done>();
    std::thread::scope(|s| -> Result<(), Trouble> {
        let mut decoders = 0;
        for _ in 0..DECODERS {
            let (queue, done) = (&queue, done.clone());
            let worker = move || {
                loop {
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { break };
                    if done.send(decode_batch(version, job)).is_err() {
                        break;
                    }
                }
            };
            // Without a thread (the system refused one), this thread decodes.
            if std::thread::Builder::new().spawn_scoped(s, worker).is_ok() {
                decoders += 1;
            }
        }
        drop(done);
        let mut store = |(i, decoded): Done| -> Result<(), Trouble> {
            let mut batch = Vec::with_capacity(decoded.len());
            for (at, rows) in decoded {
                let rows = rows.map_err(|why| {
                    Trouble::Damage(
                        at,
                        format!("the snapshot passes its checksum but cannot be read ({why})"),
                    )
                })?;
                batch.push((at, rows));
            }
            if batches.len() <= i {
                batches.resize_with(i + 1, || None);
            }
            batches[i] = Some(batch);
            Ok(())
        };
        let mut i = 0;
        let mut more = true;
        while more {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            while bytes < BATCH_BYTES {
                let at = *pos;
                if !next_frame(r, at, MAX_CHUNK_BYTES, buf)? {
                    more = false;
                    break;
                }
                *pos += (FRAME_OVERHEAD + buf.len()) as u64;
                bytes += buf.len();
                batch.push((at, std::mem::take(buf)));
            }
            if batch.is_empty() {
                break;
            }
            if decoders == 0 {
                store(decode_batch(version, (i, batch)))?;
            } else if jobs.send((i, batch)).is_err() {
                break; // the decoders are gone; what they sent says why
            }
            while let Ok(d) = results.try_recv() {
                store(d)?;
            }
            i += 1;
        }
        drop(jobs);
        for d in results {
            store(d)?;
        }
        Ok(())
    })?;
    let (mut accounts, mut requests, mut resets, mut invitations) =
        (vec![], vec![], vec![], vec![]);
    let mut section = Section::Accounts;
    for (at, rows) in batches.into_iter().flatten().flatten() {
        if rows.section() < section {
            return Err(Trouble::Damage(
                at,
                format!(
                    "a chunk of {:?} comes after the {section:?} section",
                    rows.section()
                ),
            ));
        }
        section = rows.section();
        match rows {
            Rows::Accounts(rows) => accounts.push((at, rows)),
            Rows::Requests(rows) => requests.push((at, rows)),
            Rows::Resets(rows) => resets.push((at, rows)),
            Rows::Invitations(rows) => invitations.push((at, rows)),
        }
    }
    Ok(Sections {
        accounts: in_order(accounts, |a| a.id, "account")?,
        requests: in_order(requests, |r| r.id, "approval request")?,
        resets: in_order(resets, |r| r.id, "password reset")?,
        invitations: in_order(invitations, |i| i.id, "invitation")?,
    })
}

/// Replaces the snapshot with `dir`: written to `tmp`, synced, renamed over `path`,
/// and the folder synced, so a crash leaves either the old snapshot or the new one.
///
/// The directory's accounts are set aside (under the write lock, briefly) while the
/// rest of it is encoded as JSON, then encoded in chunks under the read lock.
pub fn write(
    path: &Path,
    tmp: &Path,
    header: &Header,
    dir: &RwLock<Directory>,
    last_at: Option<Timestamp>,
) -> Result<(), BackendError> {
    let encode_error = |e: &dyn std::fmt::Display| {
        BackendError::Io(format!(
            "could not encode the snapshot for {}: {e}",
            path.display()
        ))
    };
    let json = {
        let mut d = dir.write().unwrap_or_else(PoisonError::into_inner);
        let set_aside = (
            std::mem::take(&mut d.accounts),
            std::mem::take(&mut d.requests),
            std::mem::take(&mut d.resets),
            std::mem::take(&mut d.invitations),
        );
        let json = serde_json::to_vec(&Out {
            last_event_at: last_at,
            accounts: set_aside.0.len() as u64,
            requests: set_aside.1.len() as u64,
            resets: set_aside.2.len() as u64,
            invitations: set_aside.3.len() as u64,
            directory: &d,
        });
        (d.accounts, d.requests, d.resets, d.invitations) = set_aside;
        json.map_err(|e| encode_error(&e))?
    };
    if json.len() > frame::MAX_SNAPSHOT {
        return Err(BackendError::Io(format!(
            "the snapshot for {} would be {} bytes, more than the 4 GiB a snapshot can hold; the log keeps growing instead",
            path.display(),
            json.len()
        )));
    }
    let file = fsio::create_file(tmp)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let io = |e: io::Error| fsio::io_error("write", tmp, &e);
    w.write_all(&header.encode())
        .and_then(|_| w.write_all(&frame::encode(&json)))
        .map_err(io)?;
    drop(json);
    {
        let d = dir.read().unwrap_or_else(PoisonError::into_inner);
        let mut put = |payload: Result<Vec<u8>, String>| {
            let payload = payload.map_err(|e| encode_error(&e))?;
            w.write_all(&frame::encode(&payload)).map_err(io)
        };
        let all: Vec<&Account> = d.accounts.values().map(|a| &**a).collect();
        for chunk in all.chunks(CHUNK) {
            put(records::encode_accounts(chunk))?;
        }
        let all: Vec<_> = d.requests.values().collect();
        for chunk in all.chunks(CHUNK) {
            put(records::encode_requests(chunk))?;
        }
        let all: Vec<_> = d.resets.values().collect();
        for chunk in all.chunks(CHUNK) {
            put(records::encode_resets(chunk))?;
        }
        let all: Vec<_> = d.invitations.values().collect();
        for chunk in all.chunks(CHUNK) {
            put(records::encode_invitations(chunk))?;
        }
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    fsio::rename_durably(tmp, path)
}
