//! The two shapes every resource route takes: *view* (read the part of an organisation
//! the caller may see, answer from it) and *act* (build a core command from the path and
//! body against the latest state, run it as the caller). Both resolve the organisation
//! the same way, so another organisation's resources are a plain 404 everywhere.

use super::extract::etag_version;
use super::problem::{Problem, Reply};
use super::state::AppState;
use crate::backend;
use crate::core::precondition::Precondition;
use crate::core::{Command, Directory, Org, OrgId, Principal, Recorded, visibility};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// What a change did: its events, secrets blanked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Events {
    /// The recorded events (`core::Recorded`), oldest first.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Recorded>,
}

/// The organisation `slug`, if `who` reaches it; otherwise it does not exist.
pub fn org_of<'a>(dir: &'a Directory, who: &Principal, slug: &str) -> Reply<&'a Org> {
    let missing =
        || Problem::not_found(format!("no organisation '{}'", super::extract::shown(slug)));
    let org = dir.org_by_slug(slug).ok_or_else(missing)?;
    let reaches = match who {
        Principal::Operator | Principal::Anonymous => true,
        Principal::Account { id } => dir.accounts.get(id).is_some_and(|a| a.org == org.id),
    };
    if reaches { Ok(org) } else { Err(missing()) }
}

/// The caller's view of one organisation.
pub struct View<'a> {
    /// `visibility::redact` of the organisation for the caller.
    pub dir: &'a Directory,
    pub org: OrgId,
    pub who: &'a Principal,
    pub now: Timestamp,
}

/// Answers a read from the caller's view of organisation `slug`.
pub async fn view(
    state: &AppState,
    who: Principal,
    slug: String,
    f: impl FnOnce(View) -> Reply<Response> + Send + 'static,
) -> Reply<Response> {
    let cache = state.clone();
    state
        .blocking(move |b| {
            let now = b.now();
            backend::query(b, |dir| {
                let org = org_of(dir, &who, &slug)?.id;
                let seen = cache.views().view(dir, &who, org, now);
                f(View {
                    dir: &seen,
                    org,
                    who: &who,
                    now,
                })
            })?
        })
        .await
}

/// Builds a command against the latest state of organisation `slug` and runs it as the
/// caller. `build` may refuse (an id of another organisation is a 404).
pub async fn act(
    state: &AppState,
    who: Principal,
    slug: String,
    build: impl FnOnce(&Directory, &Org) -> Reply<Command> + Send + 'static,
) -> Reply<Vec<Recorded>> {
    act_if(state, who, slug, move |dir, org| {
        Ok((build(dir, org)?, None))
    })
    .await
}

/// Like `act`, but `build` may also name a precondition (from `If-Match`). The backend
/// checks it in the same critical section as the write, never here: the state `build`
/// sees may already be old when the command runs.
pub async fn act_if(
    state: &AppState,
    who: Principal,
    slug: String,
    build: impl FnOnce(&Directory, &Org) -> Reply<(Command, Option<Precondition>)> + Send + 'static,
) -> Reply<Vec<Recorded>> {
    let events = state
        .blocking(move |b| {
            let (cmd, pre) = backend::query(b, |dir| {
                let org = org_of(dir, &who, &slug)?;
                build(dir, org)
            })??;
            Ok(b.execute_if(&who, &cmd, false, pre.as_ref())?)
        })
        .await?;
    Ok(settled(state, events, false))
}

/// Runs a command as the caller.
pub async fn execute(
    state: &AppState,
    who: Principal,
    cmd: Command,
    dry_run: bool,
) -> Reply<Vec<Recorded>> {
    let events = state
        .blocking(move |b| Ok(b.execute(&who, &cmd, dry_run)?))
        .await?;
    Ok(settled(state, events, dry_run))
}

/// Wakes the feed for committed events and blanks their secrets for the reply.
fn settled(state: &AppState, events: Vec<Recorded>, dry_run: bool) -> Vec<Recorded> {
    if !dry_run && !events.is_empty() {
        state.feed().nudge();
    }
    events.iter().map(visibility::redact_event).collect()
}

/// The events of a change as the reply.
pub fn events(events: Vec<Recorded>) -> Json<Events> {
    Json(Events { events })
}

/// A JSON reply with an `ETag`.
pub fn tagged(status: StatusCode, etag: &str, body: &impl Serialize) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// A versioned record as the reply, `ETag: "vN"`.
pub fn record(version: u64, body: &impl Serialize) -> Response {
    tagged(StatusCode::OK, &etag_version(version), body)
}

/// A list as the reply, tagged with the store's position (`"seq-N"`).
pub fn list(seq: u64, body: &impl Serialize) -> Response {
    tagged(StatusCode::OK, &format!("\"seq-{seq}\""), body)
}
