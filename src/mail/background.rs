//! The sender loop of `roster serve`: every few seconds, deliver what is queued. It runs
//! the blocking sender on tokio's blocking pool so requests are never held up by SMTP.

use crate::backend::Backend;
use std::sync::Arc;
use std::time::Duration;

/// Delivers queued mail every `every` until the task is dropped or aborted.
pub async fn run(backend: Arc<dyn Backend>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let b = backend.clone();
        match tokio::task::spawn_blocking(move || super::deliver_queued(b.as_ref())).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("mail sender: {e}"),
            Err(e) => tracing::error!("mail sender stopped unexpectedly: {e}"),
        }
    }
}
