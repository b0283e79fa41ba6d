//! Store listings as code (docs/listings.md, issue 18): a folder holding a product's
//! listings as files — text per field and language, images by type in order with their
//! captions, trailers, add-on listings — that `pull` writes from the live listing and
//! `submit` with `listings-dir` applies to the cloned submission, uploading only what is
//! not live yet.
//!
//! Rooms: [`model`] (the layout, reading a folder, the lint), [`limits`] (the Store's
//! limits), [`state`] (the state file), [`apply`] (folder → submission), [`pull`]
//! (submission → folder).

pub mod apply;
pub mod limits;
pub mod model;
pub mod pdp;
pub mod pull;
pub mod state;

pub use apply::{Outcome, apply};
pub use model::{Folder, load};
