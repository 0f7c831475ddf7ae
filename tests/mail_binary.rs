//! Mail from the real binary, to a real SMTP server on loopback: `roster user invite`
//! on a local store mails the link (and then does not print it), and `roster serve`
//! mails what its API queued, from its sender loop (and then replies without the
//! link's secret: `"mailed": true`).

mod mail_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn roster(store: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
    c.env("ROSTER_STORE", store)
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT")
        .env_remove("ROSTER_SMTP_USER")
        .env_remove("ROSTER_SMTP_PASSWORD");
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

fn store_with_org(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let store = dir.join("store");
    ok(roster(&store).args(["init"]));
    std::fs::write(store.join("roster.toml"), mail_support::smtp_toml(port)).unwrap();
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
    store
}

/// The link in the message received for `to`, waiting for it (bounded).
fn link_for(sink: &mail_support::Sink, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(m) = mail_support::received(sink)
            .into_iter()
            .find(|m| m.contains(to))
        {
            return m
                .lines()
                .map(str::trim)
                .find(|l| l.contains("/invitations/accept#"))
                .unwrap_or_else(|| panic!("no link in {m}"))
                .to_string();
        }
        assert!(Instant::now() < deadline, "no mail for {to} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_cli_mails_the_invitation_and_keeps_the_link_off_the_screen() {
    let Some(sink) = mail_support::sink() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_org(dir.path(), sink.port);
    let out =
        ok(roster(&store).args(["user", "invite", "bob@acme.example", "--first-name", "Bob"]));
    assert!(out.contains("mailed"), "{out}");
    let link = link_for(&sink, "bob@acme.example");
    let secret = roster::credentials::links::secret_of(&link);
    assert!(!out.contains(secret), "the link went by mail only: {out}");
    // The invitee accepts with the mailed secret, once.
    let id = ok(roster(&store).args(["invitation", "list", "--json"]));
    let id: serde_json::Value = serde_json::from_str(&id).unwrap();
    let id = id[0]["invitation"]["id"].to_string();
    ok(roster(&store).args(["invitation", "accept", &id, "--secret", secret]));
    let again = roster(&store)
        .args(["invitation", "accept", &id, "--secret", secret])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let listed = ok(roster(&store).args(["mail", "list"]));
    assert!(listed.contains("sent"), "{listed}");
}

#[test]
fn roster_serve_mails_an_invitation_made_through_the_api() {
    let Some(sink) = mail_support::sink() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_org(dir.path(), sink.port);
    let out = ok(roster(&store).args(["token", "create", "--as", "olive@acme.example", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let token = v["results"][0]["secret"].as_str().unwrap().to_string();
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

    let body = r#"{"email":"carol@acme.example","first_name":"Carol"}"#;
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /v1/orgs/acme/invitations HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    let json = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    // Mailed over SMTP: the reply says so and keeps the secret to the invitee's mail.
    assert_eq!(v["mailed"], true, "{json}");
    assert!(
        v.get("secret").is_none(),
        "the secret went by mail only: {json}"
    );

    let link = link_for(&sink, "carol@acme.example");
    let secret = roster::credentials::links::secret_of(&link);
    let stored = v["invitation"]["secret_hash"].as_str();
    assert!(
        stored.is_none_or(|h| h == roster::secret::hash(secret)),
        "the mailed link is the invitation's"
    );
    assert!(!json.contains(secret), "{json}");

    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
}
