//! The console's global state: who acts, in which organisation, the tab shown, the
//! modal, the result line, the connection and the loads in flight. Per-tab rows and
//! filters live in the lists; what keys do lives in the logic modules above this one.

use super::config::Config;
use super::data::*;
use super::detail_view::DetailView;
use super::dialogs::Choice;
use super::fault::{Fault, LoadError};
use super::feedback::{Busy, Note, Tone};
use super::form::{Field, Form};
use super::keymap::{Action, Ctx, tab_ctx};
use super::link::{Link, Next, WIDEST};
use super::list::List;
use super::loading::{LoadKey, Loading};
use super::modal::{AccountFields, FormFor, Modal, Pick};
use super::msg::{Effect, Job, Plan};
use crate::core::query::{Area, StatusFilter};
use crate::core::*;
use std::path::PathBuf;
use tui_input::Input;

/// A question of a tab's own (its opening lines and yes verb) for jobs to decide
/// first.
pub struct ConfirmFirst {
    pub dialog: super::dialogs::Confirm,
    pub title: String,
    pub jobs: Vec<Job>,
    /// Run after the allowed job of the same label, not decided beforehand.
    pub then: Vec<Job>,
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
    pub(super) notes: u64,
    /// The connection to the backend: trouble, retries, what it is called.
    pub link: Link,
    pub busy: Option<Busy>,
    pub loaded: bool,
    pub quit: bool,
    pub(super) next_op: u64,
    /// Command lines run this session, oldest first (`:` then ↑/↓).
    pub cmd_history: Vec<String>,
    /// Snapshot and audit-page loads: generations, what the person waits for, Esc.
    pub loads: Loading,
    pub(super) detail_gen: u64,
    pub(super) refreshing: bool,
    /// Ticks the refresh in flight has been waiting for its answer.
    pub(super) refresh_ticks: u32,
    pub(super) reselect: Option<Reselect>,
    /// After a stale edit: reopen the edit form with the current values.
    pub(super) reopen_edit: Option<AccountId>,
    /// The account whose edit form was last saved.
    pub(super) last_edit: Option<AccountId>,
    /// A form whose save is running: opened again, with the reason, if the core says no.
    pub(super) retry_form: Option<(Form, FormFor)>,
    /// The invitation wizard while its invitation is sent: back as typed if refused.
    pub(super) retry_wizard: Option<Box<super::wizard::Wizard>>,
    /// An organisation just created: opened once the reload shows it.
    pub(super) open_slug: Option<String>,
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
            cmd_history: vec![],
            loads: Loading::default(),
            detail_gen: 0,
            refreshing: false,
            refresh_ticks: 0,
            reselect: None,
            reopen_edit: None,
            last_edit: None,
            retry_form: None,
            retry_wizard: None,
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
    pub(super) fn link_note(&self, widest: bool) -> Option<Note> {
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
    pub(super) fn link_failed(&mut self, e: &LoadError, show: bool) {
        tracing::warn!(fault = ?e.fault, error = %e, "backend call failed");
        self.link.reload = true;
        self.link.fail(e, self.config.tick_ms, self.notes);
        if show && let Some(t) = self.link.trouble.as_mut() {
            t.noted = self.notes;
        }
    }

    /// Ctrl-R / `:reload`. While the backend is in trouble: try it now (a load follows
    /// once it answers); otherwise reload at once.
    pub(super) fn reload_now(&mut self, fx: &mut Vec<Effect>) {
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
    pub(super) fn load(&mut self) -> Effect {
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
    pub(super) fn abandon_load(&mut self) -> bool {
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

    pub(super) fn load_detail(&mut self, target: Target) -> Effect {
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
        super::layout::body_rows(self.size, self.note_rows()).saturating_sub(2)
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
                let rows = super::text::wrap_words(&text, self.size.0.max(1) as usize);
                rows.len().clamp(1, 3) as u16
            }
            None => 1,
        }
    }

    /// Rows of the list viewport at the current size (the same sum the view does).
    pub fn list_height(&self) -> usize {
        super::layout::list_rows(self.size, self.tab == Area::Approvals, self.note_rows())
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

    /// Starts a run of jobs; refused while another run is going.
    /// Runs jobs, deciding them first when they need a look before they happen: more
    /// than one target, or a step that is destructive or leaves the screen
    /// (`preview_rule`). Those are decided without committing and asked once.
    pub(super) fn run(
        &mut self,
        title: impl Into<String>,
        jobs: Vec<Job>,
        stop_on_refusal: bool,
    ) -> Vec<Effect> {
        let title = title.into();
        if super::preview_rule::needs_preview(&jobs) {
            let plan = super::preview_rule::plan(title, jobs, stop_on_refusal);
            return self.preview(plan);
        }
        self.commit(title, jobs, stop_on_refusal)
    }

    /// Decides a plan's jobs with the core, off the UI thread, without committing:
    /// the answer (`Msg::Previewed`) opens the one question.
    pub(super) fn preview(&mut self, plan: Plan) -> Vec<Effect> {
        if plan.jobs.is_empty() {
            self.info(format!("{}: nothing to do", plan.title));
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
            title: format!("Checking: {}", plan.title),
            done: 0,
            total: plan.jobs.len(),
            cancelling: false,
        });
        vec![Effect::Preview {
            op,
            who: self.who.clone(),
            plan: Box::new(plan),
        }]
    }

    /// Asks `dialog` once the core has decided the jobs: its lines first, then per
    /// target what will happen or why not. A refusal of every job is said at once.
    pub(super) fn confirm_first(&mut self, c: ConfirmFirst) -> Vec<Effect> {
        let mut plan = super::preview_rule::plan(c.title, c.jobs, false);
        plan.final_step = None;
        plan.ask = c.dialog;
        plan.then = c.then;
        self.preview(plan)
    }

    /// Runs jobs now, with no question: after a confirmation, or for a step that needs
    /// none.
    pub(super) fn commit(
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

impl App {
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
