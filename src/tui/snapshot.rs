//! Everything one load copies out of the store (`Snapshot`), and the load itself.
//! Effects build it on a blocking thread; the `App` keeps it and never touches the
//! backend.

use super::rows::*;
use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::policy::{self, PendingCounts};
use crate::core::query::{self, Area};
use crate::core::summary;
use crate::core::*;
use jiff::Timestamp;
use std::collections::BTreeSet;

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
