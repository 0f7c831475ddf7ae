//! Roles: named permission sets, who holds them, and their grants to groups.

use super::common::{self, AnyId, Empty, Items, MaybeBody, command_route, created_in};
use crate::core::precondition::Resource;
use crate::core::query;
use crate::core::{Command, Event, Principal, RoleId, Scope};
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
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/roles",
            list_roles,
            doc("roles", "Roles with how many hold them", "RoleList"),
        )
        .post(
            "/v1/orgs/{slug}/roles",
            create,
            doc("roles", "Create a custom role (needs roles.manage)", "Role")
                .body("NewRole")
                .created(),
        )
        .get(
            "/v1/orgs/{slug}/roles/{id}",
            show,
            doc("roles", "One role (ETag: its version)", "Role"),
        )
        .patch(
            "/v1/orgs/{slug}/roles/{id}",
            edit,
            doc("roles", "Change a custom role", "Role")
                .body("RolePatch")
                .cond(Cond::IfMatch),
        )
        .get(
            "/v1/orgs/{slug}/roles/{id}/holders",
            holders,
            doc("roles", "Who holds the role, and how", "HolderList"),
        );
    let api = command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/roles/{id}",
        doc("roles", "Delete a custom role nobody holds", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::DeleteRole {
            role: common::role(dir, org.id, p.get("id"))?
        })
    );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/groups/{id}/roles",
        doc("groups", "Grant a role to a group", "Events").body("GroupGrantBody"),
        Body<GroupGrantBody>,
        |dir, org, p, b| Ok(Command::GrantGroupRole {
            group: common::group(dir, org.id, p.get("id"))?,
            role: b.role.0,
            until: b.until,
        })
    );
    command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/groups/{id}/roles/{role}",
        doc("groups", "Revoke a role from a group", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RevokeGroupRole {
            group: common::group(dir, org.id, p.get("id"))?,
            role: common::role(dir, org.id, p.get("role"))?,
        })
    )
}

async fn list_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
) -> Reply<Response> {
    view(&s, who, slug, |v: View| {
        let rows = query::roles(v.dir, v.org, v.now);
        Ok(list(v.dir.seq, &Items { items: rows }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    #[schema(schema_with = field::role_name)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = field::role_description)]
    pub description: String,
    /// `org` or `program`.
    #[schema(schema_with = field::scope)]
    pub scope: Scope,
    #[schema(schema_with = field::permissions)]
    pub permissions: BTreeSet<String>,
    /// A contract product the role needs (operators only).
    #[serde(default)]
    #[schema(schema_with = field::product_or_null)]
    pub gate: Option<String>,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewRole>,
) -> Reply<Response> {
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::CreateRole {
            org: org.id,
            name: n.name,
            description: n.description,
            scope: n.scope,
            permissions: n.permissions,
            gate: n.gate,
        })
    })
    .await?;
    Ok(created_in(events, &slug, "roles", |e| match e {
        Event::RoleCreated { role } => Some((role.id.to_string(), role.version, role.clone())),
        _ => None,
    }))
}

async fn current(s: &AppState, who: Principal, slug: String, id: String) -> Reply<Response> {
    view(s, who, slug, move |v: View| {
        let id = common::role(v.dir, v.org, &id)?;
        let r = &v.dir.roles[&id];
        Ok(record(r.version, r))
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    #[schema(schema_with = field::role_name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = field::role_description_or_null)]
    pub description: Option<String>,
    #[schema(schema_with = field::permissions_or_null)]
    pub permissions: Option<BTreeSet<String>>,
}

async fn edit(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(patch): Body<RolePatch>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the role")?;
    let target = id.clone();
    act_if(&s, who.clone(), slug.clone(), move |dir, org| {
        let id = common::role(dir, org.id, &target)?;
        let r = &dir.roles[&id];
        let pre = extract::precondition(&cond, Resource::Role(id), r.version);
        let cmd = Command::EditRole {
            role: id,
            name: patch.name.unwrap_or_else(|| r.name.clone()),
            description: patch.description.unwrap_or_else(|| r.description.clone()),
            permissions: patch.permissions.unwrap_or_else(|| r.permissions.clone()),
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug, id).await
}

#[derive(Debug, Serialize)]
struct Holder<'a> {
    account: &'a crate::core::Account,
    holding: query::Holding,
}

async fn holders(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Reply<Response> {
    view(&s, who, slug, move |v: View| {
        let id = common::role(v.dir, v.org, &id)?;
        let items: Vec<Holder> = query::role_holders(v.dir, &v.dir.roles[&id])
            .into_iter()
            .map(|(account, holding)| Holder { account, holding })
            .collect();
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupGrantBody {
    /// The role's id (`12` or `"r12"`).
    #[schema(schema_with = field::role_id)]
    pub role: AnyId<RoleId>,
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub until: Option<Timestamp>,
}
