//! A real PostgreSQL restart under two `roster serve` replicas. In a test binary of
//! its own: cargo runs test binaries one at a time, so the restart disturbs no other
//! test. Needs `ROSTER_TEST_DATABASE_URL` and `ROSTER_TEST_PG_RESTART` (.ci/run sets
//! both).

mod pg_support;

use pg_support::replica::{Replica, add, command_body, fixture};
use pg_support::{TestDb, http};
use roster::backend::query;
use serde_json::Value;
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The database server restarts (`ROSTER_TEST_PG_RESTART`, e.g. `pg_ctlcluster 15 main
/// restart`, set by .ci/run) while a replica is being written to: every write is
/// acknowledged (the replica retries until the database is back), none is lost or
/// doubled, and the other replica's feed still hears of new commits afterwards.
#[test]
fn a_database_restart_is_survived_with_retries() {
    let Some(db) = TestDb::create("database_restart") else {
        return;
    };
    let Ok(restart) = std::env::var("ROSTER_TEST_PG_RESTART") else {
        eprintln!(
            "\n*** SKIPPED a_database_restart_is_survived_with_retries: ROSTER_TEST_PG_RESTART (the command that restarts the server) is not set\n"
        );
        return;
    };
    let f = fixture(&db);
    let (a, b) = (Replica::start(&db), Replica::start(&db));
    let count = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (addr, token, org, count) = (a.addr.clone(), f.operator.clone(), f.org, count.clone());
        std::thread::spawn(move || {
            for i in 0..40 {
                let email = format!("r{i}@acme.example");
                let (status, body) = http(
                    &addr,
                    "POST",
                    "/v1/commands",
                    &token,
                    &command_body(&add(org, &email)),
                );
                assert_eq!(status, 200, "write {i} across the restart: {body}");
                count.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    for _ in 0..600 {
        if count.load(Ordering::SeqCst) >= 10 || writer.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Process::new("sh")
        .args(["-c", &restart])
        .stdout(Stdio::null())
        .status()
        .expect("the restart command runs");
    assert!(status.success(), "{restart} failed");
    writer.join().unwrap();

    let fresh = db.open();
    let n = query(&fresh, |d| {
        d.accounts_of(f.org)
            .filter(|a| a.email.starts_with('r'))
            .count()
    })
    .unwrap();
    assert_eq!(n, 40, "every acknowledged write, once");

    // B's feed hears of a commit on A after the restart (its listener reconnected, or
    // its poll caught up).
    let (_, health) = http(&b.addr, "GET", "/v1/health", "", "");
    let head = serde_json::from_str::<Value>(&health).unwrap()["seq"]
        .as_u64()
        .unwrap();
    let feed = {
        let (addr, token) = (b.addr.clone(), f.operator.clone());
        std::thread::spawn(move || {
            http(
                &addr,
                "GET",
                &format!("/v1/events?after={head}&wait=25"),
                &token,
                "",
            )
        })
    };
    let cmd = add(f.org, "after@acme.example");
    let (status, body) = http(
        &a.addr,
        "POST",
        "/v1/commands",
        &f.operator,
        &command_body(&cmd),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = feed.join().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("after@acme.example"), "{body}");
}
