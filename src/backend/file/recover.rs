//! Reading a store from disk: snapshot, then the log records after it, and the repairs
//! only a writer (holding the lock) may make: cutting a torn tail and finishing a
//! compaction a crash interrupted.

use super::archive;
use super::committed;
use super::fsio::{self, FileId};
use super::header::{HEADER_LEN, Header, Kind, StoreId};
use super::layout::Layout;
use super::log::{self, LogFile, corrupt, foreign};
use super::snapshot;
use crate::backend::BackendError;
use crate::core::{Directory, Recorded, invariants};
use jiff::Timestamp;
use std::fs;
use std::io::Read;
use std::path::Path;

/// Whether we hold the writer lock, and so may repair what we find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// May cut a torn tail and finish an interrupted compaction.
    Writer,
    /// Must leave the files alone: an incomplete last record may be a write that
    /// another process is making right now.
    Reader,
}

/// How far this process has read the store.
#[derive(Clone, Debug)]
pub struct Cursor {
    pub store: StoreId,
    /// The generation of the snapshot/log pair we loaded.
    pub generation: u64,
    /// The log file we read (`None`: between generations, no log yet).
    pub log: Option<FileId>,
    /// Bytes of that log consumed: the header and every complete record.
    pub offset: u64,
    /// Set when a write failed half-way: trust nothing, reload on next use.
    pub stale: bool,
    /// When the newest event we applied happened.
    pub last_at: Option<Timestamp>,
}

pub struct Loaded {
    pub dir: Directory,
    pub cursor: Cursor,
}

/// The sentence for a store that is not there.
pub fn missing(root: &Path) -> BackendError {
    BackendError::Missing(format!(
        "there is no roster store at {}: run `roster init` to create one, or point --store (or ROSTER_STORE) at an existing store",
        root.display()
    ))
}

/// Loads the whole store, and checks that it holds every event `committed` says was
/// committed. That number is read first: a writer committing meanwhile only makes the
/// log longer than it says, so a reader racing a writer never sees a false alarm.
pub fn load(paths: &Layout, mode: Mode) -> Result<Loaded, BackendError> {
    let committed = committed::read(&paths.committed)?;
    let loaded = load_files(paths, mode)?;
    match committed {
        Some(c) if c > loaded.dir.seq => Err(BackendError::Corrupt(format!(
            "the store is damaged: {} ends at event {} but event {c} was committed (its record was synced before it was acknowledged, as {} says): the log was cut or replaced by an older copy. Move the store aside and restore it from a backup; roster will not guess (if you put an older copy there on purpose, delete {} to accept it)",
            paths.log.display(),
            loaded.dir.seq,
            paths.committed.display(),
            paths.committed.display()
        ))),
        _ => Ok(loaded),
    }
}

/// The snapshot and the log as they are. The log is opened before the snapshot is
/// read: a snapshot is always written before its log generation, so this order can
/// never see a log newer than the snapshot unless the files are damaged.
fn load_files(paths: &Layout, mode: Mode) -> Result<Loaded, BackendError> {
    let log = log::open(&paths.log)?;
    let snap = snapshot::read(&paths.snapshot)?;
    let (mut dir, base, snap_store, last_at) = match snap {
        Some(s) => (s.dir, s.header.generation, Some(s.header.store), s.last_at),
        None => (Directory::new(), 0, None, None),
    };
    let Some(mut log) = log else {
        let store = snap_store.ok_or_else(|| missing(&paths.root))?;
        // A compaction archived the old log and has not created the new one yet:
        // the snapshot holds everything.
        return Ok(Loaded {
            dir,
            cursor: Cursor {
                store,
                generation: base,
                log: None,
                offset: 0,
                stale: false,
                last_at,
            },
        });
    };
    let h = log.header;
    if let Some(s) = snap_store
        && s != h.store
    {
        return Err(corrupt(
            &paths.log,
            12,
            &format!(
                "it belongs to another store (id {}) than the snapshot beside it (id {s})",
                h.store
            ),
        ));
    }
    if h.generation > base {
        let why = match snap_store {
            Some(_) => format!(
                "it is generation {} but the snapshot is only generation {base}",
                h.generation
            ),
            None => format!(
                "it is generation {} but the snapshot that goes with it is missing",
                h.generation
            ),
        };
        return Err(corrupt(&paths.log, 28, &why));
    }
    let mut cursor = Cursor {
        store: h.store,
        generation: base,
        log: Some(log.id),
        offset: log.len,
        stale: false,
        last_at,
    };
    if h.generation < base {
        // Already archived in all but name: the snapshot holds every record of it.
        return Ok(Loaded { dir, cursor });
    }
    let (events, end) = read_new(&mut log, &paths.log, HEADER_LEN as u64, dir.seq, mode)?;
    for rec in &events {
        dir.apply(rec);
    }
    cursor.offset = end;
    cursor.last_at = events.last().map(|r| r.at).or(last_at);
    Ok(Loaded { dir, cursor })
}

/// The events from byte `from` of the log that come after `seq`, checked to follow on
/// without a gap, and where the last complete record ends. A torn tail is cut when
/// writing and left alone when reading.
pub fn read_new(
    log: &mut LogFile,
    path: &Path,
    from: u64,
    seq: u64,
    mode: Mode,
) -> Result<(Vec<Recorded>, u64), BackendError> {
    let scan = log::read_from(log, path, from)?;
    let mut events = vec![];
    let mut last = seq;
    for batch in scan.batches {
        for rec in batch.events {
            if rec.seq <= seq {
                continue; // already in the snapshot or already applied
            }
            if rec.seq != last + 1 {
                return Err(corrupt(
                    path,
                    batch.at as u64,
                    &format!(
                        "event {} follows event {last}: events in between are missing",
                        rec.seq
                    ),
                ));
            }
            last = rec.seq;
            events.push(rec);
        }
    }
    if let Some(tail) = scan.tail {
        match mode {
            Mode::Writer => {
                tracing::warn!(
                    "the event log {} ended in {} bytes at byte {} that are not a complete record ({}): an interrupted write; cut off (a command is acknowledged only once its record is complete on disk)",
                    path.display(),
                    tail.bytes,
                    tail.at,
                    tail.flaw
                );
                log::truncate(log, path, tail.at as u64)?;
            }
            Mode::Reader => tracing::debug!(
                "ignoring {} bytes at the end of {}: a record still being written, or a torn write the next writer will cut",
                tail.bytes,
                path.display()
            ),
        }
    }
    Ok((events, scan.end as u64))
}

/// Completes a compaction a crash interrupted, and removes its leftovers. Writer only.
/// A compaction writes the snapshot of generation G+1 first, then archives log G, then
/// creates log G+1; whichever step is missing is done here.
pub fn finish_compaction(paths: &Layout) -> Result<(), BackendError> {
    fsio::remove_if_present(&paths.snapshot_tmp)?;
    fsio::remove_if_present(&paths.log_tmp)?;
    let Some(snap) = snapshot_header(&paths.snapshot)? else {
        return Ok(()); // never compacted
    };
    let new_log = Header {
        kind: Kind::Log,
        store: snap.store,
        generation: snap.generation,
    };
    match log::open(&paths.log)? {
        None => {
            tracing::warn!(
                "finishing an interrupted compaction in {}: creating the new log",
                paths.root.display()
            );
            log::create(&paths.log, &paths.log_tmp, &new_log)
        }
        Some(old) if old.header.generation < snap.generation => {
            if old.header.store != snap.store {
                return Err(corrupt(
                    &paths.log,
                    12,
                    "it belongs to another store than the snapshot beside it",
                ));
            }
            tracing::warn!(
                "finishing an interrupted compaction in {}: archiving the old log",
                paths.root.display()
            );
            let generation = old.header.generation;
            drop(old);
            archive::store(&paths.log, &paths.archive, generation)?;
            log::create(&paths.log, &paths.log_tmp, &new_log)
        }
        Some(_) => Ok(()),
    }
}

/// Only the snapshot's header: what a writer checks before every command.
fn snapshot_header(path: &Path) -> Result<Option<Header>, BackendError> {
    let Some(file) = fsio::open_existing(path, false)? else {
        return Ok(None);
    };
    let mut head = Vec::with_capacity(HEADER_LEN);
    file.take(HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| fsio::io_error("read", path, &e))?;
    Header::decode(Kind::Snapshot, &head)
        .map(Some)
        .map_err(|why| foreign(path, &why))
}

/// After loading, the state must satisfy every invariant the core guarantees; if it
/// does not, the files were changed by something other than roster. The check runs at
/// the time of the newest event, when the core last decided: some invariants depend on
/// the time (a contract's seats), and time passing since is not damage.
pub fn check(dir: &Directory, at: Option<Timestamp>, root: &Path) -> Result<(), BackendError> {
    let Some(at) = at else {
        return Ok(()); // no event yet: nothing to check
    };
    let broken = violations(dir, at);
    if broken.is_empty() {
        return Ok(());
    }
    Err(BackendError::Corrupt(format!(
        "the store at {} loads, but its contents break roster's rules: {}. Restore it from a backup",
        root.display(),
        broken.join("; ")
    )))
}

/// `invariants::violations`, the pass over the accounts split in two halves checked
/// on two threads and the rules about everything else on a third (at a million
/// accounts each is a walk through hundreds of MiB, and the machine roster is measured
/// on has two cores). The parts are handed over in order, so the answer is the same,
/// word for word.
fn violations(dir: &Directory, at: Timestamp) -> Vec<String> {
    const SPLIT_FROM: usize = 8192; // below this a thread costs more than it saves
    violations_split(dir, at, SPLIT_FROM)
}

fn violations_split(dir: &Directory, at: Timestamp, split_from: usize) -> Vec<String> {
    let n = dir.accounts.len();
    let Some(mid) = (n >= split_from)
        .then(|| dir.accounts.keys().nth(n / 2).copied())
        .flatten()
    else {
        return invariants::violations(dir, at);
    };
    let first =
        || invariants::check_accounts(dir, at, dir.accounts.range(..mid).map(|(_, a)| &**a));
    let second =
        || invariants::check_accounts(dir, at, dir.accounts.range(mid..).map(|(_, a)| &**a));
    let others = || invariants::check_others(dir);
    let (parts, others) = std::thread::scope(|s| {
        // The rest of the rules (group members and program contacts looked up among
        // a million accounts) on a third thread: the system shares two cores among
        // the three better than this thread could after its half.
        let rest = std::thread::Builder::new().spawn_scoped(s, others).ok();
        let parts = match std::thread::Builder::new().spawn_scoped(s, second) {
            Ok(thread) => {
                let a = first();
                vec![a, join(thread)]
            }
            Err(_) => vec![first(), second()], // no thread to be had: both here
        };
        (parts, rest.map(join))
    });
    let others = others.unwrap_or_else(|| invariants::check_others(dir));
    invariants::violations_from(dir, at, parts, others)
}

/// What a thread returned; a panic there is re-raised here, as it would have been had
/// its work run on this thread.
fn join<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The identity of the log file now at `path`, if any.
pub fn log_id(path: &Path) -> Result<Option<(FileId, u64)>, BackendError> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some((FileId::of(&m), m.len()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(fsio::io_error("look at", path, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{AccountId, Level, OrgId};
    use crate::scale::generate::{Spec, build};
    use std::sync::Arc;

    /// The check split over two threads reports exactly what the whole check does, in
    /// the same order, on a sound directory and on one breaking rules in both halves
    /// (two owners of one organisation met in different halves among them).
    #[test]
    fn the_split_check_says_what_the_whole_check_says() {
        let mut last = None;
        let spec = Spec {
            accounts: 300,
            orgs: 2,
            seed: 3,
        };
        let (mut dir, _) = build(&spec, &mut |evs| {
            last = evs.last().map(|r| r.at).or(last);
            Ok(())
        })
        .unwrap();
        let at = last.unwrap();
        assert!(violations_split(&dir, at, 0).is_empty());
        let ids: Vec<AccountId> = dir.accounts.keys().copied().collect();
        let (early, late) = (ids[10], ids[ids.len() - 10]);
        let dup_email = dir.accounts[&ids[20]].email.clone();
        let org_of_late = dir.accounts[&late].org;
        for (id, change) in [
            (early, 0),
            (late, 1),
            (ids[ids.len() - 20], 2),
            (ids[30], 3),
        ] {
            let a = Arc::make_mut(dir.accounts.get_mut(&id).unwrap());
            match change {
                0 => {
                    a.org = org_of_late;
                    a.level = Level::Owner;
                }
                1 => {
                    a.level = Level::Admin;
                    a.verified = false;
                }
                2 => a.org = OrgId(u64::MAX),
                _ => a.email = dup_email.clone(),
            }
        }
        // And a rule about something other than accounts (checked on a third thread).
        let group = dir.groups.values_mut().next().unwrap();
        group.members.insert(AccountId(u64::MAX - 1));
        dir.reindex();
        let whole = invariants::violations(&dir, at);
        assert!(
            whole.iter().any(|m| m.contains("outside its organisation")),
            "{whole:?}"
        );
        assert!(whole.len() >= 4, "{whole:?}");
        assert!(
            whole.iter().any(|m| m.ends_with("has 2 owners")),
            "{whole:?}"
        );
        assert_eq!(violations_split(&dir, at, 0), whole);
        assert_eq!(violations(&dir, at), whole);
    }
}
