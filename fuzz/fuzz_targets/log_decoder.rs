//! Feeds arbitrary bytes to the event-log decoder: a value or an error, never a panic.
//! The same function runs under proptest in tests/hostile_input.rs on every CI run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = roster::backend::file::decode::log(data);
    let _ = roster::backend::file::decode::records(data);
});
