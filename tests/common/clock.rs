//! A clock the test sets and moves by hand, for `Options::clock`.

use jiff::{SignedDuration, Timestamp};
use roster::backend::file::Clock;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn at(t: Timestamp) -> Self {
        ManualClock(Arc::new(Mutex::new(t)))
    }

    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap();
        *t += by;
    }

    /// The clock as a store option.
    pub fn clock(&self) -> Clock {
        let me = self.clone();
        Arc::new(move || me.now())
    }
}
