//! The process's memory as Linux reports it (`/proc/self/status`); zero elsewhere.

/// Resident set size now, in bytes.
pub fn rss() -> u64 {
    field("VmRSS:")
}

/// The peak resident set size of the process so far, in bytes.
pub fn peak_rss() -> u64 {
    field("VmHWM:")
}

fn field(name: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}
