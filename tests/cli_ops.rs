//! Operating roster like the tools around it: shell completions, manual pages and the
//! machine formats of reads (`--format json|ndjson|csv`), through the real binary.

use std::path::Path;
use std::process::Command;

fn roster(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--store")
        .arg(home.join("store"))
        .args(args)
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("run roster");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(home: &Path, args: &[&str]) -> String {
    let (code, out, err) = roster(home, args);
    assert_eq!(code, 0, "roster {args:?}: {err}");
    out
}

#[test]
fn completions_cover_every_shell_and_the_command_tree() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(tmp.path(), &["completions", shell]);
        for word in [
            "roster",
            "invitation",
            "revoke-sessions",
            "dry-run",
            "format",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // Where bash is at hand, the script must at least parse.
    let script = ok(tmp.path(), &["completions", "bash"]);
    let file = tmp.path().join("roster.bash");
    std::fs::write(&file, script).unwrap();
    if let Ok(out) = Command::new("bash").arg("-n").arg(&file).output() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, _, _) = roster(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn man_writes_a_page_for_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let top = ok(tmp.path(), &["man"]);
    assert!(
        top.starts_with(".ie") || top.contains(".TH roster 1"),
        "{top}"
    );
    let dir = tmp.path().join("man1");
    ok(tmp.path(), &["man", dir.to_str().unwrap()]);
    for page in [
        "roster.1",
        "roster-user.1",
        "roster-user-list.1",
        "roster-audit.1",
        "roster-completions.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH "), "{page} is not roff");
        assert!(text.contains(".SH NAME"), "{page} has no NAME section");
    }
    // Where groff is at hand, the pages must render without warnings.
    if let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8", "-z", "-ww"])
        .arg(dir.join("roster-user-list.1"))
        .output()
    {
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && warnings.is_empty(), "{warnings}");
    }
    let list = std::fs::read_to_string(dir.join("roster-user-list.1")).unwrap();
    assert!(list.contains("Only members of this group"), "{list}");
    // A page per command: as many as the tree has.
    let pages = std::fs::read_dir(&dir).unwrap().count();
    assert!(pages > 80, "{pages} pages");
}

#[test]
fn reads_print_as_table_json_ndjson_or_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    ok(home, &["init", "--demo"]);
    let table = ok(home, &["--org", "kb", "user", "list"]);
    assert!(
        table.starts_with("NAME") || table.contains("EMAIL"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(
        home,
        &["--org", "kb", "--format", "json", "user", "list"],
    ))
    .unwrap();
    // A page of accounts: the items, where they start, how many there are in all.
    let rows = json["items"].as_array().expect("a page").len();
    assert!(rows > 2);
    // --json stays the alias of --format json.
    assert_eq!(
        ok(home, &["--org", "kb", "--json", "user", "list"]),
        ok(home, &["--org", "kb", "--format", "json", "user", "list"])
    );
    let nd = ok(home, &["--org", "kb", "--format", "ndjson", "user", "list"]);
    assert_eq!(nd.lines().count(), rows, "{nd}");
    for line in nd.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one object a line");
        assert!(v.is_object(), "{line}");
    }
    let csv = ok(home, &["--org", "kb", "--format", "csv", "user", "list"]);
    let header = csv.lines().next().unwrap();
    assert!(header.split(',').any(|h| h == "email"), "{header}");
    assert!(csv.contains("@acme-kb.example"), "{csv}");
    let (code, _, _) = roster(home, &["--json", "--format", "csv", "org", "list"]);
    assert_eq!(code, 2, "--json and --format conflict");
}

#[test]
fn audit_limit_0_means_all() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    ok(home, &["init", "--demo"]);
    let count = |args: &[&str]| {
        let mut all = vec!["--format", "ndjson", "audit"];
        all.extend_from_slice(args);
        ok(home, &all).lines().count()
    };
    assert_eq!(count(&[]), 50);
    let everything = count(&["--limit", "0"]);
    assert!(everything > 100, "{everything} events");
    assert_eq!(count(&["--limit", &everything.to_string()]), everything);
    assert_eq!(
        count(&["--limit", &(everything + 10).to_string()]),
        everything
    );
}
