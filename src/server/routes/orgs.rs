//! One organisation: its profile (owner and operator), settings, ownership transfer.

use super::common::AnyId;
use crate::core::precondition::Resource;
use crate::core::{AccountId, Command, Profile, Settings, Terminology};
use crate::server::act::{self, Events, View, act, act_if, record, view};
use crate::server::api::{Api, Cond, doc};
use crate::server::api_schema::field;
use crate::server::auth::Caller;
use crate::server::extract::{self, Body};
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    api.get(
        "/v1/orgs/{slug}",
        show,
        doc(
            "organisations",
            "The organisation (ETag: its version)",
            "Org",
        ),
    )
    .patch(
        "/v1/orgs/{slug}",
        update_profile,
        doc(
            "organisations",
            "Change the name or profile (owner, operator)",
            "Org",
        )
        .body("OrgPatch")
        .cond(Cond::IfMatch),
    )
    .put(
        "/v1/orgs/{slug}/settings",
        update_settings,
        doc(
            "organisations",
            "Change settings; fields left out keep their value (needs org.settings)",
            "Org",
        )
        .body("SettingsBody")
        .cond(Cond::IfMatch),
    )
    .post(
        "/v1/orgs/{slug}/transfer",
        transfer,
        doc(
            "organisations",
            "Designate a new owner; the old one becomes admin",
            "Events",
        )
        .body("TransferBody"),
    )
}

/// Reads the organisation as the caller sees it.
pub async fn current(s: &AppState, who: crate::core::Principal, slug: String) -> Reply<Response> {
    view(s, who, slug, |v: View| {
        let org = v
            .dir
            .orgs
            .get(&v.org)
            .ok_or_else(|| Problem::not_found("no such organisation"))?;
        Ok(record(org.version, org))
    })
    .await
}

async fn show(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
) -> Reply<Response> {
    current(&s, who, slug).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    #[schema(schema_with = field::org_name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = field::address_or_null)]
    pub address: Option<String>,
    #[schema(schema_with = field::website_or_null)]
    pub website: Option<String>,
    #[schema(schema_with = field::description_or_null)]
    pub description: Option<String>,
}

async fn update_profile(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Body(patch): Body<OrgPatch>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the organisation")?;
    act_if(&s, who.clone(), slug.clone(), move |_, org| {
        let pre = extract::precondition(&cond, Resource::Org(org.id), org.version);
        let cmd = Command::UpdateOrgProfile {
            org: org.id,
            name: patch.name.unwrap_or_else(|| org.name.clone()),
            profile: Profile {
                address: patch.address.unwrap_or_else(|| org.profile.address.clone()),
                website: patch.website.unwrap_or_else(|| org.profile.website.clone()),
                description: patch
                    .description
                    .unwrap_or_else(|| org.profile.description.clone()),
            },
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    pub approval_required: Option<bool>,
    pub open_registration: Option<bool>,
    #[schema(schema_with = field::hours_or_null)]
    #[serde(default, deserialize_with = "super::common::whole_or_null")]
    pub invitation_ttl_hours: Option<u32>,
    #[schema(schema_with = field::hours_or_null)]
    #[serde(default, deserialize_with = "super::common::whole_or_null")]
    pub reset_ttl_hours: Option<u32>,
    pub terminology: Option<TermsBody>,
    /// How long a sign-in session lasts, in hours.
    #[schema(schema_with = field::hours_or_null)]
    #[serde(default, deserialize_with = "super::common::whole_or_null")]
    pub session_ttl_hours: Option<u32>,
}

/// The organisation's words for roster's levels and roles; left-out words stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsBody {
    #[schema(schema_with = field::word_or_null)]
    pub owner: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub admin: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub member: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub program: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub program_owner: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub program_contributor: Option<String>,
    #[schema(schema_with = field::word_or_null)]
    pub program_viewer: Option<String>,
}

impl SettingsBody {
    fn over(self, s: &Settings) -> Settings {
        let t = self.terminology.unwrap_or_default();
        let w = &s.terminology;
        Settings {
            approval_required: self.approval_required.unwrap_or(s.approval_required),
            open_registration: self.open_registration.unwrap_or(s.open_registration),
            invitation_ttl_hours: self.invitation_ttl_hours.unwrap_or(s.invitation_ttl_hours),
            reset_ttl_hours: self.reset_ttl_hours.unwrap_or(s.reset_ttl_hours),
            session_ttl_hours: self.session_ttl_hours.unwrap_or(s.session_ttl_hours),
            terminology: Terminology {
                owner: t.owner.unwrap_or_else(|| w.owner.clone()),
                admin: t.admin.unwrap_or_else(|| w.admin.clone()),
                member: t.member.unwrap_or_else(|| w.member.clone()),
                program: t.program.unwrap_or_else(|| w.program.clone()),
                program_owner: t.program_owner.unwrap_or_else(|| w.program_owner.clone()),
                program_contributor: t
                    .program_contributor
                    .unwrap_or_else(|| w.program_contributor.clone()),
                program_viewer: t.program_viewer.unwrap_or_else(|| w.program_viewer.clone()),
            },
        }
    }
}

async fn update_settings(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Body(body): Body<SettingsBody>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the organisation's settings")?;
    act_if(&s, who.clone(), slug.clone(), move |_, org| {
        let pre = extract::precondition(&cond, Resource::Org(org.id), org.version);
        let cmd = Command::UpdateOrgSettings {
            org: org.id,
            settings: body.over(&org.settings),
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The new owner's account id (`12` or `"u12"`).
    #[schema(schema_with = field::account_id)]
    pub to: AnyId<AccountId>,
}

async fn transfer(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(body): Body<TransferBody>,
) -> Reply<Json<Events>> {
    act(&s, who, slug, move |_, org| {
        Ok(Command::TransferOwnership {
            org: org.id,
            to: body.to.0,
        })
    })
    .await
    .map(act::events)
}
