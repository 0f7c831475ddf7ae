//! Contexts, passwords and signing in: `roster context …`, `roster password …`, `roster
//! login`. Only parsing lives here.

use clap::{Args, Subcommand};

// ----- contexts -----

#[derive(Debug, Subcommand)]
pub enum ContextCmd {
    /// List the contexts of the config file; `*` marks the current one.
    List,
    /// Make NAME the current context: later commands work on its server.
    Use {
        /// The context's name.
        name: String,
    },
    /// Work on the local store again (forget the current context).
    Unset,
    /// Show a context (default: the one in use) and where its token comes from.
    Show {
        /// The context's name (default: the one in use).
        name: Option<String>,
    },
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
