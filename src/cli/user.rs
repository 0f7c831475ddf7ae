//! `roster user …`: accounts. Commands that name accounts take several emails and act
//! on each in turn.

use super::args::{ApprovalArg, InviteArgs, LevelArg, SortArg, StatusArg, UserCmd, UserListArgs};
use super::context::{Ctx, may_see};
use super::dates::{self, Edge};
use super::exec::{self, Applied, Change, Notes};
use super::fail::{Failure, Outcome};
use super::invitation::link_notes;
use super::output::{Shown, Table, when_opt};
use super::resolve;
use crate::core::query::{self, AccountQuery, AccountSort, Area, StatusFilter};
use crate::core::*;
use crate::secret;
use serde_json::json as j;
use std::collections::HashMap;

pub fn run(ctx: &Ctx, cmd: UserCmd) -> Outcome {
    match cmd {
        UserCmd::List(args) => list(ctx, args),
        UserCmd::Show { email } => super::user_show::run(ctx, &email),
        UserCmd::Invite(args) => invite(ctx, args),
        UserCmd::Add {
            email,
            first_name,
            last_name,
            verified,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let cmd = Command::AddAccount {
                org,
                email: email.clone(),
                first_name,
                last_name,
                verified,
            };
            exec::apply(ctx, &who, vec![Change::new(email, Ok(cmd))])
        }
        UserCmd::Register {
            email,
            first_name,
            last_name,
        } => {
            // Registration is what someone without an account does for themselves.
            let org = ctx.org()?;
            let cmd = Command::Register {
                org,
                email: email.clone(),
                first_name,
                last_name,
            };
            exec::apply(
                ctx,
                &Principal::Anonymous,
                vec![Change::new(email, Ok(cmd))],
            )
        }
        UserCmd::Edit {
            email,
            first_name,
            last_name,
            new_email,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd = resolve::account(dir, org, &email).map(|a| Command::EditAccount {
                    account: a.id,
                    // The version just read: a concurrent edit in between is refused as stale.
                    expected_version: a.version,
                    first_name: first_name.clone().unwrap_or_else(|| a.first_name.clone()),
                    last_name: last_name.clone().unwrap_or_else(|| a.last_name.clone()),
                    email: new_email.clone().unwrap_or_else(|| a.email.clone()),
                });
                Change::new(email.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        UserCmd::Verify(e) => each(ctx, &e.emails, |a| Command::Verify { account: a }),
        UserCmd::Enable(e) => each(ctx, &e.emails, |a| Command::Enable { account: a }),
        UserCmd::Disable(e) => each(ctx, &e.emails, |a| Command::Disable { account: a }),
        UserCmd::Approve(e) => each(ctx, &e.emails, |a| Command::Approve { account: a }),
        UserCmd::Reject { emails, reason } => each(ctx, &emails, |a| Command::Reject {
            account: a,
            reason: reason.clone(),
        }),
        UserCmd::Promote(e) => each(ctx, &e.emails, |a| Command::Promote { account: a }),
        UserCmd::Demote(e) => each(ctx, &e.emails, |a| Command::Demote { account: a }),
        UserCmd::Delete(e) => each(ctx, &e.emails, |a| Command::DeleteAccount { account: a }),
        UserCmd::ResetPassword(e) => reset_password(ctx, &e.emails),
        UserCmd::RevokeSessions(e) => {
            each(ctx, &e.emails, |a| Command::RevokeSessions { account: a })
        }
        UserCmd::Grant { email, role, until } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let until = dates::parse_opt(until.as_deref(), ctx.now(), Edge::End)
                .map_err(Failure::Message)?;
            let change = ctx.read(|dir| {
                let cmd = resolve::account(dir, org, &email).and_then(|a| {
                    let r = resolve::role(dir, org, &role)?;
                    Ok(Command::GrantRole {
                        account: a.id,
                        role: r.id,
                        until,
                    })
                });
                Change::new(email.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        UserCmd::Revoke { email, role } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd = resolve::account(dir, org, &email).and_then(|a| {
                    let r = resolve::role(dir, org, &role)?;
                    Ok(Command::RevokeRole {
                        account: a.id,
                        role: r.id,
                    })
                });
                Change::new(email.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        UserCmd::RequestRole {
            role,
            program,
            note,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd = resolve::role(dir, org, &role).and_then(|r| {
                    let program = program
                        .as_deref()
                        .map(|p| resolve::program(dir, org, p))
                        .transpose()?;
                    Ok(Command::RequestRole {
                        role: r.id,
                        program: program.map(|p| p.id),
                        note: note.clone(),
                    })
                });
                Change::new(role.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
    }
}

/// Emails in the order given, each once (case-insensitively).
pub fn unique(emails: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    emails
        .iter()
        .filter(|e| seen.insert(e.trim().to_lowercase()))
        .cloned()
        .collect()
}

/// The same command for each named account.
pub fn each(ctx: &Ctx, emails: &[String], make: impl Fn(AccountId) -> Command) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let changes = ctx.read(|dir| {
        unique(emails)
            .into_iter()
            .map(|e| {
                let cmd = resolve::account(dir, org, &e).map(|a| make(a.id));
                Change::new(e, cmd)
            })
            .collect()
    })?;
    exec::apply(ctx, &who, changes)
}

fn reset_password(ctx: &Ctx, emails: &[String]) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let mut secrets: HashMap<String, String> = HashMap::new();
    let mut changes = vec![];
    let resolved = ctx.read(|dir| {
        unique(emails)
            .into_iter()
            .map(|e| {
                let id = resolve::account(dir, org, &e).map(|a| a.id);
                (e, id)
            })
            .collect::<Vec<_>>()
    })?;
    for (email, id) in resolved {
        // Only the hash goes into the command; the secret is printed once below.
        let (secret, hash) = secret::new_secret().map_err(|e| Failure::Message(e.to_string()))?;
        secrets.insert(email.clone(), secret);
        let secret = &secrets[&email];
        changes.push(
            Change::new(
                email.clone(),
                id.map(|account| Command::RequestPasswordReset {
                    account,
                    secret_hash: Some(hash),
                }),
            )
            .with_link(secret),
        );
    }
    let dry_run = ctx.dry_run;
    let remote = crate::tui::link::is_remote(&ctx.backend.describe());
    exec::apply_with(ctx, &who, changes, |done: &Applied, notes: &mut Notes| {
        if dry_run {
            notes
                .lines
                .push("  (dry run: no reset link was made)".into());
            return Ok(());
        }
        let expires = done.events.iter().find_map(|r| match &r.event {
            Event::PasswordResetRequested { reset } => Some(reset.expires),
            _ => None,
        });
        if remote {
            // The server made the link itself and mails it to the account.
            notes.lines.push(format!(
                "  the server sends the reset link to {} (valid until {})",
                done.target,
                when_opt(expires)
            ));
        } else if let Some(secret) = secrets.get(done.target) {
            let mailed = super::mail::send_now(ctx, done.events, secret, notes);
            if mailed == super::mail::Mailed::Smtp {
                return Ok(());
            }
            let why = match mailed {
                super::mail::Mailed::ByServer | super::mail::Mailed::Later => {
                    "should the mail not arrive"
                }
                _ => "mail delivery is not configured",
            };
            notes.lines.push(format!(
                "  {why}: pass this reset secret to {} yourself (valid until {}):",
                done.target,
                when_opt(expires)
            ));
            notes.lines.push(format!("    {secret}"));
            notes.lines.push(format!(
                "  they set their new password with: roster password reset --secret {secret}"
            ));
            notes.fields.insert("secret".into(), j!(secret));
        }
        Ok(())
    })
}

fn invite(ctx: &Ctx, a: InviteArgs) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let expires =
        dates::parse_opt(a.expires.as_deref(), ctx.now(), Edge::End).map_err(Failure::Message)?;
    let (secret, hash) = secret::new_secret().map_err(|e| Failure::Message(e.to_string()))?;
    let change = ctx.read(|dir| {
        let cmd = (|| {
            let roles = a
                .roles
                .iter()
                .map(|r| resolve::role(dir, org, r).map(|r| r.id))
                .collect::<Result<Vec<_>, _>>()?;
            let programs = a
                .programs
                .iter()
                .map(|p| resolve::program_offer(dir, org, p))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Command::Invite {
                org,
                email: a.email.clone(),
                first_name: a.first_name.clone(),
                last_name: a.last_name.clone(),
                message: a.message.clone(),
                level: if a.admin { Level::Admin } else { Level::Member },
                roles,
                programs,
                expires,
                secret_hash: Some(hash),
            })
        })();
        Change::new(a.email.clone(), cmd).with_link(&secret)
    })?;
    let notes = link_notes(ctx, secret);
    exec::apply_with(ctx, &who, vec![change], notes)
}

fn list(ctx: &Ctx, a: UserListArgs) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Users, now)?;
        let mut q = AccountQuery {
            text: a.text.join(" "),
            status: match a.status {
                StatusArg::Active => StatusFilter::Active,
                StatusArg::Disabled => StatusFilter::Disabled,
                StatusArg::Any => StatusFilter::Any,
            },
            approval: a.approval.map(|x| match x {
                ApprovalArg::Approved => Approval::Approved,
                ApprovalArg::Pending => Approval::Pending,
                ApprovalArg::Rejected => Approval::Rejected,
            }),
            level: a.level.map(|l| match l {
                LevelArg::Owner => Level::Owner,
                LevelArg::Admin => Level::Admin,
                LevelArg::Member => Level::Member,
            }),
            verified: a.unverified.then_some(false),
            role: a
                .role
                .as_deref()
                .map(|r| resolve::role(dir, org, r).map(|r| r.id))
                .transpose()?,
            group: a
                .group
                .as_deref()
                .map(|g| resolve::group(dir, org, g).map(|g| g.id))
                .transpose()?,
            program: a
                .program
                .as_deref()
                .map(|p| resolve::program(dir, org, p).map(|p| p.id))
                .transpose()?,
            sort: match a.sort {
                SortArg::Name => AccountSort::Name,
                SortArg::Email => AccountSort::Email,
                SortArg::Level => AccountSort::Level,
                SortArg::Status => AccountSort::Status,
                SortArg::Created => AccountSort::Created,
            },
            descending: a.desc,
            offset: a.offset,
            limit: a.limit,
        };
        if a.pending {
            // Seed 002's "N User Approval Pending" button: everyone waiting, whatever else.
            q.approval = Some(Approval::Pending);
            q.status = StatusFilter::Any;
        }
        let page = query::accounts(dir, org, &q);
        if json {
            return Shown::json(&page);
        }
        let words = &dir.orgs[&org].settings.terminology;
        let mut t = Table::new(&["NAME", "EMAIL", "LEVEL", "ENABLED", "APPROVAL", "VERIFIED"]);
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        for acc in &page.items {
            t.row(vec![
                acc.full_name(),
                acc.email.clone(),
                words.level(acc.level).to_string(),
                yes(acc.enabled),
                acc.approval.as_str().into(),
                yes(acc.verified),
            ]);
        }
        let mut lines = t.lines("no accounts match");
        lines.push(format!("{} of {} account(s)", page.items.len(), page.total));
        let pending = crate::core::policy::pending_counts(dir, org).accounts;
        if pending > 0 && !a.pending {
            lines.push(format!(
                "{pending} user approval(s) pending: roster user list --pending"
            ));
        }
        Ok(Shown::Text(lines))
    })
}
