//! The entities of the domain (DESIGN.md §2). Plain data: the rules that keep them
//! consistent live in `rules`, the state transitions in `directory`.

use super::ids::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An organisation's place in the platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: OrgId,
    /// Short unique name used on the command line (`--org acme`).
    pub slug: String,
    pub name: String,
    pub profile: Profile,
    pub settings: Settings,
    pub created: Timestamp,
    pub version: u64,
}

/// Organisation information only the owner (Main Corporate Contact) changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub address: String,
    pub website: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Seed 002 "User Approval Required": new accounts wait for a manager.
    pub approval_required: bool,
    /// Whether people may register themselves (seeds 000, 002); when off only
    /// administrators create accounts (seed 003).
    pub open_registration: bool,
    /// How long an invitation link stays valid.
    pub invitation_ttl_hours: u32,
    /// How long a password-reset link stays valid.
    pub reset_ttl_hours: u32,
    pub terminology: Terminology,
    /// How long a sign-in session lasts (seed 002: live sessions of a disabled account
    /// run until they expire).
    pub session_ttl_hours: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            approval_required: false,
            open_registration: false,
            invitation_ttl_hours: 7 * 24,
            reset_ttl_hours: 24,
            terminology: Terminology::default(),
            session_ttl_hours: 12,
        }
    }
}

/// The words an organisation uses for roster's built-in levels and roles, so each
/// seed system can be shown in its own language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Terminology {
    pub owner: String,
    pub admin: String,
    pub member: String,
    pub program: String,
    pub program_owner: String,
    pub program_contributor: String,
    pub program_viewer: String,
}

impl Default for Terminology {
    fn default() -> Self {
        Terminology {
            owner: "Owner".into(),
            admin: "Admin".into(),
            member: "Member".into(),
            program: "Program".into(),
            program_owner: "Program owner".into(),
            program_contributor: "Contributor".into(),
            program_viewer: "Viewer".into(),
        }
    }
}

impl Terminology {
    pub fn level(&self, level: Level) -> &str {
        match level {
            Level::Owner => &self.owner,
            Level::Admin => &self.admin,
            Level::Member => &self.member,
        }
    }
}

/// An account's place in its organisation's hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Member,
    Admin,
    Owner,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Member => "member",
            Level::Admin => "admin",
            Level::Owner => "owner",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Approved,
    Pending,
    Rejected,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Approved => "approved",
            Approval::Pending => "pending",
            Approval::Rejected => "rejected",
        }
    }
}

/// A role held by an account or a group, optionally only until a moment: an expired
/// grant stays on record but confers nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: RoleId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl Grant {
    pub fn live(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|u| now < u)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub org: OrgId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub verified: bool,
    pub enabled: bool,
    pub approval: Approval,
    pub level: Level,
    /// Extra organisation roles; kept but ignored while the account is admin or owner.
    #[serde(default)]
    pub roles: Vec<Grant>,
    pub created: Timestamp,
    pub version: u64,
}

impl Account {
    pub fn full_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (false, false) => format!("{} {}", self.first_name, self.last_name),
            (false, true) => self.first_name.clone(),
            (true, false) => self.last_name.clone(),
            (true, true) => String::new(),
        }
    }

    /// Enabled and approved: the only accounts that may act or hold permissions.
    pub fn active(&self) -> bool {
        self.enabled && self.approval == Approval::Approved
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Org,
    Program,
}

/// Which built-in program role a role is, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Builtin {
    Viewer,
    Contributor,
    ProgramOwner,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: RoleId,
    pub org: OrgId,
    pub name: String,
    pub description: String,
    pub scope: Scope,
    pub permissions: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// The contract product that must be active for this role to confer anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub org: OrgId,
    pub name: String,
    pub members: BTreeSet<AccountId>,
    pub roles: Vec<Grant>,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub id: ProgramId,
    pub org: OrgId,
    pub name: String,
    /// Exactly one owner (Main Site Contact), an active account of the organisation.
    pub owner: AccountId,
    /// Program roles of each contact other than the owner's ownership itself.
    pub grants: BTreeMap<AccountId, Vec<Grant>>,
    pub created: Timestamp,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    Active,
    Suspended,
    Ended,
}

impl ContractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Suspended => "suspended",
            ContractStatus::Ended => "ended",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: ContractId,
    pub org: OrgId,
    /// Product code, e.g. `IDaaS`; roles gated on it are unlocked while this is in force.
    pub product: String,
    pub status: ContractStatus,
    pub start: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    pub seats: u32,
    pub version: u64,
}

impl Contract {
    /// Active, started and not past its end date.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.status == ContractStatus::Active
            && self.start <= now
            && self.end.is_none_or(|e| now < e)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Revoked => "revoked",
            InvitationStatus::Expired => "expired",
        }
    }
}

/// A program role an invitation grants on acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramOffer {
    pub program: ProgramId,
    pub role: RoleId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub org: OrgId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub message: String,
    pub level: Level,
    pub roles: Vec<RoleId>,
    pub programs: Vec<ProgramOffer>,
    /// `None` when the platform operator sent it.
    pub sent_by: Option<AccountId>,
    pub sent_at: Timestamp,
    pub expires: Timestamp,
    pub status: InvitationStatus,
    /// SHA-256 of the single-use secret in the link; the secret itself is never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
}

impl Invitation {
    /// Status as of `now`: a pending invitation past its expiry is expired even before
    /// the sweep records it.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        if self.status == InvitationStatus::Pending && now >= self.expires {
            InvitationStatus::Expired
        } else {
            self.status
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestKind {
    /// A new account waits to be approved (seed 002).
    Join,
    /// An account asks for an organisation role, or a program role when `program` is set.
    Role {
        role: RoleId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<ProgramId>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    pub id: RequestId,
    pub org: OrgId,
    /// Whom the request is about.
    pub account: AccountId,
    pub kind: RequestKind,
    pub note: String,
    pub requested_at: Timestamp,
    pub status: RequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRequest {
    pub id: ResetId,
    pub org: OrgId,
    pub account: AccountId,
    pub requested_by: Option<AccountId>,
    pub requested_at: Timestamp,
    pub expires: Timestamp,
    pub used: bool,
    /// SHA-256 of the single-use secret mailed to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<String>,
}

/// Who acts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// The platform operator: reaches every organisation, manages contracts.
    Operator,
    /// An account acting in its own organisation.
    Account { id: AccountId },
    /// Someone not signed in: may register or accept an invitation, nothing else.
    Anonymous,
}

/// An API token or a sign-in session (`core::token` says whether one lets its holder in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub id: TokenId,
    /// Whom the token acts as: an account, or the platform operator.
    pub principal: Principal,
    /// The account's organisation; `None` for an operator token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
    /// What the token is for, in the holder's words ("laptop console", "nightly sync").
    #[serde(default)]
    pub label: String,
    /// SHA-256 of the secret, lowercase hex. Never shown, never sent to a client.
    pub hash: String,
    pub created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    #[serde(default)]
    pub revoked: bool,
    /// A sign-in session (`POST /v1/sessions`) rather than an API token: it always
    /// expires, and keeps working for a disabled account until then (seed 002).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub session: bool,
}
