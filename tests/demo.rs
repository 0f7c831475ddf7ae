//! The demo data set: valid by construction (it satisfies every invariant) and holding
//! what the issue promises for each seed system.

use roster::backend::file::FileStore;
use roster::backend::{AuditQuery, Backend, query};
use roster::core::invariants::violations;
use roster::core::*;
use roster::demo::{self, DemoSummary};

struct Built {
    _tmp: tempfile::TempDir,
    store: FileStore,
    summary: DemoSummary,
}

/// A demo store as `roster init --demo` makes it, reopened the way the CLI opens it.
fn built() -> Built {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("store");
    let summary = demo::create_store(&path).expect("the demo builds");
    let store = FileStore::open(&path).expect("the demo store opens");
    Built {
        _tmp: tmp,
        store,
        summary,
    }
}

fn org<'a>(dir: &'a Directory, slug: &str) -> &'a Org {
    dir.org_by_slug(slug)
        .unwrap_or_else(|| panic!("no organisation {slug}"))
}

fn has_role(dir: &Directory, o: OrgId, name: &str) -> bool {
    dir.roles_of(o).any(|r| r.name == name)
}

#[test]
fn the_demo_satisfies_every_invariant() {
    let b = built();
    let now = b.store.now();
    let broken = query(&b.store, |dir| violations(dir, now)).expect("read");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn each_seed_system_has_its_organisation_in_its_own_words() {
    let b = built();
    query(&b.store, |dir| {
        let jisc = org(dir, "jisc");
        assert_eq!(jisc.settings.terminology.admin, "Management Contact");
        assert_eq!(jisc.settings.terminology.member, "Authorised User");
        let ubi = org(dir, "ubisecure");
        assert_eq!(ubi.settings.terminology.admin, "Main User");
        assert_eq!(ubi.settings.terminology.member, "User");
        for r in ["Downloads", "Service Desk", "Integrator"] {
            assert!(has_role(dir, ubi.id, r), "ubisecure lacks {r}");
        }
        let kb = org(dir, "kb");
        assert!(kb.settings.approval_required);
        for r in [
            "Account settings",
            "User management",
            "ADMIN",
            "CONTENT_EDITOR",
            "Reader",
        ] {
            assert!(has_role(dir, kb.id, r), "kb lacks {r}");
        }
        assert!(
            dir.programs
                .values()
                .any(|p| p.org == kb.id && p.name == "Knowledge Base")
        );
        let jpac = org(dir, "jpac");
        assert_eq!(jpac.settings.terminology.admin, "Admin");
        assert_eq!(jpac.settings.terminology.member, "Standard");
        assert!(query::groups(dir, jpac.id).len() >= 3);
        let cert = org(dir, "certsite");
        let t = &cert.settings.terminology;
        assert_eq!(
            (t.owner.as_str(), t.admin.as_str(), t.member.as_str()),
            (
                "Main Corporate Contact",
                "Secondary Corporate Contact",
                "Affiliate"
            )
        );
        for r in ["Viewer", "Contributor", "Main Site Contact"] {
            assert!(has_role(dir, cert.id, r), "certsite lacks {r}");
        }
        assert!(dir.programs.values().filter(|p| p.org == cert.id).count() >= 2);
    })
    .expect("read");
}

#[test]
fn the_demo_has_accounts_in_every_state() {
    let b = built();
    query(&b.store, |dir| {
        let kb = org(dir, "kb").id;
        let pending = dir
            .accounts_of(kb)
            .filter(|a| a.approval == Approval::Pending)
            .count();
        assert!(
            pending >= 2,
            "kb should have several users waiting for approval, has {pending}"
        );
        assert!(
            dir.accounts_of(kb)
                .any(|a| a.approval == Approval::Rejected)
        );
        let jpac = org(dir, "jpac").id;
        assert!(
            dir.accounts_of(jpac).filter(|a| !a.enabled).count() >= 2,
            "jpac has inactive accounts"
        );
        assert!(
            dir.accounts.values().any(|a| !a.verified && a.active()),
            "some accounts are unverified"
        );
        assert!(dir.accounts.values().any(|a| a.level == Level::Admin));
        let names: Vec<String> = dir.accounts.values().map(|a| a.full_name()).collect();
        let cjk = |c: char| {
            ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3040}'..='\u{30FF}').contains(&c)
        };
        assert!(
            names.iter().any(|n| n.chars().any(cjk)),
            "CJK names: {names:?}"
        );
        for accented in ["Zoë Ångström", "José Núñez"] {
            assert!(names.iter().any(|n| n == accented), "{accented} missing");
        }
        // Seed 003: the same email may hold accounts in several organisations.
        let zoe: Vec<_> = dir
            .accounts
            .values()
            .filter(|a| a.email == "zoe.angstrom@eastmoor-uni.example")
            .collect();
        assert_eq!(zoe.len(), 2);
        // Seed 003: an admin's own permissions are kept but ignored while admin.
        let kenji = dir
            .account_by_email(jpac, "kenji.watanabe@harbour-eng.example")
            .expect("kenji");
        assert_eq!(kenji.level, Level::Admin);
        assert!(!kenji.roles.is_empty());
    })
    .expect("read");
}

#[test]
fn the_extranet_has_a_gated_role_unlocked_by_an_active_contract() {
    let b = built();
    let now = b.store.now();
    query(&b.store, |dir| {
        let ubi = org(dir, "ubisecure").id;
        let integrator = dir
            .roles_of(ubi)
            .find(|r| r.name == "Integrator")
            .expect("Integrator");
        assert_eq!(integrator.gate.as_deref(), Some("IDaaS"));
        assert!(policy::product_active(dir, ubi, "IDaaS", now));
        let held = policy::holders(dir, integrator, now).len();
        let seats = policy::product_seats(dir, ubi, "IDaaS", now) as usize;
        assert!(
            held > 0 && held < seats,
            "{held} of {seats} seats: some used, some free"
        );
        assert!(
            dir.contracts
                .values()
                .any(|c| c.org == ubi && c.status == ContractStatus::Ended)
        );
        // Role requests wait in the queue, more of them than free seats.
        let queue = query::approval_queue(dir, ubi, false);
        assert!(queue.len() > seats - held, "{queue:?}");
    })
    .expect("read");
}

#[test]
fn invitations_in_every_status_and_a_queue_to_work_on() {
    let b = built();
    let now = b.store.now();
    query(&b.store, |dir| {
        for status in [
            InvitationStatus::Pending,
            InvitationStatus::Accepted,
            InvitationStatus::Revoked,
            InvitationStatus::Expired,
        ] {
            assert!(
                dir.invitations.values().any(|i| i.status == status),
                "no {} invitation is recorded",
                status.as_str()
            );
        }
        // Pending ones are still usable now.
        assert!(
            dir.invitations
                .values()
                .any(|i| i.status_at(now) == InvitationStatus::Pending)
        );
        // No secret is stored in the clear: only hashes of 64 hex digits.
        for i in dir.invitations.values() {
            if let Some(h) = &i.secret_hash {
                assert!(
                    h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()),
                    "{h}"
                );
            }
        }
        for slug in ["jisc", "ubisecure", "kb", "certsite"] {
            let o = org(dir, slug).id;
            assert!(
                !query::approval_queue(dir, o, false).is_empty(),
                "{slug} has nothing to approve"
            );
        }
        // A program role request (seed 004).
        assert!(dir.requests.values().any(|r| matches!(
            r.kind,
            RequestKind::Role {
                program: Some(_),
                ..
            }
        )));
    })
    .expect("read");
}

#[test]
fn the_history_spans_months_and_is_in_order() {
    let b = built();
    let trail = b
        .store
        .audit(&AuditQuery {
            limit: 10_000,
            ..AuditQuery::default()
        })
        .expect("audit");
    assert_eq!(trail.len() as u64, b.summary.events);
    // Newest first, by sequence and by time alike.
    assert!(
        trail
            .windows(2)
            .all(|w| w[0].seq > w[1].seq && w[0].at >= w[1].at)
    );
    let (Some(newest), Some(oldest)) = (trail.first(), trail.last()) else {
        panic!("empty trail")
    };
    assert!(
        newest.at.duration_since(oldest.at).as_hours() > 24 * 300,
        "{} .. {}",
        oldest.at,
        newest.at
    );
    assert!(newest.at <= b.store.now(), "nothing happens in the future");
    for kind in [
        "account_deleted",
        "ownership_transferred",
        "password_reset_requested",
        "invitation_expired",
    ] {
        assert!(
            trail.iter().any(|r| summary::kind(&r.event) == kind),
            "no {kind} in the history"
        );
    }
}

#[test]
fn the_summary_counts_what_was_built() {
    let b = built();
    let s = &b.summary;
    let slugs: Vec<&str> = s.orgs.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, ["jisc", "ubisecure", "kb", "jpac", "certsite"]);
    assert_eq!(demo::slugs(), slugs);
    let (accounts, invitations) =
        query(&b.store, |dir| (dir.accounts.len(), dir.invitations.len())).expect("read");
    assert_eq!((s.accounts, s.invitations), (accounts, invitations));
    assert!(s.pending_requests > 0);
}

#[test]
fn populate_works_on_any_backend_and_never_twice() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = FileStore::create(&tmp.path().join("store")).expect("store");
    // With the real clock everything happens now; the invitations meant to expire are
    // given a moment's lifetime and then swept, so they are really expired.
    let summary = demo::populate(&store).expect("the demo builds");
    let now = store.now();
    query(&store, |dir| {
        assert!(
            violations(dir, now).is_empty(),
            "{:#?}",
            violations(dir, now)
        );
        assert!(
            dir.invitations
                .values()
                .any(|i| i.status == InvitationStatus::Expired)
        );
        assert_eq!(dir.orgs.len(), summary.orgs.len());
    })
    .expect("read");
    let before = query(&store, |dir| dir.seq).expect("read");
    let err = demo::populate(&store).expect_err("a second demo is refused");
    assert!(err.to_string().contains("already has the demo"), "{err}");
    assert_eq!(
        query(&store, |dir| dir.seq).expect("read"),
        before,
        "a refused demo changes nothing"
    );
}
