//! Building detail views from the directory: one record with everything around it
//! (an account's roles, groups and trail; a program's contacts; a request's decision).

use super::rows::*;
use super::sections::*;
use super::snapshot::*;
use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::policy::{self, Source};
use crate::core::query::{self, Area};
use crate::core::summary;
use crate::core::*;
use jiff::Timestamp;

/// second call to the backend.
pub fn load_detail(
    backend: &dyn Backend,
    who: &Principal,
    target: Target,
) -> Result<Detail, BackendError> {
    if let Target::Outbox(org) = target {
        return super::outbox_detail::load(backend, who, org);
    }
    if let Target::OutboxMessage(org, mail) = target {
        return super::outbox_detail::load_message(backend, who, org, mail);
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
        Target::Outbox(org) => {
            super::outbox_detail::detail(dir, who, org, now, &Default::default())
        }
        Target::OutboxMessage(org, mail) => {
            super::outbox_detail::message_detail(dir, who, org, mail, now, None)
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
