//! `roster token`: API tokens for `roster serve`. The secret is made here, printed once,
//! and only its SHA-256 reaches the core; `list` never shows a hash.

use super::args::{Global, TokenCmd};
use super::context::Ctx;
use super::dates::{self, Edge};
use super::exec::{self, Change};
use super::fail::{Failure, Outcome, fail};
use super::output::{Shown, Table, when, when_opt};
use crate::core::query::account_label;
use crate::core::{Command, Directory, Level, Principal, Token};
use crate::secret;
use serde_json::json as j;

/// What every token secret starts with, so one is recognised when pasted or leaked.
pub const PREFIX: &str = "rst_";

pub fn run(global: &Global, ctx: &Ctx, cmd: TokenCmd) -> Outcome {
    match cmd {
        TokenCmd::Create { label, expires } => create(global, ctx, label, expires),
        TokenCmd::List => list(ctx),
        TokenCmd::Revoke { id } => revoke(ctx, &id),
    }
}

fn create(global: &Global, ctx: &Ctx, label: String, expires: Option<String>) -> Outcome {
    let who = ctx.principal()?;
    let local = ctx.backend.describe().starts_with("file:");
    // An operator token can do everything everywhere: nobody gets one by leaving out --as.
    if local && who == Principal::Operator && !global.operator {
        return fail(
            "say whom the token acts as: --as EMAIL (that account's own token) or --operator (a platform operator token, which can do everything)",
        );
    }
    let expires =
        dates::parse_opt(expires.as_deref(), ctx.now(), Edge::End).map_err(Failure::Message)?;
    let (raw, _) = secret::new_secret().map_err(|e| Failure::Message(e.to_string()))?;
    let token = format!("{PREFIX}{raw}");
    let target = ctx.read(|dir| crate::core::decide::label(dir, &who))?;
    let change = Change::new(
        target,
        Ok(Command::IssueToken {
            principal: who.clone(),
            label,
            token_hash: secret::hash(&token),
            expires,
        }),
    );
    let dry_run = ctx.dry_run;
    exec::apply_with(ctx, &who, vec![change], |_, notes| {
        if !dry_run {
            notes
                .lines
                .push("the token's secret (shown this once; keep it like a password):".into());
            notes.lines.push(format!("    {token}"));
            notes.fields.insert("secret".into(), j!(token));
        }
        Ok(())
    })
}

/// The tokens `who` may see: all for the operator; an account's own, and an admin's
/// those of its organisation's accounts.
fn visible<'a>(dir: &'a Directory, who: &Principal) -> Vec<&'a Token> {
    let me = match who {
        Principal::Account { id } => dir.accounts.get(id),
        _ => None,
    };
    dir.tokens
        .values()
        .filter(|t| match (who, me) {
            (Principal::Operator, _) => true,
            (_, Some(me)) => {
                t.principal == *who || (me.level >= Level::Admin && t.org == Some(me.org))
            }
            _ => false,
        })
        .collect()
}

fn list(ctx: &Ctx) -> Outcome {
    let who = ctx.principal()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        let tokens = visible(dir, &who);
        let whom = |t: &Token| match &t.principal {
            Principal::Account { id } => account_label(dir, *id),
            _ => "operator".to_string(),
        };
        if json {
            let items: Vec<_> = tokens
                .iter()
                .map(|t| {
                    j!({
                        "id": t.id.to_string(),
                        "principal": t.principal,
                        "as": whom(t),
                        "label": t.label,
                        "created": t.created,
                        "expires": t.expires,
                        "status": t.status(dir, now).as_str(),
                    })
                })
                .collect();
            return Shown::json(&items);
        }
        let mut table = Table::new(&["ID", "ACTS AS", "LABEL", "CREATED", "EXPIRES", "STATUS"]);
        for t in tokens {
            table.row(vec![
                t.id.to_string(),
                whom(t),
                t.label.clone(),
                when(t.created),
                when_opt(t.expires),
                t.status(dir, now).as_str().to_string(),
            ]);
        }
        Ok(Shown::Text(table.lines("no tokens")))
    })
}

fn revoke(ctx: &Ctx, id: &str) -> Outcome {
    let who = ctx.principal()?;
    let cmd = id
        .parse()
        .map(|token| Command::RevokeToken { token })
        .map_err(|e: String| e);
    exec::apply(ctx, &who, vec![Change::new(id, cmd)])
}
