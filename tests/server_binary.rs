//! The real binary: `roster token create` prints a secret once, `roster serve` prints
//! the address it listens on, answers a request made with that secret, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn roster(store: &std::path::Path) -> Command {
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

/// A plain HTTP/1.1 GET: the status line and the body.
fn get(addr: &str, path: &str, token: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).expect("the server accepts");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.lines().next().unwrap_or_default().to_string();
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

#[test]
fn a_token_from_the_cli_works_against_roster_serve() {
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
    // Leaving out whom the token acts as is refused: operator tokens are never implied.
    let implied = roster(&store).args(["token", "create"]).output().unwrap();
    assert!(!implied.status.success());
    let out = ok(roster(&store).args([
        "token",
        "create",
        "--as",
        "olive@acme.example",
        "--label",
        "test",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let secret = v["results"][0]["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("rst_"), "{secret}");
    let listed = ok(roster(&store).args(["token", "list"]));
    assert!(
        listed.contains("olive@acme.example") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&secret) && !listed.contains(&roster::secret::hash(&secret)));

    let mut child = roster(&store)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();

    let (status, body) = get(&addr, "/v1/me", &secret);
    assert!(status.contains(" 200 "), "{status}: {body}");
    assert!(body.contains("olive@acme.example"), "{body}");
    let (status, _) = get(&addr, "/v1/me", "rst_wrong");
    assert!(status.contains(" 401 "), "{status}");

    // Revoked from the CLI while the server runs: the server reads the same store.
    let id = ok(roster(&store).args(["token", "list", "--json"]));
    let id: serde_json::Value = serde_json::from_str(&id).unwrap();
    let id = id[0]["id"].as_str().unwrap().to_string();
    ok(roster(&store).args(["--as", "olive@acme.example", "token", "revoke", &id]));
    let (status, body) = get(&addr, "/v1/me", &secret);
    assert!(status.contains(" 401 "), "{status}: {body}");

    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest, vec!["roster serve stopped".to_string()]);
}
