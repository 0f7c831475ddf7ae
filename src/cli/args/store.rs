//! Whole stores (`roster store …`) and the outbox (`roster mail …`). Only parsing lives
//! here.

use clap::{Subcommand, ValueEnum};

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
        /// Message ids, e.g. m4 (one or more).
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Print a message that is still spooled (a maildir delivery, or a failed one).
    Show {
        /// The message's id, e.g. m4.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MailStatusArg {
    Queued,
    Sent,
    Failed,
}
