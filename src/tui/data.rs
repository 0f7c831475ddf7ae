//! What the console shows, copied out of the directory. Effects build a `Snapshot` on a
//! blocking thread; the `App` keeps it and never touches the backend. All rows are
//! owned values so drawing needs no lock and no query.
//!
//! One name for the data layer: the rows (`rows`), the load (`snapshot`), the detail
//! views' shape (`sections`) and their building (`details`).

pub use super::details::*;
pub use super::rows::*;
pub use super::sections::*;
pub use super::snapshot::*;
