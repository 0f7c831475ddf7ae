//! Crash safety with real processes: a child process writes to a store and says which
//! commands were acknowledged; the parent kills it with SIGKILL at a random moment,
//! reopens the store and checks that everything acknowledged is there, that no command
//! is half there, and that the invariants hold. Some rounds compact every few commands
//! so kills land in the middle of compactions too.
//!
//! The child is this same test binary, started again with `ROSTER_CRASH_WRITER` set.

mod common;

use common::fixtures::*;
use roster::backend::file::{FileStore, Options};
use roster::backend::{Backend, query};
use roster::core::{Approval, Command, Principal, Settings};
use std::collections::BTreeSet;
use std::env;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{self, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

const TEST_NAME: &str = "killed_writers_never_lose_an_acknowledged_command";
const CHILD_STORE: &str = "ROSTER_CRASH_WRITER";
const CHILD_ROUND: &str = "ROSTER_CRASH_ROUND";
const CHILD_COMPACT: &str = "ROSTER_CRASH_COMPACT";
const ROUNDS: u32 = 50;

#[test]
fn killed_writers_never_lose_an_acknowledged_command() {
    if let Some(store) = env::var_os(CHILD_STORE) {
        return write_until_killed(Path::new(&store));
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let store = FileStore::create(&path).unwrap();
    let (org, owner) = create_org(&store, "crash");
    let settings = Settings {
        approval_required: true,
        open_registration: true,
        ..Settings::default()
    };
    store
        .execute(
            &Principal::Account { id: owner },
            &Command::UpdateOrgSettings { org, settings },
            false,
        )
        .unwrap();
    drop(store);

    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = XorShift(seed);
    let (mut groups, mut accounts) = (BTreeSet::new(), BTreeSet::new());
    for round in 0..ROUNDS {
        // Never, every few commands, or after every command.
        let compact = [u64::MAX, 1500, 1][round as usize % 3];
        let acks = run_and_kill(
            &path,
            round,
            compact,
            Duration::from_millis(rng.next() % 50),
        );
        assert!(
            !acks.is_empty(),
            "round {round}: the child acknowledged nothing before it was killed"
        );
        for ack in acks {
            match ack.split_once(':') {
                Some(("group", name)) => groups.insert(name.to_string()),
                Some(("account", email)) => accounts.insert(email.to_string()),
                _ => panic!("round {round}: the child reported {ack:?}"),
            };
        }

        let store = FileStore::open(&path).unwrap_or_else(|e| {
            panic!("round {round} (seed {seed}): the store does not open: {e}")
        });
        let present = group_names(&store, org);
        let missing: Vec<_> = groups.difference(&present).collect();
        assert!(
            missing.is_empty(),
            "round {round} (seed {seed}): acknowledged groups lost: {missing:?}"
        );
        query(&store, |d| {
            for email in &accounts {
                assert!(
                    d.account_by_email(org, email).is_some(),
                    "round {round} (seed {seed}): acknowledged {email} lost"
                );
            }
            // Registering is two events (the account and its join request): a command
            // is all there or not at all.
            for a in d
                .accounts_of(org)
                .filter(|a| a.approval == Approval::Pending)
            {
                assert!(
                    d.requests.values().any(|r| r.account == a.id),
                    "round {round} (seed {seed}): {} is there without its join request",
                    a.email
                );
            }
        })
        .unwrap();
        assert_complete_trail(&full_audit(&store), seq(&store));
    }
    let compactions = std::fs::read_dir(path.join("archive"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(
        compactions >= ROUNDS as usize / 3,
        "the writers compacted ({compactions} times)"
    );
    println!(
        "{} groups and {} accounts acknowledged over {ROUNDS} kills, {compactions} compactions",
        groups.len(),
        accounts.len()
    );
}

/// Starts a writer child, kills it `delay` after its first acknowledgement, and
/// returns everything it acknowledged.
fn run_and_kill(store: &Path, round: u32, compact: u64, delay: Duration) -> Vec<String> {
    let exe = env::current_exe().unwrap();
    let mut child = process::Command::new(exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_STORE, store)
        .env(CHILD_ROUND, round.to_string())
        .env(CHILD_COMPACT, compact.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_ack, got_first) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut acks = vec![];
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // The test harness prints around our lines; an ack is `ACK:<what>;`.
            for part in line.split("ACK:").skip(1) {
                if let Some((ack, _)) = part.split_once(';') {
                    acks.push(ack.to_string());
                    let _ = first_ack.send(());
                }
            }
            assert!(
                !line.contains("ERR:"),
                "round {round}: the writer failed: {line}"
            );
        }
        acks
    });
    got_first
        .recv_timeout(Duration::from_secs(20))
        .expect("the writer child acknowledges a first command");
    thread::sleep(delay);
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// The child: writes until killed, printing each acknowledged command only after
/// `execute` returned.
fn write_until_killed(path: &Path) {
    let round: u32 = env::var(CHILD_ROUND).unwrap().parse().unwrap();
    let compact_after: u64 = env::var(CHILD_COMPACT).unwrap().parse().unwrap();
    let store = FileStore::open_with(
        path,
        Options {
            compact_after,
            ..Options::default()
        },
    )
    .unwrap();
    let org = query(&store, |d| d.org_by_slug("crash").map(|o| o.id))
        .unwrap()
        .unwrap();
    let mut out = std::io::stdout().lock();
    // Bounded, should the parent never kill us.
    for i in 0..2000 {
        let (ack, result) = if i % 3 == 2 {
            let email = format!("r{round}-{i}@crash.example");
            let register = Command::Register {
                org,
                email: email.clone(),
                first_name: "Crash".into(),
                last_name: "Test".into(),
            };
            (
                format!("account:{email}"),
                store.execute(&Principal::Anonymous, &register, false),
            )
        } else {
            let name = format!("r{round}-{i}");
            (format!("group:{name}"), create_group(&store, org, &name))
        };
        match result {
            Ok(_) => writeln!(out, "ACK:{ack};").unwrap(),
            Err(e) => writeln!(out, "ERR:{e};").unwrap(),
        }
        out.flush().unwrap();
    }
}

/// A tiny generator for the kill delays; the seed is printed to replay a failure.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
