//! The whole state, rebuilt by applying events in order. `apply` trusts its input: only
//! events produced by `decide` (or read back from a checksummed log) reach it.

use super::event::{Event, Recorded};
use super::ids::*;
use super::mail_record::{Mail, MailStatus};
use super::model::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Directory {
    pub orgs: BTreeMap<OrgId, Org>,
    /// Shared (`Arc`) so the console's rows and a server's views hold the same
    /// accounts as the directory instead of copies (memory at a million accounts);
    /// an event changing an account copies that one account (`Arc::make_mut`).
    pub accounts: BTreeMap<AccountId, std::sync::Arc<Account>>,
    pub roles: BTreeMap<RoleId, Role>,
    pub groups: BTreeMap<GroupId, Group>,
    pub programs: BTreeMap<ProgramId, Program>,
    pub contracts: BTreeMap<ContractId, Contract>,
    pub invitations: BTreeMap<InvitationId, Invitation>,
    pub requests: BTreeMap<RequestId, ApprovalRequest>,
    pub resets: BTreeMap<ResetId, ResetRequest>,
    /// API tokens for `roster serve` (absent from stores made before tokens existed).
    #[serde(default)]
    pub tokens: BTreeMap<TokenId, Token>,
    /// The outbox (absent from stores made before mail existed).
    #[serde(default)]
    pub mails: BTreeMap<MailId, Mail>,
    /// Each account's password as an argon2id PHC string. Never leaves the store:
    /// `visibility::redact` starts from an empty directory and does not copy it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub passwords: BTreeMap<AccountId, String>,
    /// The next id to hand out (shared by every kind of entity).
    pub next_id: u64,
    /// The sequence number of the last applied event.
    pub seq: u64,
    /// (org, lowercased email) → account; rebuilt on load, never stored.
    #[serde(skip)]
    by_email: super::email_index::EmailIndex,
    /// slug → org; rebuilt on load.
    #[serde(skip)]
    by_slug: HashMap<String, OrgId>,
    /// account → its approval requests, oldest first; rebuilt on load. Approving or
    /// rejecting an account closes its join requests, and scanning every request of a
    /// large tenant for that made each decision cost O(requests).
    #[serde(skip)]
    requests_by_account: HashMap<AccountId, Vec<RequestId>>,
    /// account → its newest password-reset link; rebuilt on load. Every older link of
    /// the account was marked used when the next one came, so a new link only has to
    /// retire this one instead of scanning every link of the store.
    #[serde(skip)]
    latest_reset: HashMap<AccountId, ResetId>,
    /// organisation role → accounts with a grant of it on record (live or not);
    /// rebuilt on load. Seat checks and holder counts asked "who holds this role?"
    /// by scanning every account of the organisation.
    #[serde(skip)]
    role_grantees: HashMap<RoleId, BTreeSet<AccountId>>,
}

impl Directory {
    pub fn new() -> Self {
        Directory {
            next_id: 1,
            ..Default::default()
        }
    }

    /// Rebuilds the indexes after deserialising a snapshot.
    pub fn reindex(&mut self) {
        self.reindex_with(|a, b| {
            a();
            b();
        });
    }

    /// `reindex` in two independent halves, which `join` runs (both, once each, in
    /// any order or at once: a loader runs them on two threads, since at a million
    /// accounts building the indexes is a walk through hundreds of MiB each side).
    /// The core spawns nothing itself.
    pub fn reindex_with(
        &mut self,
        join: impl FnOnce(&mut (dyn FnMut() + Send), &mut (dyn FnMut() + Send)),
    ) {
        let Directory {
            accounts,
            by_email,
            role_grantees,
            orgs,
            by_slug,
            requests,
            requests_by_account,
            resets,
            latest_reset,
            ..
        } = self;
        let accounts = &*accounts;
        // The email index alone: hashing every email into a table larger than the
        // cache is the larger half.
        let mut emails = || {
            by_email.clear();
            by_email.reserve(accounts.len());
            for a in accounts.values() {
                by_email.insert(accounts, a.org, &a.email, a.id);
            }
        };
        // Every other index, each one pass over what it indexes.
        let mut rest = || {
            role_grantees.clear();
            for a in accounts.values() {
                for g in &a.roles {
                    role_grantees.entry(g.role).or_default().insert(a.id);
                }
            }
            *by_slug = orgs.values().map(|o| (o.slug.clone(), o.id)).collect();
            requests_by_account.clear();
            for r in requests.values() {
                requests_by_account.entry(r.account).or_default().push(r.id);
            }
            *latest_reset = resets.values().map(|r| (r.account, r.id)).collect();
        };
        join(&mut emails, &mut rest);
        if self.next_id == 0 {
            self.next_id = 1;
        }
    }

    pub fn org_by_slug(&self, slug: &str) -> Option<&Org> {
        self.by_slug
            .get(&slug.to_lowercase())
            .and_then(|id| self.orgs.get(id))
    }

    pub fn account_by_email(&self, org: OrgId, email: &str) -> Option<&Account> {
        self.by_email
            .get(&self.accounts, org, email)
            .and_then(|id| self.accounts.get(&id))
            .map(|a| &**a)
    }

    /// Whether the email index is right about account `a` (see `EmailIndex::check`),
    /// and how many entries it holds: for the invariant check.
    pub fn email_index_check(&self, a: &Account) -> Result<(), Option<AccountId>> {
        self.by_email.check(&self.accounts, a)
    }

    pub fn email_index_len(&self) -> usize {
        self.by_email.len()
    }

    pub fn accounts_of(&self, org: OrgId) -> impl Iterator<Item = &Account> {
        self.accounts
            .values()
            .map(|a| &**a)
            .filter(move |a| a.org == org)
    }

    /// The approval requests about `account`, oldest first (through an index).
    pub fn requests_of(&self, account: AccountId) -> impl Iterator<Item = &ApprovalRequest> {
        self.requests_by_account
            .get(&account)
            .into_iter()
            .flatten()
            .filter_map(|id| self.requests.get(id))
    }

    /// Accounts with a grant of organisation role `role` on record, live or not
    /// (through an index; callers check the grant itself).
    pub fn grantees_of(&self, role: RoleId) -> impl Iterator<Item = &Account> {
        self.role_grantees
            .get(&role)
            .into_iter()
            .flatten()
            .filter_map(|id| self.accounts.get(id))
            .map(|a| &**a)
    }

    pub fn roles_of(&self, org: OrgId) -> impl Iterator<Item = &Role> {
        self.roles.values().filter(move |r| r.org == org)
    }

    pub fn owner_of(&self, org: OrgId) -> Option<&Account> {
        self.accounts_of(org).find(|a| a.level == Level::Owner)
    }

    pub fn builtin_role(&self, org: OrgId, which: Builtin) -> Option<&Role> {
        self.roles_of(org).find(|r| r.builtin == Some(which))
    }

    /// Applies one recorded event.
    pub fn apply(&mut self, rec: &Recorded) {
        self.apply_event(&rec.event, rec.at);
        self.seq = self.seq.max(rec.seq);
    }

    fn bump(&mut self, id: u64) {
        self.next_id = self.next_id.max(id + 1);
    }

    fn account_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        let a = std::sync::Arc::make_mut(self.accounts.get_mut(&id)?);
        a.version += 1;
        Some(a)
    }

    /// Applies an event; unknown targets are ignored so a log always replays.
    pub fn apply_event(&mut self, event: &Event, at: Timestamp) {
        use Event::*;
        match event {
            OrgCreated { org, builtin_roles } => {
                self.bump(org.id.0);
                self.by_slug.insert(org.slug.clone(), org.id);
                self.orgs.insert(org.id, org.clone());
                for r in builtin_roles {
                    self.bump(r.id.0);
                    self.roles.insert(r.id, r.clone());
                }
            }
            OrgProfileUpdated { org, name, profile } => {
                if let Some(o) = self.orgs.get_mut(org) {
                    o.name = name.clone();
                    o.profile = profile.clone();
                    o.version += 1;
                }
            }
            OrgSettingsUpdated { org, settings } => {
                if let Some(o) = self.orgs.get_mut(org) {
                    o.settings = settings.clone();
                    o.version += 1;
                }
                // Built-in program roles are named in the organisation's own words.
                let t = &settings.terminology;
                for r in self.roles.values_mut().filter(|r| r.org == *org) {
                    let name = match r.builtin {
                        Some(Builtin::Viewer) => &t.program_viewer,
                        Some(Builtin::Contributor) => &t.program_contributor,
                        Some(Builtin::ProgramOwner) => &t.program_owner,
                        None => continue,
                    };
                    r.name = name.clone();
                }
            }
            OwnershipTransferred { from, to, .. } => {
                if let Some(a) = self.account_mut(*from) {
                    a.level = Level::Admin;
                }
                if let Some(a) = self.account_mut(*to) {
                    a.level = Level::Owner;
                }
            }
            AccountCreated { account, .. } => {
                self.bump(account.id.0);
                self.by_email
                    .insert(&self.accounts, account.org, &account.email, account.id);
                for g in &account.roles {
                    self.role_grantees
                        .entry(g.role)
                        .or_default()
                        .insert(account.id);
                }
                self.accounts
                    .insert(account.id, std::sync::Arc::new(account.clone()));
            }
            AccountEdited {
                account,
                first_name,
                last_name,
                email,
            } => {
                let Some(a) = self.accounts.get(account) else {
                    return;
                };
                let org = a.org;
                self.by_email.remove(org, &a.email, *account);
                if let Some(a) = self.account_mut(*account) {
                    a.first_name = first_name.clone();
                    a.last_name = last_name.clone();
                    a.email = email.clone();
                }
                self.by_email.insert(&self.accounts, org, email, *account);
            }
            AccountVerified { account } => {
                if let Some(a) = self.account_mut(*account) {
                    a.verified = true;
                }
            }
            AccountEnabled { account } => {
                if let Some(a) = self.account_mut(*account) {
                    a.enabled = true;
                }
            }
            AccountDisabled { account } => {
                if let Some(a) = self.account_mut(*account) {
                    a.enabled = false;
                }
            }
            ApprovalChanged {
                account, approval, ..
            } => {
                if let Some(a) = self.account_mut(*account) {
                    a.approval = *approval;
                }
            }
            LevelChanged { account, level } => {
                if let Some(a) = self.account_mut(*account) {
                    a.level = *level;
                }
            }
            AccountDeleted { account, .. } => {
                if let Some(a) = self.accounts.remove(account) {
                    self.by_email.remove(a.org, &a.email, a.id);
                    for g in &a.roles {
                        if let Some(set) = self.role_grantees.get_mut(&g.role) {
                            set.remove(account);
                        }
                    }
                }
                // Nothing of a deleted account survives to be inherited (invariant 5).
                for g in self.groups.values_mut() {
                    if g.members.remove(account) {
                        g.version += 1;
                    }
                }
                for p in self.programs.values_mut() {
                    if p.grants.remove(account).is_some() {
                        p.version += 1;
                    }
                }
                for id in self.requests_by_account.get(account).into_iter().flatten() {
                    if let Some(r) = self.requests.get_mut(id)
                        && r.status == RequestStatus::Pending
                    {
                        r.status = RequestStatus::Rejected;
                        r.reason = "account deleted".into();
                    }
                }
                self.resets.retain(|_, r| r.account != *account);
                self.passwords.remove(account);
                self.latest_reset.remove(account);
            }
            PasswordResetRequested { reset } => {
                self.bump(reset.id.0);
                // A new link replaces any earlier one (older ones are used already).
                if let Some(prev) = self.latest_reset.insert(reset.account, reset.id)
                    && let Some(r) = self.resets.get_mut(&prev)
                {
                    r.used = true;
                }
                self.resets.insert(reset.id, reset.clone());
            }
            RoleCreated { role } => {
                self.bump(role.id.0);
                self.roles.insert(role.id, role.clone());
            }
            RoleEdited {
                role,
                name,
                description,
                permissions,
            } => {
                if let Some(r) = self.roles.get_mut(role) {
                    r.name = name.clone();
                    r.description = description.clone();
                    r.permissions = permissions.clone();
                    r.version += 1;
                }
            }
            RoleDeleted { role } => {
                self.roles.remove(role);
            }
            RoleGranted {
                account,
                role,
                until,
            } => {
                if let Some(a) = self.account_mut(*account) {
                    a.roles.retain(|g| g.role != *role);
                    a.roles.push(Grant {
                        role: *role,
                        until: *until,
                    });
                    self.role_grantees
                        .entry(*role)
                        .or_default()
                        .insert(*account);
                }
            }
            RoleRevoked { account, role } => {
                if let Some(a) = self.account_mut(*account) {
                    a.roles.retain(|g| g.role != *role);
                }
                if let Some(set) = self.role_grantees.get_mut(role) {
                    set.remove(account);
                }
            }
            GroupCreated { group } => {
                self.bump(group.id.0);
                self.groups.insert(group.id, group.clone());
            }
            GroupRenamed { group, name } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.name = name.clone();
                    g.version += 1;
                }
            }
            GroupDeleted { group } => {
                self.groups.remove(group);
            }
            GroupMemberAdded { group, account } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.members.insert(*account);
                    g.version += 1;
                }
            }
            GroupMemberRemoved { group, account } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.members.remove(account);
                    g.version += 1;
                }
            }
            GroupRoleGranted { group, role, until } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.roles.retain(|x| x.role != *role);
                    g.roles.push(Grant {
                        role: *role,
                        until: *until,
                    });
                    g.version += 1;
                }
            }
            GroupRoleRevoked { group, role } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.roles.retain(|x| x.role != *role);
                    g.version += 1;
                }
            }
            ProgramCreated { program } => {
                self.bump(program.id.0);
                self.programs.insert(program.id, program.clone());
            }
            ProgramRenamed { program, name } => {
                if let Some(p) = self.programs.get_mut(program) {
                    p.name = name.clone();
                    p.version += 1;
                }
            }
            ProgramDeleted { program } => {
                self.programs.remove(program);
            }
            ProgramRoleGranted {
                program,
                account,
                role,
                until,
            } => {
                if let Some(p) = self.programs.get_mut(program) {
                    let grants = p.grants.entry(*account).or_default();
                    grants.retain(|g| g.role != *role);
                    grants.push(Grant {
                        role: *role,
                        until: *until,
                    });
                    p.version += 1;
                }
            }
            ProgramRoleRevoked {
                program,
                account,
                role,
            } => {
                if let Some(p) = self.programs.get_mut(program) {
                    if let Some(grants) = p.grants.get_mut(account) {
                        grants.retain(|g| g.role != *role);
                        if grants.is_empty() {
                            p.grants.remove(account);
                        }
                    }
                    p.version += 1;
                }
            }
            ProgramOwnerChanged { program, to, .. } => {
                if let Some(p) = self.programs.get_mut(program) {
                    p.owner = *to;
                    p.version += 1;
                }
            }
            ContractCreated { contract } => {
                self.bump(contract.id.0);
                self.contracts.insert(contract.id, contract.clone());
            }
            ContractStatusChanged { contract, status } => {
                if let Some(c) = self.contracts.get_mut(contract) {
                    c.status = *status;
                    c.version += 1;
                }
            }
            ContractSeatsChanged { contract, seats } => {
                if let Some(c) = self.contracts.get_mut(contract) {
                    c.seats = *seats;
                    c.version += 1;
                }
            }
            InvitationSent { invitation } => {
                self.bump(invitation.id.0);
                self.invitations.insert(invitation.id, invitation.clone());
            }
            InvitationAccepted {
                invitation,
                account,
            } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.status = InvitationStatus::Accepted;
                    i.account = Some(*account);
                    i.secret_hash = None;
                }
            }
            InvitationRevoked { invitation } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.status = InvitationStatus::Revoked;
                    i.secret_hash = None;
                }
            }
            InvitationResent {
                invitation,
                expires,
                secret_hash,
            } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.status = InvitationStatus::Pending;
                    i.expires = *expires;
                    i.secret_hash = secret_hash.clone();
                }
            }
            InvitationExpired { invitation } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.status = InvitationStatus::Expired;
                    i.secret_hash = None;
                }
            }
            ApprovalRequested { request } => {
                self.bump(request.id.0);
                let ids = self.requests_by_account.entry(request.account).or_default();
                if !ids.contains(&request.id) {
                    ids.push(request.id);
                }
                self.requests.insert(request.id, request.clone());
            }
            RequestDecided {
                request,
                approved,
                by,
                reason,
            } => {
                if let Some(r) = self.requests.get_mut(request) {
                    r.status = if *approved {
                        RequestStatus::Approved
                    } else {
                        RequestStatus::Rejected
                    };
                    r.decided_by = Some(by.clone());
                    r.decided_at = Some(at);
                    r.reason = reason.clone();
                }
            }
            TokenIssued { token } => {
                self.bump(token.id.0);
                self.tokens.insert(token.id, token.clone());
            }
            TokenRevoked { token } => {
                if let Some(t) = self.tokens.get_mut(token) {
                    t.revoked = true;
                }
            }
            // The outbox.
            MailQueued { mail } => {
                self.next_id = self.next_id.max(mail.id.0 + 1);
                self.mails.insert(mail.id, mail.clone());
            }
            MailSent { mail, attempts } => {
                if let Some(m) = self.mails.get_mut(mail) {
                    m.status = MailStatus::Sent;
                    m.attempts = *attempts;
                    m.last_error.clear();
                    m.updated = at;
                }
            }
            MailFailed {
                mail,
                attempts,
                reason,
            } => {
                if let Some(m) = self.mails.get_mut(mail) {
                    m.status = MailStatus::Failed;
                    m.attempts = *attempts;
                    m.last_error = reason.clone();
                    m.updated = at;
                }
            }
            MailAttemptFailed {
                mail,
                attempts,
                reason,
            } => {
                if let Some(m) = self.mails.get_mut(mail) {
                    m.attempts = *attempts;
                    m.last_error = reason.clone();
                    m.updated = at;
                }
            }
            MailRequeued { mail } => {
                if let Some(m) = self.mails.get_mut(mail) {
                    m.status = MailStatus::Queued;
                    m.attempts = 0;
                    m.updated = at;
                }
            }
            PasswordSet {
                account,
                password_hash,
                reset,
            } => {
                if let Some(r) = reset.and_then(|r| self.resets.get_mut(&r)) {
                    r.used = true;
                }
                // A replica receives the event with the hash blanked: it keeps nothing.
                if !password_hash.is_empty() && self.accounts.contains_key(account) {
                    self.passwords.insert(*account, password_hash.clone());
                }
            }
        }
    }
}
