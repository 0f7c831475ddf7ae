//! Issue 6, point 2 (concurrency). On one file store: several real CLI processes and a
//! console (the App state machine on its own handle) write at once and no update is
//! lost, no record torn; a writer that cannot get the store in time gets a clear
//! error. On the server: conflicting requests raced against each other (two admins
//! demoting each other, two approvals of one request, two edits with one ETag) have
//! exactly one winner, and the invariants hold afterwards.

mod server_support;
mod tui_support;

use crossterm::event::KeyCode;
use reqwest::Method;
use roster::backend::file::decode;
use roster::backend::{Backend, FileStore, query};
use roster::core::{Command, Level, Principal, Scope, invariants};
use serde_json::{Value, json};
use server_support::{Env, add, run, token};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::thread;

fn roster(store: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT")
        .output()
        .unwrap()
}

const PROCESSES: usize = 4;
const EACH: usize = 6;
const CONSOLE: usize = 6;

#[test]
fn concurrency_cli_processes_and_a_console_lose_no_update_and_tear_no_record() {
    let fx = tui_support::fixture();
    let path = fx.path();
    let before = fx.read(|d| d.groups.len());
    let org_slug = fx.read(|d| d.orgs[&fx.org].slug.clone());

    let writers: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let (path, slug) = (path.clone(), org_slug.clone());
            thread::spawn(move || {
                for i in 0..EACH {
                    let name = format!("cli-{p}-{i}");
                    let out = roster(&path, &["--org", &slug, "group", "create", &name]);
                    assert!(
                        out.status.success(),
                        "{name}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();

    // The console, on its own handle, creates groups through its keys meanwhile.
    let console_store = fx.other_process();
    let mut app = tui_support::open_with(&fx, &console_store, fx.as_alice(), (100, 30));
    for i in 0..CONSOLE {
        tui_support::send(&mut app, &console_store, tui_support::ch('5'));
        tui_support::send(&mut app, &console_store, tui_support::ch('n'));
        tui_support::typed(&mut app, &console_store, &format!("console-{i}"));
        tui_support::send(&mut app, &console_store, tui_support::key(KeyCode::Enter));
    }
    for w in writers {
        w.join().unwrap();
    }

    let reopened = FileStore::open(&path).unwrap();
    let names: BTreeSet<String> = query(&reopened, |d| {
        d.groups.values().map(|g| g.name.clone()).collect()
    })
    .unwrap();
    let mut expected: Vec<String> = (0..PROCESSES)
        .flat_map(|p| (0..EACH).map(move |i| format!("cli-{p}-{i}")))
        .collect();
    expected.extend((0..CONSOLE).map(|i| format!("console-{i}")));
    let lost: Vec<_> = expected.iter().filter(|n| !names.contains(*n)).collect();
    assert!(lost.is_empty(), "lost updates: {lost:?}");
    assert_eq!(names.len(), before + expected.len());

    // Every record whole: the log decodes with no torn tail, the trail has no gap.
    let log = std::fs::read(path.join("events.log")).unwrap();
    let decoded = decode::log(&log).unwrap();
    assert!(decoded.torn_tail.is_none(), "{:?}", decoded.torn_tail);
    let seqs: Vec<u64> = decoded.commands.iter().flatten().map(|r| r.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "gapless sequence"
    );
}

#[test]
fn concurrency_a_waiting_writer_gets_a_clear_error_after_its_timeout() {
    let fx = tui_support::fixture();
    let slug = fx.read(|d| d.orgs[&fx.org].slug.clone());
    let held = fx.store.hold_lock().unwrap();
    let out = roster(&fx.path(), &["--org", &slug, "group", "create", "blocked"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "busy is a conflict: {stderr}");
    assert!(
        stderr.contains("is busy") && stderr.contains("waited 5s") && stderr.contains("try again"),
        "the writer says what happened and what to do: {stderr}"
    );
    // Reading needs no lock.
    let list = roster(&fx.path(), &["--org", &slug, "group", "list"]);
    assert!(list.status.success());
    drop(held);
    let out = roster(
        &fx.path(),
        &["--org", &slug, "group", "create", "unblocked"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = fx.read(|d| d.groups.values().map(|g| g.name.clone()).collect());
    assert!(names.contains(&"unblocked".into()) && !names.contains(&"blocked".into()));
}

const RACES: usize = 8;

fn assert_invariants(env: &Env) {
    env.store.refresh().unwrap();
    let broken = query(env.store.as_ref(), |d| {
        invariants::violations(d, jiff::Timestamp::now())
    })
    .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_two_admins_demoting_each_other_leave_exactly_one() {
    let env = Env::new();
    for round in 0..RACES {
        let a = add(&env.store, env.acme, &format!("a{round}@acme.example"));
        let b = add(&env.store, env.acme, &format!("b{round}@acme.example"));
        let owner = Principal::Account { id: env.owner };
        run(&env.store, &owner, Command::Promote { account: a });
        run(&env.store, &owner, Command::Promote { account: b });
        let (ta, tb) = (
            token(&env.store, Principal::Account { id: a }),
            token(&env.store, Principal::Account { id: b }),
        );
        let (pa, pb) = (
            format!("/v1/orgs/acme/accounts/{}/demote", b.0),
            format!("/v1/orgs/acme/accounts/{}/demote", a.0),
        );
        let (ra, rb) = tokio::join!(
            env.send(Method::POST, &pa, Some(&ta), None, &[]),
            env.send(Method::POST, &pb, Some(&tb), None, &[]),
        );
        let wins = [ra.status, rb.status].iter().filter(|s| **s == 200).count();
        assert_eq!(wins, 1, "round {round}: {} / {}", ra.text, rb.text);
        for r in [&ra, &rb] {
            assert!([200, 403].contains(&r.status), "{r:?}");
        }
        let levels = query(env.store.as_ref(), |d| {
            (d.accounts[&a].level, d.accounts[&b].level)
        })
        .unwrap();
        assert!(
            matches!(
                levels,
                (Level::Admin, Level::Member) | (Level::Member, Level::Admin)
            ),
            "round {round}: {levels:?}"
        );
    }
    assert_invariants(&env);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_two_approvals_of_one_request_have_one_winner() {
    let env = Env::new();
    let owner = Principal::Account { id: env.owner };
    let recs = run(
        &env.store,
        &owner,
        Command::CreateRole {
            org: env.acme,
            name: "Downloads".into(),
            description: String::new(),
            scope: Scope::Org,
            permissions: ["app:downloads".to_string()].into(),
            gate: None,
        },
    );
    let role = query(env.store.as_ref(), |d| {
        d.roles
            .values()
            .find(|r| r.name == "Downloads")
            .map(|r| r.id)
    })
    .unwrap()
    .unwrap();
    assert!(!recs.is_empty());
    for round in 0..RACES {
        let asker = add(&env.store, env.acme, &format!("ask{round}@acme.example"));
        let t = token(&env.store, Principal::Account { id: asker });
        let created = env
            .post("/v1/orgs/acme/approvals", &t, json!({"role": role.0}))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json()["request"]["id"].clone();
        let id = id
            .as_u64()
            .map(|n| n.to_string())
            .or(id.as_str().map(String::from))
            .unwrap();
        let path = format!("/v1/orgs/acme/approvals/{id}/approve");
        let (r1, r2) = tokio::join!(
            env.post(&path, &env.tokens.owner, json!({})),
            env.post(&path, &env.tokens.admin, json!({})),
        );
        let statuses = [r1.status, r2.status];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {} / {}",
            r1.text,
            r2.text
        );
        assert!(
            statuses.contains(&409),
            "the loser is told it was decided: {statuses:?}"
        );
        let grants = query(env.store.as_ref(), |d| {
            d.accounts[&asker]
                .roles
                .iter()
                .filter(|g| g.role == role)
                .count()
        })
        .unwrap();
        assert_eq!(grants, 1, "round {round}: granted once");
    }
    assert_invariants(&env);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_two_edits_with_one_etag_have_one_winner() {
    let env = Env::new();
    let created = env
        .post(
            "/v1/orgs/acme/groups",
            &env.tokens.owner,
            json!({"name": "Race"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let loc = created.header("location").unwrap();
    for round in 0..RACES {
        let etag = env
            .get(&loc, &env.tokens.owner)
            .await
            .header("etag")
            .unwrap();
        let edit = |who: &'static str, token: String| {
            let (env, loc, etag) = (&env, loc.clone(), etag.clone());
            async move {
                let body: Value = json!({"name": format!("{who}-{round}")});
                env.send(
                    Method::PATCH,
                    &loc,
                    Some(&token),
                    Some(body),
                    &[("if-match", &etag)],
                )
                .await
            }
        };
        let (r1, r2) = tokio::join!(
            edit("owner", env.tokens.owner.clone()),
            edit("admin", env.tokens.admin.clone()),
        );
        let mut statuses = [r1.status, r2.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 412],
            "round {round}: {} / {}",
            r1.text,
            r2.text
        );
        let winner = if r1.status == 200 { "owner" } else { "admin" };
        let name = env.get(&loc, &env.tokens.owner).await.json()["name"].clone();
        assert_eq!(
            name,
            json!(format!("{winner}-{round}")),
            "the winner's edit stands"
        );
    }
    assert_invariants(&env);
}
