//! Issue 6, point 1 (crash safety) with the real binary: `roster serve` takes a stream
//! of writes over HTTP and is killed with SIGKILL at a random moment, 50 times. After
//! each kill the store is reopened: every write the server acknowledged (2xx) is
//! there, no command is half there (a registration is an account *and* its join
//! request), the audit trail has no gap, and opening checked every invariant.
//! Then the log's tail is torn and bit-flipped by hand, and the real binary must open
//! what is left of a torn write with a clear warning and the valid prefix, or refuse
//! damage (in the middle, or a whole last record that fails its checksum) with a clear
//! message; never a panic. (tests/crash.rs does the same at the
//! library level with kills landing inside compactions.)

mod common;

use common::fixtures::*;
use roster::backend::file::FileStore;
use roster::backend::{Backend, query};
use roster::core::{Approval, Command, Principal, Settings};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

const ROUNDS: u32 = 50;

fn roster(store: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_roster"));
    c.arg("--store")
        .arg(store)
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ORG")
        .env_remove("ROSTER_SERVER")
        .env_remove("ROSTER_TOKEN")
        .env_remove("ROSTER_CONTEXT")
        .env("NO_COLOR", "1");
    c
}

fn serve(store: &Path) -> (Child, String) {
    let mut child = roster(store)
        // Every round registers hundreds of accounts from one address.
        .args(["serve", "--listen", "127.0.0.1:0", "--register-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("roster serve printed {first:?}"))
        .to_string();
    (child, addr)
}

/// One request on its own connection; the status, or `None` when the server is gone.
fn post(addr: &str, path: &str, token: Option<&str>, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split(' ').nth(1)?.parse().ok()
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn crash_safety_roster_serve_killed_50_times_loses_no_acknowledged_write() {
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
    let (raw, _) = roster::secret::new_secret().unwrap();
    let token = format!("rst_{raw}");
    store
        .execute(
            &Principal::Operator,
            &Command::IssueToken {
                principal: Principal::Operator,
                label: "crash".into(),
                token_hash: roster::secret::hash(&token),
                expires: None,
            },
            false,
        )
        .unwrap();
    drop(store);

    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    println!("crash (binary) seed {seed}");
    let mut rng = XorShift(seed);
    let (mut groups, mut accounts) = (BTreeSet::new(), BTreeSet::new());
    let mut acked_total = 0;
    for round in 0..ROUNDS {
        let (mut child, addr) = serve(&path);
        let stop = Arc::new(AtomicBool::new(false));
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let writer = {
            let (stop, addr, token) = (stop.clone(), addr.clone(), token.clone());
            thread::spawn(move || {
                let mut acks = vec![];
                // Bounded, should the kill never come.
                for i in 0..5000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (ack, status) = if i % 3 == 2 {
                        let email = format!("r{round}-{i}@crash.example");
                        let body = format!(
                            r#"{{"command":{{"op":"register","org":{},"email":"{email}","first_name":"Crash","last_name":"Test"}}}}"#,
                            org.0
                        );
                        (
                            format!("account:{email}"),
                            post(&addr, "/v1/commands", None, &body),
                        )
                    } else {
                        let name = format!("r{round}-{i}");
                        let body = format!(r#"{{"name":"{name}"}}"#);
                        (
                            format!("group:{name}"),
                            post(&addr, "/v1/orgs/crash/groups", Some(&token), &body),
                        )
                    };
                    match status {
                        Some(s) if (200..300).contains(&s) => {
                            acks.push(ack);
                            let _ = first_tx.send(());
                        }
                        Some(s) => panic!("round {round}: {ack} answered {s}"),
                        // The server is gone: the kill came.
                        None => break,
                    }
                }
                acks
            })
        };
        first_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server acknowledges a first write");
        thread::sleep(Duration::from_millis(rng.next() % 60));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let acks = writer.join().unwrap();
        acked_total += acks.len();
        for ack in acks {
            match ack.split_once(':') {
                Some(("group", n)) => groups.insert(n.to_string()),
                Some(("account", e)) => accounts.insert(e.to_string()),
                _ => unreachable!(),
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
    println!("{acked_total} writes acknowledged over {ROUNDS} SIGKILLs of roster serve, none lost");

    torn_and_flipped_tails_through_the_binary(&path, &groups);
}

/// What the binary does with a log whose tail was torn or bit-flipped by hand.
fn torn_and_flipped_tails_through_the_binary(path: &Path, acked: &BTreeSet<String>) {
    // Two more groups, so the last records are ours to damage.
    let store = FileStore::open(path).unwrap();
    let org = query(&store, |d| d.org_by_slug("crash").map(|o| o.id))
        .unwrap()
        .unwrap();
    create_group(&store, org, "tail-1").unwrap();
    // What the `committed` marker says before tail-2: a torn tail-2 was never
    // acknowledged, so the marker (written after each commit's fsync) never counted it.
    let marker = path.join("committed");
    let before_tail_2 = std::fs::read(&marker).unwrap();
    create_group(&store, org, "tail-2").unwrap();
    drop(store);
    let log = path.join("events.log");
    let good = std::fs::read(&log).unwrap();
    let good_marker = std::fs::read(&marker).unwrap();
    let last = last_record_start(&good);
    let list = |label: &str| {
        let out = roster(path)
            .args(["--org", "crash", "--json", "group", "list"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{label}: {stderr}");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        )
    };

    for (label, bytes) in [
        ("truncated", good[..good.len() - 7].to_vec()),
        // Power lost after the size reached the disk but before the last page did.
        ("zeroed end", {
            let mut b = good.clone();
            let n = b.len();
            b[n - 10..].fill(0);
            b
        }),
    ] {
        std::fs::write(&log, &bytes).unwrap();
        std::fs::write(&marker, &before_tail_2).unwrap();
        let (code, stdout, stderr) = list(label);
        assert_eq!(code, Some(0), "{label}: the valid prefix opens: {stderr}");
        assert!(
            stderr.contains("not a complete record"),
            "{label}: the cut is reported in words: {stderr}"
        );
        assert!(stdout.contains("tail-1"), "{label}: the prefix is kept");
        assert!(
            !stdout.contains("tail-2"),
            "{label}: the torn record is gone"
        );
        for g in acked.iter().take(20) {
            assert!(stdout.contains(g.as_str()), "{label}: {g} kept");
        }
        assert_eq!(
            std::fs::metadata(&log).unwrap().len() as usize,
            last,
            "{label}: the tail was cut at the end of the valid prefix"
        );
        std::fs::write(&log, &good).unwrap();
        std::fs::write(&marker, &good_marker).unwrap();
    }

    // Damage before valid records is not a torn tail, and a whole last record with a
    // flipped bit was acknowledged: refused, named, left alone.
    let mut middle = good.clone();
    middle[last - 5] ^= 0x08;
    let mut flipped = good.clone();
    let n = flipped.len();
    flipped[n - 3] ^= 0x08;
    for (label, bytes) in [("middle", middle), ("bit-flipped", flipped)] {
        std::fs::write(&log, &bytes).unwrap();
        let (code, _, stderr) = list(label);
        assert_ne!(code, Some(0), "{label}: damage is refused");
        assert!(
            stderr.contains("damaged at byte") && stderr.contains("backup"),
            "{label}: the refusal says where and what to do: {stderr}"
        );
        assert_eq!(
            std::fs::read(&log).unwrap(),
            bytes,
            "{label}: nothing was cut"
        );
    }
}

/// Where the last record of a log starts.
fn last_record_start(log: &[u8]) -> usize {
    let mut pos = roster::backend::file::HEADER_LEN;
    let mut last = pos;
    while pos + 8 <= log.len() {
        let len = u32::from_le_bytes(log[pos..pos + 4].try_into().unwrap()) as usize;
        last = pos;
        pos += 8 + len;
    }
    last
}
