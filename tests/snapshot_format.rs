//! The version 3 snapshot (a JSON frame, then the accounts, approval requests, reset
//! links and invitations in binary chunks): it reads back exactly what the version 1
//! JSON snapshot and the version 2 snapshot (only the accounts in chunks) of the same
//! directory read, older snapshots still open, and damage to any chunk is reported as
//! damage.

use roster::backend::file::{FileStore, HEADER_LEN, decode};
use roster::scale::generate::{Spec, build, generate_store};
use std::fs;
use std::sync::OnceLock;

/// More accounts than one chunk holds (4096), so there are three chunks.
const ACCOUNTS: usize = 9_000;

fn spec() -> Spec {
    Spec {
        accounts: ACCOUNTS,
        orgs: 3,
        seed: 7,
    }
}

/// A generated store's snapshot, kept for every test (generating takes a moment).
fn generated() -> &'static Vec<u8> {
    static SNAP: OnceLock<Vec<u8>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("store");
        generate_store(&path, &spec()).unwrap();
        fs::read(path.join("snapshot")).unwrap()
    })
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Where each frame starts and ends: the JSON frame first, then the chunks.
fn frames(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut at = HEADER_LEN;
    while at < b.len() {
        let end = at + 8 + u32_at(b, at) as usize;
        out.push((at, end));
        at = end;
    }
    out
}

/// The header of `snap` with its version set to `v`.
fn header_of_version(snap: &[u8], v: u32) -> Vec<u8> {
    let mut header = snap[..HEADER_LEN].to_vec();
    header[8..12].copy_from_slice(&v.to_le_bytes());
    let crc = crc32fast::hash(&header[..36]);
    header[36..40].copy_from_slice(&crc.to_le_bytes());
    header
}

/// The same directory as a version 2 snapshot: the requests, resets and invitations in
/// the JSON frame, the accounts' chunks as they are but without the byte saying what
/// a version 3 chunk holds.
fn as_version_2(snap: &[u8]) -> Vec<u8> {
    let dir = decode::snapshot(snap).unwrap();
    let frames = frames(snap);
    let (start, end) = frames[0];
    let first: serde_json::Value = serde_json::from_slice(&snap[start + 8..end]).unwrap();
    let mut rest = serde_json::to_value(&dir).unwrap();
    rest["accounts"] = serde_json::json!({});
    let json = serde_json::json!({
        "last_event_at": first["last_event_at"],
        "accounts": dir.accounts.len(),
        "directory": rest,
    });
    let mut out = header_of_version(snap, 2);
    out.extend(frame(&serde_json::to_vec(&json).unwrap()));
    for &(start, end) in &frames[1..1 + dir.accounts.len().div_ceil(4096)] {
        assert_eq!(snap[start + 8], 0, "an accounts chunk");
        out.extend(frame(&snap[start + 9..end]));
    }
    out
}

/// How many frames a version 3 snapshot of `dir` has: the JSON one, then each
/// section's chunks of 4096 rows.
fn frames_for(dir: &roster::core::Directory) -> usize {
    1 + [
        dir.accounts.len(),
        dir.requests.len(),
        dir.resets.len(),
        dir.invitations.len(),
    ]
    .iter()
    .map(|n| n.div_ceil(4096))
    .sum::<usize>()
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_le_bytes().to_vec();
    out.extend(crc32fast::hash(payload).to_le_bytes());
    out.extend(payload);
    out
}

/// The same directory as a version 1 snapshot: one JSON frame with the accounts in it.
fn as_version_1(snap: &[u8]) -> Vec<u8> {
    let dir = decode::snapshot(snap).unwrap();
    let (start, end) = frames(snap)[0];
    let first: serde_json::Value = serde_json::from_slice(&snap[start + 8..end]).unwrap();
    let json = serde_json::json!({
        "last_event_at": first["last_event_at"],
        "directory": dir,
    });
    let mut header = header_of_version(snap, 1);
    header.extend(frame(&serde_json::to_vec(&json).unwrap()));
    header
}

#[test]
fn snapshot_format_binary_chunks_read_back_the_generated_directory() {
    let snap = generated();
    assert_eq!(u32_at(snap, 8), 3, "written as version 3");
    let read = decode::snapshot(snap).unwrap();
    let (made, _) = build(&spec(), &mut |_| Ok(())).unwrap();
    assert_eq!(read.accounts.len(), ACCOUNTS);
    assert!(!made.requests.is_empty() && !made.resets.is_empty() && !made.invitations.is_empty());
    assert_eq!(frames(snap).len(), frames_for(&made));
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        serde_json::to_value(&made).unwrap()
    );
    // The version 1 (JSON) reading of the same directory gives the same answers.
    let old = decode::snapshot(&as_version_1(snap)).unwrap();
    assert_eq!(
        serde_json::to_value(&old).unwrap(),
        serde_json::to_value(&read).unwrap()
    );
    // So does the version 2 reading (accounts in chunks, the rest in JSON).
    let two = as_version_2(snap);
    assert_eq!(u32_at(&two, 8), 2);
    let v2 = decode::snapshot(&two).unwrap();
    assert_eq!(
        serde_json::to_value(&v2).unwrap(),
        serde_json::to_value(&read).unwrap()
    );
    for a in made.accounts.values() {
        let upper = a.email.to_uppercase();
        assert_eq!(
            read.account_by_email(a.org, &upper).map(|x| x.id),
            old.account_by_email(a.org, &upper).map(|x| x.id),
            "{upper}"
        );
        // The indexes built from the chunks answer as those built from JSON.
        assert_eq!(
            read.requests_of(a.id).map(|r| r.id).collect::<Vec<_>>(),
            old.requests_of(a.id).map(|r| r.id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn snapshot_format_stores_with_version_1_and_2_snapshots_open_and_compact_to_version_3() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    generate_store(&path, &spec()).unwrap();
    let mut own = fs::read(path.join("snapshot")).unwrap();
    // Each compaction starts a generation: the old snapshot is made from the newest.
    for old in [as_version_1, as_version_2] {
        fs::write(path.join("snapshot"), old(&own)).unwrap();
        let store = FileStore::open(&path).unwrap();
        store.compact().unwrap();
        drop(store);
        own = fs::read(path.join("snapshot")).unwrap();
        assert_eq!(u32_at(&own, 8), 3);
        FileStore::open(&path).unwrap();
    }
}

fn refused(bytes: &[u8], what: &str) -> String {
    match decode::snapshot(bytes) {
        Ok(_) => panic!("{what}: a damaged snapshot was read"),
        Err(e) => {
            assert!(
                e.contains("snapshot") && e.contains("damaged"),
                "{what}: {e}"
            );
            e
        }
    }
}

#[test]
fn snapshot_format_damage_to_any_chunk_is_damage() {
    let snap = generated();
    let frames = frames(snap);
    let chunks = &frames[1..];
    for (i, &(start, end)) in chunks.iter().enumerate() {
        for at in [start, start + 5, start + 8, (start + end) / 2, end - 1] {
            let mut b = snap.clone();
            b[at] ^= 0x41;
            let e = refused(&b, &format!("chunk {i}, byte {at} flipped"));
            assert!(e.contains(&format!("at byte {start}")), "{e}");
        }
        // Cut at the chunk's start (it and what follows are missing) and inside it.
        let e = refused(&snap[..start], &format!("cut before chunk {i}"));
        assert!(e.contains("where it promises"), "{e}");
        refused(&snap[..start + 20], &format!("cut inside chunk {i}"));
    }
    // Chunks swapped: each passes its checksum, the order gives them away.
    let (a, b) = (chunks[0], chunks[1]);
    let mut swapped = snap[..a.0].to_vec();
    swapped.extend(&snap[b.0..b.1]);
    swapped.extend(&snap[a.0..a.1]);
    swapped.extend(&snap[b.1..]);
    let e = refused(&swapped, "chunks swapped");
    assert!(e.contains("out of order"), "{e}");
    // The last chunk of one section swapped with the first of the next.
    let accounts = ACCOUNTS.div_ceil(4096);
    let (a, b) = (chunks[accounts - 1], chunks[accounts]);
    let mut swapped = snap[..a.0].to_vec();
    swapped.extend(&snap[b.0..b.1]);
    swapped.extend(&snap[a.0..a.1]);
    swapped.extend(&snap[b.1..]);
    let e = refused(&swapped, "sections out of order");
    assert!(e.contains("comes after"), "{e}");
    // A chunk too many.
    let last = chunks[chunks.len() - 1];
    let mut extra = snap.clone();
    extra.extend(&snap[last.0..last.1]);
    let e = refused(&extra, "a chunk repeated at the end");
    assert!(e.contains("out of order"), "{e}");
}

#[test]
fn snapshot_format_a_damaged_snapshot_stops_the_store_opening() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    generate_store(&path, &spec()).unwrap();
    let mut snap = fs::read(path.join("snapshot")).unwrap();
    let n = snap.len();
    snap[n - 10] ^= 1;
    fs::write(path.join("snapshot"), &snap).unwrap();
    let Err(e) = FileStore::open(&path) else {
        panic!("a damaged store opened");
    };
    let msg = e.to_string();
    assert!(
        msg.contains("damaged") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
}
