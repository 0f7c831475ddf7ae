//! `roster bench`: generates (or reuses) a store per size, measures the console in a
//! fresh process, the store's durable writes and the REST server under `wrk`, and
//! prints one table with the targets of issue 5 and whether each is met.

pub mod console;
pub mod mem;
pub mod rest;
pub mod stats;
pub mod table;
pub mod writes;

use super::generate::{Spec, generate_store};
use super::size;
use crate::backend::BackendError;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::Instant;

/// Everything measured at one size.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub accounts: usize,
    /// Seconds to generate the store (`None`: reused from an earlier run).
    pub generate_s: Option<f64>,
    pub store_bytes: u64,
    pub console: console::ConsoleProbe,
    pub writes: writes::Writes,
    pub rest: Option<rest::Rest>,
}

/// The sizes of `--quick`.
pub const QUICK: &[usize] = &[1_000, 5_000];

pub fn run(sizes: &[usize], quick: bool, dir: Option<&Path>) -> Result<Vec<Row>, BackendError> {
    let sizes: Vec<usize> = if quick {
        QUICK.to_vec()
    } else {
        sizes.to_vec()
    };
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("roster-bench"));
    let exe = std::env::current_exe()
        .map_err(|e| BackendError::Io(format!("cannot find the roster program: {e}")))?;
    let wrk = rest::wrk();
    if wrk.is_none() {
        eprintln!("wrk is not installed and cannot be (not root): the REST figures are left out");
    }
    let (writes_n, shape) = if quick {
        (
            20,
            rest::Shape {
                connections: 4,
                seconds: 1,
            },
        )
    } else {
        (
            200,
            rest::Shape {
                connections: 16,
                seconds: 5,
            },
        )
    };
    let mut rows = vec![];
    for &n in &sizes {
        let row = measure(&exe, &dir, n, writes_n, wrk.as_deref(), &shape)?;
        rows.push(row);
    }
    println!("{}", table::render(&rows, quick));
    Ok(rows)
}

/// Measures one size; the store is generated into `dir` unless already there.
pub fn measure(
    exe: &Path,
    dir: &Path,
    n: usize,
    writes_n: usize,
    wrk: Option<&Path>,
    shape: &rest::Shape,
) -> Result<Row, BackendError> {
    let store = store_for(dir, n);
    let generate_s = if store.join("snapshot").exists() && store.join("events.log").exists() {
        eprintln!("== {} accounts: reusing {}", size::show(n), store.display());
        None
    } else {
        if store.exists() {
            // A generation that did not finish: start it over.
            std::fs::remove_dir_all(&store)
                .map_err(|e| BackendError::Io(format!("cannot clear {}: {e}", store.display())))?;
        }
        eprintln!(
            "== {} accounts: generating {}",
            size::show(n),
            store.display()
        );
        let t = Instant::now();
        generate_store(
            &store,
            &Spec {
                accounts: n,
                orgs: 1,
                seed: 1,
            },
        )?;
        Some(t.elapsed().as_secs_f64())
    };
    let store_bytes = folder_bytes(&store);
    eprintln!("   console (fresh process)");
    let console = probe_in_child(exe, &store)?;
    eprintln!("   durable writes");
    let writes = writes::measure(&store, writes_n, 8)?;
    let rest = match wrk {
        Some(wrk) => {
            eprintln!("   REST server under wrk");
            Some(rest::measure(exe, &store, wrk, shape)?)
        }
        None => None,
    };
    Ok(Row {
        accounts: n,
        generate_s,
        store_bytes,
        console,
        writes,
        rest,
    })
}

pub fn store_for(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("accounts-{}-seed1-v1", size::show(n)))
}

fn probe_in_child(exe: &Path, store: &Path) -> Result<console::ConsoleProbe, BackendError> {
    let out = Process::new(exe)
        .args(["bench", "--probe-console"])
        .arg(store)
        .output()
        .map_err(|e| BackendError::Io(format!("cannot run the console probe: {e}")))?;
    if !out.status.success() {
        return Err(BackendError::Io(format!(
            "the console probe failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| {
        BackendError::Io(format!(
            "the console probe answered something unreadable: {e}"
        ))
    })
}

fn folder_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
