//! MSI and EXE products (docs/msi-exe.md): Win32 apps whose installers the publisher hosts,
//! submitted through the Store's second API (src/store_api/). Their inputs and vocabulary
//! are in `config::msi`.
//!
//! [`flow`] is `submit` (and `status`) for them: read the draft, change packages and
//! metadata modules (each written back whole), commit the packages, submit, follow the
//! status. [`preflight`] reads the first bytes of every new installer before anything is
//! written.

pub mod flow;
pub mod listings;
pub mod preflight;

pub use crate::config::msi::*;
