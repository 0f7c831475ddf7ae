//! The generic command endpoint (every core command, decided as the token's principal)
//! and the audit trail.

use super::sessions::ClientIp;
use crate::backend::{self, AuditQuery};
use crate::core::summary::summary;
use crate::core::{Command, Principal, Recorded, perms, policy, visibility};
use crate::server::act::{self, Events, org_of};
use crate::server::api::{Api, Auth, doc};
use crate::server::api_schema::Kind;
use crate::server::auth::{Caller, MaybeCaller};
use crate::server::extract::{Body, Params};
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    api.post(
        "/v1/commands",
        command,
        doc(
            "commands",
            "Decide and run any core command as the token's principal (without a token: as nobody, who may only register or accept an invitation)",
            "Events",
        )
        .body("CommandRequest")
        .auth(Auth::Optional)
        .also(&[(
            429,
            "too many registrations from one address: retry after Retry-After seconds",
        )]),
    )
    .get(
        "/v1/audit",
        audit,
        doc(
            "audit",
            "The audit trail, newest first (needs audit.read)",
            "Audit",
        )
        .query(&[
            (
                "org",
                "organisation slug (operators may leave it out for all)",
                Kind::Text,
            ),
            ("actor", "text in the actor's email", Kind::Text),
            ("kind", "event type, e.g. account_disabled", Kind::Text),
            ("text", "text in the event or its summary", Kind::Text),
            (
                "before",
                "only events with a smaller seq (paging back)",
                Kind::Count { max: u64::MAX },
            ),
            (
                "limit",
                "at most this many (default 50; taken as 1 to 500)",
                Kind::Count { max: u64::MAX },
            ),
        ]),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// A `core::Command`: `{"op": "disable", "account": 12}` and so on.
    #[schema(value_type = Object)]
    pub command: Command,
    /// Decide without committing: the events it would record, or why it is refused.
    #[serde(default)]
    pub dry_run: bool,
    /// For a command that sends a link (invite, resend, password reset): the secret
    /// whose hash the command carries, so the server can mail the link.
    #[serde(default)]
    pub link_secret: Option<String>,
}

/// Commands that carry a credential only roster itself may make: a password's hash (the
/// server hashes with its own parameters) or a session (the server opens one after it
/// checked a password). From a client they would skip the password rules, choose the
/// cost of every later sign-in, or turn an API token into a session that outlives it.
/// The sentence names the route that does the same thing properly.
fn issued_by_the_server_only(cmd: &Command) -> Option<&'static str> {
    match cmd {
        Command::CompletePasswordReset { .. } => Some(
            "complete_password_reset is issued by the server itself, which hashes the password: send the secret and the new password to POST /v1/password-resets/complete",
        ),
        Command::AcceptInvitationLink { .. } => Some(
            "accept_invitation_link is issued by the server itself, which hashes the password: send the secret and the password to POST /v1/invitations/accept",
        ),
        Command::StartSession { .. } => Some(
            "start_session is issued by the server itself once it has checked a password: sign in with POST /v1/sessions",
        ),
        _ => None,
    }
}

async fn command(
    State(s): State<AppState>,
    MaybeCaller(who): MaybeCaller,
    ClientIp(ip): ClientIp,
    Body(mut req): Body<CommandRequest>,
) -> Reply<Json<Events>> {
    if let Some(why) = issued_by_the_server_only(&req.command) {
        return Err(Problem::forbidden(why));
    }
    // Nobody learns without acting: a dry run by an anonymous caller could only probe
    // which emails have accounts and which invitations exist.
    if who == Principal::Anonymous && req.dry_run {
        return Err(Problem::forbidden(
            "a dry run needs an API token: without one it would only tell which emails and invitations exist",
        ));
    }
    // Anyone may register, but one address only so often (a dry run counts too: it
    // is how a script would probe).
    if who == Principal::Anonymous
        && matches!(req.command, Command::Register { .. })
        && let Err(wait) = s.sign_ins().registrations.reserve(&ip)
    {
        return Err(Problem::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many registrations from your address: wait {} seconds, then try again",
                wait.as_secs().max(1)
            ),
        )
        .retry_after(wait.as_secs().max(1)));
    }
    // A reset link for someone else is made here and mailed to them: a caller-made
    // secret would let an administrator set another account's password.
    let mut mailed = None;
    if let Command::RequestPasswordReset {
        account,
        secret_hash,
    } = &mut req.command
        && who != (Principal::Account { id: *account })
    {
        let (secret, hash) = super::links::new_secret()?;
        *secret_hash = Some(hash);
        mailed = Some(secret);
    }
    // Otherwise a client that made a link (an invitation, its own reset) may send its
    // secret along so the server can mail it; it must be the one the command carries.
    let link = match (req.link_secret, &mailed) {
        (Some(secret), None) => {
            crate::server::mail::check_link_secret(&req.command, &secret)?;
            Some(secret)
        }
        _ => None,
    };
    let events = act::execute(&s, who.clone(), req.command, req.dry_run).await?;
    if let Some(secret) = mailed.filter(|_| !req.dry_run) {
        let _delivered = super::links::hand_over_reset(&s, &who, events.clone(), secret).await;
    } else if let (Some(secret), false) = (link, req.dry_run) {
        crate::server::mail::spool(&s, &events, &secret).await;
    }
    Ok(act::events(events))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditParams {
    org: Option<String>,
    actor: Option<String>,
    kind: Option<String>,
    text: Option<String>,
    before: Option<u64>,
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// A `core::Recorded`, secrets blanked.
    #[schema(value_type = Object)]
    pub event: Recorded,
    /// One line of plain words.
    pub summary: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Audit {
    pub events: Vec<AuditEntry>,
}

const MAX_LIMIT: usize = 500;
/// Events read at most to answer one audit request with a text filter.
const MAX_SCANNED: usize = 50_000;

async fn audit(
    State(s): State<AppState>,
    Caller(who): Caller,
    Params(p): Params<AuditParams>,
) -> Reply<Json<Audit>> {
    let limit = p.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    s.blocking(move |b| {
        let now = b.now();
        let org = backend::query(b, |dir| -> Reply<_> {
            let org = match (&p.org, &who) {
                (Some(slug), _) => Some(org_of(dir, &who, slug)?.id),
                (None, Principal::Account { id }) => dir.accounts.get(id).map(|a| a.org),
                (None, _) => None,
            };
            if let (Principal::Account { .. }, Some(o)) = (&who, org)
                && !policy::org_permissions(dir, &who, o, now).contains(perms::AUDIT_READ)
            {
                return Err(Problem::forbidden(format!(
                    "you need the {} permission to see the audit trail: ask your {}",
                    perms::AUDIT_READ,
                    dir.orgs
                        .get(&o)
                        .map(|o| o.settings.terminology.admin.as_str())
                        .unwrap_or("Admin")
                )));
            }
            Ok(org)
        })??;
        // The text filter runs here, on what may leave the server: the store's own
        // would also match inside secret hashes, and so tell them piece by piece.
        let text = p
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let mut found = vec![];
        let mut before = p.before;
        let mut scanned = 0;
        loop {
            let page = b.audit(&AuditQuery {
                org,
                actor: p.actor.clone(),
                kind: p.kind.clone(),
                text: None,
                before,
                limit: MAX_LIMIT,
            })?;
            let full = page.len() == MAX_LIMIT;
            scanned += page.len();
            before = page.last().map(|r| r.seq);
            let entries = backend::query(b, |dir| {
                page.iter()
                    .map(visibility::redact_event)
                    .map(|r| {
                        let summary = summary(dir, &r);
                        AuditEntry { event: r, summary }
                    })
                    .filter(|e| {
                        text.as_deref().is_none_or(|t| {
                            e.summary.to_lowercase().contains(t)
                                || serde_json::to_string(&e.event)
                                    .is_ok_and(|j| j.to_lowercase().contains(t))
                        })
                    })
                    .collect::<Vec<_>>()
            })?;
            found.extend(entries);
            if found.len() >= limit || !full || scanned >= MAX_SCANNED {
                break;
            }
        }
        found.truncate(limit);
        Ok(Audit { events: found })
    })
    .await
    .map(Json)
}
