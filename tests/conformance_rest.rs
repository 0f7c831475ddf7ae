//! The backend conformance suite (tests/common/conformance.rs) run through the REST
//! client against `roster serve` started in-process on 127.0.0.1:0 over a file store.
//!
//! Over the network who acts is decided by the token, never by the caller, so the
//! `Backend` under test is a small rig of REST connections: the operator's (which every
//! read, refresh and audit goes through, the way an operator's console works) and one
//! per account that acts, each with its own token. Tokens are issued through the API by
//! the operator as soon as an account appears, so issuing one never lands in the middle
//! of a case's before/after comparison. After an account's change the operator's
//! connection refreshes, as its console would on the next tick.

mod common;

use common::conformance;
use roster::backend::file::FileStore;
use roster::backend::rest::{Connect, RestBackend, Token};
use roster::backend::{AuditQuery, Backend, BackendError};
use roster::core::{Command, Directory, Event, Principal, Recorded};
use roster::server::{Config, Server};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// A server over a fresh store, and the operator's token for it.
struct Rig {
    server: Server,
    operator_token: Token,
    _tmp: TempDir,
}

impl Rig {
    fn start() -> Arc<Rig> {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::create(&tmp.path().join("store")).unwrap();
        // The bootstrap, as `roster token create --operator` does it: on the store.
        let (secret, hash) = roster::secret::new_secret().unwrap();
        store
            .execute(
                &Principal::Operator,
                &Command::IssueToken {
                    principal: Principal::Operator,
                    label: "conformance".into(),
                    token_hash: hash,
                    expires: None,
                },
                false,
            )
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server::start(listener, Arc::new(store), Config::default()).unwrap();
        Arc::new(Rig {
            server,
            operator_token: Token::new(&secret).unwrap(),
            _tmp: tmp,
        })
    }

    fn connect(&self, token: Token) -> RestBackend {
        RestBackend::connect(Connect {
            server: self.server.url(),
            token: Some(token),
            ..Connect::default()
        })
        .unwrap()
    }
}

/// The `Backend` the cases see.
struct Remote {
    rig: Arc<Rig>,
    operator: RestBackend,
    accounts: Mutex<HashMap<Principal, Arc<RestBackend>>>,
}

impl Remote {
    fn new(rig: &Arc<Rig>) -> Remote {
        Remote {
            rig: rig.clone(),
            operator: rig.connect(rig.operator_token.clone()),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Issues a token for every account `events` created that may sign in.
    fn issue_tokens(&self, events: &[Recorded]) {
        for rec in events {
            let Event::AccountCreated { account, .. } = &rec.event else {
                continue;
            };
            if !account.active() {
                continue;
            }
            let who = Principal::Account { id: account.id };
            let (secret, hash) = roster::secret::new_secret().unwrap();
            let issue = Command::IssueToken {
                principal: who.clone(),
                label: "conformance".into(),
                token_hash: hash,
                expires: None,
            };
            self.operator
                .execute(&Principal::Operator, &issue, false)
                .expect("the operator issues a token");
            let conn = Arc::new(self.rig.connect(Token::new(&secret).unwrap()));
            self.accounts.lock().unwrap().insert(who, conn);
        }
    }

    fn connection(&self, who: &Principal) -> Option<Arc<RestBackend>> {
        self.accounts.lock().unwrap().get(who).cloned()
    }
}

impl Backend for Remote {
    fn describe(&self) -> String {
        self.operator.describe()
    }

    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        self.operator.read(f)
    }

    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        let events = match who {
            // The operator's connection sends the token; acting as nobody sends none.
            Principal::Operator | Principal::Anonymous => {
                self.operator.execute(who, cmd, dry_run)?
            }
            Principal::Account { .. } => {
                let conn = self
                    .connection(who)
                    .unwrap_or_else(|| panic!("no token was issued for {who:?}"));
                let events = conn.execute(who, cmd, dry_run)?;
                if !dry_run {
                    self.operator.refresh()?;
                }
                events
            }
        };
        if *who == Principal::Anonymous && !dry_run {
            self.operator.refresh()?;
        }
        if !dry_run {
            self.issue_tokens(&events);
        }
        Ok(events)
    }

    fn audit(&self, q: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        self.operator.audit(q)
    }

    fn refresh(&self) -> Result<u64, BackendError> {
        self.operator.refresh()
    }

    fn now(&self) -> jiff::Timestamp {
        self.operator.now()
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let rig = Rig::start();
            conformance::$name(&Remote::new(&rig));
        }
    )*};
}

cases!(
    creates_an_organisation,
    account_lifecycle,
    refusal_changes_nothing,
    dry_run_changes_nothing,
    nothing_to_do_records_nothing,
    audit_newest_first_and_filtered,
);

#[test]
fn refresh_sees_an_external_write() {
    let rig = Rig::start();
    // Two operator consoles on the same server.
    let (writer, reader) = (Remote::new(&rig), Remote::new(&rig));
    conformance::refresh_sees_an_external_write(&writer, &reader);
}
