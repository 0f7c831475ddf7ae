//! API tokens and visibility in the pure core: who may issue and revoke which token,
//! when a token stops letting its holder in, and what of an organisation a principal is
//! shown (the server hands out exactly this, so it is the security boundary).

mod support;

use roster::core::token::{AuthError, authenticate};
use roster::core::visibility::{event_visible, redact, redact_event};
use roster::core::{
    AccountId, Command, DomainError, Event, Principal, Recorded, TokenId, summary::summary,
};
use roster::secret;
use support::{Fixture, INVITE_SECRET, World, acct};

/// A fresh token secret and the command issuing it as `principal`.
fn issue_cmd(principal: Principal) -> (String, Command) {
    let (secret, hash) = secret::new_secret().unwrap();
    (
        secret,
        Command::IssueToken {
            principal,
            label: "test".into(),
            token_hash: hash,
            expires: None,
        },
    )
}

fn token_id(recs: &[Recorded]) -> TokenId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::TokenIssued { token } => Some(token.id),
            _ => None,
        })
        .expect("a token was issued")
}

/// Issues a token for `account` by the operator; returns its secret and id.
fn issue_for(w: &mut World, account: AccountId) -> (String, TokenId) {
    let (secret, cmd) = issue_cmd(acct(account));
    let recs = w.run(&Principal::Operator, cmd);
    (secret, token_id(&recs))
}

fn auth(w: &World, secret: &str) -> Result<Principal, AuthError> {
    authenticate(&w.dir, &secret::hash(secret), w.now)
}

#[test]
fn a_token_lets_in_as_whom_it_was_issued_for_and_nothing_else_does() {
    let mut fx = Fixture::build();
    let (secret, _) = issue_for(&mut fx.w, fx.member);
    assert_eq!(auth(&fx.w, &secret), Ok(acct(fx.member)));
    let (other, _) = secret::new_secret().unwrap();
    assert_eq!(auth(&fx.w, &other), Err(AuthError::Unknown));
    // The stored hash is not a secret that works: it is hashed again on the way in.
    let stored = secret::hash(&secret);
    assert_eq!(auth(&fx.w, &stored), Err(AuthError::Unknown));

    let (op_secret, cmd) = issue_cmd(Principal::Operator);
    fx.w.run(&Principal::Operator, cmd);
    assert_eq!(auth(&fx.w, &op_secret), Ok(Principal::Operator));
}

#[test]
fn an_account_issues_tokens_only_for_itself() {
    let mut fx = Fixture::build();
    let (secret, cmd) = issue_cmd(acct(fx.member));
    fx.w.run(&acct(fx.member), cmd);
    assert_eq!(auth(&fx.w, &secret), Ok(acct(fx.member)));

    let (_, cmd) = issue_cmd(acct(fx.viewer));
    assert!(matches!(
        fx.w.refuse(&acct(fx.member), cmd),
        DomainError::Forbidden(_)
    ));
    // Not even an admin or the owner makes tokens that act as someone else.
    let (_, cmd) = issue_cmd(acct(fx.member));
    assert!(matches!(
        fx.w.refuse(&acct(fx.owner), cmd),
        DomainError::Forbidden(_)
    ));
    let (_, cmd) = issue_cmd(Principal::Operator);
    assert!(matches!(
        fx.w.refuse(&acct(fx.owner), cmd),
        DomainError::Forbidden(_)
    ));
    let (_, cmd) = issue_cmd(acct(fx.member));
    assert!(matches!(
        fx.w.refuse(&Principal::Anonymous, cmd),
        DomainError::Forbidden(_)
    ));
}

#[test]
fn no_token_is_made_for_an_account_that_cannot_sign_in() {
    let mut fx = Fixture::build();
    for who in [fx.disabled, fx.pending] {
        let (_, cmd) = issue_cmd(acct(who));
        let e = fx.w.refuse(&Principal::Operator, cmd);
        assert!(matches!(e, DomainError::Conflict(_)), "{e:?}");
    }
    // A disabled or pending account cannot act at all, so not for itself either.
    let (_, cmd) = issue_cmd(acct(fx.disabled));
    assert!(matches!(
        fx.w.refuse(&acct(fx.disabled), cmd),
        DomainError::Forbidden(_)
    ));
}

#[test]
fn a_token_hash_must_be_a_sha256_and_new_and_expire_in_the_future() {
    let mut fx = Fixture::build();
    let bad = |hash: &str| Command::IssueToken {
        principal: Principal::Operator,
        label: String::new(),
        token_hash: hash.into(),
        expires: None,
    };
    for hash in ["", "rst_abc", &"A".repeat(64), &"0".repeat(63)] {
        let e = fx.w.refuse(&Principal::Operator, bad(hash));
        assert!(matches!(e, DomainError::Invalid(_)), "{hash}: {e:?}");
    }
    let (_, hash) = secret::new_secret().unwrap();
    fx.w.run(&Principal::Operator, bad(&hash));
    assert!(matches!(
        fx.w.refuse(&Principal::Operator, bad(&hash)),
        DomainError::Conflict(_)
    ));
    let (_, hash) = secret::new_secret().unwrap();
    let past = Command::IssueToken {
        principal: Principal::Operator,
        label: String::new(),
        token_hash: hash,
        expires: Some(fx.w.now),
    };
    assert!(matches!(
        fx.w.refuse(&Principal::Operator, past),
        DomainError::Invalid(_)
    ));
}

#[test]
fn revoked_and_expired_tokens_stop_working() {
    let mut fx = Fixture::build();
    let (secret, id) = issue_for(&mut fx.w, fx.member);
    fx.w.run(&acct(fx.member), Command::RevokeToken { token: id });
    assert_eq!(auth(&fx.w, &secret), Err(AuthError::Revoked));
    assert!(matches!(
        fx.w.refuse(&Principal::Operator, Command::RevokeToken { token: id }),
        DomainError::Conflict(_)
    ));

    let (secret, hash) = secret::new_secret().unwrap();
    let expires = fx.w.now + jiff::SignedDuration::from_hours(2);
    fx.w.run(
        &acct(fx.member),
        Command::IssueToken {
            principal: acct(fx.member),
            label: "short".into(),
            token_hash: hash,
            expires: Some(expires),
        },
    );
    assert_eq!(auth(&fx.w, &secret), Ok(acct(fx.member)));
    fx.w.advance_hours(2);
    assert_eq!(auth(&fx.w, &secret), Err(AuthError::Expired(expires)));
}

#[test]
fn an_account_token_follows_the_account_disabled_enabled_deleted() {
    let mut fx = Fixture::build();
    let (secret, _) = issue_for(&mut fx.w, fx.member);
    let o = acct(fx.owner);
    fx.w.run(&o, Command::Disable { account: fx.member });
    assert!(matches!(auth(&fx.w, &secret), Err(AuthError::Inactive(m)) if m.contains("disabled")));
    fx.w.run(&o, Command::Enable { account: fx.member });
    assert_eq!(auth(&fx.w, &secret), Ok(acct(fx.member)));

    fx.w.run(&o, Command::Disable { account: fx.member });
    fx.w.run(&o, Command::DeleteAccount { account: fx.member });
    assert_eq!(auth(&fx.w, &secret), Err(AuthError::AccountGone));
    // Someone re-added with the same email is a new identity: the old token is not theirs.
    let again = fx.w.add(&o, fx.a, "member@acme.example", true);
    assert_ne!(again, fx.member);
    assert_eq!(auth(&fx.w, &secret), Err(AuthError::AccountGone));
}

#[test]
fn who_may_revoke_whose_token() {
    let mut fx = Fixture::build();
    let (_, member_token) = issue_for(&mut fx.w, fx.member);
    let (_, owner_token) = issue_for(&mut fx.w, fx.owner);
    let (_, b_token) = issue_for(&mut fx.w, fx.b_member);
    let (_, cmd) = issue_cmd(Principal::Operator);
    let op_token = token_id(&fx.w.run(&Principal::Operator, cmd));
    let revoke = |t| Command::RevokeToken { token: t };

    // Another member may not; an admin of the organisation may.
    let e = fx.w.refuse(&acct(fx.viewer), revoke(member_token));
    assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
    // Nobody but the owner and the operator touches the owner's tokens.
    let e = fx.w.refuse(&acct(fx.admin), revoke(owner_token));
    assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
    // Another organisation's tokens and operator tokens do not exist for an account.
    for t in [b_token, op_token] {
        let e = fx.w.refuse(&acct(fx.admin), revoke(t));
        assert!(matches!(e, DomainError::NotFound(_)), "{e:?}");
    }
    fx.w.run(&acct(fx.admin), revoke(member_token));
    fx.w.run(&acct(fx.owner), revoke(owner_token));
    fx.w.run(&Principal::Operator, revoke(b_token));
}

#[test]
fn the_audit_trail_names_tokens_and_their_hash_never_leaves() {
    let mut fx = Fixture::build();
    let (secret, cmd) = issue_cmd(acct(fx.member));
    let recs = fx.w.run(&acct(fx.member), cmd);
    let line = summary(&fx.w.dir, &recs[0]);
    assert!(
        line.contains("issued API token") && line.contains("member@acme.example"),
        "{line}"
    );
    let hash = secret::hash(&secret);
    assert!(serde_json::to_string(&recs[0]).unwrap().contains(&hash));
    let shown = serde_json::to_string(&redact_event(&recs[0])).unwrap();
    assert!(!shown.contains(&hash), "{shown}");
}

#[test]
fn a_member_sees_nothing_of_another_organisation() {
    let fx = Fixture::build();
    let d = &fx.w.dir;
    let me = acct(fx.member);
    let other = redact(d, &me, fx.b, fx.w.now);
    assert!(other.orgs.is_empty() && other.accounts.is_empty() && other.roles.is_empty());
    assert!(other.groups.is_empty() && other.programs.is_empty() && other.invitations.is_empty());

    let mine = redact(d, &me, fx.a, fx.w.now);
    assert_eq!(mine.orgs.keys().copied().collect::<Vec<_>>(), vec![fx.a]);
    assert!(mine.accounts.values().all(|a| a.org == fx.a));
    assert!(mine.roles.values().all(|r| r.org == fx.a));
    assert!(mine.programs.values().all(|p| p.org == fx.a));
    assert_eq!(mine.seq, d.seq);
    assert_eq!(mine.next_id, d.next_id);
    // Indexes are rebuilt, so queries work on the copy.
    assert!(mine.org_by_slug("acme").is_some());
    assert!(mine.account_by_email(fx.a, "member@acme.example").is_some());
}

#[test]
fn no_secret_hash_survives_redaction() {
    let mut fx = Fixture::build();
    let (secret, _) = issue_for(&mut fx.w, fx.member);
    fx.w.run(
        &acct(fx.owner),
        Command::RequestPasswordReset {
            account: fx.viewer,
            secret_hash: Some("1".repeat(64)),
        },
    );
    let d = &fx.w.dir;
    for who in [Principal::Operator, acct(fx.owner), acct(fx.member)] {
        let seen = redact(d, &who, fx.a, fx.w.now);
        let json = serde_json::to_string(&seen).unwrap();
        for hash in [
            INVITE_SECRET.to_string(),
            "1".repeat(64),
            secret::hash(&secret),
        ] {
            assert!(!json.contains(&hash), "{who:?} was shown a hash");
        }
        assert!(seen.tokens.is_empty() && seen.resets.is_empty());
        assert!(seen.invitations.values().all(|i| i.secret_hash.is_none()));
    }
}

#[test]
fn what_a_plain_member_is_shown_of_its_own_organisation() {
    let fx = Fixture::build();
    let d = &fx.w.dir;
    let seen = redact(d, &acct(fx.member), fx.a, fx.w.now);
    // members.read: every account, but without roles.read not their role grants.
    assert_eq!(seen.accounts.len(), d.accounts_of(fx.a).count());
    assert!(seen.accounts[&fx.usermgr].roles.is_empty());
    assert!(!d.accounts[&fx.usermgr].roles.is_empty());
    // No contracts.read, invitations.read or members.approve.
    assert!(seen.contracts.is_empty());
    assert!(seen.invitations.is_empty());
    assert!(seen.requests.is_empty());
    // Groups it is in (Ops), and the role that group grants, so its permissions add up.
    assert_eq!(
        seen.groups.keys().copied().collect::<Vec<_>>(),
        vec![fx.ops]
    );
    assert!(seen.roles.contains_key(&fx.reports_role));
    assert!(!seen.roles.contains_key(&fx.billing_role));
    // Programs it is no contact of are not shown without programs.read.
    assert!(seen.programs.is_empty());

    let viewer = redact(d, &acct(fx.viewer), fx.a, fx.w.now);
    assert_eq!(
        viewer.programs.keys().copied().collect::<Vec<_>>(),
        vec![fx.portal]
    );

    let pending = redact(d, &acct(fx.pending), fx.a, fx.w.now);
    assert_eq!(
        pending.accounts.keys().copied().collect::<Vec<_>>(),
        vec![fx.pending]
    );

    let admin = redact(d, &acct(fx.admin), fx.a, fx.w.now);
    assert_eq!(admin.contracts.len(), 1);
    assert!(admin.invitations.contains_key(&fx.invitation));
    assert!(!admin.requests.is_empty());
    assert!(!admin.accounts[&fx.usermgr].roles.is_empty());
}

#[test]
fn the_feed_shows_an_account_only_its_own_organisation_and_what_it_may_see() {
    let mut fx = Fixture::build();
    // Token events of another organisation are no more visible than the rest.
    issue_for(&mut fx.w, fx.b_member);
    let d = &fx.w.dir;
    let now = fx.w.now;
    let log = &fx.w.log;
    let member = acct(fx.member);
    let admin = acct(fx.admin);
    for rec in log {
        if rec.org == Some(fx.b) {
            assert!(!event_visible(d, &member, rec, now), "{:?}", rec.event);
            assert!(!event_visible(d, &admin, rec, now), "{:?}", rec.event);
        }
        assert!(event_visible(d, &Principal::Operator, rec, now));
        if rec.org == Some(fx.a) {
            // audit.read: an admin sees everything of its organisation.
            assert!(event_visible(d, &admin, rec, now), "{:?}", rec.event);
        }
        match &rec.event {
            Event::ContractCreated { .. } => assert!(!event_visible(d, &member, rec, now)),
            Event::InvitationSent { .. } => assert!(!event_visible(d, &member, rec, now)),
            Event::AccountCreated { account, .. } if account.id == fx.member => {
                assert!(event_visible(d, &member, rec, now))
            }
            _ => {}
        }
    }
}
