//! The approval queue: join and role requests, asking for a role, deciding.

use super::common::{self, AnyId, Items, MaybeBody, Reason, command_route, created, find};
use crate::core::query;
use crate::core::{ApprovalRequest, Command, Event, ProgramId, RoleId};
use crate::server::act::{self, View, act, list, view};
use crate::server::api::{Api, doc};
use crate::server::api_schema::Kind;
use crate::server::api_schema::field;
use crate::server::auth::Caller;
use crate::server::extract::{Body, Params};
use crate::server::problem::Reply;
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/approvals",
            queue,
            doc(
                "approvals",
                "Pending requests oldest first (with members.approve; else the caller's own)",
                "RequestList",
            )
            .query(&[(
                "all",
                "true to add decided requests, newest first",
                Kind::Bool,
            )]),
        )
        .post(
            "/v1/orgs/{slug}/approvals",
            ask,
            doc(
                "approvals",
                "Ask for a role; the request waits in the queue",
                "RequestCreated",
            )
            .body("NewRequest")
            .created(),
        );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/approvals/{id}/approve",
        doc(
            "approvals",
            "Approve a request (needs members.approve)",
            "Events"
        )
        .optional_body("Reason"),
        MaybeBody<Reason>,
        |dir, org, p, b| Ok(Command::Decide {
            request: common::request(dir, org.id, p.get("id"))?,
            approve: true,
            reason: b.reason,
        })
    );
    command_route!(
        api,
        post,
        "/v1/orgs/{slug}/approvals/{id}/reject",
        doc(
            "approvals",
            "Reject a request (needs members.approve)",
            "Events"
        )
        .optional_body("Reason"),
        MaybeBody<Reason>,
        |dir, org, p, b| Ok(Command::Decide {
            request: common::request(dir, org.id, p.get("id"))?,
            approve: false,
            reason: b.reason,
        })
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueParams {
    all: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Row<'a> {
    request: &'a ApprovalRequest,
    /// What the request asks for, in words.
    description: String,
}

async fn queue(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Params(p): Params<QueueParams>,
) -> Reply<Response> {
    view(&s, who, slug, move |v: View| {
        let items: Vec<Row> = query::approval_queue(v.dir, v.org, p.all.unwrap_or(false))
            .into_iter()
            .map(|request| Row {
                request,
                description: query::describe_request(v.dir, request),
            })
            .collect();
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The role asked for.
    #[schema(schema_with = field::role_id)]
    pub role: AnyId<RoleId>,
    /// For a program role: the program.
    #[serde(default)]
    #[schema(schema_with = field::program_id_or_null)]
    pub program: Option<AnyId<ProgramId>>,
    #[serde(default)]
    #[schema(schema_with = field::note)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestCreated {
    #[schema(value_type = Object)]
    pub request: ApprovalRequest,
}

async fn ask(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewRequest>,
) -> Reply<Response> {
    let events = act(&s, who, slug.clone(), move |_, _| {
        Ok(Command::RequestRole {
            role: n.role.0,
            program: n.program.map(|p| p.0),
            note: n.note,
        })
    })
    .await?;
    let request = find(&events, |e| match e {
        Event::ApprovalRequested { request } => Some(request.clone()),
        _ => None,
    });
    Ok(match request {
        Some(request) => created(
            format!("/v1/orgs/{slug}/approvals/{}", request.id),
            None,
            &RequestCreated { request },
        ),
        None => act::events(events).into_response(),
    })
}
