//! The Users tab sorts a million rows by packed 16-byte prefixes (`SortPrefix`); this
//! checks that the order is exactly `query::compare_accounts`'s, on names that stress
//! the packing: accents and capitals (lowercased by char), CJK and emoji (multi-byte,
//! cut at the 16th byte), empty names, names that are prefixes of others, repeats (ties
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
