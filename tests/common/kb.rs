//! The Knowledge Base samples under `fixtures/kb` (see its README).

use std::path::{Path, PathBuf};

use msmail::codepage::decode_cp850;

/// The path of the KB sample `name`.
pub fn kb(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/kb")
        .join(name)
}

/// The KB sample `name` as text (it is CP850).
pub fn text(name: &str) -> String {
    decode_cp850(&std::fs::read(kb(name)).unwrap()).into_owned()
}
