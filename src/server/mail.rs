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
pub async fn spool(state: &AppState, events: &[Recorded], secret: &str) {
    let (events, secret) = (events.to_vec(), secret.to_string());
    let _ = state
        .blocking(move |b| {
            if let Err(e) = crate::mail::spool_queued(b, &events, &secret) {
                tracing::error!("cannot spool mail: {e}");
            }
            Ok(())
        })
        .await;
}
