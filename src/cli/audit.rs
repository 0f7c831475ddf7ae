//! `roster audit`: the trail of every change, newest first.

use super::args::AuditArgs;
use super::context::{Ctx, may_see};
use super::fail::{Failure, Outcome};
use super::output::{Shown, Table, when};
use crate::backend::AuditQuery;
use crate::core::Principal;
use crate::core::query::Area;
use crate::core::summary::summary;
use serde_json::json as j;

pub fn run(ctx: &Ctx, a: AuditArgs) -> Outcome {
    let who = ctx.principal()?;
    // An operator with several organisations and no --org reads them all.
    let org = match (&who, ctx.org_opt()) {
        (_, Some(o)) => Some(o),
        (Principal::Operator, None) => None,
        _ => Some(ctx.org()?),
    };
    let now = ctx.now();
    if let Some(o) = org {
        ctx.read(|dir| may_see(dir, &who, o, Area::Audit, now))?
            .map_err(Failure::Message)?;
    }
    let records = ctx.backend.audit(&AuditQuery {
        org,
        actor: a.actor,
        text: a.text,
        kind: a.kind,
        before: None,
        // 0 means all here; the backends read 0 as their default page of 100.
        limit: if a.limit == 0 { usize::MAX } else { a.limit },
    })?;
    let json = ctx.json;
    ctx.view(|dir| {
        if json {
            let items: Vec<_> = records
                .iter()
                .map(|r| j!({ "record": r, "summary": summary(dir, r) }))
                .collect();
            return Shown::json(&items);
        }
        let mut t = Table::new(&["SEQ", "WHEN", "ORG", "ACTOR", "WHAT"]);
        for r in &records {
            let org = r
                .org
                .and_then(|o| dir.orgs.get(&o))
                .map(|o| o.slug.clone())
                .unwrap_or_default();
            t.row(vec![
                r.seq.to_string(),
                when(r.at),
                org,
                r.actor_label.clone(),
                summary(dir, r),
            ]);
        }
        Ok(Shown::Text(t.lines("no events match")))
    })
}
