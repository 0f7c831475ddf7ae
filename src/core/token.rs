//! API tokens: how a program (a remote console, a script with curl) proves to
//! `roster serve` whom it acts as. Tokens live in the directory like every other entity,
//! so every store keeps them and the audit trail records who issued and revoked which.
//! Only the SHA-256 of the secret is kept; the secret itself is shown once, when made.

use super::directory::Directory;
pub use super::model::Token;
use super::model::{Approval, Principal};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a token stands right now, for listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
    /// The account was deleted: the token can never work again.
    AccountDeleted,
    /// The account is disabled, waiting for approval or rejected: the token works
    /// again if the account becomes active.
    AccountInactive,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Expired => "expired",
            TokenStatus::AccountDeleted => "account deleted",
            TokenStatus::AccountInactive => "account inactive",
        }
    }
}

impl Token {
    pub fn status(&self, dir: &Directory, now: Timestamp) -> TokenStatus {
        match check(dir, self, now) {
            Ok(_) => TokenStatus::Active,
            Err(AuthError::Revoked) => TokenStatus::Revoked,
            Err(AuthError::Expired(_)) => TokenStatus::Expired,
            Err(AuthError::AccountGone) | Err(AuthError::Unknown) => TokenStatus::AccountDeleted,
            Err(AuthError::Inactive(_)) => TokenStatus::AccountInactive,
        }
    }
}

/// Why a presented token does not let anyone in. The sentences are safe to show to
/// whoever presented it: only someone holding a secret learns anything about its token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the token is not valid: check it, or create a new one with `roster token create`")]
    Unknown,
    #[error("this token was revoked: create a new one")]
    Revoked,
    #[error("this token expired at {0}: create a new one")]
    Expired(Timestamp),
    #[error("the account of this token no longer exists")]
    AccountGone,
    /// The account exists but may not sign in (invariant 6); the sentence says why.
    #[error("{0}")]
    Inactive(String),
}

/// Compares secrets without leaking through timing where they differ (every secret
/// check of the core and its edges goes through here).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True for a SHA-256 digest written as 64 lowercase hex digits, the only form the core
/// accepts for a token's hash (so a secret pasted by mistake is refused, not stored).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Who presents the secret whose SHA-256 is `secret_hash`, if the token is good now.
///
/// Every stored hash is compared in constant time, and all of them are compared, so the
/// time taken does not tell how close a guess came or which token it nearly matched.
pub fn authenticate(
    dir: &Directory,
    secret_hash: &str,
    now: Timestamp,
) -> Result<Principal, AuthError> {
    let mut found = None;
    for t in dir.tokens.values() {
        if constant_time_eq(t.hash.as_bytes(), secret_hash.as_bytes()) && found.is_none() {
            found = Some(t);
        }
    }
    match found {
        Some(t) => check(dir, t, now),
        None => Err(AuthError::Unknown),
    }
}

/// Whether `token` lets its holder in at `now`, and as whom.
fn check(dir: &Directory, token: &Token, now: Timestamp) -> Result<Principal, AuthError> {
    if token.revoked {
        return Err(AuthError::Revoked);
    }
    if let Some(at) = token.expires
        && now >= at
    {
        return Err(AuthError::Expired(at));
    }
    match &token.principal {
        Principal::Operator => Ok(Principal::Operator),
        Principal::Anonymous => Err(AuthError::Unknown),
        Principal::Account { id } => {
            // A later account is a new identity (invariant 5): the id must still exist
            // and belong to the organisation the token was issued in.
            let Some(a) = dir.accounts.get(id).filter(|a| Some(a.org) == token.org) else {
                return Err(AuthError::AccountGone);
            };
            // Seed 002: a disabled user "may continue to access the system until they
            // log out, or until their login session expires".
            if !a.enabled && token.session && a.approval == Approval::Approved {
                return Ok(token.principal.clone());
            }
            match crate::core::wording::cannot_sign_in(dir, a) {
                None => Ok(token.principal.clone()),
                Some(why) => Err(AuthError::Inactive(why)),
            }
        }
    }
}
