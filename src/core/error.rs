//! Refusals. Every one carries a sentence a person can act on.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum DomainError {
    /// The target does not exist, or the principal may not know it exists.
    #[error("{0}")]
    NotFound(String),
    /// The rules say no.
    #[error("{0}")]
    Forbidden(String),
    /// The change contradicts the current state (duplicate email, last owner, …).
    #[error("{0}")]
    Conflict(String),
    /// The request itself is malformed (bad email, empty name, …).
    #[error("{0}")]
    Invalid(String),
    /// The edit was based on an older version of the record.
    #[error("{0}")]
    Stale(String),
}

impl DomainError {
    pub fn message(&self) -> &str {
        match self {
            DomainError::NotFound(m)
            | DomainError::Forbidden(m)
            | DomainError::Conflict(m)
            | DomainError::Invalid(m)
            | DomainError::Stale(m) => m,
        }
    }
}

pub type Decision<T> = Result<T, DomainError>;

pub(crate) fn forbidden<T>(msg: impl Into<String>) -> Decision<T> {
    Err(DomainError::Forbidden(msg.into()))
}
pub(crate) fn conflict<T>(msg: impl Into<String>) -> Decision<T> {
    Err(DomainError::Conflict(msg.into()))
}
pub(crate) fn invalid<T>(msg: impl Into<String>) -> Decision<T> {
    Err(DomainError::Invalid(msg.into()))
}
pub(crate) fn not_found<T>(msg: impl Into<String>) -> Decision<T> {
    Err(DomainError::NotFound(msg.into()))
}
