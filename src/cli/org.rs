//! `roster org …`: organisations, their profile, settings and ownership.

use super::args::{OrgCmd, SettingsArgs};
use super::context::Ctx;
use super::exec::{self, Change};
use super::fail::Outcome;
use super::output::{Shown, Table, when};
use super::resolve;
use crate::core::query::reachable_orgs;
use crate::core::{Command, Directory, Org, Principal, Profile, Settings, perms, policy};
use jiff::Timestamp;
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: OrgCmd) -> Outcome {
    match cmd {
        OrgCmd::Create {
            slug,
            name,
            owner,
            owner_first_name,
            owner_last_name,
            approval_required,
            open_registration,
        } => {
            let who = ctx.principal()?;
            let settings = (approval_required || open_registration).then(|| Settings {
                approval_required,
                open_registration,
                ..Settings::default()
            });
            let cmd = Command::CreateOrg {
                slug: slug.clone(),
                name,
                owner_email: owner,
                owner_first_name,
                owner_last_name,
                settings,
            };
            exec::apply(ctx, &who, vec![Change::new(slug, Ok(cmd))])
        }
        OrgCmd::List => list(ctx),
        OrgCmd::Show { slug } => show(ctx, slug.as_deref()),
        OrgCmd::Update {
            name,
            address,
            website,
            description,
        } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let cmd = ctx.read(|dir| {
                let o = &dir.orgs[&org];
                let profile = Profile {
                    address: address.unwrap_or_else(|| o.profile.address.clone()),
                    website: website.unwrap_or_else(|| o.profile.website.clone()),
                    description: description.unwrap_or_else(|| o.profile.description.clone()),
                };
                let name = name.unwrap_or_else(|| o.name.clone());
                (
                    o.slug.clone(),
                    Command::UpdateOrgProfile { org, name, profile },
                )
            })?;
            exec::apply(ctx, &who, vec![Change::new(cmd.0, Ok(cmd.1))])
        }
        OrgCmd::Settings(args) => settings(ctx, args),
        OrgCmd::Transfer { email } => {
            let who = ctx.principal()?;
            let org = ctx.org()?;
            let change = ctx.read(|dir| {
                let cmd = resolve::account(dir, org, &email)
                    .map(|a| Command::TransferOwnership { org, to: a.id });
                Change::new(email.clone(), cmd)
            })?;
            exec::apply(ctx, &who, vec![change])
        }
    }
}

fn may_read(dir: &Directory, who: &Principal, org: &Org, now: Timestamp) -> Result<(), String> {
    if policy::org_permissions(dir, who, org.id, now).contains(perms::ORG_READ) {
        Ok(())
    } else {
        Err(format!("no organisation '{}' you can see", org.slug))
    }
}

fn list(ctx: &Ctx) -> Outcome {
    let who = ctx.principal()?;
    let now = ctx.now();
    let json = ctx.json;
    ctx.view(|dir| {
        let mut orgs: Vec<&Org> = reachable_orgs(dir, &who)
            .into_iter()
            .filter(|o| may_read(dir, &who, o, now).is_ok())
            .collect();
        orgs.sort_by(|a, b| a.slug.cmp(&b.slug));
        if json {
            return Shown::json(&orgs);
        }
        let mut t = Table::new(&["SLUG", "NAME", "OWNER", "ACCOUNTS", "PENDING"]);
        for o in &orgs {
            let owner = dir
                .owner_of(o.id)
                .map(|a| a.email.clone())
                .unwrap_or_default();
            let pending = policy::pending_counts(dir, o.id);
            t.row(vec![
                o.slug.clone(),
                o.name.clone(),
                owner,
                dir.accounts_of(o.id).count().to_string(),
                pending.requests.to_string(),
            ]);
        }
        Ok(Shown::Text(t.lines(
            "no organisations yet: create one with `roster org create`",
        )))
    })
}

fn show(ctx: &Ctx, slug: Option<&str>) -> Outcome {
    let who = ctx.principal()?;
    let now = ctx.now();
    let json = ctx.json;
    let default_org = ctx.org_opt();
    let need_org = if slug.is_none() {
        Some(ctx.org()?)
    } else {
        default_org
    };
    ctx.view(|dir| {
        let o = match slug {
            Some(s) => dir
                .org_by_slug(s)
                .ok_or_else(|| format!("no organisation '{s}' in this store"))?,
            None => need_org
                .and_then(|id| dir.orgs.get(&id))
                .ok_or("no organisation")?,
        };
        if !reachable_orgs(dir, &who).iter().any(|r| r.id == o.id) {
            return Err(format!("no organisation '{}' you can see", o.slug));
        }
        may_read(dir, &who, o, now)?;
        let pending = policy::pending_counts(dir, o.id);
        let accounts = dir.accounts_of(o.id).count();
        let programs = dir.programs.values().filter(|p| p.org == o.id).count();
        let owner = dir.owner_of(o.id);
        if json {
            return Shown::json(&j!({
                "org": o,
                "owner": owner.map(|a| &a.email),
                "accounts": accounts,
                "programs": programs,
                "pending": pending,
            }));
        }
        let s = &o.settings;
        let t = &s.terminology;
        let mut lines = vec![
            format!("{} ({}, {})", o.name, o.slug, o.id),
            format!("  created:       {}", when(o.created)),
            format!(
                "  owner:         {} ({})",
                owner
                    .map(|a| format!("{} <{}>", a.full_name(), a.email))
                    .unwrap_or_default(),
                t.owner
            ),
            format!(
                "  accounts:      {accounts} ({} waiting for approval)",
                pending.accounts
            ),
            format!("  requests:      {} pending", pending.requests),
            format!("  programs:      {programs} ({}s)", t.program),
        ];
        for (label, value) in [
            ("address", &o.profile.address),
            ("website", &o.profile.website),
            ("description", &o.profile.description),
        ] {
            if !value.is_empty() {
                for (i, l) in value.lines().enumerate() {
                    let head = if i == 0 {
                        format!("{label}:")
                    } else {
                        String::new()
                    };
                    lines.push(format!("  {head:<14} {l}"));
                }
            }
        }
        lines.extend(settings_lines(s));
        Ok(Shown::Text(lines))
    })
}

fn settings_lines(s: &Settings) -> Vec<String> {
    let t = &s.terminology;
    let yes = |b: bool| if b { "yes" } else { "no" };
    vec![
        "settings:".into(),
        format!("  approval required:  {}", yes(s.approval_required)),
        format!("  open registration:  {}", yes(s.open_registration)),
        format!("  invitation links:   {} hours", s.invitation_ttl_hours),
        format!("  reset links:        {} hours", s.reset_ttl_hours),
        format!("  sign-in sessions:   {} hours", s.session_ttl_hours),
        "terminology:".into(),
        format!("  owner:              {}", t.owner),
        format!("  admin:              {}", t.admin),
        format!("  member:             {}", t.member),
        format!("  program:            {}", t.program),
        format!("  program owner:      {}", t.program_owner),
        format!("  contributor:        {}", t.program_contributor),
        format!("  viewer:             {}", t.program_viewer),
    ]
}

fn settings(ctx: &Ctx, a: SettingsArgs) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let SettingsArgs {
        approval_required,
        open_registration,
        invitation_hours,
        reset_hours,
        session_hours,
        term_owner,
        term_admin,
        term_member,
        term_program,
        term_program_owner,
        term_contributor,
        term_viewer,
    } = a;
    let nothing = approval_required.is_none()
        && open_registration.is_none()
        && invitation_hours.is_none()
        && reset_hours.is_none()
        && session_hours.is_none()
        && term_owner.is_none()
        && term_admin.is_none()
        && term_member.is_none()
        && term_program.is_none()
        && term_program_owner.is_none()
        && term_contributor.is_none()
        && term_viewer.is_none();
    if nothing {
        // Without options this is a read.
        let now = ctx.now();
        let json = ctx.json;
        return ctx.view(|dir| {
            let o = &dir.orgs[&org];
            may_read(dir, &who, o, now)?;
            if json {
                return Shown::json(&o.settings);
            }
            Ok(Shown::Text(settings_lines(&o.settings)))
        });
    }
    let (slug, mut s) =
        ctx.read(|dir| (dir.orgs[&org].slug.clone(), dir.orgs[&org].settings.clone()))?;
    let set = |field: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    if let Some(v) = approval_required {
        s.approval_required = v;
    }
    if let Some(v) = open_registration {
        s.open_registration = v;
    }
    if let Some(v) = invitation_hours {
        s.invitation_ttl_hours = v;
    }
    if let Some(v) = reset_hours {
        s.reset_ttl_hours = v;
    }
    if let Some(v) = session_hours {
        s.session_ttl_hours = v;
    }
    let t = &mut s.terminology;
    set(&mut t.owner, term_owner);
    set(&mut t.admin, term_admin);
    set(&mut t.member, term_member);
    set(&mut t.program, term_program);
    set(&mut t.program_owner, term_program_owner);
    set(&mut t.program_contributor, term_contributor);
    set(&mut t.program_viewer, term_viewer);
    exec::apply(
        ctx,
        &who,
        vec![Change::new(
            slug,
            Ok(Command::UpdateOrgSettings { org, settings: s }),
        )],
    )
}
