//! Two `roster serve` replicas (the real binary) on two ports over one PostgreSQL
//! database: a write on one is read on the other, wakes the other's change feed,
//! racing conflicting commands on both never both commit, and a replica killed in the
//! middle of writing loses nothing it acknowledged. Needs `ROSTER_TEST_DATABASE_URL`
//! (see tests/pg_support).

mod pg_support;

use pg_support::replica::{Replica, add, command_body, fixture};
use pg_support::{TestDb, http};
use roster::backend::{Backend, query};
use roster::core::{AccountId, Command, Level, Principal, invariants};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

#[test]
fn two_replicas_serve_one_store() {
    let Some(db) = TestDb::create("two_replicas_serve_one_store") else {
        return;
    };
    let f = fixture(&db);
    let (a, b) = (Replica::start(&db), Replica::start(&db));

    // B's change feed, waiting from its current head.
    let (status, health) = http(&b.addr, "GET", "/v1/health", "", "");
    assert_eq!(status, 200, "{health}");
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

    // A write on A…
    let cmd = add(f.org, "new@acme.example");
    let (status, body) = http(
        &a.addr,
        "POST",
        "/v1/commands",
        &f.operator,
        &command_body(&cmd),
    );
    assert_eq!(status, 200, "{body}");
    // …is read on B at once (a read catches up with the database first)…
    let (status, body) = http(
        &b.addr,
        "GET",
        "/v1/orgs/acme/accounts?limit=500",
        &f.operator,
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("new@acme.example"), "{body}");
    // …and B's feed announces it.
    let (status, body) = feed.join().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("new@acme.example"),
        "B's feed shows A's commit: {body}"
    );

    // Two admins, each demoting the other at the same moment through different
    // replicas: one wins, the other is refused on the state the winner made.
    for round in 0..4 {
        let barrier = Arc::new(Barrier::new(2));
        let demote = |addr: &str, token: &str, other: AccountId| {
            let (addr, token, barrier) = (addr.to_string(), token.to_string(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                http(
                    &addr,
                    "POST",
                    &format!("/v1/orgs/acme/accounts/{}/demote", other.0),
                    &token,
                    "{}",
                )
            })
        };
        let on_a = demote(&a.addr, &f.x_token, f.y);
        let on_b = demote(&b.addr, &f.y_token, f.x);
        let answers = [on_a.join().unwrap(), on_b.join().unwrap()];
        let mut codes: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        codes.sort();
        assert_eq!(codes, vec![200, 403], "round {round}: {answers:?}");
        let levels = query(&f.store, |d| {
            (d.accounts[&f.x].level, d.accounts[&f.y].level)
        })
        .unwrap();
        assert!(
            matches!(
                levels,
                (Level::Admin, Level::Member) | (Level::Member, Level::Admin)
            ),
            "{levels:?}"
        );
        query(&f.store, |d| {
            assert_eq!(
                invariants::violations(d, f.store.now()),
                Vec::<String>::new()
            )
        })
        .unwrap();
        let demoted = if levels.0 == Level::Member { f.x } else { f.y };
        f.store
            .execute(
                &Principal::Operator,
                &Command::Promote { account: demoted },
                false,
            )
            .unwrap();
    }
}

#[test]
fn a_replica_killed_mid_write_loses_nothing_acknowledged() {
    let Some(db) = TestDb::create("replica_killed_mid_write") else {
        return;
    };
    let f = fixture(&db);
    let mut replica = Replica::start(&db);
    let acknowledged = Arc::new(Mutex::new(vec![]));
    let count = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (addr, token, org) = (replica.addr.clone(), f.operator.clone(), f.org);
        let (acknowledged, count) = (acknowledged.clone(), count.clone());
        std::thread::spawn(move || {
            for i in 0..2000 {
                let email = format!("k{i}@acme.example");
                let (status, _) = http(
                    &addr,
                    "POST",
                    "/v1/commands",
                    &token,
                    &command_body(&add(org, &email)),
                );
                if status != 200 {
                    return; // the replica is gone
                }
                acknowledged.lock().unwrap().push(email);
                count.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    // Kill it once it has acknowledged some writes, while it is still writing.
    for _ in 0..600 {
        if count.load(Ordering::SeqCst) >= 20 || writer.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    replica.kill();
    writer.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 20,
        "the replica acknowledged writes before it died"
    );

    let fresh = db.open();
    query(&fresh, |d| {
        for email in &acknowledged {
            assert!(
                d.account_by_email(f.org, email).is_some(),
                "{email} was acknowledged, so it is kept"
            );
        }
        assert_eq!(invariants::violations(d, fresh.now()), Vec::<String>::new());
    })
    .unwrap();
    // Another replica takes over the same database.
    let next = Replica::start(&db);
    let (status, body) = http(&next.addr, "GET", "/v1/health", "", "");
    assert_eq!(status, 200, "{body}");
}

/// A database store has no folder: each replica mails from its own `--mail-dir`, where
/// the link (which exists nowhere else) is rendered and, without SMTP, delivered.
#[test]
fn a_replica_mails_an_invitation_from_its_own_mail_folder() {
    let Some(db) = TestDb::create("a_replica_mails_from_its_mail_folder") else {
        return;
    };
    let f = fixture(&db);
    let a = Replica::start(&db);
    let (status, body) = http(
        &a.addr,
        "POST",
        "/v1/orgs/acme/invitations",
        &f.x_token,
        r#"{"email":"ivy@example.org"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let secret = serde_json::from_str::<Value>(&body).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let new = a.mail.path().join("maildir/new");
    let mut delivered = vec![];
    for _ in 0..200 {
        delivered = std::fs::read_dir(&new)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        if !delivered.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(delivered.len(), 1, "one message in {}", new.display());
    let text = std::fs::read_to_string(&delivered[0]).unwrap();
    assert!(text.contains("ivy@example.org"), "{text}");
    assert!(text.contains(&secret), "the message carries the link");
}
