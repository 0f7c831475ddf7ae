//! `roster demo generate` and `roster bench`: the command-line side of `crate::scale`.

use super::args::Global;
use super::fail::{Outcome, fail};
use super::output::{json, say};
use crate::scale::{self, generate::Spec, size};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Subcommand)]
pub enum DemoCmd {
    /// Write a large deterministic store: accounts with accented, CJK and emoji names,
    /// every status, pending approvals, groups, programs, contracts, an audit history.
    Generate {
        /// How many accounts, e.g. 10k, 100k, 1M.
        #[arg(long, value_parser = size::parse)]
        accounts: usize,
        /// Organisations to spread them over.
        #[arg(long, default_value_t = 1)]
        orgs: usize,
        /// The same seed always gives the same store.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write it (a new or empty folder; default: --store).
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Sizes to measure (accounts), comma-separated.
    #[arg(long, value_parser = size::parse, value_delimiter = ',', default_value = "10k,100k,1M")]
    pub sizes: Vec<usize>,
    /// A quick smoke run at small sizes (1k,5k) with short load phases.
    #[arg(long)]
    pub quick: bool,
    /// Where generated stores are kept between runs (reused when present).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Internal: measure the console on one store and print JSON (run by the bench in a
    /// fresh process, so its memory is the console's alone).
    #[arg(long, hide = true, value_name = "STORE")]
    pub probe_console: Option<PathBuf>,
}

pub fn demo(global: &Global, cmd: DemoCmd) -> Outcome {
    let DemoCmd::Generate {
        accounts,
        orgs,
        seed,
        path,
    } = cmd;
    let Some(path) = path.or_else(|| global.store.clone()) else {
        return fail(
            "say where to write the generated store: roster demo generate --accounts 10k PATH (or --store PATH)",
        );
    };
    let started = Instant::now();
    let spec = Spec {
        accounts,
        orgs,
        seed,
    };
    let summary = scale::generate::generate_store(&path, &spec)?;
    if global.json {
        return json(&serde_json::json!({ "store": path, "generated": summary }));
    }
    say(format!(
        "✓ generated {} accounts in {} organisation(s) at {} in {:.1} s",
        summary.accounts,
        summary.orgs,
        path.display(),
        started.elapsed().as_secs_f64()
    ));
    say(format!(
        "  {} requests waiting for approval, {} groups, {} programs, {} contracts, {} invitations, {} events in the audit trail",
        summary.pending_requests,
        summary.groups,
        summary.programs,
        summary.contracts,
        summary.invitations,
        summary.events
    ));
    say(format!(
        "open it: roster --store {} --org tenant-1",
        super::init::shell_quote(&path.display().to_string())
    ));
    Ok(())
}

pub fn bench(_global: &Global, args: BenchArgs) -> Outcome {
    if let Some(store) = &args.probe_console {
        let probe = scale::bench::console::probe(store)?;
        return json(&probe);
    }
    scale::bench::run(&args.sizes, args.quick, args.dir.as_deref())?;
    Ok(())
}
