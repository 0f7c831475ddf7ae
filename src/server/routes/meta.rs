//! Health, who am I, which organisations, and the whole visible state of one of them
//! (what a remote console loads to run every query locally).

use crate::backend;
use crate::core::policy::{self, Effective};
use crate::core::{Account, Directory, Org, Principal, perms, query, visibility};
use crate::server::act::{org_of, tagged};
use crate::server::api::{Api, Auth, Cond, doc};
use crate::server::auth::Caller;
use crate::server::problem::Reply;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    api.get(
        "/v1/health",
        health,
        doc("meta", "Liveness and the store's position", "Health").auth(Auth::Public),
    )
    .get(
        "/v1/me",
        me,
        doc(
            "meta",
            "Whom the token acts as, and its permissions with their sources",
            "Me",
        ),
    )
    .get(
        "/v1/orgs",
        orgs,
        doc(
            "organisations",
            "Organisations the caller reaches",
            "OrgList",
        ),
    )
    .get(
        "/v1/orgs/{slug}/state",
        state_of,
        doc(
            "meta",
            "Everything of the organisation the caller may see, secrets removed",
            "StateBody",
        )
        .cond(Cond::IfNoneMatch),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// The sequence number of the newest event in the store.
    pub seq: u64,
}

async fn health(State(s): State<AppState>) -> Reply<Json<Health>> {
    let seq = s.blocking(|b| Ok(b.refresh()?)).await?;
    Ok(Json(Health { status: "ok", seq }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `{"kind":"operator"}` or `{"kind":"account","id":12}`.
    #[schema(value_type = Object)]
    pub principal: Principal,
    /// The account, for an account token.
    #[schema(value_type = Option<Object>)]
    pub account: Option<Account>,
    /// The account's organisation, for an account token.
    #[schema(value_type = Option<Object>)]
    pub org: Option<Org>,
    /// Effective organisation permissions (`policy::Effective`): `granted` maps each
    /// permission to its sources; the operator holds every one, with no sources.
    #[schema(value_type = Object)]
    pub permissions: Effective,
}

async fn me(State(s): State<AppState>, Caller(who): Caller) -> Reply<Json<Me>> {
    s.blocking(move |b| {
        let now = b.now();
        Ok(backend::query(b, |dir| me_of(dir, who, now))?)
    })
    .await
    .map(Json)
}

fn me_of(dir: &Directory, who: Principal, now: jiff::Timestamp) -> Me {
    match &who {
        Principal::Account { id } => {
            let account = dir.accounts.get(id).map(|a| Account::clone(a));
            let org = account.as_ref().and_then(|a| dir.orgs.get(&a.org).cloned());
            let permissions = account
                .as_ref()
                .map(|a| policy::effective(dir, a, now))
                .unwrap_or_default();
            Me {
                principal: who,
                account,
                org,
                permissions,
            }
        }
        _ => Me {
            principal: who,
            account: None,
            org: None,
            permissions: Effective {
                granted: perms::admin_permissions()
                    .map(|p| (p.to_string(), vec![]))
                    .collect(),
                ..Effective::default()
            },
        },
    }
}

async fn orgs(State(s): State<AppState>, Caller(who): Caller) -> Reply<Json<Vec<Org>>> {
    s.read(move |dir| {
        Ok(query::reachable_orgs(dir, &who)
            .into_iter()
            .cloned()
            .collect())
    })
    .await
    .map(Json)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateBody {
    pub seq: u64,
    /// A `core::Directory` holding only what the caller may see of the organisation.
    #[schema(value_type = Object)]
    pub directory: Directory,
}

async fn state_of(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Reply<Response> {
    let held = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.blocking(move |b| {
        let now = b.now();
        backend::query(b, |dir| {
            let org = org_of(dir, &who, &slug)?.id;
            let etag = format!("\"seq-{}\"", dir.seq);
            if held.as_deref().is_some_and(|h| {
                h.split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
            }) {
                let mut res = StatusCode::NOT_MODIFIED.into_response();
                if let Ok(v) = etag.parse() {
                    res.headers_mut().insert(header::ETAG, v);
                }
                return Ok(res);
            }
            let body = StateBody {
                seq: dir.seq,
                directory: visibility::redact(dir, &who, org, now),
            };
            Ok(tagged(StatusCode::OK, &etag, &body))
        })?
    })
    .await
}
