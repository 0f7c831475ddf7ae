//! `roster serve`: the REST server, and the security boundary. Every request is decided
//! by the core as the principal its bearer token names; the client is never trusted to
//! say who it is or what it may see.
//!
//! `serve` runs on a listener until a shutdown future completes (in-flight requests
//! finish; waiting long polls return at once). `Server::start` runs it on its own thread,
//! for tests and for the REST client's conformance runs.

mod account_reads;
mod act;
mod api;
mod api_schema;
mod auth;
mod bad_tokens;
mod client_addr;
mod config;
mod cursor;
mod delivery;
mod extract;
mod feed;
mod feed_buffer;
mod limits;
mod mail;
mod openapi;
mod operation_ids;
mod page_cache;
mod pages;
mod problem;
mod routes;
mod sessions_state;
mod state;
mod throttle;
mod view_cache;

pub use client_addr::TrustedProxies;
pub use config::Config;
pub use delivery::{ResetDelivery, ResetNotice};
pub use problem::{PROBLEM_JSON, Problem};

use crate::backend::Backend;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use state::AppState;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{oneshot, watch};

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    backend: Arc<dyn Backend>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (stop, stopping) = watch::channel(false);
    let state = AppState::new(backend, config, stopping);
    if let Err(p) = feed::catch_up(&state).await {
        tracing::warn!("change feed: {}", p.detail);
    }
    let pump = tokio::spawn(feed::pump(state.clone()));
    let app = router(state);
    let signal = async move {
        shutdown.await;
        // Long polls and streams end now; ordinary requests run to their end.
        let _ = stop.send(true);
    };
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await;
    let _ = pump.await;
    served
}

/// The whole application: routes, their document, and the limits around them.
fn router(state: AppState) -> Router {
    let (main, main_paths) = routes::api().into_parts();
    let (feed, feed_paths) = routes::feed().into_parts();
    let mut paths = main_paths;
    paths.merge(feed_paths);
    let (main, paths) = with_document(main, paths);
    let document: Arc<str> = match openapi::document(paths).to_json() {
        Ok(json) => json.into(),
        Err(e) => {
            tracing::error!("could not write the OpenAPI document: {e}");
            "{}".into()
        }
    };
    let main = main.route(
        OPENAPI,
        get(move || {
            let document = document.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    document.to_string(),
                )
                    .into_response()
            }
        }),
    );
    // The pages mailed links open in a browser (HTML, so not in the API's document).
    let main = main.merge(pages::routes());
    limits::wrap(main, feed, state)
}

const OPENAPI: &str = "/v1/openapi.json";

/// Adds the document's own route to the document (its handler is mounted afterwards,
/// once the document is complete).
fn with_document(
    main: Router<AppState>,
    mut paths: utoipa::openapi::path::Paths,
) -> (Router<AppState>, utoipa::openapi::path::Paths) {
    let (_, own) = api::Api::default()
        .get(
            OPENAPI,
            || async {},
            api::doc("meta", "This OpenAPI document", "OpenApi").auth(api::Auth::Public),
        )
        .into_parts();
    paths.merge(own);
    (main, paths)
}

/// A server running on its own thread and runtime; stopped by `stop` or on drop.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Serves `backend` on `listener` (bind `127.0.0.1:0` for an ephemeral port).
    pub fn start(
        listener: std::net::TcpListener,
        backend: Arc<dyn Backend>,
        config: Config,
    ) -> io::Result<Server> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("roster-serve")
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("roster-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve(listener, backend, config, async {
                        let _ = stopped.await;
                    })
                    .await
                })
            })?;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits for that.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the server thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
