//! The file store's own promises: durability, recovery from a torn write, refusal of
//! damage and foreign files, compaction, private files, and several processes (here:
//! several handles) sharing one store.

mod common;

use common::clock::ManualClock;
use common::fixtures::*;
use jiff::SignedDuration;
use proptest::prelude::*;
use roster::backend::file::{FileStore, HEADER_LEN, Options};
use roster::backend::{AuditQuery, Backend, BackendError};
use roster::core::{Command, Principal};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn options(clock: &ManualClock) -> Options {
    Options {
        clock: clock.clock(),
        lock_timeout: Duration::from_secs(5),
        compact_after: u64::MAX,
    }
}

fn new_store(dir: &Path) -> FileStore {
    FileStore::create_with(dir, options(&ManualClock::at(t0()))).unwrap()
}

fn log_path(store: &Path) -> PathBuf {
    store.join("events.log")
}

/// Where each record of a log starts and ends, read from the length fields.
fn record_spans(log: &Path) -> Vec<(usize, usize)> {
    let bytes = fs::read(log).unwrap();
    let mut spans = vec![];
    let mut pos = HEADER_LEN;
    while pos + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        spans.push((pos, pos + 8 + len));
        pos += 8 + len;
    }
    spans
}

/// A store with an organisation and groups `g1..=n`, each its own record.
fn store_with_groups(dir: &Path, n: usize) -> roster::core::OrgId {
    let store = new_store(dir);
    let (org, _) = create_org(&store, "acme");
    for i in 1..=n {
        create_group(&store, org, &format!("g{i}")).unwrap();
    }
    org
}

fn names(list: &[&str]) -> std::collections::BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Runs `f` and returns what it logged at warning level or above on this thread.
///
/// One global subscriber for the whole test binary, writing into a per-thread buffer:
/// a scoped (`with_default`) subscriber per test raced with other tests over tracing's
/// per-callsite interest cache, so a warning could go unseen now and then.
fn warnings<R>(f: impl FnOnce() -> R) -> (R, String) {
    use std::cell::RefCell;
    thread_local! {
        static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    }
    struct ThreadBuf;
    impl Write for ThreadBuf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            CAPTURE.with(|c| {
                if let Some(buf) = c.borrow_mut().as_mut() {
                    buf.extend_from_slice(b);
                }
            });
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(|| ThreadBuf)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
    });
    CAPTURE.with(|c| *c.borrow_mut() = Some(vec![]));
    let out = f();
    let bytes = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (out, String::from_utf8_lossy(&bytes).into_owned())
}

fn corrupt_message(r: Result<FileStore, BackendError>) -> String {
    match r {
        Err(BackendError::Corrupt(m)) => m,
        other => panic!("expected a Corrupt error, got {other:?}"),
    }
}

#[test]
fn what_was_acknowledged_is_there_after_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let clock = ManualClock::at(t0());
    let store = FileStore::create_with(&path, options(&clock)).unwrap();
    let (org, owner) = create_org(&store, "acme");
    for name in ["Auditors", "Editors", "Readers"] {
        clock.advance(SignedDuration::from_mins(1));
        create_group(&store, org, name).unwrap();
    }
    add_account(
        &store,
        &Principal::Account { id: owner },
        org,
        "ada@acme.example",
    )
    .unwrap();
    let (before, trail) = (state(&store), full_audit(&store));
    drop(store);

    let again = FileStore::open_with(&path, options(&clock)).unwrap();
    assert_eq!(state(&again), before);
    assert_eq!(full_audit(&again), trail);
    assert_eq!(
        trail[1].at,
        t0() + SignedDuration::from_mins(3),
        "events carry the store's clock"
    );
    assert_eq!(again.now(), clock.now());
}

#[test]
fn a_refusal_or_a_dry_run_writes_no_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let store = new_store(tmp.path());
    let (org, owner) = create_org(&store, "acme");
    let before = fs::read(log_path(tmp.path())).unwrap();

    let refused = store.execute(
        &Principal::Account { id: owner },
        &Command::Disable { account: owner },
        false,
    );
    assert!(
        matches!(refused, Err(BackendError::Refused(_))),
        "{refused:?}"
    );
    let dry = store
        .execute(
            &Principal::Operator,
            &Command::CreateGroup {
                org,
                name: "Dry".into(),
            },
            true,
        )
        .unwrap();
    assert_eq!(dry.len(), 1);
    assert_eq!(fs::read(log_path(tmp.path())).unwrap(), before);

    // Reopened, the dry run left no trace either.
    let again = FileStore::open(tmp.path()).unwrap();
    assert!(group_names(&again, org).is_empty());
}

#[test]
fn every_file_is_private_to_its_owner() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("nested").join("store");
    let store = FileStore::create(&path).unwrap();
    let (org, _) = create_org(&store, "acme");
    store.compact().unwrap();
    create_group(&store, org, "After compaction").unwrap();

    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o700, "the store folder");
    assert_eq!(mode(&path.join("archive")), 0o700, "the archive folder");
    let mut files = vec![
        path.join("events.log"),
        path.join("snapshot"),
        path.join("lock"),
    ];
    files.extend(
        fs::read_dir(path.join("archive"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    assert!(files.len() >= 4);
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn opening_nothing_or_creating_twice_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    match FileStore::open(&tmp.path().join("absent")) {
        Err(BackendError::Missing(m)) => assert!(m.contains("roster init"), "{m}"),
        other => panic!("expected Missing, got {other:?}"),
    }
    match FileStore::open(tmp.path()) {
        Err(BackendError::Missing(m)) => assert!(
            m.contains("roster init"),
            "an empty folder is no store: {m}"
        ),
        other => panic!("expected Missing, got {other:?}"),
    }
    new_store(&tmp.path().join("store"));
    let twice = FileStore::create(&tmp.path().join("store"))
        .unwrap_err()
        .to_string();
    assert!(twice.contains("already a roster store"), "{twice}");

    fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let busy_folder = FileStore::create(tmp.path()).unwrap_err().to_string();
    assert!(busy_folder.contains("not empty"), "{busy_folder}");
}

#[derive(Debug, Clone, Copy)]
enum TornTail {
    /// The last record lost its end.
    Cut,
    /// Bytes that are not a record follow the last record.
    Garbage,
    /// The last record is whole in length but its end never reached the disk (power
    /// lost after the size was written): zeros. A whole record with any other bad
    /// byte was acknowledged, and is damage (tests/store_edges.rs).
    Zeros,
}

#[test]
fn a_torn_tail_is_cut_off_with_a_warning_and_the_rest_kept() {
    for damage in [TornTail::Cut, TornTail::Garbage, TornTail::Zeros] {
        let tmp = tempfile::tempdir().unwrap();
        let org = store_with_groups(tmp.path(), 3);
        let log = log_path(tmp.path());
        let spans = record_spans(&log);
        let (last_start, last_end) = *spans.last().unwrap();
        let mut bytes = fs::read(&log).unwrap();
        let (kept_len, survivors) = match damage {
            TornTail::Cut => {
                bytes.truncate(last_end - 5);
                (last_start, names(&["g1", "g2"]))
            }
            TornTail::Garbage => {
                // Its length field promises more than follows: half a record. (Bytes
                // that fill their whole length but fail the checksum would be a record
                // written whole, so acknowledged: damage, see tests/store_edges.rs.)
                bytes.extend_from_slice(b"\x40\x00\x00\x00 half a record from a crash");
                (last_end, names(&["g1", "g2", "g3"]))
            }
            TornTail::Zeros => {
                bytes[last_end - 10..last_end].fill(0);
                (last_start, names(&["g1", "g2"]))
            }
        };
        fs::write(&log, &bytes).unwrap();
        // A torn record was never acknowledged, so the `committed` marker (written
        // after each commit's fsync) never counted it: here, as if it lagged.
        fs::remove_file(tmp.path().join("committed")).unwrap();

        let (store, warned) = warnings(|| FileStore::open(tmp.path()));
        let store = store.unwrap_or_else(|e| panic!("{damage:?}: {e}"));
        assert!(
            warned.contains("not a complete record"),
            "{damage:?}: {warned}"
        );
        assert_eq!(group_names(&store, org), survivors, "{damage:?}");
        assert_eq!(
            fs::metadata(&log).unwrap().len() as usize,
            kept_len,
            "{damage:?}: the tail is cut"
        );

        // The store goes on: a new command lands after the valid prefix.
        create_group(&store, org, "after").unwrap();
        let again = FileStore::open(tmp.path()).unwrap();
        assert!(group_names(&again, org).contains("after"));
        assert_complete_trail(&full_audit(&again), seq(&again));
    }
}

#[test]
fn damage_in_the_middle_is_a_clear_error_and_nothing_is_cut() {
    let tmp = tempfile::tempdir().unwrap();
    store_with_groups(tmp.path(), 3);
    let log = log_path(tmp.path());
    let spans = record_spans(&log);
    let mut bytes = fs::read(&log).unwrap();
    bytes[spans[1].0 + 20] ^= 0x01;
    fs::write(&log, &bytes).unwrap();

    let msg = corrupt_message(FileStore::open(tmp.path()));
    let at = format!("at byte {} of {}", spans[1].0, log.display());
    assert!(msg.contains(&at), "the message says where: {msg}");
    assert_eq!(
        fs::read(&log).unwrap(),
        bytes,
        "damaged history is left for a person to look at"
    );
}

#[test]
fn a_foreign_file_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let log = log_path(tmp.path());
    fs::write(
        &log,
        b"PK\x03\x04 this is somebody's zip archive, not a roster log at all",
    )
    .unwrap();
    let msg = corrupt_message(FileStore::open(tmp.path()));
    assert!(
        msg.contains(&log.display().to_string()) && msg.contains("not a roster event log"),
        "{msg}"
    );

    fs::write(&log, b"tiny").unwrap();
    let msg = corrupt_message(FileStore::open(tmp.path()));
    assert!(msg.contains("shorter than the 40-byte header"), "{msg}");

    let other = tempfile::tempdir().unwrap();
    let store = new_store(other.path());
    create_org(&store, "acme");
    store.compact().unwrap();
    let snapshot = other.path().join("snapshot");
    fs::write(&snapshot, b"{\"orgs\": \"not ours\"}").unwrap();
    let msg = corrupt_message(FileStore::open(other.path()));
    assert!(
        msg.contains(&snapshot.display().to_string()) && msg.contains("not a roster snapshot"),
        "{msg}"
    );

    let file = tmp.path().join("plain-file");
    fs::write(&file, b"hello").unwrap();
    let msg = corrupt_message(FileStore::open(&file));
    assert!(msg.contains("not a roster store"), "{msg}");
}

#[test]
fn a_log_from_another_store_is_not_replayed_on_this_snapshot() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [a.path(), b.path()] {
        let store = new_store(dir);
        create_org(&store, "acme");
        store.compact().unwrap();
    }
    fs::copy(log_path(b.path()), log_path(a.path())).unwrap();
    let msg = corrupt_message(FileStore::open(a.path()));
    assert!(msg.contains("belongs to another store"), "{msg}");
}

/// Two contracts for one product, the bigger one reaching its end date: seat capacity
/// does not depend on the clock (core::policy::seat_capacity), so time passing never
/// breaks the seat rule, and the store opens from the log and from a snapshot alike.
#[test]
fn a_store_still_opens_after_time_moves_past_a_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(t0());
    let store = FileStore::create_with(tmp.path(), options(&clock)).unwrap();
    let (org, owner) = create_org(&store, "acme");
    let op = Principal::Operator;
    let contract = |seats, end| Command::CreateContract {
        org,
        product: "IDAAS".into(),
        start: t0(),
        end,
        seats,
    };
    store
        .execute(
            &op,
            &contract(3, Some(t0() + SignedDuration::from_hours(24))),
            false,
        )
        .unwrap();
    store.execute(&op, &contract(1, None), false).unwrap();
    let role = Command::CreateRole {
        org,
        name: "Integrator".into(),
        description: String::new(),
        scope: roster::core::Scope::Org,
        permissions: ["members.read".to_string()].into(),
        gate: Some("IDAAS".into()),
    };
    let role = store.execute(&op, &role, false).unwrap();
    let role = match &role[0].event {
        roster::core::Event::RoleCreated { role } => role.id,
        other => panic!("{other:?}"),
    };
    for i in 0..3 {
        let added = add_account(
            &store,
            &Principal::Account { id: owner },
            org,
            &format!("i{i}@acme.example"),
        )
        .unwrap();
        let account = created_account(&added).unwrap();
        store
            .execute(
                &op,
                &Command::GrantRole {
                    account,
                    role,
                    until: None,
                },
                false,
            )
            .unwrap();
    }
    clock.advance(SignedDuration::from_hours(48));
    let now = clock.now();
    let late = query_violations(&store, now);
    assert!(late.is_empty(), "time alone broke an invariant: {late:?}");

    let reopened = FileStore::open_with(tmp.path(), options(&clock))
        .unwrap_or_else(|e| panic!("from the log: {e}"));
    reopened.compact().unwrap();
    FileStore::open_with(tmp.path(), options(&clock))
        .unwrap_or_else(|e| panic!("from a snapshot: {e}"));
}

fn query_violations(b: &dyn Backend, at: jiff::Timestamp) -> Vec<String> {
    roster::backend::query(b, |d| roster::core::invariants::violations(d, at)).unwrap()
}

/// A record roster never wrote (checksum and all) that breaks a rule is refused.
#[test]
fn contents_that_break_the_rules_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = new_store(tmp.path());
    let (org, owner) = create_org(&store, "acme");
    let ada = add_account(
        &store,
        &Principal::Account { id: owner },
        org,
        "ada@acme.example",
    )
    .unwrap();
    let mut forged = ada.last().unwrap().clone();
    forged.seq += 1;
    forged.event = roster::core::Event::LevelChanged {
        account: created_account(&ada).unwrap(),
        level: roster::core::Level::Owner,
    };
    let payload = serde_json::to_vec(&vec![forged]).unwrap();
    let mut record = (payload.len() as u32).to_le_bytes().to_vec();
    record.extend(crc32fast::hash(&payload).to_le_bytes());
    record.extend(payload);
    fs::OpenOptions::new()
        .append(true)
        .open(log_path(tmp.path()))
        .unwrap()
        .write_all(&record)
        .unwrap();

    let msg = corrupt_message(FileStore::open(tmp.path()));
    assert!(
        msg.contains("break roster's rules") && msg.contains("2 owners"),
        "{msg}"
    );
}

#[test]
fn compaction_keeps_every_state_and_every_event() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        compact_after: 2048,
        ..options(&ManualClock::at(t0()))
    };
    let store = FileStore::create_with(tmp.path(), opts.clone()).unwrap();
    let (org, _) = create_org(&store, "acme");
    for i in 0..60 {
        create_group(&store, org, &format!("group {i}")).unwrap();
    }
    let segments = fs::read_dir(tmp.path().join("archive")).unwrap().count();
    assert!(
        segments >= 3,
        "the log was compacted several times ({segments} segments)"
    );
    assert!(tmp.path().join("snapshot").exists());
    assert!(
        fs::metadata(log_path(tmp.path())).unwrap().len() < 2048 + 1024,
        "the current log stays small"
    );

    let again = FileStore::open_with(tmp.path(), opts).unwrap();
    assert_eq!(state(&again), state(&store));
    assert_eq!(group_names(&again, org).len(), 60);
    assert_complete_trail(&full_audit(&again), seq(&again));
    let q = AuditQuery {
        kind: Some("group_created".into()),
        limit: 1000,
        ..Default::default()
    };
    assert_eq!(
        again.audit(&q).unwrap().len(),
        60,
        "the audit trail reaches into the archive"
    );
}

/// Builds the files a crash at each step of a compaction would leave, by undoing the
/// later steps of a real compaction.
#[test]
fn a_compaction_interrupted_at_any_step_is_finished_on_open() {
    #[derive(Debug, Clone, Copy)]
    enum Crash {
        /// Snapshot renamed into place, old log not yet archived.
        AfterSnapshot,
        /// Old log archived, new log not yet created.
        AfterArchive,
        /// Temporary files left half-written.
        Leftovers,
    }
    for crash in [Crash::AfterSnapshot, Crash::AfterArchive, Crash::Leftovers] {
        let tmp = tempfile::tempdir().unwrap();
        let org = store_with_groups(tmp.path(), 2);
        let store = FileStore::open(tmp.path()).unwrap();
        store.compact().unwrap();
        let expected = state(&store);
        drop(store);
        let log = log_path(tmp.path());
        let archived = tmp.path().join("archive").join("events-00000000.log");
        match crash {
            Crash::AfterSnapshot => fs::rename(&archived, &log).unwrap(),
            Crash::AfterArchive => fs::remove_file(&log).unwrap(),
            Crash::Leftovers => {
                fs::write(tmp.path().join("snapshot.tmp"), b"half a snap").unwrap();
                fs::write(tmp.path().join("events.log.tmp"), b"ROST").unwrap();
            }
        }

        // A reader (the lock is held elsewhere) reads the interrupted state as is.
        let holder = FileStore::open(tmp.path()).unwrap();
        let guard = holder.hold_lock().unwrap();
        let reader =
            FileStore::open(tmp.path()).unwrap_or_else(|e| panic!("{crash:?}, reading: {e}"));
        assert_eq!(state(&reader), expected, "{crash:?}");
        drop(guard);

        // A writer finishes the compaction and carries on.
        let store = FileStore::open(tmp.path()).unwrap_or_else(|e| panic!("{crash:?}: {e}"));
        assert_eq!(state(&store), expected, "{crash:?}");
        assert!(
            archived.exists() && log.exists(),
            "{crash:?}: the compaction was finished"
        );
        assert!(!tmp.path().join("snapshot.tmp").exists(), "{crash:?}");
        create_group(&store, org, "later").unwrap();
        assert_eq!(
            reader.refresh().unwrap(),
            seq(&store),
            "{crash:?}: the reader catches up"
        );
        assert_eq!(state(&reader), state(&store), "{crash:?}");
        let again = FileStore::open(tmp.path()).unwrap();
        assert_eq!(state(&again), state(&store), "{crash:?}");
        assert_complete_trail(&full_audit(&again), seq(&again));
    }
}

#[test]
fn two_handles_see_each_others_writes_and_lose_none() {
    let tmp = tempfile::tempdir().unwrap();
    let a = new_store(tmp.path());
    let b = FileStore::open(tmp.path()).unwrap();
    let (org, _) = create_org(&a, "acme");
    assert!(group_names(&b, org).is_empty());

    for i in 0..10 {
        create_group(&a, org, &format!("a{i}")).unwrap();
        assert_eq!(b.refresh().unwrap(), seq(&a), "b sees a's write {i}");
        create_group(&b, org, &format!("b{i}")).unwrap();
    }
    a.refresh().unwrap();
    assert_eq!(state(&a), state(&b));
    assert_eq!(group_names(&a, org).len(), 20);
    assert_complete_trail(&full_audit(&b), seq(&b));
}

#[test]
fn a_write_conditional_on_a_version_another_handle_moved_on_is_stale_and_writes_nothing() {
    use roster::core::DomainError;
    use roster::core::precondition::{Precondition, Resource};
    let tmp = tempfile::tempdir().unwrap();
    let a = new_store(tmp.path());
    let b = FileStore::open(tmp.path()).unwrap();
    let (org, _) = create_org(&a, "acme");
    let group = created_group(&create_group(&a, org, "ops").unwrap()).unwrap();
    let read = roster::backend::query(&a, |dir| dir.groups[&group].version).unwrap();
    // `b` (another process, as far as `a` knows) renames the group in between.
    let rename = |name: &str| Command::RenameGroup {
        group,
        name: name.into(),
    };
    b.execute(&Principal::Operator, &rename("platform"), false)
        .unwrap();
    let before = fs::read(log_path(tmp.path())).unwrap();

    let stale = a.execute_if(
        &Principal::Operator,
        &rename("operations"),
        false,
        Some(&Precondition::new(Resource::Group(group), read)),
    );
    match stale {
        Err(BackendError::Refused(DomainError::Stale(m))) => {
            assert!(m.contains("changed by someone else"), "{m}")
        }
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    assert_eq!(fs::read(log_path(tmp.path())).unwrap(), before);
    assert!(group_names(&a, org).contains("platform"));

    // At the version `a` now sees, the same write goes through.
    let now = roster::backend::query(&a, |dir| dir.groups[&group].version).unwrap();
    a.execute_if(
        &Principal::Operator,
        &rename("operations"),
        false,
        Some(&Precondition::new(Resource::Group(group), now)),
    )
    .unwrap();
    assert!(group_names(&b, org).contains("operations"));
}

#[test]
fn two_handles_writing_at_the_same_time_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        compact_after: 4096,
        ..options(&ManualClock::at(t0()))
    };
    let first = FileStore::create_with(tmp.path(), opts.clone()).unwrap();
    let (org, _) = create_org(&first, "acme");
    drop(first);
    let writers: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|who| {
            let store = FileStore::open_with(tmp.path(), opts.clone()).unwrap();
            std::thread::spawn(move || {
                for i in 0..25 {
                    create_group(&store, org, &format!("{who}{i}")).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = FileStore::open(tmp.path()).unwrap();
    assert_eq!(group_names(&store, org).len(), 75);
    assert_complete_trail(&full_audit(&store), seq(&store));
}

#[test]
fn a_held_lock_makes_writers_busy_but_never_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let a = new_store(tmp.path());
    let (org, _) = create_org(&a, "acme");
    let opts = Options {
        lock_timeout: Duration::from_millis(200),
        ..options(&ManualClock::at(t0()))
    };
    let b = FileStore::open_with(tmp.path(), opts).unwrap();

    let guard = a.hold_lock().unwrap();
    match create_group(&b, org, "blocked") {
        Err(BackendError::Busy(m)) => {
            assert!(
                m.contains("is busy") && m.contains(&tmp.path().display().to_string()),
                "{m}"
            );
            assert!(m.contains("waited 0.2s"), "{m}");
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    assert!(
        b.refresh().is_ok() && group_names(&b, org).is_empty(),
        "reading needs no lock"
    );
    assert!(
        b.execute(
            &Principal::Operator,
            &Command::CreateGroup {
                org,
                name: "dry".into()
            },
            true
        )
        .is_ok()
    );
    assert!(b.audit(&AuditQuery::default()).is_ok());
    drop(guard);

    create_group(&b, org, "unblocked").unwrap();
    assert!(group_names(&a, org).contains("unblocked"));
}

#[test]
fn a_reader_leaves_a_record_being_written_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let org = store_with_groups(tmp.path(), 2);
    let log = log_path(tmp.path());
    let writer = FileStore::open(tmp.path()).unwrap();
    let guard = writer.hold_lock().unwrap();
    // Another process is half-way through appending a record.
    let mut f = fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(b"\x40\x00\x00\x00\x00\x00\x00\x00[{\"seq\":")
        .unwrap();
    let len = fs::metadata(&log).unwrap().len();

    let reader = FileStore::open(tmp.path()).unwrap();
    reader.refresh().unwrap();
    assert_eq!(group_names(&reader, org), names(&["g1", "g2"]));
    assert_eq!(
        fs::metadata(&log).unwrap().len(),
        len,
        "a reader never cuts"
    );
    drop(guard);

    // The process died mid-write; the next writer cuts the tail and appends.
    create_group(&reader, org, "g3").unwrap();
    writer.refresh().unwrap();
    assert_eq!(group_names(&writer, org), names(&["g1", "g2", "g3"]));
    assert_complete_trail(&full_audit(&writer), seq(&writer));
}

#[test]
fn refresh_picks_up_another_handles_compaction() {
    let tmp = tempfile::tempdir().unwrap();
    let org = store_with_groups(tmp.path(), 3);
    let a = FileStore::open(tmp.path()).unwrap();
    let b = FileStore::open(tmp.path()).unwrap();
    a.compact().unwrap();
    create_group(&a, org, "after").unwrap();
    a.compact().unwrap();
    assert_eq!(b.refresh().unwrap(), seq(&a));
    assert_eq!(state(&b), state(&a));
    create_group(&b, org, "from b").unwrap();
    a.refresh().unwrap();
    assert!(group_names(&a, org).contains("from b"));
}

#[test]
fn one_durable_execute_costs() {
    // Not an assertion (machines are noisy): a figure for the record, shown with
    // `cargo test --release --test file_store one_durable -- --nocapture`.
    let tmp = tempfile::tempdir().unwrap();
    let store = new_store(tmp.path());
    let (org, _) = create_org(&store, "acme");
    let n = 200;
    let start = std::time::Instant::now();
    for i in 0..n {
        create_group(&store, org, &format!("timed {i}")).unwrap();
    }
    let each = start.elapsed() / n;
    println!(
        "one durable execute (lock, catch up, decide, append, fsync): {each:?} on average over {n}"
    );
    assert_eq!(group_names(&store, org).len(), n as usize);
}

/// A valid store's log, for the property tests to mangle.
fn valid_log() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    store_with_groups(tmp.path(), 3);
    fs::read(log_path(tmp.path())).unwrap()
}

/// Opening whatever is on disk returns Ok or a clear error, never panics; and what
/// opens satisfies the invariants (open checks them).
fn open_bytes(log: Option<&[u8]>, snapshot: Option<&[u8]>) {
    let tmp = tempfile::tempdir().unwrap();
    if let Some(b) = log {
        fs::write(log_path(tmp.path()), b).unwrap();
    }
    if let Some(b) = snapshot {
        fs::write(tmp.path().join("snapshot"), b).unwrap();
    }
    if let Err(e) = FileStore::open(tmp.path()) {
        assert!(!e.to_string().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_as_a_log_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        open_bytes(Some(&bytes), None);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut log = valid_log()[..HEADER_LEN].to_vec();
        log.extend(bytes);
        open_bytes(Some(&log), None);
    }

    #[test]
    fn a_mangled_log_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut in any::<prop::sample::Index>()) {
        let mut log = valid_log();
        for (at, byte) in edits {
            let i = at.index(log.len());
            log[i] = byte;
        }
        log.truncate(HEADER_LEN + cut.index(log.len() - HEADER_LEN + 1));
        open_bytes(Some(&log), None);
    }

    #[test]
    fn arbitrary_bytes_as_a_snapshot_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), with_log in any::<bool>()) {
        let log = valid_log();
        open_bytes(with_log.then_some(&log[..]), Some(&bytes));
    }
}

/// The audit trail never carries secret hashes: neither a text search for one nor the
/// records it returns may reveal an invitation's hash.
#[test]
fn the_audit_trail_reveals_no_secret_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::create(tmp.path()).unwrap();
    let (org, _owner) = create_org(&store, "acme");
    let hash = "5ec7e7a5ec7e7a5ec7e7a5ec7e7a5ec7e7a5ec7e7a5ec7e7a5ec7e7a5ec7e7a0".to_string();
    let invite = Command::Invite {
        org,
        email: "new@acme.example".into(),
        first_name: "New".into(),
        last_name: String::new(),
        message: String::new(),
        level: roster::core::Level::Member,
        roles: vec![],
        programs: vec![],
        expires: None,
        secret_hash: Some(hash.clone()),
    };
    store.execute(&Principal::Operator, &invite, false).unwrap();
    let search = AuditQuery {
        text: Some(hash[..12].to_string()),
        ..Default::default()
    };
    assert!(
        store.audit(&search).unwrap().is_empty(),
        "a hash prefix was searchable"
    );
    let all = store.audit(&AuditQuery::default()).unwrap();
    assert!(!all.is_empty());
    let json = serde_json::to_string(&all).unwrap();
    assert!(!json.contains(&hash[..12]), "the trail printed a hash");
}

/// The audit trail reads each log newest first and stops once it has enough: every
/// limit and every page must still be exactly a slice of the whole trail, across the
/// current log and archived generations.
#[test]
fn audit_limits_and_pages_agree_with_the_whole_trail_across_generations() {
    let tmp = tempfile::tempdir().unwrap();
    let store = new_store(tmp.path());
    let (org, _) = create_org(&store, "acme");
    for i in 0..30 {
        create_group(&store, org, &format!("Group {i}")).unwrap();
        if i % 7 == 6 {
            store.compact().unwrap();
        }
    }
    let all = store
        .audit(&AuditQuery {
            limit: usize::MAX,
            ..Default::default()
        })
        .unwrap();
    assert!(all.len() > 30);
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    for limit in [1, 2, 5, 7, 8, 13, all.len() - 1, all.len()] {
        let newest = store
            .audit(&AuditQuery {
                limit,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(newest, all[..limit].to_vec(), "limit {limit}");
        for start in [1, 6, 7, 20] {
            let page = store
                .audit(&AuditQuery {
                    before: Some(all[start - 1].seq),
                    limit,
                    ..Default::default()
                })
                .unwrap();
            let end = (start + limit).min(all.len());
            assert_eq!(
                page,
                all[start..end].to_vec(),
                "limit {limit}, page after {start}"
            );
        }
    }
}
