//! Issue 6, point 4 (authorization over HTTP): every route of the OpenAPI document,
//! called by every kind of principal, against `roster serve` on the shared authz
//! fixture (tests/support). The full route × principal table of statuses is checked
//! against tests/snapshots/authz_routes__*.snap (review a change to it like code: a
//! new 2xx in it is a new "yes"), and hard rules hold on top of it: no token, a revoked
//! token and a disabled account's token are 401 everywhere but the public routes;
//! another organisation's member gets 404 on every route of this organisation and sees
//! none of its data. So is a revoked sign-in session's token. The public routes get real
//! bodies: each kind of caller signs in (`POST /v1/sessions`) as its own account with its
//! known password, asks for a reset of it, completes a reset and accepts an invitation
//! with real secrets; a disabled or pending account's right password opens no session.
//!
//! Writes change the store, so every route starts from a fresh copy of the fixture
//! store, and after any principal's write succeeds the copy is renewed before the next
//! principal tries: each cell answers for the same starting state.

mod support;

use reqwest::Method;
use roster::backend::file::FileStore;
use roster::backend::{Backend, query};
use roster::core::{Builtin, Command, Principal};
use roster::server::{Config, Server};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::{Fixture, acct};

/// The kinds of caller, least privileged first.
const WHO: [&str; 11] = [
    "no-token",
    "revoked",
    "revoked-session",
    "disabled",
    "pending",
    "other-org",
    "member",
    "contributor",
    "admin",
    "owner",
    "operator",
];

/// The template store and what the test needs to address its records.
struct Template {
    dir: tempfile::TempDir,
    tokens: BTreeMap<&'static str, Option<String>>,
    ids: BTreeMap<&'static str, u64>,
}

/// The password every account of the fixture that can sign in is given.
const PASSWORD: &str = "authz correct horse battery";
/// The secret of a reset link for the member, and of the invitation's link.
const RESET_SECRET: &str = "authz-reset-secret-of-the-member";
const INVITE_SECRET: &str = "authz-invitation-secret";

/// Who signs in as whom: (organisation, email, password) per kind of caller. Callers
/// without an account of their own guess (a wrong password, an unknown email).
fn sign_in_as(who: &str) -> (&'static str, &'static str, &'static str) {
    match who {
        "no-token" => ("acme", "member@acme.example", "a wrong guess"),
        "revoked" | "revoked-session" | "member" => ("acme", "member@acme.example", PASSWORD),
        "disabled" => ("acme", "gone@acme.example", PASSWORD),
        "pending" => ("acme", "newcomer@acme.example", PASSWORD),
        "other-org" => ("globex", "member@acme.example", PASSWORD),
        "contributor" => ("acme", "contrib@acme.example", PASSWORD),
        "admin" => ("acme", "admin@acme.example", PASSWORD),
        "owner" => ("acme", "owner@acme.example", PASSWORD),
        _ => ("acme", "nobody@acme.example", PASSWORD),
    }
}

/// The body of a public route for `who`, where it depends on who calls.
fn public_body(path: &str, who: &str) -> Option<Value> {
    let (org, email, password) = sign_in_as(who);
    match path {
        "/v1/sessions" => Some(json!({"org": org, "email": email, "password": password})),
        "/v1/password-resets" => Some(json!({"org": org, "email": email})),
        "/v1/password-resets/complete" => {
            Some(json!({"secret": RESET_SECRET, "password": "a new password of the member"}))
        }
        "/v1/invitations/accept" => Some(
            json!({"secret": INVITE_SECRET, "password": "the invitee's own password", "first_name": "Ivy"}),
        ),
        _ => None,
    }
}

/// Writes the fixture's events as a real store's log: a freshly created store gives
/// the header, then each event is one framed record (`[len][crc32][JSON array]`).
fn write_fixture_store(path: &Path, f: &Fixture) {
    drop(FileStore::create(path).unwrap());
    let log = path.join("events.log");
    let mut file = fs::OpenOptions::new().append(true).open(&log).unwrap();
    for rec in &f.w.log {
        let payload = serde_json::to_vec(&[rec]).unwrap();
        let mut frame = (payload.len() as u32).to_le_bytes().to_vec();
        frame.extend(crc32fast::hash(&payload).to_le_bytes());
        frame.extend(payload);
        file.write_all(&frame).unwrap();
    }
    file.sync_all().unwrap();
}

fn issue(store: &FileStore, who: Principal) -> Result<String, String> {
    let (raw, _) = roster::secret::new_secret().unwrap();
    let secret = format!("rst_{raw}");
    store
        .execute(
            &Principal::Operator,
            &Command::IssueToken {
                principal: who,
                label: "authz".into(),
                token_hash: roster::secret::hash(&secret),
                expires: None,
            },
            false,
        )
        .map(|_| secret)
        .map_err(|e| e.to_string())
}

fn template() -> Template {
    let f = Fixture::build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    write_fixture_store(&path, &f);
    let store = FileStore::open(&path).unwrap();
    let owner = acct(f.owner);
    let mut tokens = BTreeMap::new();
    tokens.insert("no-token", None);
    for (name, id) in [
        ("member", f.member),
        ("contributor", f.contributor),
        ("admin", f.admin),
        ("owner", f.owner),
        ("other-org", f.b_member),
    ] {
        tokens.insert(name, Some(issue(&store, acct(id)).unwrap()));
    }
    tokens.insert(
        "operator",
        Some(issue(&store, Principal::Operator).unwrap()),
    );
    // A pending account cannot sign in, so no token can be made for it: the refusal
    // is what keeps it out of every route.
    let refused = issue(&store, acct(f.pending)).unwrap_err();
    assert!(!refused.is_empty());
    tokens.insert("pending", None);
    // A disabled account's token: issued while it was enabled, then disabled again.
    let run = |who: &Principal, cmd: Command| store.execute(who, &cmd, false).unwrap();
    run(
        &owner,
        Command::Enable {
            account: f.disabled,
        },
    );
    // Passwords, set the way a reset link sets them (one argon2 hash serves all).
    let password_hash = roster::credentials::hash_password(PASSWORD).unwrap();
    for id in [
        f.member,
        f.contributor,
        f.admin,
        f.owner,
        f.b_member,
        f.disabled,
        f.pending,
    ] {
        let secret_hash = roster::secret::hash(&format!("authz-password-{}", id.0));
        run(
            &Principal::Operator,
            Command::RequestPasswordReset {
                account: id,
                secret_hash: Some(secret_hash.clone()),
            },
        );
        run(
            &Principal::Anonymous,
            Command::CompletePasswordReset {
                secret_hash,
                password_hash: password_hash.clone(),
            },
        );
    }
    tokens.insert("disabled", Some(issue(&store, acct(f.disabled)).unwrap()));
    run(
        &owner,
        Command::Disable {
            account: f.disabled,
        },
    );
    let revoked = issue(&store, acct(f.member)).unwrap();
    let last = query(&store, |d| *d.tokens.keys().next_back().unwrap()).unwrap();
    run(&Principal::Operator, Command::RevokeToken { token: last });
    tokens.insert("revoked", Some(revoked));
    // A sign-in session of the member, then every session of the member ended.
    let session = format!("rst_{}", roster::secret::new_secret().unwrap().0);
    run(
        &acct(f.member),
        Command::StartSession {
            account: f.member,
            token_hash: roster::secret::hash(&session),
        },
    );
    run(&owner, Command::RevokeSessions { account: f.member });
    tokens.insert("revoked-session", Some(session));
    // Known secrets for the public routes: a reset link of the member and a new link of
    // the pending invitation.
    run(
        &Principal::Operator,
        Command::RequestPasswordReset {
            account: f.member,
            secret_hash: Some(roster::secret::hash(RESET_SECRET)),
        },
    );
    run(
        &owner,
        Command::ResendInvitation {
            invitation: f.invitation,
            secret_hash: Some(roster::secret::hash(INVITE_SECRET)),
        },
    );

    let request = query(&store, |d| {
        d.requests
            .values()
            .find(|r| r.account == f.pending)
            .map(|r| r.id.0)
    })
    .unwrap()
    .expect("the pending account's join request");
    let ids = BTreeMap::from([
        ("member", f.member.0),
        ("viewer", f.viewer.0),
        ("usermgr", f.usermgr.0),
        ("contributor", f.contributor.0),
        ("admin", f.admin.0),
        ("pending", f.pending.0),
        ("billing", f.billing_role.0),
        ("reports", f.reports_role.0),
        ("usermgmt", f.usermgmt_role.0),
        ("viewer_role", f.w.builtin(f.a, Builtin::Viewer).0),
        ("contributor_role", f.w.builtin(f.a, Builtin::Contributor).0),
        ("ops", f.ops.0),
        ("portal", f.portal.0),
        ("contract", f.contract.0),
        ("invitation", f.invitation.0),
        ("request", request),
        ("org", f.a.0),
    ]);
    drop(store);
    Template { dir, tokens, ids }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A server on a fresh copy of the template store.
struct Live {
    server: Server,
    _dir: tempfile::TempDir,
}

fn fresh(t: &Template) -> Live {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("store");
    copy_dir(&t.dir.path().join("store"), &path);
    let store: Arc<dyn Backend> = Arc::new(FileStore::open(&path).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = Config {
        bad_token_limit: 1_000_000,
        sign_in_limit: 1_000_000,
        ..Config::default()
    };
    Live {
        server: Server::start(listener, store, config).unwrap(),
        _dir: dir,
    }
}

/// The route with its parameters naming real records of organisation A, and a body
/// that would succeed for a caller allowed to make the change.
fn request(method: &str, path: &str, id: &BTreeMap<&str, u64>) -> (String, Option<Value>) {
    let collection = path.split('/').nth(4).unwrap_or_default();
    let first = match collection {
        "accounts" if path.ends_with("/roles/{role}") => id["usermgr"],
        "accounts" if path.ends_with("/approve") || path.ends_with("/reject") => id["pending"],
        "accounts" => id["member"],
        "roles" => id["billing"],
        "groups" => id["ops"],
        "programs" => id["portal"],
        "contracts" => id["contract"],
        "invitations" => id["invitation"],
        "approvals" => id["request"],
        _ => 0,
    };
    let role = match collection {
        "accounts" => id["usermgmt"],
        "groups" => id["reports"],
        _ => id["viewer_role"],
    };
    let account = match collection {
        "groups" => id["member"],
        _ => id["viewer"],
    };
    let concrete = path
        .replace("{slug}", "acme")
        .replace("{id}", &first.to_string())
        .replace("{role}", &role.to_string())
        .replace("{account}", &account.to_string());
    let body = match (method, path.trim_start_matches("/v1/orgs/{slug}")) {
        ("post", "/v1/commands") => {
            json!({"command": {"op": "create_group", "org": id["org"], "name": "By command"}})
        }
        ("patch", "") => json!({"name": "Acme Renamed"}),
        ("put", "/settings") => json!({"approval_required": false}),
        ("post", "/transfer") => json!({"to": id["admin"]}),
        ("post", "/accounts") => json!({"email": "new@acme.example", "first_name": "New"}),
        ("patch", "/accounts/{id}") => json!({"first_name": "Renamed"}),
        ("post", "/accounts/{id}/reject") => json!({"reason": "not known here"}),
        ("post", "/accounts/{id}/roles") => json!({"role": id["billing"]}),
        ("post", "/approvals") => json!({"role": id["reports"]}),
        ("post", "/approvals/{id}/approve") | ("post", "/approvals/{id}/reject") => {
            json!({"reason": "checked"})
        }
        ("post", "/contracts") => json!({"product": "Extra", "seats": 3}),
        ("patch", "/contracts/{id}") => json!({"seats": 5}),
        ("post", "/groups") => json!({"name": "New group"}),
        ("patch", "/groups/{id}") | ("patch", "/programs/{id}") => json!({"name": "Renamed"}),
        ("post", "/groups/{id}/members") => json!({"account": id["viewer"]}),
        ("post", "/groups/{id}/roles") => json!({"role": id["billing"]}),
        ("post", "/invitations") => json!({"email": "guest@acme.example"}),
        ("post", "/invitations/{id}/accept") => json!({"secret": "not-the-secret"}),
        ("post", "/programs") => json!({"name": "New program"}),
        ("post", "/programs/{id}/contacts") => {
            json!({"account": id["member"], "role": id["viewer_role"]})
        }
        ("post", "/programs/{id}/contacts/{account}/change") => {
            json!({"from": id["viewer_role"], "to": id["contributor_role"]})
        }
        ("post", "/programs/{id}/transfer") => json!({"to": id["contributor"]}),
        ("post", "/roles") => {
            json!({"name": "New role", "scope": "org", "permissions": ["app:new"]})
        }
        ("patch", "/roles/{id}") => json!({"name": "Billing renamed"}),
        ("post", _) => json!({}),
        _ => return (concrete, None),
    };
    (concrete, Some(body))
}

async fn call(
    http: &reqwest::Client,
    live: &Live,
    method: &str,
    path: &str,
    body: &Option<Value>,
    token: &Option<String>,
) -> (u16, String) {
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut url = format!("{}{path}", live.server.url());
    if path == "/v1/events" || path == "/v1/events/stream" {
        url.push_str("?wait=0");
    }
    let mut req = http.request(m, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if matches!(method, "patch" | "put") {
        req = req.header("if-match", "*");
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.expect("the server answers");
    let status = res.status().as_u16();
    // The stream never ends; its status and headers are the answer.
    if path.ends_with("/stream") {
        return (status, String::new());
    }
    (status, res.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authz_every_route_for_every_kind_of_principal() {
    let t = template();
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let probe = fresh(&t);
    let doc: Value = http
        .get(format!("{}/v1/openapi.json", probe.server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    drop(probe);

    let mut table = String::new();
    let mut broken = vec![];
    let mut routes = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            routes += 1;
            // The document leaves `security` out of a route that needs no token (and
            // lists the bearer scheme on every other, see src/server/api.rs).
            let public = op.get("security").is_none_or(|s| s == &json!([]));
            let (concrete, body) = request(method, path, &t.ids);
            let mut live = fresh(&t);
            let mut row = format!("{:6} {path}\n", method.to_uppercase());
            for who in WHO {
                let body = public_body(path, who).or_else(|| body.clone());
                let (status, text) =
                    call(&http, &live, method, &concrete, &body, &t.tokens[who]).await;
                row.push_str(&format!("    {who:12} {status}\n"));
                let anonymous = matches!(
                    who,
                    "no-token" | "revoked" | "revoked-session" | "disabled" | "pending"
                );
                // A right password of a disabled or pending account opens no session.
                if path == "/v1/sessions" && matches!(who, "disabled" | "pending") && status != 403
                {
                    broken.push(format!("{who} got {status} on sign-in: {text}"));
                }
                let public_route = public
                    || path == "/v1/health"
                    || path == "/v1/openapi.json"
                    || path.ends_with("/accept")
                    // Without a token a command acts as nobody (to register); the core
                    // refuses the rest with 403.
                    || path == "/v1/commands";
                if anonymous && !public_route && status != 401 {
                    broken.push(format!("{who} got {status} on {method} {concrete}"));
                }
                if who == "other-org" && path.starts_with("/v1/orgs/{slug}") {
                    if status != 404 {
                        broken.push(format!("{who} got {status} on {method} {concrete}"));
                    }
                    if text.contains("acme.example") || text.contains("Portal") {
                        broken.push(format!(
                            "{who} was shown A's data on {method} {concrete}: {text}"
                        ));
                    }
                }
                if status >= 500 {
                    broken.push(format!("{who} got {status} on {method} {concrete}: {text}"));
                }
                if (200..300).contains(&status) && method != "get" {
                    // This write happened; the next principal starts from the template.
                    live = fresh(&t);
                }
            }
            table.push_str(&row);
        }
    }
    assert!(routes >= 70, "the document lists every route ({routes})");
    assert!(
        broken.is_empty(),
        "{}\n\nfull table:\n{table}",
        broken.join("\n")
    );
    insta::assert_snapshot!(table);
}
