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
        /// The program, by name or id.
        program: String,
    },
    /// Create a program (owned by you, or by --owner).
    Create {
        /// The new program's name.
        name: String,
        /// Its owner's email (default: you).
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
    },
    /// Rename a program.
    Rename {
        /// The program, by name or id.
        program: String,
        /// The new name.
        new_name: String,
    },
    /// Delete a program.
    Delete {
        /// The program, by name or id.
        program: String,
    },
    /// Give accounts a program role (default: the viewer role).
    Grant {
        /// The program, by name or id.
        program: String,
        /// The accounts' emails (one or more).
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
        /// The program role (default: the viewer role).
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Until when: 2027-01-31, an RFC 3339 time, or 30d / 12h from now.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Replace one program role of an account with another.
    Change {
        /// The program, by name or id.
        program: String,
        /// The account's email.
        email: String,
        /// The role it holds now.
        #[arg(long, value_name = "ROLE")]
        from: String,
        /// The role it gets instead.
        #[arg(long, value_name = "ROLE")]
        to: String,
    },
    /// Take one program role from an account.
    Revoke {
        /// The program, by name or id.
        program: String,
        /// The account's email.
        email: String,
        /// The program role to take.
        #[arg(long, value_name = "ROLE")]
        role: String,
    },
    /// Remove accounts from a program entirely.
    Remove {
        /// The program, by name or id.
        program: String,
        /// The accounts' emails (one or more).
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Name a new program owner; the old one stays on as a contributor.
    Transfer {
        /// The program, by name or id.
        program: String,
        /// The new owner's email.
        email: String,
    },
}

// ----- contracts -----

#[derive(Debug, Subcommand)]
pub enum ContractCmd {
    /// List contracts (of --org; an operator with several organisations sees all).
    List,
    /// A contract's product, seats, dates and status.
    Show {
        /// The contract's id, e.g. c3.
        id: String,
    },
    /// Create a contract for the organisation (operators).
    Create {
        /// Product code, e.g. IDaaS.
        product: String,
        /// How many accounts it covers.
        #[arg(long)]
        seats: u32,
        /// When it starts (default: now).
        #[arg(long, value_name = "DATE")]
        start: Option<String>,
        /// When it ends (default: open-ended).
        #[arg(long, value_name = "DATE")]
        end: Option<String>,
    },
    /// Suspend a contract (its gated roles stop working).
    Suspend {
        /// The contract's id, e.g. c3.
        id: String,
    },
    /// Resume a suspended contract.
    Resume {
        /// The contract's id, e.g. c3.
        id: String,
    },
    /// End a contract now.
    End {
        /// The contract's id, e.g. c3.
        id: String,
    },
    /// Change the number of seats.
    Seats {
        /// The contract's id, e.g. c3.
        id: String,
        /// The new number of seats.
        seats: u32,
    },
}
