//! roster: administer who may do what in multi-tenant organisations.
//!
//! `core` holds every rule and is pure; `backend` keeps the state; `cli` and `tui` are
//! the two faces over it.

pub mod backend;
pub mod cli;
pub mod config;
pub mod core;
pub mod credentials;
pub mod demo;
pub mod mail;
pub mod scale;
pub mod secret;
pub mod server;
pub mod text;
pub mod tui;
