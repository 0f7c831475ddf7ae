//! The two account reads a console makes most, answered from the directory itself with
//! each account redacted for the caller as it is read (`visibility::AccountSight`, the
//! rule `visibility::redact` applies), instead of from a copy of the caller's whole
//! view. That copy was rebuilt after every write (seconds at a million accounts), so
//! every read after a write waited for it.
//!
//! - one account: look it up, redact that one record;
//! - a page of the account list filtered by the account's own fields (words, status,
//!   approval, level, verified): scan the organisation's accounts once, matching words
//!   without allocating, and sort only as far as the page reaches. Filters that look
//!   at other records (`role`, `group`, `program`) depend on which of those the caller
//!   may see, so those pages still come from the view (`None` here).
//!
//! Both give exactly the answers the view gives (tests below check it on generated data).

use crate::core::query::{self, AccountQuery, Page};
use crate::core::visibility::AccountSight;
use crate::core::{Account, Directory, OrgId, Principal};
use jiff::Timestamp;
use std::cmp::Ordering;
use std::sync::Arc;

/// Account `id` (one of `org`'s) as `who` sees it; `None` when it is hidden from them.
pub fn one(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    id: crate::core::AccountId,
    now: Timestamp,
) -> Option<Arc<Account>> {
    let a = dir.accounts.get(&id).filter(|a| a.org == org)?;
    AccountSight::new(dir, who, org, now)?.account(a)
}

/// Whether `page` can answer `q` (it filters only by the account's own fields).
pub fn answers(q: &AccountQuery) -> bool {
    q.role.is_none() && q.group.is_none() && q.program.is_none()
}

/// `query::accounts` over `who`'s view of `org`, without building the view; `None`
/// when the query needs the view (see `answers`).
pub fn page(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    q: &AccountQuery,
    now: Timestamp,
) -> Option<Page<Arc<Account>>> {
    if !answers(q) {
        return None;
    }
    let Some(sight) = AccountSight::new(dir, who, org, now) else {
        return Some(Page {
            items: Vec::new(),
            total: 0,
            offset: q.offset,
        });
    };
    let words: Vec<String> = q
        .text
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut hay = String::new();
    let mut rows: Vec<&Arc<Account>> = dir
        .accounts
        .values()
        .filter(|a| {
            a.org == org
                && sight.sees(a)
                && q.status.matches(a)
                && q.approval.is_none_or(|x| a.approval == x)
                && q.level.is_none_or(|x| a.level == x)
                && q.verified.is_none_or(|x| a.verified == x)
                && words_match(a, &q.text, &words, &mut hay)
        })
        .collect();
    let total = rows.len();
    let order = |a: &&Arc<Account>, b: &&Arc<Account>| -> Ordering {
        let o = query::compare_accounts(a, b, q.sort);
        if q.descending { o.reverse() } else { o }
    };
    // The order is total (it ends with the id), so sorting only the rows up to the
    // page's end gives the same page as sorting them all.
    let end = if q.limit == 0 {
        total
    } else {
        q.offset.saturating_add(q.limit).min(total)
    };
    if end < total {
        rows.select_nth_unstable_by(end, order);
        rows.truncate(end);
    }
    rows.sort_unstable_by(order);
    let items = rows
        .into_iter()
        .skip(q.offset)
        .filter_map(|a| sight.account(a))
        .collect();
    Some(Page {
        items,
        total,
        offset: q.offset,
    })
}

/// `query::text_matches(a, text)`, with `words` the lowercased words of `text`, built
/// in `hay` (reused) instead of a new string per account. Lowercasing char by char is
/// what `str::to_lowercase` does except for a capital sigma, whose lowercase depends on
/// its neighbours: accounts with one go the slow way.
fn words_match(a: &Account, text: &str, words: &[String], hay: &mut String) -> bool {
    if words.is_empty() {
        return true;
    }
    // ASCII words (most searches) are found in the fields as they are, ignoring ASCII
    // case: lowercasing leaves the ASCII letters where they were, and no other
    // character lowercases to ASCII except these two (a test checks every char).
    let fields = [&a.first_name, &a.last_name, &a.email];
    if words.iter().all(|w| w.is_ascii())
        && fields
            .iter()
            .all(|f| f.is_ascii() || !f.contains(LOWER_TO_ASCII))
    {
        return words.iter().all(|w| {
            fields
                .iter()
                .any(|f| contains_ignoring_ascii_case(f.as_bytes(), w.as_bytes()))
        });
    }
    hay.clear();
    for (i, field) in [&a.first_name, &a.last_name, &a.email]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            hay.push(' ');
        }
        if field.is_ascii() {
            let start = hay.len();
            hay.push_str(field);
            hay[start..].make_ascii_lowercase();
        } else if field.contains('Σ') {
            return query::text_matches(a, text);
        } else {
            hay.extend(field.chars().flat_map(char::to_lowercase));
        }
    }
    words.iter().all(|w| hay.contains(w.as_str()))
}

/// The non-ASCII characters whose lowercase has ASCII in it: the capital I with a dot
/// (`i` and a combining dot) and the Kelvin sign (`k`).
const LOWER_TO_ASCII: [char; 2] = ['\u{130}', '\u{212A}'];

/// Whether `hay` contains `word` (lowercase ASCII), ignoring ASCII case.
fn contains_ignoring_ascii_case(hay: &[u8], word: &[u8]) -> bool {
    let Some((&first, rest)) = word.split_first() else {
        return true;
    };
    // Most places fail on the first byte: test it alone before the rest.
    let upper = first.to_ascii_uppercase();
    hay.windows(word.len()).any(|w| {
        w.split_first()
            .is_some_and(|(&b, tail)| (b == first || b == upper) && tail.eq_ignore_ascii_case(rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::query::{AccountSort, StatusFilter};
    use crate::core::visibility;
    use crate::core::{Approval, Level, perms, policy};

    fn generated(accounts: usize) -> Directory {
        let spec = crate::scale::generate::Spec {
            accounts,
            orgs: 2,
            seed: 7,
        };
        match crate::scale::generate::build(&spec, &mut |_| Ok(())) {
            Ok((dir, _)) => dir,
            Err(e) => panic!("the generator failed: {e}"),
        }
    }

    /// Callers with different sight: the operator, someone of each level, someone
    /// without `members.read`, someone without `roles.read`, and someone of the other
    /// organisation (who reaches nothing here).
    fn callers(dir: &Directory, org: OrgId, now: Timestamp) -> Vec<Principal> {
        let mut out = vec![Principal::Operator, Principal::Anonymous];
        let mut want = |pred: &dyn Fn(&Principal) -> bool| {
            if let Some(a) = dir
                .accounts
                .values()
                .find(|a| a.org == org && pred(&Principal::Account { id: a.id }))
            {
                out.push(Principal::Account { id: a.id });
            }
        };
        let has =
            |p: &Principal, perm: &str| policy::org_permissions(dir, p, org, now).contains(perm);
        want(&|p| has(p, perms::MEMBERS_READ) && has(p, perms::ROLES_READ));
        want(&|p| has(p, perms::MEMBERS_READ) && !has(p, perms::ROLES_READ));
        want(&|p| !has(p, perms::MEMBERS_READ));
        if let Some(a) = dir.accounts.values().find(|a| a.org != org) {
            out.push(Principal::Account { id: a.id });
        }
        out
    }

    fn queries() -> Vec<AccountQuery> {
        let texts = [
            "", "garcia", "garcía", "GARCÍA", "a", "lu an", "山田", "example", "ö", "zz-none", "σ",
            "e t",
        ];
        let sorts = [
            AccountSort::Name,
            AccountSort::Email,
            AccountSort::Level,
            AccountSort::Status,
            AccountSort::Created,
        ];
        let mut out = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            for (j, sort) in sorts.iter().enumerate() {
                let k = i * sorts.len() + j;
                out.push(AccountQuery {
                    text: text.to_string(),
                    status: [
                        StatusFilter::Active,
                        StatusFilter::Disabled,
                        StatusFilter::Any,
                    ][k % 3],
                    approval: [None, Some(Approval::Pending), Some(Approval::Approved)][k % 3],
                    level: [None, None, Some(Level::Member), Some(Level::Admin)][k % 4],
                    verified: [None, Some(true), None, Some(false)][(k / 2) % 4],
                    sort: *sort,
                    descending: k % 2 == 1,
                    offset: [0, 0, 3, 40, 5000][k % 5],
                    limit: [50, 1, 7, 0, 500][(k / 3) % 5],
                    ..AccountQuery::default()
                });
            }
        }
        out
    }

    #[test]
    fn pages_and_accounts_are_those_of_the_view() {
        let mut dir = generated(600);
        // A capital sigma takes the slow way; make sure one is there to match.
        let some = dir.accounts.keys().nth(10).copied();
        if let Some(a) = some.and_then(|id| dir.accounts.get_mut(&id)) {
            Arc::make_mut(a).last_name = "ΟΔΥΣΣΕΥΣ".into();
        }
        let now = Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let orgs: Vec<OrgId> = dir.orgs.keys().copied().collect();
        let mut compared = 0;
        for org in orgs {
            let callers = callers(&dir, org, now);
            // Every kind of sight is there, or the comparison proves less than it says.
            assert_eq!(callers.len(), 6, "{callers:?}");
            for who in callers {
                let view = visibility::redact(&dir, &who, org, now);
                for q in queries() {
                    let slow = query::accounts(&view, org, &q);
                    let Some(fast) = page(&dir, &who, org, &q, now) else {
                        panic!("page refused a query it answers: {q:?}");
                    };
                    let slow_items: Vec<&Account> = slow.items.clone();
                    let fast_items: Vec<&Account> = fast.items.iter().map(|a| &**a).collect();
                    assert_eq!(fast.total, slow.total, "{who:?} {q:?}");
                    assert_eq!(fast_items, slow_items, "{who:?} {q:?}");
                    compared += 1;
                }
                for a in dir.accounts.values() {
                    let fast = one(&dir, &who, org, a.id, now);
                    let slow = view.accounts.get(&a.id).filter(|v| v.org == org);
                    assert_eq!(fast.as_deref(), slow.map(|s| &**s), "{who:?} {}", a.id);
                }
            }
        }
        assert!(compared > 300);
    }

    #[test]
    fn only_two_characters_lowercase_to_ascii() {
        let found: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii() && c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(found, LOWER_TO_ASCII.to_vec());
    }

    #[test]
    fn words_match_as_text_matches_does() {
        let dir = generated(300);
        let mut hay = String::new();
        let mut accounts: Vec<Account> = dir.accounts.values().map(|a| (**a).clone()).collect();
        let Some(mut odd) = accounts.first().cloned() else {
            panic!("the generator made no accounts");
        };
        for last in [
            "ΣΟΦΙΑ",
            "ΟΔΥΣΣΕΥΣ",
            "İstanbul",
            "Straße",
            "KELVIN\u{212A}",
            "GARCÍA",
        ] {
            odd.last_name = last.into();
            accounts.push(odd.clone());
        }
        for text in [
            "",
            "σ",
            "ς",
            "i̇",
            "straße",
            "k",
            "garcía alice",
            "  ",
            "Ö",
            "@tenant-1",
        ] {
            let words: Vec<String> = text
                .to_lowercase()
                .split_whitespace()
                .map(String::from)
                .collect();
            for a in &accounts {
                assert_eq!(
                    words_match(a, text, &words, &mut hay),
                    query::text_matches(a, text),
                    "{text:?} in {} {} {}",
                    a.first_name,
                    a.last_name,
                    a.email
                );
            }
        }
    }
}
