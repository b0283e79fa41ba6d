//! Packaging: the manifests (`manifest`) and the upload zip itself (`zip`). Which files are
//! packages and which zip entry names are acceptable are input rules, declared with the
//! inputs (`config/package_files.rs`) and re-exported here.

pub mod checks;
pub mod manifest;
pub(crate) mod zip;

pub use self::zip::{ZipSummary, build_zip};
pub use crate::config::package_files::{
    FolderFiles, PACKAGE_EXTENSIONS, entry_name_problem, escapes_root, files_under,
    is_package_file_name, png_dimensions, zip_entry_names,
};
