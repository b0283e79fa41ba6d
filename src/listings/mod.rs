//! Store listings as code (docs/listings.md, issue 18): a folder holding a product's
//! listings as files — text per field and language, images by type in order with their
//! captions, trailers, add-on listings — that `pull` writes from the live listing and
//! `submit` with `listings-dir` applies to the cloned submission, uploading only what is
//! not live yet.
//!
//! Here: [`apply`] (folder → submission), [`pull`] (submission → folder), [`pdp`]
//! (StoreBroker PDP files → folder). The layout itself, reading a folder, its lint, the
//! Store's limits and the state file are input reading: `crate::config::listings`.

pub mod apply;
pub mod pdp;
pub mod pull;

pub use apply::apply;
