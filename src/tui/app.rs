//! The console as a pure state machine: `update(&mut App, Msg) -> Vec<Effect>`. No
//! terminal, no backend, no clock in here: keys, ticks and backend replies come in as
//! `Msg`s, and everything that needs the outside world goes out as an `Effect` for the
//! runtime to run. That is what makes every flow testable without a terminal.

use super::cmdline::{self, Cmd, CmdEvent, CmdLine};
use super::config::Config;
use super::data::*;
use super::dialogs::{Answer, Choice, Confirm, Picked, Picker, Report};
use super::fault::{Fault, LoadError};
use super::form::{Field, Form, FormEvent};
use super::keymap::{Action, Ctx};
use super::link::{Link, Next, WIDEST};
use super::list::List;
use super::loading::{LoadKey, Loading};
use super::wizard::{Wizard, WizardEvent};
use crate::core::query::{Area, StatusFilter};
use crate::core::*;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::PathBuf;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// Something that happened: a key, a tick, a reply from the backend.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
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
        password: super::sign_in::Password,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Ok,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub tone: Tone,
    pub text: String,
}

/// A run in progress, for the progress line and Esc.
#[derive(Clone, Debug)]
pub struct Busy {
    pub op: u64,
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub cancelling: bool,
}

#[derive(Clone, Debug)]
pub struct DetailView {
    pub target: Target,
    pub data: Option<Detail>,
    pub scroll: u16,
}

impl DetailView {
    /// Lines the view draws (the same count `view::widgets::sections` makes), so
    /// scrolling stops at the last screenful instead of running on past it.
    pub fn lines(&self) -> u16 {
        let Some(d) = &self.data else { return 1 };
        d.sections
            .iter()
            .enumerate()
            .map(|(i, s)| usize::from(i > 0) + usize::from(!s.title.is_empty()) + s.lines.len())
            .sum::<usize>()
            .min(u16::MAX as usize) as u16
    }
}

/// What a picked item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Account(AccountId),
    Group(GroupId),
    Role(RoleId),
    /// A contact's program role.
    Contact(AccountId, RoleId),
    Org(OrgId),
    /// "+ new organisation" in the organisation picker.
    NewOrg,
}

/// What a picker is for; some flows pick twice (who, then which role).
#[derive(Clone, Debug, PartialEq)]
pub enum PickFor {
    RoleGrant(RoleId),
    RoleRevoke(RoleId),
    GroupAdd(GroupId),
    GroupRemove(GroupId),
    GroupGrant(GroupId),
    GroupRevoke(GroupId),
    ProgramGrantWho(ProgramId),
    ProgramGrantRole(ProgramId, AccountId),
    ProgramChangeWho(ProgramId),
    ProgramChangeTo(ProgramId, AccountId, RoleId),
    ProgramRevoke(ProgramId),
    ProgramTransfer(ProgramId),
    ProgramOwner(String),
    /// Which organisation to open (`:org` with no slug).
    Org,
}

/// What a form is for.
#[derive(Clone, Debug, PartialEq)]
pub enum FormFor {
    EditAccount {
        id: AccountId,
        version: u64,
        before: AccountFields,
    },
    RejectAccounts(Vec<(AccountId, String)>),
    /// An account added directly by an administrator (seed 003).
    NewAccount,
    RejectRequests {
        requests: Vec<(RequestId, String)>,
        next: Option<RequestId>,
    },
    NewRole,
    EditRole(RoleId),
    NewGroup,
    RenameGroup(GroupId),
    NewProgram,
    RenameProgram(ProgramId),
    NewContract,
    Seats(ContractId),
    AuditFilter,
    /// The start screen's first organisation (creates the store too).
    NewOrg,
    /// The organisation's profile, with the values the form started from.
    OrgProfile {
        org: OrgId,
        name: String,
        profile: Profile,
    },
    OrgSettings {
        org: OrgId,
        before: Box<Settings>,
    },
    /// Another organisation in an existing store (platform operators).
    CreateOrg,
}

/// The edit form's starting values, to send only what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountFields {
    pub first: String,
    pub last: String,
    pub email: String,
    pub enabled: bool,
    pub approved: bool,
}

#[derive(Clone, Debug)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Confirm {
        dialog: Confirm,
        title: String,
        jobs: Vec<Job>,
    },
    Form {
        form: Form,
        purpose: FormFor,
    },
    Wizard(Box<Wizard>),
    Picker {
        picker: Picker<Pick>,
        purpose: PickFor,
    },
    Results(Report),
    Command(CmdLine),
    /// No store yet: offer the demo or a first organisation.
    Start,
    /// A server without a token: organisation, email, password.
    SignIn(Box<super::sign_in::SignIn>),
}

/// Where the cursor should land after the next reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reselect {
    Request(RequestId),
    Account(AccountId),
}

pub struct App {
    pub config: Config,
    pub size: (u16, u16),
    pub store_path: PathBuf,
    pub has_store: bool,
    pub who: Principal,
    pub org: Option<OrgId>,
    pub snap: Snapshot,
    pub tab: Area,
    pub users: List<UserRow>,
    pub roles: List<RoleRow>,
    pub contracts: List<ContractRow>,
    pub requests: List<RequestRow>,
    pub groups: List<GroupRow>,
    pub programs: List<ProgramRow>,
    pub invitations: List<InvitationRow>,
    pub audit: List<AuditRow>,
    pub user_status: StatusFilter,
    pub pending_only: bool,
    pub show_decided: bool,
    pub invitation_status: Option<InvitationStatus>,
    pub audit_filter: AuditFilter,
    pub follow: bool,
    pub detail: Option<DetailView>,
    /// The message picked in the outbox (`M`), counted from the newest.
    pub outbox_pick: usize,
    pub modal: Option<Modal>,
    /// The `/` filter being typed.
    pub filtering: Option<Input>,
    pub note: Option<Note>,
    /// Notes shown so far: tells whether the connection's trouble or a later result
    /// has the result line.
    notes: u64,
    /// The connection to the backend: trouble, retries, what it is called.
    pub link: Link,
    pub busy: Option<Busy>,
    pub loaded: bool,
    pub quit: bool,
    next_op: u64,
    /// Snapshot and audit-page loads: generations, what the person waits for, Esc.
    pub loads: Loading,
    detail_gen: u64,
    refreshing: bool,
    /// Ticks the refresh in flight has been waiting for its answer.
    refresh_ticks: u32,
    reselect: Option<Reselect>,
    /// After a stale edit: reopen the edit form with the current values.
    reopen_edit: Option<AccountId>,
    /// The account whose edit form was last saved.
    last_edit: Option<AccountId>,
    /// A form whose save is running: opened again, with the reason, if the core says no.
    retry_form: Option<(Form, FormFor)>,
    /// An organisation just created: opened once the reload shows it.
    open_slug: Option<String>,
    /// Accounts enabled or disabled from the Users tab stay in the list, whatever the
    /// status filter, until the filter or the tab changes: disabling someone must not
    /// yank the row away before the next step (delete) can be taken on it.
    pub(super) sticky: std::collections::BTreeSet<AccountId>,
}

/// A refresh that has waited this long is shown as waiting.
const SLOW_ANSWER_MS: u64 = 3_000;

/// Where the App starts.
pub struct Start {
    pub config: Config,
    pub warnings: Vec<String>,
    pub store_path: PathBuf,
    pub has_store: bool,
    /// What `backend.describe()` says (empty without a store): `http…` is a server.
    pub backend: String,
    pub who: Principal,
    pub org: Option<OrgId>,
    pub size: (u16, u16),
}

impl App {
    pub fn new(start: Start) -> (App, Vec<Effect>) {
        let mut app = App {
            config: start.config,
            size: start.size,
            store_path: start.store_path,
            has_store: start.has_store,
            who: start.who,
            org: start.org,
            snap: Snapshot::default(),
            tab: Area::Users,
            users: List::default(),
            roles: List::default(),
            contracts: List::default(),
            requests: List::default(),
            groups: List::default(),
            programs: List::default(),
            invitations: List::default(),
            audit: List::default(),
            user_status: StatusFilter::Active,
            pending_only: false,
            show_decided: false,
            invitation_status: None,
            audit_filter: AuditFilter::default(),
            follow: true,
            detail: None,
            outbox_pick: 0,
            modal: None,
            filtering: None,
            note: None,
            notes: 0,
            link: Link::new(start.backend),
            busy: None,
            loaded: false,
            quit: false,
            next_op: 0,
            loads: Loading::default(),
            detail_gen: 0,
            refreshing: false,
            refresh_ticks: 0,
            reselect: None,
            reopen_edit: None,
            last_edit: None,
            retry_form: None,
            open_slug: None,
            sticky: Default::default(),
        };
        if !start.warnings.is_empty() {
            app.error(start.warnings.join("; "));
        }
        let mut fx = vec![];
        if app.has_store {
            fx.push(app.load());
        } else {
            app.modal = Some(Modal::Start);
        }
        (app, fx)
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.notes += 1;
        self.note = Some(Note {
            tone: Tone::Info,
            text: text.into(),
        });
    }
    pub fn ok(&mut self, text: impl Into<String>) {
        self.notes += 1;
        self.note = Some(Note {
            tone: Tone::Ok,
            text: text.into(),
        });
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.notes += 1;
        self.note = Some(Note {
            tone: Tone::Error,
            text: text.into(),
        });
    }

    /// The result line: the connection's trouble while it is newer than the last
    /// result, else the last result.
    pub fn shown_note(&self) -> Option<Note> {
        match self.link_note(false) {
            Some(n) => Some(n),
            None => self.note.clone(),
        }
    }

    /// The connection's trouble as a note, when it has the result line. `widest`: with
    /// the longest countdown, for layout.
    fn link_note(&self, widest: bool) -> Option<Note> {
        let t = self
            .link
            .trouble
            .as_ref()
            .filter(|t| t.noted >= self.notes)?;
        let key = self.config.keymap.key_for(&[Ctx::Global], Action::Reload);
        let next = match self.link_next()? {
            Next::In(_) | Next::Now if widest => WIDEST,
            next => next,
        };
        let text = self.link.sentence(&key, next)?;
        let tone = if t.fault == Fault::Busy {
            Tone::Info
        } else {
            Tone::Error
        };
        Some(Note { tone, text })
    }

    /// Seconds the refresh in flight has waited for an answer, once that is long enough
    /// to mention: a server that accepts but does not answer takes its whole time limit
    /// to become "offline", and the screen must not look frozen meanwhile.
    pub fn waiting(&self) -> Option<u64> {
        let ms = u64::from(self.refresh_ticks) * self.config.tick_ms;
        (self.refreshing && ms >= SLOW_ANSWER_MS).then_some(ms / 1000)
    }

    /// When the connection's next try comes (`None`: no trouble).
    pub fn link_next(&self) -> Option<Next> {
        self.link.next(self.config.tick_ms, self.loads.paused)
    }

    /// A backend call failed for a reason that concerns the connection: keep what is on
    /// screen, load again once the backend answers, retry on the link's schedule.
    /// `show`: the person waits for this call, so the trouble takes the result line
    /// even if it is not new.
    fn link_failed(&mut self, e: &LoadError, show: bool) {
        tracing::warn!(fault = ?e.fault, error = %e, "backend call failed");
        self.link.reload = true;
        self.link.fail(e, self.config.tick_ms, self.notes);
        if show && let Some(t) = self.link.trouble.as_mut() {
            t.noted = self.notes;
        }
    }

    /// Ctrl-R / `:reload`. While the backend is in trouble: try it now (a load follows
    /// once it answers); otherwise reload at once.
    fn reload_now(&mut self, fx: &mut Vec<Effect>) {
        self.loads.paused = false;
        if self.link.retry_now(self.notes) {
            self.link.reload = true;
            if !self.refreshing {
                self.refreshing = true;
                self.refresh_ticks = 0;
                fx.push(Effect::Refresh);
            }
            return;
        }
        self.load_for("Reloading".into(), fx);
    }

    /// Asks for a fresh snapshot (coalescing: one load at a time).
    fn load(&mut self) -> Effect {
        let generation = self.loads.start(LoadKey {
            who: Some(self.who.clone()),
            org: self.org,
            audit: self.audit_filter.clone(),
        });
        Effect::Load {
            generation,
            who: self.who.clone(),
            org: self.org,
            audit: self.audit_filter.clone(),
            decided: self.show_decided,
        }
    }

    pub(super) fn maybe_load(&mut self, fx: &mut Vec<Effect>) {
        // Something changed on purpose: live updates are back on.
        self.loads.paused = false;
        if self.loads.in_flight {
            self.loads.again = true;
        } else {
            fx.push(self.load());
        }
    }

    /// A load the person waits for, said in the result line until it is in.
    pub(super) fn load_for(&mut self, label: String, fx: &mut Vec<Effect>) {
        if self.loads.in_flight {
            // What is running was asked with the old identity or organisation.
            fx.push(self.load());
        } else {
            self.maybe_load(fx);
        }
        self.loads.paused = false;
        self.loads.label = Some(label);
    }

    /// Esc while a load runs: keep what is on screen, drop the reply when it comes,
    /// and go back to the identity and organisation the screen shows.
    fn abandon_load(&mut self) -> bool {
        if !self.loads.abandon() {
            return false;
        }
        if self.loaded {
            self.org = self.snap.org.id;
            if let Some(who) = self.loads.shown.who.clone() {
                self.who = who;
            }
            self.audit_filter = self.loads.shown.audit.clone();
        }
        let key = self.config.keymap.key_for(&[Ctx::Global], Action::Reload);
        self.info(format!(
            "Stopped loading: the screen shows what it showed before; live updates are paused until {key}"
        ));
        true
    }

    fn load_detail(&mut self, target: Target) -> Effect {
        self.detail_gen += 1;
        Effect::LoadDetail {
            generation: self.detail_gen,
            who: self.who.clone(),
            target,
        }
    }

    /// Whether the outbox's list of messages is open (not one message).
    pub fn outbox_view(&self) -> bool {
        matches!(
            self.detail,
            Some(DetailView {
                target: Target::Outbox(_),
                ..
            })
        )
    }

    /// Whether the organisation page is open.
    pub fn org_view(&self) -> bool {
        matches!(
            self.detail,
            Some(DetailView {
                target: Target::Org(_),
                ..
            })
        )
    }

    /// Keeps a form aside while its save runs (see `retry_form`).
    pub(super) fn keep_form(&mut self, form: Form, purpose: FormFor) {
        self.retry_form = Some((form, purpose));
    }

    pub(super) fn take_retry_form(&mut self) -> Option<(Form, FormFor)> {
        self.retry_form.take()
    }

    /// Opens the organisation with this slug once a reload shows it.
    pub(super) fn open_after_create(&mut self, slug: String) {
        self.open_slug = Some(slug);
    }

    pub(super) fn forget_open_slug(&mut self) {
        self.open_slug = None;
    }

    /// Tabs the principal may see, in the fixed order.
    pub fn tabs(&self) -> &[Area] {
        &self.snap.areas
    }

    /// The keymap contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        let tab = tab_ctx(self.tab);
        // Only a view of one of the tab's own records takes the tab's keys; the views
        // opened over any tab (organisation, outbox, one message) must never pass a key
        // like disable or delete to the row still selected behind them.
        match self.detail.as_ref().map(|d| d.target) {
            Some(Target::Org(_)) => vec![Ctx::Org, Ctx::Detail, Ctx::Global],
            Some(Target::Outbox(_)) => vec![Ctx::Mailbox, Ctx::Detail, Ctx::Global],
            Some(Target::OutboxMessage(..)) => vec![Ctx::Detail, Ctx::Global],
            Some(_) => vec![Ctx::Detail, tab, Ctx::Global],
            None => vec![tab, Ctx::List, Ctx::Global],
        }
    }

    /// Rows of text a detail view shows at the current size (inside its border).
    pub fn detail_rows(&self) -> u16 {
        super::view::layout::body_rows(self.size, self.note_rows()).saturating_sub(2)
    }

    /// The result line takes up to three rows when its text does not fit in one, so a
    /// refusal is read whole at 80 columns.
    pub fn note_rows(&self) -> u16 {
        if self.busy.is_some() || self.loads.visible().is_some() {
            return 1;
        }
        match self.link_note(true).or_else(|| self.note.clone()) {
            Some(n) => {
                let text = super::text::clean(&n.text);
                let rows = super::view::widgets::wrap_words(&text, self.size.0.max(1) as usize);
                rows.len().clamp(1, 3) as u16
            }
            None => 1,
        }
    }

    /// Rows of the list viewport at the current size (the same sum the view does).
    pub fn list_height(&self) -> usize {
        super::view::layout::list_rows(self.size, self.tab == Area::Approvals, self.note_rows())
    }

    pub fn who_label(&self) -> String {
        if self.snap.who_label.is_empty() {
            match &self.who {
                Principal::Operator => "operator".into(),
                Principal::Anonymous => "anonymous".into(),
                Principal::Account { id } => id.to_string(),
            }
        } else {
            self.snap.who_label.clone()
        }
    }

    fn apply_snapshot(&mut self, mut snap: Snapshot, before: &LoadKey) -> Vec<Effect> {
        let mut fx = vec![];
        let (status, pending) = (self.user_status, self.pending_only);
        let sticky = &self.sticky;
        let decided = self.show_decided;
        let inv = self.invitation_status;
        // The rows move into the lists; the snapshot keeps the rest (counts, words).
        match self
            .users
            .reload_matching_later(std::mem::take(&mut snap.users))
        {
            Ok(()) => fx.extend(self.rematch(Area::Users)),
            Err(users) => self.users.set_rows(users, |r| {
                user_visible(r, status, pending) || sticky.contains(&r.account.id)
            }),
        }
        self.roles
            .set_rows(std::mem::take(&mut snap.roles), |_| true);
        self.contracts
            .set_rows(std::mem::take(&mut snap.contracts), |_| true);
        self.requests
            .set_rows(std::mem::take(&mut snap.requests), |r| {
                decided || r.request.status == RequestStatus::Pending
            });
        self.groups
            .set_rows(std::mem::take(&mut snap.groups), |_| true);
        self.programs
            .set_rows(std::mem::take(&mut snap.programs), |_| true);
        self.invitations
            .set_rows(std::mem::take(&mut snap.invitations), |r| {
                inv.is_none_or(|s| r.status == s)
            });
        let newest_before = self.audit.all().iter().map(|r| r.seq).max();
        let same_trail = before.who == self.loads.shown.who
            && before.audit == self.loads.shown.audit
            && self.snap.org.id == snap.org.id;
        let fresh = std::mem::take(&mut snap.audit);
        let (rows, more) = merge_audit(self.audit.all(), fresh, same_trail, self.loads.audit_more);
        self.loads.audit_more = more;
        self.audit.set_rows(rows, |_| true);
        if self.follow
            && self.audit.sort == 0
            && !self.audit.descending
            && newest_before != self.audit.all().iter().map(|r| r.seq).max()
        {
            self.audit.top();
        }
        self.org = snap.org.id;
        // A load that started before the creation finished may not show it yet: the
        // slug waits for one that does (a refused creation forgets it).
        if let Some(slug) = self.open_slug.clone()
            && let Some((id, _, name)) = snap
                .orgs
                .iter()
                .find(|(_, s, _)| s.eq_ignore_ascii_case(&slug))
        {
            self.open_slug = None;
            if Some(*id) != snap.org.id {
                self.org = Some(*id);
                self.detail = None;
                self.info(format!("Opening {name}…"));
                fx.push(self.load());
            }
        }
        let first_load = !self.loaded;
        self.snap = snap;
        self.loaded = true;
        if !self.snap.areas.contains(&self.tab)
            && let Some(first) = self.snap.areas.first().copied()
        {
            if !first_load {
                self.info(format!(
                    "{} is not available to {}",
                    self.tab.title(),
                    self.who_label()
                ));
            }
            self.tab = first;
            self.detail = None;
        }
        if self.snap.org.id.is_none() {
            self.info(match &self.who {
                Principal::Operator => format!(
                    "This {} has no organisation yet: :org create makes one",
                    self.link.noun()
                ),
                _ => "This account reaches no organisation".to_string(),
            });
        }
        match self.reselect.take() {
            Some(Reselect::Request(id)) => {
                self.requests.select(id);
            }
            Some(Reselect::Account(id)) => {
                self.users.select(id);
            }
            None => {}
        }
        if let Some(id) = self.reopen_edit.take() {
            self.open_edit_account(id, true);
        }
        if let Some(d) = &self.detail {
            let t = d.target;
            fx.push(self.load_detail(t));
        }
        self.scroll_all();
        fx
    }

    fn scroll_all(&mut self) {
        let h = self.list_height();
        self.users.scroll_into_view(h);
        self.roles.scroll_into_view(h);
        self.contracts.scroll_into_view(h);
        self.requests.scroll_into_view(h);
        self.groups.scroll_into_view(h);
        self.programs.scroll_into_view(h);
        self.invitations.scroll_into_view(h);
        self.audit.scroll_into_view(h);
    }

    /// Starts a run of jobs; refused while another run is going.
    pub(super) fn run(
        &mut self,
        title: impl Into<String>,
        jobs: Vec<Job>,
        stop_on_refusal: bool,
    ) -> Vec<Effect> {
        let title = title.into();
        if jobs.is_empty() {
            self.info(format!("{title}: nothing to do"));
            return vec![];
        }
        if let Some(b) = &self.busy {
            self.error(format!(
                "Still working on \"{}\": wait for it, or press Esc to cancel it",
                b.title
            ));
            return vec![];
        }
        self.next_op += 1;
        let op = self.next_op;
        self.busy = Some(Busy {
            op,
            title: title.clone(),
            done: 0,
            total: jobs.len(),
            cancelling: false,
        });
        vec![Effect::Run {
            op,
            title,
            who: self.who.clone(),
            jobs,
            stop_on_refusal,
        }]
    }

    pub(super) fn set_reselect(&mut self, r: Option<Reselect>) {
        self.reselect = r;
    }

    /// Opens the edit form of an account from the current rows.
    pub(super) fn open_edit_account(&mut self, id: AccountId, after_conflict: bool) {
        let Some(row) = self.users.find(id) else {
            self.error("That account is no longer there");
            return;
        };
        let a = &row.account;
        let before = AccountFields {
            first: a.first_name.clone(),
            last: a.last_name.clone(),
            email: a.email.clone(),
            enabled: a.enabled,
            approved: a.approval == Approval::Approved,
        };
        let mut form = Form::new(
            format!("Edit {}", a.email),
            vec![
                Field::text("First name", &a.first_name),
                Field::text("Last name", &a.last_name),
                Field::text("Email", &a.email),
                Field::toggle("Enabled", before.enabled),
                Field::toggle("Approved", before.approved),
            ],
        );
        if after_conflict {
            form.note = Some("Someone changed this account while you were editing. These are its current values; your changes were not saved.".into());
        }
        self.modal = Some(Modal::Form {
            form,
            purpose: FormFor::EditAccount {
                id,
                version: a.version,
                before,
            },
        });
    }
}

/// The Users tab's own filters: seed 003's active / disabled / any, and seed 002's
/// "N User Approval Pending" button.
pub fn user_visible(r: &UserRow, status: StatusFilter, pending_only: bool) -> bool {
    if pending_only {
        r.account.approval == Approval::Pending
    } else {
        status.matches(&r.account)
    }
}

pub fn tab_ctx(a: Area) -> Ctx {
    match a {
        Area::Users => Ctx::Users,
        Area::Roles => Ctx::Roles,
        Area::Contracts => Ctx::Contracts,
        Area::Approvals => Ctx::Approvals,
        Area::Groups => Ctx::Groups,
        Area::Programs => Ctx::Programs,
        Area::Invitations => Ctx::Invitations,
        Area::Audit => Ctx::Audit,
    }
}

/// The list operations every tab shares, without knowing the row type.
pub(super) trait AnyList {
    fn move_by(&mut self, d: isize);
    fn top(&mut self);
    fn bottom(&mut self);
    fn toggle_mark(&mut self);
    fn toggle_mark_all(&mut self);
    fn clear_marks(&mut self);
    fn marks(&self) -> usize;
    fn filter_text(&mut self) -> &mut String;
    fn cycle_sort(&mut self);
    fn reverse(&mut self);
    fn scroll(&mut self, h: usize);
    fn refilter_plain(&mut self);
    fn keep_cursor(&mut self);
}

impl<R: super::list::Item> AnyList for List<R> {
    fn move_by(&mut self, d: isize) {
        List::move_by(self, d)
    }
    fn top(&mut self) {
        List::top(self)
    }
    fn bottom(&mut self) {
        List::bottom(self)
    }
    fn toggle_mark(&mut self) {
        List::toggle_mark(self)
    }
    fn toggle_mark_all(&mut self) {
        List::toggle_mark_all(self)
    }
    fn clear_marks(&mut self) {
        self.marks.clear()
    }
    fn marks(&self) -> usize {
        self.marks.len()
    }
    fn filter_text(&mut self) -> &mut String {
        &mut self.filter
    }
    fn cycle_sort(&mut self) {
        // The tab predicate is re-applied by `refilter_current` right after.
        List::cycle_sort(self, |_| true)
    }
    fn reverse(&mut self) {
        List::reverse(self, |_| true)
    }
    fn scroll(&mut self, h: usize) {
        self.scroll_into_view(h)
    }
    fn refilter_plain(&mut self) {
        self.refilter(|_| true)
    }
    fn keep_cursor(&mut self) {
        List::keep_cursor(self)
    }
}

impl App {
    pub(super) fn current(&mut self) -> &mut dyn AnyList {
        match self.tab {
            Area::Users => &mut self.users,
            Area::Roles => &mut self.roles,
            Area::Contracts => &mut self.contracts,
            Area::Approvals => &mut self.requests,
            Area::Groups => &mut self.groups,
            Area::Programs => &mut self.programs,
            Area::Invitations => &mut self.invitations,
            Area::Audit => &mut self.audit,
        }
    }

    /// Re-applies the current tab's filters (after the fuzzy text or a sort changed).
    fn refilter_current(&mut self) {
        match self.tab {
            Area::Users => {
                let (s, p) = (self.user_status, self.pending_only);
                let sticky = &self.sticky;
                self.users
                    .refilter(|r| user_visible(r, s, p) || sticky.contains(&r.account.id));
            }
            Area::Approvals => {
                let d = self.show_decided;
                self.requests
                    .refilter(|r| d || r.request.status == RequestStatus::Pending);
            }
            Area::Invitations => {
                let s = self.invitation_status;
                self.invitations
                    .refilter(|r| s.is_none_or(|x| r.status == x));
            }
            _ => self.current().refilter_plain(),
        }
        let h = self.list_height();
        self.current().scroll(h);
    }

    pub(super) fn switch_tab(&mut self, area: Area) {
        if !self.snap.areas.contains(&area) {
            self.error(format!(
                "{} is not available to {}",
                area.title(),
                self.who_label()
            ));
            return;
        }
        self.tab = area;
        self.detail = None;
        self.filtering = None;
        self.sticky.clear();
        let h = self.list_height();
        self.current().scroll(h);
    }
}

/// The heart of the console.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = vec![];
    match msg {
        Msg::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return fx;
            }
            // Ctrl-C always leaves, whatever is open: an escape hatch that never fails.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                app.quit = true;
                fx.push(Effect::Quit);
                return fx;
            }
            fx.extend(on_key(app, key));
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.scroll_all();
        }
        Msg::Tick => {
            app.loads.tick();
            // While live updates are paused, so is the retry countdown.
            let due = !app.loads.paused && app.link.tick();
            if app.refreshing {
                app.refresh_ticks = app.refresh_ticks.saturating_add(1);
            }
            if app.has_store && due && !app.refreshing && !app.loads.paused {
                app.refreshing = true;
                app.refresh_ticks = 0;
                fx.push(Effect::Refresh);
            }
        }
        Msg::Refreshed(result) => {
            app.refreshing = false;
            match result {
                Ok(seq) => {
                    if let Some(back) = app.link.recover() {
                        app.ok(back);
                    }
                    let reload = std::mem::take(&mut app.link.reload);
                    if seq != app.snap.seq || !app.loaded || reload {
                        app.maybe_load(&mut fx);
                    }
                }
                Err(e) => app.link_failed(&e, false),
            }
        }
        Msg::Loaded { generation, result } => {
            let before = app.loads.shown.clone();
            let waited = app.loads.label.is_some();
            if !app.loads.finish(generation) {
                return fx;
            }
            match result {
                Ok(snap) => {
                    app.link.reload = false;
                    fx.extend(app.apply_snapshot(*snap, &before));
                }
                Err(e) => {
                    app.loads.shown = before;
                    if e.fault.of_link() {
                        app.link_failed(&e, waited);
                    } else {
                        app.error(format!("Cannot load: {e}"));
                    }
                }
            }
            if app.loads.again && !app.loads.in_flight {
                fx.push(app.load());
            }
        }
        Msg::AuditPage { generation, result } => {
            if !app.loads.finish_audit_page(generation) {
                return fx;
            }
            match result {
                Ok(rows) => app.add_older_audit(rows),
                Err(e) => {
                    if e.fault.of_link() {
                        app.link_failed(&e, false);
                    }
                    app.error(format!("Cannot load older events: {e}"));
                }
            }
        }
        Msg::DetailLoaded { generation, result } => {
            if generation != app.detail_gen {
                return fx;
            }
            match (result, app.detail.as_mut()) {
                (Ok(d), Some(view)) => {
                    view.data = Some(d);
                    super::outbox::mark(app);
                }
                (Err(e), _) => {
                    if e.fault.of_link() {
                        // Shown again from the reload once the backend answers.
                        app.link_failed(&e, false);
                    }
                    app.error(format!("Cannot load the details: {e}"));
                }
                _ => {}
            }
        }
        Msg::Progress { op, done, total } => {
            if let Some(b) = app.busy.as_mut().filter(|b| b.op == op) {
                b.done = done;
                b.total = total;
            }
        }
        Msg::Ran { op, report } => {
            if app.busy.as_ref().is_some_and(|b| b.op == op) {
                app.busy = None;
            }
            // No answer, or the token refused: the connection is in trouble too (the
            // run's own sentence, set next, keeps the result line).
            if let Some(cause) = report
                .cause
                .as_ref()
                .filter(|c| matches!(c.fault, Fault::Offline | Fault::Unauthorized))
            {
                app.link_failed(&cause.clone(), false);
            }
            fx.extend(super::actions::finished(app, report));
            app.maybe_load(&mut fx);
        }
        Msg::StoreReady(result) => match result {
            Ok(who) => {
                app.has_store = true;
                app.link = Link::new(format!("file:{}", app.store_path.display()));
                app.modal = None;
                if let Some(w) = who {
                    app.who = w;
                }
                app.ok(format!("Created the store at {}", app.store_path.display()));
                app.maybe_load(&mut fx);
            }
            Err(e) => {
                app.busy = None;
                app.error(format!("Could not create the store: {e}"));
            }
        },
        Msg::SignedIn(result) => super::sign_in::signed_in(app, result, &mut fx),
        Msg::Matched {
            tab,
            generation,
            answer,
        } => app.matched(tab, generation, *answer),
        Msg::Resolved(result) => match result {
            Ok(who) => {
                app.who = who;
                app.detail = None;
                app.load_for("Switching identity".into(), &mut fx);
            }
            Err(e) => app.error(e.to_string()),
        },
    }
    fx
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc
        && let Some(b) = app.busy.as_mut()
        && matches!(app.modal, None | Some(Modal::Start))
    {
        if b.cancelling {
            return vec![];
        }
        b.cancelling = true;
        let op = b.op;
        app.info("Cancelling after the current row…");
        return vec![Effect::Cancel { op }];
    }
    if key.code == KeyCode::Esc
        && app.modal.is_none()
        && app.filtering.is_none()
        && app.abandon_load()
    {
        return vec![];
    }
    if app.modal.is_some() {
        return on_modal_key(app, key);
    }
    if app.filtering.is_some() {
        return on_filter_key(app, key);
    }
    let Some(action) = app.config.keymap.action(&app.contexts(), &key) else {
        return vec![];
    };
    on_action(app, action)
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            app.filtering = None;
            app.current().filter_text().clear();
            return app.filter_changed(false);
        }
        KeyCode::Enter => app.filtering = None,
        KeyCode::Down => {
            app.current().keep_cursor();
            app.current().move_by(1);
            let h = app.list_height();
            app.current().scroll(h);
        }
        KeyCode::Up => {
            app.current().keep_cursor();
            app.current().move_by(-1);
            let h = app.list_height();
            app.current().scroll(h);
        }
        _ => {
            let Some(input) = app.filtering.as_mut() else {
                return vec![];
            };
            if input.handle_event(&TermEvent::Key(key)).is_some() {
                let text = input.value().to_string();
                *app.current().filter_text() = text;
                // As in fzf: while typing, the cursor sits on the best match.
                return app.filter_changed(true);
            }
        }
    }
    vec![]
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let page = app.list_height().max(1) as isize;
    if let Some(fx) = super::outbox::on_action(app, action) {
        return fx;
    }
    if app.detail.is_some() {
        match action {
            Action::Back => {
                app.detail = None;
                return vec![];
            }
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let rows = app.detail_rows();
                if let Some(d) = app.detail.as_mut() {
                    let last = d.lines().saturating_sub(rows);
                    d.scroll = match action {
                        Action::Down => d.scroll.saturating_add(1),
                        Action::Up => d.scroll.saturating_sub(1),
                        Action::PageDown => d.scroll.saturating_add(rows),
                        Action::PageUp => d.scroll.saturating_sub(rows),
                        Action::Bottom => last,
                        _ => 0,
                    }
                    .min(last);
                }
                return vec![];
            }
            _ => {}
        }
    }
    let tabs = app.snap.areas.clone();
    let pos = tabs.iter().position(|t| *t == app.tab).unwrap_or(0);
    let mut moved = true;
    match action {
        Action::Quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::Command => {
            app.modal = Some(Modal::Command(CmdLine {
                remote: app.link.remote,
                ..CmdLine::default()
            }))
        }
        Action::NextTab if !tabs.is_empty() => app.switch_tab(tabs[(pos + 1) % tabs.len()]),
        Action::PrevTab if !tabs.is_empty() => {
            app.switch_tab(tabs[(pos + tabs.len() - 1) % tabs.len()])
        }
        a if a.tab_index().is_some() => {
            let i = a.tab_index().unwrap_or(0);
            match tabs.get(i) {
                Some(t) => app.switch_tab(*t),
                None => app.info(format!("There are {} tabs here", tabs.len())),
            }
        }
        Action::Reload => {
            let mut fx = vec![];
            app.reload_now(&mut fx);
            return fx;
        }
        Action::Up => app.current().move_by(-1),
        Action::Down => app.current().move_by(1),
        Action::PageUp => app.current().move_by(-page),
        Action::PageDown => app.current().move_by(page),
        Action::Top => app.current().top(),
        Action::Bottom => app.current().bottom(),
        Action::Filter => {
            let text = app.current().filter_text().clone();
            app.filtering = Some(Input::new(text));
            return app.filter_opened();
        }
        Action::Sort => {
            app.current().cycle_sort();
            app.refilter_current();
        }
        Action::Reverse => {
            app.current().reverse();
            app.refilter_current();
        }
        Action::Mark => {
            app.current().toggle_mark();
            app.current().move_by(1);
        }
        Action::MarkAll => app.current().toggle_mark_all(),
        Action::Back => {
            let l = app.current();
            let filtered = !l.filter_text().is_empty();
            let had = l.marks() > 0 || filtered;
            l.clear_marks();
            l.filter_text().clear();
            if filtered {
                // A large list is matched off the UI thread (small ones at once).
                let fx = app.filter_changed(false);
                if !fx.is_empty() {
                    return fx;
                }
            } else {
                app.refilter_current();
            }
            if !had {
                moved = false;
            }
        }
        _ => {
            moved = false;
        }
    }
    if moved {
        let h = app.list_height();
        app.current().scroll(h);
        if app.tab == Area::Audit && app.follow && app.audit.cursor > 0 {
            // Reading further down: new events must not pull the cursor back up.
            app.follow = false;
        }
        if matches!(action, Action::Down | Action::PageDown | Action::Bottom) {
            return app.maybe_older_audit();
        }
        return vec![];
    }
    super::actions::act(app, action)
}

fn on_modal_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(modal) = app.modal.take() else {
        return vec![];
    };
    match modal {
        Modal::Help { scroll } => {
            let scroll = match key.code {
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Char('g') | KeyCode::Home => 0,
                _ => return vec![],
            };
            app.modal = Some(Modal::Help { scroll });
            vec![]
        }
        Modal::Results(mut r) => {
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => r.scroll = r.scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => r.scroll = r.scroll.saturating_sub(1),
                KeyCode::PageDown => r.scroll = r.scroll.saturating_add(10),
                KeyCode::PageUp => r.scroll = r.scroll.saturating_sub(10),
                _ => return vec![],
            }
            app.modal = Some(Modal::Results(r));
            vec![]
        }
        Modal::Confirm {
            dialog,
            title,
            jobs,
        } => match dialog.handle(&key) {
            Answer::Yes => {
                let stop = jobs.len() > 1
                    && jobs
                        .iter()
                        .any(|j| matches!(j.cmd, Command::TransferOwnership { .. }));
                app.run(title, jobs, stop)
            }
            Answer::No => {
                app.info("Cancelled: nothing was changed");
                vec![]
            }
            Answer::Undecided => {
                app.modal = Some(Modal::Confirm {
                    dialog,
                    title,
                    jobs,
                });
                vec![]
            }
        },
        Modal::Form { mut form, purpose } => match form.handle(&key) {
            FormEvent::Submit => super::actions::submit_form(app, form, purpose),
            FormEvent::Cancel => {
                app.info("Cancelled: nothing was changed");
                vec![]
            }
            FormEvent::None => {
                app.modal = Some(Modal::Form { form, purpose });
                vec![]
            }
        },
        Modal::Wizard(mut w) => match w.handle(&key) {
            WizardEvent::Cancel => {
                app.info("Invitation cancelled: nothing was sent");
                vec![]
            }
            WizardEvent::Send(cmd) => {
                let label = w.email.text(0);
                app.run(
                    format!("Invite {label}"),
                    vec![Job { label, cmd: *cmd }],
                    true,
                )
            }
            WizardEvent::None => {
                app.modal = Some(Modal::Wizard(w));
                vec![]
            }
        },
        Modal::Picker {
            mut picker,
            purpose,
        } => match picker.handle(&key) {
            Picked::Cancel => {
                app.info("Cancelled: nothing was changed");
                vec![]
            }
            Picked::Chosen(v) => super::actions::picked(app, purpose, v),
            Picked::Nothing => {
                app.modal = Some(Modal::Picker { picker, purpose });
                vec![]
            }
        },
        Modal::Command(mut c) => {
            let event = c.handle(&key, &|verb| completions(app, verb));
            match event {
                CmdEvent::Cancel => vec![],
                CmdEvent::None => {
                    app.modal = Some(Modal::Command(c));
                    vec![]
                }
                CmdEvent::Run(line) => match cmdline::parse(&line) {
                    Ok(cmd) => run_command(app, cmd),
                    Err(e) => {
                        c.error = Some(e);
                        app.modal = Some(Modal::Command(c));
                        vec![]
                    }
                },
            }
        }
        Modal::SignIn(s) => super::sign_in::on_key(app, s, key),
        Modal::Start => match key.code {
            KeyCode::Char('d') | KeyCode::Char('D') => {
                app.modal = Some(Modal::Start);
                if app.busy.is_some() {
                    return vec![];
                }
                app.busy = Some(Busy {
                    op: 0,
                    title: "Creating the demo store".into(),
                    done: 0,
                    total: 1,
                    cancelling: false,
                });
                vec![Effect::CreateStore {
                    path: app.store_path.clone(),
                    setup: Setup::Demo,
                    who: app.who.clone(),
                }]
            }
            KeyCode::Char('o') | KeyCode::Char('O') => {
                app.modal = Some(Modal::Form {
                    form: super::actions::new_org_form(),
                    purpose: FormFor::NewOrg,
                });
                vec![]
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                app.quit = true;
                vec![Effect::Quit]
            }
            _ => {
                app.modal = Some(Modal::Start);
                vec![]
            }
        },
    }
}

/// Completions for the command line's arguments (only computed on Tab).
fn completions(app: &App, verb: &str) -> Vec<String> {
    match verb {
        "org" => app
            .snap
            .orgs
            .iter()
            .map(|(_, slug, _)| slug.clone())
            .chain(["settings", "profile", "info", "create"].map(String::from))
            .collect(),
        "as" => app
            .users
            .all()
            .iter()
            .map(|u| u.account.email.clone())
            .collect(),
        _ => vec![],
    }
}

fn run_command(app: &mut App, cmd: Cmd) -> Vec<Effect> {
    let mut fx = vec![];
    match cmd {
        Cmd::Tab(i) => app.switch_tab(Area::ALL[i]),
        Cmd::Org(slug) => match app
            .snap
            .orgs
            .iter()
            .find(|(_, s, _)| s.eq_ignore_ascii_case(&slug))
        {
            Some((id, _, _)) => open_org(app, *id, &mut fx),
            None => {
                let known: Vec<&str> = app.snap.orgs.iter().map(|(_, s, _)| s.as_str()).collect();
                app.error(format!(
                    "No organisation '{slug}' you can reach (you can reach: {})",
                    known.join(", ")
                ));
            }
        },
        Cmd::OrgPicker => fx.extend(super::org::picker(app)),
        Cmd::OrgCreate => fx.extend(super::org::create_form(app)),
        Cmd::OrgView => fx.extend(super::org::open_view(app)),
        Cmd::Settings => fx.extend(super::org::settings_form(app)),
        Cmd::Profile => fx.extend(super::org::profile_form(app)),
        Cmd::As(_) | Cmd::Operator if app.link.remote => {
            let who = app.who_label();
            app.error(format!(
                "On a server the token decides who acts: this console acts as {who}. To act as someone else, start roster with a token of theirs (roster token create)"
            ));
        }
        Cmd::As(email) => match app.org {
            Some(org) => fx.push(Effect::Resolve { org, email }),
            None => app.error("Open an organisation first (:org SLUG), then :as EMAIL"),
        },
        Cmd::Operator => {
            app.who = Principal::Operator;
            app.detail = None;
            app.load_for("Acting as the platform operator".into(), &mut fx);
        }
        Cmd::Invite => fx.extend(super::actions::act_invite(app)),
        Cmd::Pending => {
            app.switch_tab(Area::Users);
            app.pending_only = true;
            app.refilter_current();
        }
        Cmd::Reload => app.reload_now(&mut fx),
        Cmd::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Cmd::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
    }
    fx
}

impl App {
    pub(super) fn refilter(&mut self) {
        self.refilter_current();
    }
    /// The picker helper for accounts of the organisation.
    pub(super) fn account_choices(&self, keep: impl Fn(&UserRow) -> bool) -> Vec<Choice<Pick>> {
        let mut v: Vec<&UserRow> = self.users.all().iter().filter(|u| keep(u)).collect();
        v.sort_by(|a, b| crate::core::query::cmp_lower(&a.account.email, &b.account.email));
        v.into_iter()
            .map(|u| Choice {
                label: u.account.email.clone(),
                hint: format!(
                    "{} · {}",
                    u.account.full_name(),
                    crate::core::query::status_word(&u.account)
                ),
                value: Pick::Account(u.account.id),
            })
            .collect()
    }
}

/// Switches to another organisation the principal reaches.
pub(super) fn open_org(app: &mut App, id: OrgId, fx: &mut Vec<Effect>) {
    if app.snap.org.id == Some(id) && !app.loads.in_flight {
        app.info(format!("{} is open already", app.snap.org.name));
        return;
    }
    let name = app
        .snap
        .orgs
        .iter()
        .find(|(o, _, _)| *o == id)
        .map(|(_, _, n)| n.clone())
        .unwrap_or_default();
    app.org = Some(id);
    app.detail = None;
    app.load_for(format!("Opening {name}"), fx);
}

pub(super) fn detail_effect(app: &mut App, target: Target) -> Effect {
    app.load_detail(target)
}

/// A load the person waits for (shown with a spinner; Esc abandons it).
pub(super) fn request_load_for(app: &mut App, label: &str, fx: &mut Vec<Effect>) {
    app.load_for(label.to_string(), fx)
}

pub(super) fn note_edit(app: &mut App, id: AccountId) {
    app.last_edit = Some(id);
}

/// A save was refused as stale: once the reload is in, the edit form opens again
/// with the account's current values.
pub(super) fn reopen_after_conflict(app: &mut App) {
    app.reopen_edit = app.last_edit.take();
}

/// The audit rows after a reload. A load brings the newest `AUDIT_LIMIT` events; rows
/// paged in earlier stay when they join up with them (the reload overlaps what was
/// there), so paging back is not lost on every change. Returns the rows and whether
/// older events may exist.
fn merge_audit(
    old: &[AuditRow],
    fresh: Vec<AuditRow>,
    same_trail: bool,
    old_more: bool,
) -> (Vec<AuditRow>, bool) {
    let full = fresh.len() >= AUDIT_LIMIT;
    if !full {
        // Everything there is, from the first event on.
        return (fresh, false);
    }
    let fresh_oldest = fresh.iter().map(|r| r.seq).min().unwrap_or(0);
    let old_newest = old.iter().map(|r| r.seq).max();
    match old_newest {
        Some(newest) if same_trail && newest >= fresh_oldest => {
            let mut rows = fresh;
            rows.extend(old.iter().filter(|r| r.seq < fresh_oldest).cloned());
            let paged = rows.len() > AUDIT_LIMIT;
            (rows, if paged { old_more } else { true })
        }
        // Another trail, or more happened since than one load holds: start again.
        _ => (fresh, true),
    }
}

impl App {
    /// On the Audit tab, at the last loaded event: asks for the ones before it.
    pub(super) fn maybe_older_audit(&mut self) -> Vec<Effect> {
        if self.tab != Area::Audit
            || self.detail.is_some()
            || !self.loads.audit_more
            || self.loads.audit_in_flight
            || self.audit.is_empty()
            || self.audit.cursor + 1 < self.audit.len()
        {
            return vec![];
        }
        let (Some(org), Some(oldest)) = (
            self.snap.org.id,
            self.audit.all().iter().map(|r| r.seq).min(),
        ) else {
            return vec![];
        };
        let generation = self.loads.start_audit_page();
        vec![Effect::LoadAudit {
            generation,
            who: self.who.clone(),
            org,
            audit: self.audit_filter.clone(),
            before: oldest,
        }]
    }

    fn add_older_audit(&mut self, page: Vec<AuditRow>) {
        let n = page.len();
        self.loads.audit_more = n >= AUDIT_LIMIT;
        if n == 0 {
            self.info("That is the whole audit trail: nothing older");
            return;
        }
        let mut rows = self.audit.all().to_vec();
        let have: std::collections::BTreeSet<u64> = rows.iter().map(|r| r.seq).collect();
        rows.extend(page.into_iter().filter(|r| !have.contains(&r.seq)));
        self.audit.set_rows(rows, |_| true);
        self.info(if self.loads.audit_more {
            format!("Loaded {n} older events (more at the end)")
        } else {
            format!("Loaded {n} older events: the trail starts here")
        });
    }
}
