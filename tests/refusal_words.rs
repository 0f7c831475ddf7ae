//! Refusals show the way that exists, in the organisation's own words (issue 15, point 9):
//! the only admin who tries to step down is sent to the owner, not to "another admin";
//! a program the caller cannot see does not exist for it; the owner is called by the
//! organisation's word; counts and articles are right; a pending account is told who
//! approves it. The random walk in `core_invariants.rs` checks the wording of every
//! refusal it meets; these pin the cases the issue names.

mod support;

use roster::core::*;
use support::{Fixture, World, acct, settings};

/// Organisation A of the fixture, speaking seed 001's language.
fn seed_001_words(fx: &mut Fixture) {
    let mut s = fx.w.dir.orgs[&fx.a].settings.clone();
    s.terminology.owner = "Principal Contact".into();
    s.terminology.admin = "Management Contact".into();
    s.terminology.member = "Main User".into();
    fx.w.run(
        &acct(fx.owner),
        Command::UpdateOrgSettings {
            org: fx.a,
            settings: s,
        },
    );
}

fn message(e: DomainError) -> String {
    e.message().to_string()
}

#[test]
fn the_only_admin_stepping_down_is_sent_to_the_owner() {
    let mut w = World::new();
    let (org, owner) = w.create_org("solo", "boss@solo.example", settings(false, false));
    let admin = w.add(&acct(owner), org, "admin@solo.example", true);
    w.run(&acct(owner), Command::Promote { account: admin });
    let said = message(w.refuse(&acct(admin), Command::Demote { account: admin }));
    assert!(!said.contains("another"), "{said}");
    assert!(said.contains("only Admin"), "{said}");
    assert!(said.contains("the Owner (boss@solo.example)"), "{said}");
    // The owner can indeed do it.
    w.run(&acct(owner), Command::Demote { account: admin });
}

#[test]
fn an_admin_with_colleagues_may_ask_them_or_the_owner() {
    let mut fx = Fixture::build();
    seed_001_words(&mut fx);
    let said = message(fx.w.refuse(&acct(fx.admin), Command::Demote { account: fx.admin }));
    assert!(
        said.contains(
            "ask another Management Contact or the Principal Contact (owner@acme.example)"
        ),
        "{said}"
    );
    let said = message(fx.w.refuse(&acct(fx.owner), Command::Demote { account: fx.owner }));
    assert!(said.contains("transfer ownership first"), "{said}");
}

#[test]
fn a_program_the_caller_cannot_see_does_not_exist_for_it() {
    let fx = Fixture::build();
    // The contributor of Portal sees neither Wiki nor anything about it.
    let mut w = World {
        dir: fx.w.dir.clone(),
        now: fx.w.now,
        log: vec![],
    };
    let unseen = w.refuse(
        &acct(fx.contributor),
        Command::GrantProgramRole {
            program: fx.wiki,
            account: fx.member,
            role: fx.viewer_role,
            until: None,
        },
    );
    let never = w.refuse(
        &acct(fx.contributor),
        Command::GrantProgramRole {
            program: ProgramId(999_999),
            account: fx.member,
            role: fx.viewer_role,
            until: None,
        },
    );
    assert!(matches!(unseen, DomainError::NotFound(_)), "{unseen:?}");
    assert!(matches!(never, DomainError::NotFound(_)), "{never:?}");
    assert_eq!(
        message(unseen),
        message(never).replace("999999", &fx.wiki.0.to_string())
    );
    for cmd in [
        Command::RenameProgram {
            program: fx.wiki,
            name: "Secret".into(),
        },
        Command::DeleteProgram { program: fx.wiki },
        Command::TransferProgram {
            program: fx.wiki,
            to: fx.contributor,
        },
        Command::RemoveFromProgram {
            program: fx.wiki,
            account: fx.member,
        },
    ] {
        let e = w.refuse(&acct(fx.contributor), cmd);
        assert!(matches!(e, DomainError::NotFound(_)), "{e:?}");
        assert!(!e.message().contains("Wiki"), "{e:?}");
    }
}

#[test]
fn a_viewer_is_told_why_and_who_manages_the_contacts() {
    let mut fx = Fixture::build();
    let said = message(fx.w.refuse(
        &acct(fx.viewer),
        Command::GrantProgramRole {
            program: fx.portal,
            account: fx.member,
            role: fx.viewer_role,
            until: None,
        },
    ));
    assert!(
        said.contains("cannot manage the contacts of Portal"),
        "{said}"
    );
    assert!(said.contains("Program owner (site@acme.example)"), "{said}");
    assert!(said.contains("a Contributor of it"), "{said}");
    assert!(said.contains("an Admin"), "{said}");
}

#[test]
fn deleting_the_owner_uses_the_organisations_word() {
    let mut fx = Fixture::build();
    seed_001_words(&mut fx);
    let said = message(fx.w.refuse(
        &acct(fx.admin),
        Command::DeleteAccount { account: fx.owner },
    ));
    assert!(said.contains("exactly one Principal Contact"), "{said}");
    assert!(!said.contains("one owner"), "{said}");
}

#[test]
fn one_seat_is_one_seat_and_a_new_contract_is_named() {
    let mut w = World::new();
    let (org, owner) = w.create_org("small", "boss@small.example", settings(false, false));
    let a = w.add(&acct(owner), org, "a@small.example", true);
    let b = w.add(&acct(owner), org, "b@small.example", true);
    let recs = w.run(
        &Principal::Operator,
        Command::CreateContract {
            org,
            product: "idaas".into(),
            start: w.now - jiff::SignedDuration::from_hours(1),
            end: None,
            seats: 1,
        },
    );
    let id = match &recs[0].event {
        Event::ContractCreated { contract } => contract.id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        summary::summary(&w.dir, &recs[0]),
        format!("created contract {id} for idaas with 1 seat")
    );
    let role = w.role(
        &Principal::Operator,
        org,
        "Integrator",
        Scope::Org,
        &["app:control-desk"],
        Some("idaas"),
    );
    for (who, ok) in [(a, true), (b, false)] {
        let cmd = Command::GrantRole {
            account: who,
            role,
            until: None,
        };
        if ok {
            w.run(&acct(owner), cmd);
        } else {
            let said = message(w.refuse(&acct(owner), cmd));
            assert!(
                said.contains("the only seat of the idaas contract is taken"),
                "{said}"
            );
            assert!(!said.contains("1 seats"), "{said}");
        }
    }
}

#[test]
fn a_pending_account_is_told_who_approves_it() {
    let mut fx = Fixture::build();
    seed_001_words(&mut fx);
    let pending = &fx.w.dir.accounts[&fx.pending];
    let said = wording::cannot_sign_in(&fx.w.dir, pending).expect("pending cannot sign in");
    assert!(said.contains("waiting for approval"), "{said}");
    assert!(
        said.contains("a Management Contact of acme (or anyone holding User management) approves"),
        "{said}"
    );
    let disabled = &fx.w.dir.accounts[&fx.disabled];
    let said = wording::cannot_sign_in(&fx.w.dir, disabled).expect("disabled cannot sign in");
    assert!(
        said.contains("ask a Management Contact of acme to enable it"),
        "{said}"
    );
}
