//! The REST backend against a scripted stand-in for `roster serve`: what the client does
//! with every kind of answer (and with no answer), whatever the real server does.
//! The stand-in speaks just enough HTTP/1.1 to answer one request per connection.

use roster::backend::rest::{Connect, RestBackend, Timeouts, Token, UNAUTHORIZED};
use roster::backend::{Backend, BackendError, query};
use roster::core::{self, Command, Directory, DomainError, Principal, Recorded};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the stand-in saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    authorization: Option<String>,
    body: String,
}

/// An answer: status, content type, body. `None` never answers.
type Answer = Option<(u16, &'static str, String)>;

struct Fake {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn start(answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(vec![]));
        let log = seen.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, answer) = (log.clone(), answer.clone());
                std::thread::spawn(move || serve(stream, &log, answer.as_ref()));
            }
        });
        Fake { addr, seen }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, answer: &dyn Fn(&Seen) -> Answer) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (mut length, mut authorization) = (0usize, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        let (name, value) = h.split_once(':').unwrap_or((&h, ""));
        let value = value.trim().to_string();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "authorization" => authorization = Some(value),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let seen = Seen {
        method,
        target,
        authorization,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock().unwrap().push(seen.clone());
    let Some((status, kind, body)) = answer(&seen) else {
        // Hold the connection open and say nothing.
        std::thread::sleep(Duration::from_secs(30));
        return;
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

const JSON: &str = "application/json";
const PROBLEM: &str = "application/problem+json";

fn ok(v: Value) -> Answer {
    Some((200, JSON, v.to_string()))
}

fn problem(status: u16, detail: &str) -> Answer {
    let body = json!({"type": "about:blank", "title": "x", "status": status, "detail": detail});
    Some((status, PROBLEM, body.to_string()))
}

/// A small organisation made with the core, as a server would hold it.
fn acme() -> (Directory, Vec<Recorded>) {
    let mut dir = Directory::new();
    let now = "2026-03-02T09:00:00Z".parse().unwrap();
    let cmd = Command::CreateOrg {
        slug: "acme".into(),
        name: "Acme".into(),
        owner_email: "owner@acme.example".into(),
        owner_first_name: "Olive".into(),
        owner_last_name: String::new(),
        settings: None,
    };
    let events = core::execute(&dir, &Principal::Operator, &cmd, now).unwrap();
    events.iter().for_each(|e| dir.apply(e));
    (dir, events)
}

fn owner(dir: &Directory) -> Principal {
    let id = dir
        .owner_of(dir.org_by_slug("acme").unwrap().id)
        .unwrap()
        .id;
    Principal::Account { id }
}

/// A stand-in that serves acme's owner: who it is, the state, an empty feed; and
/// answers commands with `command`.
fn acme_server(command: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
    let (dir, _) = acme();
    let me = owner(&dir);
    let org = dir.orgs.values().next().unwrap().clone();
    Fake::start(move |req| {
        let path = req.target.split('?').next().unwrap_or_default();
        match (req.method.as_str(), path) {
            ("GET", "/v1/me") => ok(json!({"principal": me, "account": null, "org": org})),
            ("GET", "/v1/orgs/acme/state") => ok(json!({"seq": dir.seq, "directory": dir})),
            ("GET", "/v1/events") => ok(json!({"seq": dir.seq, "events": []})),
            ("POST", "/v1/commands") => command(req),
            _ => problem(404, "no such route"),
        }
    })
}

fn connect(server: &str, token: &str) -> Result<RestBackend, BackendError> {
    RestBackend::connect(Connect {
        server: server.into(),
        token: Token::new(token),
        org: None,
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(2),
        },
    })
}

#[test]
fn reads_run_over_the_replica_and_the_token_is_sent_as_bearer() {
    let fake = acme_server(|_| problem(500, "unused"));
    let b = connect(&fake.url(), "t0ken").unwrap();
    assert_eq!(b.describe(), format!("{} (acme)", fake.url()));
    let owner_email = query(&b, |d| {
        d.owner_of(d.org_by_slug("acme").unwrap().id)
            .unwrap()
            .email
            .clone()
    })
    .unwrap();
    assert_eq!(owner_email, "owner@acme.example");
    let requests = fake.seen().len();
    query(&b, |d| d.accounts.len()).unwrap();
    assert_eq!(fake.seen().len(), requests, "a second read stays local");
    assert!(
        fake.seen()
            .iter()
            .all(|s| s.authorization.as_deref() == Some("Bearer t0ken"))
    );
}

#[test]
fn a_refusal_carries_the_servers_sentence_and_kind() {
    let fake = acme_server(|_| problem(403, "you cannot disable yourself"));
    let b = connect(&fake.url(), "t").unwrap();
    let me = b.principal().clone();
    let Principal::Account { id } = me else {
        panic!("an account token")
    };
    match b.execute(&me, &Command::Disable { account: id }, false) {
        Err(BackendError::Refused(DomainError::Forbidden(m))) => {
            assert_eq!(m, "you cannot disable yourself")
        }
        other => panic!("{other:?}"),
    }
    let sent = fake
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    let body: Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["dry_run"], json!(false));
    assert_eq!(body["command"]["op"], json!("disable"));
    assert!(
        body.get("principal").is_none() && body.get("who").is_none(),
        "the client never says who acts: {body}"
    );
}

#[test]
fn a_change_is_seen_by_the_next_read_without_asking_the_server() {
    let (dir, _) = acme();
    let org = dir.org_by_slug("acme").unwrap().id;
    let me = owner(&dir);
    let now = "2026-03-02T10:00:00Z".parse().unwrap();
    let cmd = Command::CreateGroup {
        org,
        name: "Auditors".into(),
    };
    let events = core::execute(&dir, &me, &cmd, now).unwrap();
    let reply = json!({ "events": events });
    let fake = acme_server(move |_| ok(reply.clone()));
    let b = connect(&fake.url(), "t").unwrap();
    query(&b, |_| ()).unwrap();
    b.execute(&me, &cmd, false).unwrap();
    let before = fake.seen().len();
    let names = query(&b, |d| {
        d.groups
            .values()
            .map(|g| g.name.clone())
            .collect::<Vec<_>>()
    })
    .unwrap();
    assert_eq!(names, ["Auditors"]);
    assert_eq!(fake.seen().len(), before);
}

#[test]
fn acting_as_someone_else_is_refused_before_anything_is_sent() {
    let fake = acme_server(|_| problem(500, "must not be called"));
    let b = connect(&fake.url(), "t").unwrap();
    let other = Principal::Account {
        id: roster::core::AccountId(999),
    };
    match b.execute(
        &other,
        &Command::Verify {
            account: roster::core::AccountId(1),
        },
        false,
    ) {
        Err(BackendError::Refused(DomainError::Forbidden(m))) => {
            assert!(m.contains("token"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.seen().iter().all(|s| s.method != "POST"));
}

#[test]
fn acting_as_nobody_sends_no_token() {
    let fake = acme_server(|_| ok(json!({"events": []})));
    let b = connect(&fake.url(), "secret-token").unwrap();
    let cmd = Command::Register {
        org: roster::core::OrgId(1),
        email: "new@acme.example".into(),
        first_name: "New".into(),
        last_name: String::new(),
    };
    b.execute(&Principal::Anonymous, &cmd, false).unwrap();
    let post = fake
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(post.authorization, None);
}

#[test]
fn a_rejected_token_says_how_to_get_a_new_one() {
    let fake = Fake::start(|_| problem(401, "this token was revoked: create a new one"));
    match connect(&fake.url(), "revoked") {
        Err(BackendError::Unauthorized(m)) => assert_eq!(
            m,
            format!(
                "the server at {} refused the token: this token was revoked: create a new one",
                fake.url()
            )
        ),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a rejected token must not connect"),
    }
    // A bare 401 still says what to do.
    let fake = Fake::start(|_| Some((401, "text/plain", String::new())));
    match connect(&fake.url(), "revoked") {
        Err(BackendError::Unauthorized(m)) => assert_eq!(m, UNAUTHORIZED),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a rejected token must not connect"),
    }
}

#[test]
fn a_reply_roster_does_not_understand_is_an_error_not_a_panic() {
    for body in ["{\"principal\": 42}", "not json at all", "", "[]"] {
        let fake = Fake::start(move |_| Some((200, JSON, body.to_string())));
        match connect(&fake.url(), "t") {
            Err(BackendError::Io(m)) => {
                assert!(
                    m.contains("does not understand") && m.contains(&fake.url()),
                    "{m}"
                )
            }
            Err(other) => panic!("{body:?}: {other:?}"),
            Ok(_) => panic!("{body:?} must not connect"),
        }
    }
}

#[test]
fn a_garbled_state_or_feed_is_an_error_too() {
    let (dir, _) = acme();
    let me = owner(&dir);
    let org = dir.orgs.values().next().unwrap().clone();
    let fake = Fake::start(move |req| match req.target.as_str() {
        "/v1/me" => ok(json!({"principal": me, "org": org})),
        _ => ok(json!({"seq": "twelve", "directory": {"orgs": 5}})),
    });
    let b = connect(&fake.url(), "t").unwrap();
    match b.refresh() {
        Err(BackendError::Io(m)) => assert!(m.contains("does not understand"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(query(&b, |_| ()), Err(BackendError::Io(_))));
}

#[test]
fn a_server_that_is_not_there_is_unreachable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    match connect(&url, "t") {
        Err(BackendError::Unreachable(m)) => {
            assert_eq!(m, format!("cannot reach {url}: connection refused"))
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("nothing listens there"),
    }
}

#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let fake = Fake::start(|_| None);
    match connect(&fake.url(), "t") {
        Err(BackendError::Unreachable(m)) => assert!(m.contains("did not answer"), "{m}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("no answer, no connection"),
    }
}

#[test]
fn an_overloaded_server_is_busy() {
    let fake = Fake::start(|_| problem(503, "shutting down"));
    match connect(&fake.url(), "t") {
        Err(BackendError::Busy(m)) => assert!(m.contains("shutting down"), "{m}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("must not connect"),
    }
}

#[test]
fn the_token_stays_out_of_debug_output() {
    let c = Connect {
        server: "https://example.org".into(),
        token: Token::new("very-secret"),
        ..Connect::default()
    };
    assert!(!format!("{c:?}").contains("very-secret"));
}

/// The console calls the backend from tokio's blocking pool, and tests may hold it in
/// async code: creating, using and dropping it there must not panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_inside_a_tokio_runtime() {
    let fake = acme_server(|_| problem(409, "taken"));
    let url = fake.url();
    // Directly on a runtime thread...
    let b = connect(&url, "t").unwrap();
    assert_eq!(query(&b, |d| d.orgs.len()).unwrap(), 1);
    drop(b);
    // ...and from the blocking pool, the way the console does it.
    let b = Arc::new(connect(&url, "t").unwrap());
    let seq = {
        let b = b.clone();
        tokio::task::spawn_blocking(move || b.refresh())
            .await
            .unwrap()
            .unwrap()
    };
    assert!(seq > 0);
    drop(b);
}

#[tokio::test(flavor = "current_thread")]
async fn works_inside_a_single_threaded_runtime() {
    let fake = acme_server(|_| problem(409, "taken"));
    let b = connect(&fake.url(), "t").unwrap();
    assert_eq!(query(&b, |d| d.orgs.len()).unwrap(), 1);
    drop(b);
}
