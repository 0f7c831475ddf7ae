//! The two pages a mailed link opens in a browser: accepting an invitation and choosing
//! a new password. Each is one static HTML file (assets/web/) that reads the secret from
//! the link's fragment and posts it to the API, so a person with no roster binary can
//! still use the link; the API stays the only place that decides.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const INVITATION: &str = include_str!("../../assets/web/invitation.html");
const PASSWORD_RESET: &str = include_str!("../../assets/web/password-reset.html");

/// Where `credentials::links` points: `/invitations/accept#…` and `/password-reset#…`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/invitations/accept", get(|| async { page(INVITATION) }))
        .route("/password-reset", get(|| async { page(PASSWORD_RESET) }))
}

fn page(html: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Inline script and style only, talking to this server only; never framed,
            // never cached, never telling another site where the reader came from.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
}
