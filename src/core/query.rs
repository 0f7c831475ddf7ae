//! Queries: pure functions of the directory that every face (CLI, TUI, server) uses to
//! list, filter, sort and page, and to explain an account's permissions.

use super::directory::Directory;
use super::ids::*;
use super::model::*;
use super::perms;
use super::policy::{self, Effective};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Seed 003's list filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    Active,
    Disabled,
    Any,
}

impl StatusFilter {
    pub fn matches(self, a: &Account) -> bool {
        match self {
            StatusFilter::Active => a.enabled,
            StatusFilter::Disabled => !a.enabled,
            StatusFilter::Any => true,
        }
    }
    pub fn next(self) -> Self {
        match self {
            StatusFilter::Active => StatusFilter::Disabled,
            StatusFilter::Disabled => StatusFilter::Any,
            StatusFilter::Any => StatusFilter::Active,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Active => "active",
            StatusFilter::Disabled => "disabled",
            StatusFilter::Any => "any",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountSort {
    #[default]
    Name,
    Email,
    Level,
    Status,
    Created,
}

impl AccountSort {
    pub const ALL: [AccountSort; 5] = [
        AccountSort::Name,
        AccountSort::Email,
        AccountSort::Level,
        AccountSort::Status,
        AccountSort::Created,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AccountSort::Name => "name",
            AccountSort::Email => "email",
            AccountSort::Level => "level",
            AccountSort::Status => "status",
            AccountSort::Created => "created",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    /// Case-insensitive words that must each appear in the name or email.
    pub text: String,
    pub status: StatusFilter,
    pub approval: Option<Approval>,
    pub level: Option<Level>,
    pub verified: Option<bool>,
    /// Holds this organisation role (directly or through a group) or program role.
    pub role: Option<RoleId>,
    pub group: Option<GroupId>,
    /// Is a contact (owner or grant) of this program.
    pub program: Option<ProgramId>,
    pub sort: AccountSort,
    pub descending: bool,
    pub offset: usize,
    /// 0 means no limit.
    pub limit: usize,
}

/// One page of results and how many matched in all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub offset: usize,
}

/// The order status sorts in: what needs attention first.
fn status_rank(a: &Account) -> u8 {
    match (a.approval, a.enabled) {
        (Approval::Pending, _) => 0,
        (_, false) => 1,
        (Approval::Rejected, true) => 2,
        (Approval::Approved, true) => 3,
    }
}

/// A short word for an account's state, for lists.
pub fn status_word(a: &Account) -> &'static str {
    match (a.enabled, a.approval) {
        (false, _) => "disabled",
        (true, Approval::Pending) => "pending",
        (true, Approval::Rejected) => "rejected",
        (true, Approval::Approved) => "active",
    }
}

fn holds_role(dir: &Directory, a: &Account, role: RoleId) -> bool {
    a.roles.iter().any(|g| g.role == role)
        || dir.groups.values().any(|g| {
            g.org == a.org && g.members.contains(&a.id) && g.roles.iter().any(|x| x.role == role)
        })
        || dir.programs.values().any(|p| {
            p.org == a.org
                && p.grants
                    .get(&a.id)
                    .is_some_and(|gs| gs.iter().any(|g| g.role == role))
        })
}

/// True when every whitespace-separated word of `text` appears in the name or email.
pub fn text_matches(a: &Account, text: &str) -> bool {
    if text.trim().is_empty() {
        return true;
    }
    let hay = format!("{} {} {}", a.first_name, a.last_name, a.email).to_lowercase();
    text.to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}

pub fn compare_accounts(a: &Account, b: &Account, sort: AccountSort) -> Ordering {
    // Compared lowercase char by char rather than through `to_lowercase()` Strings:
    // the same order (UTF-8 byte order is code point order; only a Greek final sigma
    // differs), but sorting a million
    // rows no longer allocates four strings per comparison.
    let by_name = |a: &Account, b: &Account| {
        cmp_lower(&a.last_name, &b.last_name).then_with(|| cmp_lower(&a.first_name, &b.first_name))
    };
    let primary = match sort {
        // The name is the whole key: comparing it a second time below would double the
        // cost of every tie (names repeat a lot in a large tenant).
        AccountSort::Name => return by_name(a, b).then_with(|| a.id.cmp(&b.id)),
        AccountSort::Email => cmp_lower(&a.email, &b.email),
        AccountSort::Level => b.level.cmp(&a.level),
        AccountSort::Status => status_rank(a).cmp(&status_rank(b)),
        AccountSort::Created => a.created.cmp(&b.created),
    };
    primary
        .then_with(|| by_name(a, b))
        .then_with(|| a.id.cmp(&b.id))
}

/// Compares `a` and `b` lowercased char by char (`char::to_lowercase`: a Greek final
/// sigma lowercases as σ, unlike `str::to_lowercase`), without allocating.
pub fn cmp_lower(a: &str, b: &str) -> Ordering {
    // Byte by byte while both sides are ASCII (most names and nearly every email);
    // char by char from the first byte that is not, which is a char boundary on both
    // sides since everything before it was ASCII.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < x.len() && i < y.len() && x[i].is_ascii() && y[i].is_ascii() {
        match x[i].to_ascii_lowercase().cmp(&y[i].to_ascii_lowercase()) {
            Ordering::Equal => i += 1,
            o => return o,
        }
    }
    a[i..]
        .chars()
        .flat_map(char::to_lowercase)
        .cmp(b[i..].chars().flat_map(char::to_lowercase))
}

/// Accounts of `org` matching the query, sorted and paged.
pub fn accounts<'a>(dir: &'a Directory, org: OrgId, q: &AccountQuery) -> Page<&'a Account> {
    let mut rows: Vec<&Account> = dir
        .accounts_of(org)
        .filter(|a| q.status.matches(a))
        .filter(|a| q.approval.is_none_or(|x| a.approval == x))
        .filter(|a| q.level.is_none_or(|x| a.level == x))
        .filter(|a| q.verified.is_none_or(|x| a.verified == x))
        .filter(|a| q.role.is_none_or(|r| holds_role(dir, a, r)))
        .filter(|a| {
            q.group.is_none_or(|g| {
                dir.groups
                    .get(&g)
                    .is_some_and(|g| g.members.contains(&a.id))
            })
        })
        .filter(|a| {
            q.program.is_none_or(|p| {
                dir.programs
                    .get(&p)
                    .is_some_and(|p| p.owner == a.id || p.grants.contains_key(&a.id))
            })
        })
        .filter(|a| text_matches(a, &q.text))
        .collect();
    rows.sort_by(|a, b| {
        let o = compare_accounts(a, b, q.sort);
        if q.descending { o.reverse() } else { o }
    });
    page(rows, q.offset, q.limit)
}

fn page<T>(rows: Vec<T>, offset: usize, limit: usize) -> Page<T> {
    let total = rows.len();
    let items = rows
        .into_iter()
        .skip(offset)
        .take(if limit == 0 { usize::MAX } else { limit })
        .collect();
    Page {
        items,
        total,
        offset,
    }
}

/// What a principal may look at in an organisation: the TUI offers a tab, the CLI and
/// server answer a read, only when this says yes (seed 001: the Roles tab is for main users).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Users,
    Roles,
    Contracts,
    Approvals,
    Groups,
    Programs,
    Invitations,
    Audit,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::Users,
        Area::Roles,
        Area::Contracts,
        Area::Approvals,
        Area::Groups,
        Area::Programs,
        Area::Invitations,
        Area::Audit,
    ];

    /// The permission that opens this area.
    pub fn permission(self) -> &'static str {
        match self {
            Area::Users => perms::MEMBERS_READ,
            Area::Roles => perms::ROLES_READ,
            Area::Contracts => perms::CONTRACTS_READ,
            Area::Approvals => perms::MEMBERS_APPROVE,
            Area::Groups => perms::GROUPS_READ,
            // Everyone sees programs; without programs.read only their own.
            Area::Programs => perms::ORG_READ,
            Area::Invitations => perms::INVITATIONS_READ,
            Area::Audit => perms::AUDIT_READ,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Users => "Users",
            Area::Roles => "Roles",
            Area::Contracts => "Contracts",
            Area::Approvals => "Approvals",
            Area::Groups => "Groups",
            Area::Programs => "Programs",
            Area::Invitations => "Invitations",
            Area::Audit => "Audit",
        }
    }
}

pub fn can_see(dir: &Directory, who: &Principal, org: OrgId, area: Area, now: Timestamp) -> bool {
    match area {
        // Inviters keep track of what they sent (seed 004) without invitations.read.
        Area::Invitations => policy::has_invitations_view(dir, who, org, now),
        _ => policy::org_permissions(dir, who, org, now).contains(area.permission()),
    }
}

/// The organisations a principal can reach: all for the operator, its own for an account.
pub fn reachable_orgs<'a>(dir: &'a Directory, who: &Principal) -> Vec<&'a Org> {
    match who {
        Principal::Operator => dir.orgs.values().collect(),
        Principal::Account { id } => dir
            .accounts
            .get(id)
            .and_then(|a| dir.orgs.get(&a.org))
            .into_iter()
            .collect(),
        Principal::Anonymous => vec![],
    }
}

/// A role with how many accounts hold it (directly, through groups, or in programs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleRow<'a> {
    pub role: &'a Role,
    pub holders: usize,
    pub groups: usize,
    /// For a gated role: whether its contract is in force and the seats it has.
    pub unlocked: bool,
    pub seats: Option<u32>,
}

pub fn roles<'a>(dir: &'a Directory, org: OrgId, now: Timestamp) -> Vec<RoleRow<'a>> {
    let mut rows: Vec<RoleRow> = dir
        .roles_of(org)
        .map(|role| {
            let holders = policy::holders(dir, role, now).len();
            let groups = dir
                .groups
                .values()
                .filter(|g| g.org == org && g.roles.iter().any(|x| x.role == role.id))
                .count();
            let (unlocked, seats) = match &role.gate {
                Some(p) => (
                    policy::product_active(dir, org, p, now),
                    Some(policy::product_seats(dir, org, p, now)),
                ),
                None => (true, None),
            };
            RoleRow {
                role,
                holders,
                groups,
                unlocked,
                seats,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a.role.scope,
            a.role.builtin.is_none(),
            a.role.name.to_lowercase(),
        )
            .cmp(&(
                b.role.scope,
                b.role.builtin.is_none(),
                b.role.name.to_lowercase(),
            ))
    });
    rows
}

/// How an account holds a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Holding {
    Direct {
        until: Option<Timestamp>,
    },
    Group {
        group: GroupId,
        until: Option<Timestamp>,
    },
    Program {
        program: ProgramId,
        until: Option<Timestamp>,
    },
}

/// Who holds a role and how, including grants that have lapsed (they are on record).
pub fn role_holders<'a>(dir: &'a Directory, role: &Role) -> Vec<(&'a Account, Holding)> {
    let mut out = vec![];
    for a in dir.grantees_of(role.id).filter(|a| a.org == role.org) {
        for g in a.roles.iter().filter(|g| g.role == role.id) {
            out.push((a, Holding::Direct { until: g.until }));
        }
    }
    for group in dir.groups.values().filter(|g| g.org == role.org) {
        for g in group.roles.iter().filter(|g| g.role == role.id) {
            for m in &group.members {
                if let Some(a) = dir.accounts.get(m) {
                    out.push((
                        a,
                        Holding::Group {
                            group: group.id,
                            until: g.until,
                        },
                    ));
                }
            }
        }
    }
    for p in dir.programs.values().filter(|p| p.org == role.org) {
        for (acc, gs) in &p.grants {
            for g in gs.iter().filter(|g| g.role == role.id) {
                if let Some(a) = dir.accounts.get(acc) {
                    out.push((
                        a,
                        Holding::Program {
                            program: p.id,
                            until: g.until,
                        },
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| compare_accounts(a.0, b.0, AccountSort::Name));
    out
}

pub fn groups(dir: &Directory, org: OrgId) -> Vec<&Group> {
    let mut rows: Vec<&Group> = dir.groups.values().filter(|g| g.org == org).collect();
    rows.sort_by_key(|g| g.name.to_lowercase());
    rows
}

/// Programs a principal may see: all with `programs.read`, else those it is a contact of.
pub fn programs<'a>(
    dir: &'a Directory,
    who: &Principal,
    org: OrgId,
    now: Timestamp,
) -> Vec<&'a Program> {
    let all = policy::org_permissions(dir, who, org, now).contains(perms::PROGRAMS_READ);
    let me = match who {
        Principal::Account { id } => Some(*id),
        _ => None,
    };
    let mut rows: Vec<&Program> = dir
        .programs
        .values()
        .filter(|p| p.org == org)
        .filter(|p| all || me.is_some_and(|m| p.owner == m || p.grants.contains_key(&m)))
        .collect();
    rows.sort_by_key(|p| p.name.to_lowercase());
    rows
}

/// The contacts of a program: the owner first, then everyone with a grant (by name).
/// The accounts are the directory's own (`Arc`), so a caller may keep them.
pub fn program_contacts<'a>(
    dir: &'a Directory,
    p: &'a Program,
) -> Vec<(&'a std::sync::Arc<Account>, Vec<&'a Grant>, bool)> {
    let mut out = vec![];
    if let Some(o) = dir.accounts.get(&p.owner) {
        out.push((
            o,
            p.grants
                .get(&o.id)
                .map(|g| g.iter().collect())
                .unwrap_or_default(),
            true,
        ));
    }
    let mut rest: Vec<_> = p
        .grants
        .iter()
        .filter(|(a, _)| **a != p.owner)
        .filter_map(|(a, gs)| {
            dir.accounts
                .get(a)
                .map(|acc| (acc, gs.iter().collect(), false))
        })
        .collect();
    rest.sort_by(|a: &(&std::sync::Arc<Account>, Vec<&Grant>, bool), b| {
        compare_accounts(a.0, b.0, AccountSort::Name)
    });
    out.extend(rest);
    out
}

/// A contract with how many of its seats are used (the most-held role it unlocks).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContractRow<'a> {
    pub contract: &'a Contract,
    pub seats_used: usize,
    /// Ends within 30 days of `now` (highlighted in lists).
    pub ends_soon: bool,
    pub in_force: bool,
}

pub fn contracts(dir: &Directory, org: Option<OrgId>, now: Timestamp) -> Vec<ContractRow<'_>> {
    let soon = now + jiff::SignedDuration::from_hours(24 * 30);
    let mut rows: Vec<ContractRow> = dir
        .contracts
        .values()
        .filter(|c| org.is_none_or(|o| c.org == o))
        .map(|c| {
            let seats_used = dir
                .roles_of(c.org)
                .filter(|r| {
                    r.gate
                        .as_deref()
                        .is_some_and(|g| g.eq_ignore_ascii_case(&c.product))
                })
                .map(|r| policy::holders(dir, r, now).len())
                .max()
                .unwrap_or(0);
            ContractRow {
                contract: c,
                seats_used,
                ends_soon: c.in_force(now) && c.end.is_some_and(|e| e <= soon),
                in_force: c.in_force(now),
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.contract.org, r.contract.status, r.contract.start));
    rows
}

/// Invitations of an organisation, newest first, with their status as of `now`.
pub fn invitations<'a>(
    dir: &'a Directory,
    who: &Principal,
    org: OrgId,
    status: Option<InvitationStatus>,
    now: Timestamp,
) -> Vec<(&'a Invitation, InvitationStatus)> {
    let everything = policy::org_permissions(dir, who, org, now).contains(perms::INVITATIONS_READ);
    let mut rows: Vec<_> = dir
        .invitations
        .values()
        .filter(|i| i.org == org)
        .filter(|i| everything || policy::sees_invitation(dir, who, i, now))
        .map(|i| (i, i.status_at(now)))
        .filter(|(_, s)| status.is_none_or(|x| *s == x))
        .collect();
    rows.sort_by(|a, b| b.0.sent_at.cmp(&a.0.sent_at).then(b.0.id.cmp(&a.0.id)));
    rows
}

/// The approval queue: pending requests oldest first (then decided ones, newest first,
/// when `include_decided`).
pub fn approval_queue(dir: &Directory, org: OrgId, include_decided: bool) -> Vec<&ApprovalRequest> {
    let mut pending: Vec<&ApprovalRequest> = dir
        .requests
        .values()
        .filter(|r| r.org == org && r.status == RequestStatus::Pending)
        .collect();
    pending.sort_by_key(|r| (r.requested_at, r.id));
    if include_decided {
        let mut decided: Vec<&ApprovalRequest> = dir
            .requests
            .values()
            .filter(|r| r.org == org && r.status != RequestStatus::Pending)
            .collect();
        decided.sort_by(|a, b| b.decided_at.cmp(&a.decided_at).then(b.id.cmp(&a.id)));
        pending.extend(decided);
    }
    pending
}

/// What a request asks for, in words.
pub fn describe_request(dir: &Directory, r: &ApprovalRequest) -> String {
    let who = dir
        .accounts
        .get(&r.account)
        .map(|a| a.email.clone())
        .unwrap_or_else(|| r.account.to_string());
    match &r.kind {
        RequestKind::Join => format!("{who} asks to join"),
        RequestKind::Role { role, program } => {
            let role = dir
                .roles
                .get(role)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| role.to_string());
            match program.and_then(|p| dir.programs.get(&p)) {
                Some(p) => format!("{who} asks for {role} in {}", p.name),
                None => format!("{who} asks for {role}"),
            }
        }
    }
}

/// Everything the detail view of an account shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountDetail<'a> {
    pub account: &'a Account,
    pub effective: Effective,
    pub groups: Vec<&'a Group>,
    /// Programs the account is a contact of, with its program permissions and their roles.
    pub programs: Vec<ProgramAccess<'a>>,
    pub invitations: Vec<&'a Invitation>,
    pub requests: Vec<&'a ApprovalRequest>,
    pub owned_programs: Vec<&'a Program>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgramAccess<'a> {
    pub program: &'a Program,
    pub owner: bool,
    pub grants: Vec<&'a Grant>,
    pub permissions: std::collections::BTreeMap<String, Vec<String>>,
}

pub fn account_detail<'a>(dir: &'a Directory, a: &'a Account, now: Timestamp) -> AccountDetail<'a> {
    let groups = groups(dir, a.org)
        .into_iter()
        .filter(|g| g.members.contains(&a.id))
        .collect();
    let mut programs: Vec<ProgramAccess> = dir
        .programs
        .values()
        .filter(|p| p.org == a.org && (p.owner == a.id || p.grants.contains_key(&a.id)))
        .map(|p| ProgramAccess {
            program: p,
            owner: p.owner == a.id,
            grants: p
                .grants
                .get(&a.id)
                .map(|g| g.iter().collect())
                .unwrap_or_default(),
            permissions: policy::program_permissions(dir, a, p, now),
        })
        .collect();
    programs.sort_by_key(|p| p.program.name.to_lowercase());
    let invitations = dir
        .invitations
        .values()
        .filter(|i| {
            i.org == a.org && (i.account == Some(a.id) || i.email.eq_ignore_ascii_case(&a.email))
        })
        .collect();
    let requests = dir
        .requests
        .values()
        .filter(|r| r.account == a.id)
        .collect();
    let owned_programs = dir.programs.values().filter(|p| p.owner == a.id).collect();
    AccountDetail {
        account: a,
        effective: policy::effective(dir, a, now),
        groups,
        programs,
        invitations,
        requests,
        owned_programs,
    }
}

/// A display name for a role in its organisation's words.
pub fn role_name(dir: &Directory, role: RoleId) -> String {
    dir.roles
        .get(&role)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| format!("{role} (deleted)"))
}

/// A display label for an account id (its email), also after deletion.
pub fn account_label(dir: &Directory, id: AccountId) -> String {
    dir.accounts
        .get(&id)
        .map(|a| a.email.clone())
        .unwrap_or_else(|| format!("{id} (deleted)"))
}
