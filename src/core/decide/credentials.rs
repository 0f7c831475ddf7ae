//! Passwords and sign-in sessions. The core never sees a password: the caller hashes it
//! with argon2id and passes the PHC string, and verifies a password against the stored
//! string itself. What the core decides is *who may set* a password (only someone holding
//! a live reset or invitation secret) and what a session is worth.

use super::checks::hours;
use super::context::{Ctx, Out, done};
use super::invitations;
use crate::core::command::Command;
use crate::core::directory::Directory;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::perms;
use crate::core::token::{self, Token, constant_time_eq};
use crate::core::validate;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        CompletePasswordReset {
            secret_hash,
            password_hash,
        } => complete_password_reset(cx, secret_hash, password_hash),
        AcceptInvitationLink {
            secret_hash,
            password_hash,
            first_name,
            last_name,
        } => accept_invitation_link(
            cx,
            secret_hash,
            password_hash,
            first_name.as_deref(),
            last_name.as_deref(),
        ),
        StartSession {
            account,
            token_hash,
        } => start_session(cx, *account, token_hash),
        RevokeSessions { account } => revoke_sessions(cx, *account),
        _ => unreachable!("{} is not a credentials command", cmd.verb()),
    }
}

/// A password hash must be roster's own kind (argon2id with its parameters), so a
/// plaintext password sent by mistake, or a hash made costly on purpose, is refused
/// rather than stored.
fn check_phc(hash: &str) -> Decision<()> {
    crate::core::validate::password_hash(hash)
}

/// Whether `cmd` only takes access away from `account` itself: revoking one of its own
/// tokens or sessions. An inactive account may still do that (a disabled account's live
/// session may sign out), since it can never give anyone more.
pub(super) fn ends_own_access(dir: &Directory, account: AccountId, cmd: &Command) -> bool {
    match cmd {
        Command::RevokeToken { token } => dir
            .tokens
            .get(token)
            .is_some_and(|t| t.principal == Principal::Account { id: account }),
        Command::RevokeSessions { account: a } => *a == account,
        _ => false,
    }
}

/// Seed 002: a reset link works once, until it expires, and only while the account
/// may sign in at all.
fn complete_password_reset(cx: &mut Ctx<'_>, secret_hash: &str, password_hash: &str) -> Out {
    check_phc(password_hash)?;
    // Every stored hash is compared, in constant time, so timing says nothing.
    let mut found = None;
    for r in cx.dir.resets.values() {
        if let Some(h) = &r.secret_hash
            && constant_time_eq(h.as_bytes(), secret_hash.as_bytes())
            && found.is_none()
        {
            found = Some(r);
        }
    }
    let Some(r) = found else {
        return forbidden("this password-reset link is not valid: check it, or ask for a new one");
    };
    if r.used {
        return conflict(
            "this password-reset link was already used (or replaced by a newer one): ask for a new one",
        );
    }
    if cx.now >= r.expires {
        return conflict(format!(
            "this password-reset link expired at {}: ask for a new one",
            r.expires
        ));
    }
    let Some(a) = cx.dir.accounts.get(&r.account) else {
        return conflict("the account of this password-reset link no longer exists");
    };
    if !a.enabled {
        return conflict(format!(
            "{} is disabled, so its password-reset link no longer works: ask {} of {} to enable it",
            a.email,
            crate::core::wording::an(&cx.words(a.org).admin),
            cx.dir.orgs[&a.org].slug
        ));
    }
    done(
        a.org,
        vec![Event::PasswordSet {
            account: a.id,
            password_hash: password_hash.to_string(),
            reset: Some(r.id),
        }],
    )
}

/// Accepting by the link's secret alone: the invitation is found by its secret, the
/// account is made as `AcceptInvitation` makes it (pending when the organisation
/// requires approval), and gets its password in the same step.
fn accept_invitation_link(
    cx: &mut Ctx<'_>,
    secret_hash: &str,
    password_hash: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> Out {
    check_phc(password_hash)?;
    let mut found = None;
    for i in cx.dir.invitations.values() {
        if let Some(h) = &i.secret_hash
            && constant_time_eq(h.as_bytes(), secret_hash.as_bytes())
            && found.is_none()
        {
            found = Some(i.id);
        }
    }
    let Some(invitation) = found else {
        return forbidden(super::invitations::LINK_NOT_VALID);
    };
    let (org, mut events) = invitations::accept(cx, invitation, &Some(secret_hash.to_string()))?;
    let mut account = None;
    for e in &mut events {
        if let Event::AccountCreated { account: a, .. } = e {
            if let Some(f) = first_name.filter(|f| !f.trim().is_empty()) {
                a.first_name = validate::line("first name", f, 100, true)?;
            }
            if let Some(l) = last_name {
                a.last_name = validate::line("last name", l, 100, false)?;
            }
            account = Some(a.id);
        }
    }
    let Some(account) = account else {
        return conflict("accepting the invitation made no account");
    };
    events.push(Event::PasswordSet {
        account,
        password_hash: password_hash.to_string(),
        reset: None,
    });
    Ok((org, events))
}

/// A session is opened by the account itself once its password checked out; an
/// inactive account never gets here (`decide_in` stops it acting).
fn start_session(cx: &mut Ctx<'_>, account: AccountId, token_hash: &str) -> Out {
    let Some(a) = cx.actor.account.filter(|a| a.id == account) else {
        return forbidden("a session is opened only by the account itself, by signing in");
    };
    if !token::is_sha256_hex(token_hash) {
        return invalid(
            "a session token hash must be the SHA-256 of the secret as 64 lowercase hex digits",
        );
    }
    if cx
        .dir
        .tokens
        .values()
        .any(|t| constant_time_eq(t.hash.as_bytes(), token_hash.as_bytes()))
    {
        return conflict("a token with this secret already exists: make a new secret");
    }
    let ttl = cx.dir.orgs[&a.org].settings.session_ttl_hours;
    let token = Token {
        id: TokenId(cx.ids.next()),
        principal: Principal::Account { id: a.id },
        org: Some(a.org),
        label: "sign-in session".into(),
        hash: token_hash.to_string(),
        created: cx.now,
        expires: Some(cx.now + hours(ttl)),
        revoked: false,
        session: true,
    };
    done(a.org, vec![Event::TokenIssued { token }])
}

/// Ends every live session of `account` now (its API tokens are left alone: they are
/// revoked one by one).
fn revoke_sessions(cx: &mut Ctx<'_>, account: AccountId) -> Out {
    let a = cx.account(account)?;
    if cx.actor.id() != Some(a.id) {
        cx.need(a.org, perms::SESSIONS_REVOKE, "end someone's sessions")?;
        cx.may_manage(a, "end the sessions of")?;
    }
    let now = cx.now;
    let events: Vec<Event> = cx
        .dir
        .tokens
        .values()
        .filter(|t| {
            t.session
                && !t.revoked
                && t.expires.is_none_or(|e| now < e)
                && t.principal == Principal::Account { id: a.id }
        })
        .map(|t| Event::TokenRevoked { token: t.id })
        .collect();
    if events.is_empty() {
        return conflict(format!("{} has no live sessions", a.email));
    }
    done(a.org, events)
}
