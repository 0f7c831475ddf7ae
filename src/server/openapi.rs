//! The OpenAPI 3 document: the paths written by `api::Api` as routes were added, the
//! server's own request and reply types (derived with utoipa), and the core's records
//! as described objects (their fields are the JSON of `roster::core`, documented in
//! the README (REST API); deriving schemas through the whole core would tie it to utoipa).

use super::act::Events;
use super::problem::Problem;
use super::routes::accounts::{AccountPage, AccountPatch, GrantBody, NewAccount, WithSecret};
use super::routes::approvals::{NewRequest, RequestCreated};
use super::routes::commands::{Audit, AuditEntry, CommandRequest};
use super::routes::common::{Empty, Reason};
use super::routes::contracts::{NewContract, SeatsPatch};
use super::routes::events::Feed;
use super::routes::groups::{MemberBody, NameBody, NewGroup};
use super::routes::invitations::{AcceptBody, InvitationCreated, NewInvitation, OfferBody, Resent};
use super::routes::links::ResetSent;
use super::routes::meta::{Health, Me, StateBody};
use super::routes::orgs::{OrgPatch, SettingsBody, TermsBody, TransferBody};
use super::routes::programs::{ChangeBody, ContactBody, NewProgram};
use super::routes::roles::{GroupGrantBody, NewRole, RolePatch};
use super::routes::sessions::{
    AcceptLink, CompleteReset, ResetAccepted, ResetRequestBody, Session, SignIn,
};
use utoipa::openapi::path::Paths;
use utoipa::openapi::schema::{ArrayBuilder, ComponentsBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder, RefOr};

/// Core records, named in the document, with what they are.
const CORE: &[(&str, &str)] = &[
    (
        "Org",
        "core::Org: id, slug, name, profile, settings, created, version",
    ),
    (
        "Account",
        "core::Account: id, org, email, first_name, last_name, verified, enabled, approval, level, roles, created, version",
    ),
    (
        "Role",
        "core::Role: id, org, name, description, scope, permissions, builtin, gate, version",
    ),
    (
        "Group",
        "core::Group: id, org, name, members, roles, version",
    ),
    (
        "Program",
        "core::Program: id, org, name, owner, grants (account id → grants), created, version",
    ),
    (
        "Contract",
        "core::Contract: id, org, product, status, start, end, seats, version",
    ),
    (
        "Invitation",
        "core::Invitation: id, org, email, names, message, level, roles, programs, sent_by, sent_at, expires, status, account (never a secret hash)",
    ),
    ("OpenApi", "this document"),
];

/// Lists of core rows, named in the document.
const LISTS: &[(&str, &str)] = &[
    ("OrgList", "core::Org records the caller reaches"),
    (
        "RoleList",
        "{items: [{role, holders, groups, unlocked, seats}]} (core::query::RoleRow)",
    ),
    (
        "HolderList",
        "{items: [{account, holding}]} (core::query::Holding)",
    ),
    ("GroupList", "{items: [core::Group]}"),
    ("ProgramList", "{items: [core::Program]}"),
    ("ContactList", "{items: [{account, grants, owner}]}"),
    (
        "ContractList",
        "{items: [{contract, seats_used, ends_soon, in_force}]} (core::query::ContractRow)",
    ),
    (
        "InvitationList",
        "{items: [{invitation, status}]} (status as of now)",
    ),
    (
        "RequestList",
        "{items: [{request, description}]} (the approval queue)",
    ),
];

pub fn document(paths: Paths) -> OpenApi {
    let mut components = ComponentsBuilder::new()
        .schema_from::<Problem>()
        .schema_from::<Health>()
        .schema_from::<Me>()
        .schema_from::<StateBody>()
        .schema_from::<Events>()
        .schema_from::<Feed>()
        .schema_from::<CommandRequest>()
        .schema_from::<Audit>()
        .schema_from::<AuditEntry>()
        .schema_from::<Empty>()
        .schema_from::<Reason>()
        .schema_from::<OrgPatch>()
        .schema_from::<SettingsBody>()
        .schema_from::<TermsBody>()
        .schema_from::<TransferBody>()
        .schema_from::<AccountPage>()
        .schema_from::<NewAccount>()
        .schema_from::<AccountPatch>()
        .schema_from::<GrantBody>()
        .schema_from::<WithSecret>()
        .schema_from::<NewRole>()
        .schema_from::<RolePatch>()
        .schema_from::<GroupGrantBody>()
        .schema_from::<NewGroup>()
        .schema_from::<NameBody>()
        .schema_from::<MemberBody>()
        .schema_from::<NewProgram>()
        .schema_from::<ContactBody>()
        .schema_from::<ChangeBody>()
        .schema_from::<NewContract>()
        .schema_from::<SeatsPatch>()
        .schema_from::<NewInvitation>()
        .schema_from::<OfferBody>()
        .schema_from::<InvitationCreated>()
        .schema_from::<Resent>()
        .schema_from::<AcceptBody>()
        .schema_from::<NewRequest>()
        .schema_from::<RequestCreated>()
        .schema_from::<SignIn>()
        .schema_from::<Session>()
        .schema_from::<ResetRequestBody>()
        .schema_from::<ResetAccepted>()
        .schema_from::<CompleteReset>()
        .schema_from::<AcceptLink>()
        .schema_from::<ResetSent>();
    for (name, what) in CORE {
        components = components.schema(*name, described(what));
    }
    for (name, what) in LISTS {
        let schema: RefOr<Schema> = if *name == "OrgList" {
            ArrayBuilder::new()
                .items(described("core::Org"))
                .description(Some(*what))
                .into()
        } else {
            described(what)
        };
        components = components.schema(*name, schema);
    }
    let mut components = components.build();
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("a secret from `roster token create`"))
                .build(),
        ),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("roster")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Administer who may do what in multi-tenant organisations. Errors are application/problem+json; see the README (REST API).",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

/// A JSON object whose shape is described in words.
fn described(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(what))
        .into()
}
