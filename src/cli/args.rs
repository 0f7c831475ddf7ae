//! The command line's shape (clap derive). Only parsing lives here; `run` gives it meaning.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Administer who may do what in multi-tenant organisations",
    long_about = "Administer who may do what in multi-tenant organisations.\n\n\
        Run `roster` with no command to open the full-screen console; every command below \
        does the same things from scripts.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// Options every command accepts, before or after the command name.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// The store to use (default: the per-user data directory, shown at the end of --help).
    #[arg(long, global = true, env = "ROSTER_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// The organisation to work in, by slug; may be left out when there is only one.
    #[arg(long, global = true, env = "ROSTER_ORG", value_name = "SLUG")]
    pub org: Option<String>,
    /// Act as this account of the organisation (the core decides what it may do).
    #[arg(
        long = "as",
        global = true,
        value_name = "EMAIL",
        conflicts_with = "operator"
    )]
    pub as_email: Option<String>,
    /// Act as the platform operator (the default for a store you own).
    #[arg(long, global = true)]
    pub operator: bool,
    /// Print reads (and results) as JSON for scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// Show what a change would do, or why it would be refused, without committing it.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Work on a roster server instead of a local store (https://host:port).
    #[arg(long, global = true, env = "ROSTER_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// The API token for --server (better from ROSTER_TOKEN or a context than typed).
    #[arg(
        long,
        global = true,
        env = "ROSTER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<crate::backend::rest::Token>,
    /// Use a named context from the config file (server, token, organisation).
    #[arg(long, global = true, env = "ROSTER_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create a new, empty store (or, with --demo, one filled with the demo organisations).
    Init {
        /// Fill the store with one demo organisation per seed system.
        #[arg(long)]
        demo: bool,
    },
    /// Open the console on a demo store, building it on first use (never touches your own store).
    #[command(args_conflicts_with_subcommands = true)]
    Demo {
        /// Where the demo store lives (default: `roster/demo` in the per-user data directory).
        path: Option<PathBuf>,
        /// `generate`: a large generated store instead (see README "Performance").
        #[command(subcommand)]
        action: Option<super::scale::DemoCmd>,
    },
    /// Organisations: create, list, show, update the profile, settings, transfer ownership.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Accounts of the organisation.
    #[command(subcommand)]
    User(UserCmd),
    /// Roles: named permission sets, and who holds them.
    #[command(subcommand)]
    Role(RoleCmd),
    /// Groups of accounts and the roles granted to them.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Programs (applications, services) and their contacts.
    #[command(subcommand)]
    Program(ProgramCmd),
    /// Contracts between the platform and an organisation (operators change them).
    #[command(subcommand)]
    Contract(ContractCmd),
    /// Invitations: list, revoke, resend, accept, expire.
    #[command(subcommand)]
    Invitation(InvitationCmd),
    /// The approval queue: join and role requests.
    #[command(subcommand)]
    Approval(ApprovalCmd),
    /// The audit trail, newest first.
    Audit(AuditArgs),
    /// Serve the REST API for remote consoles and scripts (stop with Ctrl-C).
    Serve(ServeArgs),
    /// API tokens for `roster serve`: create (as --as EMAIL or --operator), list, revoke.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Named contexts (server, token, organisation) from the config file.
    #[command(subcommand)]
    Context(ContextCmd),
    /// Apply the PostgreSQL schema migrations to --store postgres://… (`roster serve` does it too).
    Migrate,
    /// Whole stores: copy one between a folder and a PostgreSQL database.
    #[command(subcommand)]
    Store(StoreCmd),
    /// The outbox: invitation and password-reset mail, its delivery, retries.
    #[command(subcommand)]
    Mail(MailCmd),
    /// Passwords: set a new one with the secret of a reset link.
    #[command(subcommand)]
    Password(PasswordCmd),
    /// Sign in to a server (--server, --org) with email and password; saves the session as a context.
    Login(LoginArgs),
    /// Measure the console, the store and the server on generated stores; prints one table.
    Bench(super::scale::BenchArgs),
    /// Sign out: end the session of the current (or --context) context and forget its token.
    Logout,
}

// ----- organisations -----

#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Create an organisation with its owner (platform operators).
    Create {
        /// Short name used with --org, e.g. `acme`.
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// The owner's email.
        #[arg(long, value_name = "EMAIL")]
        owner: String,
        #[arg(long, value_name = "NAME")]
        owner_first_name: String,
        #[arg(long, value_name = "NAME", default_value = "")]
        owner_last_name: String,
        /// New accounts wait for approval.
        #[arg(long)]
        approval_required: bool,
        /// People may register themselves.
        #[arg(long)]
        open_registration: bool,
    },
    /// List the organisations you can reach.
    List,
    /// Show an organisation's profile, settings and counts.
    Show {
        /// Slug (default: --org).
        slug: Option<String>,
    },
    /// Change the organisation's name or profile (owner or operator).
    Update {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        website: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Show or change settings: approval, registration, link lifetimes, terminology.
    Settings(SettingsArgs),
    /// Designate a new owner; the old owner becomes an admin.
    Transfer {
        /// The new owner's email.
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// New accounts wait for approval (true/false).
    #[arg(long, value_name = "BOOL")]
    pub approval_required: Option<bool>,
    /// People may register themselves (true/false).
    #[arg(long, value_name = "BOOL")]
    pub open_registration: Option<bool>,
    /// How long an invitation link stays valid, in hours.
    #[arg(long, value_name = "HOURS")]
    pub invitation_hours: Option<u32>,
    /// How long a password-reset link stays valid, in hours.
    #[arg(long, value_name = "HOURS")]
    pub reset_hours: Option<u32>,
    /// How long a sign-in session lasts, in hours.
    #[arg(long, value_name = "HOURS")]
    pub session_hours: Option<u32>,
    /// The organisation's word for its owner, e.g. "Main Corporate Contact".
    #[arg(long, value_name = "WORD")]
    pub term_owner: Option<String>,
    /// The word for an admin, e.g. "Management Contact".
    #[arg(long, value_name = "WORD")]
    pub term_admin: Option<String>,
    /// The word for a member, e.g. "Authorised User".
    #[arg(long, value_name = "WORD")]
    pub term_member: Option<String>,
    /// The word for a program, e.g. "Service".
    #[arg(long, value_name = "WORD")]
    pub term_program: Option<String>,
    /// The word for a program's owner, e.g. "Main Site Contact".
    #[arg(long, value_name = "WORD")]
    pub term_program_owner: Option<String>,
    /// The word for a program contributor.
    #[arg(long, value_name = "WORD")]
    pub term_contributor: Option<String>,
    /// The word for a program viewer, e.g. "Reader".
    #[arg(long, value_name = "WORD")]
    pub term_viewer: Option<String>,
}

// ----- accounts -----

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// List accounts (active ones unless --status says otherwise).
    List(UserListArgs),
    /// Everything about one account: roles, groups, programs, permissions and why, history.
    Show { email: String },
    /// Invite someone by email; prints the link's secret once.
    Invite(InviteArgs),
    /// Create an account directly (admins).
    Add {
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// Mark the account verified (needs members.manage).
        #[arg(long)]
        verified: bool,
    },
    /// Register yourself in an organisation that accepts registrations.
    Register {
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
    },
    /// Change an account's name or email.
    Edit {
        email: String,
        #[arg(long)]
        first_name: Option<String>,
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
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
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
        email: String,
        role: String,
        /// Until when: 2027-01-31, an RFC 3339 time, or 30d / 12h from now.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Revoke an organisation role from an account.
    Revoke { email: String, role: String },
    /// Ask for a role (as --as EMAIL); the request waits in the approval queue.
    RequestRole {
        role: String,
        /// For a program role: the program.
        #[arg(long, value_name = "NAME")]
        program: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// One or more accounts by email, acted on one by one.
#[derive(Debug, Args)]
pub struct Emails {
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
    #[arg(long, value_enum)]
    pub approval: Option<ApprovalArg>,
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Only unverified accounts.
    #[arg(long)]
    pub unverified: bool,
    /// Holding this role (directly, through a group, or in a program).
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub program: Option<String>,
    #[arg(long, value_enum, default_value = "name")]
    pub sort: SortArg,
    #[arg(long)]
    pub desc: bool,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// At most this many (0: all).
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    pub email: String,
    #[arg(long, default_value = "")]
    pub first_name: String,
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

// ----- roles -----

#[derive(Debug, Subcommand)]
pub enum RoleCmd {
    /// List roles with how many hold them.
    List,
    /// A role's permissions and who holds it, and how.
    Show { role: String },
    /// Create a custom role.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Permissions, comma-separated or repeated (e.g. members.read,app:downloads).
        #[arg(long = "permission", value_name = "PERM", value_delimiter = ',')]
        permissions: Vec<String>,
        /// Make it a program role (granted per program) instead of an organisation role.
        #[arg(long)]
        program_scope: bool,
        /// Tie it to a contract product (platform operators), e.g. IDaaS.
        #[arg(long, value_name = "PRODUCT")]
        gate: Option<String>,
    },
    /// Rename a role, change its description or permissions.
    Edit {
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Replace the permissions with these.
        #[arg(long = "permissions", value_name = "PERM", value_delimiter = ',', conflicts_with_all = ["add", "remove"])]
        set: Option<Vec<String>>,
        /// Add permissions.
        #[arg(long = "add", value_name = "PERM", value_delimiter = ',')]
        add: Vec<String>,
        /// Remove permissions.
        #[arg(long = "remove", value_name = "PERM", value_delimiter = ',')]
        remove: Vec<String>,
    },
    /// Delete a custom role nobody holds.
    Delete { role: String },
    /// Grant a role to accounts (--user) or a group (--group).
    Grant(RoleTarget),
    /// Revoke a role from accounts (--user) or a group (--group).
    Revoke(RoleTarget),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["users", "group"])))]
pub struct RoleTarget {
    pub role: String,
    /// Accounts by email (repeatable).
    #[arg(long = "user", value_name = "EMAIL")]
    pub users: Vec<String>,
    /// A group by name.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Until when (grants only): 2027-01-31, an RFC 3339 time, or 30d / 12h.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

// ----- groups -----

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// List groups.
    List,
    /// A group's members and roles.
    Show {
        group: String,
    },
    Create {
        name: String,
    },
    Rename {
        group: String,
        new_name: String,
    },
    Delete {
        group: String,
    },
    /// Add accounts to a group.
    Add {
        group: String,
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Remove accounts from a group.
    Remove {
        group: String,
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
}

// ----- programs -----

#[derive(Debug, Subcommand)]
pub enum ProgramCmd {
    /// List the programs you can see.
    List,
    /// A program's owner and contacts.
    Show {
        program: String,
    },
    /// Create a program (owned by you, or by --owner).
    Create {
        name: String,
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
    },
    Rename {
        program: String,
        new_name: String,
    },
    Delete {
        program: String,
    },
    /// Give accounts a program role (default: the viewer role).
    Grant {
        program: String,
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Replace one program role of an account with another.
    Change {
        program: String,
        email: String,
        #[arg(long, value_name = "ROLE")]
        from: String,
        #[arg(long, value_name = "ROLE")]
        to: String,
    },
    /// Take one program role from an account.
    Revoke {
        program: String,
        email: String,
        #[arg(long, value_name = "ROLE")]
        role: String,
    },
    /// Remove accounts from a program entirely.
    Remove {
        program: String,
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Name a new program owner; the old one stays on as a contributor.
    Transfer {
        program: String,
        email: String,
    },
}

// ----- contracts -----

#[derive(Debug, Subcommand)]
pub enum ContractCmd {
    /// List contracts (of --org; an operator with several organisations sees all).
    List,
    Show {
        id: String,
    },
    /// Create a contract for the organisation (operators).
    Create {
        /// Product code, e.g. IDaaS.
        product: String,
        #[arg(long)]
        seats: u32,
        /// When it starts (default: now).
        #[arg(long, value_name = "DATE")]
        start: Option<String>,
        #[arg(long, value_name = "DATE")]
        end: Option<String>,
    },
    Suspend {
        id: String,
    },
    Resume {
        id: String,
    },
    End {
        id: String,
    },
    /// Change the number of seats.
    Seats {
        id: String,
        seats: u32,
    },
}

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
        #[arg(long, value_enum)]
        status: Option<InvitationStatusArg>,
    },
    /// Withdraw pending invitations.
    Revoke {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Send an invitation again with a new link and lifetime.
    Resend { id: String },
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

// ----- audit -----

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events by actors whose email contains this.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only events of this type, e.g. account_disabled.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only events whose summary contains this.
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

// ----- contexts -----

#[derive(Debug, Subcommand)]
pub enum ContextCmd {
    /// List the contexts of the config file; `*` marks the current one.
    List,
    /// Make NAME the current context: later commands work on its server.
    Use { name: String },
    /// Work on the local store again (forget the current context).
    Unset,
    /// Show a context (default: the one in use) and where its token comes from.
    Show { name: Option<String> },
}

// ----- server and tokens -----

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free one (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,
    /// Where a PostgreSQL store's server keeps its mail (spool, maildir, roster.toml);
    /// default: roster/mail in the XDG state directory. A folder store uses its own folder.
    #[arg(long, value_name = "DIR", env = "ROSTER_MAIL_DIR")]
    pub mail_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Make a token acting as --as EMAIL (for itself) or as --operator; prints its secret once.
    Create {
        /// What the token is for, e.g. "laptop console".
        #[arg(long, default_value = "")]
        label: String,
        /// When it stops working: 2027-01-31, an RFC 3339 time, or 90d / 12h from now.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// Tokens you may see: id, whom they act as, label, created, expires, status (never the secret).
    List,
    /// Stop a token from working.
    Revoke {
        /// The token's id, e.g. t12.
        id: String,
    },
}

// ----- whole stores -----

#[derive(Debug, Subcommand)]
pub enum StoreCmd {
    /// Copy a whole store (history and all) into an empty place, then verify the copy.
    Copy {
        /// The store to copy: a folder, or postgres://USER@HOST/DB.
        #[arg(long, value_name = "PATH|URL")]
        from: String,
        /// Where to put the copy: a new or empty folder, or an empty PostgreSQL database.
        #[arg(long, value_name = "PATH|URL")]
        to: String,
    },
    /// Rewrite a local store's snapshot now (in the current format) and start a new log generation.
    Compact,
}

// ----- mail -----

#[derive(Debug, Subcommand)]
pub enum MailCmd {
    /// The organisation's outbox, newest first: recipient, kind, subject, status, attempts.
    List {
        /// Only messages in this state.
        #[arg(long, value_enum)]
        status: Option<MailStatusArg>,
    },
    /// Deliver every queued message now (SMTP from roster.toml, else the maildir).
    Send,
    /// Queue failed messages again and deliver them.
    Retry {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Print a message that is still spooled (a maildir delivery, or a failed one).
    Show { id: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MailStatusArg {
    Queued,
    Sent,
    Failed,
}
// ----- passwords and signing in -----

#[derive(Debug, Subcommand)]
pub enum PasswordCmd {
    /// Set a new password with the secret of a reset link (once, before it expires).
    Reset {
        /// The secret from the reset link (or the whole link).
        #[arg(long)]
        secret: String,
        /// Read the new password from standard input instead of asking on the terminal.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Forgot your password: the server (--server, --org) mails a reset link to your address.
    Forgot {
        /// Your email in the organisation given with --org.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your email in the organisation given with --org.
    #[arg(long)]
    pub email: String,
    /// Read the password from standard input instead of asking on the terminal.
    #[arg(long)]
    pub password_stdin: bool,
    /// The name to save the context under (default: the organisation's slug).
    #[arg(long, value_name = "NAME")]
    pub save_as: Option<String>,
}
