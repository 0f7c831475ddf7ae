//! Issue 15, item 10: the file store's edges. A store the user may not read says
//! "permission denied", not "there is no store"; a read-only log can still be read; a
//! whole last record that fails its checksum is damage, not a torn write; a log cut
//! at a record boundary is noticed; a waiting writer is queued on the lock rather than
//! polling it; and each store error is said once.
//!
//! Permission tests run the real binary as another user when run as root (root reads
//! any file whatever its mode): `setpriv` to uid/gid 65534 on a store that user owns.

mod common;

use common::fixtures::*;
use roster::backend::file::{BulkWriter, FileStore, HEADER_LEN, Options};
use roster::backend::{Backend, BackendError, query};
use roster::core::Directory;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A store in `<tmp>/store` with organisation `acme` and groups `g1..=n`, each its own
/// record; as root, handed over to the user the binary will run as.
fn store_with_groups(tmp: &Path, n: usize) -> PathBuf {
    let path = tmp.join("store");
    let store = FileStore::create(&path).unwrap();
    let (org, _) = create_org(&store, "acme");
    for i in 1..=n {
        create_group(&store, org, &format!("g{i}")).unwrap();
    }
    path
}

/// Lets another user into the temporary folder and gives them the store.
fn hand_over(tmp: &Path, store: &Path) {
    if !is_root() {
        return;
    }
    chmod(tmp, 0o755);
    for entry in walk(store) {
        std::os::unix::fs::chown(&entry, Some(NOBODY), Some(NOBODY)).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The binary on `store`, as a user the file modes apply to (not root).
fn roster_as_user(store: &Path, args: &[&str]) -> Option<Output> {
    let bin = env!("CARGO_BIN_EXE_roster");
    let mut cmd = if is_root() {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root and setpriv is not installed");
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid",
            &NOBODY.to_string(),
            "--regid",
            &NOBODY.to_string(),
            "--clear-groups",
            bin,
        ]);
        c
    } else {
        Command::new(bin)
    };
    let home = store.parent().unwrap();
    Some(
        cmd.arg("--store")
            .arg(store)
            .args(args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .output()
            .unwrap(),
    )
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn group_count(store: &FileStore) -> usize {
    query(store, |d: &Directory| d.groups.len()).unwrap()
}

fn corrupt(r: Result<FileStore, BackendError>) -> String {
    match r {
        Err(BackendError::Corrupt(m)) => m,
        Err(other) => panic!("expected damage, got {other:?}"),
        Ok(_) => panic!("the damaged store opened"),
    }
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

// 1. A store the user may not read.

#[test]
fn store_edges_an_unreadable_store_says_permission_denied_not_run_init() {
    for what in ["folder", "log"] {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_groups(tmp.path(), 1);
        hand_over(tmp.path(), &store);
        let target = match what {
            "folder" => store.clone(),
            _ => store.join("events.log"),
        };
        chmod(&target, 0o000);
        if !is_root() {
            match FileStore::open(&store) {
                Err(BackendError::Io(m)) => assert!(
                    m.contains("permission denied") && m.contains(&target.display().to_string()),
                    "{what}: {m}"
                ),
                other => panic!("{what}: expected permission denied, got {other:?}"),
            }
        }
        let Some(out) = roster_as_user(&store, &["--org", "acme", "group", "list"]) else {
            return;
        };
        let (_, stderr) = text(&out);
        chmod(&target, 0o700);
        assert_eq!(out.status.code(), Some(5), "{what}: {stderr}");
        assert!(
            stderr.contains("permission denied") && stderr.contains(&target.display().to_string()),
            "{what}: says what is wrong, and where: {stderr}"
        );
        assert!(
            !stderr.contains("roster init") && !stderr.contains("no roster store"),
            "{what}: never sends the user to `roster init` over their data: {stderr}"
        );
        assert!(
            stderr.contains("run roster as the user the store belongs to"),
            "{what}: says what to do: {stderr}"
        );
    }
}

// 2. A log the user may only read.

#[test]
fn store_edges_a_read_only_log_is_read_and_a_writer_says_it_is_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_groups(tmp.path(), 2);
    hand_over(tmp.path(), &store);
    let log = store.join("events.log");
    chmod(&log, 0o400);
    if !is_root() {
        let opened = FileStore::open(&store).expect("a read-only log opens");
        assert_eq!(group_count(&opened), 2);
    }
    let Some(list) = roster_as_user(&store, &["--org", "acme", "group", "list"]) else {
        return;
    };
    let (stdout, stderr) = text(&list);
    assert_eq!(
        list.status.code(),
        Some(0),
        "reading needs no write access: {stderr}"
    );
    assert!(stdout.contains("g1") && stdout.contains("g2"), "{stdout}");

    let create = roster_as_user(&store, &["--org", "acme", "group", "create", "g3"]).unwrap();
    let (_, stderr) = text(&create);
    assert_eq!(create.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("read-only") && stderr.contains(&log.display().to_string()),
        "the writer says the log is read-only: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(record_spans(&log).len(), 3, "nothing was written");
}

// 3. A whole last record that fails its checksum.

#[test]
fn store_edges_a_whole_last_record_failing_its_checksum_is_damage_not_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_groups(tmp.path(), 3);
    let log = store.join("events.log");
    let (last_start, last_end) = *record_spans(&log).last().unwrap();
    let mut bytes = fs::read(&log).unwrap();
    bytes[last_end - 10] ^= 0x04;
    fs::write(&log, &bytes).unwrap();

    let msg = corrupt(FileStore::open(&store));
    assert!(
        msg.contains(&format!(
            "the store is damaged at byte {last_start} of {}",
            log.display()
        )),
        "{msg}"
    );
    assert!(!msg.contains("damaged: the store is damaged"), "{msg}");
    assert_eq!(
        fs::read(&log).unwrap(),
        bytes,
        "an acknowledged record is never cut"
    );

    // Through the binary: the sentence once, no doubled prefix.
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--store")
        .arg(&store)
        .args(["--org", "acme", "group", "list"])
        .env_remove("ROSTER_STORE")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert_eq!(
        stderr.matches("damaged").count(),
        1,
        "the damage is said once: {stderr}"
    );
}

/// Power lost during a write that was never acknowledged: the size reached the disk,
/// the last page did not (zeros). That record may be cut, as before.
#[test]
fn store_edges_a_whole_last_record_ending_in_zeros_is_an_unfinished_write() {
    let tmp = tempfile::tempdir().unwrap();
    let store_path = store_with_groups(tmp.path(), 2);
    let committed = fs::read(store_path.join("committed")).unwrap();
    {
        let store = FileStore::open(&store_path).unwrap();
        let org = query(&store, |d| d.org_by_slug("acme").unwrap().id).unwrap();
        create_group(&store, org, "g3").unwrap();
    }
    // The crash came before the acknowledgement, so before the marker moved on.
    fs::write(store_path.join("committed"), committed).unwrap();
    let log = store_path.join("events.log");
    let (last_start, last_end) = *record_spans(&log).last().unwrap();
    let mut bytes = fs::read(&log).unwrap();
    bytes[last_end - 20..].fill(0);
    fs::write(&log, &bytes).unwrap();

    let store = FileStore::open(&store_path).unwrap();
    assert_eq!(group_count(&store), 2);
    assert_eq!(fs::metadata(&log).unwrap().len() as usize, last_start);
}

// 4. A log cut exactly at a record boundary.

fn assert_cut_is_noticed(store: &Path, what: &str) {
    let log = store.join("events.log");
    let spans = record_spans(&log);
    let (last_start, _) = *spans.last().unwrap_or_else(|| panic!("{what}: no record"));
    let seq_before = {
        let s = FileStore::open(store).unwrap();
        query(&s, |d| d.seq).unwrap()
    };
    let bytes = fs::read(&log).unwrap();
    fs::write(&log, &bytes[..last_start]).unwrap();
    let msg = corrupt(FileStore::open(store));
    assert!(
        msg.starts_with("the store is damaged: ")
            && msg.contains(&log.display().to_string())
            && msg.contains(&format!("but event {seq_before} was committed")),
        "{what}: {msg}"
    );
    assert_eq!(
        fs::metadata(&log).unwrap().len() as usize,
        last_start,
        "{what}: nothing was changed"
    );
}

#[test]
fn store_edges_a_log_cut_at_a_record_boundary_is_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_groups(tmp.path(), 3);
    assert_cut_is_noticed(&store, "single appends");
}

#[test]
fn store_edges_a_cut_after_a_group_commit_is_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let store = std::sync::Arc::new(FileStore::create(&path).unwrap());
    let (org, _) = create_org(store.as_ref(), "acme");
    let writers: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    create_group(store.as_ref(), org, &format!("t{t}-{i}")).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    drop(store);
    assert_cut_is_noticed(&path, "group commit");
}

#[test]
fn store_edges_a_cut_after_a_compaction_or_an_import_is_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 3);
    {
        let store = FileStore::open(&path).unwrap();
        store.compact().unwrap();
        let org = query(&store, |d| d.org_by_slug("acme").unwrap().id).unwrap();
        create_group(&store, org, "after").unwrap();
    }
    assert_cut_is_noticed(&path, "after a compaction");

    // A copy made by import: every record it appended is committed too.
    let history = {
        let tmp2 = tempfile::tempdir().unwrap();
        let src = store_with_groups(tmp2.path(), 2);
        FileStore::open(&src).unwrap().history().unwrap()
    };
    let copy = tmp.path().join("copy");
    let imported = FileStore::import(&copy, &history).unwrap();
    let seq = query(&imported, |d| d.seq).unwrap();
    drop(imported);
    let reopened = FileStore::open(&copy).unwrap();
    assert_eq!(query(&reopened, |d| d.seq).unwrap(), seq);
    let org = query(&reopened, |d| d.org_by_slug("acme").unwrap().id).unwrap();
    create_group(&reopened, org, "in the copy").unwrap();
    drop(reopened);
    assert_cut_is_noticed(&copy, "after an import");
}

/// A generated store (one pass, no live commits) opens, and records what it holds.
#[test]
fn store_edges_a_generated_store_opens_with_its_marker() {
    let tmp = tempfile::tempdir().unwrap();
    let src = store_with_groups(tmp.path(), 2);
    let history = FileStore::open(&src).unwrap().history().unwrap();
    let dir = query(&FileStore::open(&src).unwrap(), Directory::clone).unwrap();
    let path = tmp.path().join("generated");
    let mut bulk = BulkWriter::create(&path).unwrap();
    for events in &history {
        bulk.append(events).unwrap();
    }
    let seq = dir.seq;
    bulk.finish(dir).unwrap();
    assert!(path.join("committed").exists());
    let store = FileStore::open(&path).unwrap();
    assert_eq!(query(&store, |d| d.seq).unwrap(), seq);
}

/// Readers opening the store while a writer commits never see a false alarm: the
/// marker is read before the log, and written only after the log is synced.
#[test]
fn store_edges_readers_racing_a_writer_never_see_a_false_alarm() {
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 1);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, done) = (path.clone(), done.clone());
        std::thread::spawn(move || {
            let store = FileStore::open(&path).unwrap();
            let org = query(&store, |d| d.org_by_slug("acme").unwrap().id).unwrap();
            for i in 0..60 {
                create_group(&store, org, &format!("w{i}")).unwrap();
                if i % 20 == 19 {
                    store.compact().unwrap();
                }
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut opens = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) || opens == 0 {
        match FileStore::open(&path) {
            Ok(s) => {
                s.refresh().unwrap();
            }
            Err(e) => panic!("open {opens} while a writer commits: {e}"),
        }
        opens += 1;
    }
    writer.join().unwrap();
}

// 5. The writer lock: a waiter is queued in the kernel, not polling.

/// The blocked lock requests on the file at `path`, as /proc/locks lists them ("->").
fn waiters_on(path: &Path) -> Option<usize> {
    use std::os::unix::fs::MetadataExt;
    let locks = fs::read_to_string("/proc/locks").ok()?;
    let ino = fs::metadata(path).ok()?.ino();
    let needle = format!(":{ino} ");
    Some(
        locks
            .lines()
            .filter(|l| l.contains("->") && l.contains(&needle))
            .count(),
    )
}

#[test]
fn store_edges_a_waiting_writer_blocks_on_the_lock_and_wakes_when_it_is_released() {
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 1);
    let holder = FileStore::open(&path).unwrap();
    let waiter = FileStore::open_with(
        &path,
        Options {
            lock_timeout: Duration::from_secs(120),
            ..Options::default()
        },
    )
    .unwrap();
    let org = query(&waiter, |d| d.org_by_slug("acme").unwrap().id).unwrap();
    let guard = holder.hold_lock().unwrap();
    if waiters_on(&path.join("lock")).is_none() {
        eprintln!("skipped: no /proc/locks to look at");
        return;
    }
    let write = std::thread::spawn(move || create_group(&waiter, org, "after the wait"));
    // Not a timing assertion: the bound only keeps a broken build from hanging.
    let start = Instant::now();
    while waiters_on(&path.join("lock")) != Some(1) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the waiting writer never queued on the lock (polling instead?)"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(guard);
    write.join().unwrap().unwrap();
    assert_eq!(group_count(&holder), 2);
}

/// A writer that gives up leaves no lock behind: the helper thread that was waiting
/// for it releases it as soon as it gets it.
#[test]
fn store_edges_a_writer_that_gives_up_leaves_the_lock_free() {
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 1);
    let holder = FileStore::open(&path).unwrap();
    let impatient = FileStore::open_with(
        &path,
        Options {
            lock_timeout: Duration::from_millis(100),
            ..Options::default()
        },
    )
    .unwrap();
    let org = query(&impatient, |d| d.org_by_slug("acme").unwrap().id).unwrap();
    let guard = holder.hold_lock().unwrap();
    match create_group(&impatient, org, "never") {
        Err(BackendError::Busy(m)) => {
            assert!(m.contains("is busy") && m.contains("try again"), "{m}");
            assert_eq!(m.matches("busy").count(), 1, "said once: {m}");
            assert_eq!(m.matches("try again").count(), 1, "said once: {m}");
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    drop(guard);
    // The store can be written again (the given-up waiter's thread let go).
    create_group(&holder, org, "next").unwrap();
    assert_eq!(group_count(&holder), 2);
}

/// The CLI shows a busy store's sentence once, without a second "busy" around it.
#[test]
fn store_edges_the_cli_says_busy_once() {
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 1);
    let holder = FileStore::open(&path).unwrap();
    let guard = holder.hold_lock().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--store")
        .arg(&path)
        .args(["--org", "acme", "group", "create", "blocked"])
        .env_remove("ROSTER_STORE")
        .output()
        .unwrap();
    drop(guard);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert_eq!(stderr.matches("busy").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("try again").count(), 1, "{stderr}");
}

/// The bench for the writer lock (not run by default, and no timing is asserted):
/// 16 processes each running `roster group create` in a loop on one store; prints
/// the latency of one uncontended write and the p50/p99/max of the contended ones.
///
/// `cargo test --test store_edges -- --ignored --nocapture bench` (set ROSTER_BENCH_BIN
/// to measure another build of roster, e.g. one from before the change).
#[test]
#[ignore]
fn store_edges_bench_16_writer_processes() {
    const PROCESSES: usize = 16;
    const EACH: usize = 20;
    let bin = std::env::var("ROSTER_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_roster").to_string());
    let tmp = tempfile::tempdir().unwrap();
    let path = store_with_groups(tmp.path(), 1);
    let write = |name: &str| {
        let t = Instant::now();
        let out = Command::new(&bin)
            .arg("--store")
            .arg(&path)
            .args(["--org", "acme", "group", "create", name])
            .env_remove("ROSTER_STORE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.elapsed()
    };
    let mut alone: Vec<Duration> = (0..10).map(|i| write(&format!("alone-{i}"))).collect();
    alone.sort();
    let one = alone[alone.len() / 2];
    let all: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..PROCESSES)
            .map(|p| {
                let write = &write;
                s.spawn(move || {
                    (0..EACH)
                        .map(|i| write(&format!("p{p}-{i}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut all = all;
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "one write alone (median of 10): {:.1} ms; {PROCESSES} writer processes x {EACH}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; p99 = {:.1}x one write",
        ms(one),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*all.last().unwrap()),
        ms(at(0.99)) / ms(one)
    );
}
