//! The change feed over HTTP: a long poll, and the same as Server-Sent Events.

use crate::core::{OrgId, Principal, Recorded};
use crate::server::act::org_of;
use crate::server::api::{Api, doc};
use crate::server::api_schema::{Kind, Query};
use crate::server::auth::Caller;
use crate::server::extract::Params;
use crate::server::feed;
use crate::server::problem::Reply;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    api.get(
        "/v1/events",
        poll,
        doc(
            "feed",
            "Events after `after`, waiting up to `wait` seconds (at most 30) for one",
            "Feed",
        )
        .query(PARAMS),
    )
    .get(
        "/v1/events/stream",
        stream,
        doc(
            "feed",
            "The feed as Server-Sent Events (`event: events`, data as in /v1/events; `id` is the seq, honoured in Last-Event-ID)",
            "Feed",
        )
        .query(STREAM_PARAMS),
    )
}

const PARAMS: &[Query] = &[
    ("after", "the seq you have seen (default 0)", SEQ),
    (
        "wait",
        "seconds to wait for a new event (default 0; longer waits are cut to 30)",
        SEQ,
    ),
    (
        "org",
        "only this organisation (operators; accounts see only their own)",
        Kind::Text,
    ),
];

const STREAM_PARAMS: &[Query] = &[
    (
        "after",
        "the seq you have seen (default 0; Last-Event-ID wins)",
        SEQ,
    ),
    (
        "org",
        "only this organisation (operators; accounts see only their own)",
        Kind::Text,
    ),
];

/// A `u64` in the query.
const SEQ: Kind = Kind::Count { max: u64::MAX };

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedParams {
    after: Option<u64>,
    wait: Option<u64>,
    org: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    /// Ask from here next time. Below your `after` when the store was replaced: reload.
    pub seq: u64,
    /// `core::Recorded` events the caller may see, oldest first, secrets blanked.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Recorded>,
}

/// The organisation filter: an account only ever sees its own.
async fn org_filter(
    state: &AppState,
    who: &Principal,
    slug: Option<String>,
) -> Reply<Option<OrgId>> {
    let Some(slug) = slug else {
        return Ok(None);
    };
    let who = who.clone();
    state
        .read(move |dir| Ok(Some(org_of(dir, &who, &slug)?.id)))
        .await
}

async fn poll(
    State(s): State<AppState>,
    Caller(who): Caller,
    Params(p): Params<FeedParams>,
) -> Reply<Json<Feed>> {
    let org = org_filter(&s, &who, p.org).await?;
    let wait = Duration::from_secs(p.wait.unwrap_or(0)).min(s.config().max_wait);
    let (seq, events) =
        feed::next_batch(&s, &who, org, p.after.unwrap_or(0), Instant::now() + wait).await?;
    Ok(Json(Feed { seq, events }))
}

async fn stream(
    State(s): State<AppState>,
    Caller(who): Caller,
    Params(p): Params<FeedParams>,
    headers: HeaderMap,
) -> Reply<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let org = org_filter(&s, &who, p.org).await?;
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let after = resumed.or(p.after).unwrap_or(0);
    let events = futures::stream::unfold(Some(after), move |after| {
        let (s, who) = (s.clone(), who.clone());
        async move {
            let mut after = after?;
            loop {
                if *s.stopping().borrow() {
                    return None;
                }
                let deadline = Instant::now() + Duration::from_secs(15);
                match feed::next_batch(&s, &who, org, after, deadline).await {
                    Ok((seq, events)) if events.is_empty() => after = seq,
                    Ok((seq, events)) => {
                        let event = Event::default()
                            .event("events")
                            .id(seq.to_string())
                            .json_data(Feed { seq, events })
                            .unwrap_or_else(|_| Event::default().comment("unserialisable"));
                        return Some((Ok(event), Some(seq)));
                    }
                    Err(problem) => {
                        // Say why the stream ends, then end it; the client reconnects.
                        let event = Event::default()
                            .event("problem")
                            .json_data(&problem)
                            .unwrap_or_else(|_| Event::default().comment("failed"));
                        return Some((Ok(event), None));
                    }
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
