//! The pure core: model, commands, events, rules, policy and queries. No I/O, no clock,
//! no randomness: time and secrets come in as arguments, ids from the directory's counter.

pub mod command;
pub mod decide;
pub mod directory;
pub mod email_index;
pub mod error;
pub mod event;
pub mod ids;
pub mod invariants;
pub mod mail;
pub mod mail_record;
pub mod model;
pub mod perms;
pub mod policy;
pub mod precondition;
pub mod query;
pub mod summary;
pub mod token;
pub mod validate;
pub mod visibility;
pub mod wording;

pub use command::Command;
pub use decide::{decide, execute};
pub use directory::Directory;
pub use error::{Decision, DomainError};
pub use event::{Event, Origin, Recorded};
pub use ids::*;
pub use model::*;
pub use token::Token;
