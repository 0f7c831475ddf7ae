//! Failed sign-ins, counted per key (a client address, an email) in a fixed window. A key
//! that used up its failures waits out the window (429 with `Retry-After`) before its
//! next guess is even checked. Memory is bounded: beyond `REMEMBERED` keys, finished
//! windows are dropped, and if every window is still running the oldest one goes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys remembered at most.
const REMEMBERED: usize = 10_000;

pub struct Throttle<K> {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<K, Strikes>>,
}

struct Strikes {
    since: Instant,
    count: u32,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// `limit` failures per `window`; a limit of 0 turns the throttle off.
    pub fn new(limit: u32, window: Duration) -> Self {
        Throttle {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must still wait, if it has used up its failures.
    pub fn blocked(&self, key: &K) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let s = seen.get(key)?;
        let elapsed = s.since.elapsed();
        (s.count >= self.limit && elapsed < self.window).then(|| self.window - elapsed)
    }

    /// Counts one failure of `key`.
    pub fn strike(&self, key: &K) {
        let _ = self.count(key, false);
    }

    /// Counts one attempt of `key` *before* it is checked, unless `key` has used up its
    /// attempts (then: how long it must wait, and nothing is counted). Checking and
    /// counting under one lock is what makes the limit hold for concurrent attempts:
    /// thirty guesses sent at once get ten verifications, not thirty.
    pub fn reserve(&self, key: &K) -> Result<(), Duration> {
        self.count(key, true)
    }

    /// Takes back one counted attempt of `key` (it turned out not to be a failure).
    pub fn refund(&self, key: &K) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = seen.get_mut(key)
            && s.since.elapsed() < self.window
        {
            s.count = s.count.saturating_sub(1);
        }
    }

    /// Adds one to `key`'s count; with `refuse_full`, not when the count is at the limit.
    fn count(&self, key: &K, refuse_full: bool) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= REMEMBERED && !seen.contains_key(key) {
            let window = self.window;
            seen.retain(|_, s| s.since.elapsed() < window);
            if seen.len() >= REMEMBERED
                && let Some(oldest) = seen
                    .iter()
                    .min_by_key(|(_, s)| s.since)
                    .map(|(k, _)| k.clone())
            {
                seen.remove(&oldest);
            }
        }
        let s = seen.entry(key.clone()).or_insert(Strikes {
            since: Instant::now(),
            count: 0,
        });
        let elapsed = s.since.elapsed();
        if elapsed >= self.window {
            *s = Strikes {
                since: Instant::now(),
                count: 0,
            };
        } else if refuse_full && s.count >= self.limit {
            return Err(self.window - elapsed);
        }
        s.count = s.count.saturating_add(1);
        Ok(())
    }

    /// Forgets `key`'s failures (after a successful sign-in).
    pub fn clear(&self, key: &K) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_stays_bounded() {
        let t = Throttle::new(2, Duration::from_secs(3600));
        t.strike(&"a".to_string());
        assert!(t.blocked(&"a".to_string()).is_none());
        t.strike(&"a".to_string());
        assert!(t.blocked(&"a".to_string()).is_some());
        assert!(t.blocked(&"b".to_string()).is_none());
        t.clear(&"a".to_string());
        assert!(t.blocked(&"a".to_string()).is_none());
        for i in 0..REMEMBERED + 10 {
            t.strike(&i.to_string());
        }
        assert!(t.seen.lock().unwrap().len() <= REMEMBERED);
    }

    /// Issue 15: the check and the count were apart, so thirty concurrent guesses were
    /// all verified. Reserving from many threads at once lets exactly `limit` through.
    #[test]
    fn concurrent_reservations_never_pass_the_limit() {
        let t = std::sync::Arc::new(Throttle::new(10, Duration::from_secs(900)));
        let passed: usize = (0..30)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || t.reserve(&"olive").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum();
        assert_eq!(passed, 10);
        assert!(t.reserve(&"olive").is_err(), "the eleventh waits");
        t.refund(&"olive");
        assert!(
            t.reserve(&"olive").is_ok(),
            "a refunded attempt frees its place"
        );
        assert!(t.reserve(&"other").is_ok(), "other keys are not held up");
    }
}
