//! `roster demo generate` and `roster bench`: their arguments (the work is in
//! `cli::scale`).

use crate::scale::size;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
