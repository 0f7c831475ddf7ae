//! The command line's shape (clap derive). Only parsing lives here; `run` gives it meaning.
//!
//! This file is the top: the program, its global options and the list of commands. Each command
//! family's arguments live in the file named after it, below this one.

mod access;
mod audit;
mod invitation;
mod org;
mod program;
mod scale;
mod server;
mod sign_in;
mod store;
mod user;

pub use access::{GroupCmd, RoleCmd, RoleTarget};
pub use audit::AuditArgs;
pub use invitation::{ApprovalCmd, Decision, InvitationCmd, InvitationStatusArg};
pub use org::{OrgCmd, SettingsArgs};
pub use program::{ContractCmd, ProgramCmd};
pub use scale::{BenchArgs, DemoCmd};
pub use server::{ServeArgs, TokenCmd};
pub use sign_in::{ContextCmd, LoginArgs, PasswordCmd};
pub use store::{MailCmd, MailStatusArg, StoreCmd};
pub use user::{
    ApprovalArg, Emails, InviteArgs, LevelArg, SortArg, StatusArg, UserCmd, UserListArgs,
};

pub use super::formats::Format;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The heading of the options every command accepts, apart from each command's own.
const GLOBAL: &str = "Global options";

/// Examples shown at the end of `roster --help` (before the default store).
pub const EXAMPLES: &str = "Examples:
  roster init --demo                      a store with demo organisations
  roster                                  open the console
  roster --org acme user list --level admin
  roster --org acme user disable bob@acme.example --dry-run
  roster --org acme audit --limit 0 --format csv > audit.csv
  roster completions bash > ~/.local/share/bash-completion/completions/roster";

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
    #[arg(long, global = true, help_heading = GLOBAL, env = "ROSTER_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// The organisation to work in, by slug; may be left out when there is only one.
    #[arg(long, global = true, help_heading = GLOBAL, env = "ROSTER_ORG", value_name = "SLUG")]
    pub org: Option<String>,
    /// Act as this account of the organisation (the core decides what it may do).
    #[arg(
        long = "as",
        global = true,
        help_heading = GLOBAL,
        value_name = "EMAIL",
        conflicts_with = "operator"
    )]
    pub as_email: Option<String>,
    /// Act as the platform operator (the default for a store you own).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub operator: bool,
    /// Print reads (and results) as JSON for scripts: the same as --format json.
    #[arg(long, global = true, help_heading = GLOBAL, conflicts_with = "format")]
    pub json: bool,
    /// How reads (and results) print: table for people; json, ndjson (one object a line)
    /// or csv (a header, then one row a line) for scripts.
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Show what a change would do, or why it would be refused, without committing it.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub dry_run: bool,
    /// Work on a roster server instead of a local store (https://host:port).
    #[arg(long, global = true, help_heading = GLOBAL, env = "ROSTER_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// The API token for --server (better from ROSTER_TOKEN or a context than typed).
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        env = "ROSTER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<crate::backend::rest::Token>,
    /// Use a named context from the config file (server, token, organisation).
    #[arg(long, global = true, help_heading = GLOBAL, env = "ROSTER_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
}

impl Global {
    /// The output format asked for: --format, else json for --json, else a table.
    pub fn output_format(&self) -> Format {
        match (self.format, self.json) {
            (Some(f), _) => f,
            (None, true) => Format::Json,
            (None, false) => Format::Table,
        }
    }
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
        action: Option<DemoCmd>,
    },
    /// Organisations: create, list, show, update the profile, settings, transfer ownership.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster org list\n  roster org create acme --name 'Acme Ltd' --owner alice@acme.example --owner-first-name Alice\n  roster --org acme org settings --approval-required true"
    )]
    Org(OrgCmd),
    /// Accounts of the organisation.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme user list --pending\n  roster --org acme user invite bob@acme.example --role Editor --expires 7d\n  roster --org acme user disable bob@acme.example carol@acme.example --dry-run\n  roster --org acme --format csv user list --status any > accounts.csv"
    )]
    User(UserCmd),
    /// Roles: named permission sets, and who holds them.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme role show Editor\n  roster --org acme role grant Editor --user bob@acme.example --until 30d"
    )]
    Role(RoleCmd),
    /// Groups of accounts and the roles granted to them.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme group create Support\n  roster --org acme group add Support bob@acme.example"
    )]
    Group(GroupCmd),
    /// Programs (applications, services) and their contacts.
    #[command(subcommand)]
    Program(ProgramCmd),
    /// Contracts between the platform and an organisation (operators change them).
    #[command(subcommand)]
    Contract(ContractCmd),
    /// Invitations: list, revoke, resend, accept, expire.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme invitation list --status pending\n  roster --org acme invitation revoke i7 i9"
    )]
    Invitation(InvitationCmd),
    /// The approval queue: join and role requests.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme approval list\n  roster --org acme approval approve --all-pending"
    )]
    Approval(ApprovalCmd),
    /// The audit trail, newest first.
    #[command(
        after_help = "Examples:\n  roster --org acme audit --actor alice --limit 20\n  roster --org acme audit --kind account_disabled --format ndjson\n  roster audit --limit 0 --format csv > trail.csv"
    )]
    Audit(AuditArgs),
    /// Serve the REST API for remote consoles and scripts (stop with Ctrl-C).
    Serve(ServeArgs),
    /// API tokens for `roster serve`: create (as --as EMAIL or --operator), list, revoke.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster --org acme --as alice@acme.example token create --label laptop --expires 90d\n  roster token list"
    )]
    Token(TokenCmd),
    /// Named contexts (server, token, organisation) from the config file.
    #[command(
        subcommand,
        after_help = "Examples:\n  roster context list\n  roster context use prod"
    )]
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
    #[command(
        after_help = "Examples:\n  roster --server https://roster.example --org acme login --email alice@acme.example"
    )]
    Login(LoginArgs),
    /// Measure the console, the store and the server on generated stores; prints one table.
    Bench(BenchArgs),
    /// Sign out: end the session of the current (or --context) context and forget its token.
    Logout,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(after_help = "Examples:
  roster completions bash > ~/.local/share/bash-completion/completions/roster
  roster completions zsh > \"${fpath[1]}/_roster\"
  roster completions fish > ~/.config/fish/completions/roster.fish")]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Write manual pages (roff) for roster and every command: roster.1, roster-user-list.1, …
    #[command(after_help = "Examples:
  roster man                   print roster.1 on stdout
  roster man ~/.local/share/man/man1 && man roster-user-list")]
    Man {
        /// The folder to write one page per command into (created if missing); without
        /// it, the top page is printed on stdout.
        dir: Option<PathBuf>,
    },
}
