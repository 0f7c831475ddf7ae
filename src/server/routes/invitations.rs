//! Invitations: sent ones with their status, new ones (the link's secret is in the reply,
//! once), revoke, resend, expire, and accept, which works without a token when the
//! invitee brings the secret from the link.

use super::common::{self, AnyId, Empty, Items, MaybeBody, command_route, created, find};
use super::links::new_secret;
use crate::core::Principal;
use crate::core::query;
use crate::core::{
    Command, Event, Invitation, InvitationStatus, Level, ProgramId, ProgramOffer, RoleId,
};
use crate::secret;
use crate::server::act::{self, Events, View, act, list, tagged, view};
use crate::server::api::{Api, Auth, doc};
use crate::server::api_schema::field;
use crate::server::api_schema::{Kind, words};
use crate::server::auth::{Caller, MaybeCaller};
use crate::server::extract::{Body, Params};
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/invitations",
            list_invitations,
            doc("invitations", "Invitations the caller may see, newest first", "InvitationList")
                .query(&[(
                    "status",
                    "pending, accepted, revoked or expired",
                    Kind::Words(words::INVITATION_STATUS),
                )]),
        )
        .post(
            "/v1/orgs/{slug}/invitations",
            create,
            doc("invitations", "Invite someone; the link's secret is in the reply, once, unless the server mailed it over SMTP (`mailed`)", "InvitationCreated")
                .body("NewInvitation")
                .created(),
        )
        .get(
            "/v1/orgs/{slug}/invitations/{id}",
            show,
            doc("invitations", "One invitation (ETag: a hash of its content)", "Invitation"),
        )
        .post(
            "/v1/orgs/{slug}/invitations/{id}/resend",
            resend,
            doc("invitations", "Send again with a new link and lifetime (its secret in the reply unless mailed)", "Resent").optional_body("Empty"),
        )
        .post(
            "/v1/orgs/{slug}/invitations/{id}/accept",
            accept,
            doc(
                "invitations",
                "Accept: with `secret` as the invitee (no token needed), without as an admin on their behalf",
                "Events",
            )
            .optional_body("AcceptBody")
            .auth(Auth::Optional),
        );
    let api = command_route!(
        api,
        post,
        "/v1/orgs/{slug}/invitations/{id}/revoke",
        doc("invitations", "Withdraw a pending invitation", "Events").optional_body("Empty"),
        MaybeBody<Empty>,
        |dir, org, p, _b| Ok(Command::RevokeInvitation {
            invitation: common::invitation(dir, org.id, p.get("id"))?
        })
    );
    command_route!(
        api,
        post,
        "/v1/orgs/{slug}/invitations/expire",
        doc(
            "invitations",
            "Record every invitation past its expiry as expired",
            "Events"
        )
        .optional_body("Empty"),
        MaybeBody<Empty>,
        |_dir, org, _p, _b| Ok(Command::ExpireInvitations { org: org.id })
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    status: Option<InvitationStatus>,
}

#[derive(Debug, Serialize)]
struct Row<'a> {
    invitation: &'a Invitation,
    /// The status as of now (a pending one past its expiry is expired).
    status: InvitationStatus,
}

async fn list_invitations(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Params(p): Params<ListParams>,
) -> Reply<Response> {
    view(&s, who, slug, move |v: View| {
        let items: Vec<Row> = query::invitations(v.dir, v.who, v.org, p.status, v.now)
            .into_iter()
            .map(|(invitation, status)| Row { invitation, status })
            .collect();
        Ok(list(v.dir.seq, &Items { items }))
    })
    .await
}

/// A program role offered with an invitation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferBody {
    #[schema(schema_with = field::program_id)]
    pub program: AnyId<ProgramId>,
    #[schema(schema_with = field::role_id)]
    pub role: AnyId<RoleId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[schema(schema_with = field::email)]
    pub email: String,
    #[serde(default)]
    #[schema(schema_with = field::last_name)]
    pub first_name: String,
    #[serde(default)]
    #[schema(schema_with = field::last_name)]
    pub last_name: String,
    #[serde(default)]
    #[schema(schema_with = field::invitation_message)]
    pub message: String,
    /// `member` (default) or `admin`.
    #[serde(default)]
    #[schema(schema_with = field::invited_level_or_null)]
    pub level: Option<Level>,
    /// Organisation roles to grant on acceptance.
    #[serde(default)]
    #[schema(schema_with = field::role_ids)]
    pub roles: Vec<AnyId<RoleId>>,
    #[serde(default)]
    pub programs: Vec<OfferBody>,
    /// When the link stops working (RFC 3339); the organisation's lifetime by default.
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub expires: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationCreated {
    #[schema(value_type = Object)]
    pub invitation: Invitation,
    /// The link's secret, shown this once (only its hash is kept); left out when the
    /// server mailed the link over SMTP (`mailed`), so only the invitee holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The link went to the invitee by mail (SMTP is configured).
    pub mailed: bool,
}

/// An invitation sent again: its events, and the new link's secret unless it was mailed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resent {
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<crate::core::Recorded>,
    /// The new link's secret, shown this once; left out when it was mailed over SMTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub mailed: bool,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewInvitation>,
) -> Reply<Response> {
    let (secret, hash) = new_secret()?;
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::Invite {
            org: org.id,
            email: n.email,
            first_name: n.first_name,
            last_name: n.last_name,
            message: n.message,
            level: n.level.unwrap_or(Level::Member),
            roles: n.roles.into_iter().map(|r| r.0).collect(),
            programs: n
                .programs
                .into_iter()
                .map(|o| ProgramOffer {
                    program: o.program.0,
                    role: o.role.0,
                })
                .collect(),
            expires: n.expires,
            secret_hash: Some(hash),
        })
    })
    .await?;
    let mailed = crate::server::mail::spool(&s, &events, &secret).await;
    let secret = (!mailed).then_some(secret);
    let invitation = find(&events, |e| match e {
        Event::InvitationSent { invitation } => Some(invitation.clone()),
        _ => None,
    });
    Ok(match invitation {
        Some(invitation) => created(
            format!("/v1/orgs/{slug}/invitations/{}", invitation.id),
            None,
            &InvitationCreated {
                invitation,
                secret,
                mailed,
            },
        ),
        None => act::events(events).into_response(),
    })
}

async fn show(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Reply<Response> {
    view(&s, who, slug, move |v: View| {
        let id = common::invitation(v.dir, v.org, &id)?;
        let i = &v.dir.invitations[&id];
        // Invitations carry no version: the tag is a digest of what the caller sees.
        let digest = secret::hash(&serde_json::to_string(i).unwrap_or_default());
        Ok(tagged(
            StatusCode::OK,
            &format!("\"h{}\"", &digest[..16]),
            i,
        ))
    })
    .await
}

async fn resend(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    MaybeBody(Empty {}): MaybeBody<Empty>,
) -> Reply<Json<Resent>> {
    let (secret, hash) = new_secret()?;
    let events = act(&s, who, slug, move |dir, org| {
        Ok(Command::ResendInvitation {
            invitation: common::invitation(dir, org.id, &id)?,
            secret_hash: Some(hash),
        })
    })
    .await?;
    let mailed = crate::server::mail::spool(&s, &events, &secret).await;
    Ok(Json(Resent {
        events,
        secret: (!mailed).then_some(secret),
        mailed,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The secret from the invitation link. Leave it out to accept on the invitee's
    /// behalf (an admin with a token).
    #[serde(default)]
    pub secret: Option<String>,
}

async fn accept(
    State(s): State<AppState>,
    MaybeCaller(who): MaybeCaller,
    Path((slug, id)): Path<(String, String)>,
    MaybeBody(b): MaybeBody<AcceptBody>,
) -> Reply<Json<Events>> {
    let secret_hash = b.secret.as_deref().map(secret::hash);
    // Without a token, an id that names nothing gets the answer any id without its
    // secret gets (the core's), so ids tell an outsider nothing.
    let anonymous = who == Principal::Anonymous;
    act(&s, who, slug, move |dir, org| {
        let invitation = common::invitation(dir, org.id, &id).map_err(|e| {
            if anonymous {
                Problem::forbidden(crate::core::decide::LINK_NOT_VALID)
            } else {
                e
            }
        })?;
        Ok(Command::AcceptInvitation {
            invitation,
            secret_hash,
        })
    })
    .await
    .map(act::events)
}
