//! `PgStore`: the `Backend` over a PostgreSQL database, for several `roster serve`
//! replicas sharing one store.
//!
//! Like the file store it keeps the whole directory in memory and catches up by
//! reading what others committed (`version > cursor`). A write catches up, decides with
//! the core, and inserts the command's events as row `version + 1`. The primary key is
//! the optimistic check: if another replica committed that version first, the insert
//! fails, and this replica catches up and decides again on the new state (a bounded
//! number of times, then `Conflict` with the reason). Nothing is acknowledged before
//! the database committed it.
//!
//! The trait is synchronous, so the store owns a small tokio runtime for the driver,
//! the connection pool and the LISTEN task; each call hands its query to that runtime
//! and waits on a channel (never `block_on`, which would panic on an async thread).

use super::audit;
use super::codec::{self, Commit};
use super::listen;
use super::schema;
use super::url::DatabaseUrl;
use crate::backend::file::Clock;
use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::precondition::{self, Precondition};
use crate::core::{self, Command, Directory, DomainError, Principal, Recorded, invariants};
use jiff::Timestamp;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How a PostgreSQL store behaves; `PgOptions::default()` is what the program uses.
#[derive(Clone)]
pub struct PgOptions {
    pub clock: Clock,
    /// Write a snapshot every this many commits.
    pub snapshot_every: u64,
    /// How long a call keeps retrying while the database cannot be reached (a restart,
    /// a failover) before it reports `Unreachable`.
    pub retry_for: Duration,
    /// How many times a write decides again after losing a race to another replica.
    pub max_conflicts: usize,
    /// Connections in the pool.
    pub max_connections: u32,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            clock: Arc::new(Timestamp::now),
            snapshot_every: 1000,
            retry_for: Duration::from_secs(15),
            max_conflicts: 50,
            max_connections: 8,
        }
    }
}

impl fmt::Debug for PgOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgOptions")
            .field("snapshot_every", &self.snapshot_every)
            .field("retry_for", &self.retry_for)
            .field("max_conflicts", &self.max_conflicts)
            .finish_non_exhaustive()
    }
}

/// How far this replica has read the log.
#[derive(Clone, Debug, Default)]
struct Cursor {
    version: i64,
    last_at: Option<Timestamp>,
}

pub struct PgStore {
    url: DatabaseUrl,
    options: PgOptions,
    /// `Some` until drop, which shuts it down without waiting (drop may happen on an
    /// async thread, where waiting would panic).
    runtime: Option<tokio::runtime::Runtime>,
    pool: PgPool,
    dir: RwLock<Directory>,
    /// Serialises this replica's writes and catch-ups; other replicas are kept honest
    /// by the primary key.
    cursor: Mutex<Cursor>,
    /// The newest version another replica announced (NOTIFY).
    changes: watch::Receiver<u64>,
    /// Migrations this handle applied when it opened the database.
    migrated: usize,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What one attempt at a write came to.
enum Attempt {
    Done(Vec<Recorded>),
    /// Another replica committed first: catch up and decide again.
    Lost,
    /// The database could not be reached; retry until `retry_for` runs out.
    Down(String),
}

/// A write whose outcome we could not see (the connection broke around the commit).
struct Pending {
    version: i64,
    commit_id: String,
    events: Vec<Recorded>,
}

impl PgStore {
    /// Connects, applies any missing migrations and loads the store (an empty database
    /// becomes an empty store).
    pub fn open(url: &DatabaseUrl) -> Result<PgStore, BackendError> {
        Self::open_with(url, PgOptions::default())
    }

    pub fn open_with(url: &DatabaseUrl, options: PgOptions) -> Result<PgStore, BackendError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("roster-postgres")
            .enable_all()
            .build()
            .map_err(|e| BackendError::Io(format!("cannot start the database driver: {e}")))?;
        let connect = PgConnectOptions::from_str(url.expose()).map_err(|e| {
            BackendError::Io(format!(
                "{} is not a usable database URL: {}",
                url,
                scrub(url, &e.to_string())
            ))
        })?;
        let pool = {
            let _guard = runtime.enter();
            PgPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(5))
                .connect_lazy_with(connect)
        };
        let (notify, changes) = watch::channel(0u64);
        runtime.spawn(listen::run(pool.clone(), notify));
        let store = PgStore {
            url: url.clone(),
            options,
            runtime: Some(runtime),
            pool,
            dir: RwLock::new(Directory::new()),
            cursor: Mutex::new(Cursor::default()),
            changes,
            migrated: 0,
        };
        let mut store = store;
        store.migrated = store.retrying("prepare the database", |pool| async move {
            schema::migrate(&pool).await
        })?;
        store.load()?;
        Ok(store)
    }

    /// How many schema migrations opening this store applied (0: it was up to date).
    pub fn migrated(&self) -> usize {
        self.migrated
    }

    /// The database URL with its password hidden.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The newest version (number of commits) this replica has read.
    pub fn version(&self) -> u64 {
        self.cursor().version.max(0) as u64
    }

    /// Every commit of the log, oldest first, exactly as stored (secrets hashed, never
    /// blanked): for `roster store copy`.
    pub fn history(&self) -> Result<Vec<Vec<Recorded>>, BackendError> {
        let mut out = vec![];
        let mut after = 0i64;
        loop {
            let rows = self.retrying("read the event log", move |pool| async move {
                codec::commits_after(&pool, after, 1000).await
            })?;
            let Some(last) = rows.last() else {
                return Ok(out);
            };
            after = last.version;
            for row in rows {
                out.push(self.decode(&row)?);
            }
        }
    }

    /// Appends whole commits (from another store, in order, `seq` already assigned) to
    /// an empty database, then snapshots `dir`, the exact state they describe. The
    /// copy's replays start from that snapshot, so events whose secrets another store
    /// blanked for its trail never have to be replayed.
    pub fn import(&self, commits: &[Vec<Recorded>], dir: &Directory) -> Result<(), BackendError> {
        let mut cursor = self.cursor();
        self.catch_up(&mut cursor)
            .map_err(BackendError::Unreachable)?;
        if cursor.version != 0 {
            return Err(BackendError::Io(format!(
                "{} already holds a roster store ({} commits): copy into an empty database",
                self.url, cursor.version
            )));
        }
        let rows: Vec<Commit> = commits
            .iter()
            .filter(|c| !c.is_empty())
            .enumerate()
            .map(|(i, events)| codec::encode(i as i64 + 1, events))
            .collect::<Result<_, _>>()?;
        let version = rows.len() as i64;
        let last_at = commits.iter().flatten().last().map(|r| r.at);
        let snapshot = codec::encode_snapshot(version, dir, last_at)?;
        self.retrying("copy the events", move |pool| {
            let rows = rows.clone();
            let snapshot = snapshot.clone();
            async move { codec::import(&pool, &rows, &snapshot).await }
        })?;
        drop(cursor);
        self.load()
    }

    /// Writes a snapshot of the current state now.
    pub fn snapshot(&self) -> Result<(), BackendError> {
        let cursor = self.cursor();
        self.write_snapshot(&cursor)
    }

    fn cursor(&self) -> MutexGuard<'_, Cursor> {
        self.cursor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn dir(&self) -> RwLockReadGuard<'_, Directory> {
        self.dir.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `fut` on the driver's runtime and waits for it from this (blocking) thread.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, BackendError> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| BackendError::Io("the database store is closed".into()))?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv()
            .map_err(|_| BackendError::Io("the database driver stopped".into()))
    }

    /// One database call, as a message on failure (password scrubbed).
    fn once<T: Send + 'static, F>(
        &self,
        f: impl FnOnce(PgPool) -> F,
    ) -> Result<Result<T, sqlx::Error>, BackendError>
    where
        F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        self.run(f(self.pool.clone()))
    }

    /// A database call retried while the database is unreachable, up to `retry_for`.
    fn retrying<T: Send + 'static, F>(
        &self,
        what: &str,
        f: impl Fn(PgPool) -> F,
    ) -> Result<T, BackendError>
    where
        F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let deadline = Instant::now() + self.options.retry_for;
        let mut pause = Duration::from_millis(50);
        loop {
            match self.once(&f)? {
                Ok(v) => return Ok(v),
                Err(e) if transient(&e) && Instant::now() < deadline => {
                    tracing::debug!("retrying: could not {what}: {}", self.scrub(&e));
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                Err(e) => return Err(self.failure(what, &e)),
            }
        }
    }

    fn scrub(&self, e: &sqlx::Error) -> String {
        scrub(&self.url, &e.to_string())
    }

    fn failure(&self, what: &str, e: &sqlx::Error) -> BackendError {
        let why = self.scrub(e);
        if transient(e) {
            BackendError::Unreachable(format!(
                "could not {what}: the database at {} does not answer ({why}); check that it is running and reachable",
                self.url
            ))
        } else {
            BackendError::Io(format!("could not {what} in {}: {why}", self.url))
        }
    }

    fn decode(&self, row: &Commit) -> Result<Vec<Recorded>, BackendError> {
        codec::decode(row).map_err(|why| {
            BackendError::Corrupt(format!(
                "commit {} in {} cannot be read ({why}): restore the database from a backup",
                row.version, self.url
            ))
        })
    }

    /// Reads everything: the newest snapshot, then the commits after it.
    fn load(&self) -> Result<(), BackendError> {
        let mut cursor = self.cursor();
        let snap = self.retrying("read the newest snapshot", |pool| async move {
            codec::latest_snapshot(&pool).await
        })?;
        let (dir, start) = match snap {
            Some(row) => codec::decode_snapshot(&row).map_err(|why| {
                BackendError::Corrupt(format!(
                    "the snapshot at version {} in {} cannot be read ({why}): restore the database from a backup",
                    row.version, self.url
                ))
            })?,
            None => (Directory::new(), Cursor::default().into_parts()),
        };
        *self.dir.write().unwrap_or_else(PoisonError::into_inner) = dir;
        *cursor = Cursor {
            version: start.0,
            last_at: start.1,
        };
        let deadline = Instant::now() + self.options.retry_for;
        while let Err(why) = self.catch_up(&mut cursor) {
            if Instant::now() >= deadline {
                return Err(BackendError::Unreachable(why));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if let Some(at) = cursor.last_at {
            let broken = invariants::violations(&self.dir(), at);
            if !broken.is_empty() {
                return Err(BackendError::Corrupt(format!(
                    "the store in {} loads, but its contents break roster's rules: {}. Restore it from a backup",
                    self.url,
                    broken.join("; ")
                )));
            }
        }
        Ok(())
    }

    /// Applies what others committed after `cursor`. `Err` is a message for an
    /// unreachable database; damage is logged and reported the same way (the caller
    /// cannot fix either by retrying faster).
    fn catch_up(&self, cursor: &mut Cursor) -> Result<u64, String> {
        loop {
            let after = cursor.version;
            let rows = match self
                .once(move |pool| async move { codec::commits_after(&pool, after, 1000).await })
            {
                Ok(Ok(rows)) => rows,
                Ok(Err(e)) => return Err(self.failure("read new commits", &e).to_string()),
                Err(e) => return Err(e.to_string()),
            };
            let full = rows.len() == 1000;
            let mut decoded = Vec::with_capacity(rows.len());
            for row in &rows {
                if row.version != cursor.version + 1 + decoded.len() as i64 {
                    return Err(format!(
                        "the event log in {} skips from version {} to {}: restore the database from a backup",
                        self.url,
                        cursor.version + decoded.len() as i64,
                        row.version
                    ));
                }
                decoded.push(self.decode(row).map_err(|e| e.to_string())?);
            }
            if !decoded.is_empty() {
                let mut dir = self.dir.write().unwrap_or_else(PoisonError::into_inner);
                for rec in decoded.iter().flatten() {
                    dir.apply(rec);
                }
                cursor.version += decoded.len() as i64;
                cursor.last_at = decoded
                    .iter()
                    .flatten()
                    .last()
                    .map(|r| r.at)
                    .or(cursor.last_at);
            }
            if !full {
                return Ok(self.dir().seq);
            }
        }
    }

    /// One try at a write: catch up, decide, insert as the next version.
    fn attempt(
        &self,
        cursor: &mut Cursor,
        who: &Principal,
        cmd: &Command,
        pre: Option<&Precondition>,
        pending: &mut Option<Pending>,
    ) -> Result<Attempt, BackendError> {
        if let Some(p) = pending.take() {
            // Did the commit we could not see land? Its row says, by its commit id.
            let version = p.version;
            let owner = match self
                .once(move |pool| async move { codec::commit_id_at(&pool, version).await })?
            {
                Ok(owner) => owner,
                Err(e) => {
                    let why = self.scrub(&e);
                    *pending = Some(p);
                    return Ok(Attempt::Down(why));
                }
            };
            if owner.as_deref() == Some(p.commit_id.as_str()) {
                if let Err(why) = self.catch_up(cursor) {
                    *pending = Some(p);
                    return Ok(Attempt::Down(why));
                }
                return Ok(Attempt::Done(p.events));
            }
            // Not ours (or not there): our attempt never committed; decide afresh.
        }
        if let Err(why) = self.catch_up(cursor) {
            return Ok(Attempt::Down(why));
        }
        let now = self.now();
        let events = {
            let dir = self.dir();
            if let Some(pre) = pre {
                precondition::check(&dir, pre)?;
            }
            core::execute(&dir, who, cmd, now)?
        };
        if events.is_empty() {
            return Ok(Attempt::Done(events));
        }
        let version = cursor.version + 1;
        let row = codec::encode(version, &events)?;
        let commit_id = row.commit_id.clone();
        match self.once(move |pool| async move { codec::insert(&pool, &row).await })? {
            Ok(()) => {}
            Err(e) if codec::is_unique_violation(&e) => return Ok(Attempt::Lost),
            Err(e) if transient(&e) => {
                *pending = Some(Pending {
                    version,
                    commit_id,
                    events,
                });
                return Ok(Attempt::Down(self.scrub(&e)));
            }
            Err(e) => return Err(self.failure("commit the change", &e)),
        }
        {
            let mut dir = self.dir.write().unwrap_or_else(PoisonError::into_inner);
            for rec in &events {
                dir.apply(rec);
            }
        }
        cursor.version = version;
        cursor.last_at = events.last().map(|r| r.at);
        if self.options.snapshot_every > 0
            && (version as u64).is_multiple_of(self.options.snapshot_every)
            && let Err(e) = self.write_snapshot(cursor)
        {
            // The command is committed; a missing snapshot only costs start-up time.
            tracing::warn!("could not write a snapshot: {e}");
        }
        Ok(Attempt::Done(events))
    }

    fn write_snapshot(&self, cursor: &Cursor) -> Result<(), BackendError> {
        let row = codec::encode_snapshot(cursor.version, &self.dir(), cursor.last_at)?;
        let keep = self.options.snapshot_every.max(1) as i64 * 2;
        match self.once(move |pool| async move { codec::save_snapshot(&pool, &row, keep).await })? {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failure("write a snapshot", &e)),
        }
    }
}

impl Cursor {
    fn into_parts(self) -> (i64, Option<Timestamp>) {
        (self.version, self.last_at)
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Backend for PgStore {
    fn describe(&self) -> String {
        self.url.redacted()
    }

    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        // A read sees every commit acknowledged before it began, by any replica.
        let deadline = Instant::now() + self.options.retry_for;
        loop {
            match self.refresh() {
                Ok(_) => break,
                Err(BackendError::Unreachable(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        }
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
            let mut out = Ok(vec![]);
            let now = self.now();
            self.read(&mut |dir| {
                out = pre
                    .map_or(Ok(()), |p| precondition::check(dir, p))
                    .and_then(|()| core::execute(dir, who, cmd, now))
                    .map_err(BackendError::from);
            })?;
            return out;
        }
        let mut cursor = self.cursor();
        let deadline = Instant::now() + self.options.retry_for;
        let mut pause = Duration::from_millis(20);
        let mut lost = 0;
        let mut pending = None;
        loop {
            match self.attempt(&mut cursor, who, cmd, pre, &mut pending)? {
                Attempt::Done(events) => return Ok(events),
                Attempt::Lost => {
                    lost += 1;
                    if lost > self.options.max_conflicts {
                        return Err(BackendError::Refused(DomainError::Conflict(format!(
                            "other replicas committed {lost} changes while this one was deciding; nothing was changed: try again"
                        ))));
                    }
                }
                Attempt::Down(why) => {
                    if Instant::now() >= deadline {
                        let outcome = if pending.is_some() {
                            "whether the change was committed is not known: look before trying again"
                        } else {
                            "nothing was changed"
                        };
                        return Err(BackendError::Unreachable(format!(
                            "the database at {} does not answer ({why}); {outcome}",
                            self.url
                        )));
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
            }
        }
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        audit::query(self, query)
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        // Waits for this replica's own write or catch-up in progress (milliseconds: no
        // replica holds a database lock across commands). Returning the memory state
        // instead would let a read miss a commit another replica acknowledged before
        // the read began.
        let mut cursor = self.cursor();
        self.catch_up(&mut cursor)
            .map_err(BackendError::Unreachable)
    }

    fn now(&self) -> Timestamp {
        (self.options.clock)()
    }

    fn changes(&self) -> Option<watch::Receiver<u64>> {
        Some(self.changes.clone())
    }
}

/// Audit pages: commits newest first, read below `upper`.
impl audit::Pages for PgStore {
    fn audit_page(
        &self,
        upper: i64,
        org: Option<i64>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<Recorded>)>, BackendError> {
        let rows = self.retrying("read the audit trail", move |pool| async move {
            codec::commits_before(&pool, upper, org, before_seq, limit).await
        })?;
        rows.iter()
            .map(|r| Ok((r.version, self.decode(r)?)))
            .collect()
    }

    fn with_dir<R>(&self, f: impl FnOnce(&Directory) -> R) -> R {
        f(&self.dir())
    }
}

/// Errors worth retrying: the database is restarting, unreachable or overloaded. A
/// statement the database rejected for what it is is not one of them.
pub(super) fn transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            // 08: connection exception; 57P: operator intervention (shutdown, restart);
            // 53: insufficient resources; 40001/40P01: serialization failure, deadlock.
            c.starts_with("08")
                || c.starts_with("57P")
                || c.starts_with("53")
                || c == "40001"
                || c == "40P01"
        }),
        _ => false,
    }
}

/// `msg` with the URL's password (if it appears at all) replaced.
fn scrub(url: &DatabaseUrl, msg: &str) -> String {
    let mut out = msg.replace(url.expose(), &url.redacted());
    if let Some(pw) = url.password().filter(|p| p.len() >= 3) {
        out = out.replace(&pw, "***");
    }
    out
}
