//! A stand-in for a server connection that the test switches between answering, not
//! answering, refusing the token and losing the answer to a change it made. It calls
//! itself a server, so the console words its messages for one.

use roster::backend::file::FileStore;
use roster::backend::{AuditQuery, Backend, BackendError};
use roster::core::{Command, Directory, Principal, Recorded};
use std::sync::{Arc, Mutex};

pub const SERVER: &str = "https://roster.example:8443";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Up,
    /// No answer at all (`Unreachable`).
    Down,
    /// The token is refused (`Unauthorized`).
    Rejected,
    /// The next change is made, then the connection drops before the answer (and stays
    /// down).
    LoseAnswer,
}

pub struct Flaky {
    pub inner: Arc<FileStore>,
    mode: Mutex<Mode>,
}

impl Flaky {
    pub fn new(inner: Arc<FileStore>) -> Flaky {
        Flaky {
            inner,
            mode: Mutex::new(Mode::Up),
        }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }

    /// The failure for a network call in the current mode, if any.
    fn trouble(&self) -> Option<BackendError> {
        match self.mode() {
            Mode::Up => None,
            Mode::Down | Mode::LoseAnswer => Some(BackendError::Unreachable(format!(
                "cannot reach {SERVER}: connection refused"
            ))),
            Mode::Rejected => Some(BackendError::Unauthorized(format!(
                "the server at {SERVER} refused the token: this token was revoked"
            ))),
        }
    }
}

impl Backend for Flaky {
    fn describe(&self) -> String {
        format!("{SERVER} (acme)")
    }

    /// Like the REST client's replica: reads never go to the network.
    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        self.inner.read(f)
    }

    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        if self.mode() == Mode::LoseAnswer {
            let _ = self.inner.execute(who, cmd, dry_run)?;
            self.set(Mode::Down);
        }
        match self.trouble() {
            Some(e) => Err(e),
            None => self.inner.execute(who, cmd, dry_run),
        }
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        match self.trouble() {
            Some(e) => Err(e),
            None => self.inner.audit(query),
        }
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        match self.trouble() {
            Some(e) => Err(e),
            None => self.inner.refresh(),
        }
    }

    fn now(&self) -> jiff::Timestamp {
        self.inner.now()
    }
}
