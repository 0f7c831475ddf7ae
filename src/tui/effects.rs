//! Running an `Effect` against the backend. These functions block (the backend is
//! synchronous); the runtime calls them inside `spawn_blocking`, tests call them
//! directly against a real store.

use super::data;
use super::dialogs::Report;
use super::fault::LoadError;
use super::msg::{Effect, Job, Msg, Setup, Verdict};
use crate::backend::{Backend, BackendError};
use crate::core::{Command, DomainError, Principal};
use std::sync::atomic::{AtomicBool, Ordering};

/// A command with its fresh link secret: `mailed` goes into the message (spooled on a
/// local store), `shown` is returned when the administrator has to hand it over
/// (invitations; a password-reset link goes to the account holder only, never to the
/// manager: seed 002).
struct WithSecret {
    cmd: Command,
    shown: Option<String>,
    mailed: Option<String>,
}

/// Puts a fresh link secret into commands that send one.
fn with_secret(cmd: &Command) -> Result<WithSecret, String> {
    let mut cmd = cmd.clone();
    let (shown, mailed) = match &mut cmd {
        Command::Invite { secret_hash, .. } | Command::ResendInvitation { secret_hash, .. } => {
            let (secret, hash) = crate::secret::new_secret().map_err(|e| e.to_string())?;
            *secret_hash = Some(hash);
            (Some(secret.clone()), Some(secret))
        }
        Command::RequestPasswordReset { secret_hash, .. } => {
            let (secret, hash) = crate::secret::new_secret().map_err(|e| e.to_string())?;
            *secret_hash = Some(hash);
            (None, Some(secret))
        }
        _ => (None, None),
    };
    Ok(WithSecret { cmd, shown, mailed })
}

/// Runs jobs one by one, stopping early on Esc (`cancel`) or a store failure.
pub fn run_jobs(
    backend: &dyn Backend,
    title: &str,
    who: &Principal,
    jobs: &[Job],
    stop_on_refusal: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Report {
    let mut report = Report {
        title: title.to_string(),
        total: jobs.len(),
        ..Default::default()
    };
    let mut queued_mail = vec![];
    for (i, job) in jobs.iter().enumerate() {
        if cancel.load(Ordering::SeqCst) {
            report.cancelled = true;
            break;
        }
        let WithSecret {
            cmd,
            shown: secret,
            mailed,
        } = match with_secret(&job.cmd) {
            Ok(x) => x,
            Err(e) => {
                report.failed = Some(e);
                break;
            }
        };
        // A server is given the link's secret to mail it; a local store ignores it and
        // the message is spooled here, below.
        let result = match &mailed {
            Some(s) => backend.execute_with_link(who, &cmd, s),
            None => backend.execute(who, &cmd, false),
        };
        match result {
            Ok(events) => {
                tracing::info!(verb = job.cmd.verb(), "done");
                // On a local store the message is written now, while the secret is
                // known; a server spools its own (see `mail`).
                if let Some(s) = &mailed {
                    match crate::mail::spool_queued(backend, &events, s) {
                        Ok(ids) => queued_mail.extend(ids),
                        Err(e) => tracing::warn!("cannot write the message: {e}"),
                    }
                }
                // A failed message queued again gets its one attempt now too.
                if let Command::RetryMail { mail } = &cmd {
                    queued_mail.push(*mail);
                }
                report.ok.push(job.label.clone());
                if let Some(s) = secret {
                    report.secrets.push((job.label.clone(), s));
                }
            }
            Err(BackendError::Refused(e)) => {
                tracing::info!(verb = job.cmd.verb(), reason = %e, "refused");
                report.stale |= matches!(e, DomainError::Stale(_));
                report
                    .refused
                    .push((job.label.clone(), e.message().to_string()));
                if stop_on_refusal {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(verb = job.cmd.verb(), error = %e, "store failed");
                report.failed = Some(match &e {
                    // The request may have got there and been carried out, with only the
                    // answer lost: say so, and never send it again on our own.
                    BackendError::Unreachable(_) => format!(
                        "{} did not answer: the change may or may not have been made — it will show after the next refresh",
                        describe_place(backend)
                    ),
                    e => e.to_string(),
                });
                report.cause = Some(LoadError::from(e));
                break;
            }
        }
        progress(i + 1, jobs.len());
    }
    if !queued_mail.is_empty() {
        // One attempt at once (SMTP or the maildir), with a short timeout; a passing
        // failure stays queued for the sender. The Outbox (`M`) shows how it went.
        if let Err(e) = crate::mail::deliver_now(backend, &queued_mail) {
            tracing::warn!("mail not delivered: {e}");
        }
    }
    report
}

/// Decides every job as `who` without committing anything (the backends' `dry_run`):
/// what each would do, in the audit trail's words, or why the core would refuse it.
pub fn preview_jobs(backend: &dyn Backend, who: &Principal, jobs: &[Job]) -> Vec<Verdict> {
    jobs.iter()
        .map(|job| {
            // A command that sends a link is decided with a link hash, as it will run.
            let cmd = match with_secret(&job.cmd) {
                Ok(w) => w.cmd,
                Err(e) => return Verdict::Failed(e),
            };
            match backend.execute(who, &cmd, true) {
                Ok(events) => Verdict::Allowed(
                    crate::backend::query(backend, |dir| {
                        events
                            .iter()
                            .map(|r| crate::core::summary::summary(dir, r))
                            .collect()
                    })
                    .unwrap_or_default(),
                ),
                Err(BackendError::Refused(e)) => Verdict::Refused(e.message().to_string()),
                Err(e) => Verdict::Failed(e.to_string()),
            }
        })
        .collect()
}

/// "the server at https://host:port", or "the store".
fn describe_place(backend: &dyn Backend) -> String {
    let link = super::link::Link::new(backend.describe());
    if link.remote {
        format!("the server at {}", link.place())
    } else {
        "the store".into()
    }
}

/// What creating a store from the start screen produced.
pub struct Created {
    pub backend: std::sync::Arc<dyn Backend>,
    pub who: Option<Principal>,
}

/// Creates the store and fills it (demo data or a first organisation).
pub fn create_store(
    path: &std::path::Path,
    setup: &Setup,
    who: &Principal,
) -> Result<Created, String> {
    let store = crate::backend::file::FileStore::create(path).map_err(|e| e.to_string())?;
    let backend: std::sync::Arc<dyn Backend> = std::sync::Arc::new(store);
    let who = match setup {
        Setup::Demo => {
            crate::demo::populate(backend.as_ref()).map_err(|e| e.to_string())?;
            None
        }
        Setup::Org(cmd) => {
            let recs = match backend.execute(&Principal::Operator, cmd, false) {
                Ok(r) => r,
                Err(e) => {
                    // Leave no half-made store behind: the form stays open to try again.
                    let _ = std::fs::remove_dir_all(path);
                    return Err(e.to_string());
                }
            };
            // Someone with no identity yet becomes the new owner; an operator stays one.
            match who {
                Principal::Anonymous => recs.iter().find_map(|r| match &r.event {
                    crate::core::Event::AccountCreated { account, .. } => {
                        Some(Principal::Account { id: account.id })
                    }
                    _ => None,
                }),
                _ => None,
            }
        }
    };
    Ok(Created { backend, who })
}

/// Runs one effect to completion and returns its answer. `progress` receives
/// intermediate messages; `cancel` is checked between the rows of a run.
pub fn perform(
    backend: &dyn Backend,
    effect: &Effect,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Msg),
) -> Option<Msg> {
    match effect {
        Effect::Load {
            generation,
            who,
            org,
            audit,
            decided,
        } => Some(Msg::Loaded {
            generation: *generation,
            result: data::load(backend, who, *org, audit, *decided)
                .map(Box::new)
                .map_err(LoadError::from),
        }),
        Effect::Refresh => Some(Msg::Refreshed(backend.refresh().map_err(LoadError::from))),
        Effect::LoadAudit {
            generation,
            who,
            org,
            audit,
            before,
        } => Some(Msg::AuditPage {
            generation: *generation,
            result: data::load_audit_page(backend, who, *org, audit, *before)
                .map_err(LoadError::from),
        }),
        Effect::LoadDetail {
            generation,
            who,
            target,
        } => Some(Msg::DetailLoaded {
            generation: *generation,
            result: data::load_detail(backend, who, *target).map_err(LoadError::from),
        }),
        Effect::Run {
            op,
            title,
            who,
            jobs,
            stop_on_refusal,
        } => {
            let op = *op;
            let report = run_jobs(
                backend,
                title,
                who,
                jobs,
                *stop_on_refusal,
                cancel,
                &mut |done, total| progress(Msg::Progress { op, done, total }),
            );
            Some(Msg::Ran { op, report })
        }
        Effect::Preview { op, who, plan } => Some(Msg::Previewed {
            op: *op,
            verdicts: preview_jobs(backend, who, &plan.jobs),
            plan: plan.clone(),
        }),
        Effect::CheckInvite { who, email, cmd } => {
            let job = Job {
                label: email.clone(),
                cmd: (**cmd).clone(),
            };
            let verdict = preview_jobs(backend, who, &[job]).pop()?;
            Some(Msg::InviteChecked {
                email: email.clone(),
                verdict,
            })
        }
        Effect::Resolve { org, email } => {
            let found = crate::backend::query(backend, |dir| {
                dir.account_by_email(*org, email).map(|a| a.id)
            });
            Some(Msg::Resolved(match found {
                Ok(Some(id)) => Ok(Principal::Account { id }),
                Ok(None) => Err(LoadError::refused(format!(
                    "No account {email} in this organisation"
                ))),
                Err(e) => Err(LoadError::from(e)),
            }))
        }
        Effect::Match {
            tab,
            generation,
            job,
        } => job.run(cancel).map(|answer| Msg::Matched {
            tab: *tab,
            generation: *generation,
            answer: Box::new(answer),
        }),
        Effect::Cancel { .. }
        | Effect::Quit
        | Effect::CreateStore { .. }
        | Effect::SignIn { .. } => None,
    }
}

/// Signs in to `server` and connects to it with the session: the backend to use from
/// now on and whom the session acts as, or why not, in words.
pub fn sign_in(
    server: &str,
    org: &str,
    email: &str,
    password: &str,
    keep: Option<&str>,
) -> Result<(std::sync::Arc<dyn Backend>, Principal), String> {
    use crate::backend::rest::{Connect, RestBackend, Token};
    let session =
        crate::backend::rest::sign_in(server, org, email, password).map_err(|e| e.to_string())?;
    if let Some(name) = keep {
        keep_session(name, server, &session)?;
    }
    let rest = RestBackend::connect(Connect {
        server: server.to_string(),
        token: Token::new(&session.token),
        org: Some(session.org),
        ..Connect::default()
    })
    .map_err(|e| e.to_string())?;
    let who = rest.principal().clone();
    Ok((std::sync::Arc::new(rest), who))
}

/// Saves a session as context `name` of the user's config file (0600, made current), as
/// `roster login` does, so the next start uses it without asking.
fn keep_session(
    name: &str,
    server: &str,
    session: &crate::backend::rest::Session,
) -> Result<(), String> {
    let path = crate::config::Config::default_path().ok_or(
        "cannot keep the session: no home directory for the config file (Ctrl-K to sign in without keeping it)",
    )?;
    let name = if name.trim().is_empty() {
        session.org.as_str()
    } else {
        name.trim()
    };
    crate::config::save_context(&path, name, server.trim(), &session.org, &session.token)
        .map_err(|e| format!("cannot keep the session: {e} (Ctrl-K to sign in without keeping it)"))
}
