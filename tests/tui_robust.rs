//! The console must not panic on any input: random keys at every size, and a list of
//! 100,000 accounts that is paged and drawn like a small one.

mod tui_support;

use crossterm::event::KeyCode;
use roster::core::{Account, AccountId, Approval, Level, OrgId, Principal};
use roster::tui::data::UserRow;
use tui_support::*;

/// A fixed pseudo-random sequence, so a failure replays exactly.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn random_keys_never_panic_and_never_break_an_invariant() {
    let fx = fixture();
    let mut app = pinned(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    // Everything but quitting.
    let alphabet: Vec<_> = "jkgGsS*/ aeirvfp+-<>oRXnch=FEx12345678:?dyO"
        .chars()
        .map(ch)
        .chain([
            key(KeyCode::Enter),
            key(KeyCode::Esc),
            key(KeyCode::Esc),
            key(KeyCode::Tab),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
            key(KeyCode::Down),
            key(KeyCode::PageDown),
            key(KeyCode::PageUp),
            key(KeyCode::Backspace),
            key(KeyCode::Delete),
            ctrl('s'),
        ])
        .collect();
    let sizes = [(80, 24), (120, 40), (60, 15), (40, 10), (200, 60)];
    let mut rng = Lcg(42);
    for step in 0..1500 {
        let k = alphabet[rng.next(alphabet.len())].clone();
        send(&mut app, b.as_ref(), k);
        app.quit = false;
        if step % 25 == 0 {
            let (w, h) = sizes[rng.next(sizes.len())];
            send(&mut app, b.as_ref(), roster::tui::app::Msg::Resize(w, h));
            screen(&app, w, h);
        } else {
            screen(&app, app.size.0, app.size.1);
        }
    }
    let broken = fx.read(|d| roster::core::invariants::violations(d, now()));
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn tiny_and_huge_terminals_draw_without_panicking() {
    let fx = fixture();
    let mut app = pinned(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    for keys in [
        vec![],
        vec![ch('?')],
        vec![ch('i')],
        vec![ch(':')],
        vec![ch('4')],
        vec![key(KeyCode::Enter)],
    ] {
        for k in keys {
            send(&mut app, b.as_ref(), k);
        }
        for (w, h) in [
            (1, 1),
            (10, 3),
            (59, 14),
            (60, 15),
            (61, 16),
            (79, 23),
            (300, 100),
        ] {
            send(&mut app, b.as_ref(), roster::tui::app::Msg::Resize(w, h));
            screen(&app, w, h);
        }
        send(&mut app, b.as_ref(), key(KeyCode::Esc));
    }
}

fn synthetic(i: u64) -> UserRow {
    UserRow {
        account: std::sync::Arc::new(Account {
            id: AccountId(i),
            org: OrgId(1),
            email: format!("user{i:06}@big.example"),
            first_name: format!("First{i}"),
            last_name: format!("Last{i:06}"),
            verified: true,
            enabled: true,
            approval: Approval::Approved,
            level: Level::Member,
            roles: vec![],
            created: now(),
            version: 1,
        }),
        level_name: "Member".into(),
    }
}

#[test]
fn a_hundred_thousand_accounts_page_and_draw_by_the_viewport() {
    let fx = fixture();
    let mut app = pinned(&fx, Principal::Operator, (80, 24));
    let b = fx.backend();
    app.users
        .set_rows((0..100_000).map(synthetic).collect(), |_| true);
    send(&mut app, b.as_ref(), ch('g'));
    send(&mut app, b.as_ref(), key(KeyCode::PageDown));
    assert_eq!(
        app.users.cursor, 17,
        "one page is the 17 rows an 80x24 screen shows"
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("user000017@big.example"), "{text}");
    assert!(text.contains("18 of 100000"));
    send(&mut app, b.as_ref(), ch('G'));
    let text = screen(&app, 80, 24);
    assert!(text.contains("user099999@big.example"));
    assert!(!text.contains("user000017@big.example"));
    assert!(text.contains("Users 100k"), "{text}");
}

#[test]
fn a_hundred_thousand_accounts_filter_like_a_small_list() {
    let fx = fixture();
    let mut app = pinned(&fx, Principal::Operator, (80, 24));
    let b = fx.backend();
    app.users
        .set_rows((0..100_000).map(synthetic).collect(), |_| true);
    send(&mut app, b.as_ref(), ch('/'));
    for c in "last09999".chars() {
        send(&mut app, b.as_ref(), ch(c));
    }
    // Last099990 … Last099999 match whole and come first; a few more match with a
    // skipped digit (Last009999) and follow them.
    assert!(
        app.users.len() >= 10 && app.users.len() < 100,
        "{}",
        app.users.len()
    );
    for i in 0..10 {
        let u = app.users.get(i).unwrap();
        assert!(u.account.last_name.starts_with("Last09999"), "{u:?}");
    }
    let text = screen(&app, 80, 24);
    assert!(text.contains("user099990@big.example"), "{text}");
}

#[test]
fn users_with_the_same_name_sort_by_name_then_id_like_the_cli() {
    // Large tenants repeat names; the console's sort key must order them exactly as
    // `query::compare_accounts` does (name, then id), in either column and direction.
    let named = |i: u64, first: &str, last: &str, email: &str| {
        let mut r = synthetic(i);
        let a = std::sync::Arc::make_mut(&mut r.account);
        a.first_name = first.into();
        a.last_name = last.into();
        a.email = email.into();
        r
    };
    let rows = vec![
        named(30, "Ana", "García", "b@x.example"),
        named(4, "ana", "garcía", "a@x.example"),
        named(17, "Ana", "García", "a@x.example"),
        named(0x1_0000, "Ana", "Garcí", "c@x.example"),
        named(2, "Zoë", "García", "A@x.example"),
    ];
    let mut list = roster::tui::list::List::<UserRow>::default();
    list.set_rows(rows.clone(), |_| true);
    for (column, sort) in [
        (0, roster::core::query::AccountSort::Name),
        (1, roster::core::query::AccountSort::Email),
    ] {
        let mut want: Vec<&UserRow> = rows.iter().collect();
        want.sort_by(|a, b| roster::core::query::compare_accounts(&a.account, &b.account, sort));
        let want: Vec<u64> = want.iter().map(|r| r.account.id.0).collect();
        let got: Vec<u64> = list.window(0, 10).map(|r| r.account.id.0).collect();
        assert_eq!(got, want, "column {column}");
        list.reverse(|_| true);
        let mut rev = want.clone();
        rev.reverse();
        let got: Vec<u64> = list.window(0, 10).map(|r| r.account.id.0).collect();
        assert_eq!(got, rev, "column {column} descending");
        list.reverse(|_| true);
        list.cycle_sort(|_| true);
    }
}
