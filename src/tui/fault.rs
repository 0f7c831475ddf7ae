//! What went wrong in a backend call, as the console needs to know it. The runtime turns
//! each `BackendError` into a `LoadError` (its kind and its sentence) before it becomes a
//! `Msg`, so the pure App can tell a server that is away for a moment (keep the data,
//! retry) from a token that is no longer valid (stop, say how to get a new one) from an
//! answer that makes no sense (say so, retry slowly) from the core saying no.

use crate::backend::BackendError;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No answer: the server is down or restarting, or the network is (`Unreachable`).
    Offline,
    /// An answer that says "not now": an overloaded server, or another process holding
    /// the local store's writer lock (`Busy`).
    Busy,
    /// The server no longer accepts the token (`Unauthorized`).
    Unauthorized,
    /// An answer that makes no sense, or a damaged or vanished store (`Io`, `Corrupt`,
    /// `Missing`).
    Broken,
    /// The core said no (`Refused`): a decision, not trouble with the connection.
    Refused,
}

impl Fault {
    /// The same call may well work in a moment.
    pub fn transient(self) -> bool {
        matches!(self, Fault::Offline | Fault::Busy)
    }

    /// Says something about the connection to the backend rather than about one request.
    pub fn of_link(self) -> bool {
        self != Fault::Refused
    }
}

/// A failed backend call: its kind, and the backend's sentence to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub fault: Fault,
    pub message: String,
}

impl LoadError {
    pub fn new(fault: Fault, message: impl Into<String>) -> LoadError {
        LoadError {
            fault,
            message: message.into(),
        }
    }

    /// A refusal worked out by the console itself ("no account x in this organisation").
    pub fn refused(message: impl Into<String>) -> LoadError {
        LoadError::new(Fault::Refused, message)
    }
}

impl From<BackendError> for LoadError {
    fn from(e: BackendError) -> LoadError {
        let fault = match &e {
            BackendError::Unreachable(_) => Fault::Offline,
            BackendError::Busy(_) => Fault::Busy,
            BackendError::Unauthorized(_) => Fault::Unauthorized,
            BackendError::Io(_) | BackendError::Corrupt(_) | BackendError::Missing(_) => {
                Fault::Broken
            }
            BackendError::Refused(_) => Fault::Refused,
        };
        LoadError::new(fault, e.to_string())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::DomainError;

    #[test]
    fn every_backend_error_has_its_kind_and_keeps_its_sentence() {
        let cases = [
            (BackendError::Unreachable("u".into()), Fault::Offline),
            (BackendError::Busy("b".into()), Fault::Busy),
            (BackendError::Unauthorized("t".into()), Fault::Unauthorized),
            (BackendError::Io("i".into()), Fault::Broken),
            (BackendError::Corrupt("c".into()), Fault::Broken),
            (BackendError::Missing("m".into()), Fault::Broken),
            (
                BackendError::Refused(DomainError::Forbidden("no".into())),
                Fault::Refused,
            ),
        ];
        for (e, fault) in cases {
            let said = e.to_string();
            let l = LoadError::from(e);
            assert_eq!((l.fault, l.message.as_str()), (fault, said.as_str()));
        }
        assert!(Fault::Offline.transient() && Fault::Busy.transient());
        assert!(!Fault::Unauthorized.transient() && !Fault::Broken.transient());
        assert!(!Fault::Refused.of_link() && Fault::Broken.of_link());
    }
}
