//! The backend conformance suite: what every `Backend` must do, whatever keeps the
//! data. Each case takes a fresh, empty backend (and, where it matters, a second view
//! of the same store standing for another process), so the file store, the REST
//! client and the PostgreSQL store can all run the same cases.

use super::fixtures::*;
use roster::backend::{AuditQuery, Backend, BackendError, query};
use roster::core::{Approval, Command, DomainError, Event, Level, Principal, Settings, decide};

/// The operator creates an organisation; it and its owner are there to read.
pub fn creates_an_organisation(b: &dyn Backend) {
    assert!(
        !b.describe().is_empty(),
        "a backend says where it keeps its data"
    );
    let (org, owner) = create_org(b, "acme");
    query(b, |d| {
        let o = d.org_by_slug("acme").expect("the new organisation");
        assert_eq!(o.id, org);
        let a = &d.accounts[&owner];
        assert_eq!((a.org, a.level), (org, Level::Owner));
        assert!(a.verified && a.enabled);
    })
    .unwrap();
    assert_eq!(
        b.refresh().unwrap(),
        seq(b),
        "refresh reports the newest sequence number"
    );
}

/// Registration waits for approval, then the account is approved, disabled and
/// deleted, and the email is free again for a new identity.
pub fn account_lifecycle(b: &dyn Backend) {
    let (org, owner) = create_org(b, "lifecycle");
    let admin = Principal::Account { id: owner };
    let settings = Settings {
        approval_required: true,
        open_registration: true,
        ..Settings::default()
    };
    b.execute(&admin, &Command::UpdateOrgSettings { org, settings }, false)
        .unwrap();

    let register = Command::Register {
        org,
        email: "newbie@lifecycle.example".into(),
        first_name: "Nina".into(),
        last_name: "Newbie".into(),
    };
    let events = b.execute(&Principal::Anonymous, &register, false).unwrap();
    let id = created_account(&events).unwrap();
    let approval = |b: &dyn Backend| {
        query(b, |d| d.accounts.get(&id).map(|a| (a.approval, a.enabled))).unwrap()
    };
    assert_eq!(approval(b), Some((Approval::Pending, true)));

    b.execute(&admin, &Command::Approve { account: id }, false)
        .unwrap();
    assert_eq!(approval(b), Some((Approval::Approved, true)));
    b.execute(&admin, &Command::Disable { account: id }, false)
        .unwrap();
    assert_eq!(approval(b), Some((Approval::Approved, false)));
    b.execute(&admin, &Command::DeleteAccount { account: id }, false)
        .unwrap();
    assert_eq!(approval(b), None, "a deleted account is gone");

    let again = add_account(b, &admin, org, "newbie@lifecycle.example").unwrap();
    let new_id = created_account(&again).unwrap();
    assert_ne!(new_id, id, "a re-added email is a new identity");
}

/// A refusal comes back as `Refused` carrying the core's own reason, and changes
/// nothing: not the state, not the trail.
pub fn refusal_changes_nothing(b: &dyn Backend) {
    let (_, owner) = create_org(b, "refuse");
    let me = Principal::Account { id: owner };
    let cmd = Command::Disable { account: owner };
    let now = b.now();
    let expected = query(b, |d| decide(d, &me, &cmd, now))
        .unwrap()
        .unwrap_err();
    let (before, trail) = (state(b), full_audit(b));

    match b.execute(&me, &cmd, false) {
        Err(BackendError::Refused(e)) => assert_eq!(e, expected),
        other => panic!("disabling yourself must be refused, got {other:?}"),
    }
    assert!(
        matches!(expected, DomainError::Forbidden(_)),
        "{expected:?}"
    );
    assert_eq!(state(b), before);
    assert_eq!(full_audit(b), trail);
}

/// A dry run returns exactly the events the real run will record, and records none.
pub fn dry_run_changes_nothing(b: &dyn Backend) {
    let (org, _) = create_org(b, "dry");
    let (before, trail) = (state(b), full_audit(b));
    let cmd = Command::CreateGroup {
        org,
        name: "Reviewers".into(),
    };

    let preview = b.execute(&Principal::Operator, &cmd, true).unwrap();
    assert_eq!(preview.len(), 1);
    assert_eq!(preview[0].seq, seq(b) + 1);
    assert_eq!(state(b), before, "a dry run changes no state");
    assert_eq!(full_audit(b), trail, "a dry run records nothing");

    let real = b.execute(&Principal::Operator, &cmd, false).unwrap();
    // Everything but the time, which moves on between the two runs.
    let gist = |v: &[roster::core::Recorded]| -> Vec<_> {
        v.iter()
            .map(|r| (r.seq, r.actor.clone(), r.org, r.event.clone()))
            .collect()
    };
    assert_eq!(
        gist(&real),
        gist(&preview),
        "the dry run showed what the real run does"
    );
}

/// A command with nothing to do records nothing.
pub fn nothing_to_do_records_nothing(b: &dyn Backend) {
    let (org, _) = create_org(b, "idle");
    let before = seq(b);
    let events = b
        .execute(
            &Principal::Operator,
            &Command::ExpireInvitations { org },
            false,
        )
        .unwrap();
    assert!(events.is_empty());
    assert_eq!(seq(b), before);
    assert_eq!(full_audit(b).len() as u64, before);
}

/// The trail is newest first, and each filter narrows it.
pub fn audit_newest_first_and_filtered(b: &dyn Backend) {
    let (acme, owner) = create_org(b, "acme");
    let (globex, _) = create_org(b, "globex");
    create_group(b, acme, "Auditors").unwrap();
    create_group(b, globex, "Globex auditors").unwrap();
    let ada = add_account(
        b,
        &Principal::Account { id: owner },
        acme,
        "ada@acme.example",
    )
    .unwrap();
    let ada = created_account(&ada).unwrap();
    b.execute(
        &Principal::Account { id: owner },
        &Command::Disable { account: ada },
        false,
    )
    .unwrap();

    let all = full_audit(b);
    assert_eq!(all.first().map(|r| r.seq), Some(seq(b)), "newest first");
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq));

    let q = |q: AuditQuery| b.audit(&q).unwrap();
    let kinds = q(AuditQuery {
        kind: Some("group_created".into()),
        ..Default::default()
    });
    assert_eq!(kinds.len(), 2);
    assert!(
        kinds
            .iter()
            .all(|r| matches!(r.event, Event::GroupCreated { .. }))
    );

    let in_globex = q(AuditQuery {
        org: Some(globex),
        ..Default::default()
    });
    assert!(!in_globex.is_empty() && in_globex.iter().all(|r| r.org == Some(globex)));

    let by_owner = q(AuditQuery {
        actor: Some("OWNER@ACME".into()),
        ..Default::default()
    });
    assert_eq!(by_owner.len(), 2, "the owner added and disabled an account");
    assert!(matches!(by_owner[0].event, Event::AccountDisabled { .. }));

    let text = q(AuditQuery {
        text: Some("globex auditors".into()),
        ..Default::default()
    });
    assert_eq!(text.len(), 1);

    let newest_two = q(AuditQuery {
        limit: 2,
        ..Default::default()
    });
    assert_eq!(newest_two, all[..2].to_vec());
    let older = q(AuditQuery {
        before: Some(newest_two[1].seq),
        limit: 2,
        ..Default::default()
    });
    assert_eq!(older, all[2..4].to_vec(), "paging back with `before`");
}

/// What one view (another process) writes, the other sees after `refresh`; and a
/// refresh with nothing new changes nothing.
pub fn refresh_sees_an_external_write(writer: &dyn Backend, reader: &dyn Backend) {
    let (org, _) = create_org(writer, "shared");
    assert_eq!(reader.refresh().unwrap(), seq(writer));
    let before = state(reader);
    assert_eq!(
        reader.refresh().unwrap(),
        seq(writer),
        "nothing new: same sequence number"
    );
    assert_eq!(state(reader), before);

    create_group(writer, org, "Written elsewhere").unwrap();
    assert_eq!(reader.refresh().unwrap(), seq(writer));
    assert!(group_names(reader, org).contains("Written elsewhere"));
    assert_eq!(state(reader), state(writer));

    // And the other way round: the reader decides against what the writer did.
    match create_group(reader, org, "Written elsewhere") {
        Err(BackendError::Refused(DomainError::Conflict(_))) => {}
        other => panic!("a duplicate group name must be refused, got {other:?}"),
    }
}
