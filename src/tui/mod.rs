//! The full-screen console.

use crate::backend::Backend;
use crate::core::{OrgId, Principal};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the console needs to start, resolved by the command line.
pub struct Launch {
    /// `None` when no store exists yet: the console offers to create one at `store_path`.
    pub backend: Option<Arc<dyn Backend>>,
    pub store_path: PathBuf,
    pub principal: Principal,
    /// The organisation to open on (`--org`); otherwise the principal's own or the first.
    pub org: Option<OrgId>,
}

/// Runs the console until the user quits. The terminal is restored on every exit path.
pub fn run(_launch: Launch) -> color_eyre::Result<()> {
    Err(color_eyre::eyre::eyre!("the console is being built"))
}
