//! Who is calling: `Authorization: Bearer <secret>` → the secret's SHA-256 → the core's
//! `token::authenticate`. The client never says who it is; the token does. A client
//! address that keeps presenting bad tokens is told to slow down (429) before its
//! guesses are even looked at.

use super::problem::{Problem, Reply};
use super::state::AppState;
use crate::core::token;
use crate::core::{Directory, Principal};
use crate::secret;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use jiff::Timestamp;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller(pub Principal);

/// A caller who may also be nobody (accepting an invitation by its secret). A token
/// that is sent must still be good.
#[derive(Clone, Debug)]
pub struct MaybeCaller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match bearer(parts)? {
            Some(secret) => authenticate(parts, state, secret).await.map(Caller),
            None => Err(no_token()),
        }
    }
}

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match bearer(parts)? {
            Some(secret) => authenticate(parts, state, secret).await.map(MaybeCaller),
            None => Ok(MaybeCaller(Principal::Anonymous)),
        }
    }
}

/// The secret of a bearer `Authorization` header, if there is one.
fn bearer(parts: &Parts) -> Reply<Option<String>> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let unauthorized = |m: &str| Problem::new(StatusCode::UNAUTHORIZED, m);
    let text = value
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not readable text"))?;
    let (scheme, secret) = text.trim().split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized(
            "send the token as Authorization: Bearer <secret>",
        ));
    }
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(unauthorized(
            "the Authorization header has no token after Bearer",
        ));
    }
    Ok(Some(secret.to_string()))
}

async fn authenticate(parts: &Parts, state: &AppState, secret: String) -> Reply<Principal> {
    let token = Presented::new(parts, state, &secret)?;
    let s = state.clone();
    state
        .read_now(move |dir, now| token.caller(&s, dir, now))
        .await
}

/// A bearer token as presented, not yet looked up: for a handler that looks it up in
/// the same read of the store as it answers from (one look at the store, not two).
/// Refuses as `Caller` does, in the same order.
pub struct Presented {
    ip: IpAddr,
    hashed: String,
}

impl Presented {
    fn new(parts: &Parts, state: &AppState, secret: &str) -> Reply<Presented> {
        let ip = client_ip(parts, state);
        if let Some(wait) = state.bad_tokens().blocked(&ip) {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many bad tokens from your address: wait, then try again with a valid token",
            )
            .retry_after(wait.as_secs().max(1)));
        }
        Ok(Presented {
            ip,
            hashed: secret::hash(secret),
        })
    }

    /// Who the token names in `dir` at `now`; a bad token counts against its address.
    pub fn caller(&self, state: &AppState, dir: &Directory, now: Timestamp) -> Reply<Principal> {
        token::authenticate(dir, &self.hashed, now).map_err(|e| {
            state.bad_tokens().strike(&self.ip);
            Problem::new(StatusCode::UNAUTHORIZED, e.to_string())
        })
    }
}

impl FromRequestParts<AppState> for Presented {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match bearer(parts)? {
            Some(secret) => Presented::new(parts, state, &secret),
            None => Err(no_token()),
        }
    }
}

fn no_token() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "this request needs an API token: send the header Authorization: Bearer <secret> (make one with `roster token create`)",
    )
}

/// The client's address for the throttles: the connection's, or behind a trusted
/// reverse proxy the one it forwarded (`client_addr`).
pub fn client_ip(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    state.config().trusted_proxies.client(peer, &parts.headers)
}
