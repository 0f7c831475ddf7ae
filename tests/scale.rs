//! The generator and the benchmark harness at tiny sizes, so neither can rot. Nothing
//! here asserts a timing: the benchmark prints figures, tests check behaviour.

use roster::backend::file::FileStore;
use roster::backend::{self, AuditQuery, Backend};
use roster::core::invariants::violations;
use roster::core::{Approval, RequestStatus};
use roster::scale::bench::{self, console, rest, table, writes};
use roster::scale::generate::{Spec, build, generate_store};

fn spec(accounts: usize, orgs: usize, seed: u64) -> Spec {
    Spec {
        accounts,
        orgs,
        seed,
    }
}

#[test]
fn a_generated_directory_keeps_every_invariant_and_has_every_kind_of_data() {
    let mut last = None;
    let (dir, summary) = build(&spec(400, 2, 7), &mut |evs| {
        last = evs.last().map(|r| r.at);
        Ok(())
    })
    .unwrap();
    let broken = violations(&dir, last.expect("events"));
    assert!(broken.is_empty(), "{broken:?}");
    assert_eq!(summary.orgs, 2);
    assert_eq!(summary.accounts, 400);
    assert!(summary.pending_requests > 0);
    assert!(summary.groups >= 6 && summary.programs >= 4 && summary.contracts == 2);
    assert!(summary.invitations > 0);
    assert!(summary.events >= 3 * 400, "several events per account");
    let accounts: Vec<_> = dir.accounts.values().collect();
    assert!(accounts.iter().any(|a| !a.enabled));
    assert!(accounts.iter().any(|a| a.approval == Approval::Pending));
    assert!(accounts.iter().any(|a| a.approval == Approval::Rejected));
    let names: String = accounts.iter().map(|a| a.full_name()).collect();
    assert!(names.contains('é') || names.contains('í'), "accents");
    assert!(
        names
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
        "CJK"
    );
    assert!(names.chars().any(|c| c as u32 >= 0x1F300), "emoji");
    // Invitations and reset links queued messages, and all of them went out at the
    // time: none waits for a sender that never had their text.
    assert!(!dir.mails.is_empty());
    assert!(
        dir.mails
            .values()
            .all(|m| m.status == roster::core::mail::MailStatus::Sent),
        "every generated message is recorded as sent"
    );
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let dump = |seed| {
        let mut events = vec![];
        build(&spec(150, 1, seed), &mut |evs| {
            events.extend(evs.iter().map(|r| serde_json::to_string(r).unwrap()));
            Ok(())
        })
        .unwrap();
        events
    };
    assert_eq!(dump(3), dump(3));
    assert_ne!(dump(3), dump(4));
}

#[test]
fn a_generated_store_opens_serves_its_history_and_takes_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("big");
    let summary = generate_store(&path, &spec(300, 1, 1)).unwrap();
    let store = FileStore::open(&path).unwrap();
    let (accounts, pending) = backend::query(&store as &dyn Backend, |d| {
        (
            d.accounts.len(),
            d.requests
                .values()
                .filter(|r| r.status == RequestStatus::Pending)
                .count(),
        )
    })
    .unwrap();
    assert_eq!(accounts, 300);
    assert_eq!(pending, summary.pending_requests);
    let audit = store
        .audit(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(audit.len(), 10);
    assert_eq!(audit[0].seq, summary.events, "newest first, nothing lost");
    // A second generation into the same folder is refused, not merged.
    assert!(generate_store(&path, &spec(10, 1, 1)).is_err());
    // The harness: console probe, durable writes, the table.
    let probe = console::probe(&path).unwrap();
    assert_eq!(probe.accounts, 300);
    assert_eq!(probe.filter.n, console::FILTER_SCRIPT.chars().count());
    assert!(probe.tabs.iter().any(|(t, _)| t == "Users"));
    let w = writes::measure(&path, 4, 2).unwrap();
    assert_eq!(w.single.n, 4);
    assert_eq!(w.many.n, 8);
    let row = bench::Row {
        accounts: 300,
        generate_s: Some(0.1),
        store_bytes: 1,
        console: probe,
        writes: w,
        rest: None,
    };
    let text = table::render(&[row], true);
    assert!(text.contains("| figure | 300 | target | met |"), "{text}");
    assert!(text.contains("filter key → frame p99"));
    assert!(text.contains("reproduce: cargo run --release -- bench --quick"));
    // The store still holds as many accounts, all rules kept, after the toggles.
    drop(store);
    let store = FileStore::open(&path).unwrap();
    assert_eq!(
        backend::query(&store as &dyn Backend, |d| d.accounts.len()).unwrap(),
        300
    );
}

#[test]
fn wrk_reports_are_read() {
    let text = "Running 1s test @ http://127.0.0.1:1/\n  2 threads and 4 connections\n  Latency Distribution\n     50%  812.00us\n     75%    1.00ms\n     90%    1.50ms\n     99%    3.25ms\n  12345 requests in 1.00s, 1.2MB read\n  Non-2xx or 3xx responses: 7\nRequests/sec:  12345.67\n";
    let load = rest::parse_wrk(text);
    assert_eq!(load.requests, 12345);
    assert_eq!(load.failed, 7);
    assert!((load.per_sec - 12345.67).abs() < 1e-6);
    assert!((load.latency.p50 - 0.812).abs() < 1e-9);
    assert!((load.latency.p99 - 3.25).abs() < 1e-9);
}

#[test]
fn the_bench_and_generate_command_lines_parse() {
    use clap::Parser;
    use roster::cli::args::{Cli, Cmd};
    use roster::cli::scale::DemoCmd;
    let cli = Cli::try_parse_from(["roster", "bench", "--sizes", "10k,1M"]).unwrap();
    match cli.command {
        Some(Cmd::Bench(a)) => assert_eq!(a.sizes, vec![10_000, 1_000_000]),
        other => panic!("{other:?}"),
    }
    let cli = Cli::try_parse_from(["roster", "bench"]).unwrap();
    match cli.command {
        Some(Cmd::Bench(a)) => assert_eq!(a.sizes, vec![10_000, 100_000, 1_000_000]),
        other => panic!("{other:?}"),
    }
    let cli =
        Cli::try_parse_from(["roster", "demo", "generate", "--accounts", "1M", "/tmp/x"]).unwrap();
    match cli.command {
        Some(Cmd::Demo {
            action: Some(DemoCmd::Generate { accounts, orgs, .. }),
            ..
        }) => assert_eq!((accounts, orgs), (1_000_000, 1)),
        other => panic!("{other:?}"),
    }
    // The plain `demo [PATH]` still works.
    let cli = Cli::try_parse_from(["roster", "demo", "/tmp/d"]).unwrap();
    assert!(matches!(
        cli.command,
        Some(Cmd::Demo {
            action: None,
            path: Some(_)
        })
    ));
}
