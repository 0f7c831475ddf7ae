//! Passwords and signing in with the real `roster` binary: accepting an invitation with
//! a password, resetting one with a link (once), `roster login` saving a session as the
//! current context, and `user revoke-sessions` ending it. Passwords go in on stdin; no
//! output ever carries the argon2id hash, while the store keeps it.

use roster::backend::Backend;
use roster::backend::file::FileStore;
use roster::server::{Config, Server};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

struct Env {
    tmp: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        env.ok(&["init"], None);
        env.ok(
            &[
                "org",
                "create",
                "acme",
                "--name",
                "Acme",
                "--owner",
                "alice@acme.example",
                "--owner-first-name",
                "Alice",
            ],
            None,
        );
        env
    }

    fn store(&self) -> PathBuf {
        self.tmp.path().join("store")
    }

    /// The binary with a private home; `--store` unless `remote`.
    fn run(&self, args: &[&str], stdin: Option<&str>, remote: bool) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
        if !remote {
            c.arg("--store").arg(self.store());
        }
        c.args(args)
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("data"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("run roster");
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stdout.contains("argon2") && !run.stderr.contains("argon2"),
            "a password hash was printed: {} {}",
            run.stdout,
            run.stderr
        );
        run
    }

    #[track_caller]
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let r = self.run(args, stdin, false);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    #[track_caller]
    fn refused(&self, args: &[&str], stdin: Option<&str>) -> String {
        let r = self.run(args, stdin, false);
        assert_eq!(r.code, 1, "{args:?} should fail: {}", r.stdout);
        r.stderr
    }
}

fn secret_of(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["results"][0]["secret"].as_str().unwrap().to_string()
}

fn store_holds_argon2id(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            store_holds_argon2id(&p)
        } else {
            std::fs::read(&p).is_ok_and(|b| b.windows(10).any(|w| w == b"$argon2id$"))
        }
    })
}

const AS_ALICE: &[&str] = &["--org", "acme", "--as", "alice@acme.example"];

fn as_alice<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = AS_ALICE.to_vec();
    all.extend_from_slice(args);
    all
}

#[test]
fn an_invitee_accepts_with_a_password_and_a_reset_link_works_once() {
    let env = Env::new();
    let out = env.ok(
        &as_alice(&["--json", "user", "invite", "ivy@acme.example"]),
        None,
    );
    let secret = secret_of(&out);
    let short = env.refused(
        &[
            "invitation",
            "accept",
            "--secret",
            &secret,
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(short.contains("at least 8"), "{short}");
    let out = env.ok(
        &[
            "--json",
            "invitation",
            "accept",
            "--secret",
            &secret,
            "--password-stdin",
        ],
        Some("ivy's password\n"),
    );
    assert!(out.contains("ivy@acme.example"), "{out}");
    let again = env.refused(
        &[
            "invitation",
            "accept",
            "--secret",
            &secret,
            "--password-stdin",
        ],
        Some("ivy's password\n"),
    );
    assert!(again.contains("already used"), "{again}");

    let out = env.ok(
        &as_alice(&["--json", "user", "reset-password", "ivy@acme.example"]),
        None,
    );
    let reset = secret_of(&out);
    let done = env.ok(
        &["password", "reset", "--secret", &reset, "--password-stdin"],
        Some("ivy's new password\n"),
    );
    assert!(done.contains("✓"), "{done}");
    let twice = env.refused(
        &["password", "reset", "--secret", &reset, "--password-stdin"],
        Some("another password\n"),
    );
    assert!(twice.contains("already used"), "{twice}");
    // Without a terminal and without --password-stdin there is nobody to ask.
    let no_tty = env.refused(&["password", "reset", "--secret", &reset], None);
    assert!(no_tty.contains("--password-stdin"), "{no_tty}");

    env.ok(&as_alice(&["--json", "audit", "--limit", "500"]), None);
    assert!(store_holds_argon2id(&env.store()));
}

#[test]
fn login_saves_a_session_that_revoke_sessions_ends() {
    let env = Env::new();
    let out = env.ok(
        &as_alice(&["--json", "user", "invite", "ivy@acme.example"]),
        None,
    );
    let secret = secret_of(&out);
    env.ok(
        &[
            "invitation",
            "accept",
            "--secret",
            &secret,
            "--password-stdin",
        ],
        Some("ivy's password\n"),
    );
    let store: Arc<dyn Backend> = Arc::new(FileStore::open(&env.store()).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store, Config::default()).unwrap();
    let url = server.url();
    let login = |password: &str| {
        env.run(
            &[
                "--server",
                &url,
                "--org",
                "acme",
                "login",
                "--email",
                "ivy@acme.example",
                "--password-stdin",
            ],
            Some(password),
            true,
        )
    };
    let wrong = login("not my password\n");
    assert_eq!(wrong.code, 1);
    assert!(wrong.stderr.contains("not right"), "{}", wrong.stderr);
    let ok = login("ivy's password\n");
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("signed in to acme"), "{}", ok.stdout);
    let config = env.tmp.path().join("config/roster/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("current-context = \"acme\""), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o077,
        0,
        "the config holds a token: private to its owner"
    );

    // The saved context is current: a plain command works on the server as ivy.
    let me = env.run(&["user", "show", "ivy@acme.example"], None, true);
    assert_eq!(me.code, 0, "{}", me.stderr);

    env.ok(
        &as_alice(&["user", "revoke-sessions", "ivy@acme.example"]),
        None,
    );
    let after = env.run(&["user", "show", "ivy@acme.example"], None, true);
    assert_eq!(after.code, 1, "{}", after.stdout);
    assert!(after.stderr.contains("revoked"), "{}", after.stderr);
}

/// The invitee and the account holder have no token: over `--server` the link's secret
/// is their credential, and the server (not the client) hashes the password.
#[test]
fn links_are_redeemed_over_a_server_without_a_token() {
    let env = Env::new();
    let out = env.ok(
        &as_alice(&["--json", "user", "invite", "ivy@acme.example"]),
        None,
    );
    let invitation = secret_of(&out);
    let out = env.ok(
        &as_alice(&["--json", "user", "reset-password", "alice@acme.example"]),
        None,
    );
    let reset = secret_of(&out);
    let store: Arc<dyn Backend> = Arc::new(FileStore::open(&env.store()).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store, Config::default()).unwrap();
    let url = server.url();
    let link = roster::credentials::links::invitation_link(&url, &invitation);
    let accept = |password: &str| {
        env.run(
            &[
                "--server",
                &url,
                "invitation",
                "accept",
                "--secret",
                &link,
                "--password-stdin",
            ],
            Some(password),
            true,
        )
    };
    let first = accept("ivy's password\n");
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.contains("invitation accepted") && first.stdout.contains("ivy@acme.example"),
        "{}",
        first.stdout
    );
    let again = accept("ivy's password\n");
    assert_eq!(again.code, 1, "{}", again.stdout);
    assert!(again.stderr.contains("already used"), "{}", again.stderr);

    let reset_with = |password: &str| {
        env.run(
            &[
                "--server",
                &url,
                "password",
                "reset",
                "--secret",
                &reset,
                "--password-stdin",
            ],
            Some(password),
            true,
        )
    };
    let done = reset_with("alice's new password\n");
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stdout.contains("new password is set"),
        "{}",
        done.stdout
    );
    let twice = reset_with("yet another password\n");
    assert_eq!(twice.code, 1, "{}", twice.stdout);
    assert!(twice.stderr.contains("already used"), "{}", twice.stderr);

    // Both can now sign in with what they chose.
    for (email, password) in [
        ("ivy@acme.example", "ivy's password\n"),
        ("alice@acme.example", "alice's new password\n"),
    ] {
        let login = env.run(
            &[
                "--server",
                &url,
                "--org",
                "acme",
                "login",
                "--email",
                email,
                "--password-stdin",
            ],
            Some(password),
            true,
        );
        assert_eq!(login.code, 0, "{email}: {}", login.stderr);
    }
}

/// `roster logout` ends the saved session on the server and forgets its token; a
/// session someone already revoked is forgotten all the same. `roster password forgot`
/// answers the same for any email and mails (here: queues) a reset for a real one.
#[test]
fn logout_ends_the_session_and_forgot_asks_for_a_reset_link() {
    let env = Env::new();
    let out = env.ok(
        &as_alice(&["--json", "user", "invite", "ivy@acme.example"]),
        None,
    );
    let secret = secret_of(&out);
    env.ok(
        &[
            "invitation",
            "accept",
            "--secret",
            &secret,
            "--password-stdin",
        ],
        Some("ivy's password\n"),
    );
    let store: Arc<dyn Backend> = Arc::new(FileStore::open(&env.store()).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store.clone(), Config::default()).unwrap();
    let url = server.url();
    let login = || {
        let r = env.run(
            &[
                "--server",
                &url,
                "--org",
                "acme",
                "login",
                "--email",
                "ivy@acme.example",
                "--password-stdin",
            ],
            Some("ivy's password\n"),
            true,
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    let config = env.tmp.path().join("config/roster/config.toml");
    let has_token = || {
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("token =")
    };

    login();
    assert!(has_token());
    let out = env.run(&["logout"], None, true);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("signed out"), "{}", out.stdout);
    assert!(!has_token(), "the token is gone from the config");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains(&url),
        "the context stays, for the next login: {text}"
    );
    // The server ended it too: no live session of ivy's is left.
    let live = roster::backend::query(store.as_ref(), |d| {
        d.tokens
            .values()
            .filter(|t| t.session && !t.revoked)
            .count()
    })
    .unwrap();
    assert_eq!(live, 0);
    let again = env.run(&["logout"], None, true);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("no session token"),
        "{}",
        again.stderr
    );

    // Revoked meanwhile: signing out still forgets it, and says why.
    login();
    env.ok(
        &as_alice(&["user", "revoke-sessions", "ivy@acme.example"]),
        None,
    );
    let out = env.run(&["logout"], None, true);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("already ended"), "{}", out.stdout);
    assert!(!has_token());

    // Forgot password: the same answer for a real and an unknown email.
    let forgot = |email: &str| {
        let r = env.run(
            &[
                "--server", &url, "--org", "acme", "password", "forgot", "--email", email,
            ],
            None,
            true,
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout.replace(email, "EMAIL")
    };
    assert_eq!(forgot("alice@acme.example"), forgot("nobody@acme.example"));
    let resets = roster::backend::query(store.as_ref(), |d| d.resets.len()).unwrap();
    assert_eq!(resets, 1, "one reset, for alice");
}
