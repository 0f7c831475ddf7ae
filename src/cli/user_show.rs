//! `roster user show EMAIL`: everything about one account, with the reason for each
//! permission and the account's history.

use super::context::{Ctx, may_see};
use super::fail::{Failure, Outcome};
use super::output::{Shown, when};
use super::resolve;
use crate::backend::AuditQuery;
use crate::core::policy::Source;
use crate::core::query::{self, Area};
use crate::core::summary::summary;
use crate::core::*;
use serde_json::json as j;

pub fn run(ctx: &Ctx, email: &str) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    // The account's history: what it did and what was done to it.
    let (target_email, audit_ok) = ctx.read(|dir| {
        let a = resolve::account(dir, org, email).map(|a| a.email.clone());
        let audit_ok = may_see(dir, &who, org, Area::Audit, now).is_ok();
        (a, audit_ok)
    })?;
    let target_email = target_email.map_err(Failure::not_found)?;
    let history = if audit_ok {
        history(ctx, org, &target_email)?
    } else {
        vec![]
    };
    ctx.view(|dir| {
        let a = resolve::account(dir, org, email)?;
        if who != (Principal::Account { id: a.id }) {
            may_see(dir, &who, org, Area::Users, now)?;
        }
        let detail = query::account_detail(dir, a, now);
        if json {
            let history: Vec<_> = history
                .iter()
                .map(|r| j!({ "record": r, "summary": summary(dir, r) }))
                .collect();
            return Shown::json(&j!({ "detail": detail, "history": history }));
        }
        Ok(Shown::Text(detail_lines(
            dir, &detail, &history, audit_ok, now,
        )))
    })
}

fn history(ctx: &Ctx, org: OrgId, email: &str) -> Outcome<Vec<Recorded>> {
    let base = AuditQuery {
        org: Some(org),
        limit: 30,
        ..AuditQuery::default()
    };
    let mut by_it = ctx.backend.audit(&AuditQuery {
        actor: Some(email.to_string()),
        ..base.clone()
    })?;
    let about_it = ctx.backend.audit(&AuditQuery {
        text: Some(email.to_string()),
        ..base
    })?;
    by_it.extend(about_it);
    by_it.sort_by_key(|r| std::cmp::Reverse(r.seq));
    by_it.dedup_by_key(|r| r.seq);
    by_it.truncate(30);
    Ok(by_it)
}

fn detail_lines(
    dir: &Directory,
    d: &query::AccountDetail,
    history: &[Recorded],
    audit_ok: bool,
    now: jiff::Timestamp,
) -> Vec<String> {
    let a = d.account;
    let words = &dir.orgs[&a.org].settings.terminology;
    let role = |id: RoleId| query::role_name(dir, id);
    let group = |id: GroupId| {
        dir.groups
            .get(&id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let until =
        |u: Option<jiff::Timestamp>| u.map(|u| format!(" until {}", when(u))).unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut l = vec![
        format!("{} <{}> ({})", a.full_name(), a.email, a.id),
        format!(
            "  level:      {} ({})",
            words.level(a.level),
            a.level.as_str()
        ),
        format!(
            "  status:     {} (enabled: {}, approval: {}, verified: {})",
            query::status_word(a),
            yes(a.enabled),
            a.approval.as_str(),
            yes(a.verified)
        ),
        format!("  created:    {}", when(a.created)),
    ];
    l.push("roles:".into());
    if a.roles.is_empty() {
        l.push("  (none)".into());
    }
    for g in &a.roles {
        l.push(format!("  {}{}", role(g.role), until(g.until)));
    }
    l.push("groups:".into());
    if d.groups.is_empty() {
        l.push("  (none)".into());
    }
    for g in &d.groups {
        let roles: Vec<String> = g
            .roles
            .iter()
            .map(|x| format!("{}{}", role(x.role), until(x.until)))
            .collect();
        let roles = if roles.is_empty() {
            String::new()
        } else {
            format!(" (gives {})", roles.join(", "))
        };
        l.push(format!("  {}{roles}", g.name));
    }
    l.push(format!("{}s:", words.program.to_lowercase()));
    if d.programs.is_empty() {
        l.push("  (none)".into());
    }
    for p in &d.programs {
        let mut held: Vec<String> = p
            .grants
            .iter()
            .map(|g| format!("{}{}", role(g.role), until(g.until)))
            .collect();
        if p.owner {
            held.insert(0, words.program_owner.clone());
        }
        l.push(format!("  {}: {}", p.program.name, held.join(", ")));
        if !p.permissions.is_empty() {
            let perms: Vec<&str> = p.permissions.keys().map(String::as_str).collect();
            l.push(format!("    permissions: {}", perms.join(", ")));
        }
    }
    l.push("effective organisation permissions:".into());
    if let Some(why) = &d.effective.inactive {
        l.push(format!("  none: {why}"));
    }
    for (perm, sources) in &d.effective.granted {
        let why: Vec<String> = sources
            .iter()
            .map(|s| match s {
                Source::Level { level } => format!("as {}", words.level(*level)),
                Source::Role { role: r } => format!("role {}", role(*r)),
                Source::Group { group: g, role: r } => {
                    format!("role {} through group {}", role(*r), group(*g))
                }
            })
            .collect();
        l.push(format!("  {perm:<18} {}", why.join("; ")));
    }
    if !d.effective.ignored.is_empty() {
        l.push("grants that confer nothing now:".into());
        for i in &d.effective.ignored {
            let via = i
                .group
                .map(|g| format!(" (through group {})", group(g)))
                .unwrap_or_default();
            l.push(format!("  {}{via}: {}", role(i.role), i.why));
        }
    }
    if !d.invitations.is_empty() {
        l.push("invitations:".into());
        for i in &d.invitations {
            l.push(format!(
                "  {}  {}  sent {}  expires {}",
                i.id,
                i.status_at(now).as_str(),
                when(i.sent_at),
                when(i.expires)
            ));
        }
    }
    if !d.requests.is_empty() {
        l.push("requests:".into());
        for r in &d.requests {
            l.push(format!(
                "  {}  {}  {}",
                r.id,
                r.status.as_str(),
                query::describe_request(dir, r)
            ));
        }
    }
    if audit_ok {
        l.push("history (newest first):".into());
        if history.is_empty() {
            l.push("  (nothing recorded)".into());
        }
        for r in history {
            l.push(format!(
                "  {}  {}  {}",
                when(r.at),
                r.actor_label,
                summary(dir, r)
            ));
        }
    }
    l
}
