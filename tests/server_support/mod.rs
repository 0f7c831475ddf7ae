//! A roster server on an ephemeral port over a fresh file store, with two organisations
//! and a token for each kind of caller, and a small HTTP helper around reqwest.
#![allow(dead_code)] // each test crate uses its own subset

use reqwest::Method;
use reqwest::header::HeaderMap;
use roster::backend::{Backend, FileStore};
use roster::core::{AccountId, Command, Event, OrgId, Principal, Recorded};
use roster::server::{Config, Server};
use serde_json::Value;
use std::sync::Arc;

pub struct Env {
    pub server: Server,
    pub store: Arc<FileStore>,
    pub http: reqwest::Client,
    pub acme: OrgId,
    pub globex: OrgId,
    pub owner: AccountId,
    pub admin: AccountId,
    pub member: AccountId,
    pub other: AccountId,
    pub disabled: AccountId,
    pub g_member: AccountId,
    pub tokens: Tokens,
    _dir: tempfile::TempDir,
}

/// Secrets of the tokens the fixture issued.
pub struct Tokens {
    pub operator: String,
    pub owner: String,
    pub admin: String,
    pub member: String,
    pub g_member: String,
    /// Issued to `disabled` before it was disabled.
    pub disabled: String,
    /// Issued to `member`, then revoked.
    pub revoked: String,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
    /// Asserts a problem document with this status, and returns its detail.
    #[track_caller]
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        let p = self.json();
        assert_eq!(p["status"], status, "{p}");
        assert!(p["type"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        p["detail"].as_str().unwrap_or_default().to_string()
    }
}

pub fn run(store: &FileStore, who: &Principal, cmd: Command) -> Vec<Recorded> {
    store
        .execute(who, &cmd, false)
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn created(recs: &[Recorded]) -> AccountId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .expect("an account was created")
}

pub fn create_org(store: &FileStore, slug: &str) -> (OrgId, AccountId) {
    let recs = run(
        store,
        &Principal::Operator,
        Command::CreateOrg {
            slug: slug.into(),
            name: slug.to_uppercase(),
            owner_email: format!("owner@{slug}.example"),
            owner_first_name: "Olive".into(),
            owner_last_name: "Owner".into(),
            settings: None,
        },
    );
    let org = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::OrgCreated { org, .. } => Some(org.id),
            _ => None,
        })
        .expect("an organisation was created");
    (org, created(&recs))
}

pub fn add(store: &FileStore, org: OrgId, email: &str) -> AccountId {
    created(&run(
        store,
        &Principal::Operator,
        Command::AddAccount {
            org,
            email: email.into(),
            first_name: email.split('@').next().unwrap_or("x").into(),
            last_name: "Tester".into(),
            verified: true,
        },
    ))
}

/// Issues a token acting as `principal`; returns its secret.
pub fn token(store: &FileStore, principal: Principal) -> String {
    let (raw, _) = roster::secret::new_secret().unwrap();
    let secret = format!("rst_{raw}");
    run(
        store,
        &Principal::Operator,
        Command::IssueToken {
            principal,
            label: "test".into(),
            token_hash: roster::secret::hash(&secret),
            expires: None,
        },
    );
    secret
}

fn acct(id: AccountId) -> Principal {
    Principal::Account { id }
}

impl Env {
    pub fn new() -> Env {
        Env::with(Config::default())
    }

    pub fn with(config: Config) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileStore::create(&dir.path().join("store")).unwrap());
        let (acme, owner) = create_org(&store, "acme");
        let admin = add(&store, acme, "admin@acme.example");
        run(&store, &acct(owner), Command::Promote { account: admin });
        let member = add(&store, acme, "member@acme.example");
        let other = add(&store, acme, "other@acme.example");
        let disabled = add(&store, acme, "gone@acme.example");
        let (globex, _) = create_org(&store, "globex");
        let g_member = add(&store, globex, "member@globex.example");
        let tokens = Tokens {
            operator: token(&store, Principal::Operator),
            owner: token(&store, acct(owner)),
            admin: token(&store, acct(admin)),
            member: token(&store, acct(member)),
            g_member: token(&store, acct(g_member)),
            disabled: token(&store, acct(disabled)),
            revoked: token(&store, acct(member)),
        };
        run(&store, &acct(owner), Command::Disable { account: disabled });
        let revoked = store
            .execute(
                &Principal::Operator,
                &Command::RevokeToken {
                    token: last_token(&store),
                },
                false,
            )
            .unwrap();
        assert!(!revoked.is_empty());
        let backend: Arc<dyn Backend> = store.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server::start(listener, backend, config).unwrap();
        Env {
            server,
            store,
            http: reqwest::Client::new(),
            acme,
            globex,
            owner,
            admin,
            member,
            other,
            disabled,
            g_member,
            tokens,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the server answers");
        Reply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            text: res.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// `POST /v1/commands` with a core command as JSON.
    pub async fn command(&self, token: &str, command: Value) -> Reply {
        self.post(
            "/v1/commands",
            token,
            serde_json::json!({ "command": command }),
        )
        .await
    }

    pub fn seq(&self) -> u64 {
        self.store.refresh().unwrap()
    }
}

fn last_token(store: &FileStore) -> roster::core::TokenId {
    roster::backend::query(store, |d| *d.tokens.keys().next_back().unwrap()).unwrap()
}
