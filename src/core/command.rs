//! Every operation the seeds describe, as data. A command names its targets by id; the
//! edges (CLI, TUI, server) resolve emails and names to ids with the queries first.

use super::ids::*;
use super::model::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    // Organisations
    CreateOrg {
        slug: String,
        name: String,
        owner_email: String,
        owner_first_name: String,
        owner_last_name: String,
        #[serde(default)]
        settings: Option<Settings>,
    },
    UpdateOrgProfile {
        org: OrgId,
        name: String,
        profile: Profile,
    },
    UpdateOrgSettings {
        org: OrgId,
        settings: Settings,
    },
    TransferOwnership {
        org: OrgId,
        to: AccountId,
    },

    // Accounts
    /// Self-registration (seeds 000, 002); pending when the organisation requires approval.
    Register {
        org: OrgId,
        email: String,
        first_name: String,
        last_name: String,
    },
    /// An administrator creates an account directly (seed 003, seed 000 "Add User").
    AddAccount {
        org: OrgId,
        email: String,
        first_name: String,
        last_name: String,
        #[serde(default)]
        verified: bool,
    },
    Invite {
        org: OrgId,
        email: String,
        first_name: String,
        last_name: String,
        #[serde(default)]
        message: String,
        #[serde(default = "member_level")]
        level: Level,
        #[serde(default)]
        roles: Vec<RoleId>,
        #[serde(default)]
        programs: Vec<ProgramOffer>,
        /// Expiry; defaults to the organisation's invitation lifetime.
        #[serde(default)]
        expires: Option<Timestamp>,
        /// Hash of the secret in the link, made by the caller (the core has no randomness).
        #[serde(default)]
        secret_hash: Option<String>,
    },
    AcceptInvitation {
        invitation: InvitationId,
        /// Must match the stored hash when the invitation has one, unless an
        /// administrator accepts on the invitee's behalf.
        #[serde(default)]
        secret_hash: Option<String>,
    },
    RevokeInvitation {
        invitation: InvitationId,
    },
    ResendInvitation {
        invitation: InvitationId,
        #[serde(default)]
        secret_hash: Option<String>,
    },
    /// Records every pending invitation past its expiry as expired.
    ExpireInvitations {
        org: OrgId,
    },
    EditAccount {
        account: AccountId,
        /// The version the editor saw: a stale edit is refused, never lost.
        expected_version: u64,
        first_name: String,
        last_name: String,
        email: String,
    },
    Verify {
        account: AccountId,
    },
    Enable {
        account: AccountId,
    },
    Disable {
        account: AccountId,
    },
    Approve {
        account: AccountId,
    },
    Reject {
        account: AccountId,
        #[serde(default)]
        reason: String,
    },
    Promote {
        account: AccountId,
    },
    Demote {
        account: AccountId,
    },
    DeleteAccount {
        account: AccountId,
    },
    RequestPasswordReset {
        account: AccountId,
        #[serde(default)]
        secret_hash: Option<String>,
    },

    // Roles
    CreateRole {
        org: OrgId,
        name: String,
        #[serde(default)]
        description: String,
        scope: Scope,
        permissions: BTreeSet<String>,
        #[serde(default)]
        gate: Option<String>,
    },
    EditRole {
        role: RoleId,
        name: String,
        description: String,
        permissions: BTreeSet<String>,
    },
    DeleteRole {
        role: RoleId,
    },
    GrantRole {
        account: AccountId,
        role: RoleId,
        #[serde(default)]
        until: Option<Timestamp>,
    },
    RevokeRole {
        account: AccountId,
        role: RoleId,
    },
    /// An account asks for a role; it waits in the approval queue.
    RequestRole {
        role: RoleId,
        #[serde(default)]
        program: Option<ProgramId>,
        #[serde(default)]
        note: String,
    },

    // Groups
    CreateGroup {
        org: OrgId,
        name: String,
    },
    RenameGroup {
        group: GroupId,
        name: String,
    },
    DeleteGroup {
        group: GroupId,
    },
    AddToGroup {
        group: GroupId,
        account: AccountId,
    },
    RemoveFromGroup {
        group: GroupId,
        account: AccountId,
    },
    GrantGroupRole {
        group: GroupId,
        role: RoleId,
        #[serde(default)]
        until: Option<Timestamp>,
    },
    RevokeGroupRole {
        group: GroupId,
        role: RoleId,
    },

    // Programs
    CreateProgram {
        org: OrgId,
        name: String,
        /// Defaults to the acting account.
        #[serde(default)]
        owner: Option<AccountId>,
    },
    RenameProgram {
        program: ProgramId,
        name: String,
    },
    DeleteProgram {
        program: ProgramId,
    },
    GrantProgramRole {
        program: ProgramId,
        account: AccountId,
        role: RoleId,
        #[serde(default)]
        until: Option<Timestamp>,
    },
    /// Replaces one program role with another in one step ("assign a different
    /// permission level", seed 004).
    ChangeProgramRole {
        program: ProgramId,
        account: AccountId,
        from: RoleId,
        to: RoleId,
    },
    RevokeProgramRole {
        program: ProgramId,
        account: AccountId,
        role: RoleId,
    },
    /// Removes every program role of the account ("Remove From Service", seed 002).
    RemoveFromProgram {
        program: ProgramId,
        account: AccountId,
    },
    TransferProgram {
        program: ProgramId,
        to: AccountId,
    },

    // Contracts (platform operators)
    CreateContract {
        org: OrgId,
        product: String,
        start: Timestamp,
        #[serde(default)]
        end: Option<Timestamp>,
        seats: u32,
    },
    SuspendContract {
        contract: ContractId,
    },
    ResumeContract {
        contract: ContractId,
    },
    EndContract {
        contract: ContractId,
    },
    ChangeSeats {
        contract: ContractId,
        seats: u32,
    },

    // Approvals
    Decide {
        request: RequestId,
        approve: bool,
        #[serde(default)]
        reason: String,
    },

    // API tokens (`roster serve`)
    /// Issues a bearer token acting as `principal`. The caller makes the secret and
    /// passes only its SHA-256 (the core has no randomness, and the secret is never kept).
    IssueToken {
        principal: Principal,
        #[serde(default)]
        label: String,
        token_hash: String,
        #[serde(default)]
        expires: Option<Timestamp>,
    },
    RevokeToken {
        token: TokenId,
    },

    // Outbox
    /// The mail sender reports how delivering a message went (`error`: it gave up).
    RecordMailDelivery {
        mail: MailId,
        attempts: u32,
        #[serde(default)]
        error: Option<String>,
    },
    /// Queue a failed message again.
    RetryMail {
        mail: MailId,
    },
    // Credentials and sessions (passwords are hashed with argon2id outside the core)
    /// Sets a new password with a reset link's secret: whoever holds the secret may, once,
    /// before it expires, while the account is enabled.
    CompletePasswordReset {
        secret_hash: String,
        /// The new password's argon2id PHC string, made by the caller.
        password_hash: String,
    },
    /// Accepts an invitation by its link's secret alone (the secret is the credential),
    /// creating the account with the invited roles and its password.
    AcceptInvitationLink {
        secret_hash: String,
        password_hash: String,
        #[serde(default)]
        first_name: Option<String>,
        #[serde(default)]
        last_name: Option<String>,
    },
    /// Opens a sign-in session for the acting account itself, after the caller verified
    /// its password. Lasts the organisation's session lifetime.
    StartSession {
        account: AccountId,
        token_hash: String,
    },
    /// Ends every live session of an account at once (`sessions.revoke`, or the account
    /// itself).
    RevokeSessions {
        account: AccountId,
    },
    /// The mail sender reports a failed attempt it will repeat (the message stays queued).
    RecordMailAttempt {
        mail: MailId,
        attempts: u32,
        error: String,
    },
}

fn member_level() -> Level {
    Level::Member
}

impl Command {
    /// A short verb for messages and audit filters, e.g. `disable`.
    pub fn verb(&self) -> &'static str {
        use Command::*;
        match self {
            CreateOrg { .. } => "create organisation",
            UpdateOrgProfile { .. } => "update profile",
            UpdateOrgSettings { .. } => "update settings",
            TransferOwnership { .. } => "transfer ownership",
            Register { .. } => "register",
            AddAccount { .. } => "add account",
            Invite { .. } => "invite",
            AcceptInvitation { .. } => "accept invitation",
            RevokeInvitation { .. } => "revoke invitation",
            ResendInvitation { .. } => "resend invitation",
            ExpireInvitations { .. } => "expire invitations",
            EditAccount { .. } => "edit",
            Verify { .. } => "verify",
            Enable { .. } => "enable",
            Disable { .. } => "disable",
            Approve { .. } => "approve",
            Reject { .. } => "reject",
            Promote { .. } => "promote",
            Demote { .. } => "demote",
            DeleteAccount { .. } => "delete",
            RequestPasswordReset { .. } => "password reset",
            CreateRole { .. } => "create role",
            EditRole { .. } => "edit role",
            DeleteRole { .. } => "delete role",
            GrantRole { .. } => "grant role",
            RevokeRole { .. } => "revoke role",
            RequestRole { .. } => "request role",
            CreateGroup { .. } => "create group",
            RenameGroup { .. } => "rename group",
            DeleteGroup { .. } => "delete group",
            AddToGroup { .. } => "add to group",
            RemoveFromGroup { .. } => "remove from group",
            GrantGroupRole { .. } => "grant group role",
            RevokeGroupRole { .. } => "revoke group role",
            CreateProgram { .. } => "create program",
            RenameProgram { .. } => "rename program",
            DeleteProgram { .. } => "delete program",
            GrantProgramRole { .. } => "grant program role",
            ChangeProgramRole { .. } => "change program role",
            RevokeProgramRole { .. } => "revoke program role",
            RemoveFromProgram { .. } => "remove from program",
            TransferProgram { .. } => "transfer program",
            CreateContract { .. } => "create contract",
            SuspendContract { .. } => "suspend contract",
            ResumeContract { .. } => "resume contract",
            EndContract { .. } => "end contract",
            ChangeSeats { .. } => "change seats",
            Decide { .. } => "decide",
            IssueToken { .. } => "issue token",
            RevokeToken { .. } => "revoke token",
            RecordMailDelivery { .. } => "record mail delivery",
            RetryMail { .. } => "retry mail",
            CompletePasswordReset { .. } => "reset password",
            AcceptInvitationLink { .. } => "accept invitation",
            StartSession { .. } => "sign in",
            RevokeSessions { .. } => "revoke sessions",
            RecordMailAttempt { .. } => "record mail attempt",
        }
    }
}
