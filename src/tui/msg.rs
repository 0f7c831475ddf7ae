//! The state machine's vocabulary with the outside world: a `Msg` is something that
//! happened (a key, a tick, a backend reply), an `Effect` is work for the runtime. Both
//! are plain data at the bottom of the console, so every flow is testable without a
//! terminal.

use super::data::*;
use super::dialogs::{Confirm, Report};
use super::fault::LoadError;
use crate::core::query::Area;
use crate::core::*;
use crossterm::event::KeyEvent;
use std::path::PathBuf;

/// Something that happened: a key, a tick, a reply from the backend.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): text for the focused input,
    /// never keys.
    Paste(String),
    Resize(u16, u16),
    /// Time to look for changes made elsewhere.
    Tick,
    /// `backend.refresh()` answered with the newest sequence number.
    Refreshed(Result<u64, LoadError>),
    Loaded {
        generation: u64,
        result: Result<Box<Snapshot>, LoadError>,
    },
    DetailLoaded {
        generation: u64,
        result: Result<Detail, LoadError>,
    },
    /// Older audit events (newest first), for paging back past the loaded ones.
    AuditPage {
        generation: u64,
        result: Result<Vec<AuditRow>, LoadError>,
    },
    /// A run of jobs got this far.
    Progress {
        op: u64,
        done: usize,
        total: usize,
    },
    Ran {
        op: u64,
        report: Report,
    },
    /// The store was created (from the start screen); switch to this principal if given.
    StoreReady(Result<Option<Principal>, String>),
    /// `:as EMAIL` was resolved.
    Resolved(Result<Principal, LoadError>),
    /// The sign-in screen's attempt answered: the session's principal, or why not.
    SignedIn(Result<Principal, String>),
    /// The core decided a plan's jobs without committing them (`Effect::Preview`):
    /// per job, what would happen or why it would be refused.
    Previewed {
        op: u64,
        plan: Box<Plan>,
        verdicts: Vec<Verdict>,
    },
    /// The invitation wizard's email was decided by the core (`Effect::CheckInvite`).
    InviteChecked {
        email: String,
        verdict: Verdict,
    },
    /// A large list's filter match (`Effect::Match`) answered.
    Matched {
        tab: Area,
        generation: u64,
        answer: Box<super::matching::MatchAnswer>,
    },
}

/// A command and the row it is about, for per-row results.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub label: String,
    pub cmd: Command,
}

/// A change to decide first and confirm once: the jobs are decided by the core without
/// committing (`Effect::Preview`), then shown target by target in `ask` before anything
/// is done.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The run's title once confirmed ("Disable 2 accounts").
    pub title: String,
    /// The question: its title, opening lines, yes verb and colour.
    pub ask: Confirm,
    /// Decided now, committed after `y` if the core allows them.
    pub jobs: Vec<Job>,
    /// Committed after the allowed job of the same label (not decided beforehand: they
    /// depend on it, as deleting an account depends on disabling it first).
    pub then: Vec<Job>,
    /// Per label, a transition worth spelling out ("rejected → approved; …").
    pub notes: Vec<(String, String)>,
    /// A mail goes out or something is removed for good: said in the question.
    pub final_step: Option<String>,
    pub stop_on_refusal: bool,
}

/// What the core said of one job decided without committing.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Allowed: what would happen, one line per event.
    Allowed(Vec<String>),
    Refused(String),
    /// The store itself failed (not a refusal).
    Failed(String),
}

/// What the start screen creates.
#[derive(Clone, Debug, PartialEq)]
pub enum Setup {
    Demo,
    /// A `CreateOrg` command, run as the platform operator.
    Org(Box<Command>),
}

/// Work for the runtime. Every effect is answered by one or more `Msg`s.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Load {
        generation: u64,
        who: Principal,
        org: Option<OrgId>,
        audit: AuditFilter,
        /// Also the decided approval requests (`h` in Approvals): a large tenant has
        /// hundreds of thousands, which no load should copy unless they are shown.
        decided: bool,
    },
    Refresh,
    /// The audit events just older than `before` (a sequence number).
    LoadAudit {
        generation: u64,
        who: Principal,
        org: OrgId,
        audit: AuditFilter,
        before: u64,
    },
    LoadDetail {
        generation: u64,
        who: Principal,
        target: Target,
    },
    /// Runs commands one by one through `backend.execute`, reporting progress.
    Run {
        op: u64,
        title: String,
        who: Principal,
        jobs: Vec<Job>,
        stop_on_refusal: bool,
    },
    /// Decides a plan's jobs without committing anything (`dry_run`); answered by
    /// `Msg::Previewed`.
    Preview {
        op: u64,
        who: Principal,
        plan: Box<Plan>,
    },
    /// Decides the invitation as it stands without sending it (the wizard's email step):
    /// answered by `Msg::InviteChecked`.
    CheckInvite {
        who: Principal,
        email: String,
        cmd: Box<Command>,
    },
    /// Stop a run between two commands (Esc).
    Cancel {
        op: u64,
    },
    CreateStore {
        path: PathBuf,
        setup: Setup,
        who: Principal,
    },
    Resolve {
        org: OrgId,
        email: String,
    },
    Quit,
    /// Sign in to `server` (`POST /v1/sessions`) and continue with the session.
    SignIn {
        server: String,
        org: String,
        email: String,
        password: super::sign_in_form::Password,
        /// Keep the session as this context of the config file.
        keep: Option<String>,
    },
    /// Match a large list's filter text off the UI thread (`matching`); answered by
    /// `Msg::Matched` unless a newer filter change cancelled it.
    Match {
        tab: Area,
        generation: u64,
        job: super::matching::MatchJob,
    },
}
