//! Reading requests: JSON bodies and query strings whose every failure is a 4xx problem
//! with a clear sentence (never axum's plain-text rejections), path ids, and the
//! `ETag` / `If-Match` conditions that keep an edit from silently overwriting another.

use super::problem::{Problem, Reply};
use super::state::AppState;
use crate::core::precondition::{Precondition, Resource};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A JSON request body.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        // Exactly `application/json` (parameters such as charset aside): axum would also
        // take any `application/*+json`, and a JSON Patch or merge-patch document read
        // as a plain body means something else than its sender meant.
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE)
            && !is_plain_json(ct.to_str().unwrap_or_default())
        {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rej) => Err(json_problem(&rej, state.config().body_limit)),
        }
    }
}

/// `application/json`, in any case, with or without parameters.
fn is_plain_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn json_problem(rej: &JsonRejection, limit: usize) -> Problem {
    let status = rej.status();
    let detail = match rej {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON, with the header Content-Type: application/json".to_string()
        }
        JsonRejection::JsonSyntaxError(_) => format!(
            "the body is not valid JSON: {}",
            strip(
                &rej.body_text(),
                "Failed to parse the request body as JSON: "
            )
        ),
        JsonRejection::JsonDataError(_) => format!(
            "the body does not have the expected shape: {}",
            strip(
                &rej.body_text(),
                "Failed to deserialize the JSON body into the target type: "
            )
        ),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
            format!("the request body is larger than the {limit} bytes this server accepts")
        }
        _ => "the request body could not be read".to_string(),
    };
    Problem::new(status, detail)
}

fn strip(text: &str, prefix: &str) -> String {
    text.strip_prefix(prefix).unwrap_or(text).to_string()
}

/// A query string; any value of the wrong form is a 422 that names it.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Params(v)),
            Err(rej) => Err(query_problem(&rej)),
        }
    }
}

fn query_problem(rej: &QueryRejection) -> Problem {
    Problem::unprocessable(format!(
        "the query string is not valid: {}",
        strip(&rej.body_text(), "Failed to deserialize query string: ")
    ))
}

/// An id from the path, `u12` or `12`; anything else names nothing, so it is a 404.
pub fn id<T: FromStr<Err = String>>(text: &str, what: &str) -> Reply<T> {
    text.parse()
        .map_err(|_| Problem::not_found(format!("no {what} '{}'", shown(text))))
}

/// Path text echoed in a message, cut short and without control characters.
pub fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(60).collect()
}

/// The strong entity tag of a versioned record: `"v3"`.
pub fn etag_version(version: u64) -> String {
    format!("\"v{version}\"")
}

/// What an `If-Match` header asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Tags(Vec<String>),
}

impl IfMatch {
    pub fn from_headers(headers: &HeaderMap) -> Reply<Option<IfMatch>> {
        let Some(v) = headers.get(header::IF_MATCH) else {
            return Ok(None);
        };
        let text = v
            .to_str()
            .map_err(|_| Problem::bad_request("the If-Match header is not readable text"))?
            .trim();
        if text == "*" {
            return Ok(Some(IfMatch::Any));
        }
        let tags: Vec<String> = text
            .split(',')
            // A weak tag (`W/"v3"`) stays as sent: RFC 9110 §13.1.1 compares If-Match
            // strongly, so it can never match and the change is refused with 412.
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.is_empty() {
            return Err(Problem::bad_request("the If-Match header is empty"));
        }
        // RFC 9110 §8.8.3: `*` or a list of entity tags, `"…"` or `W/"…"`. Anything else
        // is no condition at all, so it is refused rather than taken as a tag that fails.
        if !tags.iter().all(|t| is_entity_tag(t)) {
            return Err(Problem::bad_request(
                "the If-Match header is not * or a list of entity tags such as \"v3\"",
            ));
        }
        Ok(Some(IfMatch::Tags(tags)))
    }
}

/// `"…"` or `W/"…"`, the quoted part of visible ASCII without `"` (RFC 9110 `etagc`).
fn is_entity_tag(tag: &str) -> bool {
    let quoted = tag.strip_prefix("W/").unwrap_or(tag);
    quoted.len() >= 2
        && quoted.starts_with('"')
        && quoted.ends_with('"')
        && quoted[1..quoted.len() - 1]
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b))
}

/// An update must say which version it was based on: 428 without `If-Match`.
pub fn required(headers: &HeaderMap, what: &str) -> Reply<IfMatch> {
    IfMatch::from_headers(headers)?.ok_or_else(|| {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            format!(
                "changing {what} needs an If-Match header with the ETag you read (e.g. If-Match: \"v3\"), so that nobody's change is lost"
            ),
        )
    })
}

/// The precondition an `If-Match` header sets on `resource`, which the route read at
/// version `read`. `*` pins `read`: the route fills in what the body leaves out from
/// that version, so a change slipping in after it would be overwritten. Tags that are
/// not a `"vN"` of ours can never match, so they leave no version and the backend
/// answers 412.
pub fn precondition(cond: &IfMatch, resource: Resource, read: u64) -> Precondition {
    match cond {
        IfMatch::Any => Precondition::new(resource, read),
        IfMatch::Tags(tags) => tagged(tags, resource),
    }
}

fn tagged(tags: &[String], resource: Resource) -> Precondition {
    Precondition {
        resource,
        versions: tags.iter().filter_map(|t| tag_version(t)).collect(),
    }
}

/// The precondition of an `If-Match` on a delete or an action (which may leave it
/// out): they fill nothing in from what they read, so `*` asks no more than that the
/// record exists, which resolving the path made sure of.
pub fn optional_of(cond: &IfMatch, resource: Resource) -> Option<Precondition> {
    match cond {
        IfMatch::Any => None,
        IfMatch::Tags(tags) => Some(tagged(tags, resource)),
    }
}

/// `N` of a strong `"vN"` tag.
fn tag_version(tag: &str) -> Option<u64> {
    tag.strip_prefix("\"v")?.strip_suffix('"')?.parse().ok()
}
