//! The thin, impure edge: owns the terminal, turns terminal events, ticks and backend
//! replies into `Msg`s, runs `Effect`s as blocking tasks, and draws after every
//! message. A frame never waits on the store: every backend call happens on tokio's
//! blocking pool and comes back as a message.

use super::app::{self, App, Effect, Msg, Start};
use super::config::Config;
use super::effects;
use super::view;
use crate::backend::Backend;
use crate::core::{OrgId, Principal};
use color_eyre::eyre::{WrapErr, eyre};
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Everything the console needs to start, resolved by the command line.
pub struct Launch {
    /// `None` when no store exists yet: the console offers to create one at `store_path`.
    pub backend: Option<Arc<dyn Backend>>,
    pub store_path: PathBuf,
    pub principal: Principal,
    /// The organisation to open on (`--org`); otherwise the principal's own or the first.
    pub org: Option<OrgId>,
    /// A server but no token: open on the sign-in screen.
    pub sign_in: Option<super::sign_in::SignInTarget>,
}

/// What comes back from a task.
enum Reply {
    Msg(Msg),
    /// The start screen made a store: use it from now on.
    Store(Arc<dyn Backend>, Msg),
    /// A task panicked: the console cannot trust its state any more.
    Fatal(String),
    /// A task with nothing to say (a filter match overtaken by a newer keystroke).
    Idle,
}

pub fn run(launch: Launch) -> color_eyre::Result<()> {
    let _log = init_logging();
    install_hooks()?;
    let (config, warnings) = Config::load();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    let mut terminal = ratatui::init();
    // Pasted text arrives as one `Event::Paste`, never as keys that would run actions.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = rt.block_on(event_loop(&mut terminal, launch, config, warnings));
    restore();
    // A backend call may still be waiting on a server that does not answer (up to its
    // time limit): quitting must not wait for it. Dropping the runtime would.
    rt.shutdown_background();
    result
}

/// color-eyre's panic and error reports, with ratatui's hook in front so the terminal
/// is restored before the report is printed.
fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    // The command line may already have installed color-eyre's report hook (`roster
    // demo` opens the console from a subcommand); one installed report hook is all
    // that is needed, so a second install failing is no reason not to start.
    let _ = eyre_hook.install();
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        panic_hook(info);
    }));
    Ok(())
}

/// Gives the terminal back as it was: bracketed paste off, then ratatui's own restore.
fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
}

/// Logs go to `$XDG_STATE_HOME/roster/roster.log` (0600), never to the screen.
fn init_logging() -> Option<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = dirs::state_dir()
        .or_else(dirs::data_local_dir)?
        .join("roster");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(dir.join("roster.log"))
        .ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("roster=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .ok()
}

struct Runner {
    backend: Option<Arc<dyn Backend>>,
    tx: UnboundedSender<Reply>,
    /// Cancel flags of runs in progress.
    cancels: HashMap<u64, Arc<AtomicBool>>,
}

impl Runner {
    fn spawn(&mut self, effect: Effect) {
        match effect {
            Effect::Quit => {}
            Effect::Cancel { op } => {
                if let Some(flag) = self.cancels.get(&op) {
                    flag.store(true, Ordering::SeqCst);
                }
            }
            Effect::CreateStore { path, setup, who } => {
                let tx = self.tx.clone();
                spawn_guarded(tx.clone(), move || {
                    match effects::create_store(&path, &setup, &who) {
                        Ok(c) => Reply::Store(c.backend, Msg::StoreReady(Ok(c.who))),
                        Err(e) => Reply::Msg(Msg::StoreReady(Err(e))),
                    }
                });
            }
            Effect::SignIn {
                server,
                org,
                email,
                password,
                keep,
            } => {
                spawn_guarded(self.tx.clone(), move || {
                    match effects::sign_in(&server, &org, &email, &password.0, keep.as_deref()) {
                        Ok((backend, who)) => Reply::Store(backend, Msg::SignedIn(Ok(who))),
                        Err(e) => Reply::Msg(Msg::SignedIn(Err(e))),
                    }
                });
            }
            Effect::Match {
                tab,
                generation,
                job,
            } => {
                // No store involved: the rows travel with the job. A cancelled job
                // (overtaken by a newer keystroke) has nothing to say.
                spawn_guarded(self.tx.clone(), move || {
                    let never = AtomicBool::new(false);
                    match job.run(&never) {
                        Some(answer) => Reply::Msg(Msg::Matched {
                            tab,
                            generation,
                            answer: Box::new(answer),
                        }),
                        None => Reply::Idle,
                    }
                });
            }
            effect => {
                let Some(backend) = self.backend.clone() else {
                    tracing::warn!("effect without a store: {effect:?}");
                    return;
                };
                let cancel = Arc::new(AtomicBool::new(false));
                if let Effect::Run { op, .. } = &effect {
                    self.cancels.retain(|_, f| Arc::strong_count(f) > 1);
                    self.cancels.insert(*op, cancel.clone());
                }
                let tx = self.tx.clone();
                spawn_guarded(self.tx.clone(), move || {
                    let mut progress = |m: Msg| {
                        let _ = tx.send(Reply::Msg(m));
                    };
                    match effects::perform(backend.as_ref(), &effect, &cancel, &mut progress) {
                        Some(m) => Reply::Msg(m),
                        None => Reply::Msg(Msg::Tick),
                    }
                });
            }
        }
    }
}

/// Runs blocking work off the event loop; a panic in it becomes a fatal reply rather
/// than a console that silently stops answering.
fn spawn_guarded(tx: UnboundedSender<Reply>, f: impl FnOnce() -> Reply + Send + 'static) {
    let handle = tokio::task::spawn_blocking(f);
    tokio::spawn(async move {
        let reply = match handle.await {
            Ok(r) => r,
            Err(e) => Reply::Fatal(format!("a background task failed: {e}")),
        };
        let _ = tx.send(reply);
    });
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    launch: Launch,
    config: Config,
    warnings: Vec<String>,
) -> color_eyre::Result<()> {
    let size = terminal
        .size()
        .map(|s| (s.width, s.height))
        .unwrap_or((80, 24));
    let tick_ms = config.tick_ms;
    let (mut app, first) = App::new(Start {
        config,
        warnings,
        store_path: launch.store_path.clone(),
        has_store: launch.backend.is_some(),
        backend: launch
            .backend
            .as_ref()
            .map(|b| b.describe())
            .unwrap_or_default(),
        who: launch.principal.clone(),
        org: launch.org,
        size,
    });
    let first = match launch.sign_in.clone() {
        Some(target) => {
            app.begin_sign_in(target);
            vec![]
        }
        None => first,
    };
    let (tx, mut rx) = unbounded_channel();
    let mut runner = Runner {
        backend: launch.backend.clone(),
        tx,
        cancels: HashMap::new(),
    };
    for e in first {
        runner.spawn(e);
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(tick_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        terminal
            .draw(|f| view::draw(&app, f))
            .wrap_err("cannot draw")?;
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Msg::Key(k),
                Some(Ok(TermEvent::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(eyre!("cannot read the terminal: {e}")),
                None => return Ok(()),
            },
            reply = rx.recv() => match reply {
                Some(Reply::Msg(m)) => m,
                Some(Reply::Store(b, m)) => {
                    runner.backend = Some(b);
                    m
                }
                Some(Reply::Fatal(e)) => return Err(eyre!(e)),
                Some(Reply::Idle) => continue,
                None => return Ok(()),
            },
            _ = tick.tick() => Msg::Tick,
        };
        for effect in app::update(&mut app, msg) {
            runner.spawn(effect);
        }
        if app.quit {
            return Ok(());
        }
    }
}
