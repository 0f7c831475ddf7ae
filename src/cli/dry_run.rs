//! Which commands honour `--dry-run` and which refuse it. A change command either shows
//! what it would do without doing it, or refuses the flag with a usage error (exit 2):
//! never ignores it, so a script that asks for a rehearsal never gets the real thing.
//! The table is by command path (`["context", "use"]`), so a test can walk the whole
//! command tree and insist every command is listed.

/// What `--dry-run` does to one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// The change is decided without being committed (the core's answer, marked as a dry run).
    Honoured,
    /// A read: it changes nothing either way.
    Read,
    /// It cannot be rehearsed; the sentence says why, and --dry-run is refused (exit 2).
    Refused(&'static str),
}

/// The policy of the command at `path` (subcommand names from the top); `None` for a
/// path that is not a command (a test makes sure every real one is listed).
pub fn policy(path: &[&str]) -> Option<DryRun> {
    use DryRun::*;
    let p = match path {
        [] => Refused("the console has no dry run: use the commands"),
        ["init"] => Honoured,
        ["demo"] => Refused("it opens the console on the demo store"),
        ["demo", "generate"] => Refused("it writes a generated store"),
        ["bench"] => Refused("it measures by really writing (to generated stores)"),
        ["completions"] => Read,
        ["man"] => Refused("it writes manual pages"),
        ["serve"] => Refused("it serves the store"),
        ["migrate"] => Refused("migrations cannot be rehearsed"),
        ["store", "copy" | "compact"] => Honoured,
        ["context", "list" | "show"] => Read,
        ["context", "use" | "unset"] => Refused("it only changes the config file"),
        ["login"] => Refused("signing in cannot be rehearsed"),
        ["logout"] => Refused("signing out cannot be rehearsed"),
        ["password", "reset" | "forgot"] => Refused("a password change cannot be rehearsed"),
        ["audit"] => Read,
        ["mail", "list" | "show"] => Read,
        ["mail", "send"] => Refused("delivering mail cannot be rehearsed"),
        ["mail", "retry"] => Honoured,
        ["org", "list" | "show"] => Read,
        ["org", "create" | "update" | "settings" | "transfer"] => Honoured,
        ["user", "list" | "show"] => Read,
        [
            "user",
            "invite" | "add" | "register" | "edit" | "verify" | "enable" | "disable" | "approve"
            | "reject" | "promote" | "demote" | "delete" | "reset-password" | "revoke-sessions"
            | "grant" | "revoke" | "request-role",
        ] => Honoured,
        ["role" | "group" | "program" | "contract", "list" | "show"] => Read,
        ["role", "create" | "edit" | "delete" | "grant" | "revoke"] => Honoured,
        ["group", "create" | "rename" | "delete" | "add" | "remove"] => Honoured,
        [
            "program",
            "create" | "rename" | "delete" | "grant" | "change" | "revoke" | "remove" | "transfer",
        ] => Honoured,
        [
            "contract",
            "create" | "suspend" | "resume" | "end" | "seats",
        ] => Honoured,
        ["invitation", "list"] => Read,
        // Accepting with the link's secret and a password is refused where it runs
        // (`credentials::accept`); an admin's acceptance on someone's behalf is a change.
        ["invitation", "revoke" | "resend" | "accept" | "expire"] => Honoured,
        ["approval", "list"] => Read,
        ["approval", "approve" | "reject"] => Honoured,
        ["token", "list"] => Read,
        ["token", "create" | "revoke"] => Honoured,
        _ => return None,
    };
    Some(p)
}

/// The refusal for --dry-run on the command at `path`, if it refuses it.
pub fn refusal(path: &[&str]) -> Option<String> {
    match policy(path) {
        Some(DryRun::Refused(why)) => Some(format!(
            "--dry-run is not supported by `{}`: {why}; nothing was changed",
            command_line(path)
        )),
        _ => None,
    }
}

fn command_line(path: &[&str]) -> String {
    std::iter::once("roster")
        .chain(path.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn leaves(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        let subs: Vec<_> = cmd
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .collect();
        // A command that runs on its own as well as with a subcommand (`demo`) is a leaf too.
        if subs.is_empty() || !cmd.is_subcommand_required_set() {
            out.push(path.clone());
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            leaves(s, p, out);
        }
    }

    #[test]
    fn every_command_honours_or_refuses_dry_run() {
        let mut all = vec![];
        leaves(&crate::cli::args::Cli::command(), vec![], &mut all);
        assert!(all.len() > 60, "{all:?}");
        for path in all {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            assert!(
                policy(&path).is_some(),
                "`roster {}` must say whether it honours --dry-run",
                path.join(" ")
            );
        }
    }

    #[test]
    fn every_flag_and_argument_says_what_it_is_for() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if a.get_help().is_none() && !["help", "version"].contains(&id) {
                    missing.push(format!("{path} {id}"));
                }
            }
            for s in cmd.get_subcommands() {
                walk(s, &format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = vec![];
        walk(&crate::cli::args::Cli::command(), "roster", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn a_refusal_names_the_command() {
        let m = refusal(&["context", "use"]).unwrap();
        assert!(m.contains("`roster context use`"), "{m}");
        assert_eq!(refusal(&["user", "disable"]), None);
    }
}
