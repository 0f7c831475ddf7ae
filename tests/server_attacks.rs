//! Issue 15's attacks on the real `roster serve`, as an outsider would make them with
//! curl: client-made password hashes, a session minted from an API token, sign-in
//! guesses raced past the throttle, one client behind a proxy locking out everyone,
//! and what an anonymous caller can learn about invitations and emails. Each test
//! fails on the server as it was before the fix.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn roster(store: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
    c.env("ROSTER_STORE", store)
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT");
    c
}

fn ok(c: &mut Command) -> String {
    let out = c.output().expect("roster runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A store with organisation acme (owner olive) and a token of olive's.
struct Site {
    _dir: tempfile::TempDir,
    store: std::path::PathBuf,
    token: String,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        ok(roster(&store).args(["init"]));
        ok(roster(&store).args([
            "org",
            "create",
            "acme",
            "--name",
            "Acme",
            "--owner",
            "olive@acme.example",
            "--owner-first-name",
            "Olive",
        ]));
        let out =
            ok(roster(&store).args(["token", "create", "--as", "olive@acme.example", "--json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let token = v["results"][0]["secret"].as_str().unwrap().to_string();
        Site {
            _dir: dir,
            store,
            token,
        }
    }

    fn serve(&self, flags: &[&str]) -> Server {
        let mut child = roster(&self.store)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("roster serve printed {first:?}"))
            .to_string();
        Server { child, addr }
    }
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer: status and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Server {
    /// One request on its own connection, with extra header lines.
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(t) = token {
            head += &format!("Authorization: Bearer {t}\r\n");
        }
        let mut has_type = false;
        for (k, v) in headers {
            has_type |= k.eq_ignore_ascii_case("content-type");
            head += &format!("{k}: {v}\r\n");
        }
        let body = body.unwrap_or("");
        if !body.is_empty() && !has_type {
            head += "Content-Type: application/json\r\n";
        }
        head += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
        s.write_all(head.as_bytes()).unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Answer { status, body }
    }

    fn post(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        self.call("POST", path, token, &[], Some(body))
    }

    fn get(&self, path: &str, token: &str, headers: &[(&str, &str)]) -> Answer {
        self.call("GET", path, Some(token), headers, None)
    }
}

/// Finding 1: a password hash made by the client, with a cost of its choosing, never
/// reaches the store, whatever route it takes.
#[test]
fn a_client_made_password_hash_is_never_taken() {
    let site = Site::new();
    let srv = site.serve(&[]);
    let costly = "$argon2id$v=19$m=8,t=4000000,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
    for (op, route) in [
        ("complete_password_reset", "/v1/password-resets/complete"),
        ("accept_invitation_link", "/v1/invitations/accept"),
    ] {
        let body = format!(
            r#"{{"command":{{"op":"{op}","secret_hash":"x","password_hash":"{costly}"}}}}"#
        );
        for token in [None, Some(site.token.as_str())] {
            let a = srv.post("/v1/commands", token, &body);
            assert_eq!(a.status, 403, "{op} with {token:?}: {}", a.body);
            assert!(a.detail().contains(route), "{}", a.detail());
        }
    }
    // The dedicated routes take a password, never a hash, and hold it to the rules.
    let a = srv.post(
        "/v1/password-resets/complete",
        None,
        r#"{"secret":"nope","password":"short"}"#,
    );
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.detail().contains("too short"), "{}", a.detail());
}

/// Finding 2: an API token cannot mint a sign-in session for itself (it would outlive
/// the token's revocation and the account's disabling).
#[test]
fn an_api_token_cannot_mint_a_session() {
    let site = Site::new();
    let srv = site.serve(&[]);
    let me = srv.get("/v1/me", &site.token, &[]).json();
    let id = me["account"]["id"].as_u64().unwrap();
    let body = format!(
        r#"{{"command":{{"op":"start_session","account":{id},"token_hash":"{}"}}}}"#,
        "ab".repeat(32)
    );
    let a = srv.post("/v1/commands", Some(&site.token), &body);
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.detail().contains("POST /v1/sessions"), "{}", a.detail());
    let dry = body.replace(r#"}}"#, r#"},"dry_run":true}"#);
    assert_eq!(
        srv.post("/v1/commands", Some(&site.token), &dry).status,
        403
    );
}

/// Finding 3: thirty wrong passwords sent at once are counted before they are checked:
/// no more than the limit (10) are verified, the rest wait (429).
#[test]
fn raced_sign_in_guesses_are_counted_before_they_are_checked() {
    let site = Site::new();
    let srv = site.serve(&[]);
    let srv = std::sync::Arc::new(srv);
    let answers: Vec<u16> = (0..30)
        .map(|i| {
            let srv = srv.clone();
            std::thread::spawn(move || {
                srv.post(
                    "/v1/sessions",
                    None,
                    &format!(
                        r#"{{"org":"acme","email":"olive@acme.example","password":"guess-{i}-wrong"}}"#
                    ),
                )
                .status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let verified = answers.iter().filter(|s| **s == 401).count();
    let held = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(verified + held, 30, "{answers:?}");
    assert!(
        verified <= 10,
        "{verified} guesses were verified: {answers:?}"
    );
}

/// Finding 4: behind a trusted proxy each client has its own limit: one client's bad
/// tokens lock out that client, not everyone; from an untrusted peer the forwarding
/// headers are ignored (a client cannot dodge its limit by inventing addresses).
#[test]
fn behind_a_trusted_proxy_one_client_locks_out_only_itself() {
    let site = Site::new();
    let srv = site.serve(&["--trusted-proxy", "127.0.0.1/32"]);
    let mallory = [("X-Forwarded-For", "203.0.113.66")];
    let alice = [("X-Forwarded-For", "198.51.100.7")];
    let statuses: Vec<u16> = (0..21)
        .map(|_| srv.get("/v1/me", "rst_bad", &mallory).status)
        .collect();
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert_eq!(srv.get("/v1/me", &site.token, &alice).status, 200);
    // A forged hop in front of the proxy's own changes nothing.
    let forged = [("X-Forwarded-For", "198.51.100.7, 203.0.113.66")];
    assert_eq!(srv.get("/v1/me", &site.token, &forged).status, 429);

    // Without --trusted-proxy the headers are the client's words, and ignored.
    let srv = site.serve(&[]);
    for i in 0..20 {
        let made_up = format!("192.0.2.{i}");
        srv.get("/v1/me", "rst_bad", &[("X-Forwarded-For", &made_up)]);
    }
    assert_eq!(srv.get("/v1/me", &site.token, &alice).status, 429);
}

/// Finding 5: without its secret, an invitation id tells nothing — pending, accepted,
/// revoked and unknown ids get one answer; an anonymous dry run probes nothing; and
/// registrations from one address are limited.
#[test]
fn an_anonymous_caller_learns_nothing_from_ids_and_emails() {
    let site = Site::new();
    let srv = site.serve(&["--register-limit", "3"]);
    let invite = |email: &str| {
        let a = srv.post(
            "/v1/orgs/acme/invitations",
            Some(&site.token),
            &format!(r#"{{"email":"{email}","first_name":"In","last_name":"Vited"}}"#),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        let v = a.json();
        (
            v["invitation"]["id"].as_u64().unwrap(),
            v["secret"].as_str().unwrap().to_string(),
        )
    };
    let (pending, _) = invite("pending@acme.example");
    let (accepted, secret) = invite("accepted@acme.example");
    let (revoked, _) = invite("revoked@acme.example");
    let a = srv.post(
        "/v1/invitations/accept",
        None,
        &format!(r#"{{"secret":"{secret}","password":"a long enough password"}}"#),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let a = srv.post(
        &format!("/v1/orgs/acme/invitations/{revoked}/revoke"),
        Some(&site.token),
        "{}",
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let answers: Vec<(u16, String)> = [pending, accepted, revoked, 999_999]
        .iter()
        .flat_map(|id| {
            let by_route = srv.post(
                &format!("/v1/orgs/acme/invitations/{id}/accept"),
                None,
                "{}",
            );
            let by_command = srv.post(
                "/v1/commands",
                None,
                &format!(r#"{{"command":{{"op":"accept_invitation","invitation":{id}}}}}"#),
            );
            [by_route, by_command]
        })
        .map(|a| (a.status, a.detail()))
        .collect();
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "ids without their secret are told apart: {answers:#?}"
    );
    assert_eq!(answers[0].0, 403, "{answers:?}");

    // A dry run without a token is refused alike for a taken and a free email.
    ok(roster(&site.store).args([
        "--org",
        "acme",
        "org",
        "settings",
        "--open-registration",
        "true",
    ]));
    let org = srv.get("/v1/me", &site.token, &[]).json()["org"]["id"].clone();
    let register = |email: &str, dry: bool| {
        srv.post(
            "/v1/commands",
            None,
            &format!(
                r#"{{"command":{{"op":"register","org":{org},"email":"{email}","first_name":"W","last_name":"I"}},"dry_run":{dry}}}"#
            ),
        )
    };
    let taken = register("olive@acme.example", true);
    let free = register("nobody-yet@acme.example", true);
    assert_eq!((taken.status, taken.detail()), (free.status, free.detail()));
    assert_eq!(taken.status, 403);
    // Three registrations from one address, then it must wait.
    let statuses: Vec<u16> = (0..4)
        .map(|i| register(&format!("walk-in-{i}@acme.example"), false).status)
        .collect();
    assert_eq!(statuses[3], 429, "{statuses:?}");
    assert!(
        statuses[..3].iter().all(|s| (200..300).contains(s)),
        "{statuses:?}"
    );

    // Forgot-password answers every email alike.
    let known = srv.post(
        "/v1/password-resets",
        None,
        r#"{"org":"acme","email":"olive@acme.example"}"#,
    );
    let unknown = srv.post(
        "/v1/password-resets",
        None,
        r#"{"org":"acme","email":"nobody@acme.example"}"#,
    );
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
}

/// Finding 6: If-Match compares strongly (RFC 9110 §13.1.1) and only
/// `application/json` is a JSON body.
#[test]
fn weak_etags_and_other_json_types_are_refused() {
    let site = Site::new();
    let srv = site.serve(&[]);
    let me = srv.get("/v1/me", &site.token, &[]).json();
    let id = me["account"]["id"].as_u64().unwrap();
    let path = format!("/v1/orgs/acme/accounts/{id}");
    let one = srv.call("GET", &path, Some(&site.token), &[], None);
    assert_eq!(one.status, 200, "{}", one.body);
    let version = one.json()["version"].as_u64().unwrap();
    let body = r#"{"first_name":"Olivia"}"#;
    let weak = format!("W/\"v{version}\"");
    let a = srv.call(
        "PATCH",
        &path,
        Some(&site.token),
        &[("If-Match", &weak)],
        Some(body),
    );
    assert_eq!(a.status, 412, "{}", a.body);
    let strong = format!("\"v{version}\"");
    let patch_type = [
        ("If-Match", strong.as_str()),
        ("Content-Type", "application/json-patch+json"),
    ];
    let a = srv.call("PATCH", &path, Some(&site.token), &patch_type, Some(body));
    assert_eq!(a.status, 415, "{}", a.body);
    let a = srv.call(
        "PATCH",
        &path,
        Some(&site.token),
        &[("If-Match", &strong)],
        Some(body),
    );
    assert_eq!(a.status, 200, "{}", a.body);
}

/// Finding 6, as Schemathesis found it: an `If-Match` that is no list of entity tags is
/// a malformed request (400), not a tag that fails (412); a whole number written `12.0`
/// is a whole number (JSON Schema counts it as an integer); and `--bad-token-limit 0`
/// lets a fuzzer send bad tokens without locking its own address out.
#[test]
fn if_match_syntax_whole_numbers_and_the_bad_token_limit() {
    let site = Site::new();
    let srv = site.serve(&["--bad-token-limit", "0"]);
    let me = srv.get("/v1/me", &site.token, &[]).json();
    let id = me["account"]["id"].as_u64().unwrap();
    let path = format!("/v1/orgs/acme/accounts/{id}");
    let body = r#"{"first_name":"Olivia"}"#;
    for bad in ["0", "v1", "{}", "\"v1\", x"] {
        let a = srv.call(
            "PATCH",
            &path,
            Some(&site.token),
            &[("If-Match", bad)],
            Some(body),
        );
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
    }
    let group = srv.call(
        "POST",
        "/v1/orgs/acme/groups",
        Some(&site.token),
        &[],
        Some(r#"{"name":"Floats"}"#),
    );
    assert_eq!(group.status, 201, "{}", group.body);
    let gid = group.json()["id"].as_u64().unwrap();
    let add = srv.call(
        "POST",
        &format!("/v1/orgs/acme/groups/{gid}/members"),
        Some(&site.token),
        &[],
        Some(&format!(r#"{{"account": {id}.0}}"#)),
    );
    assert_eq!(add.status, 200, "{}", add.body);
    let half = srv.call(
        "POST",
        &format!("/v1/orgs/acme/groups/{gid}/members"),
        Some(&site.token),
        &[],
        Some(&format!(r#"{{"account": {id}.5}}"#)),
    );
    assert_eq!(half.status, 422, "{}", half.body);
    for _ in 0..30 {
        let bad = srv.call("GET", "/v1/me", Some("rst_not_a_token"), &[], None);
        assert_eq!(bad.status, 401, "{}", bad.body);
    }
    assert_eq!(srv.get("/v1/me", &site.token, &[]).status, 200);
}
