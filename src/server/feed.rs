//! The change feed. One task watches the store (this server's own commands wake it at
//! once; other processes' are seen within `poll_interval`), keeps the newest events in
//! memory and announces the head `seq`. Long polls and event streams wait on that
//! announcement, so a hundred waiting consoles cost one cheap look at the store, not a
//! hundred reads of the log.

use super::problem::Reply;
use super::state::AppState;
use crate::backend::{self, AuditQuery};
use crate::core::{OrgId, Principal, Recorded, visibility};
use tokio::sync::watch;
use tokio::time::Instant;

/// Watches the store until the server stops.
pub async fn pump(state: AppState) {
    let mut stopping = state.stopping();
    let mut last_error = String::new();
    // Other processes' commits, announced (PostgreSQL's NOTIFY); polling covers the rest.
    let mut announced = state.backend().changes();
    loop {
        match catch_up(&state).await {
            Ok(()) => last_error.clear(),
            Err(p) if p.detail != last_error => {
                tracing::warn!("change feed: {}", p.detail);
                last_error = p.detail;
            }
            Err(_) => {}
        }
        tokio::select! {
            _ = state.feed().nudge.notified() => {}
            changed = announced_change(&mut announced) => if changed.is_err() { announced = None },
            _ = tokio::time::sleep(state.config().poll_interval) => {}
            _ = stopping.changed() => return,
        }
    }
}

/// Completes when the backend announces a commit; never when it cannot announce any.
async fn announced_change(
    announced: &mut Option<tokio::sync::watch::Receiver<u64>>,
) -> Result<(), watch::error::RecvError> {
    match announced {
        Some(rx) => rx.changed().await,
        None => std::future::pending().await,
    }
}

/// Picks up what was committed since the last look and announces the new head.
pub async fn catch_up(state: &AppState) -> Reply<()> {
    let feed = state.feed();
    let _one_at_a_time = feed.catching_up.lock().await;
    let known = feed.head();
    let seq = state.blocking(|b| Ok(b.refresh()?)).await?;
    if seq == known {
        return Ok(());
    }
    let want = seq.saturating_sub(known).min(feed.cap as u64) as usize;
    let events = if want == 0 {
        vec![]
    } else {
        state
            .blocking(move |b| {
                Ok(b.audit(&AuditQuery {
                    before: Some(seq + 1),
                    limit: want,
                    ..AuditQuery::default()
                })?)
            })
            .await?
    };
    feed.remember(known, seq, events);
    feed.head.send_replace(seq);
    Ok(())
}

/// Events in `(after, upto]`, oldest first, where `upto` is at most `max` past `after`.
async fn since(state: &AppState, after: u64, head: u64, max: usize) -> Reply<(Vec<Recorded>, u64)> {
    let upto = head.min(after.saturating_add(max.max(1) as u64));
    if let Some(events) = state.feed().buffered(after, upto) {
        return Ok((events, upto));
    }
    let limit = (upto - after) as usize;
    let mut events = state
        .blocking(move |b| {
            Ok(b.audit(&AuditQuery {
                before: Some(upto + 1),
                limit,
                ..AuditQuery::default()
            })?)
        })
        .await?;
    events.retain(|r| r.seq > after);
    events.reverse();
    Ok((events, upto))
}

/// The events `who` may see, optionally of one organisation, with secrets blanked.
async fn visible(
    state: &AppState,
    who: &Principal,
    org: Option<OrgId>,
    events: Vec<Recorded>,
) -> Reply<Vec<Recorded>> {
    let who = who.clone();
    state
        .blocking(move |b| {
            let now = b.now();
            Ok(backend::query(b, |dir| {
                events
                    .iter()
                    .filter(|r| org.is_none_or(|o| r.org == Some(o)))
                    .filter(|r| visibility::event_visible(dir, &who, r, now))
                    .map(visibility::redact_event)
                    .collect()
            })?)
        })
        .await
}

/// Waits until there are events after `after` that `who` may see, or until `deadline`,
/// or until the server stops. Returns the `seq` to ask from next time and the events.
/// Events the caller may not see are skipped but still move `seq` on.
pub async fn next_batch(
    state: &AppState,
    who: &Principal,
    org: Option<OrgId>,
    mut after: u64,
    deadline: Instant,
) -> Reply<(u64, Vec<Recorded>)> {
    // Whatever was committed before this request (by anyone, through any connection)
    // is in the answer: the feed does not wait for its next tick to know of it.
    catch_up(state).await?;
    let mut heads = state.feed().subscribe();
    let mut stopping = state.stopping();
    loop {
        let head = *heads.borrow_and_update();
        if after > head {
            // The client has seen more than this store holds: it must start again.
            return Ok((head, vec![]));
        }
        if head > after {
            let (events, upto) = since(state, after, head, state.config().feed_batch).await?;
            let shown = visible(state, who, org, events).await?;
            after = upto;
            if !shown.is_empty() {
                return Ok((after, shown));
            }
            if after < head {
                continue;
            }
        }
        if Instant::now() >= deadline || *stopping.borrow() {
            return Ok((after, vec![]));
        }
        tokio::select! {
            changed = heads.changed() => if changed.is_err() { return Ok((after, vec![])) },
            _ = tokio::time::sleep_until(deadline) => {}
            _ = stopping.changed() => {}
        }
    }
}
