//! Shared by the console's tests: a small organisation in a real file store with a
//! pinned clock, and a driver that runs the App's effects against it synchronously.

#![allow(dead_code)]

pub mod flaky;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use roster::backend::Backend;
use roster::backend::file::{FileStore, Options};
use roster::core::*;
use roster::tui::app::{self, App, Effect, Msg, Start};
use roster::tui::config::Config;
use roster::tui::effects;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub const NOW: &str = "2026-11-23T09:00:00Z";

pub fn now() -> Timestamp {
    NOW.parse().unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Arc<FileStore>,
    pub org: OrgId,
    pub alice: AccountId,
    pub bob: AccountId,
    pub carol: AccountId,
    pub dave: AccountId,
    pub yuki: AccountId,
    pub frank: AccountId,
    pub grace: AccountId,
    pub kb: ProgramId,
    pub support: GroupId,
    pub integrator: RoleId,
}

impl Fixture {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("store")
    }
    pub fn backend(&self) -> Arc<dyn Backend> {
        self.store.clone()
    }
    pub fn exec(&self, who: &Principal, cmd: Command) -> Vec<Recorded> {
        self.store
            .execute(who, &cmd, false)
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
    }
    pub fn read<R>(&self, f: impl FnOnce(&Directory) -> R) -> R {
        roster::backend::query(self.store.as_ref(), f).unwrap()
    }
    pub fn as_alice(&self) -> Principal {
        Principal::Account { id: self.alice }
    }
    /// A second handle on the same store: "another process".
    pub fn other_process(&self) -> FileStore {
        FileStore::open_with(&self.path(), options()).unwrap()
    }
}

pub fn options() -> Options {
    Options {
        clock: Arc::new(now),
        ..Options::default()
    }
}

fn created(recs: &[Recorded]) -> AccountId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .expect("an account was created")
}

/// Acme Corp: an owner, an admin, members (one disabled, one with a CJK name), two
/// registrations waiting for approval, a custom gated role, a contract ending soon,
/// a group, a program with contacts and a pending invitation.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileStore::create_with(&dir.path().join("store"), options()).unwrap());
    let op = Principal::Operator;
    let exec = |who: &Principal, cmd: Command| {
        store
            .execute(who, &cmd, false)
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
    };
    let settings = Settings {
        approval_required: true,
        open_registration: true,
        ..Settings::default()
    };
    let recs = exec(
        &op,
        Command::CreateOrg {
            slug: "acme".into(),
            name: "Acme Corp".into(),
            owner_email: "alice@acme.example".into(),
            owner_first_name: "Alice".into(),
            owner_last_name: "Owner".into(),
            settings: Some(settings),
        },
    );
    let org = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::OrgCreated { org, .. } => Some(org.id),
            _ => None,
        })
        .unwrap();
    let alice = created(&recs);
    let me = Principal::Account { id: alice };
    let add = |email: &str, first: &str, last: &str, verified: bool| {
        created(&exec(
            &me,
            Command::AddAccount {
                org,
                email: email.into(),
                first_name: first.into(),
                last_name: last.into(),
                verified,
            },
        ))
    };
    let bob = add("bob@acme.example", "Bob", "Builder", true);
    let carol = add("carol@acme.example", "Carol", "Singer", true);
    let dave = add("dave@acme.example", "Dave", "Gone", false);
    let yuki = add("yuki@acme.example", "由紀", "山田", true);
    exec(&me, Command::Promote { account: bob });
    exec(&me, Command::Disable { account: dave });
    let anon = Principal::Anonymous;
    let frank = created(&exec(
        &anon,
        Command::Register {
            org,
            email: "frank@acme.example".into(),
            first_name: "Frank".into(),
            last_name: "Pending".into(),
        },
    ));
    let grace = created(&exec(
        &anon,
        Command::Register {
            org,
            email: "grace@acme.example".into(),
            first_name: "Grace".into(),
            last_name: "Waiting".into(),
        },
    ));
    let integrator = exec(
        &op,
        Command::CreateRole {
            org,
            name: "Integrator".into(),
            description: "runs jobs on the IDaaS instances".into(),
            scope: Scope::Org,
            permissions: ["audit.read".to_string()].into_iter().collect(),
            gate: Some("IDaaS".into()),
        },
    )
    .iter()
    .find_map(|r| match &r.event {
        Event::RoleCreated { role } => Some(role.id),
        _ => None,
    })
    .unwrap();
    exec(
        &op,
        Command::CreateContract {
            org,
            product: "IDaaS".into(),
            start: "2026-01-01T00:00:00Z".parse().unwrap(),
            end: Some("2026-12-10T00:00:00Z".parse().unwrap()),
            seats: 5,
        },
    );
    exec(
        &me,
        Command::GrantRole {
            account: carol,
            role: integrator,
            until: None,
        },
    );
    let support = exec(
        &me,
        Command::CreateGroup {
            org,
            name: "Support".into(),
        },
    )
    .iter()
    .find_map(|r| match &r.event {
        Event::GroupCreated { group } => Some(group.id),
        _ => None,
    })
    .unwrap();
    exec(
        &me,
        Command::AddToGroup {
            group: support,
            account: carol,
        },
    );
    exec(
        &me,
        Command::AddToGroup {
            group: support,
            account: yuki,
        },
    );
    let kb = exec(
        &me,
        Command::CreateProgram {
            org,
            name: "Knowledge Base".into(),
            owner: Some(bob),
        },
    )
    .iter()
    .find_map(|r| match &r.event {
        Event::ProgramCreated { program } => Some(program.id),
        _ => None,
    })
    .unwrap();
    let contributor = roster::backend::query(store.as_ref(), |d| {
        d.builtin_role(org, Builtin::Contributor).map(|r| r.id)
    })
    .unwrap()
    .unwrap();
    exec(
        &me,
        Command::GrantProgramRole {
            program: kb,
            account: carol,
            role: contributor,
            until: None,
        },
    );
    exec(
        &me,
        Command::Invite {
            org,
            email: "heidi@acme.example".into(),
            first_name: "Heidi".into(),
            last_name: "Newcomer".into(),
            message: "Welcome".into(),
            level: Level::Member,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: Some("0".repeat(64)),
        },
    );
    Fixture {
        dir,
        store,
        org,
        alice,
        bob,
        carol,
        dave,
        yuki,
        frank,
        grace,
        kb,
        support,
        integrator,
    }
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Runs effects (and the effects their answers cause) until there are none left.
/// Returns every effect that was emitted, for assertions.
pub fn settle(app: &mut App, backend: &dyn Backend, mut pending: Vec<Effect>) -> Vec<Effect> {
    let mut seen = vec![];
    let cancel = AtomicBool::new(false);
    while !pending.is_empty() {
        let effect = pending.remove(0);
        seen.push(effect.clone());
        let mut progress = vec![];
        let answer = match &effect {
            Effect::CreateStore { path, setup, who } => {
                match effects::create_store(path, setup, who) {
                    Ok(c) => Some(Msg::StoreReady(Ok(c.who))),
                    Err(e) => Some(Msg::StoreReady(Err(e))),
                }
            }
            other => effects::perform(backend, other, &cancel, &mut |m| progress.push(m)),
        };
        for m in progress {
            pending.extend(app::update(app, m));
        }
        if let Some(m) = answer {
            pending.extend(app::update(app, m));
        }
    }
    seen
}

/// Feeds one message and runs what it causes.
pub fn send(app: &mut App, backend: &dyn Backend, msg: Msg) -> Vec<Effect> {
    let fx = app::update(app, msg);
    settle(app, backend, fx)
}

pub fn typed(app: &mut App, backend: &dyn Backend, s: &str) {
    for c in s.chars() {
        send(app, backend, ch(c));
    }
}

pub fn open(fx: &Fixture, who: Principal, size: (u16, u16)) -> App {
    open_with(fx, fx.store.as_ref(), who, size)
}

/// Opens the fixture's organisation through another backend (a stand-in for a server).
pub fn open_with(fx: &Fixture, backend: &dyn Backend, who: Principal, size: (u16, u16)) -> App {
    let (mut app, first) = App::new(Start {
        config: Config::from_toml("", false).0,
        warnings: vec![],
        store_path: fx.path(),
        has_store: true,
        backend: backend.describe(),
        who,
        org: Some(fx.org),
        size,
    });
    settle(&mut app, backend, first);
    app
}

pub fn selected_email(app: &App) -> String {
    app.users
        .selected()
        .map(|u| u.account.email.clone())
        .unwrap_or_default()
}

/// Draws the App on a test terminal and returns the screen as text (wide characters
/// take their two columns, as on a real terminal).
pub fn screen(app: &App, w: u16, h: u16) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| roster::tui::view::draw(app, f)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut x = 0;
        let mut line = String::new();
        while x < w {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += sym.width().max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An App on the fixture with the store path pinned, so snapshots do not depend on
/// the temporary folder's name.
pub fn pinned(fx: &Fixture, who: Principal, size: (u16, u16)) -> App {
    let mut app = open(fx, who, size);
    app.snap.backend = "file:/srv/roster/store".into();
    app.store_path = "/srv/roster/store".into();
    app
}
