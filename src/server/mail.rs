//! The server's side of mail: a route that made a link spools its message (only the
//! route knows the secret; `POST /v1/commands` is told it with `link_secret`), and the
//! sender loop of `roster serve` delivers it.

use crate::core::{Command, Recorded};
use crate::server::problem::Problem;
use crate::server::state::AppState;

/// A client that sends a link's secret with its command (`link_secret`) must send the
/// one whose hash the command carries: a mail with any other link would not work.
pub fn check_link_secret(cmd: &Command, secret: &str) -> Result<(), Problem> {
    let hash = match cmd {
        Command::Invite { secret_hash, .. }
        | Command::ResendInvitation { secret_hash, .. }
        | Command::RequestPasswordReset { secret_hash, .. } => secret_hash.as_deref(),
        _ => None,
    };
    if hash.is_some_and(|h| {
        crate::core::decide::constant_time_eq(h.as_bytes(), crate::secret::hash(secret).as_bytes())
    }) {
        Ok(())
    } else {
        Err(Problem::unprocessable(
            "link_secret does not match the command's secret_hash: send the secret whose SHA-256 the command carries, or leave link_secret out",
        ))
    }
}

/// Spools the messages `events` queued, with links made from `secret`. A failure is
/// logged, not answered: the invitation or reset exists, and the sender marks the
/// message failed with the reason, where the outbox shows it.
///
/// `true` when the messages go out over SMTP (`[smtp]` in the store's `roster.toml`):
/// the link then reaches its recipient by mail, and a route need not hand the secret to
/// the caller. With the maildir (no SMTP) a lone operator passes the link on, so it is
/// still answered.
pub async fn spool(state: &AppState, events: &[Recorded], secret: &str) -> bool {
    let (events, secret) = (events.to_vec(), secret.to_string());
    state
        .blocking(move |b| {
            let ids = match crate::mail::spool_queued(b, &events, &secret) {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::error!("cannot spool mail: {e}");
                    return Ok(false);
                }
            };
            let smtp = b
                .local_root()
                .and_then(|root| crate::mail::MailConfig::load(&root).ok())
                .is_some_and(|c| c.smtp.is_some());
            Ok(smtp && !ids.is_empty())
        })
        .await
        .unwrap_or(false)
}
