//! API tokens: issuing one (for oneself, or by the operator for anyone) and revoking one.

use super::context::{Ctx, Out};
use crate::core::token::{self, Token, constant_time_eq};
use jiff::Timestamp;

use crate::core::command::Command;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::validate;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        IssueToken {
            principal,
            label,
            token_hash,
            expires,
        } => issue_token(cx, principal, label, token_hash, *expires),
        RevokeToken { token } => revoke_token(cx, *token),
        _ => unreachable!("{} is not a token command", cmd.verb()),
    }
}

/// An account issues tokens only for itself; the operator for anyone. A token for an
/// account that may not sign in would be refused at every use, so it is not made.
fn issue_token(
    cx: &mut Ctx<'_>,
    principal: &Principal,
    label: &str,
    token_hash: &str,
    expires: Option<Timestamp>,
) -> Out {
    let org = match (cx.actor.who, principal) {
        (Principal::Anonymous, _) => return forbidden("sign in to issue API tokens"),
        (_, Principal::Anonymous) => {
            return invalid(
                "a token acts as an account or as the platform operator, not as nobody",
            );
        }
        (Principal::Account { .. }, Principal::Operator) => {
            return forbidden("only the platform operator can issue operator tokens");
        }
        (Principal::Account { id: me }, Principal::Account { id }) if me != id => {
            return forbidden(
                "you can issue API tokens only for yourself: the platform operator issues them for others",
            );
        }
        (_, Principal::Operator) => None,
        (_, Principal::Account { id }) => {
            let a = cx.account(*id)?;
            if !a.active() {
                return conflict(format!(
                    "{} is {} and cannot sign in, so a token for it would never work",
                    a.email,
                    crate::core::query::status_word(a)
                ));
            }
            Some(a.org)
        }
    };
    let label = validate::line("token label", label, 100, false)?;
    if !token::is_sha256_hex(token_hash) {
        return invalid(
            "a token hash must be the SHA-256 of the secret as 64 lowercase hex digits",
        );
    }
    if expires.is_some_and(|e| e <= cx.now) {
        return invalid("the token must expire in the future");
    }
    if cx
        .dir
        .tokens
        .values()
        .any(|t| constant_time_eq(t.hash.as_bytes(), token_hash.as_bytes()))
    {
        return conflict("a token with this secret already exists: make a new secret");
    }
    let token = Token {
        id: TokenId(cx.ids.next()),
        principal: principal.clone(),
        org,
        label,
        hash: token_hash.to_string(),
        created: cx.now,
        expires,
        revoked: false,
        session: false,
    };
    Ok((org, vec![Event::TokenIssued { token }]))
}

/// The operator, the token's own account, or an admin of that account's organisation
/// (under the usual delegation: nobody but the owner and the operator touches the
/// owner's tokens). Tokens of other organisations, and operator tokens, do not exist
/// for an account.
fn revoke_token(cx: &mut Ctx<'_>, id: TokenId) -> Out {
    let missing = || not_found(format!("no API token {id}"));
    let Some(t) = cx.dir.tokens.get(&id) else {
        return missing();
    };
    match (cx.actor.who, &t.principal) {
        (Principal::Operator, _) => {}
        (Principal::Account { id: me }, Principal::Account { id: holder }) => {
            let Some(org) = t.org.filter(|o| cx.reaches(*o)) else {
                return missing();
            };
            if me != holder {
                cx.need_admin(org, "revoke someone else's API token")?;
                if let Some(h) = cx.dir.accounts.get(holder) {
                    cx.may_manage(h, "revoke the API tokens of")?;
                }
            }
        }
        _ => return missing(),
    }
    if t.revoked {
        return conflict(format!("API token {id} is already revoked"));
    }
    Ok((t.org, vec![Event::TokenRevoked { token: id }]))
}
