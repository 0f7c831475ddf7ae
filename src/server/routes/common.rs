//! Small pieces the resource routes share: ids in paths and bodies, optional bodies for
//! actions, 201 replies.

use crate::core::{Directory, Event, OrgId, Recorded};
use crate::server::api_schema::field;
use crate::server::extract;
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

macro_rules! finder {
    ($name:ident, $map:ident, $id:ty, $what:literal) => {
        /// The id in the path, if it names one of the organisation's records.
        pub fn $name(dir: &Directory, org: OrgId, text: &str) -> Reply<$id> {
            let id: $id = extract::id(text, $what)?;
            match dir.$map.get(&id) {
                Some(x) if x.org == org => Ok(id),
                _ => Err(Problem::not_found(format!(
                    concat!("no ", $what, " {} in this organisation"),
                    id
                ))),
            }
        }
    };
}

finder!(account, accounts, crate::core::AccountId, "account");
finder!(role, roles, crate::core::RoleId, "role");
finder!(group, groups, crate::core::GroupId, "group");
finder!(program, programs, crate::core::ProgramId, "program");
finder!(contract, contracts, crate::core::ContractId, "contract");
finder!(
    invitation,
    invitations,
    crate::core::InvitationId,
    "invitation"
);
finder!(
    request,
    requests,
    crate::core::RequestId,
    "approval request"
);

/// A JSON number that is a whole number, as JSON Schema counts integers: `12`, and
/// `12.0` too (a client's JSON library may write any number with a fraction).
#[derive(Deserialize)]
#[serde(untagged)]
enum Whole {
    Int(u64),
    Float(f64),
}

impl Whole {
    fn value(self) -> Option<u64> {
        match self {
            Whole::Int(n) => Some(n),
            // Below 2^64 and without a fraction: exact, so the cast loses nothing.
            Whole::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 18_446_744_073_709_551_616.0 => {
                Some(f as u64)
            }
            Whole::Float(_) => None,
        }
    }
}

/// A whole number in a body that fits `T` (`seats`: a `u32`), written `12` or `12.0`.
pub fn whole<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
    let n = Whole::deserialize(d)?;
    n.value()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| serde::de::Error::custom("expected a whole number in range"))
}

/// Like `whole`, for a field that may be left out or `null`.
pub fn whole_or_null<'de, D: Deserializer<'de>, T: TryFrom<u64>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Option::<Whole>::deserialize(d)? {
        None => Ok(None),
        Some(n) => n
            .value()
            .and_then(|n| T::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected a whole number in range")),
    }
}

/// An id in a JSON body: a number (`12`) or the id as shown (`"u12"`).
#[derive(Clone, Copy, Debug)]
pub struct AnyId<T>(pub T);

impl<'de, T: FromStr<Err = String>> Deserialize<'de> for AnyId<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(Whole),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Number(n) => match n.value() {
                Some(n) => n.to_string(),
                None => return Err(serde::de::Error::custom("an id is a whole number")),
            },
            Raw::Text(t) => t,
        };
        text.parse().map(AnyId).map_err(serde::de::Error::custom)
    }
}

/// The body of an action, which may be left out (then it is `T::default()`).
pub struct MaybeBody<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for MaybeBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let has_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if has_json {
            let extract::Body(v) = extract::Body::<T>::from_request(req, state).await?;
            return Ok(MaybeBody(v));
        }
        let limit = state.config().body_limit;
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than the {limit} bytes this server accepts"),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(MaybeBody(T::default()));
        }
        Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON, with the header Content-Type: application/json",
        ))
    }
}

/// `201 Created` with the new record, its `ETag` and where it lives.
pub fn created(location: String, version: Option<u64>, body: &impl serde::Serialize) -> Response {
    let mut res = match version {
        Some(v) => crate::server::act::record(v, body),
        None => axum::response::IntoResponse::into_response(axum::Json(body)),
    };
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// `201 Created` with the record a change created (`pick` finds it among the events) at
/// `/v1/orgs/{slug}/{collection}/{id}`; a change that created none (a dry run) answers
/// with its events instead.
pub fn created_in<T: serde::Serialize>(
    events: Vec<Recorded>,
    slug: &str,
    collection: &str,
    pick: impl Fn(&Event) -> Option<(String, u64, T)>,
) -> Response {
    match find(&events, pick) {
        Some((id, version, record)) => created(
            format!("/v1/orgs/{slug}/{collection}/{id}"),
            Some(version),
            &record,
        ),
        None => axum::response::IntoResponse::into_response(crate::server::act::events(events)),
    }
}

/// The first event of a change that `pick` recognises.
pub fn find<T>(events: &[Recorded], pick: impl Fn(&Event) -> Option<T>) -> Option<T> {
    events.iter().find_map(|r| pick(&r.event))
}

/// An empty body for actions that take none (unknown fields are still refused).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// A reason for a refusal or decision, shown in the audit trail.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[serde(default)]
    #[schema(schema_with = field::reason)]
    pub reason: String,
}

/// The named segments of a path (`slug`, `id`, …).
pub struct Segs(Vec<(String, String)>);

impl Segs {
    pub fn new(segs: Vec<(String, String)>) -> Segs {
        Segs(segs)
    }

    /// The segment `name`; routes only ask for segments their path has.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Registers a route that turns the path and a body into one core command, runs it as
/// the caller and answers with its events. `$extract` is `Body` (required) or
/// `MaybeBody` (may be left out).
macro_rules! command_route {
    ($api:expr, $method:ident, $path:literal, $doc:expr, $extract:ident < $body:ty >,
     |$dir:ident, $org:ident, $p:ident, $b:ident| $build:expr) => {
        $api.$method(
            $path,
            {
                async fn handler(
                    axum::extract::State(s): axum::extract::State<$crate::server::state::AppState>,
                    $crate::server::auth::Caller(who): $crate::server::auth::Caller,
                    axum::extract::Path(segs): axum::extract::Path<Vec<(String, String)>>,
                    $extract($b): $extract<$body>,
                ) -> $crate::server::problem::Reply<axum::Json<$crate::server::act::Events>>
                {
                    let $p = $crate::server::routes::common::Segs::new(segs);
                    let slug = $p.get("slug").to_string();
                    $crate::server::act::act(&s, who, slug, move |$dir, $org| $build)
                        .await
                        .map($crate::server::act::events)
                }
                handler
            },
            $doc,
        )
    };
}
pub(crate) use command_route;

/// A list reply: `{"items": [...]}`.
#[derive(Debug, serde::Serialize)]
pub struct Items<T: serde::Serialize> {
    pub items: Vec<T>,
}
