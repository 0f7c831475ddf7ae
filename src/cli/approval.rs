//! `roster approval …`: the approval queue (join requests when approval is required,
//! role requests), decided one by one or all pending at once.

use super::args::{ApprovalCmd, Decision};
use super::context::{Ctx, may_see};
use super::exec::{self, Change};
use super::fail::Outcome;
use super::output::{Shown, Table, when, when_opt};
use super::resolve;
use crate::core::query::{self, Area};
use crate::core::*;
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: ApprovalCmd) -> Outcome {
    match cmd {
        ApprovalCmd::List { all } => list(ctx, all),
        ApprovalCmd::Approve(d) => decide(ctx, d, true),
        ApprovalCmd::Reject(d) => decide(ctx, d, false),
    }
}

fn decide(ctx: &Ctx, d: Decision, approve: bool) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let changes = ctx.read(|dir| {
        let label = |r: &ApprovalRequest| format!("{} ({})", r.id, query::describe_request(dir, r));
        let make = |r: &ApprovalRequest| Command::Decide {
            request: r.id,
            approve,
            reason: d.reason.clone(),
        };
        if d.all_pending {
            return query::approval_queue(dir, org, false)
                .into_iter()
                .map(|r| Change::new(label(r), Ok(make(r))))
                .collect::<Vec<_>>();
        }
        d.ids
            .iter()
            .map(|id| match resolve::request(dir, Some(org), id) {
                Ok(r) => Change::new(label(r), Ok(make(r))),
                Err(e) => Change::new(id.clone(), Err(e)),
            })
            .collect()
    })?;
    if changes.is_empty() {
        super::output::say("nothing is waiting for approval");
        return Ok(());
    }
    exec::apply(ctx, &who, changes)
}

fn list(ctx: &Ctx, all: bool) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Approvals, now)?;
        let queue = query::approval_queue(dir, org, all);
        if json {
            let items: Vec<_> = queue
                .iter()
                .map(|r| j!({ "request": r, "description": query::describe_request(dir, r) }))
                .collect();
            return Shown::json(&items);
        }
        let mut t = Table::new(&[
            "ID",
            "REQUEST",
            "NOTE",
            "ASKED",
            "STATUS",
            "DECIDED BY",
            "DECIDED",
            "REASON",
        ]);
        for r in &queue {
            t.row(vec![
                r.id.to_string(),
                query::describe_request(dir, r),
                r.note.clone(),
                when(r.requested_at),
                r.status.as_str().into(),
                r.decided_by.clone().unwrap_or_else(|| "-".into()),
                when_opt(r.decided_at),
                r.reason.clone(),
            ]);
        }
        let mut lines = t.lines("nothing is waiting for approval");
        let pending = queue
            .iter()
            .filter(|r| r.status == RequestStatus::Pending)
            .count();
        lines.push(format!("{pending} pending"));
        Ok(Shown::Text(lines))
    })
}
