//! The version 2 snapshot (a JSON frame, then the accounts in binary chunks): it reads
//! back exactly what the version 1 JSON snapshot of the same directory reads, a
//! version 1 snapshot still opens, and damage to any chunk is reported as damage.

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
    let mut header = snap[..HEADER_LEN].to_vec();
    header[8..12].copy_from_slice(&1u32.to_le_bytes());
    let crc = crc32fast::hash(&header[..36]);
    header[36..40].copy_from_slice(&crc.to_le_bytes());
    header.extend(frame(&serde_json::to_vec(&json).unwrap()));
    header
}

#[test]
fn snapshot_format_binary_chunks_read_back_the_generated_directory() {
    let snap = generated();
    assert_eq!(u32_at(snap, 8), 2, "written as version 2");
    assert_eq!(frames(snap).len(), 1 + ACCOUNTS.div_ceil(4096));
    let read = decode::snapshot(snap).unwrap();
    let (made, _) = build(&spec(), &mut |_| Ok(())).unwrap();
    assert_eq!(read.accounts.len(), ACCOUNTS);
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
    for a in made.accounts.values() {
        let upper = a.email.to_uppercase();
        assert_eq!(
            read.account_by_email(a.org, &upper).map(|x| x.id),
            old.account_by_email(a.org, &upper).map(|x| x.id),
            "{upper}"
        );
    }
}

#[test]
fn snapshot_format_a_store_with_a_version_1_snapshot_opens_and_compacts_to_version_2() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    generate_store(&path, &spec()).unwrap();
    let own = fs::read(path.join("snapshot")).unwrap();
    fs::write(path.join("snapshot"), as_version_1(&own)).unwrap();
    let store = FileStore::open(&path).unwrap();
    store.compact().unwrap();
    drop(store);
    let snap = fs::read(path.join("snapshot")).unwrap();
    assert_eq!(u32_at(&snap, 8), 2);
    FileStore::open(&path).unwrap();
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
