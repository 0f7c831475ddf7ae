//! Programs and contracts: `roster program …` and `roster contract …`. Only parsing lives
//! here.

use clap::Subcommand;

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
