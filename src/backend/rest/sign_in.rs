//! Signing in to a server with email and password (`POST /v1/sessions`): what `roster
//! login` and the console's sign-in screen call. The password goes to the server over
//! the connection (HTTPS unless the server is on this machine) and nowhere else.

use super::http::{Http, Timeouts};
use super::server_url;
use crate::backend::BackendError;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A session the server opened.
#[derive(Clone, Deserialize)]
pub struct Session {
    /// The bearer token; a password in all but name (kept out of `Debug`).
    pub token: String,
    pub expires: Timestamp,
    pub account: u64,
    /// The organisation's slug.
    pub org: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires", &self.expires)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Body<'a> {
    org: &'a str,
    email: &'a str,
    password: &'a str,
}

/// What a wrong email or password reads like (the server does not say which).
pub const WRONG: &str = "the email or password is not right: check them, or ask for a password reset (an account without a password yet sets one with the link from its invitation)";

/// Signs in as `email` of organisation `org` on `server`.
pub fn sign_in(
    server: &str,
    org: &str,
    email: &str,
    password: &str,
) -> Result<Session, BackendError> {
    let url = server_url::parse(server)?;
    let http = Http::new(url, None, Timeouts::default())?;
    let body = Body {
        org: org.trim(),
        email: email.trim(),
        password,
    };
    http.post_anonymous(&["v1", "sessions"], &body)
        .map_err(|e| match e {
            // Without a token, a 401 here can only mean the email or password is wrong.
            BackendError::Unauthorized(_) => BackendError::Unauthorized(WRONG.into()),
            // 429: the server's own sentence says how long to wait; "busy" would mislead.
            BackendError::Busy(m) => match m.find("too many") {
                Some(i) => BackendError::Busy(m[i..].to_string()),
                None => BackendError::Busy(m),
            },
            other => other,
        })
}

/// Signs out: ends the session whose token is `token` (`DELETE /v1/sessions/current`).
pub fn sign_out(server: &str, token: super::http::Token) -> Result<(), BackendError> {
    let url = server_url::parse(server)?;
    let http = Http::new(url, Some(token), Timeouts::default())?;
    let _: serde_json::Value = http.delete(&["v1", "sessions", "current"])?;
    Ok(())
}

#[derive(Serialize)]
struct Forgot<'a> {
    org: &'a str,
    email: &'a str,
}

/// "Forgot password" (`POST /v1/password-resets`): the server mails a reset link to the
/// account's own address if there is one. The answer is the same either way.
pub fn forgot_password(server: &str, org: &str, email: &str) -> Result<(), BackendError> {
    let url = server_url::parse(server)?;
    let http = Http::new(url, None, Timeouts::default())?;
    let body = Forgot {
        org: org.trim(),
        email: email.trim(),
    };
    let _: serde_json::Value = http.post_anonymous(&["v1", "password-resets"], &body)?;
    Ok(())
}
