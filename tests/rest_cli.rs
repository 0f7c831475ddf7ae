//! The real binary with `--server`, `--token` and contexts: against a real
//! `roster serve` on 127.0.0.1:0 for the remote work, and without any server for the
//! config file and the checks made before anything is sent.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A private home: the config file, the store, and nothing of the caller's environment.
struct Env {
    tmp: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.tmp.path().join("store")
    }

    fn config(&self) -> PathBuf {
        self.tmp
            .path()
            .join("config")
            .join("roster")
            .join("config.toml")
    }

    fn write_config(&self, text: &str) {
        let path = self.config();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
        for var in [
            "ROSTER_STORE",
            "ROSTER_ORG",
            "ROSTER_SERVER",
            "ROSTER_TOKEN",
            "ROSTER_CONTEXT",
        ] {
            c.env_remove(var);
        }
        c.env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("data"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.command();
        c.args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().expect("run roster");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "roster {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    /// Runs and insists on exit 1; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 1,
            "roster {args:?} should fail:\n{}{}",
            r.stdout, r.stderr
        );
        r.stderr
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

const TWO_CONTEXTS: &str = r#"# the console's settings live here too
theme = "mono"

[contexts.kb]
server = "https://roster.example.org"
token_env = "ROSTER_KB_TOKEN"
org = "kb"

[contexts.lab]
server = "http://127.0.0.1:1"
token_file = "lab.token"
"#;

#[test]
fn contexts_are_listed_used_shown_and_unset() {
    let env = Env::new();
    env.write_config(TWO_CONTEXTS);

    let list = env.ok(&["context", "list"]);
    assert!(
        list.contains("kb") && list.contains("https://roster.example.org"),
        "{list}"
    );
    assert!(
        list.contains("$ROSTER_KB_TOKEN") && list.contains("lab.token"),
        "{list}"
    );
    assert!(!list.contains('*'), "nothing is current yet:\n{list}");

    let used = env.ok(&["context", "use", "kb"]);
    assert!(used.contains("kb"), "{used}");
    let list = env.ok(&["context", "list"]);
    let kb_line = list
        .lines()
        .find(|l| l.contains("roster.example.org"))
        .unwrap();
    assert!(kb_line.starts_with('*'), "{list}");
    let text = std::fs::read_to_string(env.config()).unwrap();
    assert!(
        text.contains("theme = \"mono\"") && text.contains("# the console's settings"),
        "the rest of the file is kept:\n{text}"
    );

    let show = env.ok(&["context", "show"]);
    assert!(
        show.contains("kb (current)") && show.contains("$ROSTER_KB_TOKEN"),
        "{show}"
    );
    assert!(show.contains("not set"), "the variable is not set:\n{show}");

    let err = env.refused(&["context", "use", "nope"]);
    assert!(
        err.contains("no context 'nope'") && err.contains("kb, lab"),
        "{err}"
    );

    env.ok(&["context", "unset"]);
    assert!(!env.ok(&["context", "list"]).contains('*'));
}

#[test]
fn a_token_is_never_printed_and_a_readable_one_is_warned_about() {
    let env = Env::new();
    env.write_config(
        "current-context = \"inline\"\n[contexts.inline]\nserver = \"https://x.example\"\ntoken = \"supersecret-123\"\n",
    );
    std::fs::set_permissions(env.config(), std::fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        &["context", "show"][..],
        &["context", "list"],
        &["context", "list", "--json"],
        &["context", "show", "--json"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            !r.stdout.contains("supersecret") && !r.stderr.contains("supersecret"),
            "{args:?} printed the token:\n{}{}",
            r.stdout,
            r.stderr
        );
    }
    let r = env.run(&["context", "show"]);
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
}

#[test]
fn a_token_file_readable_by_others_is_warned_about() {
    let env = Env::new();
    env.write_config(TWO_CONTEXTS);
    let token = env.config().parent().unwrap().join("lab.token");
    std::fs::write(&token, "tok\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = env.run(&["--context", "lab", "user", "list"]);
    assert_eq!(r.code, 5, "nothing listens on port 1");
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot reach http://127.0.0.1:1"),
        "{}",
        r.stderr
    );
}

#[test]
fn server_options_are_checked_before_anything_is_sent() {
    let env = Env::new();
    let url = format!("http://127.0.0.1:{}", closed_port());

    let err = env.refused(&[
        "--server",
        &url,
        "--token",
        "t",
        "--as",
        "a@b.example",
        "user",
        "list",
    ]);
    assert!(err.contains("token decides who acts"), "{err}");
    let err = env.refused(&[
        "--server",
        &url,
        "--token",
        "t",
        "--operator",
        "user",
        "list",
    ]);
    assert!(err.contains("token decides who acts"), "{err}");

    let err = env.refused(&["--server", &url, "user", "list"]);
    assert!(
        err.contains("needs a token") && err.contains("ROSTER_TOKEN"),
        "{err}"
    );

    // An address roster will not use is a server it cannot reach (exit 5).
    let r = env.run(&[
        "--server",
        "http://roster.example.org",
        "--token",
        "t",
        "user",
        "list",
    ]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let err = r.stderr;
    assert!(err.contains("in the clear"), "{err}");

    let r = env.run(&["--server", &url, "--token", "t", "user", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let err = r.stderr;
    assert_eq!(
        err.trim(),
        format!("roster: cannot reach {url}: connection refused")
    );
}

#[test]
fn the_current_context_is_used_unless_a_store_is_named() {
    let env = Env::new();
    let store = env.store();
    env.ok(&["--store", store.to_str().unwrap(), "init", "--demo"]);
    let url = format!("http://127.0.0.1:{}", closed_port());
    env.write_config(&format!(
        "current-context = \"down\"\n[contexts.down]\nserver = \"{url}\"\ntoken_env = \"DOWN_TOKEN\"\n"
    ));

    let r = env.run_with(&["user", "list", "--org", "kb"], &[("DOWN_TOKEN", "t")]);
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("cannot reach"), "{}", r.stderr);

    let out = env.ok(&[
        "--store",
        store.to_str().unwrap(),
        "--org",
        "kb",
        "user",
        "list",
    ]);
    assert!(out.contains("dana.okafor@acme-kb.example"), "{out}");

    let r = env.run(&["user", "list"]);
    assert!(
        r.stderr.contains("$DOWN_TOKEN, which is not set"),
        "{}",
        r.stderr
    );
}

/// `roster serve` on the env's store, on a free port; killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(env: &Env) -> Served {
        let log = std::fs::File::create(env.tmp.path().join("serve.log")).unwrap();
        let mut child = env
            .command()
            .args(["--store", env.store().to_str().unwrap()])
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start roster serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        // A bound, not a measurement: a server that never starts fails the test
        // instead of hanging it.
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("roster serve did not say where it listens");
            }
        };
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Env {
    /// A demo store with a token for `email` of organisation `org`; returns the secret.
    fn token(&self, org: &str, email: &str) -> String {
        let out = self.ok(&[
            "--store",
            self.store().to_str().unwrap(),
            "--org",
            org,
            "--as",
            email,
            "--json",
            "token",
            "create",
        ]);
        secret_of(&out)
    }

    /// Runs against the local store directly (as the server's machine would).
    fn local(&self, args: &[&str]) -> Run {
        let store = self.store();
        let mut all = vec!["--store", store.to_str().unwrap()];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

fn secret_of(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["results"][0]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("no secret in {json}"))
        .to_string()
}

const DANA: &str = "dana.okafor@acme-kb.example";
const BEN: &str = "ben.carter@acme-kb.example";
const AROHA: &str = "aroha.ngata@acme-kb.example";

#[test]
fn every_command_works_against_the_server() {
    let env = Env::new();
    env.ok(&["--store", env.store().to_str().unwrap(), "init", "--demo"]);
    let token = env.token("kb", DANA);
    let server = Served::start(&env);
    let remote = |args: &[&str]| {
        let mut all = vec!["--server", &server.url, "--token", &token];
        all.extend_from_slice(args);
        env.run(&all)
    };

    // Reads run over the replica of kb, and see nothing of other organisations.
    let list = remote(&["user", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.contains(DANA) && list.stdout.contains(BEN),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains("harbour-eng"), "{}", list.stdout);

    // A change goes through the server and lands in the store.
    let approve = remote(&["user", "approve", AROHA]);
    assert_eq!(approve.code, 0, "{}", approve.stderr);
    assert!(approve.stdout.contains(AROHA), "{}", approve.stdout);
    let pending = env.local(&["--org", "kb", "user", "list", "--pending"]);
    assert!(!pending.stdout.contains(AROHA), "{}", pending.stdout);
    let pending = remote(&["user", "list", "--pending"]);
    assert!(!pending.stdout.contains(AROHA), "{}", pending.stdout);

    // A refusal is the core's own sentence, exactly as a local run says it.
    let local = env.local(&[
        "--org",
        "kb",
        "--as",
        DANA,
        "--dry-run",
        "user",
        "disable",
        DANA,
    ]);
    assert_eq!(local.code, 1);
    let refused = remote(&["user", "disable", DANA]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert_eq!(refused.stderr, local.stderr);

    // A dry run says what would happen and commits nothing.
    let dry = remote(&["--dry-run", "user", "disable", BEN]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("dry run"), "{}", dry.stdout);
    let active = env.local(&["--org", "kb", "user", "list"]);
    assert!(
        active.stdout.contains(BEN),
        "ben is still enabled:\n{}",
        active.stdout
    );

    // The audit trail comes from the server.
    let audit = remote(&["audit", "--limit", "5"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(audit.stdout.contains(AROHA), "{}", audit.stdout);

    // A token of kb reaches nothing of jpac.
    let other = remote(&["--org", "jpac", "user", "list"]);
    assert_eq!(other.code, 3);
    assert!(
        other.stderr.contains("no organisation 'jpac'"),
        "{}",
        other.stderr
    );
    assert!(!other.stdout.contains("harbour-eng"));

    // A disabled account's token stops working.
    let ben = env.token("kb", BEN);
    let as_ben = |args: &[&str]| {
        let mut all = vec!["--server", &server.url, "--token", &ben];
        all.extend_from_slice(args);
        env.run(&all)
    };
    assert_eq!(as_ben(&["user", "list"]).code, 0);
    assert_eq!(remote(&["user", "disable", BEN]).code, 0);
    let locked_out = as_ben(&["user", "list"]);
    assert_eq!(locked_out.code, 1);
    assert!(
        locked_out.stderr.contains("refused the token") && locked_out.stderr.contains("disabled"),
        "{}",
        locked_out.stderr
    );
    assert!(
        !locked_out.stderr.contains(&ben),
        "the token is never echoed"
    );
}

#[test]
fn an_operator_token_reaches_every_organisation_and_contexts_work() {
    let env = Env::new();
    env.ok(&["--store", env.store().to_str().unwrap(), "init", "--demo"]);
    let out = env.ok(&[
        "--store",
        env.store().to_str().unwrap(),
        "--operator",
        "--json",
        "token",
        "create",
    ]);
    let token = secret_of(&out);
    let server = Served::start(&env);

    let token_file = env.tmp.path().join("operator.token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.write_config(&format!(
        "[contexts.prod]\nserver = \"{}\"\ntoken_file = \"{}\"\n",
        server.url,
        token_file.display()
    ));
    env.ok(&["context", "use", "prod"]);

    // No --server, no --token: the current context says where and who.
    let orgs = env.run(&["org", "list"]);
    assert_eq!(orgs.code, 0, "{}", orgs.stderr);
    for slug in ["certsite", "jisc", "jpac", "kb", "ubisecure"] {
        assert!(orgs.stdout.contains(slug), "{}", orgs.stdout);
    }
    assert!(
        orgs.stderr.is_empty(),
        "a 0600 token file draws no warning: {}",
        orgs.stderr
    );
    let jpac = env.ok(&["--org", "jpac", "user", "list"]);
    assert!(jpac.contains("fiona.macleod@harbour-eng.example"), "{jpac}");

    // --store still means the local store, whatever the context says.
    let local = env.local(&["--org", "jpac", "user", "list"]);
    assert_eq!(local.stdout, jpac);
}
