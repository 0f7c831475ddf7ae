//! `roster demo generate` and `roster bench`: the command-line side of `crate::scale`.

pub use super::args::{BenchArgs, DemoCmd};

use super::args::Global;
use super::fail::{Outcome, fail};
use super::output::{json, say};
use crate::scale::{self, generate::Spec};
use std::time::Instant;

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
