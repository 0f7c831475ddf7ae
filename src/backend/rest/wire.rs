//! The shapes `roster serve` speaks under `/v1`, as the client reads and writes them.
//! Core types travel as they are (serde), so a rule never has a second encoding.

use crate::core::{Command, Directory, Org, Principal, Recorded};
use serde::{Deserialize, Serialize};

/// `GET /v1/health`.
#[derive(Clone, Debug, Deserialize)]
pub struct Health {
    pub seq: u64,
}

/// `GET /v1/me`: who the token acts as (its account and permissions are not needed:
/// the replica holds the account, and the core works out what it may do).
#[derive(Clone, Debug, Deserialize)]
pub struct Me {
    pub principal: Principal,
    #[serde(default)]
    pub org: Option<Org>,
}

/// `GET /v1/orgs/{slug}/state`: the part of the directory the caller may see.
#[derive(Clone, Debug, Deserialize)]
pub struct State {
    pub seq: u64,
    pub directory: Directory,
}

/// `GET /v1/events`: what happened after the cursor; `seq` is the new cursor.
#[derive(Clone, Debug, Deserialize)]
pub struct Events {
    pub seq: u64,
    #[serde(default)]
    pub events: Vec<Recorded>,
}

/// `POST /v1/commands`.
#[derive(Debug, Serialize)]
pub struct CommandRequest<'a> {
    pub command: &'a Command,
    pub dry_run: bool,
    /// The secret of the link the command sends, for the server to mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_secret: Option<&'a str>,
}

/// The reply to a command: its events (a preview for a dry run).
#[derive(Clone, Debug, Deserialize)]
pub struct CommandReply {
    #[serde(default)]
    pub events: Vec<Recorded>,
}

/// `GET /v1/audit`.
#[derive(Clone, Debug, Deserialize)]
pub struct Audit {
    #[serde(default)]
    pub events: Vec<AuditEntry>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuditEntry {
    pub event: Recorded,
}

/// An `application/problem+json` body (RFC 9457). Every field is optional on the wire,
/// so a terse or foreign error page still yields what it can.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Problem {
    pub title: Option<String>,
    pub detail: Option<String>,
}
