//! Errors on the wire: every failure is `application/problem+json` (RFC 9457) with the
//! core's sentence as `detail`, so a remote console shows exactly what a local one would.

use crate::backend::BackendError;
use crate::core::DomainError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, e.g. `urn:roster:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, fixed summary of the kind.
    pub title: String,
    /// The HTTP status code, repeated for clients that only keep the body.
    #[schema(schema_with = super::api_schema::field::http_status)]
    pub status: u16,
    /// What went wrong, in words a person can act on.
    pub detail: String,
    /// Seconds to wait before trying again (sent as `Retry-After` too).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        let (slug, title) = kind(status);
        Problem {
            kind: format!("urn:roster:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Problem {
        self.retry_after = Some(seconds);
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn unprocessable(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, detail)
    }

    /// Something on the server's side failed; the details go to the server's log only.
    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not complete the request: the reason is in the server's log",
        )
    }

    /// The problem a bare error status (from a layer or the router) stands for.
    pub fn for_status(status: StatusCode, method: &str) -> Problem {
        let detail = match status {
            StatusCode::NOT_FOUND => {
                "no such route: /v1/openapi.json lists every route this server has".to_string()
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                format!("this route does not accept {method}: /v1/openapi.json lists its methods")
            }
            StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_string(),
            StatusCode::SERVICE_UNAVAILABLE if method != "GET" && method != "HEAD" => {
                "the server did not finish in time; the change may still have been made, so read \
                 the current state before trying again"
                    .to_string()
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                "the server is busy or did not finish in time: try again shortly".to_string()
            }
            s => s
                .canonical_reason()
                .unwrap_or("the request failed")
                .to_lowercase(),
        };
        let p = Problem::new(status, detail);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            p.retry_after(1)
        } else {
            p
        }
    }
}

/// The URN slug and title of each status the server sends.
fn kind(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad-request", "Bad request"),
        401 => ("unauthorized", "Not signed in"),
        403 => ("forbidden", "Not allowed"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        408 => ("timeout", "Request timeout"),
        409 => ("conflict", "Conflict"),
        412 => ("stale", "Changed since read"),
        413 => ("too-large", "Request too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("invalid", "Invalid request"),
        428 => ("precondition-required", "If-Match required"),
        429 => ("rate-limited", "Too many requests"),
        431 => ("headers-too-large", "Request headers too large"),
        503 => ("unavailable", "Try again later"),
        s if s >= 500 => ("internal", "Server error"),
        _ => ("error", "Request failed"),
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Problem {
        let status = match &e {
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Stale(_) => StatusCode::PRECONDITION_FAILED,
        };
        Problem::new(status, e.message())
    }
}

impl From<BackendError> for Problem {
    fn from(e: BackendError) -> Problem {
        match e {
            BackendError::Refused(d) => d.into(),
            // The store's sentence says it is busy and to try again: said once.
            BackendError::Busy(m) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, m).retry_after(1)
            }
            // The database behind the store is down (a restart): transient, and the
            // message names no secret (the store redacts its URL).
            BackendError::Unreachable(m) => {
                tracing::warn!("store unreachable: {m}");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store's database does not answer: try again shortly".to_string(),
                )
                .retry_after(2)
            }
            other => {
                // Not the client's fault and not the client's business: paths, file names.
                tracing::error!("store error: {other}");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = self.retry_after;
        let mut res = (status, Json(self)).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(s) = retry {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub type Reply<T> = Result<T, Problem>;
