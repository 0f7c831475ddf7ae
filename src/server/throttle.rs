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
        if self.limit == 0 {
            return;
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
        if s.since.elapsed() >= self.window {
            *s = Strikes {
                since: Instant::now(),
                count: 0,
            };
        }
        s.count = s.count.saturating_add(1);
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
}
