//! The console's flows, driven through `App::update` with real effects against a file
//! store in a temporary folder. No terminal involved.

mod tui_support;

use crossterm::event::KeyCode;
use roster::backend::Backend as _;
use roster::core::query::Area;
use roster::core::*;
use roster::tui::app::{App, Effect, Modal, Msg, Tone};
use tui_support::*;

#[test]
fn opens_on_users_with_every_readable_tab_in_order() {
    let fx = fixture();
    let app = open(&fx, fx.as_alice(), (80, 24));
    assert_eq!(app.tab, Area::Users);
    assert_eq!(app.snap.areas, Area::ALL.to_vec());
    // Active accounts only by default (seed 003): dave is disabled.
    assert!(!app.users.all().is_empty());
    let shown: Vec<String> = (0..app.users.len())
        .filter_map(|i| app.users.get(i))
        .map(|u| u.account.email.clone())
        .collect();
    assert!(!shown.contains(&"dave@acme.example".to_string()));
    assert_eq!(app.snap.pending.requests, 2);
}

#[test]
fn a_member_without_roles_read_is_not_offered_the_roles_tab() {
    let fx = fixture();
    let app = open(&fx, Principal::Account { id: fx.yuki }, (80, 24));
    assert!(app.snap.areas.contains(&Area::Users));
    assert!(!app.snap.areas.contains(&Area::Roles));
    assert!(!app.snap.areas.contains(&Area::Approvals));
}

#[test]
fn digits_tab_and_shift_tab_switch_tabs() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    assert_eq!(app.tab, Area::Approvals);
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    assert_eq!(app.tab, Area::Groups);
    send(&mut app, b.as_ref(), key(KeyCode::BackTab));
    send(&mut app, b.as_ref(), key(KeyCode::BackTab));
    assert_eq!(app.tab, Area::Contracts);
    send(&mut app, b.as_ref(), ch('8'));
    assert_eq!(app.tab, Area::Audit);
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    assert_eq!(app.tab, Area::Users, "Tab wraps around");
}

#[test]
fn moving_through_a_list() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('f'));
    send(&mut app, b.as_ref(), ch('f')); // any
    let n = app.users.len();
    assert!(n >= 7);
    send(&mut app, b.as_ref(), ch('G'));
    assert_eq!(app.users.cursor, n - 1);
    send(&mut app, b.as_ref(), ch('g'));
    assert_eq!(app.users.cursor, 0);
    send(&mut app, b.as_ref(), ch('j'));
    send(&mut app, b.as_ref(), key(KeyCode::Down));
    assert_eq!(app.users.cursor, 2);
    send(&mut app, b.as_ref(), ch('k'));
    assert_eq!(app.users.cursor, 1);
    send(&mut app, b.as_ref(), key(KeyCode::PageDown));
    assert_eq!(app.users.cursor, n - 1, "a page is longer than this list");
    send(&mut app, b.as_ref(), key(KeyCode::PageUp));
    assert_eq!(app.users.cursor, 0);
}

#[test]
fn the_fuzzy_filter_narrows_as_you_type_and_esc_clears_it() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    let all = app.users.len();
    send(&mut app, b.as_ref(), ch('/'));
    assert!(app.filtering.is_some());
    typed(&mut app, b.as_ref(), "caro");
    assert!(app.users.len() < all);
    typed(&mut app, b.as_ref(), "l");
    assert_eq!(app.users.len(), 1);
    assert_eq!(selected_email(&app), "carol@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(app.filtering.is_none());
    assert_eq!(app.users.len(), 1, "Enter keeps the filter");
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert_eq!(app.users.len(), all, "Esc in the list clears it");
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    assert_eq!(app.users.sort_name(), "name");
    send(&mut app, b.as_ref(), ch('s'));
    assert_eq!(app.users.sort_name(), "email");
    assert_eq!(
        app.users.get(0).unwrap().account.email,
        "alice@acme.example"
    );
    send(&mut app, b.as_ref(), ch('S'));
    assert!(app.users.descending);
    assert_eq!(app.users.get(0).unwrap().account.email, "yuki@acme.example");
}

#[test]
fn status_and_pending_filters() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('f'));
    assert_eq!(app.user_status.as_str(), "disabled");
    assert_eq!(app.users.len(), 1);
    assert_eq!(selected_email(&app), "dave@acme.example");
    send(&mut app, b.as_ref(), ch('f'));
    assert_eq!(app.user_status.as_str(), "any");
    send(&mut app, b.as_ref(), ch('p'));
    let pending: Vec<String> = (0..app.users.len())
        .map(|i| app.users.get(i).unwrap().account.email.clone())
        .collect();
    assert_eq!(pending, vec!["frank@acme.example", "grace@acme.example"]);
}

#[test]
fn approving_from_the_queue_moves_to_the_next_request() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    let first = app.requests.selected().unwrap().request.clone();
    assert_eq!(first.account, fx.frank, "oldest first");
    let fxs = send(&mut app, b.as_ref(), ch('a'));
    assert!(fxs.iter().any(|e| matches!(e, Effect::Run { jobs, .. } if matches!(jobs[0].cmd, Command::Decide { approve: true, .. }))));
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Ok);
    // The store changed and the cursor sits on the next pending request.
    let status = fx.read(|d| d.requests[&first.id].status);
    assert_eq!(status, RequestStatus::Approved);
    assert_eq!(app.requests.selected().unwrap().request.account, fx.grace);
    assert_eq!(app.snap.pending.requests, 1);
}

#[test]
fn decided_requests_are_loaded_when_asked_for_with_h() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    send(&mut app, b.as_ref(), ch('a')); // frank's request is decided now
    let decided = |app: &App| {
        app.requests
            .all()
            .iter()
            .filter(|r| r.request.status != RequestStatus::Pending)
            .count()
    };
    assert_eq!(decided(&app), 0, "a load leaves decided requests out");
    let fxs = send(&mut app, b.as_ref(), ch('h'));
    assert!(
        fxs.iter()
            .any(|e| matches!(e, Effect::Load { decided: true, .. })),
        "h asks for them: {fxs:?}"
    );
    assert_eq!(decided(&app), 1);
    assert!(
        (0..app.requests.len()).any(|i| app.requests.get(i).unwrap().request.account == fx.frank),
        "and shows them"
    );
    send(&mut app, b.as_ref(), ch('h'));
    assert!(
        (0..app.requests.len())
            .all(|i| app.requests.get(i).unwrap().request.status == RequestStatus::Pending),
        "h again shows pending requests only"
    );
}

#[test]
fn rejecting_asks_for_a_reason() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    send(&mut app, b.as_ref(), ch('r'));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    typed(&mut app, b.as_ref(), "not one of ours");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let r = fx.read(|d| {
        d.requests
            .values()
            .find(|r| r.account == fx.frank)
            .cloned()
            .unwrap()
    });
    assert_eq!(r.status, RequestStatus::Rejected);
    assert_eq!(r.reason, "not one of ours");
}

#[test]
fn bulk_approve_over_marked_rows_reports_per_row() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    send(&mut app, b.as_ref(), ch('*'));
    assert_eq!(app.requests.marks.len(), 2);
    send(&mut app, b.as_ref(), ch('a'));
    assert_eq!(app.snap.pending.requests, 0);
    assert!(app.requests.marks.is_empty(), "done rows are unmarked");
    let note = app.note.clone().unwrap();
    assert!(note.text.contains("2 of 2"), "{note:?}");
}

#[test]
fn bulk_action_with_refusals_opens_the_results_popup() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    // Mark alice (the owner: cannot disable herself) and carol.
    send(&mut app, b.as_ref(), ch('/'));
    typed(&mut app, b.as_ref(), "acme");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    app.users.select(fx.alice);
    send(&mut app, b.as_ref(), key(KeyCode::Char(' ')));
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), key(KeyCode::Char(' ')));
    send(&mut app, b.as_ref(), ch('-'));
    // Decided first, nothing done yet: one question lists what will happen and what
    // the core will refuse, and why.
    let Some(Modal::Confirm { dialog, jobs, .. }) = &app.modal else {
        panic!("expected the question, got {:?}", app.note)
    };
    assert!(
        fx.read(|d| d.accounts[&fx.carol].enabled),
        "nothing done before y"
    );
    assert_eq!(jobs.len(), 1, "only the allowed row runs");
    let text = dialog.lines.join("\n");
    assert!(text.contains("✓ carol@acme.example"), "{text}");
    assert!(text.contains("✗ alice@acme.example: refused — "), "{text}");
    send(&mut app, b.as_ref(), ch('y'));
    assert!(!fx.read(|d| d.accounts[&fx.carol].enabled));
    assert!(app.modal.is_none());
}

#[test]
fn a_refusal_is_shown_in_words() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.alice);
    send(&mut app, b.as_ref(), ch('<'));
    let note = app.note.clone().unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(note.text.len() > 20, "{note:?}");
}

#[test]
fn edit_form_saves_names_and_toggles() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('e'));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    send(&mut app, b.as_ref(), key(KeyCode::End));
    typed(&mut app, b.as_ref(), "ine");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab)); // Enabled
    send(&mut app, b.as_ref(), ch(' '));
    send(&mut app, b.as_ref(), ctrl('s'));
    // Unticking Enabled disables: asked once, after the core decided it.
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    send(&mut app, b.as_ref(), ch('y'));
    let carol = fx.read(|d| d.accounts[&fx.carol].clone());
    assert_eq!(carol.first_name, "Caroline");
    assert!(!carol.enabled);
    assert!(app.modal.is_none());
}

#[test]
fn a_stale_edit_gets_a_conflict_message_and_the_current_values() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('e'));
    typed(&mut app, b.as_ref(), "X");
    // Meanwhile someone else renames carol.
    let other = fx.other_process();
    roster::backend::Backend::execute(
        &other,
        &fx.as_alice(),
        &Command::EditAccount {
            account: fx.carol,
            expected_version: fx.read(|d| d.accounts[&fx.carol].version),
            first_name: "Karol".into(),
            last_name: "Singer".into(),
            email: "carol@acme.example".into(),
        },
        false,
    )
    .unwrap();
    send(&mut app, b.as_ref(), ctrl('s'));
    let note = app.note.clone().unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(note.text.contains("Not saved"), "{note:?}");
    let Some(Modal::Form { form, .. }) = &app.modal else {
        panic!("the form reopens")
    };
    assert_eq!(form.text(0), "Karol", "with the current values");
    assert!(form.note.as_deref().unwrap_or("").contains("changed"));
    assert_eq!(
        fx.read(|d| d.accounts[&fx.carol].first_name.clone()),
        "Karol"
    );
}

#[test]
fn delete_is_offered_only_for_disabled_accounts_and_asks_first() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('X'));
    // The core's rule is said at once, before any question (seed 003: delete only once
    // inactive), and nothing is done.
    assert!(app.modal.is_none());
    assert!(app.note.as_ref().unwrap().text.contains("disable"));
    assert!(fx.read(|d| d.accounts[&fx.carol].enabled), "nothing done");
    send(&mut app, b.as_ref(), ch('f')); // disabled
    assert_eq!(selected_email(&app), "dave@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Delete));
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    send(&mut app, b.as_ref(), ch('n'));
    assert!(fx.read(|d| d.accounts.contains_key(&fx.dave)));
    send(&mut app, b.as_ref(), key(KeyCode::Delete));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(!fx.read(|d| d.accounts.contains_key(&fx.dave)));
}

#[test]
fn user_actions_go_through_the_core() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('>'));
    assert_eq!(fx.read(|d| d.accounts[&fx.carol].level), Level::Admin);
    send(&mut app, b.as_ref(), ch('<'));
    assert_eq!(fx.read(|d| d.accounts[&fx.carol].level), Level::Admin);
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(fx.read(|d| d.accounts[&fx.carol].level), Level::Member);
    send(&mut app, b.as_ref(), ch('R'));
    let Some(Modal::Confirm { dialog, .. }) = &app.modal else {
        panic!("a mail is asked first")
    };
    assert!(dialog.lines.join(" ").contains("cannot be called back"));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(fx.read(|d| {
        d.resets
            .values()
            .any(|r| r.account == fx.carol && r.secret_hash.is_some())
    }));
    send(&mut app, b.as_ref(), ch('f'));
    send(&mut app, b.as_ref(), ch('f'));
    app.users.select(fx.dave);
    send(&mut app, b.as_ref(), ch('v'));
    assert!(fx.read(|d| d.accounts[&fx.dave].verified));
    send(&mut app, b.as_ref(), ch('+'));
    assert!(fx.read(|d| d.accounts[&fx.dave].enabled));
    app.users.select(fx.frank);
    send(&mut app, b.as_ref(), ch('a'));
    assert_eq!(
        fx.read(|d| d.accounts[&fx.frank].approval),
        Approval::Approved
    );
    app.users.select(fx.grace);
    send(&mut app, b.as_ref(), ch('r'));
    typed(&mut app, b.as_ref(), "unknown");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(
        fx.read(|d| d.accounts[&fx.grace].approval),
        Approval::Rejected
    );
    app.users.select(fx.bob);
    send(&mut app, b.as_ref(), ch('o'));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(fx.read(|d| d.accounts[&fx.bob].level), Level::Owner);
    assert_eq!(fx.read(|d| d.accounts[&fx.alice].level), Level::Admin);
}

#[test]
fn the_detail_view_explains_permissions_and_shows_the_trail() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    let fxs = send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fxs.iter().any(|e| matches!(e, Effect::LoadDetail { .. })));
    let d = app.detail.as_ref().unwrap().data.clone().unwrap();
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    for t in [
        "Roles",
        "Groups",
        "Programs",
        "Effective permissions (and why)",
        "Invitations",
        "Audit trail",
    ] {
        assert!(titles.contains(&t), "{titles:?}");
    }
    let eff = d
        .sections
        .iter()
        .find(|s| s.title.starts_with("Effective"))
        .unwrap();
    let audit = eff
        .lines
        .iter()
        .find(|(k, _)| k == "audit.read")
        .expect("audit.read via Integrator");
    assert!(audit.1.contains("Integrator"), "{audit:?}");
    let trail = d
        .sections
        .iter()
        .find(|s| s.title == "Audit trail")
        .unwrap();
    assert!(trail.lines.iter().any(|(_, v)| v.contains("Integrator")));
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert!(app.detail.is_none());
}

#[test]
fn the_invite_wizard_sends_an_invitation_and_shows_the_link_secret_once() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('i'));
    assert!(matches!(app.modal, Some(Modal::Wizard(_))));
    typed(&mut app, b.as_ref(), "ivan@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Ivan");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Petrov");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ctrl('s')); // access: none
    typed(&mut app, b.as_ref(), "Hello");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), key(KeyCode::Enter)); // confirm
    let inv = fx
        .read(|d| {
            d.invitations
                .values()
                .find(|i| i.email == "ivan@acme.example")
                .cloned()
        })
        .expect("invited");
    assert_eq!(inv.first_name, "Ivan");
    assert_eq!(inv.message, "Hello");
    let Some(Modal::Results(r)) = &app.modal else {
        panic!("the link secret is shown")
    };
    assert_eq!(r.secrets.len(), 1);
    assert_eq!(
        roster::secret::hash(&r.secrets[0].1),
        inv.secret_hash.unwrap()
    );
}

#[test]
fn roles_create_with_a_checklist_grant_and_revoke() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('2'));
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "Auditor");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "reads the trail");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab)); // permissions checklist
    let audit_pos = roster::core::perms::CATALOGUE
        .iter()
        .position(|(p, _)| *p == "audit.read")
        .unwrap();
    for _ in 0..audit_pos {
        send(&mut app, b.as_ref(), key(KeyCode::Down));
    }
    send(&mut app, b.as_ref(), ch(' '));
    send(&mut app, b.as_ref(), ctrl('s'));
    let role = fx
        .read(|d| d.roles.values().find(|r| r.name == "Auditor").cloned())
        .expect("created");
    assert_eq!(
        role.permissions.iter().collect::<Vec<_>>(),
        vec!["audit.read"]
    );
    assert!(app.roles.select(role.id));
    send(&mut app, b.as_ref(), ch('+'));
    assert!(matches!(app.modal, Some(Modal::Picker { .. })));
    typed(&mut app, b.as_ref(), "yuki");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| d.accounts[&fx.yuki].roles.iter().any(|g| g.role == role.id)));
    send(&mut app, b.as_ref(), ch('-'));
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(!fx.read(|d| d.accounts[&fx.yuki].roles.iter().any(|g| g.role == role.id)));
    send(&mut app, b.as_ref(), ch('e'));
    send(&mut app, b.as_ref(), key(KeyCode::End));
    typed(&mut app, b.as_ref(), "s");
    send(&mut app, b.as_ref(), ctrl('s'));
    assert_eq!(fx.read(|d| d.roles[&role.id].name.clone()), "Auditors");
    send(&mut app, b.as_ref(), ch('X'));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(!fx.read(|d| d.roles.contains_key(&role.id)));
}

#[test]
fn the_roles_detail_shows_who_holds_the_role() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('2'));
    assert!(app.roles.select(fx.integrator));
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let d = app.detail.as_ref().unwrap().data.clone().unwrap();
    let held = d.sections.iter().find(|s| s.title == "Held by").unwrap();
    assert!(held.lines.iter().any(|(k, _)| k == "carol@acme.example"));
}

#[test]
fn contracts_are_managed_by_the_operator() {
    let fx = fixture();
    let mut app = open(&fx, roster::core::Principal::Operator, (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('3'));
    let row = app.contracts.selected().unwrap().clone();
    assert!(
        row.ends_soon,
        "ends 2026-12-10, within 30 days of the pinned now"
    );
    send(&mut app, b.as_ref(), ch('-'));
    assert_eq!(
        fx.read(|d| d.contracts[&row.contract.id].status),
        ContractStatus::Active,
        "asked first"
    );
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(
        fx.read(|d| d.contracts[&row.contract.id].status),
        ContractStatus::Suspended
    );
    send(&mut app, b.as_ref(), ch('+'));
    assert_eq!(
        fx.read(|d| d.contracts[&row.contract.id].status),
        ContractStatus::Active
    );
    send(&mut app, b.as_ref(), ch('='));
    for _ in 0..3 {
        send(&mut app, b.as_ref(), key(KeyCode::Backspace));
    }
    typed(&mut app, b.as_ref(), "7");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(fx.read(|d| d.contracts[&row.contract.id].seats), 7);
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "Support");
    send(&mut app, b.as_ref(), ctrl('s'));
    assert!(fx.read(|d| d.contracts.values().any(|c| c.product == "Support")));
    send(&mut app, b.as_ref(), ch('X'));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(fx.read(|d| {
        d.contracts
            .values()
            .any(|c| c.status == ContractStatus::Ended)
    }));
}

#[test]
fn an_account_cannot_change_contracts_and_is_told_why() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('3'));
    send(&mut app, b.as_ref(), ch('-'));
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Error);
    assert!(fx.read(|d| {
        d.contracts
            .values()
            .all(|c| c.status == ContractStatus::Active)
    }));
}

#[test]
fn groups_create_rename_members_roles_delete() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('5'));
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "Ops");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let g = fx
        .read(|d| d.groups.values().find(|g| g.name == "Ops").map(|g| g.id))
        .expect("created");
    assert!(app.groups.select(g));
    send(&mut app, b.as_ref(), ch('e'));
    typed(&mut app, b.as_ref(), "2");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(fx.read(|d| d.groups[&g].name.clone()), "Ops2");
    send(&mut app, b.as_ref(), ch('+'));
    typed(&mut app, b.as_ref(), "bob");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| d.groups[&g].members.contains(&fx.bob)));
    send(&mut app, b.as_ref(), ch('>'));
    typed(&mut app, b.as_ref(), "Integ");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| d.groups[&g].roles.iter().any(|r| r.role == fx.integrator)));
    send(&mut app, b.as_ref(), ch('<'));
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| d.groups[&g].roles.is_empty()));
    send(&mut app, b.as_ref(), ch('-'));
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| d.groups[&g].members.is_empty()));
    send(&mut app, b.as_ref(), ch('X'));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(!fx.read(|d| d.groups.contains_key(&g)));
}

#[test]
fn programs_contacts_roles_owner() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('6'));
    assert!(app.programs.select(fx.kb));
    send(&mut app, b.as_ref(), ch('+'));
    typed(&mut app, b.as_ref(), "yuki");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let Some(Modal::Picker { picker, .. }) = &app.modal else {
        panic!("then the role")
    };
    let viewer = picker
        .choices
        .iter()
        .position(|c| c.label == "Viewer")
        .unwrap();
    for _ in 0..viewer {
        send(&mut app, b.as_ref(), key(KeyCode::Down));
    }
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let viewer_id = fx.read(|d| d.builtin_role(fx.org, Builtin::Viewer).unwrap().id);
    let contrib_id = fx.read(|d| d.builtin_role(fx.org, Builtin::Contributor).unwrap().id);
    assert!(fx.read(|d| {
        d.programs[&fx.kb].grants[&fx.yuki]
            .iter()
            .any(|g| g.role == viewer_id)
    }));
    send(&mut app, b.as_ref(), ch('c'));
    typed(&mut app, b.as_ref(), "yuki");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Contrib");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(fx.read(|d| {
        d.programs[&fx.kb].grants[&fx.yuki]
            .iter()
            .any(|g| g.role == contrib_id)
    }));
    send(&mut app, b.as_ref(), ch('-'));
    typed(&mut app, b.as_ref(), "yuki");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(!fx.read(|d| d.programs[&fx.kb].grants.contains_key(&fx.yuki)));
    send(&mut app, b.as_ref(), ch('o'));
    typed(&mut app, b.as_ref(), "carol");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(fx.read(|d| d.programs[&fx.kb].owner), fx.carol);
    send(&mut app, b.as_ref(), ch('e'));
    typed(&mut app, b.as_ref(), " v2");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(
        fx.read(|d| d.programs[&fx.kb].name.clone()),
        "Knowledge Base v2"
    );
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "Downloads");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let dl = fx
        .read(|d| {
            d.programs
                .values()
                .find(|p| p.name == "Downloads")
                .map(|p| (p.id, p.owner))
        })
        .expect("created");
    assert_eq!(dl.1, fx.alice, "owned by the creator");
    assert!(app.programs.select(dl.0));
    send(&mut app, b.as_ref(), ch('X'));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(!fx.read(|d| d.programs.contains_key(&dl.0)));
}

#[test]
fn invitations_resend_revoke_and_filter() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('7'));
    let inv = app.invitations.selected().unwrap().invitation.id;
    let before = fx.read(|d| d.invitations[&inv].secret_hash.clone());
    send(&mut app, b.as_ref(), ch('R'));
    let after = fx.read(|d| d.invitations[&inv].secret_hash.clone());
    assert_ne!(before, after, "a new link");
    assert!(
        matches!(app.modal, Some(Modal::Results(ref r)) if r.secrets.len() == 1),
        "the new link secret is shown once"
    );
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    send(&mut app, b.as_ref(), ch('X'));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(
        fx.read(|d| d.invitations[&inv].status),
        InvitationStatus::Revoked,
        "{:?}",
        app.note
    );
    send(&mut app, b.as_ref(), ch('f')); // pending only
    assert_eq!(app.invitations.len(), 0);
}

#[test]
fn audit_filters_reload_with_the_filter_and_follow_toggles() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('8'));
    let all = app.audit.len();
    assert!(all > 10);
    assert!(
        app.audit.get(0).unwrap().seq > app.audit.get(1).unwrap().seq,
        "newest first"
    );
    send(&mut app, b.as_ref(), ch('f'));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "group_member_added");
    let fxs = send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(
        fxs.iter()
            .any(|e| matches!(e, Effect::Load { audit, .. } if audit.kind == "group_member_added"))
    );
    assert_eq!(app.audit.len(), 2);
    send(&mut app, b.as_ref(), ch('F'));
    assert!(!app.follow);
}

#[test]
fn the_command_line_switches_tabs_organisations_and_identity() {
    let fx = fixture();
    let mut app = open(&fx, roster::core::Principal::Operator, (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "appr");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.tab, Area::Approvals);
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "as yuki@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.who, Principal::Account { id: fx.yuki });
    assert!(
        !app.snap.areas.contains(&Area::Approvals),
        "yuki may not approve"
    );
    assert_eq!(
        app.tab,
        Area::Users,
        "moved off a tab that is no longer offered"
    );
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "operator");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.who, Principal::Operator);
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org nowhere");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Error);
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "qu");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    let Some(Modal::Command(c)) = &app.modal else {
        panic!()
    };
    assert_eq!(c.input.value(), "quit");
    let fxs = send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(app.quit);
    assert!(fxs.contains(&Effect::Quit));
}

#[test]
fn help_lists_the_keys_of_the_current_view_from_the_keymap() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    send(&mut app, b.as_ref(), ch('?'));
    assert!(matches!(app.modal, Some(Modal::Help { .. })));
    let active = app.config.keymap.active(&app.contexts());
    assert!(
        active
            .iter()
            .any(|(b, _)| b.desc.contains("approve the request"))
    );
    assert!(
        !active
            .iter()
            .any(|(b, _)| b.desc.contains("invite someone (email")),
        "Users keys are not shown on Approvals"
    );
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert!(app.modal.is_none());
}

#[test]
fn changes_by_another_process_appear_and_the_cursor_stays_on_its_record() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    // Someone else adds an account that sorts before carol.
    let other = fx.other_process();
    roster::backend::Backend::execute(
        &other,
        &fx.as_alice(),
        &Command::AddAccount {
            org: fx.org,
            email: "aaron@acme.example".into(),
            first_name: "Aaron".into(),
            last_name: "Aardvark".into(),
            verified: false,
        },
        false,
    )
    .unwrap();
    let fxs = send(&mut app, b.as_ref(), Msg::Tick);
    assert!(fxs.contains(&Effect::Refresh));
    assert!(
        fxs.iter().any(|e| matches!(e, Effect::Load { .. })),
        "seq changed: reload"
    );
    assert!(
        app.users
            .all()
            .iter()
            .any(|u| u.account.email == "aaron@acme.example")
    );
    assert_eq!(selected_email(&app), "carol@acme.example");
    // Nothing changed: a tick only refreshes.
    let fxs = send(&mut app, b.as_ref(), Msg::Tick);
    assert_eq!(fxs, vec![Effect::Refresh]);
}

#[test]
fn a_long_run_can_be_cancelled_with_esc() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    send(&mut app, fx.store.as_ref(), ch('f'));
    send(&mut app, fx.store.as_ref(), ch('f'));
    send(&mut app, fx.store.as_ref(), ch('*'));
    // A bulk action is decided first and asked once; `y` starts the run, which is not
    // performed yet: it is "in flight".
    send(&mut app, fx.store.as_ref(), ch('v'));
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    let fxs = roster::tui::app::update(&mut app, ch('y'));
    let Some(Effect::Run {
        op,
        title,
        who,
        jobs,
        stop_on_refusal,
    }) = fxs.into_iter().next()
    else {
        panic!()
    };
    assert!(app.busy.is_some());
    let cancel_fx = roster::tui::app::update(&mut app, key(KeyCode::Esc));
    assert_eq!(cancel_fx, vec![Effect::Cancel { op }]);
    // The runner sees the flag between rows.
    let flag = std::sync::atomic::AtomicBool::new(false);
    let report = roster::tui::effects::run_jobs(
        fx.store.as_ref(),
        &title,
        &who,
        &jobs,
        stop_on_refusal,
        &flag,
        &mut |done, _| {
            if done == 1 {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        },
    );
    assert!(report.cancelled);
    assert_eq!(report.tried(), 1);
    roster::tui::app::update(&mut app, Msg::Ran { op, report });
    assert!(app.busy.is_none());
    assert!(matches!(app.modal, Some(Modal::Results(_))));
}

#[test]
fn without_a_store_the_console_offers_a_first_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-store");
    let (mut app, first) = roster::tui::app::App::new(roster::tui::app::Start {
        config: roster::tui::config::Config::default(),
        warnings: vec![],
        store_path: path.clone(),
        has_store: false,
        backend: String::new(),
        who: Principal::Operator,
        org: None,
        size: (80, 24),
    });
    assert!(first.is_empty(), "nothing to load");
    assert!(matches!(app.modal, Some(Modal::Start)));
    // No backend yet: the effects the start screen emits do not need one.
    let placeholder = fixture();
    let b = placeholder.backend();
    send(&mut app, b.as_ref(), ch('o'));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    for (i, v) in [
        "globex",
        "Globex Inc",
        "hank@globex.example",
        "Hank",
        "Scorpio",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            send(&mut app, b.as_ref(), key(KeyCode::Tab));
        }
        typed(&mut app, b.as_ref(), v);
    }
    let fxs = roster::tui::app::update(&mut app, ctrl('s'));
    assert!(matches!(&fxs[0], Effect::CreateStore { .. }));
    // Run the creation, then load from the new store.
    let created = roster::tui::effects::create_store(
        &path,
        &match &fxs[0] {
            Effect::CreateStore { setup, .. } => setup.clone(),
            _ => unreachable!(),
        },
        &Principal::Operator,
    )
    .unwrap();
    let more = roster::tui::app::update(&mut app, Msg::StoreReady(Ok(created.who)));
    settle(&mut app, created.backend.as_ref(), more);
    assert!(app.has_store);
    assert!(app.modal.is_none());
    assert_eq!(app.snap.org.slug, "globex");
    assert_eq!(app.users.all()[0].account.email, "hank@globex.example");
}

#[test]
fn the_start_screen_can_create_the_demo_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo");
    let created = roster::tui::effects::create_store(
        &path,
        &roster::tui::app::Setup::Demo,
        &Principal::Operator,
    )
    .unwrap();
    let orgs = roster::backend::query(created.backend.as_ref(), |d| d.orgs.len()).unwrap();
    assert!(orgs >= 1);
}

// ---------------------------------------------------------------------------------
// The `/` filter: what a person means.

fn shown_emails(app: &roster::tui::app::App) -> Vec<String> {
    (0..app.users.len())
        .filter_map(|i| app.users.get(i))
        .map(|u| u.account.email.clone())
        .collect()
}

fn add_account(fx: &Fixture, email: &str, first: &str, last: &str) -> AccountId {
    let recs = fx.exec(
        &fx.as_alice(),
        Command::AddAccount {
            org: fx.org,
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
            verified: true,
        },
    );
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .unwrap()
}

fn filter(app: &mut roster::tui::app::App, b: &dyn roster::backend::Backend, text: &str) {
    send(app, b, key(KeyCode::Esc));
    send(app, b, ch('/'));
    typed(app, b, text);
    send(app, b, key(KeyCode::Enter));
}

#[test]
fn the_filter_looks_at_names_and_emails_not_at_status_or_level_words() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('f'));
    send(&mut app, b.as_ref(), ch('f')); // any status
    // Before, "a" from "acme", "l" from "example" and "i" from "Admin" kept Bob.
    filter(&mut app, b.as_ref(), "ali");
    assert_eq!(shown_emails(&app), vec!["alice@acme.example"]);
    // Grace's status is pending, but only Frank is called Pending.
    filter(&mut app, b.as_ref(), "pending");
    assert_eq!(shown_emails(&app), vec!["frank@acme.example"]);
    filter(&mut app, b.as_ref(), "admin");
    assert!(
        shown_emails(&app).is_empty(),
        "level words are not searched"
    );
}

#[test]
fn the_filter_folds_accents_reads_cjk_and_puts_the_best_match_first() {
    let fx = fixture();
    add_account(&fx, "lucia.fernandez@acme.example", "Lucía", "Fernández");
    add_account(&fx, "wang.fang@acme.example", "王", "芳");
    add_account(&fx, "natalia@acme.example", "Natalia", "Ng");
    add_account(&fx, "ali.hassan@acme.example", "Ali", "Hassan");
    add_account(&fx, "ravi.shankar@acme.example", "Ravi", "Shankar");
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    filter(&mut app, b.as_ref(), "lucia");
    assert_eq!(shown_emails(&app), vec!["lucia.fernandez@acme.example"]);
    filter(&mut app, b.as_ref(), "王");
    assert_eq!(shown_emails(&app), vec!["wang.fang@acme.example"]);
    filter(&mut app, b.as_ref(), "rav");
    assert_eq!(shown_emails(&app), vec!["ravi.shankar@acme.example"]);
    // Whole words first (sorted by name among themselves), "natalia" after them.
    filter(&mut app, b.as_ref(), "ali");
    assert_eq!(
        shown_emails(&app),
        vec![
            "ali.hassan@acme.example",
            "alice@acme.example",
            "natalia@acme.example"
        ]
    );
    assert_eq!(selected_email(&app), "ali.hassan@acme.example");
    let text = screen(&app, 80, 24);
    assert!(text.contains("best match first"), "{text}");
    // Esc clears the filter and the sort order is back.
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert!(app.users.len() > 3);
    assert!(!app.users.ranked());
}

#[test]
fn the_audit_filter_keeps_time_order_and_pickers_rank_too() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('8'));
    send(&mut app, b.as_ref(), ch('/'));
    typed(&mut app, b.as_ref(), "carol");
    let seqs: Vec<u64> = (0..app.audit.len())
        .map(|i| app.audit.get(i).unwrap().seq)
        .collect();
    assert!(seqs.len() > 1);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "still newest first");
    assert!(!app.audit.ranked());
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    // A picker narrows on label and hint, best first.
    send(&mut app, b.as_ref(), ch('5'));
    send(&mut app, b.as_ref(), ch('+'));
    typed(&mut app, b.as_ref(), "bob");
    let Some(Modal::Picker { picker, .. }) = &app.modal else {
        panic!("the add-member picker is open")
    };
    let labels: Vec<&str> = picker.visible().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, vec!["bob@acme.example"]);
}

// ---------------------------------------------------------------------------------
// Tab titles.

#[test]
fn tab_titles_are_whole_words_at_80_columns_and_the_badge_stands_out() {
    let fx = fixture();
    let app = pinned(&fx, fx.as_alice(), (80, 24));
    let text = screen(&app, 80, 24);
    let bar = text.lines().next().unwrap();
    for title in [
        "Users 7",
        "Roles",
        "Contracts",
        "Approvals",
        "Groups",
        "Programs",
        "Invitations",
        "Audit",
    ] {
        assert!(bar.contains(title), "{title} in {bar:?}");
    }
    assert!(!bar.contains("Contr ") && !bar.contains("Apprv"), "{bar:?}");
    // The pending badge: the count, drawn reversed (or in the error colour).
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    term.draw(|f| roster::tui::view::draw(&app, f)).unwrap();
    let buf = term.backend().buffer().clone();
    let x = bar.find(" 2 ").expect("the badge shows the count") as u16 + 1;
    let cell = &buf[(x, 0)];
    assert_eq!(cell.symbol(), "2");
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED)
            || cell.bg != ratatui::style::Color::Reset,
        "the badge is highlighted: {cell:?}"
    );
    // Wide terminals show every count.
    let wide = screen(&app, 120, 40);
    let bar = wide.lines().next().unwrap();
    assert!(
        bar.contains("Contracts 1") && bar.contains("Invitations 1"),
        "{bar:?}"
    );
    // Very narrow ones abbreviate, but never the selected tab.
    let mut app = app;
    send(&mut app, fx.store.as_ref(), ch('7'));
    let narrow = screen(&app, 60, 20);
    let bar = narrow.lines().next().unwrap();
    assert!(bar.contains("Invitations 1"), "{bar:?}");
    assert!(bar.contains("Contr."), "{bar:?}");
}

// ---------------------------------------------------------------------------------
// The organisation: page, profile, settings, creation.

fn org_settings(fx: &Fixture) -> Settings {
    fx.read(|d| d.orgs[&fx.org].settings.clone())
}

/// Clears the focused text field of a form and types `text`.
fn retype(app: &mut roster::tui::app::App, b: &dyn roster::backend::Backend, text: &str) {
    for _ in 0..40 {
        send(app, b, key(KeyCode::Backspace));
    }
    typed(app, b, text);
}

#[test]
fn the_owner_changes_the_settings_from_the_organisation_page() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('O'));
    assert!(app.org_view());
    let page = screen(&app, 80, 24);
    assert!(page.contains("User approval required"), "{page}");
    assert!(page.contains("s settings"), "the footer offers it: {page}");
    send(&mut app, b.as_ref(), ch('s'));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    send(&mut app, b.as_ref(), ch(' ')); // approval required: off
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    retype(&mut app, b.as_ref(), "48");
    for _ in 0..3 {
        send(&mut app, b.as_ref(), key(KeyCode::Tab));
    }
    retype(&mut app, b.as_ref(), "Manager"); // the word for admin
    for _ in 0..6 {
        send(&mut app, b.as_ref(), key(KeyCode::Tab));
    }
    retype(&mut app, b.as_ref(), "8"); // sign-in sessions last (hours)
    send(&mut app, b.as_ref(), ctrl('s'));
    assert!(app.modal.is_none(), "{:?}", app.note);
    let s = org_settings(&fx);
    assert!(!s.approval_required);
    assert_eq!(s.invitation_ttl_hours, 48);
    assert_eq!(s.session_ttl_hours, 8);
    assert_eq!(s.terminology.admin, "Manager");
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Ok);
    // The page and the lists speak the new words at once.
    assert_eq!(app.snap.org.terminology.admin, "Manager");
    let page = screen(&app, 80, 24);
    assert!(page.contains("no: new accounts may act at once"), "{page}");
}

#[test]
fn a_bad_or_refused_settings_form_comes_back_with_the_reason() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "settings");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    retype(&mut app, b.as_ref(), "a week");
    send(&mut app, b.as_ref(), ctrl('s'));
    let Some(Modal::Form { form, .. }) = &app.modal else {
        panic!("the form stays open")
    };
    assert!(form.note.as_deref().unwrap().contains("whole number"));
    retype(&mut app, b.as_ref(), "168");
    // The word for viewer may not be a custom role's name: the core says so.
    for _ in 0..8 {
        send(&mut app, b.as_ref(), key(KeyCode::Tab));
    }
    retype(&mut app, b.as_ref(), "Integrator");
    send(&mut app, b.as_ref(), ctrl('s'));
    let Some(Modal::Form { form, .. }) = &app.modal else {
        panic!("the refused form comes back")
    };
    assert!(
        form.note.as_deref().unwrap().contains("Integrator"),
        "{:?}",
        form.note
    );
    assert_eq!(form.text(10), "Integrator", "what was typed is kept");
    assert_eq!(org_settings(&fx).terminology.program_viewer, "Viewer");
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert!(app.modal.is_none());
}

#[test]
fn only_the_owner_changes_the_profile_and_others_are_told_why() {
    let fx = fixture();
    let b = fx.backend();
    // Bob is an admin: settings yes, profile no (seed 004: the Main Corporate Contact).
    let mut app = open(&fx, Principal::Account { id: fx.bob }, (80, 24));
    send(&mut app, b.as_ref(), ch('O'));
    let page = screen(&app, 80, 24);
    assert!(!page.contains("e profile"), "not offered: {page}");
    send(&mut app, b.as_ref(), ch('e'));
    assert!(app.modal.is_none());
    let note = app.note.clone().unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(note.text.contains("only the Owner"), "{note:?}");
    send(&mut app, b.as_ref(), ch('s'));
    assert!(
        matches!(app.modal, Some(Modal::Form { .. })),
        "admins hold org.settings"
    );
    // Yuki is a member: neither.
    let mut app = open(&fx, Principal::Account { id: fx.yuki }, (80, 24));
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "settings");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(app.modal.is_none());
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Error);
    // Alice owns it.
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "profile");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "1 Main Street, Springfield");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "https://acme.example");
    send(&mut app, b.as_ref(), ctrl('s'));
    let (name, profile) = fx.read(|d| {
        let o = &d.orgs[&fx.org];
        (o.name.clone(), o.profile.clone())
    });
    assert_eq!(name, "Acme Corp");
    assert_eq!(profile.address, "1 Main Street, Springfield");
    assert_eq!(profile.website, "https://acme.example");
}

#[test]
fn an_operator_creates_an_organisation_from_the_console_and_lands_in_it() {
    let fx = fixture();
    let b = fx.backend();
    let mut app = open(&fx, Principal::Operator, (80, 24));
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org create");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(matches!(app.modal, Some(Modal::Form { .. })));
    // A slug that is taken: the form comes back with the core's reason.
    for (i, v) in [
        "acme",
        "Globex Inc",
        "hank@globex.example",
        "Hank",
        "Scorpio",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            send(&mut app, b.as_ref(), key(KeyCode::Tab));
        }
        typed(&mut app, b.as_ref(), v);
    }
    send(&mut app, b.as_ref(), ctrl('s'));
    let Some(Modal::Form { form, .. }) = &app.modal else {
        panic!("refused: the form is back")
    };
    assert!(form.note.as_deref().unwrap().contains("already exists"));
    assert_eq!(app.snap.org.slug, "acme");
    for _ in 0..4 {
        send(&mut app, b.as_ref(), key(KeyCode::BackTab));
    }
    retype(&mut app, b.as_ref(), "globex");
    send(&mut app, b.as_ref(), ctrl('s'));
    assert!(app.modal.is_none(), "{:?}", app.note);
    assert_eq!(app.snap.org.slug, "globex", "the new organisation is open");
    assert_eq!(app.users.all()[0].account.email, "hank@globex.example");
    // `:org` alone lists the organisations (and a way to make one).
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let Some(Modal::Picker { picker, .. }) = &app.modal else {
        panic!("a picker of organisations")
    };
    let labels: Vec<&str> = picker.visible().map(|c| c.label.as_str()).collect();
    assert!(labels.contains(&"acme") && labels.contains(&"+ new organisation"));
    typed(&mut app, b.as_ref(), "acme");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.snap.org.slug, "acme");
    // An account is not offered the form, and is told why.
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org create");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(app.modal.is_none());
    assert!(
        app.note
            .as_ref()
            .unwrap()
            .text
            .contains("platform operator")
    );
}

#[test]
fn the_organisation_page_scrolls_to_its_end_and_back() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('O'));
    send(&mut app, b.as_ref(), ch('G'));
    let d = app.detail.as_ref().unwrap();
    assert!(d.scroll > 0);
    assert_eq!(
        d.scroll,
        d.lines() - app.detail_rows(),
        "stops at the last screenful"
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("What you may change here"), "{text}");
    send(&mut app, b.as_ref(), ch('g'));
    assert_eq!(app.detail.as_ref().unwrap().scroll, 0);
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert!(!app.org_view());
}

// ---------------------------------------------------------------------------------
// The audit trail: paging back, filters.

#[test]
fn the_audit_tab_pages_back_past_the_newest_thousand_events() {
    let fx = fixture();
    let me = fx.as_alice();
    for _ in 0..520 {
        fx.exec(&me, Command::Disable { account: fx.carol });
        fx.exec(&me, Command::Enable { account: fx.carol });
    }
    let total = fx
        .store
        .audit(&roster::backend::AuditQuery {
            org: Some(fx.org),
            limit: 100_000,
            ..Default::default()
        })
        .unwrap()
        .len();
    assert!(total > 1040);
    let mut app = open(&fx, me.clone(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('8'));
    assert_eq!(app.audit.len(), roster::tui::data::AUDIT_LIMIT);
    assert!(app.loads.audit_more);
    assert!(screen(&app, 80, 24).contains("Audit 1000+"));
    let oldest = app.audit.all().iter().map(|r| r.seq).min().unwrap();
    let fxs = send(&mut app, b.as_ref(), ch('G'));
    assert!(
        fxs.iter()
            .any(|e| matches!(e, Effect::LoadAudit { before, .. } if *before == oldest)),
        "{fxs:?}"
    );
    assert_eq!(app.audit.len(), total, "every event is there now");
    assert!(!app.loads.audit_more);
    assert!(app.audit.all().iter().any(|r| r.kind == "org_created"));
    // At the end, nothing more is asked for.
    let fxs = send(&mut app, b.as_ref(), ch('G'));
    assert!(!fxs.iter().any(|e| matches!(e, Effect::LoadAudit { .. })));
    // A change elsewhere reloads the newest events and keeps the older ones.
    fx.exec(&me, Command::Disable { account: fx.carol });
    send(&mut app, b.as_ref(), Msg::Tick);
    assert_eq!(app.audit.len(), total + 1);
}

#[test]
fn the_audit_filter_narrows_by_actor_target_and_kind() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('8'));
    let all = app.audit.len();
    let apply = |app: &mut roster::tui::app::App, field: usize, text: &str| {
        send(app, b.as_ref(), ch('f'));
        for i in 0..3 {
            for _ in 0..40 {
                send(app, b.as_ref(), key(KeyCode::Backspace));
            }
            if i == field {
                typed(app, b.as_ref(), text);
            }
            send(app, b.as_ref(), key(KeyCode::Tab));
        }
        send(app, b.as_ref(), ctrl('s'));
    };
    apply(&mut app, 0, "anonymous");
    let rows: Vec<_> = (0..app.audit.len())
        .map(|i| app.audit.get(i).unwrap().clone())
        .collect();
    assert!(!rows.is_empty() && rows.len() < all);
    assert!(rows.iter().all(|r| r.actor == "anonymous"), "{rows:?}");
    apply(&mut app, 1, "carol");
    let rows: Vec<_> = (0..app.audit.len())
        .map(|i| app.audit.get(i).unwrap().clone())
        .collect();
    assert!(!rows.is_empty() && rows.len() < all);
    assert!(rows.iter().all(|r| r.summary.contains("carol")), "{rows:?}");
    apply(&mut app, 2, "account_disabled");
    let rows: Vec<_> = (0..app.audit.len())
        .map(|i| app.audit.get(i).unwrap().clone())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].summary.contains("dave"));
    assert!(screen(&app, 80, 24).contains("kind ~ account_disabled"));
    apply(&mut app, 3, "");
    assert_eq!(
        app.audit.len(),
        all,
        "an empty filter shows everything again"
    );
}

// ---------------------------------------------------------------------------------
// Loads show themselves and Esc abandons them.

#[test]
fn esc_abandons_a_load_and_its_late_reply_is_ignored() {
    let fx = fixture();
    fx.exec(
        &Principal::Operator,
        Command::CreateOrg {
            slug: "globex".into(),
            name: "Globex Inc".into(),
            owner_email: "hank@globex.example".into(),
            owner_first_name: "Hank".into(),
            owner_last_name: "Scorpio".into(),
            settings: None,
        },
    );
    let b = fx.backend();
    let mut app = open(&fx, Principal::Operator, (80, 24));
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org globex");
    // Enter starts the load; the runtime would run it in the background.
    let fxs = roster::tui::app::update(&mut app, key(KeyCode::Enter));
    let load = fxs
        .iter()
        .find(|e| matches!(e, Effect::Load { .. }))
        .cloned()
        .expect("a load");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Opening Globex Inc") && text.contains("Esc stops"),
        "{text}"
    );
    let fxs = roster::tui::app::update(&mut app, key(KeyCode::Esc));
    assert!(fxs.is_empty());
    assert!(app.note.as_ref().unwrap().text.contains("Stopped loading"));
    assert_eq!(app.org, Some(fx.org), "back to what the screen shows");
    // The reply comes late: it is dropped.
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let reply = roster::tui::effects::perform(b.as_ref(), &load, &cancel, &mut |_| {}).unwrap();
    roster::tui::app::update(&mut app, reply);
    assert_eq!(app.snap.org.slug, "acme");
    assert!(app.loads.visible().is_none());
    // Live updates wait until asked for again.
    let fxs = roster::tui::app::update(&mut app, Msg::Tick);
    assert!(fxs.is_empty(), "{fxs:?}");
    let fxs = send(&mut app, b.as_ref(), ctrl('r'));
    assert!(fxs.iter().any(|e| matches!(e, Effect::Load { .. })));
    assert!(roster::tui::app::update(&mut app, Msg::Tick).contains(&Effect::Refresh));
}

#[test]
fn a_quick_background_reload_does_not_cover_the_last_result() {
    let fx = fixture();
    let b = fx.backend();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    app.ok("✓ something done");
    fx.exec(
        &fx.as_alice(),
        Command::RenameGroup {
            group: fx.support,
            name: "Support desk".into(),
        },
    );
    let fxs = roster::tui::app::update(&mut app, Msg::Tick);
    settle(&mut app, b.as_ref(), fxs);
    assert!(screen(&app, 80, 24).contains("✓ something done"));
}

// ---------------------------------------------------------------------------------
// Seed procedures end to end at 80x24.

#[test]
fn seed_003_add_an_account_directly_then_disable_and_delete_it() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "ivan@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "Ivan");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    typed(&mut app, b.as_ref(), "Ivanov");
    send(&mut app, b.as_ref(), ctrl('s'));
    let ivan = fx
        .read(|d| {
            d.account_by_email(fx.org, "ivan@acme.example")
                .map(|a| a.id)
        })
        .expect("added");
    // The same email again: refused, and the form says why.
    send(&mut app, b.as_ref(), ch('n'));
    typed(&mut app, b.as_ref(), "ivan@acme.example");
    send(&mut app, b.as_ref(), ctrl('s'));
    assert!(
        matches!(&app.modal, Some(Modal::Form { form, .. }) if form.note.is_some()),
        "{:?}",
        app.note
    );
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    // Disable (asked first: it locks someone out); the row stays in the active list, so
    // delete can follow on it, once the account is disabled.
    app.users.select(ivan);
    send(&mut app, b.as_ref(), ch('-'));
    assert!(
        matches!(app.modal, Some(Modal::Confirm { .. })),
        "{:?}",
        app.note
    );
    send(&mut app, b.as_ref(), ch('y'));
    assert!(fx.read(|d| !d.accounts[&ivan].enabled));
    assert_eq!(selected_email(&app), "ivan@acme.example");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("disabled") && text.contains("X delete"),
        "{text}"
    );
    send(&mut app, b.as_ref(), ch('X'));
    let Some(Modal::Confirm { dialog, .. }) = &app.modal else {
        panic!("asks once")
    };
    assert!(dialog.lines.join(" ").contains("cannot be undone"));
    send(&mut app, b.as_ref(), ch('y'));
    assert!(fx.read(|d| !d.accounts.contains_key(&ivan)));
}

#[test]
fn seed_004_a_contributor_manages_contacts_but_cannot_name_a_new_owner() {
    let fx = fixture();
    let mut app = open(&fx, Principal::Account { id: fx.carol }, (80, 24));
    let b = fx.backend();
    let programs = app
        .snap
        .areas
        .iter()
        .position(|a| *a == Area::Programs)
        .unwrap();
    send(&mut app, b.as_ref(), ch(char::from(b'1' + programs as u8)));
    assert_eq!(app.tab, Area::Programs);
    let text = screen(&app, 80, 24);
    assert!(text.contains("+ add contact"), "{text}");
    assert!(!text.contains("e rename"), "only the owner renames: {text}");
    send(&mut app, b.as_ref(), ch('+'));
    typed(&mut app, b.as_ref(), "yuki");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "viewer");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Ok, "{:?}", app.note);
    let grants = fx.read(|d| d.programs[&fx.kb].grants.get(&fx.yuki).cloned());
    assert!(grants.is_some_and(|g| !g.is_empty()));
    // Naming a new owner: refused before any picker, in words, shown whole.
    send(&mut app, b.as_ref(), ch('o'));
    assert!(app.modal.is_none());
    let note = app.note.clone().unwrap();
    assert_eq!(note.tone, Tone::Error);
    let text = screen(&app, 80, 24);
    for word in note.text.split_whitespace() {
        assert!(
            text.contains(word),
            "{word:?} of the refusal is on screen:\n{text}"
        );
    }
}

#[test]
fn readme_lists_every_key_binding() {
    use crossterm::event::KeyCode as K;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is there");
    let km = roster::tui::keymap::Keymap::default();
    for b in &km.bindings {
        if b.action.tab_index().is_some() {
            // The digits go to the n-th tab shown; help lists them as one line, and so
            // does the document.
            continue;
        }
        // A table row with a cell that is the description, or lists it among others
        // ("next row, previous row").
        let names_it = |cell: &str| {
            cell == b.desc
                || cell
                    .split(", ")
                    .flat_map(|p| p.split(" / "))
                    .any(|p| p == b.desc)
        };
        let line = doc
            .lines()
            .find(|l| l.starts_with('|') && l.split('|').map(str::trim).any(names_it))
            .unwrap_or_else(|| panic!("README.md does not describe {:?}: {}", b.action, b.desc));
        for k in &b.keys {
            if let K::Char(c) = k.code
                && k.mods.is_empty()
                && !c.is_ascii_digit()
                && c != ' '
            {
                assert!(
                    line.contains(&format!("`{c}`")),
                    "the row for {:?} names `{c}`: {line}",
                    b.action
                );
            }
        }
    }
}

#[test]
fn seed_001_invite_to_roles_from_the_roles_tab() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('2'));
    assert!(app.roles.select(fx.integrator));
    send(&mut app, b.as_ref(), ch('i'));
    let Some(Modal::Wizard(w)) = &app.modal else {
        panic!("the invitation wizard opens")
    };
    let Command::Invite { roles, .. } = w.command() else {
        panic!()
    };
    assert_eq!(roles, vec![fx.integrator], "the selected role is checked");
    typed(&mut app, b.as_ref(), "ines@acme.example");
    for _ in 0..4 {
        send(&mut app, b.as_ref(), ctrl('s'));
    }
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let invited = fx.read(|d| {
        d.invitations
            .values()
            .find(|i| i.email == "ines@acme.example")
            .map(|i| i.roles.clone())
    });
    assert_eq!(invited, Some(vec![fx.integrator]));
}

// ---------------------------------------------------------------------------------
// Issue 14, point 1: preview before commit.

#[test]
fn what_the_core_would_refuse_is_said_at_once_never_after_a_y() {
    let fx = fixture();
    // Bob is an admin, not the owner: naming a new owner is refused, and no question
    // is asked first.
    let mut app = open(&fx, Principal::Account { id: fx.bob }, (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('o'));
    assert!(app.modal.is_none(), "no question: {:?}", app.modal);
    let note = app.note.clone().unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(note.text.starts_with("✗ Transfer ownership"), "{note:?}");
    assert_eq!(fx.read(|d| d.accounts[&fx.alice].level), Level::Owner);
}

#[test]
fn approving_a_rejected_account_is_spelled_out_and_asked() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.grace);
    send(&mut app, b.as_ref(), ch('r'));
    typed(&mut app, b.as_ref(), "not a member of staff");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ch('y'));
    assert_eq!(
        fx.read(|d| d.accounts[&fx.grace].approval),
        Approval::Rejected
    );
    send(&mut app, b.as_ref(), ch('f')); // every status
    send(&mut app, b.as_ref(), ch('f'));
    send(&mut app, b.as_ref(), ch('f'));
    if !app.users.select(fx.grace) {
        send(&mut app, b.as_ref(), ch('f'));
        assert!(app.users.select(fx.grace), "grace is listed");
    }
    send(&mut app, b.as_ref(), ch('a'));
    let Some(Modal::Confirm { dialog, .. }) = &app.modal else {
        panic!("asked first, got {:?}", app.note)
    };
    let text = dialog.lines.join("\n");
    assert!(text.contains("rejected → approved"), "{text}");
    assert_eq!(
        fx.read(|d| d.accounts[&fx.grace].approval),
        Approval::Rejected
    );
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    assert_eq!(
        fx.read(|d| d.accounts[&fx.grace].approval),
        Approval::Rejected
    );
}

#[test]
fn the_approval_queue_keeps_one_key_per_decision() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('4'));
    send(&mut app, b.as_ref(), ch('a'));
    assert!(app.modal.is_none());
    assert_eq!(app.snap.pending.requests, 1);
}

// Issue 14, points 5 and 6: paste is text; a true result line.

#[test]
fn pasted_text_goes_into_the_focused_input_and_never_runs_as_keys() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    // In the list: ignored, nothing run ("-" would disable, "X" delete).
    send(&mut app, b.as_ref(), Msg::Paste("-X*a".into()));
    assert!(app.modal.is_none());
    assert!(fx.read(|d| d.accounts[&fx.carol].enabled));
    // In the filter: text.
    send(&mut app, b.as_ref(), ch('/'));
    send(&mut app, b.as_ref(), Msg::Paste("carol".into()));
    assert_eq!(app.filtering.as_ref().unwrap().value(), "carol");
}

#[test]
fn the_result_line_shows_the_latest_outcome_and_colon_opens_empty_with_history() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch(':'));
    typed(&mut app, b.as_ref(), "org nosuch");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert_eq!(app.note.as_ref().unwrap().tone, Tone::Error);
    send(&mut app, b.as_ref(), ch(':'));
    let Some(Modal::Command(c)) = &app.modal else {
        panic!()
    };
    assert_eq!(c.input.value(), "", ": opens empty");
    send(&mut app, b.as_ref(), key(KeyCode::Up));
    let Some(Modal::Command(c)) = &app.modal else {
        panic!()
    };
    assert_eq!(c.input.value(), "org nosuch", "earlier lines on ↑");
    for _ in 0.."nosuch".len() {
        send(&mut app, b.as_ref(), key(KeyCode::Backspace));
    }
    typed(&mut app, b.as_ref(), "acme");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    assert!(
        app.note.as_ref().is_none_or(|n| !n.text.contains("nosuch")),
        "the old error is gone: {:?}",
        app.note
    );
}

// Issue 14, point 3: nothing typed is ever lost.

#[test]
fn the_invite_wizard_checks_the_email_with_the_core_at_the_email_step() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('i'));
    typed(&mut app, b.as_ref(), "carol@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let Some(Modal::Wizard(w)) = &app.modal else {
        panic!("the wizard stays open")
    };
    assert_eq!(w.step, 0, "back at the email step");
    let note = w.note.clone().unwrap_or_default();
    assert!(note.contains("already has an account"), "{note}");
    assert_eq!(w.email.text(0), "carol@acme.example", "as typed");
}

#[test]
fn a_refused_invitation_reopens_the_wizard_as_typed() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('2'));
    assert!(app.roles.select(fx.integrator));
    send(&mut app, b.as_ref(), ch('i'));
    typed(&mut app, b.as_ref(), "zed@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Zed");
    // Meanwhile someone else invites zed.
    let other = fx.other_process();
    roster::backend::Backend::execute(
        &other,
        &fx.as_alice(),
        &Command::Invite {
            org: fx.org,
            email: "zed@acme.example".into(),
            first_name: String::new(),
            last_name: String::new(),
            message: String::new(),
            level: Level::Member,
            roles: vec![fx.integrator],
            programs: vec![],
            expires: None,
            secret_hash: Some("3".repeat(64)),
        },
        false,
    )
    .unwrap();
    for _ in 0..3 {
        send(&mut app, b.as_ref(), ctrl('s'));
    }
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    let Some(Modal::Wizard(w)) = &app.modal else {
        panic!("the wizard comes back, got {:?}", app.note)
    };
    assert!(w.note.as_deref().unwrap_or("").contains("already pending"));
    assert_eq!(w.email.text(0), "zed@acme.example");
    assert_eq!(w.names.text(0), "Zed");
}

#[test]
fn a_refused_edit_reopens_the_form_as_typed_with_the_reason() {
    let fx = fixture();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    app.users.select(fx.carol);
    send(&mut app, b.as_ref(), ch('e'));
    send(&mut app, b.as_ref(), key(KeyCode::End));
    typed(&mut app, b.as_ref(), "ine");
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    send(&mut app, b.as_ref(), key(KeyCode::Tab));
    for _ in 0.."carol@acme.example".len() {
        send(&mut app, b.as_ref(), key(KeyCode::Backspace));
    }
    typed(&mut app, b.as_ref(), "bob@acme.example");
    send(&mut app, b.as_ref(), ctrl('s'));
    let Some(Modal::Form { form, .. }) = &app.modal else {
        panic!("the form comes back, got {:?}", app.note)
    };
    assert_eq!(form.text(0), "Caroline", "as typed");
    assert_eq!(form.text(2), "bob@acme.example");
    assert!(form.note.is_some(), "with the reason");
}
