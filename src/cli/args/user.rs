//! Accounts: `roster user …`, its list filters and the invitation form. Only parsing lives
//! here.

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// List accounts (active ones unless --status says otherwise).
    #[command(after_help = "Examples:
  roster --org acme user list smith --level admin
  roster --org acme user list --pending --sort created --desc
  roster --org acme user list --group Support --format csv > support.csv
  roster --org acme user list --offset 50 --limit 50 --format ndjson")]
    List(UserListArgs),
    /// Everything about one account: roles, groups, programs, permissions and why, history.
    Show {
        /// The account's email.
        email: String,
    },
    /// Invite someone by email; prints the link's secret once.
    Invite(InviteArgs),
    /// Create an account directly (admins).
    Add {
        /// The new account's email.
        email: String,
        /// First name.
        #[arg(long)]
        first_name: String,
        /// Last name.
        #[arg(long, default_value = "")]
        last_name: String,
        /// Mark the account verified (needs members.manage).
        #[arg(long)]
        verified: bool,
    },
    /// Register yourself in an organisation that accepts registrations.
    Register {
        /// Your email.
        email: String,
        /// Your first name.
        #[arg(long)]
        first_name: String,
        /// Your last name.
        #[arg(long, default_value = "")]
        last_name: String,
    },
    /// Change an account's name or email.
    Edit {
        /// The account's current email.
        email: String,
        /// The new first name.
        #[arg(long)]
        first_name: Option<String>,
        /// The new last name.
        #[arg(long)]
        last_name: Option<String>,
        /// The new email address.
        #[arg(long = "email", value_name = "EMAIL")]
        new_email: Option<String>,
    },
    /// Mark accounts verified.
    Verify(Emails),
    /// Let disabled accounts sign in again.
    Enable(Emails),
    /// Stop accounts from signing in (live sessions run until they expire).
    Disable(Emails),
    /// Approve pending accounts.
    Approve(Emails),
    /// Reject pending accounts.
    Reject {
        /// The pending accounts' emails (one or more).
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
        /// Why (shown in the audit trail).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Make accounts admins (only verified accounts).
    Promote(Emails),
    /// Make admins plain members again.
    Demote(Emails),
    /// Delete disabled accounts permanently.
    Delete(Emails),
    /// Send password-reset links (prints each secret once).
    ResetPassword(Emails),
    /// End every live sign-in session of accounts at once (sessions.revoke).
    RevokeSessions(Emails),
    /// Grant an organisation role to an account.
    Grant {
        /// The account's email.
        email: String,
        /// The role, by name or id.
        role: String,
        /// Until when: 2027-01-31, an RFC 3339 time, or 30d / 12h from now.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Revoke an organisation role from an account.
    Revoke {
        /// The account's email.
        email: String,
        /// The role, by name or id.
        role: String,
    },
    /// Ask for a role (as --as EMAIL); the request waits in the approval queue.
    RequestRole {
        /// The role you ask for, by name.
        role: String,
        /// For a program role: the program.
        #[arg(long, value_name = "NAME")]
        program: Option<String>,
        /// A note for whoever decides.
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// One or more accounts by email, acted on one by one.
#[derive(Debug, Args)]
pub struct Emails {
    /// The accounts' emails (one or more).
    #[arg(required = true, value_name = "EMAIL")]
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Active,
    Disabled,
    Any,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ApprovalArg {
    Approved,
    Pending,
    Rejected,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Owner,
    Admin,
    Member,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Email,
    Level,
    Status,
    Created,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Words that must appear in the name or email.
    pub text: Vec<String>,
    /// active, disabled or any.
    #[arg(long, value_enum, default_value = "active")]
    pub status: StatusArg,
    /// Only accounts waiting for approval (any status).
    #[arg(long, conflicts_with = "approval")]
    pub pending: bool,
    /// Only accounts in this approval state.
    #[arg(long, value_enum)]
    pub approval: Option<ApprovalArg>,
    /// Only accounts at this level.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Only unverified accounts.
    #[arg(long)]
    pub unverified: bool,
    /// Holding this role (directly, through a group, or in a program).
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Only members of this group.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Only accounts with a role in this program.
    #[arg(long, value_name = "NAME")]
    pub program: Option<String>,
    /// The column to sort by.
    #[arg(long, value_enum, default_value = "name")]
    pub sort: SortArg,
    /// Sort in descending order.
    #[arg(long)]
    pub desc: bool,
    /// Skip this many accounts first (with --limit, for pages).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// At most this many (0: all).
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The invitee's email.
    pub email: String,
    /// The invitee's first name (they may change it).
    #[arg(long, default_value = "")]
    pub first_name: String,
    /// The invitee's last name (they may change it).
    #[arg(long, default_value = "")]
    pub last_name: String,
    /// A message for the invitee.
    #[arg(long, default_value = "")]
    pub message: String,
    /// Invite as an admin.
    #[arg(long)]
    pub admin: bool,
    /// An organisation role to grant on acceptance (repeatable).
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// A program to add them to, as `NAME` (viewer) or `NAME:ROLE` (repeatable).
    #[arg(long = "program", value_name = "NAME[:ROLE]")]
    pub programs: Vec<String>,
    /// When the link stops working (default: the organisation's invitation lifetime).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
}
