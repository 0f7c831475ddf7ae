//! `roster audit`: which part of the audit trail to show. Only parsing lives here.

use clap::Args;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events by actors whose email contains this.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only events of this type, e.g. account_disabled.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only events whose summary contains this.
    #[arg(long)]
    pub text: Option<String>,
    /// At most this many events (0: all of them).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}
