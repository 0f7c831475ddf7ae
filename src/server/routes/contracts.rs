//! Contracts between the platform and an organisation: operators change them, holders of
//! contracts.read see them.

use super::common::{self, Empty, Items, MaybeBody, command_route, created_in};
use crate::core::precondition::Resource;
use crate::core::query;
use crate::core::{Command, Event, Principal};
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
use serde::Deserialize;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/contracts",
            list_contracts,
            doc(
                "contracts",
                "Contracts with their seats in use (needs contracts.read)",
                "ContractList",
            ),
        )
        .post(
            "/v1/orgs/{slug}/contracts",
            create,
            doc(
                "contracts",
                "Create a contract (platform operator)",
                "Contract",
            )
            .body("NewContract")
            .created(),
        )
        .get(
            "/v1/orgs/{slug}/contracts/{id}",
            show,
            doc("contracts", "One contract (ETag: its version)", "Contract"),
        )
        .patch(
            "/v1/orgs/{slug}/contracts/{id}",
            seats,
            doc(
                "contracts",
                "Change the number of seats (platform operator)",
                "Contract",
            )
            .body("SeatsPatch")
            .cond(Cond::IfMatch),
        );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/contracts/{id}/suspend",
        doc("contracts", "Suspend an active contract", "Events").optional_body("Empty"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::SuspendContract {
            contract: common::contract(dir, org.id, p.get("id"))?
        })
    );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/contracts/{id}/resume",
        doc("contracts", "Resume a suspended contract", "Events").optional_body("Empty"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::ResumeContract {
            contract: common::contract(dir, org.id, p.get("id"))?
        })
    );
    command_route!(
        api,
        post,
        "/v1/orgs/{slug}/contracts/{id}/end",
        doc("contracts", "End a contract", "Events").optional_body("Empty"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::EndContract {
            contract: common::contract(dir, org.id, p.get("id"))?
        })
    )
}

async fn list_contracts(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
) -> Reply<Response> {
    view(&s, who, slug, |v: View| {
        let items = query::contracts(v.dir, Some(v.org), v.now);
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    /// Product code, e.g. `IDaaS`.
    #[schema(schema_with = field::product)]
    pub product: String,
    #[schema(schema_with = field::seats)]
    #[serde(deserialize_with = "common::whole")]
    pub seats: u32,
    /// When it starts (RFC 3339); now when left out.
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub start: Option<Timestamp>,
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub end: Option<Timestamp>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatsPatch {
    #[schema(schema_with = field::seats)]
    #[serde(deserialize_with = "common::whole")]
    pub seats: u32,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewContract>,
) -> Reply<Response> {
    let now = s.backend().now();
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::CreateContract {
            org: org.id,
            product: n.product,
            start: n.start.unwrap_or(now),
            end: n.end,
            seats: n.seats,
        })
    })
    .await?;
    Ok(created_in(events, &slug, "contracts", |e| match e {
        Event::ContractCreated { contract } => {
            Some((contract.id.to_string(), contract.version, contract.clone()))
        }
        _ => None,
    }))
}

async fn current(s: &AppState, who: Principal, slug: String, id: String) -> Reply<Response> {
    view(s, who, slug, move |v: View| {
        let id = common::contract(v.dir, v.org, &id)?;
        let c = &v.dir.contracts[&id];
        Ok(record(c.version, c))
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

async fn seats(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(b): Body<SeatsPatch>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the contract")?;
    let target = id.clone();
    act_if(&s, who.clone(), slug.clone(), move |dir, org| {
        let id = common::contract(dir, org.id, &target)?;
        let pre = extract::precondition(&cond, Resource::Contract(id), dir.contracts[&id].version);
        let cmd = Command::ChangeSeats {
            contract: id,
            seats: b.seats,
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug, id).await
}
