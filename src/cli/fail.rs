//! How a command ends when it does not succeed, and which exit code that is.

use crate::backend::BackendError;

/// Why a command did not succeed. Every variant but `Unexpected` is an expected outcome
/// and is reported as one plain sentence (exit 1); usage errors are clap's (exit 2).
#[derive(Debug)]
pub enum Failure {
    /// A refusal, an unknown name, a store problem: printed on stderr.
    Message(String),
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
}

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Failure::Message(backend_message(&e))
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
