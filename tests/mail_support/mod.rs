//! A real SMTP server on loopback for the mail tests: aiosmtpd (installed by
//! `.ci/smtp-sink`) writing what it receives to a maildir, started on a free port and
//! stopped when dropped.
#![allow(dead_code)] // each test crate uses its own subset of the helpers

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// aiosmtpd writing what it receives to a maildir; stopped when dropped.
pub struct Sink {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ROSTER_TEST_SMTP_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/smtp-venv/bin/python");
    venv.exists().then_some(venv)
}

pub fn sink() -> Option<Sink> {
    let Some(python) = python() else {
        eprintln!(
            "SKIPPED: no SMTP test server: run `bash .ci/smtp-sink` (CI does) or set ROSTER_TEST_SMTP_PYTHON"
        );
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("received");
    let port = free_port();
    let mut child = Process::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start aiosmtpd with {}: {e}", python.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut s, &mut err);
            }
            panic!("aiosmtpd exited ({status}): {err}");
        }
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not listen on {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Sink {
        child,
        port,
        maildir,
        _tmp: tmp,
    })
}

pub fn smtp_toml(port: u16) -> String {
    format!(
        "[mail]\nbase_url = \"https://roster.example.org\"\nfrom = \"Roster <roster@acme.example>\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nmax_attempts = 2\nretry_base_ms = 0\n"
    )
}

/// The messages the sink received, as text.
pub fn received(sink: &Sink) -> Vec<String> {
    files_in(&sink.maildir.join("new"))
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}
