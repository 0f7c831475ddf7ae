//! The local file store.
