//! The submission flows: app, flight and add-on submissions share one path —
//! clone → patch → PUT → upload → commit → wait ([`flow`]); the JSON edits live in
//! [`edit`], status polling in [`wait`].

pub mod edit;
pub mod files;
pub mod flow;
pub mod preflight;
pub mod release;
pub mod safety;
pub mod verify;
pub mod wait;
