//! What a principal may see. The server hands a remote console the part of the directory
//! its caller may look at (so every query can run on the client), and the part of the
//! event log; both are cut here, once, by the same permissions the console's tabs use.
//!
//! Secret hashes never leave: the core accepts an invitation or a token by comparing
//! hashes, so a hash is as good as the secret to anyone who can send commands.

use super::directory::Directory;
use super::event::{Event, Recorded};
use super::ids::*;
use super::model::*;
use super::perms;
use super::policy;
use super::query;
use jiff::Timestamp;
use std::collections::{BTreeSet, HashSet};

/// The permissions a principal holds in one organisation, and which account it is.
struct Viewer {
    perms: BTreeSet<String>,
    me: Option<AccountId>,
}

impl Viewer {
    fn new(dir: &Directory, who: &Principal, org: OrgId, now: Timestamp) -> Viewer {
        Viewer {
            perms: policy::org_permissions(dir, who, org, now),
            me: match who {
                Principal::Account { id } => Some(*id),
                _ => None,
            },
        }
    }
    fn has(&self, perm: &str) -> bool {
        self.perms.contains(perm)
    }
    fn is(&self, account: AccountId) -> bool {
        self.me == Some(account)
    }
}

/// The part of `dir` that `who` may see of organisation `org`, with every secret hash
/// removed. Keeps `seq` and `next_id`, so a client can tell how current it is.
///
/// - only `org` and its entities; password resets and API tokens not at all;
/// - accounts with `members.read`, else only the caller; other accounts' organisation
///   roles only with `roles.read`;
/// - groups with `groups.read`, else those the caller is in;
/// - programs as `query::programs` shows them (all with `programs.read`, else the
///   caller's own);
/// - contracts only with `contracts.read`;
/// - invitations as `policy::sees_invitation` says (with `invitations.read`, those the
///   caller sent, and those offering a program whose contacts the caller manages);
/// - approval requests with `members.approve`, else the caller's own;
/// - the outbox with `members.invite` or `members.manage`;
/// - roles: all with `roles.read`, else the program roles and the organisation roles
///   that something the caller can see refers to (so its own permissions still add up).
pub fn redact(dir: &Directory, who: &Principal, org: OrgId, now: Timestamp) -> Directory {
    let mut out = Directory::new();
    out.seq = dir.seq;
    out.next_id = dir.next_id;
    let Some(o) = dir.orgs.get(&org) else {
        out.reindex();
        return out;
    };
    if !reaches(dir, who, org) {
        out.reindex();
        return out;
    }
    out.orgs.insert(org, o.clone());
    let v = Viewer::new(dir, who, org, now);

    let sight = AccountSight::of(&v);
    for a in dir.accounts.values().filter(|a| a.org == org) {
        if let Some(a) = sight.account(a) {
            out.accounts.insert(a.id, a);
        }
    }
    for g in dir.groups.values().filter(|g| g.org == org) {
        if v.has(perms::GROUPS_READ) || v.me.is_some_and(|m| g.members.contains(&m)) {
            out.groups.insert(g.id, g.clone());
        }
    }
    for p in query::programs(dir, who, org, now) {
        out.programs.insert(p.id, p.clone());
    }
    if v.has(perms::CONTRACTS_READ) {
        for c in dir.contracts.values().filter(|c| c.org == org) {
            out.contracts.insert(c.id, c.clone());
        }
    }
    for i in dir.invitations.values().filter(|i| i.org == org) {
        // `policy::sees_invitation`, its cheap parts first (one organisation may hold
        // many invitations).
        if v.has(perms::INVITATIONS_READ)
            || i.sent_by.is_some_and(|s| v.is(s))
            || policy::manages_an_offered_program(dir, who, i, now)
        {
            let mut i = i.clone();
            i.secret_hash = None;
            out.invitations.insert(i.id, i);
        }
    }
    for r in dir.requests.values().filter(|r| r.org == org) {
        if v.has(perms::MEMBERS_APPROVE) || v.is(r.account) {
            out.requests.insert(r.id, r.clone());
        }
    }
    // The outbox: for those who send mail (recipients and subjects, never a body).
    if sees_outbox(&v) {
        for m in dir.mails.values().filter(|m| m.org == org) {
            out.mails.insert(m.id, m.clone());
        }
    }
    let referenced = referenced_roles(&out);
    for r in dir.roles_of(org) {
        if v.has(perms::ROLES_READ) || r.scope == Scope::Program || referenced.contains(&r.id) {
            out.roles.insert(r.id, r.clone());
        }
    }
    out.reindex();
    out
}

/// What one caller may see of the accounts of one organisation: the rule `redact`
/// applies to each account, for readers of a few accounts (the server's one-account
/// read, a page of a filtered list) that need not copy the whole view first.
pub struct AccountSight {
    members_read: bool,
    roles_read: bool,
    me: Option<AccountId>,
}

impl AccountSight {
    /// `None` when `who` does not reach `org`: then it sees none of its accounts.
    pub fn new(dir: &Directory, who: &Principal, org: OrgId, now: Timestamp) -> Option<Self> {
        (dir.orgs.contains_key(&org) && reaches(dir, who, org))
            .then(|| AccountSight::of(&Viewer::new(dir, who, org, now)))
    }

    fn of(v: &Viewer) -> Self {
        AccountSight {
            members_read: v.has(perms::MEMBERS_READ),
            roles_read: v.has(perms::ROLES_READ),
            me: v.me,
        }
    }

    /// Whether the caller sees account `a` (one of the organisation's) at all.
    pub fn sees(&self, a: &Account) -> bool {
        self.members_read || self.me == Some(a.id)
    }

    /// Account `a` (one of the organisation's) as the caller sees it: `None` when
    /// hidden; shared with the directory unless something must be hidden from it
    /// (another account's organisation roles, without `roles.read`).
    pub fn account(&self, a: &std::sync::Arc<Account>) -> Option<std::sync::Arc<Account>> {
        if !self.sees(a) {
            return None;
        }
        let mut a = a.clone();
        if self.me != Some(a.id) && !self.roles_read && !a.roles.is_empty() {
            std::sync::Arc::make_mut(&mut a).roles.clear();
        }
        Some(a)
    }
}

/// Who may see the outbox: those who send its mail (invitations, password resets).
fn sees_outbox(v: &Viewer) -> bool {
    v.has(perms::MEMBERS_INVITE) || v.has(perms::MEMBERS_MANAGE)
}

fn reaches(dir: &Directory, who: &Principal, org: OrgId) -> bool {
    match who {
        Principal::Operator => true,
        Principal::Account { id } => dir.accounts.get(id).is_some_and(|a| a.org == org),
        Principal::Anonymous => false,
    }
}

/// Organisation roles something in `visible` refers to.
fn referenced_roles(visible: &Directory) -> HashSet<RoleId> {
    let mut out = HashSet::new();
    for a in visible.accounts.values() {
        out.extend(a.roles.iter().map(|g| g.role));
    }
    for g in visible.groups.values() {
        out.extend(g.roles.iter().map(|g| g.role));
    }
    for i in visible.invitations.values() {
        out.extend(i.roles.iter().copied());
    }
    for r in visible.requests.values() {
        if let RequestKind::Role { role, .. } = &r.kind {
            out.insert(*role);
        }
    }
    out
}

/// Whether `who` may see the recorded event `rec`, judged against the current `dir`.
///
/// The operator sees everything; an account only events of its own organisation, and
/// of those all with `audit.read`, else the ones about what `redact` would show it.
pub fn event_visible(dir: &Directory, who: &Principal, rec: &Recorded, now: Timestamp) -> bool {
    let me = match who {
        Principal::Operator => return true,
        Principal::Anonymous => return false,
        Principal::Account { id } => match dir.accounts.get(id) {
            Some(a) => a,
            None => return false,
        },
    };
    if rec.org != Some(me.org) {
        return false;
    }
    let v = Viewer::new(dir, who, me.org, now);
    if v.has(perms::AUDIT_READ) {
        return true;
    }
    concerns(dir, who, &v, &rec.event, now)
}

/// Whether an event is about something the viewer sees in `redact`.
fn concerns(dir: &Directory, who: &Principal, v: &Viewer, event: &Event, now: Timestamp) -> bool {
    use Event::*;
    let account = |id: &AccountId| v.has(perms::MEMBERS_READ) || v.is(*id);
    let group = |id: &GroupId| {
        v.has(perms::GROUPS_READ)
            || dir
                .groups
                .get(id)
                .is_some_and(|g| v.me.is_some_and(|m| g.members.contains(&m)))
    };
    let program = |id: &ProgramId| {
        dir.programs
            .get(id)
            .is_some_and(|p| query::programs(dir, who, p.org, now).contains(&p))
    };
    let role = |id: &RoleId| {
        v.has(perms::ROLES_READ)
            || dir.roles.get(id).is_some_and(|r| r.scope == Scope::Program)
            || v.me
                .and_then(|m| dir.accounts.get(&m))
                .is_some_and(|a| a.roles.iter().any(|g| g.role == *id))
    };
    let invitation = |id: &InvitationId| {
        dir.invitations
            .get(id)
            .is_some_and(|i| policy::sees_invitation(dir, who, i, now))
    };
    let request = |id: &RequestId| {
        v.has(perms::MEMBERS_APPROVE) || dir.requests.get(id).is_some_and(|r| v.is(r.account))
    };
    let own_token = |p: &Principal| matches!(p, Principal::Account { id } if v.is(*id));
    match event {
        OrgCreated { .. }
        | OrgProfileUpdated { .. }
        | OrgSettingsUpdated { .. }
        | OwnershipTransferred { .. } => true,
        AccountCreated { account: a, .. } => account(&a.id),
        AccountEdited { account: a, .. }
        | AccountVerified { account: a }
        | AccountEnabled { account: a }
        | AccountDisabled { account: a }
        | ApprovalChanged { account: a, .. }
        | LevelChanged { account: a, .. }
        | AccountDeleted { account: a, .. } => account(a),
        PasswordResetRequested { reset } => account(&reset.account),
        RoleCreated { role: r } => role(&r.id),
        RoleEdited { role: r, .. } | RoleDeleted { role: r } => role(r),
        RoleGranted { account: a, .. } | RoleRevoked { account: a, .. } => {
            v.is(*a) || (v.has(perms::ROLES_READ) && v.has(perms::MEMBERS_READ))
        }
        GroupCreated { .. } | GroupDeleted { .. } => v.has(perms::GROUPS_READ),
        GroupMemberAdded {
            group: g,
            account: a,
        }
        | GroupMemberRemoved {
            group: g,
            account: a,
        } => v.is(*a) || group(g),
        GroupRenamed { group: g, .. }
        | GroupRoleGranted { group: g, .. }
        | GroupRoleRevoked { group: g, .. } => group(g),
        ProgramCreated { program: p } => v.has(perms::PROGRAMS_READ) || v.is(p.owner),
        ProgramDeleted { .. } => v.has(perms::PROGRAMS_READ),
        ProgramRenamed { program: p, .. } => program(p),
        ProgramRoleGranted {
            program: p,
            account: a,
            ..
        }
        | ProgramRoleRevoked {
            program: p,
            account: a,
            ..
        } => v.is(*a) || program(p),
        ProgramOwnerChanged {
            program: p,
            from,
            to,
        } => v.is(*from) || v.is(*to) || program(p),
        ContractCreated { .. } | ContractStatusChanged { .. } | ContractSeatsChanged { .. } => {
            v.has(perms::CONTRACTS_READ)
        }
        InvitationSent { invitation: i } => policy::sees_invitation(dir, who, i, now),
        InvitationAccepted {
            invitation: i,
            account: a,
        } => v.is(*a) || invitation(i),
        InvitationRevoked { invitation: i }
        | InvitationResent { invitation: i, .. }
        | InvitationExpired { invitation: i } => invitation(i),
        ApprovalRequested { request: r } => v.has(perms::MEMBERS_APPROVE) || v.is(r.account),
        RequestDecided { request: r, .. } => request(r),
        TokenIssued { token } => own_token(&token.principal),
        TokenRevoked { token } => dir
            .tokens
            .get(token)
            .is_some_and(|t| own_token(&t.principal)),
        MailQueued { .. }
        | MailSent { .. }
        | MailFailed { .. }
        | MailRequeued { .. }
        | MailAttemptFailed { .. } => sees_outbox(v),
        PasswordSet { account: a, .. } => account(a),
    }
}

/// A copy of `rec` with every secret hash blanked: what may leave the server.
pub fn redact_event(rec: &Recorded) -> Recorded {
    use Event::*;
    let mut rec = rec.clone();
    match &mut rec.event {
        InvitationSent { invitation } => invitation.secret_hash = None,
        InvitationResent { secret_hash, .. } => *secret_hash = None,
        PasswordResetRequested { reset } => reset.secret_hash = None,
        TokenIssued { token } => token.hash = String::new(),
        PasswordSet { password_hash, .. } => password_hash.clear(),
        _ => {}
    }
    rec
}
