//! Roles and groups: `roster role …` and `roster group …`, who holds which permissions.
//! Only parsing lives here.

use clap::{Args, Subcommand};

// ----- roles -----

#[derive(Debug, Subcommand)]
pub enum RoleCmd {
    /// List roles with how many hold them.
    List,
    /// A role's permissions and who holds it, and how.
    Show {
        /// The role, by name or id.
        role: String,
    },
    /// Create a custom role.
    Create {
        /// The new role's name.
        name: String,
        /// What the role is for.
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
        /// The role, by name or id.
        role: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// The new description.
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
    Delete {
        /// The role, by name or id.
        role: String,
    },
    /// Grant a role to accounts (--user) or a group (--group).
    Grant(RoleTarget),
    /// Revoke a role from accounts (--user) or a group (--group).
    Revoke(RoleTarget),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["users", "group"])))]
pub struct RoleTarget {
    /// The role, by name or id.
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
        /// The group, by name or id.
        group: String,
    },
    /// Create an empty group.
    Create {
        /// The new group's name.
        name: String,
    },
    /// Rename a group.
    Rename {
        /// The group, by name or id.
        group: String,
        /// The new name.
        new_name: String,
    },
    /// Delete a group (its members keep their accounts).
    Delete {
        /// The group, by name or id.
        group: String,
    },
    /// Add accounts to a group.
    Add {
        /// The group, by name or id.
        group: String,
        /// The accounts' emails (one or more).
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Remove accounts from a group.
    Remove {
        /// The group, by name or id.
        group: String,
        /// The accounts' emails (one or more).
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
}
