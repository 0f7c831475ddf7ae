//! `roster invitation …`: sent invitations, their links and their end.

use super::args::{InvitationCmd, InvitationStatusArg};
use super::context::{Ctx, may_see};
use super::exec::{self, Applied, Change, Notes};
use super::fail::{Failure, Outcome};
use super::init::{shell_quote, store_flag};
use super::output::{Shown, Table, when};
use super::resolve;
use crate::core::query::{self, Area};
use crate::core::*;
use crate::secret;
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: InvitationCmd) -> Outcome {
    match cmd {
        InvitationCmd::List { status } => list(ctx, status),
        InvitationCmd::Revoke { ids } => {
            let who = ctx.principal()?;
            let org = ctx.org_opt();
            let changes = ctx.read(|dir| {
                ids.iter()
                    .map(|id| {
                        let cmd = resolve::invitation(dir, org, id)
                            .map(|i| Command::RevokeInvitation { invitation: i.id });
                        Change::new(id.clone(), cmd)
                    })
                    .collect()
            })?;
            exec::apply(ctx, &who, changes)
        }
        InvitationCmd::Resend { id } => {
            let who = ctx.principal()?;
            let org = ctx.org_opt();
            let (secret, hash) =
                secret::new_secret().map_err(|e| Failure::Message(e.to_string()))?;
            let change = ctx.read(|dir| {
                let cmd = resolve::invitation(dir, org, &id).map(|i| Command::ResendInvitation {
                    invitation: i.id,
                    secret_hash: Some(hash),
                });
                Change::new(id.clone(), cmd).with_link(&secret)
            })?;
            exec::apply_with(ctx, &who, vec![change], link_notes(ctx, secret))
        }
        InvitationCmd::Accept { id, secret, .. } => {
            let Some(id) = id else {
                return Err(Failure::msg(
                    "say which invitation to accept: its id, or --secret from the link",
                ));
            };
            // With the link's secret, the invitee accepts for themselves (anonymous);
            // without it, an administrator accepts on their behalf.
            let (who, hash, org) = match &secret {
                Some(s) => (Principal::Anonymous, Some(secret::hash(s)), None),
                None => (ctx.principal()?, None, ctx.org_opt()),
            };
            let change = ctx.read(|dir| {
                let cmd = resolve::invitation(dir, org, &id).map(|i| Command::AcceptInvitation {
                    invitation: i.id,
                    secret_hash: hash.clone(),
                });
                Change::new(id.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        InvitationCmd::Expire => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let slug = ctx.read(|dir| dir.orgs[&org].slug.clone())?;
            exec::apply(
                ctx,
                &who,
                vec![Change::new(slug, Ok(Command::ExpireInvitations { org }))],
            )
        }
    }
}

/// What `user invite` and `invitation resend` add to their report: the invitation's id
/// and expiry, and the command that accepts it with the secret, printed this once.
pub fn link_notes(ctx: &Ctx, secret: String) -> impl FnMut(&Applied, &mut Notes) -> Outcome + '_ {
    move |done, notes| {
        let sent = done.events.iter().find_map(|r| match &r.event {
            Event::InvitationSent { invitation } => Some((invitation.id, invitation.expires)),
            Event::InvitationResent {
                invitation,
                expires,
                ..
            } => Some((*invitation, *expires)),
            _ => None,
        });
        let Some((id, expires)) = sent else {
            return Ok(());
        };
        notes.fields.insert("invitation".into(), j!(id.to_string()));
        notes.fields.insert("expires".into(), j!(expires));
        if ctx.dry_run {
            notes.lines.push(format!(
                "  invitation {id} would expire {} (dry run: no link was made)",
                when(expires)
            ));
            return Ok(());
        }
        notes
            .lines
            .push(format!("  invitation {id} expires {}", when(expires)));
        let mailed = super::mail::send_now(ctx, done.events, &secret, notes);
        if mailed == super::mail::Mailed::Smtp {
            return Ok(());
        }
        // The invitee accepts and chooses a password in one step (asked for, not typed
        // on the command line).
        let accept = format!(
            "roster{} invitation accept --secret {}",
            store_flag(&ctx.store_path),
            shell_quote(&secret)
        );
        notes.lines.push(
            match mailed {
                super::mail::Mailed::ByServer | super::mail::Mailed::Later => {
                    "  should its mail not arrive, pass this link on yourself; it is shown only once:"
                }
                _ => {
                    "  mail delivery is not configured: pass this link on yourself; it is shown only once:"
                }
            }
            .into(),
        );
        notes.lines.push(format!("    {accept}"));
        notes.fields.insert("secret".into(), j!(secret));
        notes.fields.insert("accept_command".into(), j!(accept));
        Ok(())
    }
}

fn list(ctx: &Ctx, status: Option<InvitationStatusArg>) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    let status = status.map(|s| match s {
        InvitationStatusArg::Pending => InvitationStatus::Pending,
        InvitationStatusArg::Accepted => InvitationStatus::Accepted,
        InvitationStatusArg::Revoked => InvitationStatus::Revoked,
        InvitationStatusArg::Expired => InvitationStatus::Expired,
    });
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Invitations, now)?;
        let rows = query::invitations(dir, &who, org, status, now);
        if json {
            // The status as of now, next to the record; the secret's hash stays home.
            let items: Vec<_> = rows
                .iter()
                .map(|(i, s)| {
                    let mut i = (*i).clone();
                    i.secret_hash = None;
                    j!({ "invitation": i, "status_now": s })
                })
                .collect();
            return Shown::json(&items);
        }
        let words = &dir.orgs[&org].settings.terminology;
        let mut t = Table::new(&[
            "ID", "EMAIL", "NAME", "OFFERS", "STATUS", "SENT BY", "SENT", "EXPIRES",
        ]);
        for (i, s) in &rows {
            let mut offers = vec![words.level(i.level).to_string()];
            offers.extend(i.roles.iter().map(|r| query::role_name(dir, *r)));
            offers.extend(i.programs.iter().map(|o| {
                let p = dir
                    .programs
                    .get(&o.program)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| o.program.to_string());
                format!("{p}: {}", query::role_name(dir, o.role))
            }));
            let name = format!("{} {}", i.first_name, i.last_name)
                .trim()
                .to_string();
            let by = i
                .sent_by
                .map(|a| query::account_label(dir, a))
                .unwrap_or_else(|| "operator".into());
            t.row(vec![
                i.id.to_string(),
                i.email.clone(),
                name,
                offers.join(", "),
                s.as_str().into(),
                by,
                when(i.sent_at),
                when(i.expires),
            ]);
        }
        Ok(Shown::Text(t.lines("no invitations")))
    })
}
