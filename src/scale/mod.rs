//! Scale: a generator of large realistic stores (`roster demo generate`) and the
//! benchmark that measures the console, the store and the server on them
//! (`roster bench`). See README "Performance".

pub mod bench;
pub mod drive;
pub mod generate;
pub mod names;
pub mod rng;
pub mod size;
