//! Signing in and the links people receive: `POST /v1/sessions` (email and password →
//! a session token with an expiry), signing out, self-service and completed password
//! resets, accepting an invitation by its secret, and ending an account's sessions.
//!
//! Passwords are verified and hashed here (argon2id, on the blocking pool: it is slow on
//! purpose); the core only decides with the PHC string. Failed sign-ins are throttled
//! per client address and per email.

use super::common::{self, Empty, MaybeBody, command_route};
use super::links::new_secret;
use crate::backend;
use crate::core::{Command, Event, Principal};
use crate::credentials;
use crate::secret;
use crate::server::act::{self, Events};
use crate::server::api::{Api, Auth, doc};
use crate::server::api_schema::field;
use crate::server::auth::{Caller, client_ip};
use crate::server::delivery::ResetNotice;
use crate::server::extract::Body;
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .post(
            "/v1/sessions",
            sign_in,
            doc(
                "sessions",
                "Sign in with email and password: a session token that expires (429 after repeated failures)",
                "Session",
            )
            .body("SignIn")
            .auth(Auth::Public)
            .created()
            .also(&[
                (401, "the email or password is not right"),
                (403, "the account may not sign in (disabled, pending or rejected)"),
                (429, "too many failed sign-ins: retry after Retry-After seconds"),
            ]),
        )
        .delete(
            "/v1/sessions/current",
            sign_out,
            doc("sessions", "Sign out: end the session whose token is sent", "Events"),
        )
        .post(
            "/v1/password-resets",
            request_reset,
            doc(
                "sessions",
                "Forgot password: mails a reset link if the account exists; always 202, so it never tells",
                "ResetAccepted",
            )
            .body("ResetRequestBody")
            .auth(Auth::Public)
            .accepted()
            .also(&[(429, "too many reset requests: retry after Retry-After seconds")]),
        )
        .post(
            "/v1/password-resets/complete",
            complete_reset,
            doc(
                "sessions",
                "Set a new password with the secret of a reset link (once, before it expires)",
                "Events",
            )
            .body("CompleteReset")
            .auth(Auth::Public)
            .also(&[(
                403,
                "the link is not valid (unknown, or its account is disabled)",
            )]),
        )
        .post(
            "/v1/invitations/accept",
            accept_invitation,
            doc(
                "invitations",
                "Accept an invitation with its link's secret and choose a password (no token needed)",
                "Events",
            )
            .body("AcceptLink")
            .auth(Auth::Public)
            .created()
            .also(&[(
                403,
                "the link is not valid (used, withdrawn, replaced or unknown)",
            )]),
        );
    command_route!(
        api,
        post,
        "/v1/orgs/{slug}/accounts/{id}/sessions/revoke",
        doc(
            "accounts",
            "End every live session of the account at once (sessions.revoke)",
            "Events"
        )
        .optional_body("Empty"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RevokeSessions {
            account: common::account(dir, org.id, p.get("id"))?
        })
    )
}

/// The client's address, for throttling.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The organisation's slug.
    pub org: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// The session's bearer token. Shown this once; only its hash is kept.
    pub token: String,
    /// When the session ends (RFC 3339); sign in again after.
    #[schema(value_type = String)]
    pub expires: Timestamp,
    /// The signed-in account's id.
    pub account: u64,
    /// The organisation's slug.
    pub org: String,
}

/// The answer for every wrong guess: it does not say whether the email exists.
const WRONG: &str = "the email or password is not right (an account without a password yet sets one with the link from its invitation or a password reset)";

async fn sign_in(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(b): Body<SignIn>,
) -> Reply<Response> {
    let key = (b.org.trim().to_lowercase(), b.email.trim().to_lowercase());
    // Counted before the password is verified (a reservation), so thirty guesses sent at
    // once cannot all be checked; a right password takes its count back.
    if let Err(wait) = s.sign_ins().reserve(ip, &key) {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many failed sign-ins: wait {} seconds, then try again (or reset the password)",
                wait.as_secs().max(1)
            ),
        )
        .retry_after(wait.as_secs().max(1)));
    }
    // What the store knows: the account, its state and its password hash.
    let (slug, email) = (b.org.clone(), b.email.clone());
    let found = s
        .read(move |dir| {
            let Some(org) = dir.org_by_slug(slug.trim()) else {
                return Ok(None);
            };
            Ok(dir.account_by_email(org.id, &email).map(|a| {
                (
                    a.clone(),
                    (
                        org.slug.clone(),
                        crate::core::wording::cannot_sign_in(dir, a),
                    ),
                    dir.passwords.get(&a.id).cloned(),
                )
            }))
        })
        .await?;
    let password = b.password;
    let stored = found.as_ref().and_then(|(_, _, h)| h.clone());
    let turn = s
        .sign_ins()
        .hashing
        .acquire()
        .await
        .map_err(|_| Problem::internal())?;
    let ok = tokio::task::spawn_blocking(move || {
        credentials::verify_password(&password, stored.as_deref())
    })
    .await
    .unwrap_or(false);
    drop(turn);
    let Some((account, (slug, cannot), _)) = found.filter(|_| ok) else {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, WRONG));
    };
    s.sign_ins().succeeded(ip, &key);
    // The password is right: from here on the caller may learn the account's state, and
    // who in its organisation can change it.
    if let Some(why) = cannot {
        return Err(Problem::forbidden(why));
    }
    let (token, hash) = new_secret()?;
    let who = Principal::Account { id: account.id };
    let events = act::execute(
        &s,
        who,
        Command::StartSession {
            account: account.id,
            token_hash: hash,
        },
        false,
    )
    .await?;
    let expires = events
        .iter()
        .find_map(|r| match &r.event {
            Event::TokenIssued { token } => token.expires,
            _ => None,
        })
        .ok_or_else(Problem::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token,
            expires,
            account: account.id.0,
            org: slug,
        }),
    )
        .into_response())
}

/// The bearer secret of the request (the `Caller` extractor already checked it).
fn bearer_secret(headers: &HeaderMap) -> Option<String> {
    let text = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (_, secret) = text.trim().split_once(' ')?;
    Some(secret.trim().to_string())
}

async fn sign_out(
    State(s): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
) -> Reply<Json<Events>> {
    let hash = secret::hash(&bearer_secret(&headers).unwrap_or_default());
    let token = s
        .read(move |dir| {
            Ok(dir
                .tokens
                .values()
                .find(|t| crate::core::decide::constant_time_eq(t.hash.as_bytes(), hash.as_bytes()))
                .map(|t| (t.id, t.session)))
        })
        .await?;
    match token {
        Some((id, true)) => act::execute(&s, who, Command::RevokeToken { token: id }, false)
            .await
            .map(act::events),
        Some((id, false)) => Err(Problem::new(
            StatusCode::CONFLICT,
            format!(
                "this is API token {id}, not a session: revoke it with `roster token revoke {id}`"
            ),
        )),
        None => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "the token is not valid",
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    /// The organisation's slug.
    pub org: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAccepted {
    /// Always `accepted`: whether a mail goes out is not told.
    pub status: &'static str,
    pub detail: &'static str,
}

/// How long `POST /v1/password-resets` takes at least, whatever the email: far above
/// what the work for a real account takes on a healthy server, so timing tells nothing.
const RESET_ANSWER_TIME: std::time::Duration = std::time::Duration::from_millis(250);

async fn request_reset(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(b): Body<ResetRequestBody>,
) -> Reply<Response> {
    let key = (b.org.trim().to_lowercase(), b.email.trim().to_lowercase());
    // Each request counts, so nobody floods an inbox.
    if let Some(wait) = s.sign_ins().resets.ask(ip, &key) {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many password-reset requests: wait {} seconds, then try again",
                wait.as_secs().max(1)
            ),
        )
        .retry_after(wait.as_secs().max(1)));
    }
    // The answer takes as long for every email: at least `RESET_ANSWER_TIME`, so that
    // the work done for an existing account (a command, an fsync, a spooled mail) does
    // not tell it apart from an unknown one (2.4–3.8 ms against 0.3 ms before).
    let answer_at = tokio::time::Instant::now() + RESET_ANSWER_TIME;
    let (secret, hash) = new_secret()?;
    let (org, email) = (b.org.clone(), b.email.clone());
    let outcome = s
        .blocking(move |backend| {
            let target = backend::query(backend, |dir| {
                let org = dir.org_by_slug(org.trim())?;
                let a = dir.account_by_email(org.id, &email)?;
                Some((a.id, org.slug.clone(), a.email.clone()))
            })?;
            let Some((id, slug, email)) = target else {
                return Ok(None);
            };
            // The account asks for its own link: the mail goes to its own address.
            let cmd = Command::RequestPasswordReset {
                account: id,
                secret_hash: Some(hash),
            };
            match backend.execute(&Principal::Account { id }, &cmd, false) {
                Ok(events) => Ok(Some((slug, email, events))),
                // A disabled or pending account gets no link; the caller is not told.
                Err(crate::backend::BackendError::Refused(_)) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    if let Some((org, email, events)) = outcome {
        s.feed().nudge();
        // The command queued the message with the reset; only this route knows the
        // secret its link needs, so it spools it for the sender (as an admin's reset does).
        if events
            .iter()
            .any(|r| matches!(r.event, Event::MailQueued { .. }))
        {
            crate::server::mail::spool(&s, &events, &secret).await;
        }
        let expires = events.iter().find_map(|r| match &r.event {
            Event::PasswordResetRequested { reset } => Some(reset.expires),
            _ => None,
        });
        // A configured delivery hook (tests, embedders) gets it too.
        if let (Some(deliver), Some(expires)) = (&s.config().reset_delivery, expires) {
            (deliver.0)(ResetNotice {
                org,
                email,
                secret,
                expires,
            });
        }
    }
    tokio::time::sleep_until(answer_at).await;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResetAccepted {
            status: "accepted",
            detail: "if an account with this email exists in this organisation and may sign in, a reset link is on its way",
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteReset {
    /// The secret from the reset link (or the whole link).
    pub secret: String,
    #[schema(schema_with = field::password)]
    pub password: String,
}

/// The argon2id hash of a new password, made on the blocking pool.
async fn hash_new(s: &AppState, password: String) -> Reply<String> {
    credentials::check_new(&password).map_err(|e| Problem::unprocessable(e.to_string()))?;
    let _turn = s
        .sign_ins()
        .hashing
        .acquire()
        .await
        .map_err(|_| Problem::internal())?;
    tokio::task::spawn_blocking(move || credentials::hash_password(&password))
        .await
        .map_err(|_| Problem::internal())?
        .map_err(|e| Problem::unprocessable(e.to_string()))
}

async fn complete_reset(
    State(s): State<AppState>,
    Body(b): Body<CompleteReset>,
) -> Reply<Json<Events>> {
    let secret_hash = secret::hash(credentials::links::secret_of(&b.secret));
    let password_hash = hash_new(&s, b.password).await?;
    act::execute(
        &s,
        Principal::Anonymous,
        Command::CompletePasswordReset {
            secret_hash,
            password_hash,
        },
        false,
    )
    .await
    .map(act::events)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptLink {
    /// The secret from the invitation link (or the whole link).
    pub secret: String,
    /// The password to sign in with from now on.
    #[schema(schema_with = field::password)]
    pub password: String,
    /// Your names, if the invitation's are not right.
    #[serde(default)]
    #[schema(schema_with = field::first_name_or_null)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = field::last_name_or_null)]
    pub last_name: Option<String>,
}

async fn accept_invitation(
    State(s): State<AppState>,
    Body(b): Body<AcceptLink>,
) -> Reply<Response> {
    let secret_hash = secret::hash(credentials::links::secret_of(&b.secret));
    let password_hash = hash_new(&s, b.password).await?;
    let events = act::execute(
        &s,
        Principal::Anonymous,
        Command::AcceptInvitationLink {
            secret_hash,
            password_hash,
            first_name: b.first_name,
            last_name: b.last_name,
        },
        false,
    )
    .await?;
    Ok((StatusCode::CREATED, act::events(events)).into_response())
}
