//! The command line end to end: the real `roster` binary on temporary stores, used the
//! way a person or a script would use it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary home with a store path in it (the store itself is made by `init`).
struct Env {
    tmp: tempfile::TempDir,
    store: PathBuf,
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().expect("temp dir");
        let store = tmp.path().join("store");
        Env { tmp, store }
    }

    /// A store with one organisation, `acme`, owned by alice@acme.example.
    fn with_org() -> Env {
        let env = Env::new();
        env.ok(&["init"]);
        env.ok(&[
            "org",
            "create",
            "acme",
            "--name",
            "Acme Ltd",
            "--owner",
            "alice@acme.example",
            "--owner-first-name",
            "Alice",
            "--owner-last-name",
            "Smith",
        ]);
        env
    }

    /// A demo store.
    fn demo() -> Env {
        let env = Env::new();
        env.ok(&["init", "--demo"]);
        env
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
        c.arg("--store").arg(&self.store);
        // Nothing of the caller's environment or home may leak into a test.
        c.env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("data"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"));
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = self.command().args(args).output().expect("run roster");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and insists on success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "roster {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs and insists on a refusal (exit 1); returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 1,
            "roster {args:?} should be refused\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        r.stderr
    }

    /// Runs and insists on "not found" (exit 3); returns stderr.
    fn missing(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 3,
            "roster {args:?} should be not found\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        r.stderr
    }

    /// Runs a read with --json and parses it.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("roster {args:?} printed invalid JSON ({e}):\n{out}"))
    }

    /// Everything a refusal or a dry run must leave alone: all accounts and the trail.
    fn state(&self, org: &str) -> (Value, Value) {
        (
            self.json(&["--org", org, "user", "list", "--status", "any"]),
            self.json(&["--org", org, "audit", "--limit", "1000"]),
        )
    }
}

fn emails(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["email"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn account<'a>(list: &'a Value, email: &str) -> &'a Value {
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["email"] == email))
        .unwrap_or_else(|| panic!("{email} not listed in {list}"))
}

// ----- the store -----

#[test]
fn init_creates_an_empty_store_and_says_what_to_do_next() {
    let env = Env::new();
    let out = env.ok(&["init"]);
    assert!(out.contains(&env.store.display().to_string()), "{out}");
    assert!(out.contains("org create"), "{out}");
    let orgs = env.json(&["org", "list"]);
    assert_eq!(orgs, Value::Array(vec![]));
}

#[test]
fn init_never_overwrites_an_existing_store() {
    let env = Env::with_org();
    let err = env.refused(&["init"]);
    assert!(err.contains("--store"), "{err}");
    assert!(err.contains("delete"), "{err}");
    let err = env.refused(&["init", "--demo"]);
    assert!(err.contains("already exists"), "{err}");
    // The organisation is still there, alone.
    let orgs = env.json(&["org", "list"]);
    assert_eq!(orgs.as_array().map(Vec::len), Some(1));
}

#[test]
fn demo_builds_its_own_store_once_and_leaves_yours_alone() {
    let env = Env::new();
    let demo = env.tmp.path().join("demo");
    let path = demo.to_str().expect("utf-8 path");
    let out = env.ok(&["demo", path]);
    assert!(out.contains("built the demo store"), "{out}");
    assert!(
        !env.store.exists(),
        "the store named by --store is not touched"
    );
    let again = env.ok(&["demo", path]);
    assert!(!again.contains("built"), "the demo is built once: {again}");
    let other = Env {
        tmp: tempfile::tempdir().expect("temp dir"),
        store: demo,
    };
    let orgs = other.json(&["org", "list"]);
    assert_eq!(orgs.as_array().map(Vec::len), Some(5), "{orgs}");
}

#[test]
fn a_missing_store_is_a_clear_message_not_a_crash() {
    let env = Env::new();
    let r = env.run(&["user", "list"]);
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("no store at"), "{}", r.stderr);
    assert!(r.stderr.contains("roster init"), "{}", r.stderr);
    assert!(!env.store.exists(), "reading must not create a store");
}

#[test]
fn usage_errors_exit_with_2() {
    let env = Env::with_org();
    assert_eq!(env.run(&["user", "frobnicate"]).code, 2);
    assert_eq!(
        env.run(&["user", "disable"]).code,
        2,
        "at least one email is required"
    );
    assert_eq!(
        env.run(&["--as", "alice@acme.example", "--operator", "user", "list"])
            .code,
        2
    );
    assert_eq!(
        env.run(&["approval", "approve"]).code,
        2,
        "ids or --all-pending"
    );
}

#[test]
fn help_names_the_default_store() {
    let env = Env::new();
    let out = env.ok(&["--help"]);
    assert!(out.contains("Default store:"), "{out}");
    assert!(out.contains("roster"), "{out}");
}

#[test]
fn without_a_terminal_the_console_says_what_to_do_instead() {
    let env = Env::with_org();
    let r = env.run(&[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("terminal"), "{}", r.stderr);
}

#[test]
fn the_organisation_is_chosen_by_slug_or_implied() {
    let env = Env::with_org();
    // One organisation: --org may be left out.
    env.ok(&["user", "list"]);
    env.ok(&[
        "org",
        "create",
        "beta",
        "--name",
        "Beta",
        "--owner",
        "bo@beta.example",
        "--owner-first-name",
        "Bo",
    ]);
    let err = env.refused(&["user", "list"]);
    assert!(
        err.contains("--org") && err.contains("acme") && err.contains("beta"),
        "{err}"
    );
    // --as implies the account's organisation.
    env.ok(&["--as", "bo@beta.example", "user", "list"]);
    let err = env.missing(&["--org", "nope", "user", "list"]);
    assert!(err.contains("no organisation 'nope'"), "{err}");
    let err = env.missing(&["--org", "acme", "--as", "bo@beta.example", "user", "list"]);
    assert!(err.contains("no account bo@beta.example in acme"), "{err}");
}

// ----- refusals, dry runs, bulk -----

#[test]
fn a_refusal_prints_the_reason_and_changes_nothing() {
    let env = Env::with_org();
    let before = env.state("acme");
    let err = env.refused(&[
        "--as",
        "alice@acme.example",
        "user",
        "disable",
        "alice@acme.example",
    ]);
    assert!(err.contains("you cannot disable yourself"), "{err}");
    let err = env.refused(&["user", "delete", "alice@acme.example"]);
    assert!(err.contains("transfer ownership first"), "{err}");
    assert_eq!(env.state("acme"), before);
}

#[test]
fn an_unknown_target_is_a_refusal_naming_it() {
    let env = Env::with_org();
    let err = env.missing(&["user", "disable", "bob@acme.example"]);
    assert!(err.contains("no account bob@acme.example in acme"), "{err}");
    let err = env.refused(&["role", "show", "Wizard"]);
    assert!(err.contains("no role 'Wizard'"), "{err}");
    let err = env.missing(&["contract", "suspend", "c999"]);
    assert!(err.contains("no contract c999"), "{err}");
}

#[test]
fn dry_run_shows_what_would_happen_and_commits_nothing() {
    let env = Env::with_org();
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    let before = env.state("acme");
    let out = env.ok(&["--dry-run", "user", "disable", "bob@acme.example"]);
    assert!(
        out.contains("dry run") && out.contains("disabled bob@acme.example"),
        "{out}"
    );
    let out = env.ok(&[
        "user",
        "add",
        "carol@acme.example",
        "--first-name",
        "Carol",
        "--dry-run",
    ]);
    assert!(out.contains("created account carol@acme.example"), "{out}");
    let out = env.ok(&["--dry-run", "user", "invite", "dave@acme.example"]);
    assert!(!out.contains("--secret"), "a dry run makes no link: {out}");
    // A dry run that would be refused says so, and fails like the real thing would.
    let err = env.refused(&["--dry-run", "user", "delete", "bob@acme.example"]);
    assert!(err.contains("must be disabled"), "{err}");
    assert_eq!(env.state("acme"), before);
    assert!(
        env.json(&["invitation", "list"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[test]
fn bulk_commands_report_each_item_then_a_summary() {
    let env = Env::with_org();
    for who in ["bob", "carol"] {
        env.ok(&[
            "user",
            "add",
            &format!("{who}@acme.example"),
            "--first-name",
            who,
        ]);
    }
    let r = env.run(&[
        "--as",
        "alice@acme.example",
        "user",
        "disable",
        "bob@acme.example",
        "alice@acme.example",
        "nobody@acme.example",
        "carol@acme.example",
    ]);
    assert_eq!(
        r.code, 1,
        "one refusal fails the whole command: {}",
        r.stderr
    );
    assert!(
        r.stdout.contains("✓ disabled bob@acme.example"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("✓ disabled carol@acme.example"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("✗ alice@acme.example: you cannot disable yourself"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("✗ nobody@acme.example: no account"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("2 done, 2 refused"), "{}", r.stdout);
    // The good items happened anyway.
    let list = env.json(&["user", "list", "--status", "disabled"]);
    assert_eq!(
        emails(&list),
        vec!["bob@acme.example", "carol@acme.example"]
    );
}

#[test]
fn approving_everything_pending_stops_at_the_contracts_seats() {
    let env = Env::demo();
    let r = env.run(&["--org", "ubisecure", "approval", "approve", "--all-pending"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("1 done, 1 refused"), "{}", r.stdout);
    assert!(r.stderr.contains("seats"), "{}", r.stderr);
    let queue = env.json(&["--org", "ubisecure", "approval", "list"]);
    assert_eq!(
        queue.as_array().map(Vec::len),
        Some(1),
        "the refused request is still waiting"
    );
}

#[test]
fn rejecting_with_a_reason_records_it() {
    let env = Env::demo();
    let queue = env.json(&["--org", "kb", "approval", "list"]);
    let pending = queue.as_array().map(Vec::len).unwrap_or(0);
    assert!(pending >= 3, "{queue}");
    let out = env.ok(&[
        "--org",
        "kb",
        "approval",
        "reject",
        "--all-pending",
        "--reason",
        "not staff",
    ]);
    assert!(out.contains(&format!("{pending} done, 0 refused")), "{out}");
    let all = env.json(&["--org", "kb", "approval", "list", "--all"]);
    let reasons: Vec<&str> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["request"]["status"] == "rejected")
        .map(|r| r["request"]["reason"].as_str().unwrap_or_default())
        .collect();
    assert!(
        reasons.iter().filter(|r| **r == "not staff").count() == pending,
        "{all}"
    );
}

// ----- each family of commands -----

#[test]
fn org_commands() {
    let env = Env::with_org();
    let out = env.ok(&["org", "list"]);
    assert!(
        out.contains("acme") && out.contains("alice@acme.example"),
        "{out}"
    );
    env.ok(&[
        "org",
        "update",
        "--website",
        "https://acme.example",
        "--name",
        "Acme Limited",
    ]);
    let show = env.json(&["org", "show"]);
    assert_eq!(show["org"]["name"], "Acme Limited");
    assert_eq!(show["org"]["profile"]["website"], "https://acme.example");
    env.ok(&[
        "org",
        "settings",
        "--approval-required",
        "true",
        "--term-admin",
        "Main User",
        "--invitation-hours",
        "48",
    ]);
    let settings = env.json(&["org", "settings"]);
    assert_eq!(settings["approval_required"], true);
    assert_eq!(settings["invitation_ttl_hours"], 48);
    assert_eq!(settings["terminology"]["admin"], "Main User");
    // Ownership moves only to a verified account; the old owner becomes admin.
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    let err = env.refused(&["org", "transfer", "bob@acme.example"]);
    assert!(err.contains("verif"), "{err}");
    env.ok(&["user", "verify", "bob@acme.example"]);
    env.ok(&["org", "transfer", "bob@acme.example"]);
    let list = env.json(&["user", "list"]);
    assert_eq!(account(&list, "bob@acme.example")["level"], "owner");
    assert_eq!(account(&list, "alice@acme.example")["level"], "admin");
    let err = env.refused(&[
        "--as",
        "alice@acme.example",
        "org",
        "update",
        "--name",
        "Mine now",
    ]);
    assert!(!err.is_empty());
}

#[test]
fn user_commands() {
    let env = Env::with_org();
    env.ok(&[
        "user",
        "add",
        "bob@acme.example",
        "--first-name",
        "Bob",
        "--last-name",
        "Jones",
    ]);
    env.ok(&[
        "user",
        "add",
        "zoe@acme.example",
        "--first-name",
        "Zoë",
        "--last-name",
        "Ångström",
        "--verified",
    ]);
    let err = env.refused(&["user", "promote", "bob@acme.example"]);
    assert!(err.contains("verified"), "{err}");
    env.ok(&["user", "verify", "bob@acme.example"]);
    env.ok(&["user", "promote", "bob@acme.example"]);
    env.ok(&["user", "demote", "bob@acme.example"]);
    env.ok(&[
        "user",
        "edit",
        "bob@acme.example",
        "--email",
        "robert@acme.example",
        "--first-name",
        "Robert",
    ]);
    let list = env.json(&["user", "list"]);
    assert_eq!(
        account(&list, "robert@acme.example")["first_name"],
        "Robert"
    );
    let out = env.ok(&["user", "reset-password", "robert@acme.example"]);
    assert!(out.contains("mail delivery is not configured"), "{out}");
    env.ok(&["user", "disable", "robert@acme.example"]);
    env.ok(&["user", "enable", "robert@acme.example"]);
    env.ok(&["user", "disable", "robert@acme.example"]);
    env.ok(&["user", "delete", "robert@acme.example"]);
    let list = env.json(&["user", "list", "--status", "any"]);
    assert_eq!(
        emails(&list),
        vec!["alice@acme.example", "zoe@acme.example"]
    );
    // Self-registration: closed until the organisation opens it.
    let err = env.refused(&[
        "user",
        "register",
        "eve@acme.example",
        "--first-name",
        "Eve",
    ]);
    assert!(err.contains("registration"), "{err}");
    env.ok(&[
        "org",
        "settings",
        "--open-registration",
        "true",
        "--approval-required",
        "true",
    ]);
    env.ok(&[
        "user",
        "register",
        "eve@acme.example",
        "--first-name",
        "Eve",
    ]);
    let pending = env.json(&["user", "list", "--pending"]);
    assert_eq!(emails(&pending), vec!["eve@acme.example"]);
    env.ok(&["user", "approve", "eve@acme.example"]);
    // Filters and sorting.
    let found = env.json(&["user", "list", "ångström"]);
    assert_eq!(emails(&found), vec!["zoe@acme.example"]);
    let by_email = env.json(&["user", "list", "--sort", "email", "--desc", "--limit", "1"]);
    assert_eq!(emails(&by_email), vec!["zoe@acme.example"]);
    assert_eq!(by_email["total"], 3);
}

#[test]
fn user_show_explains_permissions_and_history() {
    let env = Env::with_org();
    env.ok(&[
        "user",
        "add",
        "bob@acme.example",
        "--first-name",
        "Bob",
        "--verified",
    ]);
    env.ok(&[
        "role",
        "create",
        "Auditor",
        "--permission",
        "audit.read,roles.read",
        "--description",
        "reads",
    ]);
    env.ok(&["group", "create", "Finance"]);
    env.ok(&["role", "grant", "Auditor", "--group", "Finance"]);
    env.ok(&["group", "add", "Finance", "bob@acme.example"]);
    let out = env.ok(&["user", "show", "bob@acme.example"]);
    assert!(
        out.contains("audit.read") && out.contains("role Auditor through group Finance"),
        "{out}"
    );
    assert!(
        out.contains("added bob@acme.example to Finance"),
        "the history is shown: {out}"
    );
    // While admin, explicit roles are kept but ignored, with the reason.
    env.ok(&["user", "grant", "bob@acme.example", "Auditor"]);
    env.ok(&["user", "promote", "bob@acme.example"]);
    let out = env.ok(&["user", "show", "bob@acme.example"]);
    assert!(
        out.contains("kept but ignored while the account is admin"),
        "{out}"
    );
    let json = env.json(&["user", "show", "bob@acme.example"]);
    assert_eq!(json["detail"]["account"]["email"], "bob@acme.example");
    assert!(json["history"].as_array().is_some_and(|h| !h.is_empty()));
}

#[test]
fn role_commands() {
    let env = Env::with_org();
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    env.ok(&["user", "add", "carol@acme.example", "--first-name", "Carol"]);
    env.ok(&[
        "role",
        "create",
        "Downloads",
        "--permission",
        "app:downloads",
        "--description",
        "downloads site",
    ]);
    env.ok(&[
        "role",
        "edit",
        "downloads",
        "--add",
        "app:mirror",
        "--name",
        "Downloads+",
    ]);
    let show = env.json(&["role", "show", "DOWNLOADS+"]);
    assert_eq!(
        show["role"]["permissions"],
        serde_json::json!(["app:downloads", "app:mirror"])
    );
    env.ok(&[
        "role",
        "grant",
        "Downloads+",
        "--user",
        "bob@acme.example",
        "--user",
        "carol@acme.example",
        "--until",
        "30d",
    ]);
    let show = env.json(&["role", "show", "Downloads+"]);
    assert_eq!(show["holders"].as_array().map(Vec::len), Some(2));
    assert!(show["holders"][0]["holding"]["until"].is_string(), "{show}");
    let err = env.refused(&["role", "delete", "Downloads+"]);
    assert!(err.contains("revoke it first"), "{err}");
    env.ok(&[
        "role",
        "revoke",
        "Downloads+",
        "--user",
        "bob@acme.example",
        "--user",
        "carol@acme.example",
    ]);
    env.ok(&["role", "delete", "Downloads+"]);
    let list = env.ok(&["role", "list"]);
    assert!(!list.contains("Downloads"), "{list}");
    // Dates in the past are the core's refusal; nonsense dates are caught first.
    let err = env.refused(&[
        "user",
        "grant",
        "bob@acme.example",
        "Viewer",
        "--until",
        "someday",
    ]);
    assert!(err.contains("2027-01-31"), "{err}");
    // A gated role is the operator's to create, and useless until a contract is active.
    env.ok(&[
        "role",
        "create",
        "Integrator",
        "--permission",
        "app:controldesk",
        "--gate",
        "IDaaS",
    ]);
    let err = env.refused(&["user", "grant", "bob@acme.example", "Integrator"]);
    assert!(err.contains("IDaaS"), "{err}");
}

#[test]
fn group_commands() {
    let env = Env::with_org();
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    env.ok(&["group", "create", "Reviewers"]);
    env.ok(&[
        "group",
        "add",
        "reviewers",
        "bob@acme.example",
        "alice@acme.example",
    ]);
    env.ok(&["group", "rename", "Reviewers", "Checkers"]);
    let show = env.json(&["group", "show", "Checkers"]);
    assert_eq!(show["member_emails"].as_array().map(Vec::len), Some(2));
    env.ok(&["group", "remove", "Checkers", "bob@acme.example"]);
    let list = env.json(&["group", "list"]);
    assert_eq!(list[0]["name"], "Checkers");
    assert_eq!(list[0]["members"].as_array().map(Vec::len), Some(1));
    let filtered = env.json(&["user", "list", "--group", "Checkers"]);
    assert_eq!(emails(&filtered), vec!["alice@acme.example"]);
    env.ok(&["group", "delete", "Checkers"]);
    assert!(
        env.json(&["group", "list"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[test]
fn program_commands() {
    let env = Env::with_org();
    for who in ["bob", "carol", "dan"] {
        env.ok(&[
            "user",
            "add",
            &format!("{who}@acme.example"),
            "--first-name",
            who,
        ]);
    }
    env.ok(&[
        "program",
        "create",
        "LEED 2027",
        "--owner",
        "bob@acme.example",
    ]);
    env.ok(&[
        "program",
        "grant",
        "LEED 2027",
        "carol@acme.example",
        "--role",
        "Contributor",
    ]);
    env.ok(&["program", "grant", "leed 2027", "dan@acme.example"]);
    let show = env.json(&["program", "show", "LEED 2027"]);
    assert_eq!(show["contacts"].as_array().map(Vec::len), Some(3));
    // A contributor manages viewers but cannot name a new owner (seed 004).
    let err = env.refused(&[
        "--as",
        "carol@acme.example",
        "program",
        "transfer",
        "LEED 2027",
        "dan@acme.example",
    ]);
    assert!(!err.is_empty());
    env.ok(&[
        "--as",
        "carol@acme.example",
        "program",
        "change",
        "LEED 2027",
        "dan@acme.example",
        "--from",
        "Viewer",
        "--to",
        "Contributor",
    ]);
    env.ok(&[
        "program",
        "revoke",
        "LEED 2027",
        "dan@acme.example",
        "--role",
        "Contributor",
    ]);
    env.ok(&["program", "grant", "LEED 2027", "dan@acme.example"]);
    env.ok(&["program", "remove", "LEED 2027", "dan@acme.example"]);
    env.ok(&[
        "--as",
        "bob@acme.example",
        "program",
        "transfer",
        "LEED 2027",
        "carol@acme.example",
    ]);
    env.ok(&["program", "rename", "LEED 2027", "LEED 2028"]);
    let list = env.json(&["program", "list"]);
    assert_eq!(list[0]["name"], "LEED 2028");
    let carol = env.json(&["user", "list", "carol"])["items"][0]["id"].clone();
    assert_eq!(list[0]["owner"], carol);
    env.ok(&["program", "delete", "LEED 2028"]);
    assert!(
        env.json(&["program", "list"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[test]
fn contract_commands() {
    let env = Env::with_org();
    let out = env.ok(&[
        "contract",
        "create",
        "IDaaS",
        "--seats",
        "1",
        "--start",
        "2020-01-01",
        "--end",
        "2099-12-31",
    ]);
    assert!(out.contains("IDaaS"), "{out}");
    let list = env.json(&["contract", "list"]);
    let id = list[0]["contract"]["id"].as_u64().expect("contract id");
    let cid = format!("c{id}");
    env.ok(&[
        "role",
        "create",
        "Integrator",
        "--permission",
        "app:controldesk",
        "--gate",
        "IDaaS",
    ]);
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    env.ok(&["user", "add", "carol@acme.example", "--first-name", "Carol"]);
    env.ok(&["user", "grant", "bob@acme.example", "Integrator"]);
    let err = env.refused(&["user", "grant", "carol@acme.example", "Integrator"]);
    assert!(err.contains("seats"), "{err}");
    let err = env.refused(&["contract", "seats", &cid, "0"]);
    assert!(err.contains("Integrator"), "{err}");
    env.ok(&["contract", "seats", &id.to_string(), "2"]);
    env.ok(&["user", "grant", "carol@acme.example", "Integrator"]);
    env.ok(&["contract", "suspend", &cid]);
    let show = env.json(&["contract", "show", &cid]);
    assert_eq!(show["contract"]["status"], "suspended");
    assert_eq!(show["in_force"], false);
    env.ok(&["contract", "resume", &cid]);
    env.ok(&["contract", "end", &cid]);
    let out = env.ok(&["contract", "show", &cid]);
    assert!(out.contains("ended"), "{out}");
    // Only the platform operator manages contracts.
    let err = env.refused(&[
        "--as",
        "alice@acme.example",
        "contract",
        "create",
        "SSO",
        "--seats",
        "3",
    ]);
    assert!(err.contains("operator"), "{err}");
}

#[test]
fn invitations_print_the_secret_once_and_store_only_its_hash() {
    let env = Env::with_org();
    env.ok(&[
        "role",
        "create",
        "Downloads",
        "--permission",
        "app:downloads",
    ]);
    let out = env.json(&[
        "user",
        "invite",
        "bob@acme.example",
        "--first-name",
        "Bob",
        "--role",
        "Downloads",
        "--message",
        "Welcome!",
        "--expires",
        "14d",
    ]);
    let item = &out["results"][0];
    let id = item["invitation"]
        .as_str()
        .expect("invitation id")
        .to_string();
    let secret = item["secret"].as_str().expect("secret").to_string();
    assert!(
        item["accept_command"]
            .as_str()
            .is_some_and(|c| c.contains(&secret))
    );
    // The human form says how to pass it on.
    let text = env.ok(&["user", "invite", "carol@acme.example"]);
    assert!(text.contains("mail delivery is not configured"), "{text}");
    assert!(text.contains("invitation accept"), "{text}");
    // Nowhere in the store is the secret itself. (Only the message does: the spool and
    // the maildir next to the log, private files that are the mail's delivery.)
    let mail = [env.store.join("outbox"), env.store.join("maildir")];
    for entry in walk(&env.store)
        .into_iter()
        .filter(|p| !mail.iter().any(|m| p.starts_with(m)))
    {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&secret),
            "{} holds the secret",
            entry.display()
        );
    }
    let listed = env.json(&["invitation", "list", "--status", "pending"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(!listed.to_string().contains(&secret));
    // A wrong secret is refused; the right one works once.
    let err = env.refused(&["invitation", "accept", &id, "--secret", "not-the-secret"]);
    assert!(err.contains("not valid"), "{err}");
    env.ok(&["invitation", "accept", &id, "--secret", &secret]);
    let err = env.refused(&["invitation", "accept", &id, "--secret", &secret]);
    assert!(err.contains("already used"), "{err}");
    let list = env.json(&["user", "list"]);
    assert_eq!(account(&list, "bob@acme.example")["verified"], true);
    assert!(
        env.ok(&["user", "show", "bob@acme.example"])
            .contains("Downloads")
    );
}

#[test]
fn invitation_commands() {
    let env = Env::with_org();
    for who in ["bob", "carol", "dan"] {
        env.ok(&[
            "user",
            "invite",
            &format!("{who}@acme.example"),
            "--first-name",
            who,
        ]);
    }
    let ids: Vec<String> = env
        .json(&["invitation", "list"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| format!("i{}", i["invitation"]["id"]))
        .collect();
    assert_eq!(ids.len(), 3);
    // Resend makes a new link.
    let out = env.ok(&["invitation", "resend", &ids[0]]);
    assert!(out.contains("--secret"), "{out}");
    // Revoke takes several ids.
    env.ok(&["invitation", "revoke", &ids[0], &ids[1]]);
    let err = env.refused(&["invitation", "revoke", &ids[0]]);
    assert!(err.contains("revoked"), "{err}");
    // An administrator accepts on the invitee's behalf, without the secret.
    env.ok(&["invitation", "accept", &ids[2]]);
    let statuses: Vec<String> = env
        .json(&["invitation", "list"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["status_now"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(statuses.iter().filter(|s| *s == "revoked").count(), 2);
    assert_eq!(statuses.iter().filter(|s| *s == "accepted").count(), 1);
    let out = env.ok(&["invitation", "expire"]);
    assert!(out.contains("nothing to do"), "{out}");
}

#[test]
fn role_requests_go_through_the_approval_queue() {
    let env = Env::with_org();
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    env.ok(&[
        "role",
        "create",
        "Downloads",
        "--permission",
        "app:downloads",
    ]);
    env.ok(&[
        "--as",
        "bob@acme.example",
        "user",
        "request-role",
        "Downloads",
        "--note",
        "for the release",
    ]);
    let err = env.refused(&[
        "--as",
        "bob@acme.example",
        "user",
        "request-role",
        "Downloads",
    ]);
    assert!(err.contains("already asked"), "{err}");
    let queue = env.json(&["approval", "list"]);
    let id = format!("a{}", queue[0]["request"]["id"]);
    assert!(
        queue[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("Downloads"))
    );
    let err = env.refused(&["--as", "bob@acme.example", "approval", "approve", &id]);
    assert!(err.contains("members.approve"), "{err}");
    env.ok(&["approval", "approve", &id]);
    assert!(
        env.ok(&["user", "show", "bob@acme.example"])
            .contains("Downloads")
    );
    let out = env.ok(&["approval", "approve", "--all-pending"]);
    assert!(out.contains("nothing is waiting"), "{out}");
}

#[test]
fn audit_shows_the_trail_with_filters() {
    let env = Env::with_org();
    env.ok(&["user", "add", "bob@acme.example", "--first-name", "Bob"]);
    env.ok(&["user", "disable", "bob@acme.example"]);
    let all = env.json(&["audit"]);
    assert!(all.as_array().is_some_and(|a| a.len() >= 4), "{all}");
    let disabled = env.json(&["audit", "--kind", "account_disabled"]);
    assert_eq!(disabled.as_array().map(Vec::len), Some(1));
    assert_eq!(disabled[0]["summary"], "disabled bob@acme.example");
    let limited = env.json(&["audit", "--limit", "1"]);
    assert_eq!(limited.as_array().map(Vec::len), Some(1));
    let text = env.ok(&["audit", "--text", "bob@acme.example"]);
    assert!(text.contains("created account bob@acme.example"), "{text}");
    assert!(
        env.json(&["audit", "--actor", "nobody-like-this"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

// ----- who may read what, and what reaches the terminal -----

#[test]
fn reads_are_checked_like_the_consoles_tabs() {
    let env = Env::demo();
    // Seed 001: the Roles tab is only for main users.
    let err = env.refused(&[
        "--org",
        "ubisecure",
        "--as",
        "jose.nunez@northwind.example",
        "role",
        "list",
    ]);
    assert!(err.contains("roles.read"), "{err}");
    env.ok(&[
        "--org",
        "ubisecure",
        "--as",
        "mikko.jarvinen@northwind.example",
        "role",
        "list",
    ]);
    // Seed 000: every member sees the list of users.
    env.ok(&[
        "--org",
        "jisc",
        "--as",
        "tomas.obriain@eastmoor-uni.example",
        "user",
        "list",
    ]);
    // A disabled account sees nothing and is told why.
    let err = env.refused(&[
        "--org",
        "jpac",
        "--as",
        "lars.nilsson@harbour-eng.example",
        "user",
        "list",
    ]);
    assert!(err.contains("disabled"), "{err}");
}

#[test]
fn control_characters_in_what_people_type_never_reach_the_terminal() {
    let env = Env::with_org();
    let hostile = "evil\u{1b}]0;pwned\u{7}\u{202e}@acme.example";
    let r = env.run(&["user", "show", hostile]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("no account"), "{}", r.stderr);
    for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(
            !r.stderr.contains(c),
            "{:?} reached stderr: {:?}",
            c,
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("\\u{1b}"),
        "shown as a visible escape: {:?}",
        r.stderr
    );
    // The core refuses such names outright.
    let err = env.refused(&[
        "user",
        "add",
        "x@acme.example",
        "--first-name",
        "a\u{1b}[2Jb",
    ]);
    assert!(err.contains("control"), "{err}");
}

#[test]
fn tables_stay_aligned_with_wide_characters() {
    let env = Env::demo();
    let out = env.ok(&["--org", "kb", "user", "list", "--status", "any"]);
    let lines: Vec<&str> = out.lines().take_while(|l| !l.contains(" of ")).collect();
    assert!(lines.iter().any(|l| l.contains("王")), "{out}");
    let header = lines[0];
    let col = |l: &str, at: usize| unicode_width::UnicodeWidthStr::width(&l[..at]);
    let email_col = col(header, header.find("EMAIL").expect("EMAIL column"));
    for l in &lines[1..] {
        let start = l
            .find('@')
            .and_then(|a| l[..a].rfind(' '))
            .map(|s| s + 1)
            .expect("an email");
        assert_eq!(col(l, start), email_col, "misaligned: {l:?}\n{out}");
    }
}

#[test]
fn every_read_has_json() {
    let env = Env::demo();
    let org = ["--org", "certsite"];
    for args in [
        vec!["org", "list"],
        vec!["org", "show"],
        vec!["org", "settings"],
        vec!["user", "list"],
        vec!["user", "show", "olivia.bennett@greenfield.example"],
        vec!["role", "list"],
        vec!["role", "show", "Viewer"],
        vec!["group", "list"],
        vec!["program", "list"],
        vec!["program", "show", "LEED Certification 2027"],
        vec!["contract", "list"],
        vec!["invitation", "list"],
        vec!["approval", "list", "--all"],
        vec!["audit", "--limit", "5"],
    ] {
        let mut all = org.to_vec();
        all.extend(args);
        let v = env.json(&all);
        assert!(!v.is_null(), "{all:?}");
    }
}

#[cfg(unix)]
#[test]
fn someone_elses_store_needs_an_account_to_act_as() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::with_org();
    let me = std::fs::metadata(env.tmp.path())
        .map(|m| m.uid())
        .unwrap_or(0);
    // Only root can hand the store to another user; elsewhere this case cannot be set up.
    if me != 0 || !chown(&env.store, 4242) {
        return;
    }
    let err = env.refused(&["user", "list"]);
    assert!(err.contains("--as"), "{err}");
    let err = env.refused(&["--operator", "user", "list"]);
    assert!(err.contains("another user"), "{err}");
    env.ok(&["--as", "alice@acme.example", "user", "list"]);
}

fn chown(path: &Path, uid: u32) -> bool {
    Command::new("chown")
        .arg(uid.to_string())
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
