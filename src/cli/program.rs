//! `roster program …`: programs (applications, services) and their contacts (seed 004's
//! Viewer / Contributor / Main Site Contact, seed 002's ADMIN / CONTENT_EDITOR / Reader).

use super::args::ProgramCmd;
use super::context::{Ctx, may_see};
use super::dates::{self, Edge};
use super::exec::{self, Change};
use super::fail::{Failure, Outcome};
use super::output::{Shown, Table, when};
use super::resolve;
use super::user::unique;
use crate::core::query::{self, Area};
use crate::core::*;
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: ProgramCmd) -> Outcome {
    match cmd {
        ProgramCmd::List => list(ctx),
        ProgramCmd::Show { program } => show(ctx, &program),
        ProgramCmd::Create { name, owner } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let owner = owner
                    .as_deref()
                    .map(|e| resolve::account(dir, org, e).map(|a| a.id))
                    .transpose();
                let cmd = owner.map(|owner| Command::CreateProgram {
                    org,
                    name: name.clone(),
                    owner,
                });
                Change::new(name.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
        ProgramCmd::Rename { program, new_name } => one(ctx, &program, None, |p, _| {
            Ok(Command::RenameProgram {
                program: p.id,
                name: new_name.clone(),
            })
        }),
        ProgramCmd::Delete { program } => one(ctx, &program, None, |p, _| {
            Ok(Command::DeleteProgram { program: p.id })
        }),
        ProgramCmd::Grant {
            program,
            emails,
            role,
            until,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let until = dates::parse_opt(until.as_deref(), ctx.now(), Edge::End)
                .map_err(Failure::Message)?;
            let changes = ctx.read(|dir| {
                let target = resolve::program(dir, org, &program)
                    .and_then(|p| Ok((p.id, resolve::program_role(dir, org, role.as_deref())?.id)));
                unique(&emails)
                    .into_iter()
                    .map(|e| {
                        let cmd = target.clone().and_then(|(program, role)| {
                            let account = resolve::account(dir, org, &e)?.id;
                            Ok(Command::GrantProgramRole {
                                program,
                                account,
                                role,
                                until,
                            })
                        });
                        Change::new(e, cmd)
                    })
                    .collect()
            })?;
            exec::apply(ctx, &who, changes)
        }
        ProgramCmd::Change {
            program,
            email,
            from,
            to,
        } => one(ctx, &program, Some(&email), |p, dir| {
            let account = resolve::account(dir, p.org, &email)?.id;
            let from = resolve::role(dir, p.org, &from)?.id;
            let to = resolve::role(dir, p.org, &to)?.id;
            Ok(Command::ChangeProgramRole {
                program: p.id,
                account,
                from,
                to,
            })
        }),
        ProgramCmd::Revoke {
            program,
            email,
            role,
        } => one(ctx, &program, Some(&email), |p, dir| {
            let account = resolve::account(dir, p.org, &email)?.id;
            let role = resolve::role(dir, p.org, &role)?.id;
            Ok(Command::RevokeProgramRole {
                program: p.id,
                account,
                role,
            })
        }),
        ProgramCmd::Remove { program, emails } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let changes = ctx.read(|dir| {
                let p = resolve::program(dir, org, &program).map(|p| p.id);
                unique(&emails)
                    .into_iter()
                    .map(|e| {
                        let cmd = p.clone().and_then(|program| {
                            let account = resolve::account(dir, org, &e)?.id;
                            Ok(Command::RemoveFromProgram { program, account })
                        });
                        Change::new(e, cmd)
                    })
                    .collect()
            })?;
            exec::apply(ctx, &who, changes)
        }
        ProgramCmd::Transfer { program, email } => one(ctx, &program, Some(&email), |p, dir| {
            let to = resolve::account(dir, p.org, &email)?.id;
            Ok(Command::TransferProgram { program: p.id, to })
        }),
    }
}

/// A change about one program (and maybe one account, which names the report line).
fn one(
    ctx: &Ctx,
    program: &str,
    email: Option<&str>,
    make: impl Fn(&Program, &Directory) -> Result<Command, String>,
) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let change = ctx.read(|dir| {
        let cmd = resolve::program(dir, org, program).and_then(|p| make(p, dir));
        Change::new(email.unwrap_or(program), cmd)
    })?;
    exec::apply(ctx, &who, vec![change])
}

fn list(ctx: &Ctx) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Programs, now)?;
        let programs = query::programs(dir, &who, org, now);
        if json {
            return Shown::json(&programs);
        }
        let w = &dir.orgs[&org].settings.terminology;
        let owner_word = w.program_owner.to_uppercase();
        let mut t = Table::new(&["NAME", &owner_word, "CONTACTS", "CREATED"]);
        for p in &programs {
            t.row(vec![
                p.name.clone(),
                query::account_label(dir, p.owner),
                (query::program_contacts(dir, p).len()).to_string(),
                when(p.created),
            ]);
        }
        Ok(Shown::Text(t.lines(&format!(
            "no {}s you can see",
            w.program.to_lowercase()
        ))))
    })
}

fn show(ctx: &Ctx, name: &str) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        may_see(dir, &who, org, Area::Programs, now)?;
        let p = resolve::program(dir, org, name)?;
        // Without programs.read a principal sees only the programs it is a contact of.
        if !query::programs(dir, &who, org, now).iter().any(|x| x.id == p.id) {
            return Err(resolve::no_program(dir, org, name));
        }
        let contacts = query::program_contacts(dir, p);
        if json {
            let contacts: Vec<_> = contacts
                .iter()
                .map(|(a, grants, owner)| j!({ "account": a.email, "owner": owner, "grants": grants }))
                .collect();
            return Shown::json(&j!({ "program": p, "contacts": contacts }));
        }
        let w = &dir.orgs[&org].settings.terminology;
        let mut l = vec![
            format!("{} ({}, {})", p.name, p.id, w.program.to_lowercase()),
            format!("  {}: {}", w.program_owner.to_lowercase(), query::account_label(dir, p.owner)),
            format!("  created: {}", when(p.created)),
            "contacts:".into(),
        ];
        let mut t = Table::new(&["EMAIL", "NAME", "ROLES"]);
        for (a, grants, owner) in &contacts {
            let mut roles: Vec<String> = grants
                .iter()
                .map(|g| {
                    let until = g.until.map(|u| format!(" until {}", when(u))).unwrap_or_default();
                    format!("{}{until}", query::role_name(dir, g.role))
                })
                .collect();
            if *owner {
                roles.insert(0, w.program_owner.clone());
            }
            t.row(vec![a.email.clone(), a.full_name(), roles.join(", ")]);
        }
        l.extend(t.lines("  (nobody)"));
        Ok(Shown::Text(l))
    })
}
