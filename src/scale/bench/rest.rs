//! The REST server under load from `wrk` on loopback: reads of one account, reads of
//! one page of a filtered list, approvals (durable writes), beside a trivial axum
//! handler served by this process in the same run, the ceiling of this machine.

use super::stats::Stats;
use crate::backend::file::FileStore;
use crate::backend::{self, Backend, BackendError};
use crate::core::{Command, Principal, RequestKind, RequestStatus};
use serde::Serialize;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

/// What `wrk` reported for one run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Load {
    pub per_sec: f64,
    pub latency: Stats,
    pub requests: u64,
    /// Answers that were not 2xx/3xx (for approvals: requests already decided).
    pub failed: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Rest {
    pub ceiling: Load,
    pub read_one: Load,
    pub read_page: Load,
    /// Pages of many different queries in turn (more than the server keeps answers
    /// for), so no answer is ever reused: what a page costs to compute.
    pub read_pages: Load,
    pub approve: Load,
}

/// The load: connections and seconds per run.
pub struct Shape {
    pub connections: u32,
    pub seconds: u32,
}

/// `wrk`, installed with apt-get when missing and we may (as .ci/run installs tmux).
pub fn wrk() -> Option<PathBuf> {
    let find = || {
        Process::new("sh")
            .args(["-c", "command -v wrk"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    };
    if let Some(p) = find() {
        return Some(p);
    }
    if !rustix::process::geteuid().is_root() {
        return None;
    }
    eprintln!("== installing wrk (apt-get install wrk) for the REST figures");
    let _ = Process::new("sh")
        .args([
            "-c",
            "(apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk)) >/dev/null 2>&1",
        ])
        .status();
    find()
}

pub fn measure(exe: &Path, store: &Path, wrk: &Path, shape: &Shape) -> Result<Rest, BackendError> {
    let secret = "roster-bench-0123456789abcdef0123456789abcdef";
    let (slug, account, pending) = {
        let fs = FileStore::open(store)?;
        let hash = crate::secret::hash(secret);
        // A store reused from an earlier run has the bench's token already.
        let known = backend::query(&fs as &dyn Backend, |d| {
            d.tokens.values().any(|t| t.hash == hash && !t.revoked)
        })?;
        if !known {
            fs.execute(
                &Principal::Operator,
                &Command::IssueToken {
                    principal: Principal::Operator,
                    label: "roster bench".into(),
                    token_hash: hash.clone(),
                    expires: None,
                },
                false,
            )?;
        }
        backend::query(&fs as &dyn Backend, |d| {
            let org = d.orgs.values().next();
            let slug = org.map(|o| o.slug.clone()).unwrap_or_default();
            let account = org
                .and_then(|o| d.accounts_of(o.id).nth(d.accounts.len() / 2))
                .map(|a| a.id.to_string())
                .unwrap_or_default();
            let pending: Vec<String> = d
                .requests
                .values()
                .filter(|r| r.status == RequestStatus::Pending && r.kind == RequestKind::Join)
                .filter(|r| Some(r.org) == org.map(|o| o.id))
                .take(50_000)
                .map(|r| r.id.to_string())
                .collect();
            (slug, account, pending)
        })?
    };
    let ceiling_addr = trivial::start()?;
    let server = Server::start(exe, store)?;
    let auth = format!("Authorization: Bearer {secret}");
    let run = |url: String, script: Option<&Path>, threads: u32| {
        run_wrk(wrk, &url, &auth, script, threads, shape)
    };
    let ceiling = run(format!("http://{ceiling_addr}/"), None, 2)?;
    let base = format!("http://{}/v1/orgs/{slug}", server.addr);
    let read_one = run(format!("{base}/accounts/{account}"), None, 2)?;
    let read_page = run(format!("{base}/accounts?q=garcia&limit=50"), None, 2)?;
    let pages = store.join("bench-pages.lua");
    write_file(&pages, &pages_script(&slug, secret))?;
    let read_pages = run(base.clone(), Some(&pages), 2);
    let _ = std::fs::remove_file(&pages);
    let read_pages = read_pages?;
    // One wrk thread walks the list of pending requests, so each is approved once.
    // (Headers given to wrk.format replace those of -H, so the token goes in too.)
    let script = store.join("bench-approve.lua");
    let ids: Vec<String> = pending.iter().map(|id| format!("\"{id}\"")).collect();
    let lua = format!(
        "local ids = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  if i > #ids then i = 1 end\n  return wrk.format(\"POST\", \"/v1/orgs/{slug}/approvals/\" .. ids[i] .. \"/approve\", {{[\"Content-Type\"] = \"application/json\", [\"Authorization\"] = \"Bearer {secret}\"}}, \"{{}}\")\nend\n",
        ids.join(",")
    );
    let approve = if pending.is_empty() {
        // An earlier bench on this store approved them all; wrk's script would fail.
        eprintln!(
            "   no pending join requests left in {} (an earlier bench decided them): approvals not measured; generate the store again to measure them",
            store.display()
        );
        Ok(Load::default())
    } else {
        write_file(&script, &lua)?;
        let approve = run(base.clone(), Some(&script), 1);
        let _ = std::fs::remove_file(&script);
        approve
    };
    drop(server);
    Ok(Rest {
        ceiling,
        read_one,
        read_page,
        read_pages,
        approve: approve?,
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), BackendError> {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| BackendError::Io(format!("cannot write {}: {e}", path.display())))
}

/// A wrk script asking for pages of `first last` for every pair of generated names
/// (1,200 queries, each with its own sort), in turn; each wrk thread starts half way
/// round from the previous one, so no two ask the same thing close together and the
/// server's kept answers (256) never serve one.
pub fn pages_script(slug: &str, secret: &str) -> String {
    use super::super::names::{FIRST, LAST};
    let sorts = ["name", "email", "level", "status", "created"];
    let mut queries = Vec::new();
    for (f, (_, first)) in FIRST.iter().enumerate() {
        for (l, (_, last)) in LAST.iter().enumerate() {
            let sort = sorts[(f + l) % sorts.len()];
            queries.push(format!(
                "\"/v1/orgs/{slug}/accounts?q={first}%20{last}&sort={sort}&limit=50\""
            ));
        }
    }
    format!(
        "local paths = {{{}}}\nlocal threads = 0\nsetup = function(thread)\n  thread:set(\"first\", threads)\n  threads = threads + 1\nend\nlocal i = 0\ninit = function(args)\n  i = (first * math.floor(#paths / 2)) % #paths\nend\nrequest = function()\n  i = i + 1\n  if i > #paths then i = 1 end\n  return wrk.format(\"GET\", paths[i], {{[\"Authorization\"] = \"Bearer {secret}\"}})\nend\n",
        queries.join(",")
    )
}

fn run_wrk(
    wrk: &Path,
    url: &str,
    auth: &str,
    script: Option<&Path>,
    threads: u32,
    shape: &Shape,
) -> Result<Load, BackendError> {
    let mut cmd = Process::new(wrk);
    cmd.arg(format!("-t{threads}"))
        .arg(format!("-c{}", shape.connections.max(threads)))
        .arg(format!("-d{}s", shape.seconds))
        .arg("--latency")
        .args(["-H", auth]);
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| BackendError::Io(format!("cannot run wrk: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(BackendError::Io(format!(
            "wrk failed on {url}: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(parse_wrk(&text))
}

/// Reads wrk's report (`Requests/sec:`, the `--latency` percentiles, non-2xx count).
pub fn parse_wrk(text: &str) -> Load {
    let mut load = Load::default();
    let mut lat = Stats::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => load.per_sec = v.parse().unwrap_or(0.0),
            ["50%", v] => lat.p50 = duration_ms(v),
            ["99%", v] => lat.p99 = duration_ms(v),
            ["Non-2xx", "or", "3xx", "responses:", v] => load.failed = v.parse().unwrap_or(0),
            [n, "requests", "in", ..] => load.requests = n.parse().unwrap_or(0),
            _ => {}
        }
    }
    lat.n = load.requests as usize;
    load.latency = lat;
    load
}

/// `812.00us`, `1.23ms`, `2.01s` → milliseconds.
fn duration_ms(v: &str) -> f64 {
    let (num, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().map(|x| x * scale).unwrap_or(0.0)
}

/// `roster serve` on the store, in its own process, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(exe: &Path, store: &Path) -> Result<Server, BackendError> {
        let mut child = Process::new(exe)
            .arg("--store")
            .arg(store)
            .args(["serve", "--listen", "127.0.0.1:0"])
            // Request logs at info would measure the terminal, not the server.
            .env("ROSTER_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| BackendError::Io(format!("cannot start roster serve: {e}")))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BackendError::Io(format!(
                "roster serve did not start (it said: {})",
                line.trim()
            )));
        };
        let addr = addr.to_string();
        Ok(Server { child, addr })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A trivial axum handler on its own runtime thread: the ceiling for this machine.
mod trivial {
    use crate::backend::BackendError;
    use axum::Router;
    use axum::routing::get;

    pub fn start() -> Result<String, BackendError> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let addr = listener.local_addr().map(|a| a.to_string());
                let _ = tx.send(addr.map_err(|e| e.to_string()));
                let app = Router::new().route("/", get(|| async { "ok" }));
                let _ = axum::serve(listener, app).await;
            });
        });
        rx.recv()
            .map_err(|e| e.to_string())
            .and_then(|r| r)
            .map_err(|e| BackendError::Io(format!("cannot start the trivial handler: {e}")))
    }
}
