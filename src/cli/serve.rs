//! `roster serve`: the REST server over the local store, until Ctrl-C or SIGTERM.

use super::args::{Global, ServeArgs};
use super::fail::{Failure, Outcome, fail};
use super::output::say;
use super::store::{self, store_path};
use crate::backend::mail_folder::WithMailFolder;
use crate::server::{self, Config};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

/// How often `roster serve` looks for queued mail.
const SENDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

pub fn run(global: &Global, args: ServeArgs) -> Outcome {
    let path = store_path(global)?;
    if !store::exists(&path) {
        return fail(format!(
            "there is no store at {}: create one with `roster init` (or `roster init --demo`) before serving it",
            path.display()
        ));
    }
    let mut backend = store::open(&path)?;
    // Mail is rendered, spooled and sent from a folder on this machine: the store's own,
    // or for a database store --mail-dir (made 0700).
    let mail_root = match backend.local_root() {
        Some(root) => root,
        None => {
            let folder = mail_folder(&args)?;
            backend = Arc::new(WithMailFolder::new(backend, folder.clone()));
            folder
        }
    };
    // A broken roster.toml stops the server here rather than failing every message later.
    let mail = crate::mail::MailConfig::load(&mail_root).map_err(Failure::Message)?;
    // Request logs go to stderr (stdout carries the address for scripts); ROSTER_LOG
    // filters them like RUST_LOG does.
    let filter = EnvFilter::try_from_env("ROSTER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    // Every store call runs on the blocking pool. Its default of up to 512 threads let
    // glibc's malloc open an arena per thread and keep freed memory in each: RSS grew
    // ~3x faster than the data under load (.ci/load.sh; README "Load"). A few threads
    // serve as well: file store writes take one lock, argon2 runs 4 at a time.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .map_err(|e| Failure::msg(format!("cannot start the server: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| Failure::msg(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::msg(format!("cannot listen on {}: {e}", args.listen)))?;
        say(format!("listening on http://{addr}"));
        let _ = std::io::stdout().flush();
        match &mail.smtp {
            Some(s) => tracing::info!("mail goes to {}:{}", s.host, s.port()),
            None => tracing::info!(
                "mail goes to {} (no [smtp] in roster.toml)",
                mail_root.join("maildir").display()
            ),
        }
        let sender = tokio::spawn(crate::mail::background::run(
            backend.clone(),
            SENDER_INTERVAL,
        ));
        let config = Config {
            trusted_proxies: server::TrustedProxies::new(args.trusted_proxies.clone()),
            register_limit: args.register_limit,
            bad_token_limit: args.bad_token_limit,
            ..Config::default()
        };
        if !config.trusted_proxies.is_empty() {
            tracing::info!(
                "client addresses come from Forwarded / X-Forwarded-For of {:?}",
                args.trusted_proxies
            );
        }
        let served = server::serve(listener, backend, config, stop_signal())
            .await
            .map_err(|e| Failure::msg(format!("the server failed: {e}")));
        sender.abort();
        served
    })?;
    say("roster serve stopped");
    Ok(())
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot watch for SIGTERM ({e}): stop with Ctrl-C");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
}

/// The mail folder of a server over a database store: `--mail-dir` (`ROSTER_MAIL_DIR`),
/// else roster/mail in the XDG state directory.
fn mail_folder(args: &ServeArgs) -> Outcome<std::path::PathBuf> {
    let folder = match &args.mail_dir {
        Some(dir) => dir.clone(),
        None => dirs::state_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))
            .map(|d| d.join("roster").join("mail"))
            .ok_or_else(|| {
                Failure::msg(
                    "cannot work out where to keep mail (no home directory): pass --mail-dir DIR",
                )
            })?,
    };
    std::fs::create_dir_all(&folder).map_err(|e| {
        Failure::msg(format!(
            "cannot make the mail folder {}: {e}",
            folder.display()
        ))
    })?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| Failure::msg(format!("cannot make {} private: {e}", folder.display())))?;
    Ok(folder)
}
