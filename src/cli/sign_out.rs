//! `roster logout` (end the saved session, then forget its token) and `roster password
//! forgot` (ask a server to mail a reset link). Both talk to a server only.

use super::args::Global;
use super::fail::{Failure, Outcome};
use super::output::{json, say};
use crate::backend::BackendError;
use crate::backend::rest;
use serde_json::json as j;

/// `roster logout [--context NAME]`: `DELETE /v1/sessions/current` with the context's
/// token, then the token is removed from the context (the server and organisation stay,
/// so `roster login` signs in there again). A session that had already ended (expired,
/// revoked) is forgotten all the same; a server that does not answer keeps it, so
/// signing out can be tried again.
pub fn logout(global: &Global) -> Outcome {
    let config = crate::config::Config::load().map_err(Failure::Message)?;
    let Some(name) = global.context.clone().or_else(|| config.current.clone()) else {
        return Err(Failure::msg(
            "no context to sign out of: name one with --context NAME (`roster context list` shows them)",
        ));
    };
    let ctx = config.get(&name).map_err(Failure::Message)?;
    if ctx.token.is_none() {
        return Err(Failure::msg(format!(
            "context '{name}' holds no session token (already signed out, or its token is kept in a file or a variable, which roster does not delete): nothing to do"
        )));
    }
    let token = config
        .token(&name, ctx)
        .map_err(Failure::Message)?
        .token
        .ok_or_else(|| Failure::msg(format!("context '{name}' holds no token")))?;
    let ended = match rest::sign_out(&ctx.server, token) {
        Ok(()) => "signed out",
        Err(BackendError::Unauthorized(_)) => "the session had already ended (expired or revoked)",
        Err(e) => {
            return Err(Failure::msg(format!(
                "{e}; the token is kept in context '{name}': try `roster logout` again"
            )));
        }
    };
    crate::config::forget_token(&config.path, &name).map_err(Failure::Message)?;
    if global.json {
        return json(&j!({ "context": name, "result": ended }));
    }
    say(format!(
        "✓ {ended}: the token is removed from context '{name}' in {}",
        config.path.display()
    ));
    say(format!(
        "  sign in again with: roster login --server {} --org {} --email EMAIL",
        ctx.server,
        ctx.org.as_deref().unwrap_or("SLUG")
    ));
    Ok(())
}

/// `roster password forgot --server URL --org SLUG --email E`: the server mails a reset
/// link to the account's own address. Its answer is the same whether the email exists
/// or not, and so is this one.
pub fn forgot(global: &Global, email: &str) -> Outcome {
    let Some(server) = global.server.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(Failure::msg(
            "say which server: roster password forgot --server https://host:port --org SLUG --email EMAIL",
        ));
    };
    let Some(org) = global.org.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(Failure::msg("say which organisation: --org SLUG"));
    };
    rest::forgot_password(server, org, email)?;
    if global.json {
        return json(&j!({ "ok": true }));
    }
    say(format!(
        "✓ if {} has an account in {org}, a reset link is on its way to that address",
        email.trim()
    ));
    say(format!(
        "  then: roster --server {server} password reset --secret LINK"
    ));
    Ok(())
}
