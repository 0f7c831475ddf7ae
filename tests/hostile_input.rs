//! Issue 6, point 3 (hostile input): every decoder fed arbitrary or mangled bytes
//! answers with a value or an error sentence, never a panic. The log decoder here is
//! the same public function the `cargo fuzz` target in fuzz/ drives.
//!
//! Decoders covered: event-log files and bare log records, snapshots, the CLI's
//! config file, the console's config file, core commands as JSON, and the JSON body of
//! every write route of `roster serve` (sent over HTTP, answered without a 5xx).

mod common;
mod server_support;

use common::fixtures::*;
use proptest::prelude::*;
use reqwest::Method;
use roster::backend::Backend;
use roster::backend::file::{FileStore, HEADER_LEN, decode};
use roster::core::Command;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

/// A real store's log and snapshot (three groups, then a compaction, then two more).
fn valid_files() -> &'static (Vec<u8>, Vec<u8>) {
    static FILES: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    FILES.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::create(tmp.path()).unwrap();
        let (org, _) = create_org(&store, "acme");
        for g in ["g1", "g2", "g3"] {
            create_group(&store, org, g).unwrap();
        }
        store.compact().unwrap();
        for g in ["g4", "g5"] {
            create_group(&store, org, g).unwrap();
        }
        (
            fs::read(tmp.path().join("events.log")).unwrap(),
            fs::read(tmp.path().join("snapshot")).unwrap(),
        )
    })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// Up to four byte edits, then a cut somewhere.
fn mangle(
    mut b: Vec<u8>,
    edits: &[(prop::sample::Index, u8)],
    cut: prop::sample::Index,
) -> Vec<u8> {
    for (at, byte) in edits {
        let i = at.index(b.len());
        b[i] = *byte;
    }
    let keep = cut.index(b.len() + 1);
    b.truncate(keep);
    b
}

#[test]
fn hostile_input_the_valid_files_decode() {
    let (log, snap) = valid_files();
    let decoded = decode::log(log).unwrap();
    assert_eq!(decoded.commands.len(), 2, "two groups after the compaction");
    assert!(decoded.torn_tail.is_none());
    let dir = decode::snapshot(snap).unwrap();
    assert_eq!(dir.groups.len(), 3);
}

#[test]
fn hostile_input_a_truncated_log_keeps_its_valid_prefix_and_names_the_tail() {
    let (log, _) = valid_files();
    let first_record_end = {
        let len = u32::from_le_bytes(log[HEADER_LEN..HEADER_LEN + 4].try_into().unwrap());
        HEADER_LEN + 8 + len as usize
    };
    for cut in first_record_end + 1..log.len() {
        let d = decode::log(&log[..cut]).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(
            d.commands.len(),
            1,
            "cut at {cut}: the whole first command stays"
        );
        let tail = d.torn_tail.expect("the cut is reported");
        assert!(tail.contains("incomplete"), "cut at {cut}: {tail}");
    }
}

#[test]
fn hostile_input_a_bit_flip_in_the_last_record_is_a_tail_or_damage_not_a_panic() {
    let (log, _) = valid_files();
    let first_record_end = {
        let len = u32::from_le_bytes(log[HEADER_LEN..HEADER_LEN + 4].try_into().unwrap());
        HEADER_LEN + 8 + len as usize
    };
    for at in first_record_end..log.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = log.clone();
            b[at] ^= bit;
            match decode::log(&b) {
                // A flipped length field can make the record look short: a tail, and
                // the valid prefix is kept.
                Ok(d) => {
                    assert_eq!(d.commands.len(), 1, "flip at {at}");
                    assert!(d.torn_tail.is_some(), "flip at {at}");
                }
                // A whole record that fails its checksum was acknowledged: damage.
                Err(e) => assert!(e.contains("damaged at byte"), "flip at {at}: {e}"),
            }
        }
    }
}

#[test]
fn hostile_input_a_damaged_header_is_refused_in_words() {
    let (log, snap) = valid_files();
    for at in 0..HEADER_LEN {
        let mut b = log.clone();
        b[at] ^= 0x20;
        let e = decode::log(&b).unwrap_err();
        assert!(e.contains("events.log"), "{e}");
        let mut s = snap.clone();
        s[at] ^= 0x20;
        let e = decode::snapshot(&s).unwrap_err();
        assert!(e.contains("snapshot"), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hostile_input_arbitrary_bytes_as_a_log_never_panic(b in bytes(600)) {
        let _ = decode::log(&b);
        let _ = decode::records(&b);
    }

    #[test]
    fn hostile_input_arbitrary_records_after_a_valid_header_never_panic(b in bytes(600)) {
        let mut log = valid_files().0[..HEADER_LEN].to_vec();
        log.extend(b);
        if let Err(e) = decode::log(&log) {
            prop_assert!(e.contains("damaged at byte"), "{}", e);
        }
    }

    #[test]
    fn hostile_input_a_mangled_log_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let b = mangle(valid_files().0.clone(), &edits, cut);
        if let Err(e) = decode::log(&b) {
            prop_assert!(!e.is_empty());
        }
    }

    #[test]
    fn hostile_input_arbitrary_or_mangled_snapshots_never_panic(
        b in bytes(600),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let _ = decode::snapshot(&b);
        let m = mangle(valid_files().1.clone(), &edits, cut);
        if let Err(e) = decode::snapshot(&m) {
            prop_assert!(e.contains("snapshot"), "{}", e);
        }
    }

    #[test]
    fn hostile_input_arbitrary_config_files_never_panic(text in ".{0,300}", b in bytes(300)) {
        let lossy = String::from_utf8_lossy(&b);
        for t in [text.as_str(), &lossy] {
            if let Err(e) = roster::config::Config::parse(t, Path::new("config.toml")) {
                prop_assert!(e.contains("config.toml"), "{}", e);
            }
            let _ = roster::tui::config::Config::from_toml(t, false);
        }
    }

    #[test]
    fn hostile_input_config_shaped_text_never_panics(
        current in ".{0,20}",
        ctx in "[a-z\\x00-\\x1f\u{202e}]{0,8}",
        key in "(server|token|token_env|token_file|store|org|theme|tick_ms|keys|colors)",
        value in "(\"[^\"]{0,20}\"|-?[0-9]{1,25}|true|\\[\\]|\\{\\})",
    ) {
        let cli = format!("current = {current:?}\n[contexts.{ctx:?}]\n{key} = {value}\n");
        let _ = roster::config::Config::parse(&cli, Path::new("config.toml"));
        let tui = format!("{key} = {value}\n[keys]\n{ctx:?} = {value}\n[colors]\n{key} = {value}\n");
        let _ = roster::tui::config::Config::from_toml(&tui, false);
    }

    #[test]
    fn hostile_input_arbitrary_json_as_a_command_never_panics(b in bytes(300), s in "\\{\"op\":\"[a-z_]{1,20}\"(,\"[a-z_]{1,12}\":(-?[0-9]{1,22}|\"[^\"]{0,10}\"|null|\\[\\]|\\{\\})){0,4}\\}") {
        let _ = serde_json::from_slice::<Command>(&b);
        let _ = serde_json::from_str::<Command>(&s);
    }
}

/// A small seeded generator, so a failing HTTP pass replays exactly.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// A random JSON-ish value: sometimes valid JSON of the wrong shape, sometimes not JSON.
fn json_like(rng: &mut XorShift, depth: u32) -> String {
    let leaves = [
        "null",
        "true",
        "0",
        "-1",
        "18446744073709551616",
        "1e308",
        "\"\"",
        "\"u1\"",
        "\"\\u0000\"",
        "\"\\u001b[31m\"",
        "\"acme\"",
        "[]",
        "{}",
        "\"2026-13-45\"",
    ];
    let keys = [
        "name",
        "email",
        "first_name",
        "last_name",
        "role",
        "account",
        "group",
        "program",
        "valid_until",
        "seats",
        "reason",
        "settings",
        "owner",
        "command",
        "op",
        "dry_run",
        "description",
        "permissions",
        "until",
        "secret",
        "expires",
        "scope",
    ];
    match (rng.next() % 6, depth) {
        (0, d) if d < 3 => {
            let n = rng.next() % 4;
            let fields: Vec<String> = (0..n)
                .map(|_| format!("\"{}\":{}", rng.pick(&keys), json_like(rng, d + 1)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        (1, d) if d < 3 => {
            let n = rng.next() % 3;
            let items: Vec<String> = (0..n).map(|_| json_like(rng, d + 1)).collect();
            format!("[{}]", items.join(","))
        }
        (2, _) => {
            let n = (rng.next() % 40) as usize;
            (0..n).map(|_| (rng.next() % 256) as u8 as char).collect()
        }
        _ => rng.pick(&leaves).to_string(),
    }
}

/// Every write route of the OpenAPI document gets random bodies (and random ids in
/// its path) from the owner and the operator: every answer is below 500, and every
/// refusal is a problem document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_random_bodies_on_every_write_route_are_never_a_5xx() {
    let env = server_support::Env::with(roster::server::Config {
        bad_token_limit: 1_000_000,
        ..roster::server::Config::default()
    });
    let doc = env
        .send(Method::GET, "/v1/openapi.json", None, None, &[])
        .await
        .json();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    println!("hostile input seed {seed}");
    let mut rng = XorShift(seed);
    let ids = [
        "1",
        "2",
        "3",
        "u1",
        "g1",
        "0",
        "99999999999999999999",
        "%00",
        "..",
        "-1",
    ];
    let mut sent = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if ops.get(method).is_none() {
                continue;
            }
            for round in 0..6 {
                let concrete = path
                    .split('/')
                    .map(|seg| match seg {
                        "{slug}" => if round % 3 == 2 { "globex" } else { "acme" }.to_string(),
                        s if s.starts_with('{') => rng.pick(&ids).to_string(),
                        s => s.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let body = json_like(&mut rng, 0);
                let token = if round % 2 == 0 {
                    &env.tokens.owner
                } else {
                    &env.tokens.operator
                };
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let res = env
                    .http
                    .request(m, env.url(&concrete))
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let ctype = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let text = res.text().await.unwrap_or_default();
                assert!(
                    status < 500,
                    "{method} {concrete} with {body:?} (seed {seed}): {status} {text}"
                );
                if status >= 400 {
                    assert_eq!(
                        ctype, "application/problem+json",
                        "{method} {concrete} with {body:?}: {status} {text}"
                    );
                }
                sent += 1;
            }
        }
    }
    assert!(sent > 100, "every write route was tried ({sent} requests)");
    // Whatever got through left a store that still opens and holds its invariants.
    env.store.refresh().unwrap();
    drop(env.store.clone());
}
