//! How a command ends when it does not succeed, and which exit code that is. The one
//! place where causes (the core's refusal kinds, the store's and the server's troubles)
//! become exit codes, so scripts can tell "no" from "not there" from "try again".

use crate::backend::BackendError;
use crate::core::DomainError;

/// The exit codes of `roster` (README "Exit codes"). 0 is success; usage errors (2)
/// are mostly clap's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: a rule said no (permissions, validation, the state forbids it, bad credentials).
    Refused = 1,
    /// 2: the command line itself is wrong (unknown flag, --dry-run where it cannot work).
    Usage = 2,
    /// 3: what the command names does not exist (or may not be known to exist).
    NotFound = 3,
    /// 4: somebody else got there first: a stale version, or the store is busy. Retry.
    Conflict = 4,
    /// 5: the store or the server cannot be reached or used (missing, damaged, offline).
    Unreachable = 5,
}

/// Why a command did not succeed. Every variant but `Unexpected` is an expected outcome
/// and is reported as one plain sentence; usage errors are clap's (exit 2).
#[derive(Debug)]
pub enum Failure {
    /// A refusal or a problem the CLI itself found: printed on stderr, exit 1.
    Message(String),
    /// A sentence with its own exit code (not found, conflict, unreachable, usage).
    Coded(Exit, String),
    /// Already reported item by item (a bulk command where something was refused).
    Reported,
    /// A bug or an environment problem nobody could plan for: color-eyre's report.
    Unexpected(color_eyre::Report),
}

pub type Outcome<T = ()> = Result<T, Failure>;

impl Failure {
    pub fn msg(m: impl Into<String>) -> Self {
        Failure::Message(m.into())
    }

    /// Something named on the command line does not exist (exit 3).
    pub fn not_found(m: impl Into<String>) -> Self {
        Failure::Coded(Exit::NotFound, m.into())
    }

    /// The process's exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Coded(code, _) => *code,
            Failure::Message(_) | Failure::Reported | Failure::Unexpected(_) => Exit::Refused,
        }
    }
}

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Failure::Coded(exit_of(&e), backend_message(&e))
    }
}

/// The exit code of a backend error: the one mapping from causes to codes.
pub fn exit_of(e: &BackendError) -> Exit {
    match e {
        BackendError::Refused(d) => match d {
            DomainError::NotFound(_) => Exit::NotFound,
            DomainError::Stale(_) => Exit::Conflict,
            DomainError::Forbidden(_) | DomainError::Conflict(_) | DomainError::Invalid(_) => {
                Exit::Refused
            }
        },
        BackendError::Busy(_) => Exit::Conflict,
        BackendError::Unauthorized(_) => Exit::Refused,
        BackendError::Missing(_)
        | BackendError::Corrupt(_)
        | BackendError::Io(_)
        | BackendError::Unreachable(_) => Exit::Unreachable,
    }
}

/// A backend error as the sentence to show.
pub fn backend_message(e: &BackendError) -> String {
    match e {
        BackendError::Refused(d) => d.message().to_string(),
        // Each store's own sentence already says what is wrong ("the store at … is busy:
        // … try again", "the store is damaged at byte …"): shown as it is, said once.
        BackendError::Busy(m)
        | BackendError::Corrupt(m)
        | BackendError::Missing(m)
        | BackendError::Io(m)
        | BackendError::Unauthorized(m)
        | BackendError::Unreachable(m) => m.clone(),
    }
}

/// True for errors that end a bulk command at once: the store itself is in trouble, so
/// the remaining items would fail the same way.
pub fn is_fatal(e: &BackendError) -> bool {
    !matches!(e, BackendError::Refused(_))
}

/// Shorthand for a refusal built by the CLI itself (unknown names and the like).
pub fn fail<T>(m: impl Into<String>) -> Outcome<T> {
    Err(Failure::Message(m.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_has_its_exit_code() {
        let code = |e: BackendError| exit_of(&e) as u8;
        assert_eq!(code(DomainError::Forbidden("x".into()).into()), 1);
        assert_eq!(code(DomainError::Conflict("x".into()).into()), 1);
        assert_eq!(code(DomainError::Invalid("x".into()).into()), 1);
        assert_eq!(code(DomainError::NotFound("x".into()).into()), 3);
        assert_eq!(code(DomainError::Stale("x".into()).into()), 4);
        assert_eq!(code(BackendError::Busy("x".into())), 4);
        assert_eq!(code(BackendError::Unauthorized("x".into())), 1);
        assert_eq!(code(BackendError::Missing("x".into())), 5);
        assert_eq!(code(BackendError::Corrupt("x".into())), 5);
        assert_eq!(code(BackendError::Io("x".into())), 5);
        assert_eq!(code(BackendError::Unreachable("x".into())), 5);
    }
}
