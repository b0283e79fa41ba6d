//! The commands, one file each, and what they share.

pub(crate) mod rollout;
pub(crate) mod status;
