//! Accounts: registering, adding, editing, and the life of an account (verified,
//! enabled, approved, its level, deleted, sent a password-reset link). How an account is
//! made and whether an email is free live here too: founding an organisation and
//! accepting an invitation make accounts the same way (ZITADEL's `user_human.go`).

use super::approvals;
use super::checks::{an, hours};
use super::context::{Ctx, Out, done};
use super::mail;
use crate::core::event::Origin;

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
        Register {
            org,
            email,
            first_name,
            last_name,
        } => {
            if cx.actor.account.is_some() {
                return forbidden(
                    "you already have an account: registration is for people who do not",
                );
            }
            let o = match cx.dir.orgs.get(org) {
                Some(o) => o,
                None => return not_found(format!("no organisation {org}")),
            };
            if !o.settings.open_registration && !cx.actor.is_operator() {
                let admin = &o.settings.terminology.admin;
                return forbidden(format!(
                    "{} does not accept registrations: ask {} for an invitation",
                    o.slug,
                    an(admin)
                ));
            }
            let email = validate::email(email)?;
            email_free(cx, *org, &email, None)?;
            let mut account = new_account(cx, *org, email, first_name, last_name)?;
            let mut events = vec![];
            if o.settings.approval_required {
                account.approval = Approval::Pending;
                let req = approvals::join_request(cx, &account, "registered");
                events.push(Event::AccountCreated {
                    account,
                    origin: Origin::Registered,
                });
                events.push(req);
            } else {
                events.push(Event::AccountCreated {
                    account,
                    origin: Origin::Registered,
                });
            }
            done(*org, events)
        }
        AddAccount {
            org,
            email,
            first_name,
            last_name,
            verified,
        } => {
            let o = cx.org(*org)?;
            cx.need(*org, perms::MEMBERS_INVITE, "add accounts")?;
            let email = validate::email(email)?;
            email_free(cx, *org, &email, None)?;
            let mut account = new_account(cx, *org, email, first_name, last_name)?;
            account.verified = *verified && cx.has(*org, perms::MEMBERS_MANAGE);
            let mut events = vec![];
            let needs_approval =
                o.settings.approval_required && !cx.has(*org, perms::MEMBERS_APPROVE);
            if needs_approval {
                account.approval = Approval::Pending;
                let req =
                    approvals::join_request(cx, &account, &format!("added by {}", cx.label()));
                events.push(Event::AccountCreated {
                    account,
                    origin: Origin::Added,
                });
                events.push(req);
            } else {
                events.push(Event::AccountCreated {
                    account,
                    origin: Origin::Added,
                });
            }
            done(*org, events)
        }
        EditAccount {
            account,
            expected_version,
            first_name,
            last_name,
            email,
        } => {
            let a = cx.account(*account)?;
            if cx.actor.id() != Some(a.id) {
                cx.need(a.org, perms::MEMBERS_MANAGE, "edit accounts")?;
                cx.may_manage(a, "edit")?;
            }
            if a.version != *expected_version {
                return Err(DomainError::Stale(format!(
                    "{} was changed by someone else since you opened it (version {expected_version}, now {}): reload and edit again",
                    a.email, a.version
                )));
            }
            let first_name = validate::line("first name", first_name, 100, true)?;
            let last_name = validate::line("last name", last_name, 100, false)?;
            let email = validate::email(email)?;
            email_free(cx, a.org, &email, Some(a.id))?;
            if first_name == a.first_name && last_name == a.last_name && email == a.email {
                return conflict("nothing to change");
            }
            done(
                a.org,
                vec![Event::AccountEdited {
                    account: a.id,
                    first_name,
                    last_name,
                    email,
                }],
            )
        }
        Verify { account } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_MANAGE, "verify accounts")?;
            // Verification is someone else's word for who you are.
            cx.not_self(a, "verify")?;
            cx.may_manage(a, "verify")?;
            if a.verified {
                return conflict(format!("{} is already verified", a.email));
            }
            done(a.org, vec![Event::AccountVerified { account: a.id }])
        }
        Enable { account } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_MANAGE, "enable accounts")?;
            cx.not_self(a, "enable")?;
            cx.may_manage(a, "enable")?;
            if a.enabled {
                return conflict(format!("{} is already enabled", a.email));
            }
            done(a.org, vec![Event::AccountEnabled { account: a.id }])
        }
        Disable { account } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_MANAGE, "disable accounts")?;
            cx.not_self(a, "disable")?;
            if a.level == Level::Owner {
                return conflict(format!(
                    "{} is the {}: an organisation must keep exactly one enabled {}, so transfer ownership first",
                    a.email,
                    cx.words(a.org).owner,
                    cx.words(a.org).owner
                ));
            }
            cx.may_manage(a, "disable")?;
            if !a.enabled {
                return conflict(format!("{} is already disabled", a.email));
            }
            if let Some(p) = owned_programs(cx, a).first() {
                return conflict(format!(
                    "{} is the {} of {}: name a new one first",
                    a.email,
                    cx.words(a.org).program_owner,
                    p.name
                ));
            }
            done(a.org, vec![Event::AccountDisabled { account: a.id }])
        }
        Approve { account } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_APPROVE, "approve accounts")?;
            cx.not_self(a, "approve")?;
            cx.may_manage(a, "approve")?;
            if a.approval == Approval::Approved {
                return conflict(format!("{} is already approved", a.email));
            }
            let mut events = vec![Event::ApprovalChanged {
                account: a.id,
                approval: Approval::Approved,
                reason: String::new(),
            }];
            events.extend(approvals::close_join_requests(cx, a.id, true, ""));
            done(a.org, events)
        }
        Reject { account, reason } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_APPROVE, "reject accounts")?;
            cx.not_self(a, "reject")?;
            if a.level == Level::Owner {
                return conflict(format!(
                    "{} is the {} and cannot be rejected",
                    a.email,
                    cx.words(a.org).owner
                ));
            }
            cx.may_manage(a, "reject")?;
            let reason = validate::message("reason", reason, 500)?;
            if a.approval == Approval::Rejected {
                return conflict(format!("{} is already rejected", a.email));
            }
            let mut events = vec![Event::ApprovalChanged {
                account: a.id,
                approval: Approval::Rejected,
                reason: reason.clone(),
            }];
            events.extend(approvals::close_join_requests(cx, a.id, false, &reason));
            done(a.org, events)
        }
        Promote { account } => {
            let a = cx.account(*account)?;
            let w = cx.words(a.org);
            cx.need_admin(a.org, &format!("make someone {}", an(&w.admin)))?;
            match a.level {
                Level::Member => {}
                Level::Admin => {
                    return conflict(format!("{} is already {}", a.email, an(&w.admin)));
                }
                Level::Owner => return conflict(format!("{} is the {}", a.email, w.owner)),
            }
            if !a.verified {
                return conflict(format!(
                    "only verified accounts can be made {}: verify {} first",
                    w.admin, a.email
                ));
            }
            if !a.active() {
                return conflict(format!(
                    "{} must be enabled and approved to become {}",
                    a.email,
                    an(&w.admin)
                ));
            }
            done(
                a.org,
                vec![Event::LevelChanged {
                    account: a.id,
                    level: Level::Admin,
                }],
            )
        }
        Demote { account } => {
            let a = cx.account(*account)?;
            let w = cx.words(a.org);
            cx.need_admin(a.org, &format!("make {} {}", an(&w.admin), an(&w.member)))?;
            if cx.actor.id() == Some(a.id) {
                return forbidden(self_demotion(cx, a));
            }
            match a.level {
                Level::Admin => {}
                Level::Member => {
                    return conflict(format!("{} is already {}", a.email, an(&w.member)));
                }
                Level::Owner => {
                    return conflict(format!(
                        "{} is the {}: an organisation must keep exactly one {}, so transfer ownership first",
                        a.email, w.owner, w.owner
                    ));
                }
            }
            done(
                a.org,
                vec![Event::LevelChanged {
                    account: a.id,
                    level: Level::Member,
                }],
            )
        }
        DeleteAccount { account } => {
            let a = cx.account(*account)?;
            cx.need(a.org, perms::MEMBERS_MANAGE, "delete accounts")?;
            cx.not_self(a, "delete")?;
            if a.level == Level::Owner {
                return conflict(format!(
                    "{} is the {}: an organisation must keep exactly one {}, so transfer ownership first",
                    a.email,
                    cx.words(a.org).owner,
                    cx.words(a.org).owner
                ));
            }
            cx.may_manage(a, "delete")?;
            if a.enabled {
                return conflict(format!(
                    "{} must be disabled before it can be deleted",
                    a.email
                ));
            }
            if let Some(p) = owned_programs(cx, a).first() {
                return conflict(format!(
                    "{} is the {} of {}: name a new one first",
                    a.email,
                    cx.words(a.org).program_owner,
                    p.name
                ));
            }
            done(
                a.org,
                vec![Event::AccountDeleted {
                    account: a.id,
                    email: a.email.clone(),
                }],
            )
        }
        RequestPasswordReset {
            account,
            secret_hash,
        } => {
            let a = cx.account(*account)?;
            if cx.actor.id() != Some(a.id) {
                cx.need(a.org, perms::MEMBERS_MANAGE, "send password resets")?;
                cx.may_manage(a, "reset the password of")?;
            }
            if !a.enabled {
                return conflict(format!(
                    "{} is disabled: enable it before sending a reset",
                    a.email
                ));
            }
            let ttl = cx.dir.orgs[&a.org].settings.reset_ttl_hours;
            let reset = ResetRequest {
                id: ResetId(cx.ids.next()),
                org: a.org,
                account: a.id,
                requested_by: cx.actor.id(),
                requested_at: cx.now,
                expires: cx.now + hours(ttl),
                used: false,
                secret_hash: secret_hash.clone(),
            };
            let kind = crate::core::mail::MailKind::PasswordReset { reset: reset.id };
            let name = a.full_name();
            let mail = mail::with_link(cx, secret_hash, kind, a.org, (&a.email, &name));
            let mut events = vec![Event::PasswordResetRequested { reset }];
            events.extend(mail);
            done(a.org, events)
        }
        _ => unreachable!("{} is not an account command", cmd.verb()),
    }
}

/// An email names one account per organisation (`except`: the account being edited).
pub(super) fn email_free(
    cx: &Ctx<'_>,
    org: OrgId,
    email: &str,
    except: Option<AccountId>,
) -> Decision<()> {
    match cx.dir.account_by_email(org, email) {
        Some(a) if Some(a.id) != except => conflict(format!(
            "{} already has an account in {}",
            a.email, cx.dir.orgs[&org].slug
        )),
        _ => Ok(()),
    }
}

/// A new account as every way of making one starts it: enabled, approved, a member.
pub(super) fn new_account(
    cx: &mut Ctx<'_>,
    org: OrgId,
    email: String,
    first: &str,
    last: &str,
) -> Decision<Account> {
    Ok(Account {
        id: AccountId(cx.ids.next()),
        org,
        email,
        first_name: validate::line("first name", first, 100, true)?,
        last_name: validate::line("last name", last, 100, false)?,
        verified: false,
        enabled: true,
        approval: Approval::Approved,
        level: Level::Member,
        roles: vec![],
        created: cx.now,
        version: 1,
    })
}

/// The programs `account` owns: they need a new owner before it is disabled or deleted.
fn owned_programs<'a>(cx: &Ctx<'a>, account: &Account) -> Vec<&'a Program> {
    cx.dir
        .programs
        .values()
        .filter(|p| p.owner == account.id)
        .collect()
}

/// Why an account may not make itself a member, and who can: another enabled admin if
/// there is one, else the owner (who may also hand ownership over). "Ask another Admin"
/// when there is none would send the reader looking for someone who does not exist.
fn self_demotion(cx: &Ctx<'_>, me: &Account) -> String {
    let w = cx.words(me.org);
    let head = format!("you cannot make yourself {}", an(&w.member));
    if me.level == Level::Owner {
        return format!(
            "{head}: you are the {}; transfer ownership first, and the new {} can then make you {}",
            w.owner,
            w.owner,
            an(&w.member)
        );
    }
    let other_admin = cx
        .dir
        .accounts_of(me.org)
        .any(|x| x.id != me.id && x.level == Level::Admin && x.active());
    let owner = cx.dir.owner_of(me.org).map(|o| o.email.clone());
    let owner = match owner {
        Some(email) => format!("the {} ({email})", w.owner),
        None => format!("the {}", w.owner),
    };
    if other_admin {
        format!("{head}: ask another {} or {owner}", w.admin)
    } else {
        format!(
            "{head}: you are the only {}, so ask {owner}, or make someone else {} first",
            w.admin,
            an(&w.admin)
        )
    }
}
