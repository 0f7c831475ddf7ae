//! The client's copy of the directory: what the caller may see, as of a point in the
//! server's log. Loaded from `/v1/orgs/{slug}/state`, kept current by applying the
//! change feed with the core's own `Directory::apply`, so reads (and the console's
//! filtering) never wait on the network. Pure: no I/O here, the backend fetches.
//!
//! Sequence numbers are the whole server's, and the feed of one organisation skips
//! the others' events, so a hole in the numbers is normal; so is a feed whose end is
//! still behind a change the copy already applied from a command's reply. What is not
//! normal (events repeated, out of order, or past the page's end) is reported as
//! `Resync` and the backend reloads the state.

use super::wire::{Events, State};
use crate::core::{Directory, OrgId, Recorded};
use std::collections::BTreeMap;

/// Why a page of the feed does not fit the copy: load the state again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resync(pub String);

#[derive(Clone, Debug)]
pub struct Replica {
    dir: Directory,
    /// Organisations whose state was read at a later point than `dir.seq`: their own
    /// events up to that point are in `dir` already and must not be applied twice.
    ahead: BTreeMap<OrgId, u64>,
    /// The one organisation this copy follows (`None`: every one the caller reaches).
    only: Option<OrgId>,
}

impl Replica {
    /// A copy of organisation `slug` from its state.
    pub fn of_org(slug: &str, state: State) -> Result<Replica, String> {
        let mut dir = state.directory;
        dir.reindex();
        dir.seq = state.seq;
        let only = dir
            .org_by_slug(slug)
            .map(|o| o.id)
            .ok_or_else(|| format!("its state of '{slug}' does not hold that organisation"))?;
        Ok(Replica {
            dir,
            ahead: BTreeMap::new(),
            only: Some(only),
        })
    }

    /// A copy of several organisations, each read from its own state. `head` is the
    /// server's newest sequence number from before the organisations were listed, so
    /// one created meanwhile arrives through the feed. The copy starts at the oldest
    /// point any part was read at; parts read later skip the events they hold.
    pub fn of_all(head: u64, states: Vec<State>) -> Replica {
        let start = states.iter().map(|s| s.seq).fold(head, u64::min);
        let mut dir = Directory::new();
        let mut ahead = BTreeMap::new();
        for State { seq, directory: d } in states {
            if seq > start {
                ahead.extend(d.orgs.keys().map(|o| (*o, seq)));
            }
            // Every entity belongs to one organisation, so the parts do not overlap.
            // (A new kind of entity in `Directory` must be merged here too.)
            dir.orgs.extend(d.orgs);
            dir.accounts.extend(d.accounts);
            dir.roles.extend(d.roles);
            dir.groups.extend(d.groups);
            dir.programs.extend(d.programs);
            dir.contracts.extend(d.contracts);
            dir.invitations.extend(d.invitations);
            dir.requests.extend(d.requests);
            dir.resets.extend(d.resets);
            dir.tokens.extend(d.tokens);
            dir.next_id = dir.next_id.max(d.next_id);
        }
        dir.seq = start;
        dir.reindex();
        Replica {
            dir,
            ahead,
            only: None,
        }
    }

    /// Where the copy stands in the server's log: the cursor for the next feed page.
    pub fn seq(&self) -> u64 {
        self.dir.seq
    }

    pub fn dir(&self) -> &Directory {
        &self.dir
    }

    /// Applies one page of the feed read after `self.seq()`; true when it held events
    /// (there may be more to read).
    pub fn catch_up(&mut self, page: &Events) -> Result<bool, Resync> {
        let mut last = self.seq();
        if page.seq < last && page.events.is_empty() {
            // The feed has not caught up yet with a change the copy already holds (the
            // server announces its own commands a moment after answering them, and a
            // second server replica may lag behind the one that ran the command).
            return Ok(false);
        }
        for rec in &page.events {
            if rec.seq <= last {
                return Err(Resync(format!(
                    "the change feed sent event {} after {last}",
                    rec.seq
                )));
            }
            last = rec.seq;
        }
        if last > page.seq {
            return Err(Resync(format!(
                "the change feed sent event {last} beyond its end {}",
                page.seq
            )));
        }
        self.apply_all(&page.events, page.seq);
        Ok(!page.events.is_empty())
    }

    /// Applies the events a command of ours recorded, when they follow on directly from
    /// the copy; false when something else happened in between (catch up instead).
    pub fn follow(&mut self, events: &[Recorded]) -> bool {
        let Some(last) = events.last() else {
            return true;
        };
        let contiguous = events
            .iter()
            .enumerate()
            .all(|(i, r)| r.seq == self.seq() + 1 + i as u64);
        if contiguous {
            self.apply_all(events, last.seq);
        }
        contiguous
    }

    fn apply_all(&mut self, events: &[Recorded], upto: u64) {
        for rec in events {
            if self.wanted(rec) {
                self.dir.apply(rec);
            }
        }
        // The state never holds password resets or API tokens (they are the server's
        // business); their events still move the id counter, so apply, then drop them,
        // and the copy stays what a fresh state would be.
        self.dir.resets.clear();
        self.dir.tokens.clear();
        self.dir.seq = self.dir.seq.max(upto);
        let seq = self.dir.seq;
        self.ahead.retain(|_, s| *s > seq);
    }

    fn wanted(&self, rec: &Recorded) -> bool {
        if let (Some(only), Some(org)) = (self.only, rec.org)
            && only != org
        {
            return false;
        }
        match rec.org.and_then(|o| self.ahead.get(&o)) {
            Some(read_at) => rec.seq > *read_at,
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{self, Command, Principal};
    use jiff::Timestamp;

    /// The server's side: a directory and its log, built with the core.
    struct Server {
        dir: Directory,
        log: Vec<Recorded>,
    }

    impl Server {
        fn new() -> Server {
            Server {
                dir: Directory::new(),
                log: vec![],
            }
        }

        fn run(&mut self, cmd: Command) -> Vec<Recorded> {
            let now: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
            let events = core::execute(&self.dir, &Principal::Operator, &cmd, now).unwrap();
            for e in &events {
                self.dir.apply(e);
            }
            self.log.extend(events.clone());
            events
        }

        fn org(&mut self, slug: &str) -> OrgId {
            self.run(Command::CreateOrg {
                slug: slug.into(),
                name: slug.into(),
                owner_email: format!("owner@{slug}.example"),
                owner_first_name: "Olive".into(),
                owner_last_name: String::new(),
                settings: None,
            });
            self.dir.org_by_slug(slug).unwrap().id
        }

        fn group(&mut self, org: OrgId, name: &str) -> Vec<Recorded> {
            self.run(Command::CreateGroup {
                org,
                name: name.into(),
            })
        }

        /// What the state endpoint sends: one organisation's part, and the head.
        fn state(&self, org: OrgId) -> State {
            let mut d = self.dir.clone();
            d.orgs.retain(|id, _| *id == org);
            d.accounts.retain(|_, a| a.org == org);
            d.roles.retain(|_, r| r.org == org);
            d.groups.retain(|_, g| g.org == org);
            State {
                seq: self.dir.seq,
                directory: d,
            }
        }

        /// The feed after `after`, of one organisation or of all.
        fn feed(&self, after: u64, org: Option<OrgId>) -> Events {
            Events {
                seq: self.dir.seq,
                events: self
                    .log
                    .iter()
                    .filter(|r| r.seq > after && org.is_none_or(|o| r.org == Some(o)))
                    .cloned()
                    .collect(),
            }
        }
    }

    fn groups(r: &Replica) -> Vec<String> {
        r.dir().groups.values().map(|g| g.name.clone()).collect()
    }

    #[test]
    fn the_feed_brings_the_copy_up_to_date() {
        let mut s = Server::new();
        let acme = s.org("acme");
        let mut r = Replica::of_org("acme", s.state(acme)).unwrap();
        assert_eq!(r.seq(), s.dir.seq);

        s.group(acme, "Auditors");
        let globex = s.org("globex");
        s.group(globex, "Elsewhere");
        let page = s.feed(r.seq(), Some(acme));
        assert!(r.catch_up(&page).unwrap(), "the page held events");
        assert_eq!(groups(&r), ["Auditors"]);
        assert_eq!(r.seq(), s.dir.seq, "the cursor moves to the feed's end");

        let empty = s.feed(r.seq(), Some(acme));
        assert!(!r.catch_up(&empty).unwrap());
        assert_eq!(r.seq(), s.dir.seq);
        assert!(r.dir().org_by_slug("globex").is_none());
    }

    #[test]
    fn a_feed_that_does_not_fit_asks_for_a_reload() {
        let mut s = Server::new();
        let acme = s.org("acme");
        s.group(acme, "One");
        let mut r = Replica::of_org("acme", s.state(acme)).unwrap();
        let before = r.seq();

        // A feed that has not yet announced what the copy holds: nothing to do.
        let lagging = Events {
            seq: before - 1,
            events: vec![],
        };
        assert_eq!(r.catch_up(&lagging), Ok(false));
        assert_eq!(r.seq(), before, "the cursor never moves back");

        // Events the copy already holds, sent again.
        let again = Events {
            seq: before,
            events: s.log[s.log.len() - 1..].to_vec(),
        };
        assert!(r.catch_up(&again).unwrap_err().0.contains("after"));

        // An event beyond the page's own end.
        let e = s.group(acme, "Two");
        let beyond = Events {
            seq: before,
            events: e,
        };
        assert!(r.catch_up(&beyond).is_err());
        assert_eq!(r.seq(), before, "a page that does not fit changes nothing");
        assert_eq!(groups(&r), ["One"]);
    }

    #[test]
    fn own_events_apply_directly_only_when_nothing_came_between() {
        let mut s = Server::new();
        let acme = s.org("acme");
        let mut r = Replica::of_org("acme", s.state(acme)).unwrap();

        let mine = s.group(acme, "Mine");
        assert!(r.follow(&mine));
        assert_eq!(groups(&r), ["Mine"]);

        s.group(acme, "Someone else's");
        let mine = s.group(acme, "Mine too");
        assert!(!r.follow(&mine), "a gap: catch up through the feed instead");
        assert_eq!(groups(&r), ["Mine"]);
        r.catch_up(&s.feed(r.seq(), Some(acme))).unwrap();
        assert_eq!(r.dir().groups.len(), 3);
    }

    #[test]
    fn parts_read_at_different_points_are_not_applied_twice() {
        let mut s = Server::new();
        let acme = s.org("acme");
        let globex = s.org("globex");
        let head = s.dir.seq;
        let acme_state = s.state(acme);
        // Between reading acme and reading globex, both change; the globex change
        // bumps its version, so applying it a second time would show.
        s.group(acme, "Acme later");
        s.run(Command::UpdateOrgSettings {
            org: globex,
            settings: crate::core::Settings {
                approval_required: true,
                ..Default::default()
            },
        });
        let globex_state = s.state(globex);
        s.group(globex, "Globex later");
        s.org("initech");

        let mut r = Replica::of_all(head, vec![acme_state, globex_state]);
        while r.catch_up(&s.feed(r.seq(), None)).unwrap() {}
        assert_eq!(
            serde_json::to_value(r.dir()).unwrap(),
            serde_json::to_value(&s.dir).unwrap(),
            "the merged copy equals the server's directory, versions included"
        );
    }
}
