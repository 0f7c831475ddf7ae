//! Group commit: the queue of one handle's writers waiting for the store.
//!
//! A writer puts its command in the queue. If no batch is being committed, it becomes
//! the leader: it takes everything queued (its own command included) and commits the
//! batch with one append and one fsync (`FileStore::commit_batch`). Writers that arrive
//! while a batch is in flight wait, and the next leader takes them all at once, so with
//! many writers each fsync carries many commands. Every writer returns only once its
//! own result is posted, which happens after the batch's fsync.

use crate::backend::BackendError;
use crate::core::precondition::Precondition;
use crate::core::{Command, Principal, Recorded};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// One queued command.
pub struct Job {
    pub ticket: u64,
    pub who: Principal,
    pub cmd: Command,
    pub pre: Option<Precondition>,
}

pub type Outcome = Result<Vec<Recorded>, BackendError>;

#[derive(Default)]
struct State {
    next_ticket: u64,
    waiting: Vec<Job>,
    /// A leader is committing a batch right now.
    busy: bool,
    /// Results not yet picked up by their writers.
    done: HashMap<u64, Outcome>,
}

#[derive(Default)]
pub struct Queue {
    state: Mutex<State>,
    posted: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues the command and returns its outcome; `commit` is called (by whichever
    /// writer leads) with a batch in arrival order and returns one outcome per job.
    pub fn submit(
        &self,
        who: &Principal,
        cmd: &Command,
        pre: Option<&Precondition>,
        commit: impl Fn(Vec<Job>) -> Vec<(u64, Outcome)>,
    ) -> Outcome {
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.waiting.push(Job {
            ticket,
            who: who.clone(),
            cmd: cmd.clone(),
            pre: pre.cloned(),
        });
        loop {
            if let Some(outcome) = state.done.remove(&ticket) {
                return outcome;
            }
            if state.busy {
                state = self
                    .posted
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Lead: our own job is still queued (nobody else took it, or its result
            // would be posted), so the batch contains it.
            state.busy = true;
            let batch = std::mem::take(&mut state.waiting);
            let tickets: Vec<u64> = batch.iter().map(|j| j.ticket).collect();
            drop(state);
            let mut lead = Lead {
                queue: self,
                tickets,
                results: None,
            };
            lead.results = Some(commit(batch));
            drop(lead);
            state = self.lock();
        }
    }
}

/// Posts a batch's results and hands leadership on, also if the commit panicked (then
/// every writer of the batch gets an error instead of waiting forever).
struct Lead<'a> {
    queue: &'a Queue,
    tickets: Vec<u64>,
    results: Option<Vec<(u64, Outcome)>>,
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        let mut results = self.results.take().unwrap_or_default();
        // Every job of the batch gets an answer, whatever `commit` returned.
        for t in &self.tickets {
            if !results.iter().any(|(r, _)| r == t) {
                results.push((
                    *t,
                    Err(BackendError::Io(
                        "the command was not committed: the write failed unexpectedly; try again"
                            .into(),
                    )),
                ));
            }
        }
        state.done.extend(results);
        state.busy = false;
        self.queue.posted.notify_all();
    }
}

/// The same error again, for each writer of a batch that failed as a whole.
pub fn copy(e: &BackendError) -> BackendError {
    match e {
        BackendError::Refused(d) => BackendError::Refused(d.clone()),
        BackendError::Busy(s) => BackendError::Busy(s.clone()),
        BackendError::Corrupt(s) => BackendError::Corrupt(s.clone()),
        BackendError::Missing(s) => BackendError::Missing(s.clone()),
        BackendError::Io(s) => BackendError::Io(s.clone()),
        BackendError::Unauthorized(s) => BackendError::Unauthorized(s.clone()),
        BackendError::Unreachable(s) => BackendError::Unreachable(s.clone()),
    }
}
