//! The scriptable command line. `main` parses (clap: usage errors exit 2), opens the
//! store, resolves who acts where, and hands each command family to its module. Every
//! change goes through `core` via the backend; every refusal is the core's sentence.

mod approval;
pub mod args;
mod audit;
mod console;
mod context;
mod contexts;
mod contract;
mod credentials;
mod database;
mod database_url;
mod dates;
mod dry_run;
mod exec;
mod fail;
mod formats;
mod group;
mod init;
mod invitation;
mod mail;
mod org;
mod output;
mod password_input;
mod program;
mod resolve;
mod role;
pub mod scale;
mod serve;
mod shell_docs;
mod sign_out;
mod store;
mod store_compact;
mod token;
mod user;
mod user_show;
mod warnings;

use args::{Cli, Cmd, Global};
use clap::{CommandFactory, FromArgMatches};
use context::Ctx;
use fail::{Failure, Outcome};
use std::process::ExitCode;

/// Entry point of the `roster` binary.
pub fn main() -> ExitCode {
    let (mut cli, path) = parse();
    let format = cli.global.output_format();
    output::set_format(format);
    // Every machine format is built from the JSON a read makes.
    cli.global.json = format != formats::Format::Table;
    if cli.global.dry_run
        && let Some(refusal) =
            dry_run::refusal(&path.iter().map(String::as_str).collect::<Vec<_>>())
    {
        return finish(Err(Failure::Coded(fail::Exit::Usage, refusal)));
    }
    let result = match cli.command {
        None => console::console(&cli.global),
        Some(cmd) => {
            // Reports for the unexpected; the console installs its own hooks.
            let _ = color_eyre::install();
            run(&cli.global, cmd)
        }
    };
    finish(result)
}

/// Reports a failure on stderr and turns the outcome into the exit code (README "Exit
/// codes"; the mapping from causes is `fail::exit_of`).
fn finish(result: Outcome) -> ExitCode {
    let Err(failure) = result else {
        return ExitCode::SUCCESS;
    };
    let code = failure.exit() as u8;
    match failure {
        Failure::Message(m) | Failure::Coded(_, m) => output::warn(format!("roster: {m}")),
        Failure::Reported => {}
        Failure::Unexpected(report) => {
            output::warn(format!("roster: unexpected error: {report:?}"));
        }
    }
    ExitCode::from(code)
}

/// Parses the command line; help, version and usage errors end the process here (exit
/// 0 for help, 2 for mistakes), as clap does. The help ends with examples and the
/// default store. Also returns the path of subcommand names (`["user", "list"]`).
fn parse() -> (Cli, Vec<String>) {
    let default = match store::default_path() {
        Some(p) => format!(
            "Default store: {}\n(override with --store or ROSTER_STORE)",
            p.display()
        ),
        None => "Default store: none found (no data directory): pass --store".into(),
    };
    let matches = Cli::command()
        .after_help(format!("{}\n\n{default}", args::EXAMPLES))
        .get_matches();
    let mut path = vec![];
    let mut at = &matches;
    while let Some((name, sub)) = at.subcommand() {
        path.push(name.to_string());
        at = sub;
    }
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => (cli, path),
        Err(e) => e.exit(),
    }
}

fn run(global: &Global, cmd: Cmd) -> Outcome {
    match cmd {
        Cmd::Init { demo } => return init::run(global, demo),
        Cmd::Demo {
            action: Some(a), ..
        } => return scale::demo(global, a),
        Cmd::Demo { path, .. } => return init::demo(global, path),
        Cmd::Bench(a) => return scale::bench(global, a),
        Cmd::Serve(a) => return serve::run(global, a),
        Cmd::Context(c) => return contexts::run(global, c),
        Cmd::Migrate => return database::migrate(global),
        Cmd::Store(c) => return database::store(global, c),
        Cmd::Login(a) => return credentials::login(global, a),
        Cmd::Logout => return sign_out::logout(global),
        Cmd::Completions { shell } => return shell_docs::completions(shell),
        Cmd::Man { dir } => return shell_docs::man(dir.as_deref()),
        Cmd::Password(args::PasswordCmd::Forgot { email }) => {
            return sign_out::forgot(global, &email);
        }
        Cmd::Password(args::PasswordCmd::Reset {
            secret,
            password_stdin,
        }) => return credentials::reset(global, &secret, password_stdin),
        // The invitee has no token yet: the link's secret is the credential.
        Cmd::Invitation(args::InvitationCmd::Accept {
            id,
            secret: Some(secret),
            password_stdin,
        }) if password_stdin || id.is_none() => {
            if global.dry_run {
                return Err(Failure::Coded(
                    fail::Exit::Usage,
                    "--dry-run is not supported when accepting with the link's secret and a password: it signs you in; nothing was changed".into(),
                ));
            }
            return credentials::accept(global, &secret, password_stdin);
        }
        _ => {}
    }
    warnings::to_stderr();
    let ctx = Ctx::open(global)?;
    match cmd {
        Cmd::Init { .. }
        | Cmd::Demo { .. }
        | Cmd::Context(_)
        | Cmd::Serve(_)
        | Cmd::Migrate
        | Cmd::Store(_)
        | Cmd::Login(_)
        | Cmd::Logout
        | Cmd::Completions { .. }
        | Cmd::Man { .. }
        | Cmd::Password(_)
        | Cmd::Bench(_) => Ok(()),
        Cmd::Org(c) => org::run(&ctx, c),
        Cmd::User(c) => user::run(&ctx, c),
        Cmd::Role(c) => role::run(&ctx, c),
        Cmd::Group(c) => group::run(&ctx, c),
        Cmd::Program(c) => program::run(&ctx, c),
        Cmd::Contract(c) => contract::run(&ctx, c),
        Cmd::Invitation(c) => invitation::run(&ctx, c),
        Cmd::Approval(c) => approval::run(&ctx, c),
        Cmd::Audit(a) => audit::run(&ctx, a),
        Cmd::Token(c) => token::run(global, &ctx, c),
        Cmd::Mail(c) => mail::run(&ctx, c),
    }
}
