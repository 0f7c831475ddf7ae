//! One JSON exchange with `roster serve`, on a network thread of our own.
//!
//! The `Backend` trait is synchronous and is called from plain threads (the CLI), from
//! tokio's blocking pool (the console) and from tests inside a tokio runtime. A
//! `reqwest::blocking` client, or a runtime made for each call, panics when it is
//! created, used or dropped on a thread that runs async tasks. So the async client
//! lives on a one-thread runtime owned by `Http`: a call spawns its request there and
//! waits on a plain channel, which is safe from any thread, and dropping `Http` shuts
//! the runtime down in the background, which is allowed anywhere.

use super::errors;
use super::server_url::ServerUrl;
use crate::backend::BackendError;
use reqwest::{Client, Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::runtime::Runtime;

/// A bearer token. It is a password: never shown, never logged, kept out of `Debug`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(from = "String")]
pub struct Token(String);

impl Token {
    /// `None` for an empty or blank token (an unset variable is not a token).
    pub fn new(text: &str) -> Option<Token> {
        let t = text.trim();
        (!t.is_empty()).then(|| Token(t.to_string()))
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// For clap: `--token` parses straight into a `Token`, so the plain text is never kept
/// in a `String` that a `Debug` print could show.
impl From<String> for Token {
    fn from(text: String) -> Token {
        Token(text.trim().to_string())
    }
}

/// How long to wait for the server.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// To open a connection.
    pub connect: Duration,
    /// For a whole request, answer included (long polls get their wait on top).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
        }
    }
}

/// A reply larger than this is not something roster's server sends.
const MAX_BODY: usize = 256 << 20;

pub struct Http {
    server: ServerUrl,
    token: Option<Token>,
    timeouts: Timeouts,
    client: Client,
    /// `None` only while dropping.
    rt: Option<Runtime>,
}

impl Http {
    pub fn new(
        server: ServerUrl,
        token: Option<Token>,
        timeouts: Timeouts,
    ) -> Result<Http, BackendError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("roster-http")
            .enable_all()
            .build()
            .map_err(|e| BackendError::Io(format!("cannot start the network thread: {e}")))?;
        let mut builder = Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("roster/", env!("CARGO_PKG_VERSION")));
        if server.loopback {
            // A proxy from the environment cannot reach this machine's loopback.
            builder = builder.no_proxy();
        }
        let client = {
            let _in_runtime = rt.enter();
            builder.build()
        }
        .map_err(|e| BackendError::Io(format!("cannot set up HTTPS: {e}")))?;
        Ok(Http {
            server,
            token,
            timeouts,
            client,
            rt: Some(rt),
        })
    }

    /// `https://host:port`, for messages.
    pub fn label(&self) -> &str {
        &self.server.label
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `GET` the path made of `segments` (each percent-encoded) with `query`.
    /// `wait` lengthens the time limit, for long polls.
    pub fn get<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        wait: Duration,
    ) -> Result<T, BackendError> {
        self.fetch(Method::GET, segments, query, None::<&()>, wait)?
            .ok_or_else(|| self.gone(segments))
    }

    /// Like `get`, but `Ok(None)` when the server answers `410 Gone` (a feed cursor it
    /// can no longer serve).
    pub fn get_unless_gone<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        wait: Duration,
    ) -> Result<Option<T>, BackendError> {
        self.fetch(Method::GET, segments, query, None::<&()>, wait)
    }

    pub fn post<B: Serialize, T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T, BackendError> {
        self.fetch(Method::POST, segments, &[], Some(body), Duration::ZERO)?
            .ok_or_else(|| self.gone(segments))
    }

    /// `DELETE` the path made of `segments`, with the token.
    pub fn delete<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
    ) -> Result<T, BackendError> {
        self.fetch(Method::DELETE, segments, &[], None::<&()>, Duration::ZERO)?
            .ok_or_else(|| self.gone(segments))
    }

    /// Like `post`, without the token: for acting as nobody in particular.
    pub fn post_anonymous<B: Serialize, T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T, BackendError> {
        self.send(
            Method::POST,
            segments,
            &[],
            Some(body),
            Duration::ZERO,
            false,
        )?
        .ok_or_else(|| self.gone(segments))
    }

    fn gone(&self, segments: &[&str]) -> BackendError {
        BackendError::Io(format!(
            "the server at {} says /{} is gone",
            self.server.label,
            segments.join("/")
        ))
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url, BackendError> {
        let mut url = self.server.base.clone();
        url.path_segments_mut()
            .map_err(|()| BackendError::Io(format!("{} cannot hold a path", self.server.label)))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn fetch<B: Serialize, T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        wait: Duration,
    ) -> Result<Option<T>, BackendError> {
        self.send(method, segments, query, body, wait, true)
    }

    fn send<B: Serialize, T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        wait: Duration,
        with_token: bool,
    ) -> Result<Option<T>, BackendError> {
        let url = self.url(segments, query)?;
        let what = format!("{method} /{}", segments.join("/"));
        let limit = self.timeouts.request + wait;
        let changes = method != Method::GET;
        let mut request = self.client.request(method, url).timeout(limit);
        let token = self.token.as_ref().filter(|_| with_token);
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let label = self.server.label.clone();
        let had_token = token.is_some();
        self.run(async move {
            let response = request
                .send()
                .await
                .map_err(|e| errors::transport(&label, &e, limit, changes))?;
            let status = response.status().as_u16();
            let bytes = read_body(response, &label, limit, changes).await?;
            if status == 410 {
                return Ok(None);
            }
            if !(200..300).contains(&status) {
                return Err(errors::from_status(&label, status, &bytes, had_token));
            }
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| errors::garbled(&label, &what, &e))
        })
    }

    /// Runs `fut` on the network thread and waits for it here.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T, BackendError>> + Send + 'static,
    ) -> Result<T, BackendError> {
        let Some(rt) = &self.rt else {
            return Err(BackendError::Io("the network thread has stopped".into()));
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(BackendError::Io(
                "the network thread stopped before the server answered".into(),
            ))
        })
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

async fn read_body(
    mut response: reqwest::Response,
    label: &str,
    limit: Duration,
    changes: bool,
) -> Result<Vec<u8>, BackendError> {
    let mut out = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| errors::transport(label, &e, limit, changes))?
    {
        if out.len() + chunk.len() > MAX_BODY {
            return Err(BackendError::Io(format!(
                "the server at {label} sent an answer larger than {} MiB: roster stopped reading it",
                MAX_BODY >> 20
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
