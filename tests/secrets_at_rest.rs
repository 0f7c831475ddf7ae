//! Issue 6, point 5 (secrets): every secret the real binary hands out (API tokens,
//! invitation links, password-reset links, resent invitations, invitations made over
//! HTTP) is found nowhere in the store's files, in the audit trail, or in what
//! `roster serve` logs at the most verbose level while the secrets are used, right and
//! wrong. Secrets are collected from every `"secret"` field of the JSON the binary
//! prints, so a new kind of secret printed that way is covered without changing this.
//! (Constant-time comparison: core::token::authenticate and the invitation check use
//! decide::constant_time_eq; the 429 for repeated bad tokens is
//! server_api::repeated_bad_tokens_from_one_address_are_slowed_down.)

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn roster(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
    c.arg("--store")
        .arg(home.join("store"))
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    c
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = roster(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "roster {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every string under a `"secret"` key, anywhere in `v`.
fn secrets_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("secret", Value::String(s)) => out.push(s.clone()),
                    _ => secrets_in(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| secrets_in(x, out)),
        _ => {}
    }
}

fn issued(home: &Path, args: &[&str], secrets: &mut Vec<String>) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = ok(home, &all);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
    let before = secrets.len();
    secrets_in(&v, secrets);
    assert!(
        secrets.len() > before,
        "roster {args:?} printed a secret: {out}"
    );
}

fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn secrets_no_issued_secret_is_in_the_store_the_trail_or_the_server_log() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    ok(home, &["init"]);
    ok(
        home,
        &[
            "org",
            "create",
            "acme",
            "--name",
            "Acme",
            "--owner",
            "olive@acme.example",
            "--owner-first-name",
            "Olive",
        ],
    );
    ok(
        home,
        &["user", "add", "bob@acme.example", "--first-name", "Bob"],
    );
    let mut secrets = vec![];
    issued(
        home,
        &[
            "token",
            "create",
            "--as",
            "olive@acme.example",
            "--label",
            "a",
        ],
        &mut secrets,
    );
    issued(
        home,
        &["token", "create", "--operator", "--label", "ops"],
        &mut secrets,
    );
    issued(
        home,
        &["user", "invite", "carol@acme.example"],
        &mut secrets,
    );
    issued(
        home,
        &["user", "reset-password", "bob@acme.example"],
        &mut secrets,
    );
    let invitations: Value = serde_json::from_str(&ok(
        home,
        &["--json", "invitation", "list", "--status", "pending"],
    ))
    .unwrap();
    let inv = invitations[0]["invitation"]["id"].to_string();
    issued(home, &["invitation", "resend", &inv], &mut secrets);
    let owner_token = secrets[0].clone();

    let log_path = home.join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = roster(home)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    // Use every secret, right and wrong, so that any logging of them would show.
    for s in &secrets {
        http(&addr, "GET", "/v1/me", s, "");
        http(&addr, "GET", "/v1/me", &format!("{s}x"), "");
    }
    let created = http(
        &addr,
        "POST",
        "/v1/orgs/acme/invitations",
        &owner_token,
        r#"{"email":"dan@acme.example"}"#,
    );
    let body = created.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: Value = serde_json::from_str(body.trim()).unwrap_or(Value::Null);
    let before = secrets.len();
    secrets_in(&v, &mut secrets);
    assert!(
        secrets.len() > before,
        "POST invitations answers with the secret once: {created}"
    );
    let accept = format!(r#"{{"secret":"{}"}}"#, secrets.last().unwrap());
    let id = v["invitation"]["id"]
        .as_str()
        .map(String::from)
        .or_else(|| v["id"].as_str().map(String::from))
        .unwrap_or_default();
    http(
        &addr,
        "POST",
        &format!("/v1/orgs/acme/invitations/{id}/accept"),
        "",
        &accept,
    );

    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let stdout_rest: Vec<String> = lines.map_while(Result::ok).collect();
    child.wait().unwrap();

    let trail = ok(home, &["--json", "audit", "--limit", "1000"]);
    // The mail spool (`outbox/`) and the maildir hold the messages themselves, links
    // and all: they are the delivery, not the store, and only their owner may read them.
    let (mail, store_files): (Vec<_>, Vec<_>) =
        walk(&home.join("store")).into_iter().partition(|p| {
            p.components()
                .any(|c| c.as_os_str() == "outbox" || c.as_os_str() == "maildir")
        });
    for p in &mail {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is readable by others", p.display());
    }
    let mut places: Vec<(String, String)> = store_files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap_or_default();
            (
                p.display().to_string(),
                String::from_utf8_lossy(&b).into_owned(),
            )
        })
        .collect();
    let server_log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(!server_log.is_empty(), "the server logged at trace level");
    places.push(("the server log".into(), server_log));
    places.push(("the server's output".into(), stdout_rest.join("\n")));
    places.push(("the audit trail".into(), trail));
    assert!(secrets.len() >= 6, "{secrets:?}");
    for s in &secrets {
        // The raw part of an API token too, in case only its prefix were cut off.
        let raw = s.trim_start_matches("rst_");
        for (where_, text) in &places {
            assert!(
                !text.contains(raw),
                "{where_} holds an issued secret ({}…)",
                &raw[..6.min(raw.len())]
            );
        }
    }
}
