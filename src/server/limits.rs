//! What keeps one client from hurting the others: body and header sizes, a per-request
//! timeout, bounded concurrency with load shedding, and request logs that never carry
//! a token or a body. Whatever a layer or the router answers on its own (404, 405, 413,
//! 503 …) is turned into a problem document here, so every error has the same shape.

use super::problem::{PROBLEM_JSON, Problem};
use super::state::AppState;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// Puts the limits around the ordinary routes and the feed's, and merges them.
pub fn wrap(main: Router<AppState>, feed: Router<AppState>, state: AppState) -> Router {
    let config = state.config().clone();
    let main = main
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .layer(LoadShedLayer::new())
                .layer(GlobalConcurrencyLimitLayer::new(config.max_concurrent)),
        );
    let feed = feed.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded))
            .layer(LoadShedLayer::new())
            .layer(GlobalConcurrencyLimitLayer::new(config.max_feed_clients)),
    );
    Router::new()
        .merge(main)
        .merge(feed)
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), header_limit))
        .layer(middleware::from_fn(as_problem))
        .layer(
            TraceLayer::new_for_http()
                // The path only: no query string, no headers (the token), no body.
                .make_span_with(|req: &Request| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _: &Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "served"
                    );
                })
                .on_failure(()),
        )
        .with_state(state)
}

async fn overloaded(_: tower::BoxError) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is serving as many requests as it can: try again shortly",
    )
    .retry_after(1)
}

async fn no_route(req: Request) -> Problem {
    Problem::for_status(StatusCode::NOT_FOUND, req.method().as_str())
}

/// 431 when the request's headers add up to more than the limit.
async fn header_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config().header_limit;
    let size: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if size > limit {
        return Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "the request headers add up to more than the {limit} bytes this server accepts"
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Turns any error answer that is not yet a problem document into one.
async fn as_problem(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = Problem::for_status(status, method.as_str()).into_response();
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}
