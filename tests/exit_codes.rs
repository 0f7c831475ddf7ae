//! The exit codes of the real `roster` binary, one cause each (README "Exit codes"):
//! 0 done, 1 refused by a rule, 2 usage, 3 not found, 4 conflict, 5 unreachable. And
//! `--dry-run` never ignored: honoured, or refused with exit 2 before anything happens.

use std::path::PathBuf;
use std::process::Command;

struct Env {
    tmp: tempfile::TempDir,
    store: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    /// A store with one organisation, `acme`, owned by alice@acme.example.
    fn with_org() -> Env {
        let tmp = tempfile::tempdir().expect("temp dir");
        let store = tmp.path().join("store");
        let env = Env { tmp, store };
        env.expect(0, &["init"]);
        env.expect(
            0,
            &[
                "org",
                "create",
                "acme",
                "--name",
                "Acme Ltd",
                "--owner",
                "alice@acme.example",
                "--owner-first-name",
                "Alice",
            ],
        );
        env
    }

    fn run_on(&self, store: &std::path::Path, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("--store")
            .arg(store)
            .args(args)
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("data"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .output()
            .expect("run roster");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and insists on `code`; returns the run.
    fn expect(&self, code: i32, args: &[&str]) -> Run {
        let r = self.run_on(&self.store, args);
        assert_eq!(
            r.code, code,
            "roster {args:?}\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        r
    }
}

#[test]
fn exit_0_when_done() {
    let env = Env::with_org();
    let r = env.expect(
        0,
        &[
            "--org",
            "acme",
            "user",
            "add",
            "bob@acme.example",
            "--first-name",
            "Bob",
        ],
    );
    assert!(r.stdout.contains("bob@acme.example"), "{}", r.stdout);
}

#[test]
fn exit_1_when_a_rule_refuses() {
    let env = Env::with_org();
    // The owner cannot be disabled: a rule, not a missing thing.
    let r = env.expect(
        1,
        &["--org", "acme", "user", "delete", "alice@acme.example"],
    );
    assert!(r.stderr.starts_with("roster: "), "{}", r.stderr);
}

#[test]
fn exit_2_for_usage_mistakes() {
    let env = Env::with_org();
    env.expect(2, &["user", "frobnicate"]);
    env.expect(2, &["user", "list", "--level", "emperor"]);
}

#[test]
fn exit_3_when_what_is_named_does_not_exist() {
    let env = Env::with_org();
    let r = env.expect(
        3,
        &["--org", "acme", "user", "disable", "nobody@acme.example"],
    );
    assert!(
        r.stderr.contains("no account nobody@acme.example"),
        "{}",
        r.stderr
    );
    env.expect(3, &["--org", "acme", "user", "show", "nobody@acme.example"]);
    env.expect(3, &["--org", "nope", "user", "list"]);
    env.expect(3, &["--as", "nobody@acme.example", "user", "list"]);
}

#[test]
fn exit_4_when_the_store_is_busy() {
    let env = Env::with_org();
    let store = roster::backend::file::FileStore::open(&env.store).unwrap();
    let held = store.hold_lock().unwrap();
    let r = env.expect(4, &["--org", "acme", "group", "create", "blocked"]);
    assert!(r.stderr.contains("is busy"), "{}", r.stderr);
    drop(held);
    env.expect(0, &["--org", "acme", "group", "create", "blocked"]);
}

#[test]
fn exit_5_when_the_store_or_server_cannot_be_reached() {
    let env = Env::with_org();
    let missing = env.tmp.path().join("no-such-store");
    let r = env.run_on(&missing, &["user", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("there is no store at"), "{}", r.stderr);
    // Nothing listens on port 1.
    let r = env.expect(
        5,
        &[
            "--server",
            "http://127.0.0.1:1",
            "--token",
            "x",
            "user",
            "list",
        ],
    );
    assert!(r.stderr.contains("cannot reach"), "{}", r.stderr);
}

#[test]
fn dry_run_is_refused_where_it_cannot_be_honoured() {
    let env = Env::with_org();
    let config = env.tmp.path().join("config/roster/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let text = "[contexts.kb]\nserver = \"http://127.0.0.1:1\"\norg = \"kb\"\n";
    std::fs::write(&config, text).unwrap();
    let r = env.expect(2, &["context", "use", "kb", "--dry-run"]);
    assert!(
        r.stderr
            .contains("--dry-run is not supported by `roster context use`"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        text,
        "config.toml untouched"
    );
    for args in [
        &["context", "unset", "--dry-run"][..],
        &["--dry-run", "login", "--email", "a@x", "--password-stdin"],
        &["--dry-run", "logout"],
        &["--dry-run", "password", "forgot", "--email", "a@x"],
        &[
            "--dry-run",
            "password",
            "reset",
            "--secret",
            "s",
            "--password-stdin",
        ],
        &[
            "--dry-run",
            "invitation",
            "accept",
            "--secret",
            "s",
            "--password-stdin",
        ],
        &["--dry-run", "mail", "send"],
    ] {
        env.expect(2, args);
    }
    // Honoured: the change is decided, not made.
    let r = env.expect(
        0,
        &["--org", "acme", "--dry-run", "group", "create", "Team"],
    );
    assert!(r.stdout.contains("dry run"), "{}", r.stdout);
    let r = env.expect(0, &["--org", "acme", "--json", "group", "list"]);
    assert_eq!(r.stdout.trim(), "[]");
}
