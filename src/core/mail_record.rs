//! The outbox's record of one message (what it is about, to whom, how delivery went),
//! as the directory keeps it and the events carry it. Plain data at the bottom of the
//! core, so the directory and the events need not reach up into `mail` (which renders
//! templates and answers questions about the outbox over the directory).

use super::ids::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What a message is about, and the record it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailKind {
    Invitation { invitation: InvitationId },
    PasswordReset { reset: ResetId },
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation { .. } => "invitation",
            MailKind::PasswordReset { .. } => "password_reset",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailStatus {
    /// Waiting for the sender.
    Queued,
    /// Handed to the SMTP server, or written to the maildir.
    Sent,
    /// Given up on after `attempts`; `last_error` says why. `mail retry` queues it again.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }
}

/// One message of the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub id: MailId,
    pub org: OrgId,
    /// The recipient's address.
    pub to: String,
    /// The recipient's name, for the `To:` header and the greeting.
    #[serde(default)]
    pub to_name: String,
    #[serde(flatten)]
    pub kind: MailKind,
    pub subject: String,
    pub status: MailStatus,
    /// Delivery attempts made in the last round.
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub last_error: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}
