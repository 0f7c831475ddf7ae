//! The backend conformance suite (tests/common/conformance.rs) run against the file
//! store. Each case gets a fresh store in its own temporary folder.

mod common;

use common::conformance;
use roster::backend::file::FileStore;
use tempfile::TempDir;

fn fresh() -> (TempDir, FileStore) {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::create(&tmp.path().join("store")).unwrap();
    (tmp, store)
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let (_tmp, store) = fresh();
            conformance::$name(&store);
        }
    )*};
}

cases!(
    creates_an_organisation,
    account_lifecycle,
    refusal_changes_nothing,
    dry_run_changes_nothing,
    nothing_to_do_records_nothing,
    audit_newest_first_and_filtered,
);

#[test]
fn refresh_sees_an_external_write() {
    let (_tmp, writer) = fresh();
    // A second handle on the same folder stands for another process.
    let reader = FileStore::open(writer.path()).unwrap();
    conformance::refresh_sees_an_external_write(&writer, &reader);
}
