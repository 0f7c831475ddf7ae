//! The shape of `assets/demo.toml`: organisations, each with a script of steps.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSet {
    pub org: Vec<OrgSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub slug: String,
    pub name: String,
    /// Which seed system this organisation shows, in a few words.
    pub system: String,
    /// Days ago the organisation was created.
    pub at: u32,
    pub owner: Person,
    #[serde(default)]
    pub approval_required: bool,
    #[serde(default)]
    pub open_registration: bool,
    pub terms: Terms,
    pub steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub email: String,
    pub first: String,
    pub last: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub owner: String,
    pub admin: String,
    pub member: String,
    pub program: String,
    pub program_owner: String,
    pub contributor: String,
    pub viewer: String,
}

/// One step of an organisation's history.
#[derive(Debug, Deserialize)]
pub struct Step {
    /// Days ago.
    pub at: u32,
    /// `operator`, an account's email, or (absent) the organisation's current owner.
    #[serde(default)]
    pub by: Option<String>,
    #[serde(flatten)]
    pub action: Action,
}

/// What happens in a step; each maps onto one core command.
#[derive(Debug, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case")]
pub enum Action {
    /// Self-registration (always as someone not signed in).
    Register {
        email: String,
        first: String,
        last: String,
    },
    Add {
        email: String,
        first: String,
        last: String,
        #[serde(default)]
        verified: bool,
    },
    Verify {
        email: String,
    },
    Approve {
        email: String,
    },
    Reject {
        email: String,
        #[serde(default)]
        reason: String,
    },
    Promote {
        email: String,
    },
    Disable {
        email: String,
    },
    Delete {
        email: String,
    },
    /// A password reset sent by a manager.
    Reset {
        email: String,
    },
    Role {
        name: String,
        #[serde(default)]
        description: String,
        permissions: Vec<String>,
        /// A program role rather than an organisation role.
        #[serde(default)]
        program: bool,
        #[serde(default)]
        gate: Option<String>,
    },
    Grant {
        email: String,
        role: String,
        /// Days from when the demo is built.
        #[serde(default)]
        until: Option<u32>,
    },
    Group {
        name: String,
    },
    /// Adds accounts to a group.
    Join {
        group: String,
        emails: Vec<String>,
    },
    GroupGrant {
        group: String,
        role: String,
    },
    Program {
        name: String,
    },
    /// Gives an account a program role (the viewer role when none is named).
    Contact {
        program: String,
        email: String,
        #[serde(default)]
        role: Option<String>,
        #[serde(default)]
        until: Option<u32>,
    },
    Contract {
        product: String,
        seats: u32,
        /// Started this many days ago.
        start_days: u32,
        /// Ends this many days after the demo is built.
        #[serde(default)]
        end_days: Option<u32>,
    },
    ContractEnd {
        product: String,
    },
    Invite {
        email: String,
        first: String,
        last: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        roles: Vec<String>,
        /// `Program:Role`.
        #[serde(default)]
        programs: Vec<String>,
        /// This one is meant to expire (see `populate_with`).
        #[serde(default)]
        expire: bool,
    },
    /// The invitee accepts through the link.
    Accept {
        email: String,
    },
    RevokeInvite {
        email: String,
    },
    ExpireInvitations {},
    /// The `by` account asks for a role.
    Request {
        role: String,
        #[serde(default)]
        program: Option<String>,
        #[serde(default)]
        note: String,
    },
    /// Decides the oldest pending request of an account.
    Decide {
        email: String,
        approve: bool,
        #[serde(default)]
        reason: String,
    },
    /// Transfers the organisation's ownership.
    Transfer {
        email: String,
    },
}

impl Action {
    /// A short label for error messages.
    pub fn label(&self) -> String {
        format!("{self:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_lowercase()
    }
}
