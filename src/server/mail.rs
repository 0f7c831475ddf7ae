//! The server's side of mail: a route that made a link spools its message (only the
//! route knows the secret), and the sender loop of `roster serve` delivers it.

use crate::core::Recorded;
use crate::server::state::AppState;

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
