//! PostgreSQL for the `pg_*` tests. `ROSTER_TEST_DATABASE_URL` names a server and a role
//! that may create databases (`.ci/postgres` starts one and prints it). Each test gets
//! its own fresh database, dropped afterwards, so the tests run in parallel.
//!
//! Unset: the tests say loudly that they did not run and pass (a developer's machine
//! without PostgreSQL). Set but unreachable: they fail — CI must never skip them.
#![allow(dead_code)] // each test crate uses its own subset

pub mod replica;

use roster::backend::postgres::{DatabaseUrl, PgOptions, PgStore};
use sqlx::Connection;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub const ENV: &str = "ROSTER_TEST_DATABASE_URL";

/// A database of its own for one test; dropped (connections and all) on drop.
pub struct TestDb {
    admin: String,
    pub name: String,
    pub url: DatabaseUrl,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs `sql` on the server's maintenance database as the test role.
fn admin_sql(admin: &str, sql: &str) -> Result<(), sqlx::Error> {
    runtime().block_on(async {
        let mut conn =
            tokio::time::timeout(Duration::from_secs(20), sqlx::PgConnection::connect(admin))
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)??;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await
    })
}

impl TestDb {
    /// A fresh, empty database; `None` (after a loud note) when no server is configured.
    pub fn create(test: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var(ENV) else {
            eprintln!(
                "\n*** SKIPPED {test}: {ENV} is not set, so the PostgreSQL tests did not run.\n*** Run `export {ENV}=$(bash .ci/postgres)` first (see README, PostgreSQL).\n"
            );
            return None;
        };
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let name = format!(
            "roster_test_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        admin_sql(&admin, &format!("CREATE DATABASE {name}")).unwrap_or_else(|e| {
            panic!("{ENV} is set but the PostgreSQL server cannot create a test database: {e}")
        });
        let url = DatabaseUrl::parse(&with_database(&admin, &name)).expect("a postgres:// URL");
        Some(TestDb { admin, name, url })
    }

    pub fn open(&self) -> PgStore {
        PgStore::open(&self.url).expect("the test database opens")
    }

    pub fn open_with(&self, options: PgOptions) -> PgStore {
        PgStore::open_with(&self.url, options).expect("the test database opens")
    }

    /// Cuts every connection to this database, as a server restart would.
    pub fn drop_connections(&self) {
        admin_sql(
            &self.admin,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                self.name
            ),
        )
        .expect("connections cut");
    }

    /// Runs SQL in this database.
    pub fn sql(&self, sql: &str) {
        admin_sql(self.url.expose(), sql).expect("the SQL runs");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = admin_sql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// `url` with its database (path) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// One HTTP/1.1 request: the status and the body.
pub fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("the server accepts");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}
