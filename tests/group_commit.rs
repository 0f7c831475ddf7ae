//! Group commit on the file store (issue 5): many writers of one handle (the server's
//! case) share appends and fsyncs, and still every writer gets its own answer, every
//! acknowledged command is in the log exactly once, and a refused command does not
//! take the others of its batch down with it. Nothing here measures time.

mod common;

use common::clock::ManualClock;
use common::fixtures::*;
use roster::backend::file::{FileStore, Options, decode};
use roster::backend::{Backend, BackendError};
use roster::core::precondition::{Precondition, Resource};
use roster::core::{Command, Principal, Recorded};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

const WRITERS: usize = 8;
const EACH: usize = 24;

fn options() -> Options {
    Options {
        clock: ManualClock::at(t0()).clock(),
        lock_timeout: Duration::from_secs(30),
        compact_after: u64::MAX,
    }
}

#[derive(Debug)]
enum Answer {
    Acked(String, Vec<Recorded>),
    Refused(String),
}

#[test]
fn many_writers_of_one_handle_are_all_acknowledged_once_and_refusals_stay_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let store = Arc::new(FileStore::create_with(&path, options()).unwrap());
    let (org, _) = create_org(store.as_ref(), "acme");
    let setup_records = 1;
    let start = Arc::new(Barrier::new(WRITERS));

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut answers = vec![];
                for i in 0..EACH {
                    // Every third command races the other writers for a shared name:
                    // one of them wins, the others are refused (maybe within one batch).
                    let name = if i % 3 == 0 {
                        format!("shared-{i}")
                    } else {
                        format!("w{w}-{i}")
                    };
                    let cmd = Command::CreateGroup {
                        org,
                        name: name.clone(),
                    };
                    // Some go through execute_if with a precondition no record meets:
                    // refused under the lock, alone.
                    let result = if i % 7 == 6 {
                        let pre = Precondition {
                            resource: Resource::Org(org),
                            versions: vec![],
                        };
                        store.execute_if(&Principal::Operator, &cmd, false, Some(&pre))
                    } else {
                        store.execute(&Principal::Operator, &cmd, false)
                    };
                    answers.push(match result {
                        Ok(events) => Answer::Acked(name, events),
                        Err(BackendError::Refused(e)) => Answer::Refused(e.to_string()),
                        Err(e) => panic!("writer {w}, {name}: not a refusal: {e}"),
                    });
                }
                answers
            })
        })
        .collect();
    let answers: Vec<Answer> = writers
        .into_iter()
        .flat_map(|t| t.join().expect("a writer panicked"))
        .collect();
    assert_eq!(
        answers.len(),
        WRITERS * EACH,
        "every writer got every answer"
    );

    let mut acked: BTreeMap<String, Vec<Recorded>> = BTreeMap::new();
    for a in &answers {
        if let Answer::Acked(name, events) = a {
            assert!(!events.is_empty(), "{name}: acknowledged without events");
            assert!(
                acked.insert(name.clone(), events.clone()).is_none(),
                "{name} was created twice"
            );
        }
    }
    // Refusals did not poison their batches: every own-name command without a
    // precondition was acknowledged.
    for w in 0..WRITERS {
        for i in (0..EACH).filter(|i| i % 3 != 0 && i % 7 != 6) {
            let name = format!("w{w}-{i}");
            assert!(acked.contains_key(&name), "{name} was not acknowledged");
        }
    }
    // Each shared name has exactly one winner (unless its command had a precondition).
    for i in (0..EACH).filter(|i| i % 3 == 0 && i % 7 != 6) {
        assert!(acked.contains_key(&format!("shared-{i}")), "shared-{i}");
    }
    let refused = answers
        .iter()
        .filter(|a| matches!(a, Answer::Refused(_)))
        .count();
    assert_eq!(refused + acked.len(), WRITERS * EACH);
    for a in &answers {
        if let Answer::Refused(why) = a {
            assert!(!why.is_empty());
        }
    }
    for i in (0..EACH).filter(|i| i % 7 == 6) {
        let names = [format!("shared-{i}"), format!("w0-{i}"), format!("w7-{i}")];
        for name in names {
            assert!(
                !acked.contains_key(&name),
                "{name}: its precondition failed, yet it was written"
            );
        }
    }

    // The log holds every acknowledged command exactly once, as its own record, and
    // nothing else; sequence numbers run without gaps.
    let log = decode::log(&std::fs::read(path.join("events.log")).unwrap()).unwrap();
    assert!(log.torn_tail.is_none());
    let logged = &log.commands[setup_records..];
    assert_eq!(
        logged.len(),
        acked.len(),
        "one record per acknowledged command"
    );
    let mut in_log: BTreeSet<u64> = BTreeSet::new();
    for record in logged {
        let first = &record[0];
        let owner = acked
            .values()
            .find(|events| events[0].seq == first.seq)
            .expect("a logged record that was not acknowledged");
        assert_eq!(
            serde_json::to_value(owner).unwrap(),
            serde_json::to_value(record).unwrap(),
            "the log holds what the writer was told"
        );
        for r in record {
            assert!(in_log.insert(r.seq), "event {} logged twice", r.seq);
        }
    }
    let seqs: Vec<u64> = log.commands.iter().flatten().map(|r| r.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "gapless: {seqs:?}"
    );

    // A fresh handle (another process, or after a crash) sees exactly the acknowledged
    // groups.
    drop(store);
    let reopened = FileStore::open_with(&path, options()).unwrap();
    let expected: BTreeSet<String> = acked.keys().cloned().collect();
    assert_eq!(group_names(&reopened, org), expected);
}
