//! Where the directory is kept. One trait, several places: the local file store, the
//! REST client of `roster serve`, and PostgreSQL later. Every implementation runs the
//! same core `execute` (the REST client through the server), so no rule lives in a
//! backend.

pub mod copy;
pub mod file;
pub mod mail_folder;
pub mod postgres;
pub mod rest;

pub use file::{FileStore, default_store_path};

use crate::core::precondition::{self, Precondition};
use crate::core::{Command, Directory, DomainError, Principal, Recorded};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The core said no; the message is the reason to show.
    #[error("{0}")]
    Refused(#[from] DomainError),
    /// Another writer holds the store longer than we are willing to wait.
    #[error("{0}")]
    Busy(String),
    /// The store's files are damaged or not roster's.
    #[error("{0}")]
    Corrupt(String),
    /// The store does not exist yet.
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Io(String),
    /// The server did not accept the credentials (missing, revoked or expired token,
    /// or its account was disabled). Retrying does not help; a new token does.
    #[error("{0}")]
    Unauthorized(String),
    /// The server could not be reached or did not answer in time. Transient: the same
    /// call may succeed later, and nothing was changed unless the server says so.
    #[error("{0}")]
    Unreachable(String),
}

/// What to show of the audit trail, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only events of this organisation (`None`: all the caller may see).
    pub org: Option<crate::core::OrgId>,
    /// Case-insensitive text that must appear in the actor's label.
    pub actor: Option<String>,
    /// Case-insensitive text that must appear in the event's rendered summary.
    pub text: Option<String>,
    /// Only events of this type (`account_disabled`, …).
    pub kind: Option<String>,
    /// Only events with `seq` below this (for paging back); `None`: from the newest.
    pub before: Option<u64>,
    /// At most this many events (0 means 100).
    pub limit: usize,
}

pub trait Backend: Send + Sync {
    /// Where this backend keeps its data, for the status line (`file:/path`).
    fn describe(&self) -> String;

    /// Runs `f` over the latest state, including changes other processes committed.
    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError>;

    /// Decides `cmd` as `who` against the latest state and, unless `dry_run`, makes its
    /// events durable before returning them. A refusal changes nothing.
    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError>;

    /// Like `execute`, but only if `pre` (when given) still holds: a record changed by
    /// someone else since the caller read it is `Refused(Stale)`, and nothing is written.
    ///
    /// This default checks the latest state and then executes, two steps another writer
    /// can slip between. It is right only for a backend whose writes are checked again
    /// downstream (the REST client: the server it talks to runs `execute_if` inside its
    /// own store's critical section). A backend that owns its data must override it and
    /// check under its write lock, after catching up and before deciding (the file
    /// store does).
    fn execute_if(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
        pre: Option<&Precondition>,
    ) -> Result<Vec<Recorded>, BackendError> {
        if let Some(pre) = pre {
            let mut verdict = Ok(());
            self.read(&mut |dir| verdict = precondition::check(dir, pre))?;
            verdict?;
        }
        self.execute(who, cmd, dry_run)
    }

    /// Audit events, newest first.
    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError>;

    /// Picks up changes committed elsewhere; returns the newest sequence number. Cheap
    /// when nothing changed, so a console may call it every tick.
    fn refresh(&self) -> Result<u64, BackendError>;

    /// The current time as the backend sees it (tests pin it).
    fn now(&self) -> Timestamp;

    /// Like `read`, but only when the latest state is at hand without waiting (no
    /// network, no file to catch up on): `Ok(true)` when `f` ran, `Ok(false)` when the
    /// caller should use `read` on a thread that may block. A server answers most reads
    /// this way on the thread that holds the connection.
    fn read_now(&self, f: &mut dyn FnMut(&Directory)) -> Result<bool, BackendError> {
        let _ = f;
        Ok(false)
    }

    /// Wakes when another process may have committed (PostgreSQL's NOTIFY carries the
    /// newest version), so a server's change feed need not wait for its next poll.
    /// `None`: no such signal; polling `refresh` is the only way to learn.
    fn changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
    /// The folder of a store kept on this machine, where its mail is spooled and
    /// delivered (`None` for a remote server: the server sends its own mail).
    fn local_root(&self) -> Option<std::path::PathBuf> {
        None
    }

    /// `execute` for a command that sends a link (an invitation, a reset), with the
    /// link's secret for the message. A local store ignores it (the caller spools the
    /// message itself, `mail::spool_queued`); the REST client passes it to the server,
    /// which checks it against the command's hash and mails the link.
    fn execute_with_link(
        &self,
        who: &Principal,
        cmd: &Command,
        link_secret: &str,
    ) -> Result<Vec<Recorded>, BackendError> {
        let _ = link_secret;
        self.execute(who, cmd, false)
    }
}

/// Reads a value out of the backend's state.
pub fn query<R>(backend: &dyn Backend, f: impl FnOnce(&Directory) -> R) -> Result<R, BackendError> {
    let mut f = Some(f);
    let mut out = None;
    backend.read(&mut |dir| {
        if let Some(f) = f.take() {
            out = Some(f(dir));
        }
    })?;
    out.ok_or_else(|| BackendError::Io("the backend did not call back".into()))
}
