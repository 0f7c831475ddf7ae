//! `roster contract …`: contracts unlock gated roles (seed 001: Integrator only for
//! IDaaS customers). Platform operators change them; org admins read them.

use super::args::ContractCmd;
use super::context::{Ctx, may_see};
use super::dates::{self, Edge};
use super::exec::{self, Change};
use super::fail::{Failure, Outcome};
use super::output::{Shown, Table, when, when_opt};
use super::resolve;
use crate::core::query::{self, Area, ContractRow};
use crate::core::*;

pub fn run(ctx: &Ctx, cmd: ContractCmd) -> Outcome {
    match cmd {
        ContractCmd::List => list(ctx, None),
        ContractCmd::Show { id } => list(ctx, Some(&id)),
        ContractCmd::Create {
            product,
            seats,
            start,
            end,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let now = ctx.now();
            let start = dates::parse_opt(start.as_deref(), now, Edge::Start)
                .map_err(Failure::Message)?
                .unwrap_or(now);
            let end = dates::parse_opt(end.as_deref(), now, Edge::End).map_err(Failure::Message)?;
            let cmd = Command::CreateContract {
                org,
                product: product.clone(),
                start,
                end,
                seats,
            };
            exec::apply(ctx, &who, vec![Change::new(product, Ok(cmd))])
        }
        ContractCmd::Suspend { id } => one(ctx, &id, |c| Command::SuspendContract { contract: c }),
        ContractCmd::Resume { id } => one(ctx, &id, |c| Command::ResumeContract { contract: c }),
        ContractCmd::End { id } => one(ctx, &id, |c| Command::EndContract { contract: c }),
        ContractCmd::Seats { id, seats } => {
            one(ctx, &id, |c| Command::ChangeSeats { contract: c, seats })
        }
    }
}

fn one(ctx: &Ctx, id: &str, make: impl Fn(ContractId) -> Command) -> Outcome {
    let who = ctx.principal()?;
    let org = scope(ctx, &who)?;
    let change =
        ctx.read(|dir| Change::new(id, resolve::contract(dir, org, id).map(|c| make(c.id))))?;
    exec::apply(ctx, &who, vec![change])
}

/// The organisation contracts are looked up in: an operator without --org sees every
/// organisation's contracts; anyone else only their own.
fn scope(ctx: &Ctx, who: &Principal) -> Outcome<Option<OrgId>> {
    match (who, ctx.org_opt()) {
        (_, Some(o)) => Ok(Some(o)),
        (Principal::Operator, None) => Ok(None),
        _ => ctx.org().map(Some),
    }
}

fn list(ctx: &Ctx, only: Option<&str>) -> Outcome {
    let who = ctx.principal()?;
    let org = scope(ctx, &who)?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        if let Some(o) = org {
            may_see(dir, &who, o, Area::Contracts, now)?;
        }
        let mut rows = query::contracts(dir, org, now);
        if let Some(id) = only {
            let c = resolve::contract(dir, org, id)?;
            rows.retain(|r| r.contract.id == c.id);
        }
        if json {
            return match (only, rows.first()) {
                (Some(_), Some(row)) => Shown::json(row),
                _ => Shown::json(&rows),
            };
        }
        if only.is_some() {
            return Ok(Shown::Text(
                rows.iter().flat_map(|r| detail(dir, r, now)).collect(),
            ));
        }
        let mut t = Table::new(&[
            "ID",
            "ORG",
            "PRODUCT",
            "STATUS",
            "START",
            "END",
            "SEATS USED",
            "IN FORCE",
        ]);
        for r in &rows {
            let c = r.contract;
            let end = match (c.end, r.ends_soon) {
                (Some(e), true) => format!("{} (soon)", when(e)),
                (e, _) => when_opt(e),
            };
            t.row(vec![
                c.id.to_string(),
                dir.orgs
                    .get(&c.org)
                    .map(|o| o.slug.clone())
                    .unwrap_or_default(),
                c.product.clone(),
                c.status.as_str().into(),
                when(c.start),
                end,
                format!("{}/{}", r.seats_used, c.seats),
                if r.in_force { "yes" } else { "no" }.into(),
            ]);
        }
        Ok(Shown::Text(t.lines("no contracts")))
    })
}

fn detail(dir: &Directory, r: &ContractRow, now: jiff::Timestamp) -> Vec<String> {
    let c = r.contract;
    let unlocks: Vec<&str> = dir
        .roles_of(c.org)
        .filter(|x| {
            x.gate
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(&c.product))
        })
        .map(|x| x.name.as_str())
        .collect();
    vec![
        format!(
            "contract {} — {} for {}",
            c.id,
            c.product,
            dir.orgs.get(&c.org).map(|o| o.slug.as_str()).unwrap_or("?")
        ),
        format!(
            "  status:   {}{}",
            c.status.as_str(),
            if c.in_force(now) {
                " (in force)"
            } else {
                " (not in force)"
            }
        ),
        format!("  start:    {}", when(c.start)),
        format!("  end:      {}", when_opt(c.end)),
        format!("  seats:    {} used of {}", r.seats_used, c.seats),
        format!(
            "  unlocks:  {}",
            if unlocks.is_empty() {
                "(no role yet)".into()
            } else {
                unlocks.join(", ")
            }
        ),
    ]
}
