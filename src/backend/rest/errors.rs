//! What the server or the network said, as a `BackendError` carrying a sentence a
//! person can act on. A refusal keeps the core's own sentence (the server puts it in
//! the problem's `detail`), so a remote refusal reads exactly like a local one.

use super::wire::Problem;
use crate::backend::BackendError;
use crate::core::DomainError;
use std::time::Duration;

/// The answer to a token the server does not accept, when it does not say why.
pub const UNAUTHORIZED: &str = "the token is not valid (revoked, expired, or its account is disabled): create a new one with roster token create";

/// Server text is shown on a terminal: cut it to a sentence's length.
const MAX_DETAIL: usize = 400;

/// The error for a non-success HTTP status with its body.
pub fn from_status(server: &str, status: u16, body: &[u8], had_token: bool) -> BackendError {
    use DomainError::*;
    let said = said(body);
    let detail = said.clone().unwrap_or_else(|| reason(status, body));
    match status {
        401 if !had_token => BackendError::Unauthorized(format!(
            "the server at {server} needs a token: pass --token or set ROSTER_TOKEN (an administrator of the server creates one with roster token create)"
        )),
        401 => BackendError::Unauthorized(match said {
            Some(why) => format!("the server at {server} refused the token: {why}"),
            None => UNAUTHORIZED.into(),
        }),
        403 => Forbidden(detail).into(),
        404 => NotFound(detail).into(),
        409 => Conflict(detail).into(),
        412 => Stale(detail).into(),
        400 | 422 => Invalid(detail).into(),
        413 => Invalid(format!(
            "the request is too large for the server at {server}: {detail}"
        ))
        .into(),
        429 | 503 => BackendError::Busy(format!("the server at {server} is busy: {detail}")),
        // A proxy or load balancer in front of the server could not reach it.
        502 | 504 => BackendError::Unreachable(format!(
            "cannot reach the server at {server} (its gateway answered HTTP {status}): {detail}"
        )),
        _ => BackendError::Io(format!(
            "the server at {server} answered HTTP {status}: {detail}"
        )),
    }
}

/// What a problem body says: its detail, else its title.
fn said(body: &[u8]) -> Option<String> {
    let problem: Problem = serde_json::from_slice(body).ok()?;
    problem
        .detail
        .or(problem.title)
        .filter(|t| !t.trim().is_empty())
        .map(|t| clean(&t))
}

/// For a body that is not a problem: the body when it is short text, else the status's
/// standard reason.
fn reason(status: u16, body: &[u8]) -> String {
    let text = std::str::from_utf8(body)
        .ok()
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.starts_with('<') && !t.starts_with('{'))
        .map(str::to_string)
        .unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no reason given")
                .to_lowercase()
        });
    clean(&text)
}

/// Server-supplied text made safe to print and short enough to read.
pub fn clean(text: &str) -> String {
    let text = text.trim();
    let cut: String = text.chars().take(MAX_DETAIL).collect();
    let cut = if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    };
    crate::text::sanitize(&cut).into_owned()
}

/// The error for a request that got no complete answer. `changes` says whether the
/// request was a change: one that got as far as the server may have been made, and the
/// user must hear that before trying again.
pub fn transport(
    server: &str,
    err: &reqwest::Error,
    timeout: Duration,
    changes: bool,
) -> BackendError {
    let cause = root_cause(err);
    let maybe_done = if changes {
        " (the change may have been made anyway: look before trying again)"
    } else {
        ""
    };
    if err.is_connect() {
        BackendError::Unreachable(format!("cannot reach {server}: {cause}"))
    } else if err.is_timeout() {
        BackendError::Unreachable(format!(
            "the server at {server} did not answer within {} s{maybe_done}",
            timeout.as_secs().max(1)
        ))
    } else if err.is_request() || err.is_body() {
        BackendError::Unreachable(format!(
            "the connection to {server} broke: {cause}{maybe_done}"
        ))
    } else {
        BackendError::Io(format!("cannot talk to the server at {server}: {cause}"))
    }
}

/// A success reply that is not what the contract says.
pub fn garbled(server: &str, what: &str, err: &serde_json::Error) -> BackendError {
    BackendError::Io(format!(
        "the server at {server} sent something roster does not understand ({what}): {err}"
    ))
}

/// The innermost reason, in plain words for the common ones. reqwest's own message
/// starts with the URL and "error sending request", which says nothing new.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last: &(dyn std::error::Error + 'static) = err;
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return "connection refused".into(),
                ConnectionReset => return "the connection was reset".into(),
                TimedOut => return "timed out".into(),
                _ => {}
            }
        }
        last = s;
        source = s.source();
    }
    clean(&last.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, detail: &str) -> Vec<u8> {
        serde_json::json!({
            "type": "about:blank",
            "title": "Refused",
            "status": status,
            "detail": detail,
        })
        .to_string()
        .into_bytes()
    }

    const S: &str = "https://roster.example:8443";

    #[test]
    fn refusals_keep_the_cores_sentence_and_kind() {
        type Kind = fn(String) -> DomainError;
        let cases: [(u16, Kind); 6] = [
            (403, DomainError::Forbidden),
            (404, DomainError::NotFound),
            (409, DomainError::Conflict),
            (412, DomainError::Stale),
            (422, DomainError::Invalid),
            (400, DomainError::Invalid),
        ];
        for (status, kind) in cases {
            let sentence = "you cannot disable yourself";
            match from_status(S, status, &problem(status, sentence), true) {
                BackendError::Refused(e) => assert_eq!(e, kind(sentence.into()), "{status}"),
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_rejected_token_says_how_to_get_a_new_one() {
        match from_status(S, 401, &problem(401, "this token was revoked"), true) {
            BackendError::Unauthorized(m) => assert_eq!(
                m,
                format!("the server at {S} refused the token: this token was revoked")
            ),
            other => panic!("{other:?}"),
        }
        match from_status(S, 401, b"", true) {
            BackendError::Unauthorized(m) => assert_eq!(m, UNAUTHORIZED),
            other => panic!("{other:?}"),
        }
        match from_status(S, 401, b"", false) {
            BackendError::Unauthorized(m) => {
                assert!(m.contains("needs a token") && m.contains("--token"), "{m}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn overload_is_busy_and_gateways_are_unreachable() {
        for status in [429, 503] {
            assert!(matches!(
                from_status(S, status, &problem(status, "slow down"), true),
                BackendError::Busy(m) if m.contains("slow down") && m.contains(S)
            ));
        }
        for status in [502, 504] {
            assert!(matches!(
                from_status(S, status, b"<html>bad gateway</html>", true),
                BackendError::Unreachable(m) if m.contains(&status.to_string())
            ));
        }
    }

    #[test]
    fn anything_else_is_an_io_error_naming_the_server_and_status() {
        match from_status(S, 500, b"", true) {
            BackendError::Io(m) => {
                assert!(m.contains(S) && m.contains("500"), "{m}");
                assert!(m.contains("internal server error"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_text_body_is_used_and_a_hostile_one_is_defused() {
        let m = from_status(S, 404, b"no such organisation", true).to_string();
        assert_eq!(m, "no such organisation");
        let m = from_status(S, 403, &problem(403, "evil\u{1b}[2Jtext"), true).to_string();
        assert!(!m.contains('\u{1b}'), "{m:?}");
        let long = "x".repeat(10_000);
        let m = from_status(S, 409, &problem(409, &long), true).to_string();
        assert!(m.chars().count() <= MAX_DETAIL + 1, "{}", m.len());
    }

    #[test]
    fn a_garbled_reply_says_so() {
        let err = serde_json::from_str::<u64>("nope").unwrap_err();
        let m = garbled(S, "GET /v1/me", &err).to_string();
        assert!(m.contains("does not understand") && m.contains(S), "{m}");
    }
}
