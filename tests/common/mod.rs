//! Helpers shared by the backend tests: fixtures, a hand-moved clock, and the backend
//! conformance suite every `Backend` implementation runs.
#![allow(dead_code)] // each test crate uses its own subset of the helpers

pub mod clock;
pub mod conformance;
pub mod fixtures;
