//! A database store has no folder of its own, but mail needs one on the machine that
//! sends it: the spool of rendered messages (their links exist nowhere else), the
//! maildir, and `roster.toml`'s mail settings. `WithMailFolder` gives a backend such a
//! folder and changes nothing else: every call goes to the store it wraps.

use super::{AuditQuery, Backend, BackendError};
use crate::core::precondition::Precondition;
use crate::core::{Command, Directory, Principal, Recorded};
use jiff::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;

pub struct WithMailFolder {
    inner: Arc<dyn Backend>,
    folder: PathBuf,
}

impl WithMailFolder {
    pub fn new(inner: Arc<dyn Backend>, folder: PathBuf) -> WithMailFolder {
        WithMailFolder { inner, folder }
    }
}

impl Backend for WithMailFolder {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        self.inner.read(f)
    }

    fn read_now(&self, f: &mut dyn FnMut(&Directory)) -> Result<bool, BackendError> {
        self.inner.read_now(f)
    }

    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.inner.execute(who, cmd, dry_run)
    }

    fn execute_if(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
        pre: Option<&Precondition>,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.inner.execute_if(who, cmd, dry_run, pre)
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        self.inner.audit(query)
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        self.inner.refresh()
    }

    fn now(&self) -> Timestamp {
        self.inner.now()
    }

    fn changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.inner.changes()
    }

    fn local_root(&self) -> Option<PathBuf> {
        Some(self.folder.clone())
    }

    fn execute_with_link(
        &self,
        who: &Principal,
        cmd: &Command,
        link_secret: &str,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.inner.execute_with_link(who, cmd, link_secret)
    }
}
