//! Passwords and signing in from the command line: accepting an invitation with a
//! password, setting a new password with a reset link, and `roster login`. These act as
//! nobody in particular (the link's secret is the credential), on the local store or on
//! a server without a token. Passwords are read by `password_input`, hashed here with
//! argon2id, and never printed.

use super::args::{Global, LoginArgs};
use super::context::Ctx;
use super::exec::{self, Applied, Change, Notes};
use super::fail::{Failure, Outcome};
use super::output::{json, say, when};
use super::password_input;
use super::store::{self, Target};
use crate::backend::rest;
use crate::core::{Approval, Command, Event, Principal, Recorded};
use crate::credentials::{self, links};
use crate::secret;
use serde_json::json as j;

/// A new password, checked here so a too-short one is refused before anything is sent.
fn new_password(from_stdin: bool) -> Outcome<String> {
    let pw = password_input::read(from_stdin, "New password", true)?;
    credentials::check_new(&pw).map_err(|e| Failure::msg(e.to_string()))?;
    Ok(pw)
}

fn new_password_hash(from_stdin: bool) -> Outcome<String> {
    let pw = new_password(from_stdin)?;
    credentials::hash_password(&pw).map_err(|e| Failure::msg(e.to_string()))
}

/// What `invitation accept` says after a server made the account: who it is, and how to
/// sign in (or that an administrator approves it first).
fn accepted_remotely(global: &Global, server: &str, events: &[Recorded]) -> Outcome {
    let account = events.iter().find_map(|r| match &r.event {
        Event::AccountCreated { account, .. } => Some(account.clone()),
        _ => None,
    });
    let Some(a) = account else {
        return Err(Failure::msg(
            "the server accepted the invitation but made no account: ask the organisation's administrator",
        ));
    };
    let pending = a.approval == Approval::Pending;
    if global.json {
        return json(&j!({
            "account": a.id.to_string(),
            "email": a.email,
            "pending": pending,
        }));
    }
    say(format!(
        "✓ invitation accepted: account {} ({})",
        a.id, a.email
    ));
    if pending {
        say("  the organisation approves new accounts: you can sign in once an administrator has");
    } else {
        say(format!(
            "  sign in with: roster --server {server}   (or: roster login --server {server} --org ORG --email {})",
            a.email
        ));
    }
    Ok(())
}

/// `roster invitation accept --secret S [--password-stdin]`: the invitee accepts and
/// chooses a password in one step.
pub fn accept(global: &Global, secret: &str, password_stdin: bool) -> Outcome {
    if let Target::Remote(remote) = store::target(global)? {
        let password = new_password(password_stdin)?;
        let events =
            rest::accept_invitation(&remote.connect.server, links::secret_of(secret), &password)?;
        return accepted_remotely(global, &remote.connect.server, &events);
    }
    let ctx = Ctx::open_anonymous(global)?;
    let password_hash = new_password_hash(password_stdin)?;
    let cmd = Command::AcceptInvitationLink {
        secret_hash: secret::hash(links::secret_of(secret)),
        password_hash,
        first_name: None,
        last_name: None,
    };
    exec::apply_with(
        &ctx,
        &Principal::Anonymous,
        vec![Change::new("invitation", Ok(cmd))],
        |done: &Applied, notes: &mut Notes| {
            let account = done.events.iter().find_map(|r| match &r.event {
                Event::AccountCreated { account, .. } => Some(account.clone()),
                _ => None,
            });
            if let Some(a) = account {
                notes.fields.insert("account".into(), j!(a.id.to_string()));
                notes.fields.insert("email".into(), j!(a.email));
                if a.approval == Approval::Pending {
                    notes.lines.push(
                        "  the organisation approves new accounts: you can sign in once an administrator has"
                            .into(),
                    );
                } else {
                    notes.lines.push(format!(
                        "  sign in with: roster login --server URL --org ORG --email {}",
                        a.email
                    ));
                }
            }
            Ok(())
        },
    )
}

/// `roster password reset --secret S`: a new password with a reset link's secret.
pub fn reset(global: &Global, secret: &str, password_stdin: bool) -> Outcome {
    if let Target::Remote(remote) = store::target(global)? {
        let password = new_password(password_stdin)?;
        rest::complete_reset(&remote.connect.server, links::secret_of(secret), &password)?;
        return if global.json {
            json(&j!({ "ok": true }))
        } else {
            say("✓ password reset: your new password is set");
            Ok(())
        };
    }
    let ctx = Ctx::open_anonymous(global)?;
    let password_hash = new_password_hash(password_stdin)?;
    let cmd = Command::CompletePasswordReset {
        secret_hash: secret::hash(links::secret_of(secret)),
        password_hash,
    };
    exec::apply(
        &ctx,
        &Principal::Anonymous,
        vec![Change::new("password reset", Ok(cmd))],
    )
}

/// `roster login --server URL --org SLUG --email E`: opens a session and saves it as a
/// context of the config file (made current), so later commands and the console use it.
pub fn login(global: &Global, a: LoginArgs) -> Outcome {
    let Some(server) = global.server.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(Failure::msg(
            "say which server to sign in to: roster login --server https://host:port --org SLUG --email EMAIL",
        ));
    };
    let Some(org) = global.org.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(Failure::msg(
            "say which organisation to sign in to: --org SLUG",
        ));
    };
    let password = password_input::read(a.password_stdin, "Password", false)?;
    let session = crate::backend::rest::sign_in(server, org, &a.email, &password)?;
    let name = a.save_as.unwrap_or_else(|| session.org.clone());
    let path = crate::config::Config::default_path().ok_or_else(|| {
        Failure::msg("cannot work out where the config file lives (no home directory)")
    })?;
    crate::config::save_context(&path, &name, server.trim(), &session.org, &session.token)
        .map_err(Failure::Message)?;
    if global.json {
        return json(&j!({
            "context": name,
            "org": session.org,
            "expires": session.expires,
            "config": path.display().to_string(),
        }));
    }
    say(format!(
        "✓ signed in to {} as {} until {}",
        session.org,
        a.email.trim(),
        when(session.expires)
    ));
    say(format!(
        "  saved as context '{name}' in {} (now current): commands and the console use it",
        path.display()
    ));
    Ok(())
}
