//! The real binary in a real terminal (tmux): open the console, go to the approval
//! queue, filter it, approve a request, and check the store changed. Skipped, with a
//! note, where tmux is not installed.

mod tui_support;

use roster::backend::file::FileStore;
use roster::core::RequestStatus;
use std::process::Command;
use std::time::{Duration, Instant};
use tui_support::*;

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(cmd: &str) -> Tmux {
        // One session per test, even when tests of this binary run in parallel.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("roster-e2e-{}-{n}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "80",
                "-y",
                "24",
                cmd,
            ])
            .env("NO_COLOR", "1")
            .status()
            .expect("tmux runs");
        assert!(ok.success(), "tmux could not start the console");
        Tmux { name }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`. The deadline only bounds a hang; nothing
    /// is asserted about how fast it happens.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never showed {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.name])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// False (with a note) where tmux is missing outside CI; CI installs tmux (.ci/run), so
/// there a missing tmux is a failure, not a skip.
fn tmux_or_skip() -> bool {
    if have_tmux() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is required for the end-to-end console tests in CI"
    );
    eprintln!("tmux is not installed: skipping the end-to-end console test");
    false
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn open_filter_approve_and_the_store_changes() {
    if !tmux_or_skip() {
        return;
    }
    let fx = fixture();
    let path = fx.path();
    let grace_request = fx
        .read(|d| {
            d.requests
                .values()
                .find(|r| r.account == fx.grace)
                .map(|r| r.id)
        })
        .unwrap();
    drop(fx.store.clone());
    let bin = env!("CARGO_BIN_EXE_roster");
    // The shell keeps the pane open after the console exits, so we can see it left.
    let cmd = format!(
        "'{bin}' --store '{}' --org acme --as alice@acme.example; echo CONSOLE-EXITED $?; sleep 30",
        path.display()
    );
    let t = Tmux::start(&cmd);
    let first = t.wait_for("alice@acme.example │ Acme Corp (acme)");
    assert!(first.contains("Users"), "{first}");
    t.keys(&["4"]);
    t.wait_for("pending, oldest first");
    t.keys(&["/", "g", "r", "a", "c", "e", "@"]);
    let filtered = t.wait_for("/grace@");
    assert!(
        !filtered.contains("frank@acme.example asks"),
        "the filter hides frank:\n{filtered}"
    );
    t.keys(&["Enter", "a"]);
    t.wait_for("✓ Approve");
    // The store itself changed (read it as another process would).
    let store = FileStore::open_with(&path, options()).unwrap();
    let status = roster::backend::query(&store, |d| d.requests[&grace_request].status).unwrap();
    assert_eq!(status, RequestStatus::Approved);
    let frank = roster::backend::query(&store, |d| {
        d.requests
            .values()
            .find(|r| r.account == fx.frank)
            .map(|r| r.status)
    })
    .unwrap();
    assert_eq!(
        frank,
        Some(RequestStatus::Pending),
        "only the filtered request was approved"
    );
    t.keys(&["q"]);
    let end = t.wait_for("CONSOLE-EXITED");
    assert!(end.contains("CONSOLE-EXITED 0"), "{end}");
    assert!(t.alive());
}

/// The README's first command: `roster demo` builds the demo store on first use and
/// opens the console on it (it once failed because the CLI had already installed
/// color-eyre's hook), and quits cleanly.
#[test]
fn roster_demo_builds_the_demo_store_and_opens_the_console() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let h = home.path().display();
    let bin = env!("CARGO_BIN_EXE_roster");
    let cmd = format!(
        "env -u ROSTER_STORE -u ROSTER_SERVER -u ROSTER_CONTEXT HOME='{h}' XDG_DATA_HOME='{h}/data' \
         XDG_STATE_HOME='{h}/state' XDG_CONFIG_HOME='{h}/config' '{bin}' demo; \
         echo CONSOLE-EXITED $?; sleep 30"
    );
    let t = Tmux::start(&cmd);
    let screen = t.wait_for("Approvals");
    assert!(screen.contains("Users"), "{screen}");
    assert!(!screen.contains("unexpected error"), "{screen}");
    t.keys(&["q"]);
    let end = t.wait_for("CONSOLE-EXITED");
    assert!(end.contains("CONSOLE-EXITED 0"), "{end}");
    assert!(home.path().join("data/roster/demo").is_dir());
}
