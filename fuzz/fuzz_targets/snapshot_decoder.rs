//! Feeds arbitrary bytes to the snapshot decoder: a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = roster::backend::file::decode::snapshot(data);
});
