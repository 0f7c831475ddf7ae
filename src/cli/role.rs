//! `roster role …`: roles, their permissions, and who holds them.

use super::args::{RoleCmd, RoleTarget};
use super::context::{Ctx, may_see};
use super::dates::{self, Edge};
use super::exec::{self, Change};
use super::fail::{Failure, Outcome};
use super::output::{Shown, Table, when};
use super::resolve;
use super::user::unique;
use crate::core::query::{self, Area, Holding};
use crate::core::*;
use serde_json::json as j;
use std::collections::BTreeSet;

pub fn run(ctx: &Ctx, cmd: RoleCmd) -> Outcome {
    match cmd {
        RoleCmd::List => list(ctx),
        RoleCmd::Show { role } => show(ctx, &role),
        RoleCmd::Create {
            name,
            description,
            permissions,
            program_scope,
            gate,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let cmd = Command::CreateRole {
                org,
                name: name.clone(),
                description,
                scope: if program_scope {
                    Scope::Program
                } else {
                    Scope::Org
                },
                permissions: permissions
                    .iter()
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
                gate,
            };
            exec::apply(ctx, &who, vec![Change::new(name, Ok(cmd))])
        }
        RoleCmd::Edit {
            role,
            name,
            description,
            set,
            add,
            remove,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd = resolve::role(dir, org, &role).map(|r| {
                    let mut permissions: BTreeSet<String> = match &set {
                        Some(s) => s.iter().map(|p| p.trim().to_string()).collect(),
                        None => r.permissions.clone(),
                    };
                    permissions.extend(add.iter().map(|p| p.trim().to_string()));
                    for p in &remove {
                        permissions.remove(p.trim());
                    }
                    permissions.retain(|p| !p.is_empty());
                    Command::EditRole {
                        role: r.id,
                        name: name.clone().unwrap_or_else(|| r.name.clone()),
                        description: description.clone().unwrap_or_else(|| r.description.clone()),
                        permissions,
                    }
                });
                Change::new(role.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        RoleCmd::Delete { role } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd =
                    resolve::role(dir, org, &role).map(|r| Command::DeleteRole { role: r.id });
                Change::new(role.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        RoleCmd::Grant(t) => grant_or_revoke(ctx, t, true),
        RoleCmd::Revoke(t) => grant_or_revoke(ctx, t, false),
    }
}

fn grant_or_revoke(ctx: &Ctx, t: RoleTarget, grant: bool) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    if !grant && t.until.is_some() {
        return Err(Failure::msg(
            "--until is for grants: a revoke ends the grant now",
        ));
    }
    let until =
        dates::parse_opt(t.until.as_deref(), ctx.now(), Edge::End).map_err(Failure::Message)?;
    let changes = ctx.read(|dir| {
        let role = resolve::role(dir, org, &t.role).map(|r| r.id);
        let mut changes = vec![];
        for email in unique(&t.users) {
            let cmd = role.clone().and_then(|role| {
                let a = resolve::account(dir, org, &email)?;
                Ok(if grant {
                    Command::GrantRole {
                        account: a.id,
                        role,
                        until,
                    }
                } else {
                    Command::RevokeRole {
                        account: a.id,
                        role,
                    }
                })
            });
            changes.push(Change::new(email, cmd));
        }
        if let Some(g) = &t.group {
            let cmd = role.clone().and_then(|role| {
                let g = resolve::group(dir, org, g)?;
                Ok(if grant {
                    Command::GrantGroupRole {
                        group: g.id,
                        role,
                        until,
                    }
                } else {
                    Command::RevokeGroupRole { group: g.id, role }
                })
            });
            changes.push(Change::new(format!("group {g}"), cmd));
        }
        changes
    })?;
    exec::apply(ctx, &who, changes)
}

fn kind(r: &Role) -> String {
    match (&r.builtin, &r.gate) {
        (Some(_), _) => "built-in".into(),
        (None, Some(product)) => format!("needs {product}"),
        (None, None) => "custom".into(),
    }
}

fn list(ctx: &Ctx) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Roles, now)?;
        let rows = query::roles(dir, org, now);
        if json {
            return Shown::json(&rows);
        }
        let mut t = Table::new(&[
            "NAME",
            "SCOPE",
            "KIND",
            "HOLDERS",
            "GROUPS",
            "SEATS",
            "DESCRIPTION",
        ]);
        for r in &rows {
            let seats = match (r.role.gate.is_some(), r.unlocked, r.seats) {
                (false, _, _) => "-".to_string(),
                (true, false, _) => "locked: no active contract".to_string(),
                (true, true, Some(s)) => format!("{}/{s}", r.holders),
                (true, true, None) => "-".to_string(),
            };
            t.row(vec![
                r.role.name.clone(),
                r.role.scope_word().into(),
                kind(r.role),
                r.holders.to_string(),
                r.groups.to_string(),
                seats,
                r.role.description.clone(),
            ]);
        }
        let mut lines = t.lines("no roles");
        let w = &dir.orgs[&org].settings.terminology;
        lines.push(format!(
            "levels (not roles; change with user promote/demote and org transfer): {}, {}, {}",
            w.owner, w.admin, w.member
        ));
        Ok(Shown::Text(lines))
    })
}

fn show(ctx: &Ctx, name: &str) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Roles, now)?;
        let r = resolve::role(dir, org, name)?;
        let holders = query::role_holders(dir, r);
        if json {
            let holders: Vec<_> = holders
                .iter()
                .map(|(a, h)| j!({ "account": a.email, "holding": h }))
                .collect();
            return Shown::json(&j!({ "role": r, "holders": holders }));
        }
        let mut l = vec![
            format!(
                "{} ({}, {} role, {})",
                r.name,
                r.id,
                r.scope_word(),
                kind(r)
            ),
            format!("  description: {}", r.description),
        ];
        if let Some(p) = &r.gate {
            let state = if policy::product_active(dir, org, p, now) {
                format!(
                    "unlocked: {} seat(s)",
                    policy::product_seats(dir, org, p, now)
                )
            } else {
                "locked: no active contract".into()
            };
            l.push(format!("  contract:    {p} ({state})"));
        }
        l.push("permissions:".into());
        if r.permissions.is_empty() {
            l.push("  (none)".into());
        }
        for p in &r.permissions {
            let what = perms::CATALOGUE
                .iter()
                .find(|(k, _)| k == p)
                .map(|(_, d)| *d)
                .unwrap_or("application permission");
            l.push(format!("  {p:<18} {what}"));
        }
        let mut t = Table::new(&["EMAIL", "NAME", "HOW", "UNTIL"]);
        for (a, h) in &holders {
            let (how, until) = match h {
                Holding::Direct { until } => ("directly".to_string(), *until),
                Holding::Group { group, until } => {
                    let g = dir
                        .groups
                        .get(group)
                        .map(|g| g.name.clone())
                        .unwrap_or_else(|| group.to_string());
                    (format!("group {g}"), *until)
                }
                Holding::Program { program, until } => {
                    let p = dir
                        .programs
                        .get(program)
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| program.to_string());
                    (format!("in {p}"), *until)
                }
            };
            t.row(vec![
                a.email.clone(),
                a.full_name(),
                how,
                until.map(when).unwrap_or_else(|| "-".into()),
            ]);
        }
        l.push("holders:".into());
        l.extend(t.lines("  (nobody)"));
        Ok(Shown::Text(l))
    })
}

trait ScopeWord {
    fn scope_word(&self) -> &'static str;
}

impl ScopeWord for Role {
    fn scope_word(&self) -> &'static str {
        match self.scope {
            Scope::Org => "organisation",
            Scope::Program => "program",
        }
    }
}
