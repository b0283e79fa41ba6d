//! The submission flows: app, flight and add-on submissions share one path —
//! clone → patch → PUT → upload → commit → wait (`flow`); the JSON edits live in
//! [`edit`], status polling in [`wait`].

pub mod edit;
pub(crate) mod flow;
pub(crate) mod preflight;
pub(crate) mod release;
pub(crate) mod safety;
pub(crate) mod verify;
pub mod wait;
