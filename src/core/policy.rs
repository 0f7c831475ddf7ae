//! Who holds which permission, and why. The same functions answer "may this principal
//! do that?" for `decide` and "why does alice have this?" for the detail views.

use super::directory::Directory;
use super::ids::*;
use super::model::*;
use super::perms;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where a permission comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The account's level (owner, admin, member).
    Level { level: Level },
    /// A role granted to the account directly.
    Role { role: RoleId },
    /// A role granted to a group the account is in.
    Group { group: GroupId, role: RoleId },
}

/// A grant on record that confers nothing right now, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    pub role: RoleId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    pub why: String,
}

/// An account's organisation permissions with the reasons for each.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub granted: BTreeMap<String, Vec<Source>>,
    pub ignored: Vec<Ignored>,
    /// Set when the account holds nothing at all, e.g. "disabled".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive: Option<String>,
}

impl Effective {
    pub fn has(&self, perm: &str) -> bool {
        self.granted.contains_key(perm)
    }
}

/// True while the organisation has a contract in force for `product`.
pub fn product_active(dir: &Directory, org: OrgId, product: &str, now: Timestamp) -> bool {
    dir.contracts
        .values()
        .any(|c| c.org == org && c.product.eq_ignore_ascii_case(product) && c.in_force(now))
}

/// Seats bought for `product`: the largest active contract (0 if none).
///
/// Deliberately independent of the clock: a contract reaching its start or end date must
/// not change how many may hold a gated role, or time alone could break invariant 7.
/// Only commands (suspend, resume, end, seats) change it, and `decide` checks those.
/// Whether the role confers anything right now is `product_active`.
pub fn product_seats(dir: &Directory, org: OrgId, product: &str, _now: Timestamp) -> u32 {
    seat_capacity(dir, org, product).unwrap_or(0)
}

/// Seats of the largest active contract for `product`, `None` when none is active (the
/// grants then confer nothing and seats do not apply).
pub fn seat_capacity(dir: &Directory, org: OrgId, product: &str) -> Option<u32> {
    dir.contracts
        .values()
        .filter(|c| c.org == org && c.product.eq_ignore_ascii_case(product))
        .filter(|c| c.status == ContractStatus::Active)
        .map(|c| c.seats)
        .max()
}

/// True unless `role` is gated by a product the organisation has no contract in force for.
fn gate_open(dir: &Directory, org: OrgId, role: &Role, now: Timestamp) -> bool {
    role.gate
        .as_deref()
        .is_none_or(|product| product_active(dir, org, product, now))
}

/// Why a grant of `role` confers nothing at `now`, if it doesn't.
fn grant_dead(dir: &Directory, org: OrgId, grant: &Grant, now: Timestamp) -> Option<String> {
    let Some(role) = dir.roles.get(&grant.role) else {
        return Some("role no longer exists".into());
    };
    if !grant.live(now) {
        return Some(format!(
            "grant ended {}",
            grant.until.map(|u| u.to_string()).unwrap_or_default()
        ));
    }
    if !gate_open(dir, org, role, now) {
        let product = role.gate.as_deref().unwrap_or_default();
        return Some(format!("needs an active {product} contract"));
    }
    None
}

/// The organisation permissions of an account, with reasons (DESIGN §2 invariants 6, 7).
pub fn effective(dir: &Directory, account: &Account, now: Timestamp) -> Effective {
    let mut eff = Effective::default();
    let org = account.org;
    if !account.enabled {
        eff.inactive = Some("disabled: holds no permission".into());
        return eff;
    }
    match account.approval {
        Approval::Pending => {
            eff.inactive = Some("waiting for approval: holds no permission yet".into());
            return eff;
        }
        Approval::Rejected => {
            eff.inactive = Some("rejected: holds no permission".into());
            return eff;
        }
        Approval::Approved => {}
    }
    let level_source = Source::Level {
        level: account.level,
    };
    let admin = account.level >= Level::Admin;
    let base: Vec<&str> = if admin {
        perms::admin_permissions().collect()
    } else {
        perms::MEMBER_BASE.to_vec()
    };
    for p in base {
        eff.granted
            .entry(p.to_string())
            .or_default()
            .push(level_source.clone());
    }
    if admin {
        // Seed 003: "Admins have full permission to everything within their
        // subscription", which includes application permissions only roles mention —
        // but not a contract-gated role's while its contract is not in force
        // (invariant 7 holds for everyone: seed 001's Integrator needs an IDaaS
        // subscription, whoever asks).
        for role in dir
            .roles_of(org)
            .filter(|r| r.scope == Scope::Org)
            .filter(|r| gate_open(dir, org, r, now))
        {
            for p in &role.permissions {
                let sources = eff.granted.entry(p.clone()).or_default();
                if !sources.contains(&level_source) {
                    sources.push(level_source.clone());
                }
            }
        }
    }
    let add = |eff: &mut Effective, grant: &Grant, group: Option<GroupId>| {
        if admin {
            eff.ignored.push(Ignored {
                role: grant.role,
                group,
                why: "kept but ignored while the account is admin".into(),
            });
            return;
        }
        if let Some(why) = grant_dead(dir, org, grant, now) {
            eff.ignored.push(Ignored {
                role: grant.role,
                group,
                why,
            });
            return;
        }
        let role = &dir.roles[&grant.role];
        let source = match group {
            Some(g) => Source::Group {
                group: g,
                role: role.id,
            },
            None => Source::Role { role: role.id },
        };
        for p in &role.permissions {
            let sources = eff.granted.entry(p.clone()).or_default();
            if !sources.contains(&source) {
                sources.push(source.clone());
            }
        }
    };
    for grant in &account.roles {
        add(&mut eff, grant, None);
    }
    for group in dir
        .groups
        .values()
        .filter(|g| g.org == org && g.members.contains(&account.id))
    {
        for grant in &group.roles {
            add(&mut eff, grant, Some(group.id));
        }
    }
    eff
}

/// The organisation permissions a principal holds in `org` (operators hold all).
pub fn org_permissions(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    now: Timestamp,
) -> BTreeSet<String> {
    match who {
        Principal::Operator => perms::admin_permissions().map(String::from).collect(),
        Principal::Account { id } => match dir.accounts.get(id) {
            Some(a) if a.org == org => effective(dir, a, now).granted.into_keys().collect(),
            _ => BTreeSet::new(),
        },
        Principal::Anonymous => BTreeSet::new(),
    }
}

/// How much a principal may do in one program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProgramAuthority {
    None,
    /// Manages viewer and contributor contacts (seed 004 Contributor).
    Contacts,
    /// Owner, org admin, holder of `programs.manage`, or the operator.
    Full,
}

/// The program permissions of an account in one program, with the role each comes from.
pub fn program_permissions(
    dir: &Directory,
    account: &Account,
    program: &Program,
    now: Timestamp,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !account.active() || account.org != program.org {
        return out;
    }
    let all_program_perms = || {
        perms::CATALOGUE
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| perms::is_program_permission(p))
    };
    if account.level >= Level::Admin {
        for p in all_program_perms() {
            out.entry(p.into())
                .or_default()
                .push("organisation admin".into());
        }
        return out;
    }
    if program.owner == account.id {
        for p in all_program_perms() {
            out.entry(p.into())
                .or_default()
                .push("program owner".into());
        }
    }
    let org_eff = effective(dir, account, now);
    if org_eff.has(perms::PROGRAMS_MANAGE) {
        for p in all_program_perms() {
            out.entry(p.into())
                .or_default()
                .push(perms::PROGRAMS_MANAGE.into());
        }
    }
    for grant in program.grants.get(&account.id).into_iter().flatten() {
        if grant_dead(dir, program.org, grant, now).is_some() {
            continue;
        }
        let role = &dir.roles[&grant.role];
        for p in &role.permissions {
            out.entry(p.clone()).or_default().push(role.name.clone());
        }
    }
    out
}

pub fn program_authority(
    dir: &Directory,
    who: &Principal,
    program: &Program,
    now: Timestamp,
) -> ProgramAuthority {
    match who {
        Principal::Operator => ProgramAuthority::Full,
        Principal::Anonymous => ProgramAuthority::None,
        Principal::Account { id } => {
            let Some(account) = dir.accounts.get(id) else {
                return ProgramAuthority::None;
            };
            if !account.active() || account.org != program.org {
                return ProgramAuthority::None;
            }
            if account.level >= Level::Admin
                || program.owner == account.id
                || effective(dir, account, now).has(perms::PROGRAMS_MANAGE)
            {
                return ProgramAuthority::Full;
            }
            let perms = program_permissions(dir, account, program, now);
            if perms.contains_key(perms::PROGRAM_CONTACTS) {
                ProgramAuthority::Contacts
            } else {
                ProgramAuthority::None
            }
        }
    }
}

/// Whether `who` may see invitation `inv` (seed 004: "keep track of what invitations have
/// been sent and who has accepted"): with `invitations.read`; the one who sent it; and
/// whoever manages the contacts of a program it offers (the program's owner and
/// contributors, who invite to it). Operators see all.
pub fn sees_invitation(dir: &Directory, who: &Principal, inv: &Invitation, now: Timestamp) -> bool {
    match who {
        Principal::Operator => true,
        Principal::Anonymous => false,
        Principal::Account { id } => {
            let Some(me) = dir.accounts.get(id) else {
                return false;
            };
            if me.org != inv.org {
                return false;
            }
            inv.sent_by == Some(*id)
                || effective(dir, me, now).has(perms::INVITATIONS_READ)
                || manages_an_offered_program(dir, who, inv, now)
        }
    }
}

/// Whether `who` manages the contacts of a program `inv` offers (and so may follow it).
pub fn manages_an_offered_program(
    dir: &Directory,
    who: &Principal,
    inv: &Invitation,
    now: Timestamp,
) -> bool {
    inv.programs.iter().any(|offer| {
        dir.programs
            .get(&offer.program)
            .is_some_and(|p| program_authority(dir, who, p, now) >= ProgramAuthority::Contacts)
    })
}

/// Whether `who` has an Invitations list to look at in `org`: it may read them all,
/// invite, or manage some program's contacts (and so invite to that program).
pub fn has_invitations_view(dir: &Directory, who: &Principal, org: OrgId, now: Timestamp) -> bool {
    let held = org_permissions(dir, who, org, now);
    held.contains(perms::INVITATIONS_READ)
        || held.contains(perms::MEMBERS_INVITE)
        || dir
            .invitations
            .values()
            .any(|i| i.org == org && sees_invitation(dir, who, i, now))
        || dir.programs.values().any(|p| {
            p.org == org && program_authority(dir, who, p, now) >= ProgramAuthority::Contacts
        })
}

/// Accounts that hold `role` through a live grant: directly, through a group, or in a
/// program. Used to count contract seats.
pub fn holders(dir: &Directory, role: &Role, now: Timestamp) -> BTreeSet<AccountId> {
    let mut out = BTreeSet::new();
    let live = |gs: &[Grant]| gs.iter().any(|g| g.role == role.id && g.live(now));
    match role.scope {
        Scope::Org => {
            for a in dir.grantees_of(role.id).filter(|a| a.org == role.org) {
                if live(&a.roles) {
                    out.insert(a.id);
                }
            }
            for g in dir.groups.values().filter(|g| g.org == role.org) {
                if live(&g.roles) {
                    out.extend(g.members.iter().copied());
                }
            }
        }
        Scope::Program => {
            for p in dir.programs.values().filter(|p| p.org == role.org) {
                for (a, gs) in &p.grants {
                    if live(gs) {
                        out.insert(*a);
                    }
                }
            }
        }
    }
    out
}

/// Counts for the pending badge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCounts {
    /// Accounts waiting for approval.
    pub accounts: usize,
    /// Open requests in the approval queue (joins and roles).
    pub requests: usize,
}

pub fn pending_counts(dir: &Directory, org: OrgId) -> PendingCounts {
    PendingCounts {
        accounts: dir
            .accounts_of(org)
            .filter(|a| a.approval == Approval::Pending)
            .count(),
        requests: dir
            .requests
            .values()
            .filter(|r| r.org == org && r.status == RequestStatus::Pending)
            .count(),
    }
}
