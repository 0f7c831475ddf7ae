//! The console's connection to its backend: whether the last refresh got through, and if
//! it did not, what to say and when to try again. Pure like the App: time passes in
//! ticks, so the retry schedule is a function of ticks, testable without a clock.
//!
//! No answer or a busy server is retried after 1, 2, 4, 8 and then every 15 seconds; an
//! answer that makes no sense every 15 seconds; a rejected token not at all, because only
//! a new token helps (Ctrl-R still tries once when asked). Whatever happens, the data on
//! screen stays: an administrator keeps reading while the server restarts.

use super::fault::{Fault, LoadError};
use std::time::Duration;

/// The wait before the next try after 1, 2, 3, 4 and 5 or more transient failures in a
/// row: quick at first (a restart takes seconds), then no more than one try per 15 s.
pub const BACKOFF: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(15),
];

/// The wait after an answer that makes no sense or a damaged store: it will not mend
/// itself in a second, but it may (a server being upgraded, a disk made writable).
pub const SLOW: Duration = Duration::from_secs(15);

/// How long to wait after `failures` failures in a row; `None`: until asked.
pub fn delay(fault: Fault, failures: u32) -> Option<Duration> {
    match fault {
        Fault::Offline | Fault::Busy => {
            let i = (failures.max(1) - 1).min(BACKOFF.len() as u32 - 1) as usize;
            Some(BACKOFF[i])
        }
        Fault::Broken | Fault::Refused => Some(SLOW),
        Fault::Unauthorized => None,
    }
}

/// Ticks that cover `d` (at least one).
pub fn ticks(d: Duration, tick_ms: u64) -> u32 {
    let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    u32::try_from(ms.div_ceil(tick_ms.max(1)).max(1)).unwrap_or(u32::MAX)
}

/// A backend description that names a server (`http://…`, `https://…`).
pub fn is_remote(describe: &str) -> bool {
    describe.starts_with("http")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trouble {
    pub fault: Fault,
    /// The backend's own sentence.
    pub message: String,
    /// Failures in a row.
    pub failures: u32,
    /// Ticks until the next try (0: trying now); `None`: no try until asked.
    pub wait: Option<u32>,
    /// The App's note count when this trouble began or was asked about: it has the
    /// result line until a newer result is shown (the status bar keeps a badge).
    pub noted: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Link {
    /// What `backend.describe()` says (empty: no store yet).
    pub label: String,
    /// The backend is a server: sentences say "server", and its token decides who acts.
    pub remote: bool,
    pub trouble: Option<Trouble>,
    /// A load failed for want of the backend: load again once it answers.
    pub reload: bool,
}

impl Link {
    pub fn new(label: impl Into<String>) -> Link {
        let label = label.into();
        Link {
            remote: is_remote(&label),
            label,
            trouble: None,
            reload: false,
        }
    }

    /// "server" or "store", for sentences.
    pub fn noun(&self) -> &'static str {
        if self.remote { "server" } else { "store" }
    }

    /// The server's address (`https://host:port`), or the store's description.
    pub fn place(&self) -> &str {
        if self.remote {
            self.label.split_whitespace().next().unwrap_or_default()
        } else {
            &self.label
        }
    }

    /// A call failed for a reason that concerns the connection. `notes` is the App's
    /// note count: new trouble (or a new kind of it) takes the result line.
    pub fn fail(&mut self, err: &LoadError, tick_ms: u64, notes: u64) {
        // A refresh the core refuses is no decision anyone asked for: treat it as an
        // answer that makes no sense.
        let fault = match err.fault {
            Fault::Refused => Fault::Broken,
            f => f,
        };
        let (failures, noted) = match &self.trouble {
            Some(t) if t.fault == fault => (t.failures.saturating_add(1), t.noted),
            _ => (1, notes),
        };
        self.trouble = Some(Trouble {
            fault,
            message: err.message.clone(),
            failures,
            wait: delay(fault, failures).map(|d| ticks(d, tick_ms)),
            noted,
        });
    }

    /// A refresh got through. Returns the sentence that ends a trouble, if there was one.
    pub fn recover(&mut self) -> Option<String> {
        self.trouble.take()?;
        Some(if self.remote {
            format!("Back online: {} answers again", self.place())
        } else {
            "The store answers again".to_string()
        })
    }

    /// One tick passed. Returns whether a refresh is due now.
    pub fn tick(&mut self) -> bool {
        let Some(t) = self.trouble.as_mut() else {
            return true;
        };
        match t.wait.as_mut() {
            None => false,
            Some(0) => true,
            Some(n) => {
                *n -= 1;
                *n == 0
            }
        }
    }

    /// Ctrl-R: try now, and say so. False when there is no trouble.
    pub fn retry_now(&mut self, notes: u64) -> bool {
        let Some(t) = self.trouble.as_mut() else {
            return false;
        };
        t.wait = Some(0);
        t.noted = notes;
        true
    }

    /// When the next try comes. `paused`: live updates are off (Esc stopped a load), so
    /// no try comes until asked.
    pub fn next(&self, tick_ms: u64, paused: bool) -> Option<Next> {
        let t = self.trouble.as_ref()?;
        Some(match t.wait {
            None => Next::WhenAsked,
            Some(_) if paused => Next::Paused,
            Some(0) => Next::Now,
            Some(w) => Next::In((u64::from(w) * tick_ms).div_ceil(1000)),
        })
    }

    /// The whole story for the result line: what is wrong, what the console does about
    /// it, and what the person can do. `key` is the reload key.
    pub fn sentence(&self, key: &str, next: Next) -> Option<String> {
        let t = self.trouble.as_ref()?;
        let msg = capitalised(t.message.trim().trim_end_matches('.'));
        let when = match next {
            Next::Now => "trying again now…".to_string(),
            Next::In(s) => format!("retrying in {s}s ({key}: now)"),
            Next::Paused => format!("live updates paused ({key}: try again)"),
            Next::WhenAsked => format!("{key} tries again"),
        };
        Some(match t.fault {
            Fault::Offline => format!(
                "Offline: {} — {when}. The screen shows what was last loaded.",
                uncapitalised(&msg)
            ),
            Fault::Busy => format!("{msg} — {when}."),
            // Short enough for the three rows the result line has at 80 columns.
            Fault::Unauthorized => {
                let how = if msg.contains("roster token create") {
                    ""
                } else {
                    "; get a new token with roster token create"
                };
                format!(
                    "The token is no longer valid: {}. Live updates stopped{how} ({key}: try again).",
                    uncapitalised(&msg)
                )
            }
            Fault::Broken | Fault::Refused if self.remote => format!("{msg} — {when}."),
            Fault::Broken | Fault::Refused => {
                format!("Cannot read the store: {} — {when}.", uncapitalised(&msg))
            }
        })
    }

    /// A few words for the status bar, there for as long as the trouble lasts.
    pub fn badge(&self, next: Next) -> Option<String> {
        let t = self.trouble.as_ref()?;
        let what = match t.fault {
            Fault::Offline => "offline".to_string(),
            Fault::Busy => format!("{} busy", self.noun()),
            Fault::Unauthorized => return Some("token rejected".into()),
            Fault::Broken | Fault::Refused => format!("{} error", self.noun()),
        };
        Some(match next {
            Next::Now => format!("{what} · retrying"),
            Next::In(s) => format!("{what} · retry in {s}s"),
            Next::Paused => format!("{what} · paused"),
            Next::WhenAsked => what,
        })
    }
}

/// When the next try comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// A try is under way (or goes out on this tick).
    Now,
    /// In this many seconds.
    In(u64),
    /// Live updates are paused: not until asked.
    Paused,
    /// Retrying cannot help (a rejected token): only when asked.
    WhenAsked,
}

/// The longest wait there is: the result line is laid out for it, so the countdown
/// never moves the rows below it.
pub const WIDEST: Next = Next::In(SLOW.as_secs());

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn uncapitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICK: u64 = 500;

    fn offline() -> LoadError {
        LoadError::new(
            Fault::Offline,
            "cannot reach https://roster.example:8443: connection refused",
        )
    }

    /// Ticks from a failure until the refresh is due.
    fn ticks_until_due(l: &mut Link) -> u32 {
        for n in 1..=1000 {
            if l.tick() {
                return n;
            }
        }
        panic!("never due")
    }

    #[test]
    fn transient_trouble_backs_off_1_2_4_8_then_15_seconds() {
        let mut l = Link::new("https://roster.example:8443 (acme)");
        assert!(l.tick(), "no trouble: refresh every tick");
        let mut waited = vec![];
        for _ in 0..6 {
            l.fail(&offline(), TICK, 0);
            waited.push(ticks_until_due(&mut l) as u64 * TICK / 1000);
        }
        assert_eq!(waited, [1, 2, 4, 8, 15, 15]);
        assert_eq!(
            l.recover().as_deref(),
            Some("Back online: https://roster.example:8443 answers again")
        );
        assert!(l.tick());
        assert_eq!(l.recover(), None, "nothing to announce twice");
    }

    #[test]
    fn a_rejected_token_is_not_retried_until_asked() {
        let mut l = Link::new("https://roster.example:8443 (acme)");
        l.fail(
            &LoadError::new(
                Fault::Unauthorized,
                "the server at https://roster.example:8443 refused the token: revoked",
            ),
            TICK,
            0,
        );
        assert!((0..100).all(|_| !l.tick()));
        assert_eq!(l.next(TICK, false), Some(Next::WhenAsked));
        let s = l.sentence("Ctrl-R", Next::WhenAsked).unwrap();
        assert!(
            s.contains("roster token create") && s.contains("revoked"),
            "{s}"
        );
        assert!(l.retry_now(3));
        assert!(l.tick());
    }

    #[test]
    fn nonsense_is_retried_slowly_and_the_countdown_reads_in_seconds() {
        let mut l = Link::new("file:/srv/roster");
        l.fail(
            &LoadError::new(Fault::Broken, "record 7 is damaged"),
            TICK,
            0,
        );
        assert_eq!(l.next(TICK, false), Some(Next::In(15)));
        assert_eq!(
            l.badge(Next::In(15)).as_deref(),
            Some("store error · retry in 15s")
        );
        let s = l.sentence("Ctrl-R", Next::In(15)).unwrap();
        assert!(
            s.starts_with("Cannot read the store: record 7 is damaged"),
            "{s}"
        );
        l.tick();
        l.tick();
        assert_eq!(l.next(TICK, false), Some(Next::In(14)));
        assert_eq!(l.next(TICK, true), Some(Next::Paused), "not while paused");
    }

    #[test]
    fn the_offline_sentence_names_the_server_and_the_wait() {
        let mut l = Link::new("https://roster.example:8443 (acme)");
        l.fail(&offline(), TICK, 0);
        l.fail(&offline(), TICK, 0);
        l.fail(&offline(), TICK, 0);
        let next = l.next(TICK, false).unwrap();
        let s = l.sentence("Ctrl-R", next).unwrap();
        assert!(
            s.starts_with("Offline: cannot reach https://roster.example:8443")
                && s.contains("retrying in 4s (Ctrl-R: now)"),
            "{s}"
        );
        assert_eq!(l.badge(next).as_deref(), Some("offline · retry in 4s"));
    }
}
