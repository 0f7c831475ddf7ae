//! The Users tab sorts a million rows by packed 24-byte prefixes (`SortPrefix`); this
//! checks that the order is exactly `query::compare_accounts`'s, on names that stress
//! the packing: accents and capitals (lowercased by char), CJK and emoji (multi-byte,
//! cut at the 24th byte), empty names, names that are prefixes of others, repeats (ties
//! decided by the id) and a NUL.

use super::data::UserRow;
use super::list::List;
use crate::core::query::{self, AccountSort};
use crate::core::*;
use proptest::prelude::*;
use std::sync::Arc;

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "a",
        "ab",
        "Ab",
        "abc",
        "Åsa",
        "åsa",
        "Garcia",
        "García",
        "garcía-lópez",
        "Ng",
        "NG",
        "Øster",
        "山田",
        "山田由紀",
        "😀",
        "😀😀😀😀😀",
        "Marie-Hélène",
        "aaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaab",
        "aaaaaaaaaaaaaaaaa",
        "a\0b",
        "ΣΊΣΥΦΟΣ",
        "ß",
    ])
    .prop_map(str::to_string)
}

fn account(id: u64, last: String, first: String, email: String) -> Arc<Account> {
    Arc::new(Account {
        id: AccountId(id),
        org: OrgId(1),
        email,
        first_name: first,
        last_name: last,
        verified: true,
        enabled: true,
        approval: Approval::Approved,
        level: Level::Member,
        roles: vec![],
        created: jiff::Timestamp::UNIX_EPOCH,
        version: 1,
    })
}

proptest! {
    #[test]
    fn the_users_tab_orders_rows_as_compare_accounts_does(
        people in prop::collection::vec((name(), name(), name()), 0..60),
        column in 0usize..2,
        descending in any::<bool>(),
    ) {
        let accounts: Vec<Arc<Account>> = people
            .into_iter()
            .enumerate()
            .map(|(i, (last, first, local))| {
                // Ids out of order, so the order is not the loaded one by luck.
                let id = (i as u64 * 7919) % 1009 + 1;
                account(id, last, first, format!("{local}@x.example"))
            })
            .collect();
        let mut list: List<UserRow> = List::default();
        list.sort = column;
        list.descending = descending;
        let rows = accounts
            .iter()
            .map(|a| UserRow { account: a.clone(), level_name: "Member".into() })
            .collect();
        list.set_rows(rows, |_| true);
        let shown: Vec<AccountId> = list.window(0, usize::MAX).map(|r| r.account.id).collect();

        let sort = AccountSort::ALL[column];
        let mut expected = accounts.clone();
        expected.sort_by(|a, b| {
            let o = query::compare_accounts(a, b, sort);
            if descending { o.reverse() } else { o }
        });
        let expected: Vec<AccountId> = expected.iter().map(|a| a.id).collect();
        prop_assert_eq!(shown, expected);
    }
}

proptest! {
    #[test]
    fn cmp_lower_orders_as_lowercased_chars(a in ".{0,12}", b in ".{0,12}", shared in "[a-zA-Z]{0,6}") {
        // A shared ASCII start, so the byte-by-byte part runs before the char-by-char one.
        let (a, b) = (format!("{shared}{a}"), format!("{shared}{b}"));
        let slow = a.chars().flat_map(char::to_lowercase).cmp(b.chars().flat_map(char::to_lowercase));
        prop_assert_eq!(query::cmp_lower(&a, &b), slow);
    }
}

/// A list large enough to be sorted on two threads (prefixes sorted per half, then
/// merged) orders exactly as `compare_accounts` too, in both columns and directions.
#[test]
fn a_large_list_sorted_on_two_threads_orders_as_compare_accounts_does() {
    let names = [
        "Garcia",
        "García",
        "garcía-lópez de la fuente",
        "Смирнова",
        "Ångström",
        "山田由紀子",
        "Ng",
        "NG",
        "aaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaab",
        "😀😀😀😀😀",
    ];
    let accounts: Vec<Arc<Account>> = (0..60_000u64)
        .map(|i| {
            // Ids scattered, names repeating: most rows tie on their prefixes.
            let id = (i * 7_919) % 1_000_003 + 1;
            let last = names[(i % 11) as usize];
            let first = names[((i / 11) % 11) as usize];
            account(
                id,
                last.into(),
                first.into(),
                format!("{first}.{}@x.example", i % 7),
            )
        })
        .collect();
    for column in 0..2 {
        for descending in [false, true] {
            let mut list: List<UserRow> = List::default();
            list.sort = column;
            list.descending = descending;
            let rows = accounts
                .iter()
                .map(|a| UserRow {
                    account: a.clone(),
                    level_name: "Member".into(),
                })
                .collect();
            list.set_rows(rows, |_| true);
            let shown: Vec<AccountId> = list.window(0, usize::MAX).map(|r| r.account.id).collect();
            let mut expected = accounts.clone();
            expected.sort_by(|a, b| {
                let o = query::compare_accounts(a, b, AccountSort::ALL[column]);
                if descending { o.reverse() } else { o }
            });
            let expected: Vec<AccountId> = expected.iter().map(|a| a.id).collect();
            assert!(
                shown == expected,
                "column {column}, descending {descending}"
            );
        }
    }
}

proptest! {
    /// A reload keeps the order on hand when no row moved and sorts again when one did;
    /// either way the rows end in the order a fresh list gives them.
    #[test]
    fn a_reload_orders_rows_as_a_fresh_list_does(
        people in prop::collection::vec((name(), name()), 1..40),
        renames in prop::collection::vec((any::<prop::sample::Index>(), name()), 0..3),
        verify in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        column in 0usize..2,
        descending in any::<bool>(),
    ) {
        let before: Vec<Arc<Account>> = people
            .into_iter()
            .enumerate()
            .map(|(i, (last, first))| account(i as u64 + 1, last, first, format!("p{i}@x.example")))
            .collect();
        let mut after = before.clone();
        for (at, last) in renames {
            let a = &mut after[at.index(before.len())];
            Arc::make_mut(a).last_name = last;
        }
        for at in verify {
            // A change that moves nothing in either column.
            let a = &mut after[at.index(before.len())];
            Arc::make_mut(a).verified = !a.verified;
        }
        let rows = |accounts: &[Arc<Account>]| -> Vec<UserRow> {
            accounts
                .iter()
                .map(|a| UserRow { account: a.clone(), level_name: "Member".into() })
                .collect()
        };
        let shown = |list: &List<UserRow>| -> Vec<AccountId> {
            list.window(0, usize::MAX).map(|r| r.account.id).collect()
        };
        let mut reloaded: List<UserRow> = List::default();
        reloaded.sort = column;
        reloaded.descending = descending;
        reloaded.set_rows(rows(&before), |_| true);
        reloaded.set_rows(rows(&after), |_| true);
        let mut fresh: List<UserRow> = List::default();
        fresh.sort = column;
        fresh.descending = descending;
        fresh.set_rows(rows(&after), |_| true);
        prop_assert_eq!(shown(&reloaded), shown(&fresh));
    }
}
