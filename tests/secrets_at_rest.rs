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
    // No token, no header: the public routes are called as a stranger would.
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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

/// The status and JSON body of an answer from `http`.
fn answer(raw: &str) -> (u16, Value) {
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default();
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::Null),
    )
}

/// A running `roster serve` at trace level; its log goes to `log`.
fn serve(
    home: &Path,
    log: &Path,
) -> (
    std::process::Child,
    String,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let mut child = roster(home)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    (child, addr, lines)
}

/// The secret of the newest `marker` link (e.g. `password-reset#`) in the mail files,
/// waiting (bounded) for the server's background sender to write it.
fn mailed_secret(store: &Path, marker: &str, not: &[String]) -> String {
    for _ in 0..200 {
        for p in walk(store) {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for (_, rest) in text
                .match_indices(marker)
                .map(|(i, _)| ((), &text[i + marker.len()..]))
            {
                let secret: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                    .collect();
                if !secret.is_empty() && !not.contains(&secret) {
                    return secret;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let files: Vec<String> = walk(store)
        .iter()
        .map(|p| {
            let t = std::fs::read_to_string(p).unwrap_or_default();
            let i = t.find("reset").unwrap_or(0);
            format!("{}: {}", p.display(), &t[i..(i + 200).min(t.len())])
        })
        .collect();
    panic!(
        "no mail with a {marker} link under {}: {files:#?}",
        store.display()
    );
}

/// Issue 6, point 5, for the secrets of signing in: session tokens (`POST /v1/sessions`),
/// reset secrets the server makes and mails, an invitation secret accepted by link, and
/// the passwords themselves. None is in the store's files, the audit trail or the
/// trace-level server log; the store keeps passwords only as argon2id PHC strings.
#[test]
fn secrets_sessions_mailed_links_and_passwords_are_nowhere_at_rest() {
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
        &["user", "reset-password", "bob@acme.example"],
        &mut secrets,
    );
    issued(
        home,
        &["user", "invite", "carol@acme.example"],
        &mut secrets,
    );
    let (bob_reset, carol_invite) = (secrets[0].clone(), secrets[1].clone());
    let passwords = [
        "Bob's first password 1",
        "Bob's second password 2",
        "Carol's own password 3",
    ];

    let log_path = home.join("serve.log");
    let (mut child, addr, lines) = serve(home, &log_path);
    let post = |path: &str, token: &str, body: Value| {
        answer(&http(&addr, "POST", path, token, &body.to_string()))
    };
    let sign_in = |email: &str, password: &str| {
        post(
            "/v1/sessions",
            "",
            serde_json::json!({"org": "acme", "email": email, "password": password}),
        )
    };

    // Bob sets a password with the CLI's reset link, signs in, uses the session, signs out.
    let (st, v) = post(
        "/v1/password-resets/complete",
        "",
        serde_json::json!({"secret": bob_reset, "password": passwords[0]}),
    );
    assert_eq!(st, 200, "{v}");
    let (st, v) = sign_in("bob@acme.example", passwords[0]);
    assert_eq!(st, 201, "{v}");
    let session = v["token"].as_str().unwrap().to_string();
    assert_eq!(answer(&http(&addr, "GET", "/v1/me", &session, "")).0, 200);
    assert_eq!(
        sign_in("bob@acme.example", &format!("{}x", passwords[0])).0,
        401
    );
    assert_eq!(
        answer(&http(&addr, "DELETE", "/v1/sessions/current", &session, "")).0,
        200
    );
    assert_eq!(answer(&http(&addr, "GET", "/v1/me", &session, "")).0, 401);
    secrets.push(session);

    // "Forgot password": the server makes the secret and mails it; Bob completes it.
    let (st, v) = post(
        "/v1/password-resets",
        "",
        serde_json::json!({"org": "acme", "email": "bob@acme.example"}),
    );
    assert_eq!(st, 202, "{v}");
    let mailed = mailed_secret(&home.join("store"), "password-reset#", &secrets);
    let (st, v) = post(
        "/v1/password-resets/complete",
        "",
        serde_json::json!({"secret": mailed, "password": passwords[1]}),
    );
    assert_eq!(st, 200, "the mailed link works: {v}");
    secrets.push(mailed);
    let (st, v) = sign_in("bob@acme.example", passwords[1]);
    assert_eq!(st, 201, "{v}");
    secrets.push(v["token"].as_str().unwrap().to_string());

    // Carol accepts her invitation by its secret alone and signs in.
    let (st, v) = post(
        "/v1/invitations/accept",
        "",
        serde_json::json!({"secret": carol_invite, "password": passwords[2], "first_name": "Carol"}),
    );
    assert_eq!(st, 201, "{v}");
    let (st, v) = sign_in("carol@acme.example", passwords[2]);
    assert_eq!(st, 201, "{v}");
    secrets.push(v["token"].as_str().unwrap().to_string());

    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let stdout_rest: Vec<String> = lines.map_while(Result::ok).collect();
    child.wait().unwrap();

    let trail = ok(home, &["--json", "audit", "--limit", "1000"]);
    let store_files: Vec<PathBuf> = walk(&home.join("store"))
        .into_iter()
        .filter(|p| {
            !p.components()
                .any(|c| c.as_os_str() == "outbox" || c.as_os_str() == "maildir")
        })
        .collect();
    let mut places: Vec<(String, String)> = store_files
        .iter()
        .map(|p| {
            (
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    let all_store: String = places.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        all_store.matches("$argon2id$").count() >= 3,
        "the store keeps each password as an argon2id hash"
    );
    let server_log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        server_log.contains("/v1/sessions"),
        "the server logged the sign-ins at trace level"
    );
    places.push(("the server log".into(), server_log));
    places.push(("the server's output".into(), stdout_rest.join("\n")));
    places.push(("the audit trail".into(), trail));
    assert_eq!(secrets.len(), 6, "{secrets:?}");
    for s in &secrets {
        let raw = s.trim_start_matches("rst_");
        for (where_, text) in &places {
            assert!(
                !text.contains(raw),
                "{where_} holds an issued secret ({}…)",
                &raw[..6.min(raw.len())]
            );
        }
    }
    for p in passwords {
        for (where_, text) in &places {
            assert!(!text.contains(p), "{where_} holds the password {p:?}");
        }
    }
}
