//! Seed 004: "keep track of what invitations have been sent and who has accepted".
//! Whoever invites follows what they sent, and a program's owner and contributors follow
//! the invitations to their program — without `invitations.read`, and without seeing
//! anyone else's.

mod support;

use roster::core::query::{self, Area};
use roster::core::*;
use support::Fixture;

fn seen(fx: &Fixture, dir: &Directory, who: AccountId) -> Vec<InvitationId> {
    let who = Principal::Account { id: who };
    query::invitations(dir, &who, fx.a, None, fx.w.now)
        .into_iter()
        .map(|(i, _)| i.id)
        .collect()
}

#[test]
fn inviters_and_program_contacts_follow_their_invitations() {
    let mut fx = Fixture::build();
    let contributor = Principal::Account { id: fx.contributor };
    // The owner's invitation offers the Portal: its owner and contributor follow it.
    for who in [fx.prog_owner, fx.contributor] {
        assert_eq!(seen(&fx, &fx.w.dir, who), vec![fx.invitation], "{who}");
        assert!(query::can_see(
            &fx.w.dir,
            &Principal::Account { id: who },
            fx.a,
            Area::Invitations,
            fx.w.now
        ));
    }
    // A viewer of the Portal and a plain member follow nothing and have no such list.
    for who in [fx.viewer, fx.member] {
        assert_eq!(seen(&fx, &fx.w.dir, who), vec![], "{who}");
        assert!(!query::can_see(
            &fx.w.dir,
            &Principal::Account { id: who },
            fx.a,
            Area::Invitations,
            fx.w.now
        ));
    }
    // The contributor invites a viewer to the Portal and sees it accepted, by whom.
    let recs = fx.w.run(
        &contributor,
        Command::Invite {
            org: fx.a,
            email: "new.viewer@acme.example".into(),
            first_name: "New".into(),
            last_name: "Viewer".into(),
            message: String::new(),
            level: Level::Member,
            roles: vec![],
            programs: vec![ProgramOffer {
                program: fx.portal,
                role: fx.viewer_role,
            }],
            expires: None,
            secret_hash: Some("c".repeat(64)),
        },
    );
    let sent = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::InvitationSent { invitation } => Some(invitation.id),
            _ => None,
        })
        .unwrap();
    fx.w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: sent,
            secret_hash: Some("c".repeat(64)),
        },
    );
    let rows = query::invitations(&fx.w.dir, &contributor, fx.a, None, fx.w.now);
    let (inv, status) = rows.iter().find(|(i, _)| i.id == sent).unwrap();
    assert_eq!(*status, InvitationStatus::Accepted);
    assert!(inv.account.is_some(), "who accepted is on record");
    // What the console and the server hand over is the same set.
    let redacted = visibility::redact(&fx.w.dir, &contributor, fx.a, fx.w.now);
    let mut shown: Vec<_> = redacted.invitations.keys().copied().collect();
    shown.sort();
    let mut listed = seen(&fx, &fx.w.dir, fx.contributor);
    listed.sort();
    assert_eq!(shown, listed);
    // The B organisation's invitations stay out of sight of everyone in A.
    assert!(!listed.contains(&fx.b_invitation));
}
