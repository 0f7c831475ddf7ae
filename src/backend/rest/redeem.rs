//! Redeeming a mailed link on a server, for someone who has no token yet: accepting an
//! invitation (`POST /v1/invitations/accept`) and setting a new password with a reset
//! link (`POST /v1/password-resets/complete`). The secret is the credential. The
//! password goes to the server as typed and is hashed there: a server never takes a
//! client's word for how a password is hashed.

use super::http::{Http, Timeouts};
use super::server_url;
use crate::backend::BackendError;
use crate::core::Recorded;
use serde::{Deserialize, Serialize};

/// What both routes take: the link's secret and the password chosen.
#[derive(Serialize)]
struct Redeem<'a> {
    secret: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
struct Events {
    events: Vec<Recorded>,
}

/// Accepts the invitation whose link carries `secret`, choosing `password`.
pub fn accept_invitation(
    server: &str,
    secret: &str,
    password: &str,
) -> Result<Vec<Recorded>, BackendError> {
    let http = Http::new(server_url::parse(server)?, None, Timeouts::default())?;
    let body = Redeem { secret, password };
    let reply: Events = http.post_anonymous(&["v1", "invitations", "accept"], &body)?;
    Ok(reply.events)
}

/// Sets `password` with the reset link that carries `secret`.
pub fn complete_reset(
    server: &str,
    secret: &str,
    password: &str,
) -> Result<Vec<Recorded>, BackendError> {
    let http = Http::new(server_url::parse(server)?, None, Timeouts::default())?;
    let body = Redeem { secret, password };
    let reply: Events = http.post_anonymous(&["v1", "password-resets", "complete"], &body)?;
    Ok(reply.events)
}
