//! `roster group …`: groups of accounts (an account may be in any number, seed 003).
//! Roles are granted to a group with `roster role grant ROLE --group NAME`.

use super::args::GroupCmd;
use super::context::{Ctx, may_see};
use super::exec::{self, Change};
use super::fail::Outcome;
use super::output::{Shown, Table, when};
use super::resolve;
use super::user::unique;
use crate::core::query::{self, Area};
use crate::core::*;
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: GroupCmd) -> Outcome {
    match cmd {
        GroupCmd::List => list(ctx),
        GroupCmd::Show { group } => show(ctx, &group),
        GroupCmd::Create { name } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            exec::apply(
                ctx,
                &who,
                vec![Change::new(
                    name.clone(),
                    Ok(Command::CreateGroup { org, name }),
                )],
            )
        }
        GroupCmd::Rename { group, new_name } => one(ctx, &group, |g| Command::RenameGroup {
            group: g.id,
            name: new_name.clone(),
        }),
        GroupCmd::Delete { group } => one(ctx, &group, |g| Command::DeleteGroup { group: g.id }),
        GroupCmd::Add { group, emails } => {
            members(ctx, &group, &emails, |g, a| Command::AddToGroup {
                group: g,
                account: a,
            })
        }
        GroupCmd::Remove { group, emails } => {
            members(ctx, &group, &emails, |g, a| Command::RemoveFromGroup {
                group: g,
                account: a,
            })
        }
    }
}

fn one(ctx: &Ctx, name: &str, make: impl Fn(&Group) -> Command) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let change = ctx.read(|dir| Change::new(name, resolve::group(dir, org, name).map(&make)))?;
    exec::apply(ctx, &who, vec![change])
}

fn members(
    ctx: &Ctx,
    name: &str,
    emails: &[String],
    make: impl Fn(GroupId, AccountId) -> Command,
) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let changes = ctx.read(|dir| {
        let group = resolve::group(dir, org, name).map(|g| g.id);
        unique(emails)
            .into_iter()
            .map(|e| {
                let cmd = group
                    .clone()
                    .and_then(|g| Ok(make(g, resolve::account(dir, org, &e)?.id)));
                Change::new(e, cmd)
            })
            .collect()
    })?;
    exec::apply(ctx, &who, changes)
}

fn list(ctx: &Ctx) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Groups, now)?;
        let groups = query::groups(dir, org);
        if json {
            return Shown::json(&groups);
        }
        let mut t = Table::new(&["NAME", "MEMBERS", "ROLES"]);
        for g in &groups {
            let roles: Vec<String> = g
                .roles
                .iter()
                .map(|r| query::role_name(dir, r.role))
                .collect();
            t.row(vec![
                g.name.clone(),
                g.members.len().to_string(),
                roles.join(", "),
            ]);
        }
        Ok(Shown::Text(t.lines("no groups")))
    })
}

fn show(ctx: &Ctx, name: &str) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Groups, now)?;
        let g = resolve::group(dir, org, name)?;
        let mut members: Vec<&Account> = g
            .members
            .iter()
            .filter_map(|id| dir.accounts.get(id))
            .map(|a| &**a)
            .collect();
        members.sort_by(|a, b| query::compare_accounts(a, b, query::AccountSort::Name));
        if json {
            let emails: Vec<&str> = members.iter().map(|a| a.email.as_str()).collect();
            return Shown::json(&j!({ "group": g, "member_emails": emails }));
        }
        let mut l = vec![format!("{} ({})", g.name, g.id), "roles:".into()];
        if g.roles.is_empty() {
            l.push("  (none)".into());
        }
        for r in &g.roles {
            let until = r
                .until
                .map(|u| format!(" until {}", when(u)))
                .unwrap_or_default();
            l.push(format!("  {}{until}", query::role_name(dir, r.role)));
        }
        l.push("members:".into());
        let mut t = Table::new(&["NAME", "EMAIL", "STATUS"]);
        for a in members {
            t.row(vec![
                a.full_name(),
                a.email.clone(),
                query::status_word(a).into(),
            ]);
        }
        l.extend(t.lines("  (nobody)"));
        Ok(Shown::Text(l))
    })
}
