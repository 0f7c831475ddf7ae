//! Organisations: founding one (with its owner and its built-in program roles), its
//! profile, its settings and terminology, and who owns it (ZITADEL's `org.go`).

use super::accounts;
use super::context::{Ctx, Ids, Out, done};
use crate::core::event::Origin;
use std::collections::BTreeSet;

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
        CreateOrg {
            slug,
            name,
            owner_email,
            owner_first_name,
            owner_last_name,
            settings,
        } => {
            if !cx.actor.is_operator() {
                return forbidden("only a platform operator can create organisations");
            }
            let slug = validate::slug(slug)?;
            if cx.dir.org_by_slug(&slug).is_some() {
                return conflict(format!("an organisation with slug '{slug}' already exists"));
            }
            let name = validate::line("organisation name", name, 120, true)?;
            let settings = settings.clone().unwrap_or_default();
            check_settings(&settings)?;
            let email = validate::email(owner_email)?;
            let org = Org {
                id: OrgId(cx.ids.next()),
                slug,
                name,
                profile: Profile::default(),
                settings,
                created: cx.now,
                version: 1,
            };
            let builtin_roles =
                builtin_program_roles(org.id, &org.settings.terminology, &mut cx.ids);
            let mut owner =
                accounts::new_account(cx, org.id, email, owner_first_name, owner_last_name)?;
            owner.level = Level::Owner;
            owner.verified = true;
            let id = org.id;
            done(
                id,
                vec![
                    Event::OrgCreated { org, builtin_roles },
                    Event::AccountCreated {
                        account: owner,
                        origin: Origin::Founder,
                    },
                ],
            )
        }
        UpdateOrgProfile { org, name, profile } => {
            let o = cx.org(*org)?;
            let is_owner = cx.actor.level() == Some(Level::Owner);
            if !(is_owner || cx.actor.is_operator()) {
                let w = &o.settings.terminology;
                return forbidden(format!(
                    "only the {} changes organisation information",
                    w.owner
                ));
            }
            let name = validate::line("organisation name", name, 120, true)?;
            let profile = Profile {
                address: validate::message("address", &profile.address, 500)?,
                website: validate::line("website", &profile.website, 200, false)?,
                description: validate::message("description", &profile.description, 2000)?,
            };
            if name == o.name && profile == o.profile {
                return conflict("nothing to change");
            }
            done(
                *org,
                vec![Event::OrgProfileUpdated {
                    org: *org,
                    name,
                    profile,
                }],
            )
        }
        UpdateOrgSettings { org, settings } => {
            let o = cx.org(*org)?;
            cx.need(*org, perms::ORG_SETTINGS, "change organisation settings")?;
            check_settings(settings)?;
            // Renaming a built-in program role must not give it a custom role's name.
            let t = &settings.terminology;
            for word in [&t.program_owner, &t.program_contributor, &t.program_viewer] {
                if let Some(r) = cx
                    .dir
                    .roles_of(*org)
                    .find(|r| r.builtin.is_none() && same_name(&r.name, word))
                {
                    return conflict(format!(
                        "a role named {} already exists: choose another word or rename that role first",
                        r.name
                    ));
                }
            }
            if *settings == o.settings {
                return conflict("nothing to change");
            }
            done(
                *org,
                vec![Event::OrgSettingsUpdated {
                    org: *org,
                    settings: settings.clone(),
                }],
            )
        }
        TransferOwnership { org, to } => {
            let o = cx.org(*org)?;
            let w = &o.settings.terminology;
            let is_owner = cx.actor.level() == Some(Level::Owner)
                && cx.actor.account.map(|a| a.org) == Some(*org);
            if !(is_owner || cx.actor.is_operator()) {
                return forbidden(format!(
                    "only the {} or a platform operator can designate a new {}",
                    w.owner, w.owner
                ));
            }
            let target = cx.account(*to)?;
            if target.org != *org {
                return not_found(format!("no account {to} in {}", o.slug));
            }
            let Some(current) = cx.dir.owner_of(*org) else {
                return conflict(format!("the organisation has no {}", w.owner));
            };
            if current.id == target.id {
                return conflict(format!("{} is already the {}", target.email, w.owner));
            }
            if !target.verified {
                return conflict(format!(
                    "only verified accounts can become {}: verify {} first",
                    w.owner, target.email
                ));
            }
            if !target.active() {
                return conflict(format!(
                    "{} must be enabled and approved to become {}",
                    target.email, w.owner
                ));
            }
            done(
                *org,
                vec![Event::OwnershipTransferred {
                    org: *org,
                    from: current.id,
                    to: target.id,
                }],
            )
        }
        _ => unreachable!("{} is not an organisation command", cmd.verb()),
    }
}

fn check_settings(s: &Settings) -> Decision<()> {
    for (what, h) in [
        ("invitation lifetime", s.invitation_ttl_hours),
        ("reset-link lifetime", s.reset_ttl_hours),
        ("session lifetime", s.session_ttl_hours),
    ] {
        if h == 0 || h > 24 * 90 {
            return invalid(format!("the {what} must be between 1 hour and 90 days"));
        }
    }
    let t = &s.terminology;
    for (field, v) in [
        ("owner", &t.owner),
        ("admin", &t.admin),
        ("member", &t.member),
        ("program", &t.program),
        ("program owner", &t.program_owner),
        ("program contributor", &t.program_contributor),
        ("program viewer", &t.program_viewer),
    ] {
        validate::line(&format!("the word for {field}"), v, 40, true)?;
    }
    // The program words name the built-in program roles, and role names are unique.
    let program_words = [&t.program_owner, &t.program_contributor, &t.program_viewer];
    for (i, a) in program_words.iter().enumerate() {
        if program_words[..i].iter().any(|b| same_name(a, b)) {
            return invalid(format!(
                "'{}' names two program roles: choose different words",
                a.trim()
            ));
        }
    }
    Ok(())
}

/// Names compare like `role_name_free` does: trimmed, ASCII case-insensitive.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The built-in program roles every organisation starts with (seed 004).
fn builtin_program_roles(org: OrgId, words: &Terminology, ids: &mut Ids) -> Vec<Role> {
    let set = |ps: &[&str]| ps.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>();
    let viewer = set(&[perms::PROGRAM_VIEW, perms::PROGRAM_PAY]);
    let contributor = set(&[
        perms::PROGRAM_VIEW,
        perms::PROGRAM_PAY,
        perms::PROGRAM_EDIT,
        perms::PROGRAM_SUBMIT,
        perms::PROGRAM_CONTACTS,
    ]);
    let owner: BTreeSet<String> = perms::CATALOGUE
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| perms::is_program_permission(p))
        .map(String::from)
        .collect();
    [
        (
            Builtin::Viewer,
            &words.program_viewer,
            "can view the program but not change it",
            viewer,
        ),
        (
            Builtin::Contributor,
            &words.program_contributor,
            "can change the program and manage its viewers and contributors",
            contributor,
        ),
        (
            Builtin::ProgramOwner,
            &words.program_owner,
            "the program's one main contact: everything in the program",
            owner,
        ),
    ]
    .into_iter()
    .map(|(b, name, description, permissions)| Role {
        id: RoleId(ids.next()),
        org,
        name: name.clone(),
        description: description.into(),
        scope: Scope::Program,
        permissions,
        builtin: Some(b),
        gate: None,
        version: 1,
    })
    .collect()
}
