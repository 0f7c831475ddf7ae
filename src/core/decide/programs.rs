//! Programs: creating, renaming, deleting and transferring them, and their contacts'
//! program roles (seed 004; ZITADEL's `project_grant.go`). Who may give which program
//! role is checked here for invitations and approval requests too.

use super::checks::an;
use super::context::{Ctx, Out, done};
use crate::core::policy::{self, ProgramAuthority};
use crate::core::query;

use crate::core::command::Command;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::perms;
use crate::core::validate;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        CreateProgram { org, name, owner } => {
            cx.org(*org)?;
            cx.need(*org, perms::PROGRAMS_CREATE, "create programs")?;
            let name = validate::line("program name", name, 100, true)?;
            program_name_free(cx, *org, &name, None)?;
            let owner = match (owner, cx.actor.id()) {
                (Some(o), me) if Some(*o) != me => {
                    cx.need(
                        *org,
                        perms::PROGRAMS_MANAGE,
                        "create a program for someone else",
                    )?;
                    *o
                }
                (Some(o), _) => *o,
                (None, Some(me)) => me,
                (None, None) => return invalid("name the program's owner"),
            };
            let o = cx.account(owner)?;
            if o.org != *org {
                return not_found(format!("no account {owner} in your organisation"));
            }
            if !o.enabled {
                return conflict(format!("{} is disabled and cannot own a program", o.email));
            }
            let program = Program {
                id: ProgramId(cx.ids.next()),
                org: *org,
                name,
                owner,
                grants: Default::default(),
                created: cx.now,
                version: 1,
            };
            done(*org, vec![Event::ProgramCreated { program }])
        }
        RenameProgram { program, name } => {
            let p = in_sight(cx, *program)?;
            if program_authority(cx, p) < ProgramAuthority::Full {
                return forbidden(format!(
                    "only the {} or {} can rename {}",
                    cx.words(p.org).program_owner,
                    an(&cx.words(p.org).admin),
                    p.name
                ));
            }
            let name = validate::line("program name", name, 100, true)?;
            program_name_free(cx, p.org, &name, Some(p.id))?;
            if name == p.name {
                return conflict("nothing to change");
            }
            done(
                p.org,
                vec![Event::ProgramRenamed {
                    program: p.id,
                    name,
                }],
            )
        }
        DeleteProgram { program } => {
            let p = in_sight(cx, *program)?;
            if program_authority(cx, p) < ProgramAuthority::Full {
                return forbidden(format!(
                    "only the {} or {} can delete {}",
                    cx.words(p.org).program_owner,
                    an(&cx.words(p.org).admin),
                    p.name
                ));
            }
            done(p.org, vec![Event::ProgramDeleted { program: p.id }])
        }
        GrantProgramRole {
            program,
            account,
            role,
            until,
        } => {
            let p = in_sight(cx, *program)?;
            let a = cx.account(*account)?;
            let r = cx.role(*role)?;
            check_program_grant(cx, p, r, Some(a))?;
            cx.future(*until, "the grant")?;
            if p.grants
                .get(&a.id)
                .is_some_and(|gs| gs.iter().any(|g| g.role == r.id && g.until == *until))
            {
                return conflict(format!(
                    "{} already holds {} in {}",
                    a.email, r.name, p.name
                ));
            }
            cx.seat_for(r, a.id, &[])?;
            done(
                p.org,
                vec![Event::ProgramRoleGranted {
                    program: p.id,
                    account: a.id,
                    role: r.id,
                    until: *until,
                }],
            )
        }
        ChangeProgramRole {
            program,
            account,
            from,
            to,
        } => {
            let p = in_sight(cx, *program)?;
            let a = cx.account(*account)?;
            let old = cx.role(*from)?;
            let new = cx.role(*to)?;
            let Some(grant) = p
                .grants
                .get(&a.id)
                .and_then(|gs| gs.iter().find(|g| g.role == old.id))
            else {
                return conflict(format!(
                    "{} does not hold {} in {}",
                    a.email, old.name, p.name
                ));
            };
            if old.id == new.id {
                return conflict("nothing to change");
            }
            check_program_revoke(cx, p, old)?;
            check_program_grant(cx, p, new, Some(a))?;
            cx.seat_for(new, a.id, &[])?;
            done(
                p.org,
                vec![
                    Event::ProgramRoleRevoked {
                        program: p.id,
                        account: a.id,
                        role: old.id,
                    },
                    Event::ProgramRoleGranted {
                        program: p.id,
                        account: a.id,
                        role: new.id,
                        until: grant.until,
                    },
                ],
            )
        }
        RevokeProgramRole {
            program,
            account,
            role,
        } => {
            let p = in_sight(cx, *program)?;
            let a = cx.account(*account)?;
            let r = cx.role(*role)?;
            if !p
                .grants
                .get(&a.id)
                .is_some_and(|gs| gs.iter().any(|g| g.role == r.id))
            {
                return conflict(format!(
                    "{} does not hold {} in {}",
                    a.email, r.name, p.name
                ));
            }
            check_program_revoke(cx, p, r)?;
            done(
                p.org,
                vec![Event::ProgramRoleRevoked {
                    program: p.id,
                    account: a.id,
                    role: r.id,
                }],
            )
        }
        RemoveFromProgram { program, account } => {
            let p = in_sight(cx, *program)?;
            let a = cx.account(*account)?;
            if p.owner == a.id {
                return conflict(format!(
                    "{} is the {} of {}: name a new one first",
                    a.email,
                    cx.words(p.org).program_owner,
                    p.name
                ));
            }
            let Some(grants) = p.grants.get(&a.id) else {
                return conflict(format!("{} has no role in {}", a.email, p.name));
            };
            let mut events = vec![];
            for g in grants {
                if let Some(r) = cx.dir.roles.get(&g.role) {
                    check_program_revoke(cx, p, r)?;
                }
                events.push(Event::ProgramRoleRevoked {
                    program: p.id,
                    account: a.id,
                    role: g.role,
                });
            }
            done(p.org, events)
        }
        TransferProgram { program, to } => {
            let p = in_sight(cx, *program)?;
            let w = cx.words(p.org);
            if program_authority(cx, p) < ProgramAuthority::Full {
                return forbidden(format!(
                    "only the {} or a corporate-level contact ({}) can name a new {}",
                    w.program_owner, w.admin, w.program_owner
                ));
            }
            let a = cx.account(*to)?;
            if a.org != p.org {
                return not_found(format!("no account {to} in your organisation"));
            }
            if p.owner == a.id {
                return conflict(format!(
                    "{} is already the {} of {}",
                    a.email, w.program_owner, p.name
                ));
            }
            if !a.enabled {
                return conflict(format!("{} is disabled and cannot own a program", a.email));
            }
            let mut events = vec![Event::ProgramOwnerChanged {
                program: p.id,
                from: p.owner,
                to: a.id,
            }];
            // The former owner stays on as a contributor (seed 004's secondary contact).
            if let Some(contrib) = cx.dir.builtin_role(p.org, Builtin::Contributor)
                && cx.dir.accounts.contains_key(&p.owner)
            {
                events.push(Event::ProgramRoleGranted {
                    program: p.id,
                    account: p.owner,
                    role: contrib.id,
                    until: None,
                });
            }
            done(p.org, events)
        }
        _ => unreachable!("{} is not a program command", cmd.verb()),
    }
}

fn program_authority(cx: &Ctx<'_>, p: &Program) -> ProgramAuthority {
    policy::program_authority(cx.dir, cx.actor.who, p, cx.now)
}

/// Seed 004: contributors manage viewers and contributors; only the program owner or
/// a corporate-level contact may touch other roles or name a new owner.
pub(super) fn check_program_grant(
    cx: &Ctx<'_>,
    p: &Program,
    r: &Role,
    target: Option<&Account>,
) -> Decision<()> {
    let w = cx.words(p.org);
    if r.org != p.org || r.scope != Scope::Program {
        return invalid(format!(
            "{} is not a {} role",
            r.name,
            w.program.to_lowercase()
        ));
    }
    let authority = program_authority(cx, p);
    let basic = matches!(r.builtin, Some(Builtin::Viewer | Builtin::Contributor));
    match authority {
        ProgramAuthority::Full => {}
        ProgramAuthority::Contacts if basic => {}
        ProgramAuthority::Contacts => {
            return forbidden(format!(
                "only the {} or {} can give {} in {}",
                w.program_owner,
                an(&w.admin),
                r.name,
                p.name
            ));
        }
        ProgramAuthority::None => return no_contacts(cx, p),
    }
    if let Some(a) = target {
        if a.org != p.org {
            return not_found(format!("no account {} in your organisation", a.id));
        }
        if r.builtin == Some(Builtin::ProgramOwner) {
            return invalid(format!(
                "name a new {} with a transfer, not a grant",
                w.program_owner
            ));
        }
        if p.owner == a.id {
            return conflict(format!(
                "{} is the {} of {} and holds every program permission",
                a.email, w.program_owner, p.name
            ));
        }
        if !a.enabled {
            return conflict(format!("{} is disabled", a.email));
        }
        if authority == ProgramAuthority::Contacts
            && p.grants.get(&a.id).is_some_and(|gs| {
                gs.iter().any(|g| {
                    cx.dir.roles.get(&g.role).is_some_and(|x| {
                        !matches!(x.builtin, Some(Builtin::Viewer | Builtin::Contributor))
                    })
                })
            })
        {
            return forbidden(format!(
                "{} holds roles in {} that only the {} can change",
                a.email, p.name, w.program_owner
            ));
        }
    }
    Ok(())
}

fn check_program_revoke(cx: &Ctx<'_>, p: &Program, r: &Role) -> Decision<()> {
    let w = cx.words(p.org);
    match program_authority(cx, p) {
        ProgramAuthority::Full => Ok(()),
        ProgramAuthority::Contacts
            if matches!(r.builtin, Some(Builtin::Viewer | Builtin::Contributor)) =>
        {
            Ok(())
        }
        ProgramAuthority::Contacts => forbidden(format!(
            "only the {} or {} can remove {} in {}",
            w.program_owner,
            an(&w.admin),
            r.name,
            p.name
        )),
        ProgramAuthority::None => no_contacts(cx, p),
    }
}

fn program_name_free(
    cx: &Ctx<'_>,
    org: OrgId,
    name: &str,
    except: Option<ProgramId>,
) -> Decision<()> {
    if cx
        .dir
        .programs
        .values()
        .any(|p| p.org == org && p.name.eq_ignore_ascii_case(name) && Some(p.id) != except)
    {
        return conflict(format!("a program named {name} already exists"));
    }
    Ok(())
}

/// A program as its commands see it: one the actor can neither see (`program show`) nor
/// manage does not exist for it (invariant 8), in the very words an unknown id gets.
fn in_sight<'a>(cx: &Ctx<'a>, id: ProgramId) -> Decision<&'a Program> {
    let p = cx.program(id)?;
    let sees = query::programs(cx.dir, cx.actor.who, p.org, cx.now)
        .iter()
        .any(|x| x.id == p.id);
    if sees || program_authority(cx, p) > ProgramAuthority::None {
        Ok(p)
    } else {
        not_found(format!("no program {id} in your organisation"))
    }
}

/// The refusal for someone who sees a program but may not manage its contacts: why, and
/// who can.
fn no_contacts<T>(cx: &Ctx<'_>, p: &Program) -> Decision<T> {
    let w = cx.words(p.org);
    let owner = cx
        .dir
        .accounts
        .get(&p.owner)
        .map(|o| format!(" ({})", o.email))
        .unwrap_or_default();
    forbidden(format!(
        "you cannot manage the contacts of {}: ask its {}{owner}, {} of it, or {}",
        p.name,
        w.program_owner,
        an(&w.program_contributor),
        an(&w.admin)
    ))
}
