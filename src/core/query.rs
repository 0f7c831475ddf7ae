//! Queries over the directory.
