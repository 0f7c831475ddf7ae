//! What the person is told: the result line's note and its tone, and the progress of
//! a run of commands. Plain data, shared by the state, the logic and the views.

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
