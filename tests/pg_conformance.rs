//! The backend conformance suite (tests/common/conformance.rs) run against the
//! PostgreSQL store, each case in a database of its own. Needs
//! `ROSTER_TEST_DATABASE_URL` (see tests/pg_support).

mod common;
mod pg_support;

use common::conformance;
use pg_support::TestDb;

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let Some(db) = TestDb::create(stringify!($name)) else { return };
            conformance::$name(&db.open());
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
    let Some(db) = TestDb::create("refresh_sees_an_external_write") else {
        return;
    };
    // A second store on the same database stands for another replica.
    let (writer, reader) = (db.open(), db.open());
    conformance::refresh_sees_an_external_write(&writer, &reader);
}
