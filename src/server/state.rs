//! What every handler shares: the backend, the settings, the change feed, the bad-token
//! counter and the shutdown signal. Backend calls are synchronous (a file lock, an fsync),
//! so they run on tokio's blocking pool, never on the threads that serve connections.

use super::bad_tokens::BadTokens;
use super::config::Config;
use super::feed_buffer::Feed;
use super::problem::{Problem, Reply};
use crate::backend::{self, Backend};
use crate::core::Directory;
use jiff::Timestamp;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    backend: Arc<dyn Backend>,
    config: Config,
    feed: Feed,
    bad_tokens: BadTokens,
    sign_ins: super::sessions_state::SignIns,
    stopping: watch::Receiver<bool>,
    views: super::view_cache::ViewCache,
    pages: super::page_cache::PageCache,
}

impl AppState {
    pub fn new(backend: Arc<dyn Backend>, config: Config, stopping: watch::Receiver<bool>) -> Self {
        let feed = Feed::new(config.feed_buffer);
        let bad_tokens = BadTokens::new(config.bad_token_limit, config.bad_token_window);
        let sign_ins = super::sessions_state::SignIns::new(&config);
        AppState(Arc::new(Inner {
            backend,
            config,
            feed,
            bad_tokens,
            sign_ins,
            stopping,
            views: Default::default(),
            pages: Default::default(),
        }))
    }

    /// The caller's view of an organisation, reused while nothing changed.
    pub fn views(&self) -> &super::view_cache::ViewCache {
        &self.0.views
    }

    /// The last answers to account-list reads.
    pub fn pages(&self) -> &super::page_cache::PageCache {
        &self.0.pages
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.0.backend
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn feed(&self) -> &Feed {
        &self.0.feed
    }

    pub fn bad_tokens(&self) -> &BadTokens {
        &self.0.bad_tokens
    }

    /// Failed sign-ins by client address and by email.
    pub fn sign_ins(&self) -> &super::sessions_state::SignIns {
        &self.0.sign_ins
    }

    /// Turns `true` when the server begins to shut down.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.0.stopping.clone()
    }

    /// Runs `f` with the backend on the blocking pool.
    pub async fn blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Backend) -> Reply<R> + Send + 'static,
    ) -> Reply<R> {
        let backend = self.0.backend.clone();
        match tokio::task::spawn_blocking(move || f(backend.as_ref())).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("a backend call failed: {e}");
                Err(Problem::internal())
            }
        }
    }

    /// Runs `f` over the latest state and the backend's time: on this thread when the
    /// backend has the latest state at hand (a file store nobody else wrote to since the
    /// last look), else on the blocking pool. Handing each read to the blocking pool
    /// and back cost two thread switches, most of a one-account read (perf: 56% of the
    /// server's time in the scheduler at 10k accounts). `f` must be quick: it may run on
    /// a thread that serves connections.
    pub async fn read_now<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Directory, Timestamp) -> Reply<R> + Send + 'static,
    ) -> Reply<R> {
        let backend = &self.0.backend;
        let now = backend.now();
        let mut f = Some(f);
        let mut out = None;
        let ran = backend.read_now(&mut |dir| {
            if let Some(f) = f.take() {
                out = Some(f(dir, now));
            }
        })?;
        match (ran, out, f) {
            (true, Some(r), _) => r,
            (_, _, Some(f)) => {
                self.blocking(move |b| {
                    let now = b.now();
                    backend::query(b, |dir| f(dir, now))?
                })
                .await
            }
            // `f` was taken but gave nothing: the backend broke its word.
            _ => Err(Problem::internal()),
        }
    }

    /// Runs `f` over the latest state on the blocking pool.
    pub async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Directory) -> Reply<R> + Send + 'static,
    ) -> Reply<R> {
        self.blocking(move |b| backend::query(b, f)?).await
    }
}
