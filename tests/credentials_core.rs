//! Passwords, reset links, invitation links and sign-in sessions in the pure core, on a
//! pinned clock: every expiry rule of the seeds (seed 002: reset links are disabled after
//! their time; a disabled user cannot sign in but a live session runs until it expires)
//! and who may set a password (only a holder of a live secret).

mod support;

use roster::core::token::{AuthError, authenticate};
use roster::core::visibility::{redact, redact_event};
use roster::core::{
    AccountId, Approval, Command, DomainError, Event, InvitationId, Level, OrgId, Principal,
    RoleId, Scope,
};
use roster::secret;
use support::{World, acct, sent_invitation, settings};

const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
const PHC2: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXI";

struct Org {
    w: World,
    org: OrgId,
    owner: AccountId,
    member: AccountId,
}

fn org(approval_required: bool) -> Org {
    let mut w = World::new();
    let (org, owner) = w.create_org(
        "acme",
        "owner@acme.example",
        settings(approval_required, false),
    );
    let member = w.add(&acct(owner), org, "member@acme.example", true);
    Org {
        w,
        org,
        owner,
        member,
    }
}

/// Sends a reset for `account` as `by`; returns the link's secret.
fn reset(w: &mut World, by: AccountId, account: AccountId) -> String {
    let (secret, hash) = secret::new_secret().unwrap();
    w.run(
        &acct(by),
        Command::RequestPasswordReset {
            account,
            secret_hash: Some(hash),
        },
    );
    secret
}

fn complete(secret: &str, phc: &str) -> Command {
    Command::CompletePasswordReset {
        secret_hash: secret::hash(secret),
        password_hash: phc.into(),
    }
}

fn conflict_text(e: DomainError) -> String {
    match e {
        DomainError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn a_reset_link_sets_the_password_once() {
    let mut o = org(false);
    let s = reset(&mut o.w, o.owner, o.member);
    let recs = o.w.run(&Principal::Anonymous, complete(&s, PHC));
    assert!(matches!(&recs[0].event, Event::PasswordSet { account, .. } if *account == o.member));
    assert_eq!(
        o.w.dir.passwords.get(&o.member).map(String::as_str),
        Some(PHC)
    );

    let e = o.w.refuse(&Principal::Anonymous, complete(&s, PHC2));
    assert!(conflict_text(e).contains("already used"));
    assert_eq!(
        o.w.dir.passwords[&o.member], PHC,
        "the second use changed nothing"
    );
}

#[test]
fn a_reset_link_used_late_fails_and_says_when_it_expired() {
    let mut o = org(false);
    let s = reset(&mut o.w, o.owner, o.member);
    // reset_ttl_hours defaults to 24: one hour before the end it works, at the end not.
    o.w.advance_hours(24);
    let e = o.w.refuse(&Principal::Anonymous, complete(&s, PHC));
    let text = conflict_text(e);
    assert!(
        text.contains("expired at") && text.contains("ask for a new one"),
        "{text}"
    );
    assert!(!o.w.dir.passwords.contains_key(&o.member));

    let s = reset(&mut o.w, o.member, o.member); // the account asks for itself
    o.w.advance_hours(23);
    o.w.run(&Principal::Anonymous, complete(&s, PHC));
}

#[test]
fn a_reset_link_fails_after_the_account_is_disabled() {
    let mut o = org(false);
    let s = reset(&mut o.w, o.owner, o.member);
    o.w.run(&acct(o.owner), Command::Disable { account: o.member });
    let text = conflict_text(o.w.refuse(&Principal::Anonymous, complete(&s, PHC)));
    assert!(text.contains("is disabled"), "{text}");
}

#[test]
fn a_newer_reset_link_replaces_the_older_and_unknown_links_are_refused() {
    let mut o = org(false);
    let old = reset(&mut o.w, o.owner, o.member);
    let new = reset(&mut o.w, o.owner, o.member);
    conflict_text(o.w.refuse(&Principal::Anonymous, complete(&old, PHC)));
    let (stranger, _) = secret::new_secret().unwrap();
    assert!(matches!(
        o.w.refuse(&Principal::Anonymous, complete(&stranger, PHC)),
        DomainError::Forbidden(m) if m.contains("not valid")
    ));
    // Only an argon2id PHC string is stored, never a password sent by mistake.
    assert!(matches!(
        o.w.refuse(&Principal::Anonymous, complete(&new, "hunter22")),
        DomainError::Invalid(_)
    ));
    o.w.run(&Principal::Anonymous, complete(&new, PHC));
}

#[test]
fn nobody_sets_another_accounts_password_without_its_link() {
    let mut o = org(false);
    // Administrators included: there is no command that sets a password without a secret,
    // and the secret-less acceptance on someone's behalf sets none.
    let s = reset(&mut o.w, o.owner, o.member);
    let wrong = secret::hash("not the secret");
    for who in [acct(o.owner), Principal::Operator, Principal::Anonymous] {
        o.w.refuse(
            &who,
            Command::CompletePasswordReset {
                secret_hash: wrong.clone(),
                password_hash: PHC.into(),
            },
        );
    }
    o.w.run(&acct(o.owner), complete(&s, PHC));
    assert_eq!(o.w.dir.passwords[&o.member], PHC);
}

fn invite(o: &mut Org, email: &str, roles: Vec<RoleId>) -> (String, InvitationId) {
    let (secret, hash) = secret::new_secret().unwrap();
    let (owner, org) = (o.owner, o.org);
    let recs = o.w.run(
        &acct(owner),
        Command::Invite {
            org,
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            message: String::new(),
            level: Level::Member,
            roles,
            programs: vec![],
            expires: None,
            secret_hash: Some(hash),
        },
    );
    (secret, sent_invitation(&recs))
}

fn accept(secret: &str) -> Command {
    Command::AcceptInvitationLink {
        secret_hash: secret::hash(secret),
        password_hash: PHC.into(),
        first_name: Some("Ivy".into()),
        last_name: Some("Invitee".into()),
    }
}

#[test]
fn accepting_an_invitation_link_creates_the_account_with_its_roles_and_password() {
    let mut o = org(false);
    let role = o.w.role(
        &acct(o.owner),
        o.org,
        "Reports",
        Scope::Org,
        &["app:reports"],
        None,
    );
    let (s, _) = invite(&mut o, "ivy@acme.example", vec![role]);
    let recs = o.w.run(&Principal::Anonymous, accept(&s));
    let id = support::created_account(&recs);
    let a = &o.w.dir.accounts[&id];
    assert_eq!(
        (a.first_name.as_str(), a.last_name.as_str()),
        ("Ivy", "Invitee")
    );
    assert!(a.verified && a.active());
    assert!(a.roles.iter().any(|g| g.role == role));
    assert_eq!(o.w.dir.passwords[&id], PHC);

    // Used: the link is spent.
    let e = o.w.refuse(&Principal::Anonymous, accept(&s));
    assert!(matches!(e, DomainError::Forbidden(m) if m.contains("already used")));
}

#[test]
fn an_invitee_of_an_organisation_requiring_approval_waits() {
    let mut o = org(true);
    let (s, _) = invite(&mut o, "ivy@acme.example", vec![]);
    let id = support::created_account(&o.w.run(&Principal::Anonymous, accept(&s)));
    assert_eq!(o.w.dir.accounts[&id].approval, Approval::Pending);
    // A pending account cannot open a session.
    let (_, h) = secret::new_secret().unwrap();
    o.w.refuse(
        &acct(id),
        Command::StartSession {
            account: id,
            token_hash: h,
        },
    );
}

#[test]
fn expired_revoked_and_replaced_invitation_links_fail() {
    let mut o = org(false);
    let (late, _) = invite(&mut o, "late@acme.example", vec![]);
    let (gone, gone_id) = invite(&mut o, "gone@acme.example", vec![]);
    let (old, old_id) = invite(&mut o, "old@acme.example", vec![]);
    o.w.run(
        &acct(o.owner),
        Command::RevokeInvitation {
            invitation: gone_id,
        },
    );
    let (_, h) = secret::new_secret().unwrap();
    o.w.run(
        &acct(o.owner),
        Command::ResendInvitation {
            invitation: old_id,
            secret_hash: Some(h),
        },
    );
    assert!(matches!(
        o.w.refuse(&Principal::Anonymous, accept(&gone)),
        DomainError::Forbidden(_)
    ));
    assert!(matches!(
        o.w.refuse(&Principal::Anonymous, accept(&old)),
        DomainError::Forbidden(_)
    ));
    // invitation_ttl_hours defaults to a week.
    o.w.advance_hours(7 * 24);
    let text = conflict_text(o.w.refuse(&Principal::Anonymous, accept(&late)));
    assert!(text.contains("expired at"), "{text}");
}

fn sign_in(w: &mut World, id: AccountId) -> String {
    let (secret, hash) = secret::new_secret().unwrap();
    w.run(
        &acct(id),
        Command::StartSession {
            account: id,
            token_hash: hash,
        },
    );
    secret
}

fn auth(o: &Org, secret: &str) -> Result<Principal, AuthError> {
    authenticate(&o.w.dir, &secret::hash(secret), o.w.now)
}

#[test]
fn a_disabled_accounts_live_session_works_until_it_expires() {
    let mut o = org(false);
    let session = sign_in(&mut o.w, o.member);
    let (api, hash) = secret::new_secret().unwrap();
    o.w.run(
        &acct(o.member),
        Command::IssueToken {
            principal: acct(o.member),
            label: "script".into(),
            token_hash: hash,
            expires: None,
        },
    );
    o.w.run(&acct(o.owner), Command::Disable { account: o.member });
    // Seed 002: no new sign-in, but the live session continues.
    o.w.refuse(
        &acct(o.member),
        Command::StartSession {
            account: o.member,
            token_hash: secret::hash("another"),
        },
    );
    assert_eq!(auth(&o, &session), Ok(acct(o.member)));
    assert!(
        matches!(auth(&o, &api), Err(AuthError::Inactive(_))),
        "API tokens keep their rule"
    );
    // session_ttl_hours defaults to 12.
    o.w.advance_hours(11);
    assert_eq!(auth(&o, &session), Ok(acct(o.member)));
    o.w.advance_hours(1);
    assert!(matches!(auth(&o, &session), Err(AuthError::Expired(_))));
}

#[test]
fn revoking_sessions_ends_them_at_once_and_needs_sessions_revoke() {
    let mut o = org(false);
    let other = o.w.add(&acct(o.owner), o.org, "other@acme.example", true);
    let s1 = sign_in(&mut o.w, o.member);
    let s2 = sign_in(&mut o.w, o.member);
    let e =
        o.w.refuse(&acct(other), Command::RevokeSessions { account: o.member });
    assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
    o.w.run(&acct(o.owner), Command::Disable { account: o.member });
    assert_eq!(auth(&o, &s1), Ok(acct(o.member)));
    let recs = o.w.run(
        &acct(o.owner),
        Command::RevokeSessions { account: o.member },
    );
    assert_eq!(recs.len(), 2);
    assert_eq!(auth(&o, &s1), Err(AuthError::Revoked));
    assert_eq!(auth(&o, &s2), Err(AuthError::Revoked));
    let text = conflict_text(o.w.refuse(
        &acct(o.owner),
        Command::RevokeSessions { account: o.member },
    ));
    assert!(text.contains("no live sessions"), "{text}");
    // Nobody opens a session for someone else.
    o.w.refuse(
        &acct(o.owner),
        Command::StartSession {
            account: other,
            token_hash: secret::hash("x"),
        },
    );
}

#[test]
fn a_session_lasts_the_organisations_session_lifetime() {
    let mut o = org(false);
    let mut s = o.w.dir.orgs[&o.org].settings.clone();
    s.session_ttl_hours = 2;
    o.w.run(
        &acct(o.owner),
        Command::UpdateOrgSettings {
            org: o.org,
            settings: s.clone(),
        },
    );
    let session = sign_in(&mut o.w, o.member);
    o.w.advance_hours(2);
    assert!(matches!(auth(&o, &session), Err(AuthError::Expired(_))));
    s.session_ttl_hours = 0;
    o.w.refuse(
        &acct(o.owner),
        Command::UpdateOrgSettings {
            org: o.org,
            settings: s,
        },
    );
}

#[test]
fn the_password_hash_never_leaves_the_core() {
    let mut o = org(false);
    let s = reset(&mut o.w, o.owner, o.member);
    let phc = roster::credentials::hash_password("a long password").unwrap();
    o.w.run(&Principal::Anonymous, complete(&s, &phc));
    assert!(roster::credentials::verify_password(
        "a long password",
        o.w.dir.passwords.get(&o.member).map(String::as_str)
    ));
    for who in [Principal::Operator, acct(o.owner), acct(o.member)] {
        let seen = serde_json::to_string(&redact(&o.w.dir, &who, o.org, o.w.now)).unwrap();
        assert!(!seen.contains("argon2"), "{seen}");
    }
    for rec in &o.w.log {
        let shown = serde_json::to_string(&redact_event(rec)).unwrap();
        assert!(!shown.contains("argon2"), "{shown}");
    }
}

#[test]
fn a_disabled_account_may_still_end_its_own_sessions_and_nothing_else() {
    let mut o = org(false);
    let session = sign_in(&mut o.w, o.member);
    o.w.run(&acct(o.owner), Command::Disable { account: o.member });
    let e = o.w.refuse(
        &acct(o.member),
        Command::RevokeSessions { account: o.owner },
    );
    assert!(matches!(e, DomainError::Forbidden(m) if m.contains("disabled")));
    o.w.run(
        &acct(o.member),
        Command::RevokeSessions { account: o.member },
    );
    assert_eq!(auth(&o, &session), Err(AuthError::Revoked));
}
