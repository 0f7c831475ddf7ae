//! The PostgreSQL store on its own: the optimistic version check under a real race,
//! snapshots, surviving cut connections, and `store copy` both ways. Needs
//! `ROSTER_TEST_DATABASE_URL` (see tests/pg_support).

mod common;
mod pg_support;

use common::fixtures::*;
use pg_support::TestDb;
use roster::backend::copy::{Place, copy};
use roster::backend::file::FileStore;
use roster::backend::postgres::PgOptions;
use roster::backend::{Backend, BackendError, query};
use roster::core::{Command, DomainError, Level, Principal, invariants};
use std::sync::{Arc, Barrier};

/// Two replicas, two admins, each demoting the other at the same moment: the version
/// check lets exactly one win; the other decides again on the new state and is refused
/// (a member may not demote anyone). Never both.
#[test]
fn racing_replicas_never_both_commit_against_the_same_state() {
    let Some(db) = TestDb::create("racing_replicas") else {
        return;
    };
    let (a, b) = (Arc::new(db.open()), Arc::new(db.open()));
    let (org, _owner) = create_org(a.as_ref(), "race");
    let op = Principal::Operator;
    let admin = |email: &str| {
        let id = created_account(&add_account(a.as_ref(), &op, org, email).unwrap()).unwrap();
        a.execute(&op, &Command::Promote { account: id }, false)
            .unwrap();
        id
    };
    let (x, y) = (admin("x@race.example"), admin("y@race.example"));
    for round in 0..8 {
        let barrier = Arc::new(Barrier::new(2));
        let go = |store: Arc<roster::backend::postgres::PgStore>, me, other| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                store.execute(
                    &Principal::Account { id: me },
                    &Command::Demote { account: other },
                    false,
                )
            })
        };
        let (rx, ry) = (go(a.clone(), x, y), go(b.clone(), y, x));
        let results = [rx.join().unwrap(), ry.join().unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            won, 1,
            "round {round}: exactly one demotion commits: {results:?}"
        );
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(r, BackendError::Refused(DomainError::Forbidden(_))),
                "the loser is refused on the new state, with the reason: {r:?}"
            );
        }
        // Every replica agrees, and the rules hold.
        let fresh = db.open();
        let levels = query(&fresh, |d| (d.accounts[&x].level, d.accounts[&y].level)).unwrap();
        assert!(
            matches!(
                levels,
                (Level::Admin, Level::Member) | (Level::Member, Level::Admin)
            ),
            "{levels:?}"
        );
        query(&fresh, |d| {
            assert_eq!(invariants::violations(d, fresh.now()), Vec::<String>::new())
        })
        .unwrap();
        assert_eq!(state(a.as_ref()), state(&fresh));
        assert_eq!(state(b.as_ref()), state(&fresh));
        // Both admins again for the next round.
        let demoted = if levels.0 == Level::Member { x } else { y };
        a.execute(&op, &Command::Promote { account: demoted }, false)
            .unwrap();
    }
}

/// Many writers on several replicas at once: every acknowledged change is there, once,
/// in one gapless order.
#[test]
fn concurrent_writers_on_replicas_lose_nothing() {
    let Some(db) = TestDb::create("concurrent_writers") else {
        return;
    };
    let first = db.open();
    let (org, _) = create_org(&first, "busy");
    let replicas: Vec<_> = (0..3).map(|_| Arc::new(db.open())).collect();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let store = replicas[t % replicas.len()].clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        let email = format!("w{t}-{i}@busy.example");
                        add_account(store.as_ref(), &Principal::Operator, org, &email)
                            .unwrap_or_else(|e| panic!("{email}: {e}"));
                        email
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let emails: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let fresh = db.open();
    query(&fresh, |d| {
        for e in &emails {
            assert!(d.account_by_email(org, e).is_some(), "{e} was acknowledged");
        }
    })
    .unwrap();
    assert_complete_trail(&full_audit(&fresh), seq(&fresh));
}

/// A replica starts from the newest snapshot: the commits before it are not read
/// again (here they are made unreadable, and the store still opens, whole).
#[test]
fn a_replica_starts_from_the_newest_snapshot() {
    let Some(db) = TestDb::create("snapshots") else {
        return;
    };
    let options = PgOptions {
        snapshot_every: 10,
        ..PgOptions::default()
    };
    let store = db.open_with(options.clone());
    let (org, _) = create_org(&store, "snap");
    for i in 0..14 {
        add_account(
            &store,
            &Principal::Operator,
            org,
            &format!("u{i}@snap.example"),
        )
        .unwrap();
    }
    let before = state(&store);
    db.sql("UPDATE roster_commits SET events = '\"unreadable\"'::jsonb WHERE version <= 10");
    let reopened = db.open_with(options);
    assert_eq!(state(&reopened), before);
}

/// Every connection cut (as when the database restarts) while a replica writes: the
/// writes wait, retry, and each is committed exactly once.
#[test]
fn cut_connections_are_survived_with_retries() {
    let Some(db) = TestDb::create("cut_connections") else {
        return;
    };
    let store = Arc::new(db.open());
    let (org, _) = create_org(store.as_ref(), "cut");
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for i in 0..30 {
                add_account(
                    store.as_ref(),
                    &Principal::Operator,
                    org,
                    &format!("c{i}@cut.example"),
                )
                .unwrap_or_else(|e| panic!("write {i}: {e}"));
            }
        })
    };
    for _ in 0..5 {
        db.drop_connections();
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    writer.join().unwrap();
    let fresh = db.open();
    let n = query(&fresh, |d| d.accounts_of(org).count()).unwrap();
    assert_eq!(n, 31, "the owner and every acknowledged account, once each");
    assert_complete_trail(&full_audit(&fresh), seq(&fresh));
}

/// A demo store copied into PostgreSQL and back is the same store: same directory, same
/// history, same audit trail; copying into a store that holds data is refused.
#[test]
fn store_copy_round_trips_between_file_and_postgres() {
    let Some(db) = TestDb::create("store_copy") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    roster::demo::create_store(&source).unwrap();
    let original = FileStore::open(&source).unwrap();

    let pg = Place::Postgres(db.url.clone());
    let counts = copy(&Place::File(source.clone()), &pg).unwrap();
    assert!(counts.accounts > 10 && counts.commits > 10, "{counts:?}");
    let in_pg = db.open();
    assert_eq!(state(&in_pg), state(&original));
    assert_eq!(full_audit(&in_pg), full_audit(&original));

    let back = tmp.path().join("back");
    assert_eq!(copy(&pg, &Place::File(back.clone())).unwrap(), counts);
    let returned = FileStore::open(&back).unwrap();
    assert_eq!(state(&returned), state(&original));
    assert_eq!(full_audit(&returned), full_audit(&original));

    let again = copy(&Place::File(source), &pg).unwrap_err();
    assert!(again.to_string().contains("already holds"), "{again}");
}

/// The database password never shows: not in `describe`, not in an error.
#[test]
fn the_database_password_never_shows() {
    let Some(db) = TestDb::create("password_never_shows") else {
        return;
    };
    let store = db.open();
    let password = db.url.password().unwrap_or_default();
    assert!(!password.is_empty(), "the test URL carries a password");
    let secret = format!(":{password}@");
    assert!(!store.describe().contains(&secret), "{}", store.describe());
    let wrong = db
        .url
        .expose()
        .replacen(&format!(":{password}@"), ":not-the-password-42@", 1);
    let wrong = roster::backend::postgres::DatabaseUrl::parse(&wrong).unwrap();
    let err = roster::backend::postgres::PgStore::open(&wrong).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("not-the-password-42"), "{shown}");
    assert!(shown.contains("password authentication failed"), "{shown}");
}

/// Figures, not assertions: `cargo test --test pg_store -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_commits_and_start_time() {
    let Some(db) = TestDb::create("measure") else {
        return;
    };
    let store = db.open();
    let (org, _) = create_org(&store, "bench");
    let n = 3000;
    let started = std::time::Instant::now();
    for i in 0..n {
        add_account(
            &store,
            &Principal::Operator,
            org,
            &format!("b{i}@bench.example"),
        )
        .unwrap();
    }
    let took = started.elapsed();
    println!(
        "{n} commits by one replica: {took:?} ({:.0} commits/s)",
        n as f64 / took.as_secs_f64()
    );
    let started = std::time::Instant::now();
    let reopened = db.open();
    println!(
        "open after {} commits (snapshot every 1000): {:?}",
        n + 1,
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let q = roster::backend::AuditQuery {
        limit: 100,
        ..Default::default()
    };
    reopened.audit(&q).unwrap();
    println!("audit, newest 100: {:?}", started.elapsed());
}
