//! The config file (its schema lives in `oxfolio-run`) and where the shipped files are.

use std::path::{Path, PathBuf};

pub use oxfolio_run::config::{Config, LoggingConfig};

/// A file shipped in the repository (`rel` from its root): under the current folder when
/// run from a checkout, else in the source tree this binary was built from.
pub fn shipped(rel: &str) -> PathBuf {
    let local = Path::new(rel);
    if local.is_file() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}
