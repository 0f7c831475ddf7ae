//! Warnings the store gives while a command runs (a torn log tail cut off on open, a
//! leftover file) go to stderr. Without this the CLI installed no subscriber and such
//! a repair happened in silence (found by tests/crash_binary.rs).

use tracing_subscriber::EnvFilter;

/// Sends `warn` and above (or what `ROSTER_LOG` asks for) to stderr, plain text.
pub fn to_stderr() {
    let filter = EnvFilter::try_from_env("ROSTER_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    // Only fails when a subscriber is already installed; that one then reports.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .try_init();
}
