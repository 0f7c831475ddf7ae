//! Groups of accounts (their role grants are with the roles routes).

use super::common::{self, AnyId, Empty, Items, MaybeBody, command_route, created_in};
use crate::core::precondition::Resource;
use crate::core::query;
use crate::core::{AccountId, Command, Event, Principal};
use crate::server::act::{View, act, act_if, list, record, view};
use crate::server::api::{Api, Cond, doc};
use crate::server::api_schema::field;
use crate::server::auth::Caller;
use crate::server::extract::{self, Body};
use crate::server::problem::Reply;
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/groups",
            list_groups,
            doc("groups", "Groups the caller may see", "GroupList"),
        )
        .post(
            "/v1/orgs/{slug}/groups",
            create,
            doc("groups", "Create a group (needs groups.manage)", "Group")
                .body("NewGroup")
                .created(),
        )
        .get(
            "/v1/orgs/{slug}/groups/{id}",
            show,
            doc("groups", "One group (ETag: its version)", "Group"),
        )
        .patch(
            "/v1/orgs/{slug}/groups/{id}",
            rename,
            doc("groups", "Rename a group", "Group")
                .body("NameBody")
                .cond(Cond::IfMatch),
        );
    let api = command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/groups/{id}",
        doc("groups", "Delete a group", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::DeleteGroup {
            group: common::group(dir, org.id, p.get("id"))?
        })
    );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/groups/{id}/members",
        doc("groups", "Add an account to the group", "Events").body("MemberBody"),
        Body<MemberBody>,
        |dir, org, p, b| Ok(Command::AddToGroup {
            group: common::group(dir, org.id, p.get("id"))?,
            account: b.account.0,
        })
    );
    command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/groups/{id}/members/{account}",
        doc("groups", "Remove an account from the group", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RemoveFromGroup {
            group: common::group(dir, org.id, p.get("id"))?,
            account: common::account(dir, org.id, p.get("account"))?,
        })
    )
}

async fn list_groups(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
) -> Reply<Response> {
    view(&s, who, slug, |v: View| {
        let items = query::groups(v.dir, v.org);
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[schema(schema_with = field::group_name)]
    pub name: String,
}

/// A new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    #[schema(schema_with = field::group_name)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// The account's id (`12` or `"u12"`).
    #[schema(schema_with = field::account_id)]
    pub account: AnyId<AccountId>,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewGroup>,
) -> Reply<Response> {
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::CreateGroup {
            org: org.id,
            name: n.name,
        })
    })
    .await?;
    Ok(created_in(events, &slug, "groups", |e| match e {
        Event::GroupCreated { group } => Some((group.id.to_string(), group.version, group.clone())),
        _ => None,
    }))
}

async fn current(s: &AppState, who: Principal, slug: String, id: String) -> Reply<Response> {
    view(s, who, slug, move |v: View| {
        let id = common::group(v.dir, v.org, &id)?;
        let g = &v.dir.groups[&id];
        Ok(record(g.version, g))
    })
    .await
}

async fn show(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Reply<Response> {
    current(&s, who, slug, id).await
}

async fn rename(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(b): Body<NameBody>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the group")?;
    let target = id.clone();
    act_if(&s, who.clone(), slug.clone(), move |dir, org| {
        let id = common::group(dir, org.id, &target)?;
        let pre = extract::precondition(&cond, Resource::Group(id), dir.groups[&id].version);
        let cmd = Command::RenameGroup {
            group: id,
            name: b.name,
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug, id).await
}
