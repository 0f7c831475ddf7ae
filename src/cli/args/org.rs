//! Organisations: `roster org …` (create, list, show, profile, settings, ownership). Only
//! parsing lives here.

use clap::{Args, Subcommand};

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
        /// The owner's first name.
        #[arg(long, value_name = "NAME")]
        owner_first_name: String,
        /// The owner's last name.
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
        /// The new display name.
        #[arg(long)]
        name: Option<String>,
        /// The postal address shown on the profile.
        #[arg(long)]
        address: Option<String>,
        /// The website shown on the profile.
        #[arg(long)]
        website: Option<String>,
        /// What the organisation does, in a sentence or two.
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
