//! msstore-submit: ship Windows apps, package flights and add-ons to the Microsoft Store
//! through the Partner Center submission API, from CI or a terminal.
//!
//! The binary is a thin wrapper around [`run::main`]. Rooms, one job each:
//! [`config`] (inputs), [`auth`] (tokens), [`api`] (the Partner Center client),
//! [`submission`] (the flows), [`products`] (flights and add-ons: list, create, delete),
//! `rollout` (the `rollout` command), [`package`] (the zip), [`upload`] (blob upload),
//! [`report`] (GitHub / Azure Pipelines / plain output), [`simulator`] (the built-in
//! Partner Center), `secrets` (masking).
//!
//! Public are only the modules that `main.rs`, the integration tests (`tests/`), `examples/`
//! and the fuzz targets reach into; the rest is `pub(crate)`, so that rustc reports what
//! nothing uses.

pub mod api;
pub mod auth;
pub mod config;
pub(crate) mod error;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod fuzzing;
pub mod listings;
pub(crate) mod net;
pub mod package;
pub mod products;
pub(crate) mod progress;
pub mod report;
pub(crate) mod rollout;
pub mod run;
pub(crate) mod secrets;
pub mod simulator;
pub mod submission;
pub mod upload;

pub use error::{Error, ExitCode, Result};
