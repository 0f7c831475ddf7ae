//! What the console shows, copied out of the directory. Effects build a `Snapshot` on a
//! blocking thread; the `App` keeps it and never touches the backend. All rows are
//! owned values so drawing needs no lock and no query.

use super::list::{Item, SortPrefix};
use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::policy::{self, PendingCounts, Source};
use crate::core::query::{self, AccountSort, Area};
use crate::core::summary;
use crate::core::*;
use jiff::Timestamp;
use std::cmp::Ordering;
use std::collections::BTreeSet;

fn lower(s: &str) -> String {
    s.to_lowercase()
}

#[derive(Clone, Debug)]
pub struct UserRow {
    /// The directory's own account (shared, not copied: a million rows would double
    /// the console's memory).
    pub account: std::sync::Arc<Account>,
    /// The level in the organisation's own words ("Main Corporate Contact"), shared by
    /// every row of that level rather than copied into each.
    pub level_name: std::sync::Arc<str>,
}

/// The texts `compare_accounts` orders by for sort column `c`, before the id that
/// breaks its ties (`None`: a column compared otherwise).
fn sort_parts(a: &Account, c: usize) -> Option<([&str; 3], usize)> {
    match AccountSort::ALL.get(c).copied().unwrap_or_default() {
        AccountSort::Name => Some(([&a.last_name, &a.first_name, ""], 2)),
        AccountSort::Email => Some(([&a.email, &a.last_name, &a.first_name], 3)),
        _ => None,
    }
}

impl Item for UserRow {
    type Key = AccountId;
    fn key(&self) -> AccountId {
        self.account.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "email", "level", "status", "created"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        if std::sync::Arc::ptr_eq(&self.account, &o.account) {
            // The same account (a reload shares unchanged accounts with the rows on
            // hand): equal without comparing its names char by char.
            return Ordering::Equal;
        }
        let sort = AccountSort::ALL.get(c).copied().unwrap_or_default();
        query::compare_accounts(&self.account, &o.account, sort)
    }
    fn sort_prefix(&self, c: usize) -> Option<SortPrefix> {
        // Names repeat a lot in a large tenant and most fit in 24 bytes, so sorting a
        // million rows is mostly integer comparisons.
        let a = &self.account;
        let (parts, n) = sort_parts(a, c)?;
        Some(SortPrefix::lowercase(&parts[..n], a.id.0))
    }
    fn sort_key(&self, c: usize) -> Option<Vec<u8>> {
        let a = &self.account;
        let (parts, n) = sort_parts(a, c)?;
        Some(SortPrefix::lowercase_key(&parts[..n], a.id.0))
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        // The full name built in a reused buffer: a keystroke in a list of a million
        // would otherwise allocate a million names.
        thread_local! {
            static NAME: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        NAME.with_borrow_mut(|name| {
            name.clear();
            let a = &self.account;
            name.push_str(&a.first_name);
            if !a.first_name.is_empty() && !a.last_name.is_empty() {
                name.push(' ');
            }
            name.push_str(&a.last_name);
            field(name);
        });
        field(&self.account.email);
    }
}

#[derive(Clone, Debug)]
pub struct RoleRow {
    pub role: Role,
    pub holders: usize,
    pub groups: usize,
    pub unlocked: bool,
    pub seats: Option<u32>,
    pub pos: usize,
}

impl Item for RoleRow {
    type Key = RoleId;
    fn key(&self) -> RoleId {
        self.role.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["scope", "name", "holders"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.role.name).cmp(&lower(&o.role.name)),
            2 => o.holders.cmp(&self.holders),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        let r = &self.role;
        field(&r.name);
        field(&r.description);
        if let Some(g) = &r.gate {
            field(g);
        }
    }
}

#[derive(Clone, Debug)]
pub struct ContractRow {
    pub contract: Contract,
    pub org_slug: String,
    pub seats_used: usize,
    pub ends_soon: bool,
    pub in_force: bool,
    pub pos: usize,
}

impl Item for ContractRow {
    type Key = ContractId;
    fn key(&self) -> ContractId {
        self.contract.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["status", "product", "end", "seats"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        let (a, b) = (&self.contract, &o.contract);
        match c {
            1 => lower(&a.product).cmp(&lower(&b.product)),
            // Open-ended contracts last.
            2 => (a.end.is_none(), a.end).cmp(&(b.end.is_none(), b.end)),
            3 => a.seats.cmp(&b.seats),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.contract.product);
    }
}

#[derive(Clone, Debug)]
pub struct RequestRow {
    pub request: ApprovalRequest,
    pub email: String,
    pub name: String,
    /// "bob@… asks to join", in words.
    pub what: String,
    pub pos: usize,
}

impl Item for RequestRow {
    type Key = RequestId;
    fn key(&self) -> RequestId {
        self.request.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["queue", "who", "asked"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.email).cmp(&lower(&o.email)),
            2 => self.request.requested_at.cmp(&o.request.requested_at),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.name);
        field(&self.email);
        field(&self.what);
        field(&self.request.note);
    }
}

#[derive(Clone, Debug)]
pub struct GroupRow {
    /// The group, its members by id (emails are the Users tab's: copying them into
    /// every group row cost a second per load at a million accounts).
    pub group: Group,
    /// Roles as (id, name, until).
    pub roles: Vec<(RoleId, String, Option<Timestamp>)>,
}

impl Item for GroupRow {
    type Key = GroupId;
    fn key(&self) -> GroupId {
        self.group.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "members"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => o.group.members.len().cmp(&self.group.members.len()),
            _ => lower(&self.group.name).cmp(&lower(&o.group.name)),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.group.name);
    }
}

#[derive(Clone, Debug)]
pub struct Contact {
    /// The directory's own account (shared: a program of a large tenant has tens of
    /// thousands of contacts).
    pub account: std::sync::Arc<Account>,
    pub owner: bool,
    /// The contact's roles here, names shared by every contact holding the role.
    pub roles: Vec<(RoleId, std::sync::Arc<str>)>,
}

#[derive(Clone, Debug)]
pub struct ProgramRow {
    /// The program without its grants (see `contacts`).
    pub program: Program,
    pub owner_email: String,
    /// Owner first, then everyone with a grant.
    pub contacts: Vec<Contact>,
    /// How much the principal may do here (for the footer; the core decides).
    pub authority: policy::ProgramAuthority,
    /// Why the principal may not name a new owner, in the core's words.
    pub transfer_refusal: Option<String>,
}

impl Item for ProgramRow {
    type Key = ProgramId;
    fn key(&self) -> ProgramId {
        self.program.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "owner", "contacts", "created"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.owner_email).cmp(&lower(&o.owner_email)),
            2 => o.contacts.len().cmp(&self.contacts.len()),
            3 => self.program.created.cmp(&o.program.created),
            _ => lower(&self.program.name).cmp(&lower(&o.program.name)),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.program.name);
    }
}

#[derive(Clone, Debug)]
pub struct InvitationRow {
    /// The invitation without its secret hash: the console never needs it.
    pub invitation: Invitation,
    pub status: InvitationStatus,
    pub sent_by: String,
    /// What accepting it grants, in words.
    pub grants: Vec<String>,
    pub pos: usize,
}

impl Item for InvitationRow {
    type Key = InvitationId;
    fn key(&self) -> InvitationId {
        self.invitation.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["sent", "email", "status", "expires"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        let (a, b) = (&self.invitation, &o.invitation);
        match c {
            1 => lower(&a.email).cmp(&lower(&b.email)),
            2 => self.status.cmp(&o.status),
            3 => a.expires.cmp(&b.expires),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        let i = &self.invitation;
        field(&i.email);
        field(format!("{} {}", i.first_name, i.last_name).trim());
    }
}

#[derive(Clone, Debug)]
pub struct AuditRow {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub summary: String,
}

impl Item for AuditRow {
    type Key = u64;
    fn key(&self) -> u64 {
        self.seq
    }
    fn sort_names() -> &'static [&'static str] {
        &["newest", "actor", "kind"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.actor).cmp(&lower(&o.actor)),
            2 => self.kind.cmp(&o.kind),
            _ => o.seq.cmp(&self.seq),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.actor);
        field(&self.summary);
    }
    /// The trail's order is its meaning: a filter narrows it, never reorders it.
    const RANKED: bool = false;
}

/// A role the invite wizard and the pickers can offer.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleChoice {
    pub id: RoleId,
    pub name: String,
    pub scope: Scope,
    pub builtin: Option<Builtin>,
}

#[derive(Clone, Debug, Default)]
pub struct OrgInfo {
    pub id: Option<OrgId>,
    pub slug: String,
    pub name: String,
    pub approval_required: bool,
    pub terminology: Terminology,
    /// The values the organisation forms start from.
    pub profile: Profile,
    pub settings: Settings,
    /// Why the principal may not change the profile or the settings, in the core's own
    /// words (`None`: it may), so the console says so before a form is filled in.
    pub profile_refusal: Option<String>,
    pub settings_refusal: Option<String>,
}

/// Asks the core whether `who` may send `cmd` (which changes nothing, so an allowed
/// sender hears "nothing to change"): the refusal if it is a "you may not", else `None`.
/// The rule stays in the core; the console only learns its verdict early.
pub fn refusal(dir: &Directory, who: &Principal, cmd: &Command, now: Timestamp) -> Option<String> {
    match decide(dir, who, cmd, now) {
        Err(e @ (DomainError::Forbidden(_) | DomainError::NotFound(_))) => {
            Some(e.message().to_string())
        }
        _ => None,
    }
}

/// Filters for the audit trail, kept by the App and sent with every load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: String,
    pub target: String,
    pub kind: String,
}

/// How many audit events a load fetches: enough to scroll through, bounded so a long
/// history never makes a reload slow.
pub const AUDIT_LIMIT: usize = 1000;

/// Everything one load copies out of the store.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub seq: u64,
    pub now: Option<Timestamp>,
    pub backend: String,
    pub who_label: String,
    pub org: OrgInfo,
    /// Organisations the principal may switch to, as (id, slug, name).
    pub orgs: Vec<(OrgId, String, String)>,
    pub areas: Vec<Area>,
    /// The principal's organisation permissions (to tailor footers; the core decides).
    pub perms: BTreeSet<String>,
    pub operator: bool,
    pub pending: PendingCounts,
    pub users: Vec<UserRow>,
    pub roles: Vec<RoleRow>,
    pub contracts: Vec<ContractRow>,
    pub requests: Vec<RequestRow>,
    pub groups: Vec<GroupRow>,
    pub programs: Vec<ProgramRow>,
    pub invitations: Vec<InvitationRow>,
    pub audit: Vec<AuditRow>,
    /// All roles of the organisation, for the invite wizard and pickers.
    pub role_choices: Vec<RoleChoice>,
}

/// The organisation to show: the requested one if the principal reaches it, else its
/// own, else the first.
pub fn resolve_org(dir: &Directory, who: &Principal, want: Option<OrgId>) -> Option<OrgId> {
    let reach = query::reachable_orgs(dir, who);
    want.filter(|w| reach.iter().any(|o| o.id == *w))
        .or_else(|| reach.first().map(|o| o.id))
}

/// Reads what a load needs. Two short reads around the audit call, never one long one.
/// The audit trail is only asked for when the principal may read it: a server refuses
/// the request otherwise, and a local store must not show it either.
pub fn load(
    backend: &dyn Backend,
    who: &Principal,
    want: Option<OrgId>,
    audit: &AuditFilter,
    decided: bool,
) -> Result<Snapshot, BackendError> {
    let now = backend.now();
    let (org, reads_audit) = crate::backend::query(backend, |dir| {
        let org = resolve_org(dir, who, want);
        let reads = org.is_some_and(|o| query::can_see(dir, who, o, Area::Audit, now));
        (org, reads)
    })?;
    let events = match org.filter(|_| reads_audit) {
        Some(org) => backend.audit(&AuditQuery {
            org: Some(org),
            actor: non_empty(&audit.actor),
            text: non_empty(&audit.target),
            kind: non_empty(&audit.kind),
            before: None,
            limit: AUDIT_LIMIT,
        })?,
        None => vec![],
    };
    let desc = backend.describe();
    crate::backend::query(backend, |dir| {
        snapshot(dir, who, org, now, &events, desc, decided)
    })
}

/// The audit events of `org` just older than `before`, newest first, as rows. The
/// audit query only returns what `who` may see of `org` when the snapshot offers the
/// Audit tab, which is the only place this is asked from.
pub fn load_audit_page(
    backend: &dyn Backend,
    who: &Principal,
    org: OrgId,
    audit: &AuditFilter,
    before: u64,
) -> Result<Vec<AuditRow>, BackendError> {
    let now = backend.now();
    let allowed = crate::backend::query(backend, |dir| {
        query::can_see(dir, who, org, Area::Audit, now)
    })?;
    if !allowed {
        return Ok(vec![]);
    }
    let events = backend.audit(&AuditQuery {
        org: Some(org),
        actor: non_empty(&audit.actor),
        text: non_empty(&audit.target),
        kind: non_empty(&audit.kind),
        before: Some(before),
        limit: AUDIT_LIMIT,
    })?;
    crate::backend::query(backend, |dir| {
        events.iter().map(|r| audit_row(dir, r)).collect()
    })
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Builds the snapshot from a directory. Pure, so tests pin `now` and the audit events.
pub fn snapshot(
    dir: &Directory,
    who: &Principal,
    org: Option<OrgId>,
    now: Timestamp,
    events: &[Recorded],
    backend: String,
    decided: bool,
) -> Snapshot {
    let mut s = Snapshot {
        seq: dir.seq,
        now: Some(now),
        backend,
        who_label: decide::label(dir, who),
        operator: matches!(who, Principal::Operator),
        orgs: query::reachable_orgs(dir, who)
            .into_iter()
            .map(|o| (o.id, o.slug.clone(), o.name.clone()))
            .collect(),
        ..Default::default()
    };
    let Some(org_id) = org else { return s };
    let Some(org) = dir.orgs.get(&org_id) else {
        return s;
    };
    let words = &org.settings.terminology;
    s.org = OrgInfo {
        id: Some(org_id),
        slug: org.slug.clone(),
        name: org.name.clone(),
        approval_required: org.settings.approval_required,
        terminology: words.clone(),
        profile: org.profile.clone(),
        settings: org.settings.clone(),
        profile_refusal: refusal(
            dir,
            who,
            &Command::UpdateOrgProfile {
                org: org_id,
                name: org.name.clone(),
                profile: org.profile.clone(),
            },
            now,
        ),
        settings_refusal: refusal(
            dir,
            who,
            &Command::UpdateOrgSettings {
                org: org_id,
                settings: org.settings.clone(),
            },
            now,
        ),
    };
    s.perms = policy::org_permissions(dir, who, org_id, now);
    s.areas = Area::ALL
        .into_iter()
        .filter(|a| query::can_see(dir, who, org_id, *a, now))
        .collect();
    s.pending = policy::pending_counts(dir, org_id);

    s.role_choices = dir
        .roles_of(org_id)
        .map(|r| RoleChoice {
            id: r.id,
            name: r.name.clone(),
            scope: r.scope,
            builtin: r.builtin,
        })
        .collect();
    s.role_choices
        .sort_by_key(|r| (r.scope, r.builtin.is_none(), lower(&r.name)));

    std::thread::scope(|scope| {
        // The Users rows (a million at the largest) are built beside the other tabs'.
        let users = s
            .areas
            .contains(&Area::Users)
            .then(|| scope.spawn(|| user_rows(dir, org_id, words)));
        let at = Reading {
            dir,
            who,
            org_id,
            words,
            now,
        };
        other_tabs(&mut s, &at, events, decided);
        if let Some(users) = users {
            // A panic there would be a bug: build them here instead.
            s.users = users
                .join()
                .unwrap_or_else(|_| user_rows(dir, org_id, words));
        }
    });
    s
}

/// Every account of `org`, sharing the directory's accounts and one level name each.
fn user_rows(dir: &Directory, org: OrgId, words: &Terminology) -> Vec<UserRow> {
    let level_name = |l: Level| -> std::sync::Arc<str> { words.level(l).into() };
    let [member, admin, owner] = [Level::Member, Level::Admin, Level::Owner].map(level_name);
    dir.accounts
        .values()
        .filter(|a| a.org == org)
        .map(|a| UserRow {
            account: a.clone(),
            level_name: match a.level {
                Level::Member => member.clone(),
                Level::Admin => admin.clone(),
                Level::Owner => owner.clone(),
            },
        })
        .collect()
}

/// What a snapshot is read from, for whom, in which organisation, when.
struct Reading<'a> {
    dir: &'a Directory,
    who: &'a Principal,
    org_id: OrgId,
    words: &'a Terminology,
    now: Timestamp,
}

/// The rows of every tab but Users that `s.areas` offers.
fn other_tabs(s: &mut Snapshot, at: &Reading<'_>, events: &[Recorded], decided: bool) {
    let Reading {
        dir,
        who,
        org_id,
        words,
        now,
    } = *at;
    let sees = |a: Area| s.areas.contains(&a);
    let email = |id: AccountId| query::account_label(dir, id);
    std::thread::scope(|scope| {
        // Each tab's rows on a thread of its own: at a million accounts they take tens
        // to hundreds of milliseconds each, and the machine's cores share them out.
        let roles = sees(Area::Roles).then(|| {
            scope.spawn(move || {
                query::roles(dir, org_id, now)
                    .into_iter()
                    .enumerate()
                    .map(|(pos, r)| RoleRow {
                        role: r.role.clone(),
                        holders: r.holders,
                        groups: r.groups,
                        unlocked: r.unlocked,
                        seats: r.seats,
                        pos,
                    })
                    .collect()
            })
        });
        let requests = sees(Area::Approvals).then(|| {
            scope.spawn(move || {
                query::approval_queue(dir, org_id, decided)
                    .into_iter()
                    .enumerate()
                    .map(|(pos, r)| RequestRow {
                        request: r.clone(),
                        email: email(r.account),
                        name: dir
                            .accounts
                            .get(&r.account)
                            .map(|a| a.full_name())
                            .unwrap_or_default(),
                        what: query::describe_request(dir, r),
                        pos,
                    })
                    .collect()
            })
        });
        let groups = sees(Area::Groups).then(|| {
            scope.spawn(move || {
                query::groups(dir, org_id)
                    .into_iter()
                    .map(|g| GroupRow {
                        group: g.clone(),
                        roles: g
                            .roles
                            .iter()
                            .map(|r| (r.role, query::role_name(dir, r.role), r.until))
                            .collect(),
                    })
                    .collect()
            })
        });
        let programs = sees(Area::Programs).then(|| {
            scope.spawn(move || {
                let mut role_names: std::collections::HashMap<RoleId, std::sync::Arc<str>> =
                    std::collections::HashMap::new();
                let mut role_name = |r: RoleId| {
                    role_names
                        .entry(r)
                        .or_insert_with(|| query::role_name(dir, r).into())
                        .clone()
                };
                query::programs(dir, who, org_id, now)
                    .into_iter()
                    .map(|p| ProgramRow {
                        authority: policy::program_authority(dir, who, p, now),
                        transfer_refusal: refusal(
                            dir,
                            who,
                            &Command::TransferProgram {
                                program: p.id,
                                to: p.owner,
                            },
                            now,
                        ),
                        // Without its grants: the contacts below hold them, and copying every
                        // grant map of a large tenant cost more than the rest of the tab.
                        program: Program {
                            id: p.id,
                            org: p.org,
                            name: p.name.clone(),
                            owner: p.owner,
                            grants: Default::default(),
                            created: p.created,
                            version: p.version,
                        },
                        owner_email: email(p.owner),
                        contacts: query::program_contacts(dir, p)
                            .into_iter()
                            .map(|(a, grants, owner)| Contact {
                                account: a.clone(),
                                owner,
                                roles: grants.iter().map(|g| (g.role, role_name(g.role))).collect(),
                            })
                            .collect(),
                    })
                    .collect()
            })
        });
        let invitations = sees(Area::Invitations).then(|| {
            scope.spawn(move || {
                query::invitations(dir, who, org_id, None, now)
                    .into_iter()
                    .enumerate()
                    .map(|(pos, (i, status))| {
                        let mut inv = i.clone();
                        inv.secret_hash = None;
                        let mut grants: Vec<String> = vec![words.level(i.level).to_string()];
                        grants.extend(i.roles.iter().map(|r| query::role_name(dir, *r)));
                        grants.extend(i.programs.iter().map(|o| {
                            let p = dir
                                .programs
                                .get(&o.program)
                                .map(|p| p.name.clone())
                                .unwrap_or_else(|| o.program.to_string());
                            format!("{} in {p}", query::role_name(dir, o.role))
                        }));
                        InvitationRow {
                            invitation: inv,
                            status,
                            sent_by: i.sent_by.map(email).unwrap_or_else(|| "operator".into()),
                            grants,
                            pos,
                        }
                    })
                    .collect()
            })
        });
        if sees(Area::Contracts) {
            s.contracts = query::contracts(dir, Some(org_id), now)
                .into_iter()
                .enumerate()
                .map(|(pos, c)| ContractRow {
                    contract: c.contract.clone(),
                    org_slug: dir
                        .orgs
                        .get(&c.contract.org)
                        .map(|o| o.slug.clone())
                        .unwrap_or_default(),
                    seats_used: c.seats_used,
                    ends_soon: c.ends_soon,
                    in_force: c.in_force,
                    pos,
                })
                .collect();
        }
        if sees(Area::Audit) {
            s.audit = events.iter().map(|r| audit_row(dir, r)).collect();
        }
        if let Some(rows) = roles {
            s.roles = joined(rows);
        }
        if let Some(rows) = requests {
            s.requests = joined(rows);
        }
        if let Some(rows) = groups {
            s.groups = joined(rows);
        }
        if let Some(rows) = programs {
            s.programs = joined(rows);
        }
        if let Some(rows) = invitations {
            s.invitations = joined(rows);
        }
    });
}

/// A tab's rows from its thread; a panic there is re-raised here, as if the rows had
/// been built on this thread.
fn joined<T>(rows: std::thread::ScopedJoinHandle<'_, T>) -> T {
    rows.join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

pub fn audit_row(dir: &Directory, r: &Recorded) -> AuditRow {
    AuditRow {
        seq: r.seq,
        at: r.at,
        actor: if r.actor_label.is_empty() {
            decide::label(dir, &r.actor)
        } else {
            r.actor_label.clone()
        },
        kind: summary::kind(&r.event),
        summary: summary::summary(dir, r),
    }
}

/// What a detail view is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    User(AccountId),
    Role(RoleId),
    Contract(ContractId),
    Request(RequestId),
    Group(GroupId),
    Program(ProgramId),
    Invitation(InvitationId),
    Event(u64),
    /// The organisation itself: profile, settings, terminology.
    Org(OrgId),
    /// The organisation's outbox (`M`).
    Outbox(OrgId),
    /// One message of the outbox, whole when it is kept on this machine.
    OutboxMessage(OrgId, MailId),
}

/// A detail view: a title and sections of label/value lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    pub title: String,
    pub lines: Vec<(String, String)>,
}

impl Section {
    fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            lines: vec![],
        }
    }
    fn kv(&mut self, k: impl Into<String>, v: impl Into<String>) {
        self.lines.push((k.into(), v.into()));
    }
    fn line(&mut self, v: impl Into<String>) {
        self.lines.push((String::new(), v.into()));
    }
    fn or_none(mut self, what: &str) -> Self {
        if self.lines.is_empty() {
            self.line(format!("({what})"));
        }
        self
    }
}

/// Loads a detail view. Account details include their audit trail, which needs a
/// second call to the backend.
pub fn load_detail(
    backend: &dyn Backend,
    who: &Principal,
    target: Target,
) -> Result<Detail, BackendError> {
    if let Target::Outbox(org) = target {
        return super::outbox::load(backend, who, org);
    }
    if let Target::OutboxMessage(org, mail) = target {
        return super::outbox::load_message(backend, who, org, mail);
    }
    let now = backend.now();
    // An account's history is part of the audit trail: only for those who may read it.
    let (org, extra) = crate::backend::query(backend, |dir| match target {
        Target::User(id) => dir
            .accounts
            .get(&id)
            .filter(|a| query::can_see(dir, who, a.org, Area::Audit, now))
            .map(|a| (Some(a.org), Some(a.email.clone()))),
        Target::Event(_) => None,
        _ => None,
    })?
    .unwrap_or((None, None));
    let events = match target {
        Target::User(_) if org.is_some() => backend.audit(&AuditQuery {
            org,
            text: extra,
            limit: 50,
            ..Default::default()
        })?,
        Target::Event(seq) => backend.audit(&AuditQuery {
            before: Some(seq + 1),
            limit: 1,
            ..Default::default()
        })?,
        _ => vec![],
    };
    crate::backend::query(backend, |dir| detail(dir, who, target, now, &events))
}

fn source_words(dir: &Directory, s: &Source, words: &Terminology) -> String {
    match s {
        Source::Level { level } => format!("level {}", words.level(*level)),
        Source::Role { role } => format!("role {}", query::role_name(dir, *role)),
        Source::Group { group, role } => format!(
            "role {} through group {}",
            query::role_name(dir, *role),
            dir.groups
                .get(group)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| group.to_string())
        ),
    }
}

fn until(u: Option<Timestamp>) -> String {
    u.map(|u| format!(" until {}", super::text::when(u)))
        .unwrap_or_default()
}

/// Builds a detail view from the directory (pure).
pub fn detail(
    dir: &Directory,
    who: &Principal,
    target: Target,
    now: Timestamp,
    events: &[Recorded],
) -> Detail {
    let gone = |what: &str| Detail {
        title: format!("{what} no longer exists"),
        sections: vec![],
    };
    let words = |org: OrgId| {
        dir.orgs
            .get(&org)
            .map(|o| o.settings.terminology.clone())
            .unwrap_or_default()
    };
    let email = |id: AccountId| query::account_label(dir, id);
    match target {
        Target::User(id) => {
            let Some(a) = dir.accounts.get(&id) else {
                return gone("This account");
            };
            let w = words(a.org);
            let d = query::account_detail(dir, a, now);
            let mut acc = Section::new("Account");
            acc.kv("Name", a.full_name());
            acc.kv("Email", &a.email);
            acc.kv("Level", w.level(a.level));
            acc.kv("Status", query::status_word(a));
            acc.kv("Enabled", super::text::yes_no(a.enabled));
            acc.kv("Approval", a.approval.as_str());
            acc.kv("Verified", super::text::yes_no(a.verified));
            acc.kv("Created", super::text::when(a.created));
            let mut roles = Section::new("Roles");
            for g in &a.roles {
                roles.line(format!(
                    "{}{}",
                    query::role_name(dir, g.role),
                    until(g.until)
                ));
            }
            let mut groups = Section::new("Groups");
            for g in &d.groups {
                let via: Vec<String> = g
                    .roles
                    .iter()
                    .map(|r| query::role_name(dir, r.role))
                    .collect();
                let via = if via.is_empty() {
                    String::new()
                } else {
                    format!(" (gives {})", via.join(", "))
                };
                groups.line(format!("{}{via}", g.name));
            }
            let mut programs = Section::new("Programs");
            for p in &d.programs {
                let mut roles: Vec<String> = p
                    .grants
                    .iter()
                    .map(|g| format!("{}{}", query::role_name(dir, g.role), until(g.until)))
                    .collect();
                if p.owner {
                    roles.insert(0, w.program_owner.clone());
                }
                programs.kv(&p.program.name, roles.join(", "));
            }
            let mut eff = Section::new("Effective permissions (and why)");
            if let Some(why) = &d.effective.inactive {
                eff.line(why.clone());
            }
            for (perm, sources) in &d.effective.granted {
                let why: Vec<String> = sources.iter().map(|s| source_words(dir, s, &w)).collect();
                eff.kv(perm, why.join("; "));
            }
            for ig in &d.effective.ignored {
                let via = ig
                    .group
                    .and_then(|g| dir.groups.get(&g))
                    .map(|g| format!(" (group {})", g.name))
                    .unwrap_or_default();
                eff.kv(
                    format!("{}{via}", query::role_name(dir, ig.role)),
                    format!("ignored: {}", ig.why),
                );
            }
            let mut inv = Section::new("Invitations");
            for i in &d.invitations {
                inv.kv(
                    i.id.to_string(),
                    format!(
                        "{} · sent {} · expires {}",
                        i.status_at(now).as_str(),
                        super::text::when(i.sent_at),
                        super::text::when(i.expires)
                    ),
                );
            }
            let mut req = Section::new("Requests");
            for r in &d.requests {
                req.kv(
                    r.id.to_string(),
                    format!(
                        "{} · {}",
                        query::describe_request(dir, r),
                        r.status.as_str()
                    ),
                );
            }
            let mut trail = Section::new("Audit trail");
            for e in events {
                trail.kv(
                    super::text::when(e.at),
                    format!("{}: {}", e.actor_label, summary::summary(dir, e)),
                );
            }
            Detail {
                title: format!("{} <{}>", a.full_name(), a.email),
                sections: vec![
                    acc,
                    roles.or_none("no roles of its own"),
                    groups.or_none("in no group"),
                    programs.or_none("no program"),
                    eff,
                    inv.or_none("none"),
                    req.or_none("none"),
                    if query::can_see(dir, who, a.org, Area::Audit, now) {
                        trail.or_none("nothing recorded")
                    } else {
                        trail.or_none(&format!(
                            "not shown: it needs the {} permission",
                            crate::core::perms::AUDIT_READ
                        ))
                    },
                ],
            }
        }
        Target::Role(id) => {
            let Some(r) = dir.roles.get(&id) else {
                return gone("This role");
            };
            let mut about = Section::new("Role");
            about.kv("Name", &r.name);
            about.kv("Description", &r.description);
            about.kv(
                "Scope",
                if r.scope == Scope::Org {
                    "organisation"
                } else {
                    "program"
                },
            );
            about.kv(
                "Kind",
                if r.builtin.is_some() {
                    "built-in"
                } else {
                    "custom"
                },
            );
            if let Some(g) = &r.gate {
                let state = if policy::product_active(dir, r.org, g, now) {
                    "in force"
                } else {
                    "not in force: confers nothing"
                };
                about.kv(
                    "Needs contract",
                    format!(
                        "{g} ({state}, {} seats)",
                        policy::product_seats(dir, r.org, g, now)
                    ),
                );
            }
            let mut perms = Section::new("Permissions");
            for p in &r.permissions {
                let what = crate::core::perms::CATALOGUE
                    .iter()
                    .find(|(n, _)| n == p)
                    .map(|(_, d)| *d)
                    .unwrap_or("");
                perms.kv(p, what);
            }
            let mut holders = Section::new("Held by");
            for (a, h) in query::role_holders(dir, r) {
                let how = match h {
                    query::Holding::Direct { until: u } => format!("directly{}", until(u)),
                    query::Holding::Group { group, until: u } => format!(
                        "through group {}{}",
                        dir.groups
                            .get(&group)
                            .map(|g| g.name.clone())
                            .unwrap_or_default(),
                        until(u)
                    ),
                    query::Holding::Program { program, until: u } => format!(
                        "in program {}{}",
                        dir.programs
                            .get(&program)
                            .map(|p| p.name.clone())
                            .unwrap_or_default(),
                        until(u)
                    ),
                };
                holders.kv(&a.email, how);
            }
            let mut groups = Section::new("Granted to groups");
            for g in query::groups(dir, r.org)
                .into_iter()
                .filter(|g| g.roles.iter().any(|x| x.role == id))
            {
                groups.line(g.name.clone());
            }
            Detail {
                title: format!("Role {}", r.name),
                sections: vec![
                    about,
                    perms.or_none("no permission"),
                    holders.or_none("nobody"),
                    groups.or_none("no group"),
                ],
            }
        }
        Target::Contract(id) => {
            let Some(c) = dir.contracts.get(&id) else {
                return gone("This contract");
            };
            let row = query::contracts(dir, Some(c.org), now)
                .into_iter()
                .find(|r| r.contract.id == id);
            let mut s = Section::new("Contract");
            s.kv("Product", &c.product);
            s.kv(
                "Organisation",
                dir.orgs
                    .get(&c.org)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
            );
            s.kv("Status", c.status.as_str());
            s.kv("In force", super::text::yes_no(c.in_force(now)));
            s.kv("Starts", super::text::when(c.start));
            s.kv(
                "Ends",
                c.end
                    .map(super::text::when)
                    .unwrap_or_else(|| "open-ended".into()),
            );
            s.kv(
                "Seats",
                format!(
                    "{} used of {}",
                    row.as_ref().map(|r| r.seats_used).unwrap_or(0),
                    c.seats
                ),
            );
            if row.as_ref().is_some_and(|r| r.ends_soon) {
                s.kv("Note", "ends within 30 days");
            }
            let mut unlocks = Section::new("Unlocks roles");
            for r in dir.roles_of(c.org).filter(|r| {
                r.gate
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(&c.product))
            }) {
                unlocks.line(r.name.clone());
            }
            Detail {
                title: format!("Contract {} ({})", c.product, c.id),
                sections: vec![s, unlocks.or_none("none")],
            }
        }
        Target::Request(id) => {
            let Some(r) = dir.requests.get(&id) else {
                return gone("This request");
            };
            Detail {
                title: query::describe_request(dir, r),
                sections: vec![request_section(dir, r)],
            }
        }
        Target::Group(id) => {
            let Some(g) = dir.groups.get(&id) else {
                return gone("This group");
            };
            let mut members = Section::new("Members");
            let mut emails: Vec<String> = g.members.iter().map(|m| email(*m)).collect();
            emails.sort_by_key(|e| lower(e));
            for e in emails {
                members.line(e);
            }
            let mut roles = Section::new("Roles (every member holds them)");
            for r in &g.roles {
                roles.line(format!(
                    "{}{}",
                    query::role_name(dir, r.role),
                    until(r.until)
                ));
            }
            Detail {
                title: format!("Group {}", g.name),
                sections: vec![members.or_none("no members"), roles.or_none("no roles")],
            }
        }
        Target::Program(id) => {
            let Some(p) = dir.programs.get(&id) else {
                return gone("This program");
            };
            let w = words(p.org);
            let mut about = Section::new(w.program.clone());
            about.kv("Name", &p.name);
            about.kv(w.program_owner.clone(), email(p.owner));
            about.kv("Created", super::text::when(p.created));
            let mut contacts = Section::new("Contacts");
            for (a, grants, owner) in query::program_contacts(dir, p) {
                let mut roles: Vec<String> = grants
                    .iter()
                    .map(|g| format!("{}{}", query::role_name(dir, g.role), until(g.until)))
                    .collect();
                if owner {
                    roles.insert(0, w.program_owner.clone());
                }
                contacts.kv(&a.email, roles.join(", "));
            }
            let mut mine = Section::new("What you may do here");
            mine.line(match policy::program_authority(dir, who, p, now) {
                policy::ProgramAuthority::Full => "everything: contacts, name, owner",
                policy::ProgramAuthority::Contacts => "manage viewer and contributor contacts",
                policy::ProgramAuthority::None => "look only",
            });
            Detail {
                title: format!("{} {}", w.program, p.name),
                sections: vec![about, contacts.or_none("no contacts"), mine],
            }
        }
        Target::Invitation(id) => {
            let Some(i) = dir.invitations.get(&id) else {
                return gone("This invitation");
            };
            let w = words(i.org);
            let mut s = Section::new("Invitation");
            s.kv("Email", &i.email);
            s.kv(
                "Name",
                format!("{} {}", i.first_name, i.last_name)
                    .trim()
                    .to_string(),
            );
            s.kv("Status", i.status_at(now).as_str());
            s.kv(
                "Sent by",
                i.sent_by.map(email).unwrap_or_else(|| "operator".into()),
            );
            s.kv("Sent", super::text::when(i.sent_at));
            s.kv("Expires", super::text::when(i.expires));
            if let Some(a) = i.account {
                s.kv("Account", email(a));
            }
            let mut g = Section::new("Grants on acceptance");
            g.kv("Level", w.level(i.level));
            for r in &i.roles {
                g.kv("Role", query::role_name(dir, *r));
            }
            for o in &i.programs {
                let p = dir
                    .programs
                    .get(&o.program)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| o.program.to_string());
                g.kv(p, query::role_name(dir, o.role));
            }
            let mut m = Section::new("Message");
            for l in i.message.lines() {
                m.line(l.to_string());
            }
            Detail {
                title: format!("Invitation for {}", i.email),
                sections: vec![s, g, m.or_none("no message")],
            }
        }
        Target::Org(id) => org_detail(dir, who, id, now),
        Target::Outbox(org) => super::outbox::detail(dir, who, org, now, &Default::default()),
        Target::OutboxMessage(org, mail) => {
            super::outbox::message_detail(dir, who, org, mail, now, None)
        }
        Target::Event(seq) => {
            let Some(e) = events.iter().find(|e| e.seq == seq) else {
                return gone("This event");
            };
            let mut s = Section::new("Event");
            s.kv("Number", seq.to_string());
            s.kv("When", super::text::when(e.at));
            s.kv("Actor", &e.actor_label);
            s.kv("Kind", summary::kind(&e.event));
            s.kv("What", summary::summary(dir, e));
            let mut raw = Section::new("Recorded as");
            let json = serde_json::to_string_pretty(&e.event).unwrap_or_default();
            for l in json.lines() {
                raw.line(l.to_string());
            }
            Detail {
                title: format!("Event {seq}"),
                sections: vec![s, raw],
            }
        }
    }
}

/// Who asked for what and when, and how it was decided.
pub fn request_section(dir: &Directory, r: &ApprovalRequest) -> Section {
    let mut s = Section::new("Request");
    s.kv("Who", query::account_label(dir, r.account));
    s.kv("Asks", query::describe_request(dir, r));
    s.kv("Asked", super::text::when(r.requested_at));
    if !r.note.is_empty() {
        s.kv("Note", &r.note);
    }
    s.kv("Status", r.status.as_str());
    if let Some(by) = &r.decided_by {
        s.kv("Decided by", by);
    }
    if let Some(at) = r.decided_at {
        s.kv("Decided", super::text::when(at));
    }
    if !r.reason.is_empty() {
        s.kv("Reason", &r.reason);
    }
    s
}

/// "7 days" for 168 hours, "36 hours" for 36: link lifetimes as a person says them.
pub fn hours(h: u32) -> String {
    match h {
        1 => "1 hour".into(),
        h if h % 24 == 0 && h >= 48 => format!("{} days ({h} hours)", h / 24),
        24 => "1 day (24 hours)".into(),
        h => format!("{h} hours"),
    }
}

/// The organisation page: who owns it, its profile, its settings and its words, and
/// what the viewer may change here (the core's verdict, in its words).
fn org_detail(dir: &Directory, who: &Principal, id: OrgId, now: Timestamp) -> Detail {
    let reach = query::reachable_orgs(dir, who);
    let Some(o) = reach.into_iter().find(|o| o.id == id) else {
        return Detail {
            title: "This organisation no longer exists".into(),
            sections: vec![],
        };
    };
    let w = &o.settings.terminology;
    let mut about = Section::new("Organisation");
    about.kv("Name", &o.name);
    about.kv("Short name", &o.slug);
    about.kv("Created", super::text::when(o.created));
    if let Some(owner) = dir.accounts_of(id).find(|a| a.level == Level::Owner) {
        about.kv(
            w.owner.clone(),
            format!("{} <{}>", owner.full_name(), owner.email),
        );
    }
    let accounts: Vec<&Account> = dir.accounts_of(id).collect();
    let active = accounts.iter().filter(|a| a.active()).count();
    about.kv("Accounts", format!("{} ({active} active)", accounts.len()));
    let mut profile = Section::new("Profile");
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s.lines().map(str::trim).collect::<Vec<_>>().join(", ")
        }
    };
    profile.kv("Address", or_dash(&o.profile.address));
    profile.kv("Website", or_dash(&o.profile.website));
    profile.kv("Description", or_dash(&o.profile.description));
    let st = &o.settings;
    let mut settings = Section::new("Settings");
    settings.kv(
        "User approval required",
        if st.approval_required {
            "yes: new accounts wait for approval"
        } else {
            "no: new accounts may act at once"
        },
    );
    settings.kv(
        "Open registration",
        if st.open_registration {
            "yes: people may register themselves"
        } else {
            "no: only administrators add accounts"
        },
    );
    settings.kv("Invitation links last", hours(st.invitation_ttl_hours));
    settings.kv("Reset links last", hours(st.reset_ttl_hours));
    let mut words = Section::new("Terminology (the words shown for roster's built-in roles)");
    for (k, v) in [
        ("Owner", &w.owner),
        ("Admin", &w.admin),
        ("Member", &w.member),
        ("Program", &w.program),
        ("Program owner", &w.program_owner),
        ("Contributor", &w.program_contributor),
        ("Viewer", &w.program_viewer),
    ] {
        words.kv(k, v);
    }
    let mut yours = Section::new("What you may change here");
    let profile_cmd = Command::UpdateOrgProfile {
        org: id,
        name: o.name.clone(),
        profile: o.profile.clone(),
    };
    let settings_cmd = Command::UpdateOrgSettings {
        org: id,
        settings: o.settings.clone(),
    };
    yours.kv(
        "Profile",
        refusal(dir, who, &profile_cmd, now)
            .map(|why| format!("no: {why}"))
            .unwrap_or_else(|| "yes".into()),
    );
    yours.kv(
        "Settings",
        refusal(dir, who, &settings_cmd, now)
            .map(|why| format!("no: {why}"))
            .unwrap_or_else(|| "yes".into()),
    );
    Detail {
        title: format!("Organisation {}", o.name),
        sections: vec![about, profile, settings, words, yours],
    }
}
