//! LISTEN/NOTIFY: every commit notifies channel `roster_commits` with its version, and
//! this task passes the newest one on, so the server's change feed catches up at once
//! instead of at its next poll. Notifications are only a wake-up: what changed is always
//! read from the log, and the feed's periodic catch-up covers any that were missed
//! while the listening connection was down.

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::sync::watch;

pub const CHANNEL: &str = "roster_commits";

/// Listens until the store (its runtime) goes away.
pub async fn run(pool: PgPool, newest: watch::Sender<u64>) {
    let mut logged = false;
    loop {
        match listen(&pool, &newest).await {
            Ok(()) => return, // nobody is interested any more
            Err(e) => {
                if !logged {
                    tracing::debug!("not listening for other replicas' commits: {e}");
                    logged = true;
                }
            }
        }
        // Whatever was announced while we were away: look anyway.
        newest.send_modify(|_| {});
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen(pool: &PgPool, newest: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        if newest.is_closed() {
            return Ok(());
        }
        // `None`: the connection was lost; the next call reconnects and listens again.
        match listener.try_recv().await? {
            Some(n) => {
                let version = n.payload().parse::<u64>().unwrap_or(0);
                newest.send_modify(|v| *v = (*v).max(version));
            }
            None => newest.send_modify(|_| {}),
        }
    }
}
