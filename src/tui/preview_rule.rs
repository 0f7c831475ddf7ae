//! Which changes are decided and shown before they happen, and how the one question
//! reads once the core has decided them (`Effect::Preview`). Pure: the verdicts come in
//! from the runtime, the question and the jobs to commit go out.

use super::dialogs::Confirm;
use super::msg::{Job, Plan, Verdict};
use crate::core::Command;

/// Steps that are destructive or leave the screen (a mail): never done unannounced.
pub fn destructive(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Disable { .. }
            | Command::DeleteAccount { .. }
            | Command::Demote { .. }
            | Command::Reject { .. }
            | Command::TransferOwnership { .. }
            | Command::TransferProgram { .. }
            | Command::SuspendContract { .. }
            | Command::EndContract { .. }
            | Command::ChangeSeats { .. }
            | Command::RequestPasswordReset { .. }
            | Command::RevokeSessions { .. }
            | Command::RevokeToken { .. }
            | Command::DeleteRole { .. }
            | Command::DeleteGroup { .. }
            | Command::DeleteProgram { .. }
            | Command::RevokeInvitation { .. }
    )
}

/// What cannot be taken back once done, in words (None: it can be undone).
pub fn final_step(cmd: &Command) -> Option<&'static str> {
    match cmd {
        Command::DeleteAccount { .. }
        | Command::DeleteRole { .. }
        | Command::DeleteGroup { .. }
        | Command::DeleteProgram { .. } => Some("Deletion cannot be undone."),
        Command::RequestPasswordReset { .. } => {
            Some("A mail is sent: it cannot be called back once sent.")
        }
        Command::EndContract { .. } => Some("An ended contract cannot be resumed."),
        _ => None,
    }
}

/// The row a job is about: its label up to ": " (an edit form's several steps are one
/// target).
fn target(job: &Job) -> &str {
    job.label.split(": ").next().unwrap_or(&job.label)
}

/// More than one target, or any destructive step. The approval queue's decisions on
/// pending requests keep their one key each (they are what the queue is for).
pub fn needs_preview(jobs: &[Job]) -> bool {
    if jobs.iter().all(|j| matches!(j.cmd, Command::Decide { .. })) {
        return false;
    }
    let first = jobs.first().map(target);
    jobs.iter().any(|j| destructive(&j.cmd)) || jobs.iter().any(|j| Some(target(j)) != first)
}

/// The plain question for `jobs`: the title, and the run's verb on the yes button.
pub fn plan(title: String, jobs: Vec<Job>, stop_on_refusal: bool) -> Plan {
    let yes = title.split_whitespace().next().unwrap_or("Go").to_string();
    let danger = jobs.iter().any(|j| destructive(&j.cmd));
    Plan {
        ask: Confirm {
            title: title.clone(),
            lines: vec![],
            yes,
            danger,
        },
        final_step: jobs
            .iter()
            .find_map(|j| final_step(&j.cmd))
            .map(String::from),
        title,
        jobs,
        then: vec![],
        notes: vec![],
        stop_on_refusal,
    }
}

/// What the core's verdicts come to.
#[derive(Debug, PartialEq)]
pub enum Decided {
    /// Nothing would go through: (target, why) for each, said at once, never asked.
    AllRefused(Vec<(String, String)>),
    /// Ask once; `jobs` (the allowed ones and what follows them) run after `y`.
    Ask { ask: Confirm, jobs: Vec<Job> },
}

/// At most this many targets are listed one by one; the rest are counted.
const LISTED: usize = 12;

/// Turns the verdicts into the question: per target what will happen and what will be
/// refused and why, surprising transitions spelled out, and what cannot be undone.
pub fn decide(plan: Plan, verdicts: &[Verdict]) -> Decided {
    let mut allowed = vec![];
    let mut refused = vec![];
    let mut done_lines = vec![];
    let mut refused_lines = vec![];
    for (job, verdict) in plan.jobs.iter().zip(verdicts) {
        let note = plan
            .notes
            .iter()
            .find(|(l, _)| *l == job.label)
            .map(|(_, n)| format!(" ({n})"))
            .unwrap_or_default();
        match verdict {
            Verdict::Allowed(what) => {
                allowed.push(job.clone());
                allowed.extend(plan.then.iter().filter(|t| t.label == job.label).cloned());
                let what = if what.is_empty() {
                    job.cmd.verb().to_string()
                } else {
                    what.join("; ")
                };
                done_lines.push(format!("✓ {}: {what}{note}", job.label));
            }
            Verdict::Refused(why) | Verdict::Failed(why) => {
                refused.push((job.label.clone(), why.clone()));
                refused_lines.push(format!("✗ {}: refused — {why}", job.label));
            }
        }
    }
    if allowed.is_empty() {
        return Decided::AllRefused(refused);
    }
    let mut lines = plan.ask.lines.clone();
    let count = plan.jobs.len();
    if !refused.is_empty() {
        lines.push(format!(
            "{} of {count} will be done; {} refused (nothing is tried for those):",
            count - refused.len(),
            refused.len()
        ));
    }
    // What will be done first, then what will be refused.
    let listed = done_lines.len() + refused_lines.len();
    lines.extend(done_lines.into_iter().chain(refused_lines).take(LISTED));
    if listed > LISTED {
        lines.push(format!("… and {} more", listed - LISTED));
    }
    if let Some(f) = &plan.final_step {
        // Said before the list, where a long list cannot push it off the screen.
        lines.insert(plan.ask.lines.len(), f.clone());
    }
    Decided::Ask {
        ask: Confirm { lines, ..plan.ask },
        jobs: allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::AccountId;

    fn j(label: &str, cmd: Command) -> Job {
        Job {
            label: label.into(),
            cmd,
        }
    }

    #[test]
    fn one_safe_step_on_one_target_runs_at_once_and_bulk_or_destructive_asks() {
        let a = AccountId(1);
        let b = AccountId(2);
        assert!(!needs_preview(&[j("a", Command::Verify { account: a })]));
        assert!(needs_preview(&[j("a", Command::Disable { account: a })]));
        assert!(needs_preview(&[
            j("a", Command::Verify { account: a }),
            j("b", Command::Verify { account: b })
        ]));
        // One edit form's steps are one target.
        assert!(!needs_preview(&[
            j("a: names and email", Command::Verify { account: a }),
            j("a: enable", Command::Enable { account: a })
        ]));
    }

    #[test]
    fn refusals_are_listed_before_asking_and_only_allowed_jobs_run() {
        let a = AccountId(1);
        let b = AccountId(2);
        let plan = plan(
            "Disable 2 accounts".into(),
            vec![
                j("a@x", Command::Disable { account: a }),
                j("b@x", Command::Disable { account: b }),
            ],
            false,
        );
        let d = decide(
            plan.clone(),
            &[
                Verdict::Allowed(vec!["disabled a@x".into()]),
                Verdict::Refused("the owner cannot be disabled".into()),
            ],
        );
        let Decided::Ask { ask, jobs } = d else {
            panic!("asks")
        };
        assert_eq!(jobs.len(), 1);
        assert!(
            ask.lines
                .iter()
                .any(|l| l.contains("✗ b@x: refused — the owner"))
        );
        assert_eq!(
            decide(
                plan,
                &[Verdict::Refused("no".into()), Verdict::Refused("no".into())]
            ),
            Decided::AllRefused(vec![
                ("a@x".into(), "no".into()),
                ("b@x".into(), "no".into())
            ])
        );
    }
}
