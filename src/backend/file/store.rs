//! `FileStore`: the `Backend` over a store folder.
//!
//! Every write runs under the writer lock: catch up on what other processes appended
//! (or a compaction they made), decide with the core, append the command's events as
//! one record, sync, and only then apply them in memory and acknowledge. Reads work on
//! the in-memory directory and pick up others' changes by looking at the log's size.
//! Concurrent writers of one handle are committed in groups (see `group`): one writer
//! lock, one append and one fsync for every command queued meanwhile.

use super::archive;
use super::audit;
use super::committed;
use super::fsio;
use super::group;
use super::header::{Header, Kind, StoreId};
use super::layout::Layout;
use super::lock::{self, WriterLock};
use super::log;
use super::recover::{self, Cursor, Mode};
use super::snapshot;
use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::precondition::{self, Precondition};
use crate::core::{self, Command, Directory, Principal, Recorded};
use jiff::Timestamp;
use std::fmt;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, TryLockError};
use std::time::Duration;

/// Where the store gets the time from; tests pin it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// How a store behaves; `Options::default()` is what the program uses.
#[derive(Clone)]
pub struct Options {
    pub clock: Clock,
    /// How long a writer waits for another process's command to finish.
    pub lock_timeout: Duration,
    /// Compact once the current log grows past this many bytes.
    pub compact_after: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: Arc::new(Timestamp::now),
            lock_timeout: Duration::from_secs(5),
            compact_after: 4 * 1024 * 1024,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("lock_timeout", &self.lock_timeout)
            .field("compact_after", &self.compact_after)
            .finish_non_exhaustive()
    }
}

pub struct FileStore {
    paths: Layout,
    options: Options,
    /// The state as of `cursor`. Whoever writes to it holds `cursor` too, so a
    /// reader only ever waits for memory work, never for a disk or another process.
    dir: RwLock<Directory>,
    /// How far we have read. Its mutex also serialises this handle's writes and
    /// refreshes; other processes are kept out by the writer lock.
    cursor: Mutex<Cursor>,
    /// This handle's writers waiting for a group commit.
    queue: group::Queue,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.paths.root)
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// Creates an empty store in `path` (made 0700 if missing). Fails if a store is
    /// already there or the folder holds anything else.
    pub fn create(path: &Path) -> Result<FileStore, BackendError> {
        Self::create_with(path, Options::default())
    }

    pub fn create_with(path: &Path, options: Options) -> Result<FileStore, BackendError> {
        let paths = Layout::new(path);
        fsio::create_dir(path)?;
        if !path.is_dir() {
            return Err(BackendError::Io(format!(
                "{} is not a folder: a roster store is a folder",
                path.display()
            )));
        }
        let _lock = lock::acquire(&paths.lock, path, options.lock_timeout)?;
        if paths.probe()? {
            return Err(BackendError::Io(format!(
                "there is already a roster store at {}: open it, or choose another path",
                path.display()
            )));
        }
        let entries = fs::read_dir(path).map_err(|e| fsio::io_error("list", path, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| fsio::io_error("list", path, &e))?;
            if !paths.is_leftover(&entry.path()) {
                return Err(BackendError::Io(format!(
                    "{} is not empty (it holds {}): a new store needs an empty folder",
                    path.display(),
                    entry.file_name().to_string_lossy()
                )));
            }
        }
        let store = StoreId::new();
        log::create(
            &paths.log,
            &paths.log_tmp,
            &Header {
                kind: Kind::Log,
                store,
                generation: 0,
            },
        )?;
        let (id, len) = recover::log_id(&paths.log)?.ok_or_else(|| recover::missing(path))?;
        let cursor = Cursor {
            store,
            generation: 0,
            log: Some(id),
            offset: len,
            stale: false,
            last_at: None,
        };
        Ok(FileStore {
            paths,
            options,
            dir: RwLock::new(Directory::new()),
            cursor: Mutex::new(cursor),
            queue: group::Queue::default(),
        })
    }

    /// Opens the store in `path`; `BackendError::Missing` if there is none.
    pub fn open(path: &Path) -> Result<FileStore, BackendError> {
        Self::open_with(path, Options::default())
    }

    pub fn open_with(path: &Path, options: Options) -> Result<FileStore, BackendError> {
        let paths = Layout::new(path);
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(recover::missing(path));
            }
            Err(e) => return Err(fsio::io_error("open the store", path, &e)),
        };
        if !meta.is_dir() {
            return Err(BackendError::Corrupt(format!(
                "{} is a file, not a roster store: a store is a folder",
                path.display()
            )));
        }
        if !paths.probe()? {
            return Err(recover::missing(path));
        }
        // Repairs need the lock; if another process is writing right now (or the
        // store is read-only) we just read, and the next writer repairs.
        let guard = lock::try_acquire(&paths.lock).unwrap_or(None);
        let mode = if guard.is_some() {
            Mode::Writer
        } else {
            Mode::Reader
        };
        if mode == Mode::Writer {
            recover::finish_compaction(&paths)?;
        }
        let loaded = recover::load(&paths, mode)?;
        drop(guard);
        recover::check(&loaded.dir, loaded.cursor.last_at, path)?;
        Ok(FileStore {
            paths,
            options,
            dir: RwLock::new(loaded.dir),
            cursor: Mutex::new(loaded.cursor),
            queue: group::Queue::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.paths.root
    }

    /// Holds the writer lock until the guard is dropped, waiting as a command would.
    /// For maintenance (a consistent backup copy) and for tests of a busy store.
    pub fn hold_lock(&self) -> Result<WriterLock, BackendError> {
        lock::acquire(
            &self.paths.lock,
            &self.paths.root,
            self.options.lock_timeout,
        )
    }

    /// Writes a snapshot and starts a new log generation now, whatever the log's size.
    pub fn compact(&self) -> Result<(), BackendError> {
        let mut cursor = self.cursor();
        let _lock = self.hold_lock()?;
        self.sync_locked(&mut cursor)?;
        self.compact_locked(&mut cursor)
    }

    fn cursor(&self) -> MutexGuard<'_, Cursor> {
        self.cursor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn dir(&self) -> RwLockReadGuard<'_, Directory> {
        self.dir.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn apply(&self, events: &[Recorded]) {
        let mut dir = self.dir.write().unwrap_or_else(PoisonError::into_inner);
        for rec in events {
            dir.apply(rec);
        }
    }

    /// Brings memory up to date with the files. Cheap when nothing changed: one
    /// `stat` of the log, compared with what we read last.
    fn refresh_locked(&self, cursor: &mut Cursor, mode: Mode) -> Result<u64, BackendError> {
        let now = recover::log_id(&self.paths.log)?;
        let unchanged = match (now, cursor.log) {
            _ if cursor.stale => false,
            (Some((id, len)), Some(known)) if id == known => {
                if len > cursor.offset {
                    return self.catch_up(cursor, mode);
                }
                len == cursor.offset
            }
            // Still between two generations, as when we last looked.
            (None, None) => true,
            _ => false,
        };
        if !unchanged {
            self.reload(cursor, mode)?;
        }
        Ok(self.dir().seq)
    }

    /// Reads the records appended since we last looked.
    fn catch_up(&self, cursor: &mut Cursor, mode: Mode) -> Result<u64, BackendError> {
        let Some(mut file) = log::open(&self.paths.log)? else {
            return self.reload(cursor, mode);
        };
        if Some(file.id) != cursor.log {
            return self.reload(cursor, mode);
        }
        let seq = self.dir().seq;
        let (events, end) =
            recover::read_new(&mut file, &self.paths.log, cursor.offset, seq, mode)?;
        self.apply(&events);
        cursor.offset = end;
        cursor.last_at = events.last().map(|r| r.at).or(cursor.last_at);
        Ok(self.dir().seq)
    }

    /// Reads everything again: after another process compacted, or after trouble.
    fn reload(&self, cursor: &mut Cursor, mode: Mode) -> Result<u64, BackendError> {
        let loaded = recover::load(&self.paths, mode)?;
        recover::check(&loaded.dir, loaded.cursor.last_at, &self.paths.root)?;
        let seq = loaded.dir.seq;
        *self.dir.write().unwrap_or_else(PoisonError::into_inner) = loaded.dir;
        *cursor = loaded.cursor;
        Ok(seq)
    }

    /// Under the writer lock: repair what a crashed writer left, then catch up, so the
    /// log ends exactly where our cursor is and the next record goes there.
    fn sync_locked(&self, cursor: &mut Cursor) -> Result<(), BackendError> {
        recover::finish_compaction(&self.paths)?;
        self.refresh_locked(cursor, Mode::Writer)?;
        if cursor.log.is_none() {
            return Err(BackendError::Io(format!(
                "the event log {} is missing",
                self.paths.log.display()
            )));
        }
        Ok(())
    }

    /// Under the writer lock, with memory caught up: snapshot, archive the log, start
    /// the next generation. Each step is durable before the next begins, and a crash
    /// between any two leaves a store that opens with nothing lost (see
    /// `recover::finish_compaction`).
    fn compact_locked(&self, cursor: &mut Cursor) -> Result<(), BackendError> {
        let next = cursor.generation + 1;
        let store = cursor.store;
        // If any step fails, the files are in one of the states recovery understands,
        // but our cursor no longer describes them.
        cursor.stale = true;
        snapshot::write(
            &self.paths.snapshot,
            &self.paths.snapshot_tmp,
            &Header {
                kind: Kind::Snapshot,
                store,
                generation: next,
            },
            &self.dir,
            cursor.last_at,
        )?;
        let archived = archive::store(&self.paths.log, &self.paths.archive, cursor.generation)?;
        log::create(
            &self.paths.log,
            &self.paths.log_tmp,
            &Header {
                kind: Kind::Log,
                store,
                generation: next,
            },
        )?;
        let (id, len) =
            recover::log_id(&self.paths.log)?.ok_or_else(|| recover::missing(&self.paths.root))?;
        // Nothing new was committed, but say so again: the snapshot now holds it all,
        // and a marker that was lost (or lags) is brought up to date.
        committed::write(&self.paths.committed, self.dir().seq);
        *cursor = Cursor {
            store,
            generation: next,
            log: Some(id),
            offset: len,
            stale: false,
            last_at: cursor.last_at,
        };
        tracing::info!(
            "compacted {}: snapshot at event {}, old log kept as {}",
            self.paths.root.display(),
            self.dir().seq,
            archived.display()
        );
        Ok(())
    }

    /// Decides one queued command against `dir`, its precondition first.
    fn decide(&self, dir: &Directory, job: &group::Job) -> group::Outcome {
        // Checked here, under the writer lock and caught up with every other writer
        // and with the commands ahead in the batch, so nobody can change the record
        // between this check and our append.
        if let Some(pre) = &job.pre {
            precondition::check(dir, pre)?;
        }
        Ok(core::execute(dir, &job.who, &job.cmd, self.now())?)
    }

    /// Commits a batch of queued commands under the writer lock: each decided in
    /// order against the directory the earlier ones leave (a refusal answers only its
    /// own command), all records appended with one fsync, and only then acknowledged.
    fn commit_batch(&self, batch: Vec<group::Job>) -> Vec<(u64, group::Outcome)> {
        let mut cursor = self.cursor();
        let ready = self.hold_lock().and_then(|lock| {
            self.sync_locked(&mut cursor)?;
            Ok(lock)
        });
        let _lock = match ready {
            Ok(lock) => lock,
            Err(e) => {
                return batch
                    .iter()
                    .map(|j| (j.ticket, Err(group::copy(&e))))
                    .collect();
            }
        };
        let mut out = Vec::with_capacity(batch.len());
        let (end, last_at) = if let [job] = batch.as_slice() {
            // One command: decide with readers still reading, apply after the sync.
            let decided = self.decide(&self.dir(), job);
            let events = match decided {
                Ok(events) if !events.is_empty() => events,
                other => return vec![(job.ticket, other)],
            };
            cursor.stale = true; // until the append is known to be complete
            match log::append(&self.paths, cursor.offset, &events) {
                Ok(end) => {
                    self.apply(&events);
                    let last_at = events.last().map(|r| r.at);
                    out.push((job.ticket, Ok(events)));
                    (end, last_at)
                }
                Err(e) => return vec![(job.ticket, Err(e))],
            }
        } else {
            // Several: each decision needs the earlier ones' events applied, and those
            // are not durable until the batch is synced, so readers wait (for one
            // fsync) rather than see them.
            let mut dir = self.dir.write().unwrap_or_else(PoisonError::into_inner);
            // Memory runs ahead of the log from the first apply on: should anything
            // below fail or panic, the next read or write reloads the store.
            cursor.stale = true;
            let mut pending: Vec<(u64, Vec<Recorded>)> = vec![];
            for job in &batch {
                match self.decide(&dir, job) {
                    Ok(events) if !events.is_empty() => {
                        for rec in &events {
                            dir.apply(rec);
                        }
                        pending.push((job.ticket, events));
                    }
                    other => out.push((job.ticket, other)),
                }
            }
            if pending.is_empty() {
                cursor.stale = false; // nothing was applied
                return out;
            }
            let records: Vec<&[Recorded]> = pending.iter().map(|(_, e)| e.as_slice()).collect();
            match log::append_batch(&self.paths, cursor.offset, &records) {
                Ok(end) => {
                    let last_at = pending.last().and_then(|(_, e)| e.last()).map(|r| r.at);
                    out.extend(pending.into_iter().map(|(t, e)| (t, Ok(e))));
                    (end, last_at)
                }
                Err(e) => {
                    // Memory holds events that never reached the disk: read the store
                    // again. If even that fails, the cursor stays stale and the next
                    // read or write reloads before anything is seen.
                    if let Ok(loaded) = recover::load(&self.paths, Mode::Writer)
                        && recover::check(&loaded.dir, loaded.cursor.last_at, &self.paths.root)
                            .is_ok()
                    {
                        *dir = loaded.dir;
                        *cursor = loaded.cursor;
                    }
                    out.extend(pending.into_iter().map(|(t, _)| (t, Err(group::copy(&e)))));
                    return out;
                }
            }
        };
        cursor.offset = end;
        cursor.last_at = last_at;
        cursor.stale = false;
        if end >= self.options.compact_after
            && let Err(e) = self.compact_locked(&mut cursor)
        {
            // The commands are durable already; a failed compaction only costs open
            // time until the next writer retries it.
            tracing::warn!(
                "could not compact the store at {}: {e}",
                self.paths.root.display()
            );
        }
        out
    }
}

impl Backend for FileStore {
    fn describe(&self) -> String {
        format!("file:{}", self.paths.root.display())
    }

    fn local_root(&self) -> Option<std::path::PathBuf> {
        Some(self.paths.root.clone())
    }

    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        // Pick up others' changes first (cheap when there are none).
        self.refresh()?;
        f(&self.dir());
        Ok(())
    }

    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.execute_if(who, cmd, dry_run, None)
    }

    fn execute_if(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
        pre: Option<&Precondition>,
    ) -> Result<Vec<Recorded>, BackendError> {
        if dry_run {
            self.refresh()?;
            let now = self.now();
            let dir = self.dir();
            if let Some(pre) = pre {
                precondition::check(&dir, pre)?;
            }
            return Ok(core::execute(&dir, who, cmd, now)?);
        }
        // Group commit: concurrent writers of this handle share one append and fsync.
        self.queue
            .submit(who, cmd, pre, |batch| self.commit_batch(batch))
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        audit::query(&self.paths.log, &self.paths.archive, &self.dir, query)
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        // Never wait behind this handle's own write (which may be waiting for another
        // process): that write catches up anyway.
        match self.cursor.try_lock() {
            Ok(mut cursor) => self.refresh_locked(&mut cursor, Mode::Reader),
            Err(TryLockError::Poisoned(p)) => {
                self.refresh_locked(&mut p.into_inner(), Mode::Reader)
            }
            Err(TryLockError::WouldBlock) => Ok(self.dir().seq),
        }
    }

    fn now(&self) -> Timestamp {
        (self.options.clock)()
    }

    fn read_now(&self, f: &mut dyn FnMut(&Directory)) -> Result<bool, BackendError> {
        // One look at the log's length (a `stat`); records another process appended
        // are read by `read`, on a thread that may wait for the disk.
        let current = match self.cursor.try_lock() {
            Ok(cursor) => self.up_to_date(&cursor)?,
            Err(TryLockError::Poisoned(p)) => self.up_to_date(&p.into_inner())?,
            // This handle is writing: that write catches up anyway (as in `refresh`).
            Err(TryLockError::WouldBlock) => true,
        };
        if current {
            f(&self.dir());
        }
        Ok(current)
    }
}

impl FileStore {
    /// Whether the log is where `cursor` last left it (what `refresh_locked` would
    /// find nothing to do for).
    fn up_to_date(&self, cursor: &Cursor) -> Result<bool, BackendError> {
        let now = recover::log_id(&self.paths.log)?;
        Ok(match (now, cursor.log) {
            _ if cursor.stale => false,
            (Some((id, len)), Some(known)) if id == known => len == cursor.offset,
            (None, None) => true,
            _ => false,
        })
    }
}
