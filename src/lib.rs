//! msstore-submit: ship Windows apps, package flights and add-ons to the Microsoft Store
//! through the Partner Center submission API, from CI or a terminal.
//!
//! The binary is a thin wrapper around [`run::main`]; the commands are in `commands`, one
//! file each. ARCHITECTURE.md at the repository root describes the rooms, which may use
//! which, and how a submission goes through them.
//!
//! Public are only the modules that `main.rs`, the integration tests (`tests/`), `examples/`
//! and the fuzz targets reach into; the rest is `pub(crate)`, so that rustc reports what
//! nothing uses.

pub mod api;
pub mod auth;
pub(crate) mod commands;
pub mod config;
pub(crate) mod error;
pub(crate) mod escape;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod listings;
pub(crate) mod msi;
pub(crate) mod net;
pub mod package;
pub mod products;
pub(crate) mod progress;
pub mod report;
pub mod retry;
#[cfg(test)]
mod rooms;
pub mod run;
pub(crate) mod secrets;
pub mod simulator;
pub(crate) mod store_api;
pub mod submission;
pub mod upload;

pub use error::{Error, ExitCode, Result};
