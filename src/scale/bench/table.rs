//! The one table `roster bench` prints (Markdown, so it pastes into the README), with
//! each target of issue 5 judged at the size it names (or the largest measured).

use super::Row;
use crate::scale::size;

const KIB: f64 = 1024.0;

pub fn render(rows: &[Row], quick: bool) -> String {
    let mut out = String::new();
    let sizes: Vec<String> = rows.iter().map(|r| size::show(r.accounts)).collect();
    out.push_str(&format!(
        "roster bench: {} cores; stores generated with `roster demo generate --accounts N --seed 1` (one organisation)\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    ));
    out.push_str(&format!(
        "reproduce: cargo run --release -- bench{}\n\n",
        if quick {
            " --quick".to_string()
        } else {
            format!(" --sizes {}", sizes.join(","))
        }
    ));
    out.push_str(&format!(
        "| figure | {} | target | met |\n",
        sizes.join(" | ")
    ));
    out.push_str(&format!("|---|{}---|---|\n", "---|".repeat(sizes.len())));
    let mut line = |name: &str, cell: &dyn Fn(&Row) -> String, target: &str, met: String| {
        let cells: Vec<String> = rows.iter().map(cell).collect();
        out.push_str(&format!(
            "| {name} | {} | {target} | {met} |\n",
            cells.join(" | ")
        ));
    };
    let at = |n: usize| rows.iter().find(|r| r.accounts == n).or(rows.last());
    let judged = |n: usize, ok: &dyn Fn(&Row) -> bool| match at(n) {
        Some(r) if r.accounts == n => yes(ok(r)).to_string(),
        Some(r) => format!(
            "{} (at {}; {} not run)",
            yes(ok(r)),
            size::show(r.accounts),
            size::show(n)
        ),
        None => "-".into(),
    };
    line(
        "generate store (s)",
        &|r| {
            r.generate_s
                .map(|s| format!("{s:.1}"))
                .unwrap_or_else(|| "reused".into())
        },
        "",
        String::new(),
    );
    line(
        "store on disk (MiB)",
        &|r| format!("{:.0}", r.store_bytes as f64 / KIB / KIB),
        "",
        String::new(),
    );
    line(
        "open store (ms)",
        &|r| format!("{:.0}", r.console.open_ms),
        "",
        String::new(),
    );
    line(
        "open → first frame, Users (ms)",
        &|r| format!("{:.0}", r.console.first_frame_ms),
        "≤ 1000 at 1M, ≤ 150 at 100k",
        format!(
            "1M: {}; 100k: {}",
            judged(1_000_000, &|r| r.console.first_frame_ms <= 1000.0),
            judged(100_000, &|r| r.console.first_frame_ms <= 150.0)
        ),
    );
    line(
        "filter key → frame p50 (ms)",
        &|r| format!("{:.1}", r.console.filter.p50),
        "",
        String::new(),
    );
    line(
        "filter key → frame p99 (ms)",
        &|r| format!("{:.1}", r.console.filter.p99),
        "≤ 16 at 1M",
        judged(1_000_000, &|r| r.console.filter.p99 <= 16.0),
    );
    // Beside the target row, so nobody reads it as "the answer is there in 16 ms": a
    // large list shows its new rows when the match run off the UI thread completes.
    line(
        "filter key → results complete p50 / p99 (ms)",
        &|r| {
            format!(
                "{:.1} / {:.1}",
                r.console.filter_complete.p50, r.console.filter_complete.p99
            )
        },
        "(not a target: matched off the UI thread)",
        String::new(),
    );
    let tabs: Vec<String> = rows
        .first()
        .map(|r| r.console.tabs.iter().map(|(t, _)| t.clone()).collect())
        .unwrap_or_default();
    for tab in &tabs {
        line(
            &format!("draw {tab} tab 120x40 (ms)"),
            &|r| {
                r.console
                    .tabs
                    .iter()
                    .find(|(t, _)| t == tab)
                    .map(|(_, ms)| format!("{ms:.2}"))
                    .unwrap_or_else(|| "-".into())
            },
            "",
            String::new(),
        );
    }
    line(
        "console peak RSS (MiB)",
        &|r| format!("{:.0}", r.console.peak_rss as f64 / KIB / KIB),
        "",
        String::new(),
    );
    line(
        "console bytes per account",
        &|r| format!("{:.0}", per_account(r)),
        "≤ 1024 at 1M",
        judged(1_000_000, &|r| per_account(r) <= 1024.0),
    );
    line(
        "bare fsync p50 (ms)",
        &|r| format!("{:.2}", r.writes.fsync.p50),
        "",
        String::new(),
    );
    line(
        "durable commit, 1 writer p50 / p99 (ms)",
        &|r| format!("{:.2} / {:.2}", r.writes.single.p50, r.writes.single.p99),
        "bounded by fsync",
        judged(1_000_000, &|r| {
            r.writes.single.p50 <= 2.0 * r.writes.fsync.p50 + 1.0
        }),
    );
    line(
        "commands/s, 1 writer",
        &|r| format!("{:.0}", r.writes.single_per_sec),
        "",
        String::new(),
    );
    line(
        "durable commit, 8 writers p50 / p99 (ms)",
        &|r| format!("{:.2} / {:.2}", r.writes.many.p50, r.writes.many.p99),
        "",
        String::new(),
    );
    line(
        "commands/s, 8 writers",
        &|r| format!("{:.0}", r.writes.many_per_sec),
        "group commit: > 1 writer",
        judged(1_000_000, &|r| {
            r.writes.many_per_sec > 1.5 * r.writes.single_per_sec
        }),
    );
    if rows.iter().any(|r| r.rest.is_some()) {
        let rest = |f: fn(&super::rest::Rest) -> String| {
            move |r: &Row| r.rest.as_ref().map(f).unwrap_or_else(|| "-".into())
        };
        line(
            "trivial axum handler req/s (ceiling)",
            &rest(|x| format!("{:.0}", x.ceiling.per_sec)),
            "",
            String::new(),
        );
        line(
            "REST GET one account req/s (p50/p99 ms)",
            &rest(|x| load(&x.read_one)),
            "≥ 50% of ceiling",
            judged(1_000_000, &|r| ratio(r, |x| x.read_one.per_sec) >= 0.5),
        );
        line(
            "REST GET filtered page req/s (p50/p99 ms)",
            &rest(|x| load(&x.read_page)),
            "≥ 50% of ceiling",
            judged(1_000_000, &|r| ratio(r, |x| x.read_page.per_sec) >= 0.5),
        );
        line(
            "REST GET filtered pages, 1200 queries in turn req/s (p50/p99 ms)",
            &rest(|x| load(&x.read_pages)),
            "≥ 50% of ceiling",
            judged(1_000_000, &|r| ratio(r, |x| x.read_pages.per_sec) >= 0.5),
        );
        line(
            "REST POST approve, approvals/s (p50/p99 ms)",
            &rest(|x| {
                // Only successful approvals count: once every pending request of the
                // store is decided, the rest are refused (409) and say nothing of writes.
                let l = &x.approve;
                let ok = l.requests.saturating_sub(l.failed);
                let ok_per_sec = if l.requests == 0 {
                    0.0
                } else {
                    l.per_sec * ok as f64 / l.requests as f64
                };
                format!(
                    "{ok_per_sec:.0} ({:.1}/{:.1}); {ok} approved, {} refused",
                    l.latency.p50, l.latency.p99, l.failed
                )
            }),
            "",
            String::new(),
        );
    }
    out
}

fn yes(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO" }
}

fn load(l: &super::rest::Load) -> String {
    format!(
        "{:.0} ({:.1}/{:.1})",
        l.per_sec, l.latency.p50, l.latency.p99
    )
}

fn ratio(r: &Row, f: fn(&super::rest::Rest) -> f64) -> f64 {
    match &r.rest {
        Some(x) if x.ceiling.per_sec > 0.0 => f(x) / x.ceiling.per_sec,
        _ => 0.0,
    }
}

/// The console's memory beyond what the process held before opening the store.
pub fn per_account(r: &Row) -> f64 {
    let grown = r.console.peak_rss.saturating_sub(r.console.rss_before);
    grown as f64 / r.accounts.max(1) as f64
}
