//! Programs (applications, services), their contacts and owners.

use super::common::{self, AnyId, Empty, Items, MaybeBody, command_route, created_in};
use super::orgs::TransferBody;
use crate::core::precondition::Resource;
use crate::core::query;
use crate::core::{AccountId, Command, Event, Grant, Principal, RoleId};
use crate::server::act::{View, act, act_if, list, record, view};
use crate::server::api::{Api, Cond, doc};
use crate::server::api_schema::field;
use crate::server::auth::Caller;
use crate::server::extract::{self, Body};
use crate::server::problem::Reply;
use crate::server::routes::groups::NameBody;
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/programs",
            list_programs,
            doc("programs", "Programs the caller may see", "ProgramList"),
        )
        .post(
            "/v1/orgs/{slug}/programs",
            create,
            doc(
                "programs",
                "Create a program (owned by the caller unless `owner`)",
                "Program",
            )
            .body("NewProgram")
            .created(),
        )
        .get(
            "/v1/orgs/{slug}/programs/{id}",
            show,
            doc("programs", "One program (ETag: its version)", "Program"),
        )
        .patch(
            "/v1/orgs/{slug}/programs/{id}",
            rename,
            doc("programs", "Rename a program", "Program")
                .body("NameBody")
                .cond(Cond::IfMatch),
        )
        .get(
            "/v1/orgs/{slug}/programs/{id}/contacts",
            contacts,
            doc(
                "programs",
                "The owner and every contact with their roles",
                "ContactList",
            ),
        );
    let api = command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/programs/{id}",
        doc("programs", "Delete a program", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::DeleteProgram {
            program: common::program(dir, org.id, p.get("id"))?
        })
    );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/programs/{id}/contacts",
        doc("programs", "Give an account a program role", "Events").body("ContactBody"),
        Body<ContactBody>,
        |dir, org, p, b| Ok(Command::GrantProgramRole {
            program: common::program(dir, org.id, p.get("id"))?,
            account: b.account.0,
            role: b.role.0,
            until: b.until,
        })
    );
    let api = command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/programs/{id}/contacts/{account}",
        doc(
            "programs",
            "Remove an account from the program entirely",
            "Events"
        ),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RemoveFromProgram {
            program: common::program(dir, org.id, p.get("id"))?,
            account: common::account(dir, org.id, p.get("account"))?,
        })
    );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/programs/{id}/contacts/{account}/change",
        doc(
            "programs",
            "Replace one program role of a contact with another",
            "Events"
        )
        .body("ChangeBody"),
        Body<ChangeBody>,
        |dir, org, p, b| Ok(Command::ChangeProgramRole {
            program: common::program(dir, org.id, p.get("id"))?,
            account: common::account(dir, org.id, p.get("account"))?,
            from: b.from.0,
            to: b.to.0,
        })
    );
    let api = command_route!(
        api,
        delete,
        "/v1/orgs/{slug}/programs/{id}/contacts/{account}/roles/{role}",
        doc("programs", "Take one program role from a contact", "Events"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RevokeProgramRole {
            program: common::program(dir, org.id, p.get("id"))?,
            account: common::account(dir, org.id, p.get("account"))?,
            role: common::role(dir, org.id, p.get("role"))?,
        })
    );
    command_route!(
        api,
        post,
        "/v1/orgs/{slug}/programs/{id}/transfer",
        doc(
            "programs",
            "Name a new program owner; the old one stays as a contributor",
            "Events"
        )
        .body("TransferBody"),
        Body<TransferBody>,
        |dir, org, p, b| Ok(Command::TransferProgram {
            program: common::program(dir, org.id, p.get("id"))?,
            to: b.to.0,
        })
    )
}

async fn list_programs(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
) -> Reply<Response> {
    view(&s, who, slug, |v: View| {
        let items = query::programs(v.dir, v.who, v.org, v.now);
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgram {
    #[schema(schema_with = field::program_name)]
    pub name: String,
    /// The owner's account id. An account may leave it out to own the program itself;
    /// the document asks for it, since the operator (who is no account) must name one.
    #[serde(default)]
    #[schema(schema_with = field::account_id, required = true)]
    pub owner: Option<AnyId<AccountId>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(schema_with = field::account_id)]
    pub account: AnyId<AccountId>,
    /// A program role's id (the built-in viewer, contributor, or a custom one).
    #[schema(schema_with = field::role_id)]
    pub role: AnyId<RoleId>,
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub until: Option<Timestamp>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    #[schema(schema_with = field::role_id)]
    pub from: AnyId<RoleId>,
    #[schema(schema_with = field::role_id)]
    pub to: AnyId<RoleId>,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewProgram>,
) -> Reply<Response> {
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::CreateProgram {
            org: org.id,
            name: n.name,
            owner: n.owner.map(|o| o.0),
        })
    })
    .await?;
    Ok(created_in(events, &slug, "programs", |e| match e {
        Event::ProgramCreated { program } => {
            Some((program.id.to_string(), program.version, program.clone()))
        }
        _ => None,
    }))
}

async fn current(s: &AppState, who: Principal, slug: String, id: String) -> Reply<Response> {
    view(s, who, slug, move |v: View| {
        let id = common::program(v.dir, v.org, &id)?;
        let p = &v.dir.programs[&id];
        Ok(record(p.version, p))
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
    let cond = extract::required(&headers, "the program")?;
    let target = id.clone();
    act_if(&s, who.clone(), slug.clone(), move |dir, org| {
        let id = common::program(dir, org.id, &target)?;
        let pre = extract::precondition(&cond, Resource::Program(id), dir.programs[&id].version);
        let cmd = Command::RenameProgram {
            program: id,
            name: b.name,
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug, id).await
}

#[derive(Debug, Serialize)]
struct Contact<'a> {
    account: &'a crate::core::Account,
    grants: Vec<&'a Grant>,
    owner: bool,
}

async fn contacts(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Reply<Response> {
    view(&s, who, slug, move |v: View| {
        let id = common::program(v.dir, v.org, &id)?;
        let items: Vec<Contact> = query::program_contacts(v.dir, &v.dir.programs[&id])
            .into_iter()
            .map(|(account, grants, owner)| Contact {
                account,
                grants,
                owner,
            })
            .collect();
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}
