//! Invitations: sending, accepting (by an administrator, or by the invitee through the
//! link), revoking, resending and expiring them (ZITADEL's `user_human_init.go` and
//! `org_member.go`'s invite side). Accepting makes the account with the offered roles.

use super::accounts;
use super::approvals;
use super::checks::{an, hours};
use super::context::{Ctx, Out, done};
use super::mail;
use super::programs;
use crate::core::event::Origin;
use crate::core::policy;
use crate::core::token::constant_time_eq;
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
        Invite {
            org,
            email,
            first_name,
            last_name,
            message,
            level,
            roles,
            programs,
            expires,
            secret_hash,
        } => {
            let o = cx.org(*org)?;
            let w = &o.settings.terminology;
            let email = validate::email(email)?;
            let first_name = validate::line("first name", first_name, 100, false)?;
            let last_name = validate::line("last name", last_name, 100, false)?;
            let message = validate::message("message", message, 2000)?;
            // Program-only invitations may come from program contacts (seed 004);
            // anything at organisation level needs members.invite.
            let program_only = roles.is_empty() && *level == Level::Member && !programs.is_empty();
            if !program_only || cx.has(*org, perms::MEMBERS_INVITE) {
                cx.need(*org, perms::MEMBERS_INVITE, "invite people")?;
            }
            match level {
                Level::Owner => {
                    return invalid(format!(
                        "nobody is invited as {}: invite them, then transfer ownership",
                        w.owner
                    ));
                }
                Level::Admin => cx.need_admin(*org, &format!("invite {}", an(&w.admin)))?,
                Level::Member => {}
            }
            let mut seen = BTreeSet::new();
            for r in roles {
                let role = cx.role(*r)?;
                if role.org != *org || role.scope != Scope::Org {
                    return invalid(format!(
                        "{} is not an organisation role of {}",
                        role.name, o.slug
                    ));
                }
                if !seen.insert(*r) {
                    return invalid(format!("{} is listed twice", role.name));
                }
                cx.need(*org, perms::ROLES_MANAGE, "invite people to roles")?;
                cx.may_confer(role)?;
                if let Some(product) = &role.gate
                    && !policy::product_active(cx.dir, *org, product, cx.now)
                {
                    return conflict(format!(
                        "{} is available only with an active {product} contract: contact the platform operator",
                        role.name
                    ));
                }
            }
            for offer in programs {
                let program = cx.program(offer.program)?;
                // The operator reaches every organisation: an offer must still be a
                // program of the organisation the invitation joins (invariant 2).
                if program.org != *org {
                    return not_found(format!(
                        "no {} {} in {}",
                        w.program.to_lowercase(),
                        program.id,
                        o.slug
                    ));
                }
                let role = cx.role(offer.role)?;
                programs::check_program_grant(cx, program, role, None)?;
            }
            if cx.dir.account_by_email(*org, &email).is_some() {
                return conflict(format!(
                    "{email} already has an account in {}: grant the roles instead",
                    o.slug
                ));
            }
            if let Some(open) = cx.dir.invitations.values().find(|i| {
                i.org == *org
                    && i.email.eq_ignore_ascii_case(&email)
                    && i.status_at(cx.now) == InvitationStatus::Pending
            }) {
                return conflict(format!(
                    "an invitation to {email} is already pending ({}): resend or revoke it",
                    open.id
                ));
            }
            let expires = expires.unwrap_or(cx.now + hours(o.settings.invitation_ttl_hours));
            if expires <= cx.now {
                return invalid("the invitation must expire in the future");
            }
            let invitation = Invitation {
                id: InvitationId(cx.ids.next()),
                org: *org,
                email,
                first_name,
                last_name,
                message,
                level: *level,
                roles: roles.clone(),
                programs: programs.clone(),
                sent_by: cx.actor.id(),
                sent_at: cx.now,
                expires,
                status: InvitationStatus::Pending,
                secret_hash: secret_hash.clone(),
                account: None,
            };
            let kind = crate::core::mail::MailKind::Invitation {
                invitation: invitation.id,
            };
            let to = (invitation.email.clone(), name_of(&invitation));
            let mail = mail::with_link(cx, secret_hash, kind, *org, (&to.0, &to.1));
            let mut events = vec![Event::InvitationSent { invitation }];
            events.extend(mail);
            done(*org, events)
        }
        AcceptInvitation {
            invitation,
            secret_hash,
        } => accept(cx, *invitation, secret_hash),
        RevokeInvitation { invitation } => {
            let inv = cx.invitation(*invitation)?;
            if cx.actor.id().is_none_or(|me| inv.sent_by != Some(me)) {
                cx.need(inv.org, perms::MEMBERS_INVITE, "revoke invitations")?;
            }
            if inv.status_at(cx.now) != InvitationStatus::Pending {
                return conflict(format!(
                    "invitation {} is {}, not pending",
                    inv.id,
                    inv.status_at(cx.now).as_str()
                ));
            }
            done(
                inv.org,
                vec![Event::InvitationRevoked { invitation: inv.id }],
            )
        }
        ResendInvitation {
            invitation,
            secret_hash,
        } => {
            let inv = cx.invitation(*invitation)?;
            if cx.actor.id().is_none_or(|me| inv.sent_by != Some(me)) {
                cx.need(inv.org, perms::MEMBERS_INVITE, "resend invitations")?;
            }
            let status = inv.status_at(cx.now);
            if !matches!(
                status,
                InvitationStatus::Pending | InvitationStatus::Expired
            ) {
                return conflict(format!(
                    "invitation {} is {}: send a new one",
                    inv.id,
                    status.as_str()
                ));
            }
            if cx.dir.account_by_email(inv.org, &inv.email).is_some() {
                return conflict(format!("{} has an account now", inv.email));
            }
            let ttl = cx.dir.orgs[&inv.org].settings.invitation_ttl_hours;
            let kind = crate::core::mail::MailKind::Invitation { invitation: inv.id };
            let name = name_of(inv);
            let mail = mail::with_link(cx, secret_hash, kind, inv.org, (&inv.email, &name));
            let mut events = vec![Event::InvitationResent {
                invitation: inv.id,
                expires: cx.now + hours(ttl),
                secret_hash: secret_hash.clone(),
            }];
            events.extend(mail);
            done(inv.org, events)
        }
        ExpireInvitations { org } => {
            cx.org(*org)?;
            if !cx.actor.is_operator() {
                cx.need(*org, perms::INVITATIONS_READ, "expire invitations")?;
            }
            let events = cx
                .dir
                .invitations
                .values()
                .filter(|i| {
                    i.org == *org && i.status == InvitationStatus::Pending && i.expires <= cx.now
                })
                .map(|i| Event::InvitationExpired { invitation: i.id })
                .collect();
            done(*org, events)
        }
        _ => unreachable!("{} is not an invitation command", cmd.verb()),
    }
}

/// The one answer to an invitation link that does not work, whatever the reason: an
/// outsider learns nothing from it, and the invitee learns what to do.
pub const LINK_NOT_VALID: &str = "this invitation link is not valid: it was already used, withdrawn, or replaced by a newer one; ask for a new invitation";

/// Accepting an invitation makes its account, with the offered roles, once; by the
/// link's secret (the invitee) or on the invitee's behalf (`members.invite`). Accepting
/// by the link alone (`AcceptInvitationLink`) comes here too.
pub(super) fn accept(
    cx: &mut Ctx<'_>,
    invitation: InvitationId,
    secret_hash: &Option<String>,
) -> Out {
    // Nobody in particular speaks only through the link's secret: until it matches,
    // every id (unknown, pending, accepted, revoked, expired) gets this one answer, so
    // ids tell an outsider nothing.
    if matches!(cx.actor.who, Principal::Anonymous) {
        let presented = cx.dir.invitations.get(&invitation).is_some_and(|i| {
            match (&i.secret_hash, secret_hash) {
                (Some(stored), Some(given)) => {
                    constant_time_eq(stored.as_bytes(), given.as_bytes())
                }
                _ => false,
            }
        });
        if !presented {
            return forbidden(LINK_NOT_VALID);
        }
    }
    let inv = cx.invitation(invitation)?;
    let o = &cx.dir.orgs[&inv.org];
    match inv.status_at(cx.now) {
        InvitationStatus::Pending => {}
        InvitationStatus::Accepted => {
            return conflict(format!("invitation {} was already accepted", inv.id));
        }
        InvitationStatus::Revoked => {
            return conflict(format!(
                "invitation {} was revoked: ask for a new one",
                inv.id
            ));
        }
        InvitationStatus::Expired => {
            return conflict(format!(
                "invitation {} expired at {}: ask for a new one",
                inv.id, inv.expires
            ));
        }
    }
    let by_link = match (&inv.secret_hash, secret_hash) {
        (Some(stored), Some(given)) => {
            if !constant_time_eq(stored.as_bytes(), given.as_bytes()) {
                return forbidden(LINK_NOT_VALID);
            }
            true
        }
        _ => false,
    };
    if !by_link {
        // Accepting on the invitee's behalf is an administrator's act.
        if !cx.reaches(inv.org) {
            return forbidden(LINK_NOT_VALID);
        }
        cx.need(
            inv.org,
            perms::MEMBERS_INVITE,
            "accept an invitation on someone's behalf",
        )?;
        if inv.level == Level::Admin {
            return forbidden(format!(
                "an invitation to become {} must be accepted by the invitee through the link: only verified accounts become {}",
                an(&o.settings.terminology.admin),
                o.settings.terminology.admin
            ));
        }
    }
    accounts::email_free(cx, inv.org, &inv.email, None)?;
    let first = if inv.first_name.is_empty() {
        inv.email.split('@').next().unwrap_or("")
    } else {
        &inv.first_name
    };
    let mut account = accounts::new_account(cx, inv.org, inv.email.clone(), first, &inv.last_name)?;
    account.verified = by_link;
    account.level = inv.level;
    if o.settings.approval_required {
        account.approval = Approval::Pending;
    }
    let mut events = vec![];
    let mut tail = vec![];
    for r in &inv.roles {
        let Some(role) = cx.dir.roles.get(r) else {
            return conflict(format!(
                "a role offered by invitation {} no longer exists: ask for a new invitation",
                inv.id
            ));
        };
        cx.seat_for(role, account.id, &[])?;
        tail.push(Event::RoleGranted {
            account: account.id,
            role: *r,
            until: None,
        });
    }
    for offer in &inv.programs {
        let (Some(program), Some(role)) = (
            cx.dir.programs.get(&offer.program),
            cx.dir.roles.get(&offer.role),
        ) else {
            return conflict(format!(
                "a program offered by invitation {} no longer exists: ask for a new invitation",
                inv.id
            ));
        };
        cx.seat_for(role, account.id, &[])?;
        if role.builtin == Some(Builtin::ProgramOwner) {
            tail.push(Event::ProgramOwnerChanged {
                program: program.id,
                from: program.owner,
                to: account.id,
            });
            if let Some(contrib) = cx.dir.builtin_role(inv.org, Builtin::Contributor) {
                tail.push(Event::ProgramRoleGranted {
                    program: program.id,
                    account: program.owner,
                    role: contrib.id,
                    until: None,
                });
            }
        } else {
            tail.push(Event::ProgramRoleGranted {
                program: program.id,
                account: account.id,
                role: role.id,
                until: None,
            });
        }
    }
    let join = (account.approval == Approval::Pending)
        .then(|| approvals::join_request(cx, &account, &format!("accepted invitation {}", inv.id)));
    let id = account.id;
    events.push(Event::AccountCreated {
        account,
        origin: Origin::Invited { invitation: inv.id },
    });
    events.push(Event::InvitationAccepted {
        invitation: inv.id,
        account: id,
    });
    events.extend(tail);
    events.extend(join);
    done(inv.org, events)
}

/// An invitee's name for a greeting.
fn name_of(i: &Invitation) -> String {
    format!("{} {}", i.first_name, i.last_name)
        .trim()
        .to_string()
}
