//! Joining: `roster invitation …` and the approval queue, `roster approval …`. Only parsing
//! lives here.

use clap::{Args, Subcommand, ValueEnum};

// ----- invitations -----

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InvitationStatusArg {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

#[derive(Debug, Subcommand)]
pub enum InvitationCmd {
    /// Sent invitations and their status, newest first.
    List {
        /// Only invitations in this state.
        #[arg(long, value_enum)]
        status: Option<InvitationStatusArg>,
    },
    /// Withdraw pending invitations.
    Revoke {
        /// Invitation ids, e.g. i7 (one or more).
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Send an invitation again with a new link and lifetime.
    Resend {
        /// The invitation's id, e.g. i7.
        id: String,
    },
    /// Accept an invitation: with --secret as the invitee, without as an admin on their behalf.
    Accept {
        /// The invitation's id (not needed with --secret and a password).
        id: Option<String>,
        /// The secret from the invitation link (or the whole link).
        #[arg(long)]
        secret: Option<String>,
        /// Choose your password, read from standard input (else asked for on the terminal
        /// when there is no id); needs --secret.
        #[arg(long, requires = "secret")]
        password_stdin: bool,
    },
    /// Record every invitation past its expiry as expired.
    Expire,
}

// ----- approvals -----

#[derive(Debug, Subcommand)]
pub enum ApprovalCmd {
    /// Pending requests, oldest first (--all adds decided ones).
    List {
        /// Decided requests too (approved, rejected).
        #[arg(long)]
        all: bool,
    },
    /// Approve requests by id, or every pending one.
    Approve(Decision),
    /// Reject requests by id, or every pending one.
    Reject(Decision),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "all_pending"])))]
pub struct Decision {
    /// Request ids, e.g. a12.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every pending request of the organisation.
    #[arg(long)]
    pub all_pending: bool,
    /// Why (shown to the requester and in the audit trail).
    #[arg(long, default_value = "")]
    pub reason: String,
}
