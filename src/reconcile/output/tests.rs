//! Unit tests of the reconcile output writers.

use super::files::write_file;
use super::*;

#[test]
fn hashing_writer_hash_equals_bytes_hash() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_file(dir.path(), "a/b.txt", false, |w| {
        w.write_all(b"hello ")
            .and_then(|_| w.write_all(b"world"))
            .map_err(|e| Error::output("x", e.to_string()))
    })
    .unwrap();
    let bytes = std::fs::read(dir.path().join("a/b.txt")).unwrap();
    assert_eq!(w.sha256, sha256_hex(&bytes));
    assert_eq!(
        w.sha256,
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    );
    // A content error is reported as itself, and nothing is left behind.
    let err = write_file(dir.path(), "c.txt", false, |_| {
        Err(Error::Unrepresentable("no".into()))
    })
    .unwrap_err();
    assert!(matches!(err, Error::Unrepresentable(_)));
    assert!(!dir.path().join("c.txt").exists());
}

#[test]
fn out_dir_may_not_overlap_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server");
    std::fs::create_dir_all(server.join("GLB")).unwrap();
    let ev = dir.path().join("ev.txt");
    std::fs::write(&ev, b"x").unwrap();
    let inputs = [server.as_path(), ev.as_path()];
    // Inside the server, the server itself, an ancestor of it: refused.
    for bad in [
        server.join("out"),
        server.join("GLB/new/deeper"),
        server.clone(),
        dir.path().to_path_buf(),
    ] {
        assert_eq!(
            check_out_not_input(&bad, &inputs).unwrap_err().exit_code(),
            4,
            "{bad:?}"
        );
    }
    // A sibling folder, existing or not: fine.
    check_out_not_input(&dir.path().join("out"), &inputs).unwrap();
    check_out_not_input(&dir.path().join("a/b"), &inputs).unwrap();
}

#[test]
fn out_dir_must_be_empty_without_force() {
    let dir = tempfile::tempdir().unwrap();
    check_out_dir(dir.path(), false).unwrap();
    std::fs::write(dir.path().join("x"), b"x").unwrap();
    assert_eq!(check_out_dir(dir.path(), false).unwrap_err().exit_code(), 4);
    check_out_dir(dir.path(), true).unwrap();
    check_out_dir(&dir.path().join("new"), false).unwrap();
}
