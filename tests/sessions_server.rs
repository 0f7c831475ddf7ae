//! Sign-in, sessions, password resets and invitation links over HTTP, on a server whose
//! store runs on a hand-moved clock: every expiry rule is shown by moving the clock, never
//! by waiting. Also: failed sign-ins are throttled, and the argon2id hash is in the store
//! file but in no reply.

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use roster::backend::Backend;
use roster::backend::file::{FileStore, Options};
use roster::core::{AccountId, Command, Event, OrgId, Principal, Recorded};
use roster::server::{Config, ResetDelivery, ResetNotice, Server};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Env {
    server: Server,
    store: Arc<FileStore>,
    clock: Arc<Mutex<Timestamp>>,
    http: reqwest::Client,
    resets: Arc<Mutex<Vec<ResetNotice>>>,
    org: OrgId,
    owner: AccountId,
    member: AccountId,
    /// An API token of the owner.
    owner_token: String,
    /// Every reply body seen, to check none carries a password hash.
    seen: Mutex<Vec<String>>,
    dir: tempfile::TempDir,
}

struct Reply {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

fn run(store: &FileStore, who: &Principal, cmd: Command) -> Vec<Recorded> {
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
        .unwrap()
}

impl Env {
    fn new(config: Config) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(Mutex::new(
            "2026-03-01T09:00:00Z".parse::<Timestamp>().unwrap(),
        ));
        let c = clock.clone();
        let options = Options {
            clock: Arc::new(move || *c.lock().unwrap()),
            lock_timeout: Duration::from_secs(5),
            compact_after: u64::MAX,
        };
        let store = Arc::new(FileStore::create_with(&dir.path().join("store"), options).unwrap());
        let recs = run(
            &store,
            &Principal::Operator,
            Command::CreateOrg {
                slug: "acme".into(),
                name: "Acme".into(),
                owner_email: "owner@acme.example".into(),
                owner_first_name: "Olive".into(),
                owner_last_name: "Owner".into(),
                settings: None,
            },
        );
        let owner = created(&recs);
        let org = recs
            .iter()
            .find_map(|r| match &r.event {
                Event::OrgCreated { org, .. } => Some(org.id),
                _ => None,
            })
            .unwrap();
        let member = created(&run(
            &store,
            &Principal::Operator,
            Command::AddAccount {
                org,
                email: "member@acme.example".into(),
                first_name: "Mia".into(),
                last_name: "Member".into(),
                verified: true,
            },
        ));
        let (owner_token, hash) = roster::secret::new_secret().unwrap();
        run(
            &store,
            &Principal::Operator,
            Command::IssueToken {
                principal: Principal::Account { id: owner },
                label: "test".into(),
                token_hash: hash,
                expires: None,
            },
        );
        let resets = Arc::new(Mutex::new(vec![]));
        let r = resets.clone();
        let config = Config {
            reset_delivery: Some(ResetDelivery::new(move |n| r.lock().unwrap().push(n))),
            ..config
        };
        let backend: Arc<dyn Backend> = store.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server::start(listener, backend, config).unwrap();
        Env {
            server,
            store,
            clock,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            resets,
            org,
            owner,
            member,
            owner_token,
            seen: Mutex::new(vec![]),
            dir,
        }
    }

    fn advance_hours(&self, h: i64) {
        *self.clock.lock().unwrap() += SignedDuration::from_hours(h);
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.server.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the server answers");
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let text = res.text().await.unwrap_or_default();
        self.seen.lock().unwrap().push(text.clone());
        Reply {
            status,
            retry_after,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body)).await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/v1/sessions",
            None,
            json!({"org": "acme", "email": email, "password": password}),
        )
        .await
    }

    /// Gives the member a password through an administrator's reset link.
    async fn member_password(&self, password: &str) {
        let r = self
            .post(
                &format!("/v1/orgs/acme/accounts/{}/reset-password", self.member),
                Some(&self.owner_token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // An administrator never holds the link: it goes to the account's own address.
        assert!(r.body.get("secret").is_none(), "{}", r.body);
        assert_eq!(r.body["delivered"], true);
        let notice = self.resets.lock().unwrap().last().cloned().unwrap();
        assert_eq!(notice.email, "member@acme.example");
        let secret = notice.secret;
        let r = self
            .post(
                "/v1/password-resets/complete",
                None,
                json!({"secret": secret, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

fn detail(r: &Reply) -> String {
    r.body["detail"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn an_invitee_accepts_signs_in_and_a_disabled_accounts_session_runs_until_it_expires() {
    let env = Env::new(Config::default());
    let r = env
        .post(
            "/v1/orgs/acme/invitations",
            Some(&env.owner_token),
            json!({"email": "ivy@acme.example"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let link = roster::credentials::links::invitation_link("https://roster.example", &secret);

    let r = env
        .post(
            "/v1/invitations/accept",
            None,
            json!({"secret": link, "password": "short"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(detail(&r).contains("at least 8"), "{}", r.body);
    let accept = json!({"secret": link, "password": "ivy's long password", "first_name": "Ivy"});
    let r = env
        .post("/v1/invitations/accept", None, accept.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = env.post("/v1/invitations/accept", None, accept).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(detail(&r).contains("already used"), "{}", r.body);

    let r = env.sign_in("ivy@acme.example", "not the password").await;
    assert_eq!(r.status, 401, "{}", r.body);
    let r = env.sign_in("nobody@acme.example", "not the password").await;
    assert_eq!(
        r.status, 401,
        "an unknown email reads like a wrong password"
    );
    let r = env.sign_in("IVY@acme.example", "ivy's long password").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["expires"], "2026-03-01T21:00:00Z",
        "12 hours by default"
    );
    let me = env.get("/v1/me", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["account"]["email"], "ivy@acme.example");
    let ivy: AccountId = serde_json::from_value(me.body["account"]["id"].clone()).unwrap();

    // Seed 002: disabled, the account cannot sign in, but its live session continues.
    run(
        &env.store,
        &Principal::Account { id: env.owner },
        Command::Disable { account: ivy },
    );
    let r = env.sign_in("ivy@acme.example", "ivy's long password").await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(detail(&r).contains("disabled"), "{}", r.body);
    env.advance_hours(11);
    assert_eq!(env.get("/v1/me", &token).await.status, 200);
    env.advance_hours(1);
    let r = env.get("/v1/me", &token).await;
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("expired"), "{}", r.body);
}

#[tokio::test]
async fn a_disabled_accounts_live_session_may_sign_out() {
    let env = Env::new(Config::default());
    env.member_password("member password").await;
    let token = env
        .sign_in("member@acme.example", "member password")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    run(
        &env.store,
        &Principal::Account { id: env.owner },
        Command::Disable {
            account: env.member,
        },
    );
    let r = env
        .send(Method::DELETE, "/v1/sessions/current", Some(&token), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(env.get("/v1/me", &token).await.status, 401);
}

#[tokio::test]
async fn an_invitation_link_fails_when_late() {
    let env = Env::new(Config::default());
    let r = env
        .post(
            "/v1/orgs/acme/invitations",
            Some(&env.owner_token),
            json!({"email": "late@acme.example"}),
        )
        .await;
    let secret = r.body["secret"].as_str().unwrap().to_string();
    env.advance_hours(7 * 24);
    let r = env
        .post(
            "/v1/invitations/accept",
            None,
            json!({"secret": secret, "password": "long enough"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(detail(&r).contains("expired at"), "{}", r.body);
}

#[tokio::test]
async fn revocation_and_sign_out_end_a_session_at_once() {
    let env = Env::new(Config::default());
    env.member_password("member password").await;
    let s1 = env
        .sign_in("member@acme.example", "member password")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let s2 = env
        .sign_in("member@acme.example", "member password")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(env.get("/v1/me", &s1).await.status, 200);

    // A member may not end someone else's sessions; the owner (sessions.revoke) may.
    let path = format!("/v1/orgs/acme/accounts/{}/sessions/revoke", env.owner);
    assert_eq!(env.post(&path, Some(&s1), json!({})).await.status, 403);
    let r = env
        .send(Method::DELETE, "/v1/sessions/current", Some(&s2), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(env.get("/v1/me", &s2).await.status, 401, "signed out");

    let path = format!("/v1/orgs/acme/accounts/{}/sessions/revoke", env.member);
    let r = env.post(&path, Some(&env.owner_token), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = env.get("/v1/me", &s1).await;
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("revoked"), "{}", r.body);
    // An API token is not a session: signing out does not end it.
    let r = env
        .send(
            Method::DELETE,
            "/v1/sessions/current",
            Some(&env.owner_token),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_once_and_not_late() {
    let env = Env::new(Config::default());
    let ask = |email: &str| json!({"org": "acme", "email": email});
    let known = env
        .post("/v1/password-resets", None, ask("member@acme.example"))
        .await;
    let unknown = env
        .post("/v1/password-resets", None, ask("nobody@acme.example"))
        .await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(
        known.body, unknown.body,
        "the reply never tells whether the email exists"
    );
    let notices = env.resets.lock().unwrap().clone();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].email, "member@acme.example");
    let link = roster::credentials::links::reset_link("https://r.example", &notices[0].secret);

    let done = json!({"secret": link, "password": "a brand new one"});
    assert_eq!(
        env.post("/v1/password-resets/complete", None, done.clone())
            .await
            .status,
        200
    );
    let r = env.post("/v1/password-resets/complete", None, done).await;
    assert_eq!(r.status, 409);
    assert!(detail(&r).contains("already used"), "{}", r.body);
    assert_eq!(
        env.sign_in("member@acme.example", "a brand new one")
            .await
            .status,
        201
    );

    env.post("/v1/password-resets", None, ask("member@acme.example"))
        .await;
    let secret = env.resets.lock().unwrap()[1].secret.clone();
    env.advance_hours(24);
    let r = env
        .post(
            "/v1/password-resets/complete",
            None,
            json!({"secret": secret, "password": "too late now"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(detail(&r).contains("expired at"), "{}", r.body);

    // After the account is disabled a fresh link is neither sent nor usable.
    run(
        &env.store,
        &Principal::Account { id: env.owner },
        Command::Disable {
            account: env.member,
        },
    );
    let r = env
        .post("/v1/password-resets", None, ask("member@acme.example"))
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(
        env.resets.lock().unwrap().len(),
        2,
        "no link for a disabled account"
    );
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled() {
    let env = Env::new(Config {
        sign_in_limit: 3,
        sign_in_window: Duration::from_secs(3600),
        ..Config::default()
    });
    env.member_password("member password").await;
    for _ in 0..3 {
        assert_eq!(
            env.sign_in("member@acme.example", "guess guess")
                .await
                .status,
            401
        );
    }
    let r = env.sign_in("member@acme.example", "member password").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(
        r.retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().unwrap() > 0)
    );
    assert!(
        detail(&r).contains("too many failed sign-ins"),
        "{}",
        r.body
    );
    // The client's address is throttled too, whichever email it tries next.
    assert_eq!(
        env.sign_in("owner@acme.example", "anything at all")
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn the_password_hash_is_in_the_store_file_and_in_no_reply() {
    let env = Env::new(Config::default());
    env.member_password("member password").await;
    let token = env
        .sign_in("member@acme.example", "member password")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    env.get("/v1/audit?org=acme&limit=500", &env.owner_token)
        .await;
    env.get("/v1/orgs/acme/state", &env.owner_token).await;
    env.get("/v1/orgs/acme/state", &token).await;
    env.get("/v1/events?after=0", &env.owner_token).await;
    env.get(
        &format!("/v1/orgs/acme/accounts/{}", env.member),
        &env.owner_token,
    )
    .await;
    env.get("/v1/me", &token).await;
    let seen = env.seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|t| t.contains("password_set")),
        "the audit shows the change"
    );
    for text in &seen {
        assert!(
            !text.contains("argon2"),
            "a reply carries a password hash: {text}"
        );
    }
    let mut in_store = false;
    for entry in walk(env.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        in_store |= bytes.windows(10).any(|w| w == b"$argon2id$");
    }
    assert!(in_store, "the store keeps the argon2id PHC string");
    let _ = env.org;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_lists_the_new_routes() {
    let env = Env::new(Config::default());
    let r = env.send(Method::GET, "/v1/openapi.json", None, None).await;
    for path in [
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/password-resets",
        "/v1/password-resets/complete",
        "/v1/invitations/accept",
        "/v1/orgs/{slug}/accounts/{id}/sessions/revoke",
    ] {
        assert!(r.body["paths"].get(path).is_some(), "{path} missing");
    }
}

#[tokio::test]
async fn only_the_account_itself_gets_its_reset_secret_in_a_reply() {
    let env = Env::new(Config::default());
    // `member_password` checks that the owner's reply holds no secret.
    env.member_password("member password").await;
    let mailed = env.resets.lock().unwrap().len();
    let session = env
        .sign_in("member@acme.example", "member password")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let own = env
        .post(
            &format!("/v1/orgs/acme/accounts/{}/reset-password", env.member),
            Some(&session),
            json!({}),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body["secret"].is_string(), "{}", own.body);
    assert_eq!(
        env.resets.lock().unwrap().len(),
        mailed,
        "its own link is not mailed"
    );
}

#[tokio::test]
async fn an_administrator_cannot_make_a_reset_link_of_their_own_through_commands() {
    let env = Env::new(Config::default());
    let (mine, hash) = roster::secret::new_secret().unwrap();
    let r = env
        .post(
            "/v1/commands",
            Some(&env.owner_token),
            json!({"command": {"op": "request_password_reset", "account": env.member.0, "secret_hash": hash}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = env
        .post(
            "/v1/password-resets/complete",
            None,
            json!({"secret": mine, "password": "the admin's choice"}),
        )
        .await;
    assert_eq!(
        r.status, 403,
        "the caller's own secret was replaced: {}",
        r.body
    );
    // The link that works went to the account's address.
    let notice = env.resets.lock().unwrap().last().cloned().unwrap();
    assert_eq!(notice.email, "member@acme.example");
    let r = env
        .post(
            "/v1/password-resets/complete",
            None,
            json!({"secret": notice.secret, "password": "the member's choice"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_pending_invitee_cannot_sign_in_until_approved() {
    let env = Env::new(Config::default());
    let settings = roster::core::Settings {
        approval_required: true,
        ..roster::core::Settings::default()
    };
    run(
        &env.store,
        &Principal::Account { id: env.owner },
        Command::UpdateOrgSettings {
            org: env.org,
            settings,
        },
    );
    let r = env
        .post(
            "/v1/orgs/acme/invitations",
            Some(&env.owner_token),
            json!({"email": "pat@acme.example"}),
        )
        .await;
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let r = env
        .post(
            "/v1/invitations/accept",
            None,
            json!({"secret": secret, "password": "pat's password"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = env.sign_in("pat@acme.example", "pat's password").await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(detail(&r).contains("waiting for approval"), "{}", r.body);
    let id = roster::backend::query(env.store.as_ref(), |d| {
        d.account_by_email(env.org, "pat@acme.example")
            .map(|a| a.id)
    })
    .unwrap()
    .unwrap();
    run(
        &env.store,
        &Principal::Account { id: env.owner },
        Command::Approve { account: id },
    );
    assert_eq!(
        env.sign_in("pat@acme.example", "pat's password")
            .await
            .status,
        201
    );
}
