//! The snapshot: the whole directory as of one sequence number, so opening a store
//! replays only what came after it. It is only ever replaced whole (written aside,
//! synced, renamed), so unlike the log it has no torn tail: any flaw in it is damage.
//!
//! Version 2 (written now): the header, one framed JSON object holding the time of the
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
    directory: &'a Directory,
}

#[derive(Deserialize)]
struct In {
    last_event_at: Option<Timestamp>,
    /// Absent in version 1, where the accounts are in `directory`.
    #[serde(default)]
    accounts: u64,
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
    let (parsed, accounts) = if version >= 2 {
        // The JSON part (at a million accounts, 130 MiB of requests, resets and
        // invitations) is parsed on its own thread while the accounts are read and
        // decoded: neither needs the other until both are done.
        std::thread::scope(|s| {
            let parser = std::thread::Builder::new().spawn_scoped(s, || parse(&json));
            let accounts = read_accounts(r, &mut pos, &mut Vec::new());
            let parsed = match parser {
                Ok(thread) => thread.join().unwrap_or_else(|_| {
                    Err(Trouble::Damage(start, "the snapshot cannot be read".into()))
                }),
                Err(_) => parse(&json), // no thread to be had: parse it here
            };
            (parsed, Some(accounts))
        })
    } else {
        (parse(&json), None)
    };
    drop(json);
    let In {
        last_event_at,
        accounts: count,
        directory: mut dir,
    } = parsed?;
    match accounts {
        Some(accounts) => {
            let accounts = accounts?;
            if !dir.accounts.is_empty() {
                return Err(Trouble::Damage(
                    start,
                    "accounts are in the directory instead of their own section".into(),
                ));
            }
            if accounts.len() as u64 != count {
                return Err(Trouble::Damage(
                    start,
                    format!(
                        "the snapshot holds {} accounts where it promises {count}",
                        accounts.len()
                    ),
                ));
            }
            dir.accounts = accounts;
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
type Done = (usize, Vec<(u64, Result<Vec<Arc<Account>>, String>)>);
/// A decoded chunk: where it starts in the file, its accounts.
type Chunk = (u64, Vec<Arc<Account>>);

/// Chunks are handed to the decoders in batches of about this many bytes: every
/// hand-over can wait for a time slice on a busy machine, so there are few of them
/// (about 20 at a million accounts) rather than one per chunk.
const BATCH_BYTES: usize = 4 << 20;

fn decode_batch((i, batch): Job) -> Done {
    let decoded = batch
        .into_iter()
        .map(|(at, payload)| (at, accounts::decode_chunk(&payload)))
        .collect();
    (i, decoded)
}

/// Threads decoding chunks while this one reads the next ones: decoding (strings and
/// accounts allocated, UTF-8 checked) is most of reading the section, and the machine
/// roster is measured on has two cores.
const DECODERS: usize = 2;

/// The accounts section: chunks to the end of the file, ids rising from chunk to chunk
/// (so a chunk repeated or moved is damage even though each passes its checksum; the
/// caller checks the count against the JSON part, which catches a chunk dropped).
fn read_accounts(
    r: &mut impl Read,
    pos: &mut u64,
    buf: &mut Vec<u8>,
) -> Result<BTreeMap<AccountId, Arc<Account>>, Trouble> {
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
                    if done.send(decode_batch(job)).is_err() {
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
            for (at, accounts) in decoded {
                let accounts = accounts.map_err(|why| {
                    Trouble::Damage(
                        at,
                        format!("the snapshot passes its checksum but cannot be read ({why})"),
                    )
                })?;
                batch.push((at, accounts));
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
                store(decode_batch((i, batch)))?;
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
    let mut all: Vec<(AccountId, Arc<Account>)> = Vec::new();
    let mut last: Option<AccountId> = None;
    for (at, chunk) in batches.into_iter().flatten().flatten() {
        for a in chunk {
            if last.is_some_and(|l| l >= a.id) {
                return Err(Trouble::Damage(
                    at,
                    format!("account {} is out of order", a.id),
                ));
            }
            last = Some(a.id);
            all.push((a.id, a));
        }
    }
    // Already in order: building the map from a sorted list is one pass, without the
    // search per insert.
    Ok(all.into_iter().collect())
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
        let set_aside = std::mem::take(&mut d.accounts);
        let json = serde_json::to_vec(&Out {
            last_event_at: last_at,
            accounts: set_aside.len() as u64,
            directory: &d,
        });
        d.accounts = set_aside;
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
        let all: Vec<&Account> = d.accounts.values().map(|a| &**a).collect();
        for chunk in all.chunks(CHUNK) {
            let payload = accounts::encode_chunk(chunk).map_err(|e| encode_error(&e))?;
            w.write_all(&frame::encode(&payload)).map_err(io)?;
        }
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    fsio::rename_durably(tmp, path)
}
