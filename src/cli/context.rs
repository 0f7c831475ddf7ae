//! Opening the store and working out who acts, in which organisation.

use super::args::Global;
use super::fail::{Exit, Failure, Outcome, fail};
use super::output::Shown;
use super::store::{self, Remote, Target};
use crate::backend::rest::RestBackend;
use crate::backend::{self, Backend};
use crate::core::query::{self, Area};
use crate::core::{Account, Directory, OrgId, Principal};
use jiff::Timestamp;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open store with the principal and organisation resolved from the global options.
pub struct Ctx {
    pub backend: Arc<dyn Backend>,
    pub store_path: PathBuf,
    pub json: bool,
    pub dry_run: bool,
    /// `None` when the principal may not act as operator (see `principal`).
    who: Result<Principal, String>,
    /// The organisation named by --org, implied by --as, or the store's only one.
    org: Result<OrgId, String>,
}

/// What the console starts on: the server or the store the options name, or (no store
/// yet) the screen that offers to create one.
pub fn launch(global: &Global) -> Outcome<crate::tui::Launch> {
    let target = store::target(global)?;
    if let Target::Local(path) = &target
        && !store::exists(path)
    {
        return Ok(crate::tui::Launch {
            backend: None,
            store_path: path.clone(),
            principal: Principal::Operator,
            org: None,
            sign_in: None,
        });
    }
    // A server but no token: the console asks for a password instead.
    if let Target::Remote(remote) = &target
        && remote.connect.token.is_none()
    {
        return Ok(crate::tui::Launch {
            backend: None,
            store_path: store::default_path().unwrap_or_default(),
            principal: Principal::Anonymous,
            org: None,
            sign_in: Some(crate::tui::sign_in::SignInTarget {
                server: remote.connect.server.trim().to_string(),
                org: remote.connect.org.clone(),
                context: remote.context.clone(),
                reason: None,
            }),
        });
    }
    let ctx = match target {
        Target::Local(path) => Ctx::open_local(global, path)?,
        // A saved session that expired or was revoked: back to the sign-in screen, which
        // says why (and keeps the new session in the same context).
        Target::Remote(remote)
            if remote.context.is_some()
                && global.token.is_none()
                && global.as_email.is_none()
                && !global.operator =>
        {
            match RestBackend::connect(remote.connect.clone()) {
                Ok(rest) => Ctx::with_rest(global, rest)?,
                Err(crate::backend::BackendError::Unauthorized(why)) => {
                    return Ok(crate::tui::Launch {
                        backend: None,
                        store_path: store::default_path().unwrap_or_default(),
                        principal: Principal::Anonymous,
                        org: None,
                        sign_in: Some(crate::tui::sign_in::SignInTarget {
                            server: remote.connect.server.trim().to_string(),
                            org: remote.connect.org.clone(),
                            context: remote.context.clone(),
                            reason: Some(format!(
                                "The session saved in context '{}' no longer works ({why}): sign in again.",
                                remote.context.as_deref().unwrap_or_default()
                            )),
                        }),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Target::Remote(remote) => Ctx::open_remote(global, remote)?,
    };
    Ok(crate::tui::Launch {
        principal: ctx.principal()?,
        org: ctx.org_opt(),
        backend: Some(ctx.backend),
        store_path: ctx.store_path,
        sign_in: None,
    })
}

impl Ctx {
    /// Opens the store (or connects to the server) and resolves --org / --as / --operator.
    pub fn open(global: &Global) -> Outcome<Ctx> {
        match store::target(global)? {
            Target::Local(path) => Ctx::open_local(global, path),
            Target::Remote(remote) => Ctx::open_remote(global, remote),
        }
    }

    /// On a server, who acts is the token's principal and the organisation is the one
    /// the connection follows (--org, the context's, or the token's own).
    fn open_remote(global: &Global, remote: Remote) -> Outcome<Ctx> {
        if global.as_email.is_some() || global.operator {
            return fail(
                "--as and --operator choose who acts on a local store; on a server the token decides who acts: use a token of the account you want to act as",
            );
        }
        if remote.connect.token.is_none() {
            let from = match &remote.context {
                Some(name) => format!("context '{name}' names no token: "),
                None => String::new(),
            };
            return fail(format!(
                "{from}{} needs a token: pass --token or set ROSTER_TOKEN (an administrator creates one with `roster token create` on the server)",
                remote.connect.server.trim()
            ));
        }
        let rest = RestBackend::connect(remote.connect)?;
        Ctx::with_rest(global, rest)
    }

    /// A context over an established connection to a server.
    fn with_rest(global: &Global, rest: RestBackend) -> Outcome<Ctx> {
        let rest = Arc::new(rest);
        let who = rest.principal().clone();
        let slug = rest.org_slug().map(str::to_string);
        let backend: Arc<dyn Backend> = rest;
        let org = backend::query(backend.as_ref(), |dir| match &slug {
            Some(slug) => dir
                .org_by_slug(slug)
                .map(|o| o.id)
                .ok_or_else(|| format!("no organisation '{slug}'{}", org_list(dir))),
            None => only_org(dir),
        })?;
        Ok(Ctx {
            backend,
            store_path: store::default_path().unwrap_or_default(),
            json: global.json,
            dry_run: global.dry_run,
            who: Ok(who),
            org,
        })
    }

    fn open_local(global: &Global, store_path: PathBuf) -> Outcome<Ctx> {
        if !store::exists(&store_path) {
            return Err(Failure::Coded(
                Exit::Unreachable,
                format!(
                    "there is no store at {}: create one with `roster init` (or `roster init --demo`), or point --store / ROSTER_STORE at an existing one",
                    store_path.display()
                ),
            ));
        }
        let backend = store::open(&store_path)?;
        let (who, org) = backend::query(backend.as_ref(), |dir| resolve(dir, global, &store_path))?;
        let who = match who {
            Ok(w) => Ok(w),
            Err(Refusal::Now(m)) => return fail(m),
            Err(Refusal::Unknown(m)) => return Err(Failure::not_found(m)),
            Err(Refusal::Later(m)) => Err(m),
        };
        // Shown in messages and printed commands: never a database password.
        let store_path = match super::database_url::url_in(&store_path) {
            Some(url) => PathBuf::from(url.redacted()),
            None => store_path,
        };
        Ok(Ctx {
            backend,
            store_path,
            json: global.json,
            dry_run: global.dry_run,
            who,
            org,
        })
    }

    /// For acting as nobody in particular with a link's secret (accepting an invitation,
    /// resetting a password): the local store, or the server without needing a token.
    pub fn open_anonymous(global: &Global) -> Outcome<Ctx> {
        let (backend, store_path) = match store::target(global)? {
            Target::Local(path) => {
                if !store::exists(&path) {
                    return Err(Failure::Coded(
                        Exit::Unreachable,
                        format!("there is no store at {}", path.display()),
                    ));
                }
                (store::open(&path)?, path)
            }
            Target::Remote(remote) => {
                let backend: Arc<dyn Backend> = Arc::new(RestBackend::connect(remote.connect)?);
                (backend, store::default_path().unwrap_or_default())
            }
        };
        Ok(Ctx {
            backend,
            store_path,
            json: global.json,
            dry_run: global.dry_run,
            who: Ok(Principal::Anonymous),
            org: Err("no organisation: the link's secret names it".into()),
        })
    }

    /// Who acts: the --as account, or the platform operator for a store you own.
    pub fn principal(&self) -> Outcome<Principal> {
        self.who.clone().map_err(Failure::Message)
    }

    /// The organisation to work in; an error says how to name one.
    pub fn org(&self) -> Outcome<OrgId> {
        self.org.clone().map_err(Failure::Message)
    }

    /// The organisation if one is known, without complaining when it is not.
    pub fn org_opt(&self) -> Option<OrgId> {
        self.org.clone().ok()
    }

    pub fn now(&self) -> Timestamp {
        self.backend.now()
    }

    /// Runs `f` over the latest state.
    pub fn read<R>(&self, f: impl FnOnce(&Directory) -> R) -> Outcome<R> {
        Ok(backend::query(self.backend.as_ref(), f)?)
    }
}

enum Refusal {
    /// Refuse before doing anything (e.g. --as names two accounts).
    Now(String),
    /// --org or --as names nobody in the store: refuse at once, as not found (exit 3).
    Unknown(String),
    /// Refuse only if the command needs an operator or account principal (commands by
    /// an anonymous invitee do not).
    Later(String),
}

type Resolved = (Result<Principal, Refusal>, Result<OrgId, String>);

fn resolve(dir: &Directory, global: &Global, store_path: &Path) -> Resolved {
    let named_org = match &global.org {
        Some(slug) => match dir.org_by_slug(slug) {
            Some(o) => Some(o.id),
            None => {
                let m = format!("no organisation '{slug}' in this store{}", org_list(dir));
                return (Err(Refusal::Unknown(m.clone())), Err(m));
            }
        },
        None => None,
    };
    if let Some(email) = &global.as_email {
        return match account_for(dir, named_org, email) {
            Ok(a) => (Ok(Principal::Account { id: a.id }), Ok(a.org)),
            Err((unknown, m)) => {
                let refusal = if unknown {
                    Refusal::Unknown(m.clone())
                } else {
                    Refusal::Now(m.clone())
                };
                (Err(refusal), Err(m))
            }
        };
    }
    let who = operator_check(store_path)
        .map(|()| Principal::Operator)
        .map_err(Refusal::Later);
    let org = match named_org {
        Some(o) => Ok(o),
        None => only_org(dir),
    };
    (who, org)
}

/// The account --as names: in --org when given, else wherever the email has an account.
/// An error says whether nobody has that email (true) or several do (false).
fn account_for<'a>(
    dir: &'a Directory,
    org: Option<OrgId>,
    email: &str,
) -> Result<&'a Account, (bool, String)> {
    if let Some(org) = org {
        let slug = &dir.orgs[&org].slug;
        return dir
            .account_by_email(org, email)
            .ok_or_else(|| (true, format!("no account {email} in {slug}")));
    }
    let found: Vec<&Account> = dir
        .orgs
        .keys()
        .filter_map(|o| dir.account_by_email(*o, email))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err((true, format!("no account {email} in this store"))),
        many => {
            let slugs: Vec<&str> = many
                .iter()
                .map(|a| dir.orgs[&a.org].slug.as_str())
                .collect();
            Err((
                false,
                format!(
                    "{email} has accounts in {}: pass --org to say which",
                    slugs.join(", ")
                ),
            ))
        }
    }
}

fn only_org(dir: &Directory) -> Result<OrgId, String> {
    let mut orgs = dir.orgs.values();
    match (orgs.next(), orgs.next()) {
        (Some(o), None) => Ok(o.id),
        (None, _) => Err(
            "this store has no organisation yet: create one with `roster org create SLUG --name NAME --owner EMAIL --owner-first-name NAME`"
                .into(),
        ),
        _ => Err(format!("pass --org (or set ROSTER_ORG) to say which organisation{}", org_list(dir))),
    }
}

fn org_list(dir: &Directory) -> String {
    if dir.orgs.is_empty() {
        return String::new();
    }
    let mut slugs: Vec<&str> = dir.orgs.values().map(|o| o.slug.as_str()).collect();
    slugs.sort();
    format!(": the store has {}", slugs.join(", "))
}

/// A local store makes its owner the platform operator. Anyone else who can read it
/// (a shared folder, root) must say which account they act as.
fn operator_check(store_path: &Path) -> Result<(), String> {
    if super::database_url::url_in(store_path).is_some() {
        // Whoever holds the database's credentials administers the store.
        return Ok(());
    }
    let meta = std::fs::metadata(store_path)
        .map_err(|e| format!("cannot read {}: {e}", store_path.display()))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() == me {
        return Ok(());
    }
    Err(format!(
        "the store at {} belongs to another user (uid {}), so you are not its platform operator: pass --as EMAIL to act as an account of the organisation",
        store_path.display(),
        meta.uid()
    ))
}

/// Reads are checked like the console's tabs: a principal sees an area only when
/// `query::can_see` says so (seed 001: the Roles tab is for main users). An inactive
/// account is told why it sees nothing rather than which permission it lacks.
pub fn may_see(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    area: Area,
    now: Timestamp,
) -> Result<(), String> {
    match who {
        Principal::Operator => return Ok(()),
        Principal::Anonymous => {
            return Err(format!(
                "sign in (--as EMAIL) to see {}",
                area.title().to_lowercase()
            ));
        }
        Principal::Account { id } => {
            if let Some(why) = dir
                .accounts
                .get(id)
                .and_then(|a| crate::core::wording::cannot_sign_in(dir, a))
            {
                return Err(why);
            }
        }
    }
    if query::can_see(dir, who, org, area, now) {
        return Ok(());
    }
    let admin = dir
        .orgs
        .get(&org)
        .map(|o| o.settings.terminology.admin.clone())
        .unwrap_or_default();
    Err(format!(
        "you need the {} permission to see {}: ask your {admin}",
        area.permission(),
        area.title().to_lowercase()
    ))
}

impl Ctx {
    /// Reads the state, builds what to show (or the reason not to), and prints it.
    pub fn view(&self, f: impl FnOnce(&Directory) -> Result<Shown, String>) -> Outcome {
        self.read(f)?.map_err(Failure::Message)?.print()
    }
}
