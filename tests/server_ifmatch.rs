//! `If-Match` is atomic: an edit based on a version someone else has since changed is
//! a 412 and their change stays, even when the other writer slips in after the server
//! read the record and before it writes (issue 4: never a lost update).

mod server_support;

use jiff::Timestamp;
use reqwest::Method;
use roster::backend::{AuditQuery, Backend, BackendError, FileStore};
use roster::core::precondition::Precondition;
use roster::core::{Command, Directory, Event, Principal, Recorded, RoleId, Scope};
use roster::server::{Config, Server};
use serde_json::{Value, json};
use server_support::{create_org, run, token};
use std::sync::{Arc, Mutex, PoisonError};

/// The server's backend, with another writer (a second handle on the same folder, as a
/// CLI in another process would be) that can be told to commit one command right
/// before the server's next write: after the server read the record, before it writes.
struct Interloper {
    store: Arc<FileStore>,
    other: FileStore,
    next: Mutex<Option<Command>>,
}

impl Interloper {
    fn arm(&self, cmd: Command) {
        *self.next.lock().unwrap_or_else(PoisonError::into_inner) = Some(cmd);
    }

    fn slip_in(&self) {
        let cmd = self
            .next
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(cmd) = cmd {
            run(&self.other, &Principal::Operator, cmd);
        }
    }
}

impl Backend for Interloper {
    fn describe(&self) -> String {
        self.store.describe()
    }
    fn read(&self, f: &mut dyn FnMut(&Directory)) -> Result<(), BackendError> {
        self.store.read(f)
    }
    fn execute(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.execute_if(who, cmd, dry_run, None)
    }
    fn execute_if(
        &self,
        who: &Principal,
        cmd: &Command,
        dry_run: bool,
        pre: Option<&Precondition>,
    ) -> Result<Vec<Recorded>, BackendError> {
        self.slip_in();
        self.store.execute_if(who, cmd, dry_run, pre)
    }
    fn audit(&self, query: &AuditQuery) -> Result<Vec<Recorded>, BackendError> {
        self.store.audit(query)
    }
    fn refresh(&self) -> Result<u64, BackendError> {
        self.store.refresh()
    }
    fn now(&self) -> Timestamp {
        self.store.now()
    }
}

struct Setup {
    backend: Arc<Interloper>,
    server: Server,
    owner: String,
    role: RoleId,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = Arc::new(FileStore::create(&path).unwrap());
    let (org, owner) = create_org(&store, "acme");
    let recs = run(
        &store,
        &Principal::Operator,
        Command::CreateRole {
            org,
            name: "Auditor".into(),
            description: "Reads the books".into(),
            scope: Scope::Org,
            permissions: ["members.read".to_string()].into(),
            gate: None,
        },
    );
    let role = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::RoleCreated { role } => Some(role.id),
            _ => None,
        })
        .expect("a role was created");
    let owner = token(&store, Principal::Account { id: owner });
    let backend = Arc::new(Interloper {
        other: FileStore::open(&path).unwrap(),
        store,
        next: Mutex::new(None),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, backend.clone(), Config::default()).unwrap();
    Setup {
        backend,
        server,
        owner,
        role,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Setup {
    fn path(&self) -> String {
        format!("{}/v1/orgs/acme/roles/{}", self.server.url(), self.role)
    }

    /// The role as the server shows it, and its ETag.
    async fn role(&self) -> (Value, String) {
        let res = self
            .http
            .get(self.path())
            .bearer_auth(&self.owner)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let tag = res.headers()["etag"].to_str().unwrap().to_string();
        (res.json().await.unwrap(), tag)
    }

    async fn patch(&self, if_match: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .request(Method::PATCH, self.path())
            .bearer_auth(&self.owner)
            .header("if-match", if_match)
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or_default())
    }

    /// Another writer changes the role's description.
    fn describe_as(&self, text: &str) -> Command {
        Command::EditRole {
            role: self.role,
            name: "Auditor".into(),
            description: text.into(),
            permissions: ["members.read".to_string()].into(),
        }
    }
}

#[tokio::test]
async fn an_edit_based_on_a_version_another_writer_changed_is_412_and_theirs_stays() {
    let s = setup();
    let (_, old) = s.role().await;
    run(
        &s.backend.other,
        &Principal::Operator,
        s.describe_as("Theirs"),
    );

    let (status, problem) = s.patch(&old, json!({ "name": "Reviewer" })).await;
    assert_eq!(status, 412, "{problem}");
    let (role, fresh) = s.role().await;
    assert_eq!(role["name"], "Auditor");
    assert_eq!(role["description"], "Theirs");

    let (status, role) = s.patch(&fresh, json!({ "name": "Reviewer" })).await;
    assert_eq!(status, 200, "{role}");
    assert_eq!(role["name"], "Reviewer");
    assert_eq!(role["description"], "Theirs");
}

#[tokio::test]
async fn a_change_slipping_in_between_the_servers_read_and_write_is_not_overwritten() {
    let s = setup();
    let (_, tag) = s.role().await;
    // The ETag is current when the request arrives; the other writer commits after
    // the server has read the role and before it writes.
    s.backend.arm(s.describe_as("Theirs"));
    let (status, problem) = s.patch(&tag, json!({ "description": "Mine" })).await;
    assert_eq!(status, 412, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("changed by someone else")),
        "{problem}"
    );
    let (role, _) = s.role().await;
    assert_eq!(role["description"], "Theirs");
}

#[tokio::test]
async fn if_match_any_still_never_overwrites_a_change_it_did_not_see() {
    let s = setup();
    s.backend.arm(s.describe_as("Theirs"));
    // `*` fills the unchanged fields from what the server read; writing them back over
    // a newer version would undo the other writer's change.
    let (status, problem) = s.patch("*", json!({ "name": "Reviewer" })).await;
    assert_eq!(status, 412, "{problem}");
    let (role, tag) = s.role().await;
    assert_eq!(role["description"], "Theirs");
    let (status, role) = s.patch(&tag, json!({ "name": "Reviewer" })).await;
    assert_eq!(status, 200, "{role}");
    assert_eq!(role["description"], "Theirs");
}
