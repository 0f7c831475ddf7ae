//! Events: every change, as a fact. They are the storage log and the audit trail.

use super::ids::*;
use super::model::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    OrgCreated {
        org: Org,
        builtin_roles: Vec<Role>,
    },
    OrgProfileUpdated {
        org: OrgId,
        name: String,
        profile: Profile,
    },
    OrgSettingsUpdated {
        org: OrgId,
        settings: Settings,
    },
    OwnershipTransferred {
        org: OrgId,
        from: AccountId,
        to: AccountId,
    },
    AccountCreated {
        account: Account,
        origin: Origin,
    },
    AccountEdited {
        account: AccountId,
        first_name: String,
        last_name: String,
        email: String,
    },
    AccountVerified {
        account: AccountId,
    },
    AccountEnabled {
        account: AccountId,
    },
    AccountDisabled {
        account: AccountId,
    },
    ApprovalChanged {
        account: AccountId,
        approval: Approval,
        #[serde(default)]
        reason: String,
    },
    LevelChanged {
        account: AccountId,
        level: Level,
    },
    AccountDeleted {
        account: AccountId,
        /// Kept so the audit trail can still say who it was.
        email: String,
    },
    PasswordResetRequested {
        reset: ResetRequest,
    },
    RoleCreated {
        role: Role,
    },
    RoleEdited {
        role: RoleId,
        name: String,
        description: String,
        permissions: BTreeSet<String>,
    },
    RoleDeleted {
        role: RoleId,
    },
    RoleGranted {
        account: AccountId,
        role: RoleId,
        until: Option<Timestamp>,
    },
    RoleRevoked {
        account: AccountId,
        role: RoleId,
    },
    GroupCreated {
        group: Group,
    },
    GroupRenamed {
        group: GroupId,
        name: String,
    },
    GroupDeleted {
        group: GroupId,
    },
    GroupMemberAdded {
        group: GroupId,
        account: AccountId,
    },
    GroupMemberRemoved {
        group: GroupId,
        account: AccountId,
    },
    GroupRoleGranted {
        group: GroupId,
        role: RoleId,
        until: Option<Timestamp>,
    },
    GroupRoleRevoked {
        group: GroupId,
        role: RoleId,
    },
    ProgramCreated {
        program: Program,
    },
    ProgramRenamed {
        program: ProgramId,
        name: String,
    },
    ProgramDeleted {
        program: ProgramId,
    },
    ProgramRoleGranted {
        program: ProgramId,
        account: AccountId,
        role: RoleId,
        until: Option<Timestamp>,
    },
    ProgramRoleRevoked {
        program: ProgramId,
        account: AccountId,
        role: RoleId,
    },
    ProgramOwnerChanged {
        program: ProgramId,
        from: AccountId,
        to: AccountId,
    },
    ContractCreated {
        contract: Contract,
    },
    ContractStatusChanged {
        contract: ContractId,
        status: ContractStatus,
    },
    ContractSeatsChanged {
        contract: ContractId,
        seats: u32,
    },
    InvitationSent {
        invitation: Invitation,
    },
    InvitationAccepted {
        invitation: InvitationId,
        account: AccountId,
    },
    InvitationRevoked {
        invitation: InvitationId,
    },
    InvitationResent {
        invitation: InvitationId,
        expires: Timestamp,
        secret_hash: Option<String>,
    },
    InvitationExpired {
        invitation: InvitationId,
    },
    ApprovalRequested {
        request: ApprovalRequest,
    },
    RequestDecided {
        request: RequestId,
        approved: bool,
        by: String,
        #[serde(default)]
        reason: String,
    },
    TokenIssued {
        token: Token,
    },
    TokenRevoked {
        token: TokenId,
    },
    /// A message joined the outbox (with the invitation or reset it carries the link of).
    MailQueued {
        mail: super::mail_record::Mail,
    },
    MailSent {
        mail: MailId,
        attempts: u32,
    },
    MailFailed {
        mail: MailId,
        attempts: u32,
        reason: String,
    },
    /// A failed message was queued again (`mail retry`).
    MailRequeued {
        mail: MailId,
    },
    /// An account's password was set (by invitation acceptance or a reset link). The
    /// argon2id PHC string is kept in the store and blanked in everything that leaves it.
    PasswordSet {
        account: AccountId,
        password_hash: String,
        /// The reset link used, now spent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reset: Option<ResetId>,
    },
    /// One delivery attempt failed for a reason that may pass (no connection, a 4xx):
    /// the message stays queued; the sender tries again after a backoff counted from
    /// this event's time, so the wait survives restarts.
    MailAttemptFailed {
        mail: MailId,
        attempts: u32,
        reason: String,
    },
}

/// How an account came to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Founder,
    Registered,
    Added,
    Invited { invitation: InvitationId },
}

/// An event as stored: numbered, timed, attributed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// Position in the whole store's log, strictly increasing from 1.
    pub seq: u64,
    pub at: Timestamp,
    pub actor: Principal,
    /// The acting account's email at the time, so the trail reads well after deletion.
    #[serde(default)]
    pub actor_label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
    pub event: Event,
}
