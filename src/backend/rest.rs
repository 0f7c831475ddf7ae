//! The REST client: the `Backend` trait over HTTP to `roster serve`.
//!
//! It keeps a replica of what the caller may see (one organisation, or every one an
//! operator reaches), loaded from the server's state and kept current by its change
//! feed, so reads and the console's filtering never wait on the network. Changes are
//! sent as core commands; the server decides them with the same core and answers with
//! their events, which the replica applies, so a read right after a change sees it.
//!
//! Who acts is the token's principal (`GET /v1/me`): the server never lets a client
//! choose. The one exception is acting as nobody (`Principal::Anonymous`: registering,
//! accepting an invitation), which is sent without the token.
//!
//! `read` serves the replica as of the last `refresh` or change made through this
//! backend (the console refreshes every tick; the CLI starts from a fresh copy).

mod errors;
mod http;
mod redeem;
mod replica;
mod server_url;
mod sign_in;
mod wire;

pub use errors::UNAUTHORIZED;
pub use http::{Timeouts, Token};
pub use redeem::{accept_invitation, complete_reset};
pub use sign_in::{Session, forgot_password, sign_in, sign_out};

use crate::backend::{AuditQuery, Backend, BackendError};
use crate::core::{Command, Directory, DomainError, Org, Principal, Recorded};
use http::Http;
use jiff::Timestamp;
use replica::{Replica, Resync};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;

/// How to reach a server.
#[derive(Clone, Debug, Default)]
pub struct Connect {
    /// `https://host:port` (plain `http://` only for a server on this machine).
    pub server: String,
    /// `None` acts as nobody in particular: only anonymous commands will work.
    pub token: Option<Token>,
    /// The organisation to follow, by slug. Default: the token's own; an operator's
    /// token follows every organisation.
    pub org: Option<String>,
    pub timeouts: Timeouts,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    Org(String),
    All,
}

/// Feed pages read in one refresh at most; the rest waits for the next one.
const MAX_PAGES: usize = 64;

/// Audit events asked for per request (the server's documented maximum).
const AUDIT_PAGE: usize = 500;

pub struct RestBackend {
    http: Http,
    principal: Principal,
    scope: Scope,
    /// `None` until first needed.
    replica: RwLock<Option<Replica>>,
    /// Serialises the network work that moves the replica (refresh, reload, applying a
    /// command's events), so two of them never interleave. Readers do not take it.
    sync: Mutex<()>,
    /// A change of ours went through but the replica could not follow it: catch up
    /// before the next read.
    behind: AtomicBool,
}

enum Caught {
    Done(u64),
    Resync(String),
}

impl RestBackend {
    /// Checks the address, asks the server who the token is, and picks what to follow.
    /// The state itself is loaded on first use.
    pub fn connect(c: Connect) -> Result<RestBackend, BackendError> {
        let server = server_url::parse(&c.server)?;
        let http = Http::new(server, c.token, c.timeouts)?;
        let (principal, own) = if http.has_token() {
            let me: wire::Me = http.get(&["v1", "me"], &[], Duration::ZERO)?;
            (me.principal, me.org.map(|o| o.slug))
        } else {
            (Principal::Anonymous, None)
        };
        let scope = match (c.org.filter(|s| !s.trim().is_empty()), own) {
            (Some(slug), _) => Scope::Org(slug.trim().to_lowercase()),
            (None, Some(slug)) => Scope::Org(slug),
            (None, None) => Scope::All,
        };
        Ok(RestBackend {
            http,
            principal,
            scope,
            replica: RwLock::new(None),
            sync: Mutex::new(()),
            behind: AtomicBool::new(false),
        })
    }

    /// Who the token acts as.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The organisation followed, by slug; `None` when following every one.
    pub fn org_slug(&self) -> Option<&str> {
        match &self.scope {
            Scope::Org(s) => Some(s),
            Scope::All => None,
        }
    }

    /// `https://host:port`.
    pub fn server(&self) -> &str {
        self.http.label()
    }

    fn lock_sync(&self) -> std::sync::MutexGuard<'_, ()> {
        self.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn seq_now(&self) -> u64 {
        self.replica
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, Replica::seq)
    }

    /// The state from the server: one organisation's, or every reachable one's.
    fn load(&self) -> Result<Replica, BackendError> {
        let get_state = |slug: &str| -> Result<wire::State, BackendError> {
            self.http
                .get(&["v1", "orgs", slug, "state"], &[], Duration::ZERO)
        };
        match &self.scope {
            Scope::Org(slug) => Replica::of_org(slug, get_state(slug)?).map_err(|m| {
                BackendError::Io(format!(
                    "the server at {} sent something roster does not understand: {m}",
                    self.server()
                ))
            }),
            Scope::All => {
                // The head first: an organisation created while we list is in the feed.
                let health: wire::Health = self.http.get(&["v1", "health"], &[], Duration::ZERO)?;
                let orgs: Vec<Org> = self.http.get(&["v1", "orgs"], &[], Duration::ZERO)?;
                let states = orgs
                    .iter()
                    .map(|o| get_state(&o.slug))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Replica::of_all(health.seq, states))
            }
        }
    }

    /// Under `sync`: loads the state afresh.
    fn reload_locked(&self) -> Result<(), BackendError> {
        let fresh = self.load()?;
        *self.replica.write().unwrap_or_else(PoisonError::into_inner) = Some(fresh);
        Ok(())
    }

    /// Under `sync`: reads the feed after the replica's cursor until it is empty.
    fn catch_up_locked(&self) -> Result<Caught, BackendError> {
        for _ in 0..MAX_PAGES {
            let after = self.seq_now();
            let mut query = vec![("after", after.to_string()), ("wait", "0".to_string())];
            if let Scope::Org(slug) = &self.scope {
                query.push(("org", slug.clone()));
            }
            let page: Option<wire::Events> =
                self.http
                    .get_unless_gone(&["v1", "events"], &query, Duration::ZERO)?;
            let Some(page) = page else {
                return Ok(Caught::Resync(format!(
                    "the server no longer has the changes after {after}"
                )));
            };
            let mut guard = self.replica.write().unwrap_or_else(PoisonError::into_inner);
            let Some(replica) = guard.as_mut() else {
                return Ok(Caught::Resync("nothing loaded yet".into()));
            };
            match replica.catch_up(&page) {
                Ok(true) => continue,
                Ok(false) => return Ok(Caught::Done(replica.seq())),
                Err(Resync(why)) => return Ok(Caught::Resync(why)),
            }
        }
        Ok(Caught::Done(self.seq_now()))
    }

    /// Under `sync`: brings the replica up to date, loading it when needed and again
    /// when the feed does not fit it.
    fn sync_locked(&self) -> Result<u64, BackendError> {
        let loaded = self
            .replica
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some();
        if !loaded {
            self.reload_locked()?;
        }
        let why = match self.catch_up_locked()? {
            Caught::Done(seq) => return Ok(seq),
            Caught::Resync(why) => why,
        };
        tracing::info!(server = self.server(), reason = %why, "reloading the replica");
        self.reload_locked()?;
        match self.catch_up_locked()? {
            Caught::Done(seq) => Ok(seq),
            Caught::Resync(again) => Err(BackendError::Io(format!(
                "the server at {} sends changes that do not fit its own state ({again})",
                self.server()
            ))),
        }
    }

    /// How a principal reads in a message.
    fn name(&self, who: &Principal) -> String {
        match who {
            Principal::Operator => "the platform operator".into(),
            Principal::Anonymous => "nobody in particular".into(),
            Principal::Account { id } => self
                .replica
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .and_then(|r| r.dir().accounts.get(id).map(|a| a.email.clone()))
                .unwrap_or_else(|| format!("account {id}")),
        }
    }
}

impl RestBackend {
    /// `execute`, with the secret of the link the command sends when there is one.
    fn execute_linked(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
        link_secret: Option<&str>,
    ) -> Result<Vec<Recorded>, BackendError> {
        let anonymous = *who == Principal::Anonymous;
        if !anonymous && *who != self.principal {
            return Err(DomainError::Forbidden(format!(
                "this connection to {} acts as {} (its token decides who acts): to act as {}, use a token of theirs",
                self.server(),
                self.name(&self.principal),
                self.name(who)
            ))
            .into());
        }
        let body = wire::CommandRequest {
            command: cmd,
            dry_run,
            link_secret,
        };
        let reply: wire::CommandReply = if anonymous && self.principal != Principal::Anonymous {
            self.http.post_anonymous(&["v1", "commands"], &body)?
        } else {
            self.http.post(&["v1", "commands"], &body)?
        };
        if dry_run || reply.events.is_empty() {
            return Ok(reply.events);
        }
        let _sync = self.lock_sync();
        let followed = self
            .replica
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .map(|r| r.follow(&reply.events));
        if followed == Some(false)
            && let Err(e) = self.sync_locked()
        {
            // The change is made; only our copy lags. Say so, and catch up on the next
            // read rather than report a done change as failed.
            tracing::warn!(server = self.server(), error = %e, "cannot catch up after a change");
            self.behind.store(true, Ordering::SeqCst);
        }
        Ok(reply.events)
    }
}

impl Backend for RestBackend {
    fn describe(&self) -> String {
        match &self.scope {
            Scope::Org(slug) => format!("{} ({slug})", self.server()),
            Scope::All => format!("{} (every organisation)", self.server()),
        }
    }

    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        let missing = self
            .replica
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none();
        if missing || self.behind.load(Ordering::SeqCst) {
            let _sync = self.lock_sync();
            // Someone else may have loaded it while we waited.
            let missing = self
                .replica
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .is_none();
            match self.sync_locked() {
                Ok(_) => self.behind.store(false, Ordering::SeqCst),
                // Never loaded: nothing to show. Behind: the last copy is still the
                // best there is; the next refresh reports the trouble.
                Err(e) if missing => return Err(e),
                Err(e) => {
                    tracing::warn!(server = self.server(), error = %e, "serving a stale replica")
                }
            }
        }
        let guard = self.replica.read().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref() {
            Some(r) => {
                f(r.dir());
                Ok(())
            }
            None => Err(BackendError::Io(format!(
                "nothing has been loaded from {} yet",
                self.server()
            ))),
        }
    }

    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.execute_linked(who, cmd, dry_run, None)
    }

    fn execute_with_link(
        &self,
        who: &Principal,
        cmd: &Command,
        link_secret: &str,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.execute_linked(who, cmd, false, Some(link_secret))
    }

    fn audit(&self, q: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        let mut query: Vec<(&str, String)> = vec![];
        if let Some(org) = q.org {
            let slug = crate::backend::query(self, |d| d.orgs.get(&org).map(|o| o.slug.clone()))?
                .ok_or_else(|| {
                BackendError::from(DomainError::NotFound(format!(
                    "no organisation {org} at {}",
                    self.server()
                )))
            })?;
            query.push(("org", slug));
        }
        for (key, value) in [("actor", &q.actor), ("kind", &q.kind), ("text", &q.text)] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                query.push((key, v.to_string()));
            }
        }
        // The trait's 0 means 100; the server sends at most AUDIT_PAGE at a time, so
        // a larger limit is read page by page, each before the last one's oldest.
        let mut want = if q.limit == 0 { 100 } else { q.limit };
        let mut before = q.before;
        let mut out = vec![];
        while want > 0 {
            let ask = want.min(AUDIT_PAGE);
            let mut page_query = query.clone();
            if let Some(b) = before {
                page_query.push(("before", b.to_string()));
            }
            page_query.push(("limit", ask.to_string()));
            let reply: wire::Audit =
                self.http
                    .get(&["v1", "audit"], &page_query, Duration::ZERO)?;
            let got = reply.events.len();
            out.extend(reply.events.into_iter().map(|e| e.event));
            // Newest first: the next page starts below the oldest so far.
            let Some(oldest) = out.last().map(|r: &Recorded| r.seq) else {
                break;
            };
            // A short page is the end; a page that did not move back would loop.
            if got < ask || before.is_some_and(|b| oldest >= b) {
                break;
            }
            before = Some(oldest);
            want -= got;
        }
        Ok(out)
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        // Never queue behind another refresh or a change in flight: it catches up too.
        let _sync = match self.sync.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(self.seq_now()),
        };
        let seq = self.sync_locked()?;
        self.behind.store(false, Ordering::SeqCst);
        Ok(seq)
    }

    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
