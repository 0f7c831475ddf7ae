//! Issue 15: an authorization test per seed role, each rule quoted from its seed's help
//! page, checked on what the demo's accounts can really do (effective permissions, not
//! grants). The demo builds one organisation per seed (`assets/demo.toml`), dated over
//! the past months, so contracts have ended and grants have lapsed as they would.

use roster::backend::{self, Backend, FileStore};
use roster::core::{Command, Directory, Principal, policy};

/// One rule: the seed, its words, and what it means for one account of the demo.
struct Rule {
    seed: &'static str,
    says: &'static str,
    org: &'static str,
    email: &'static str,
    /// A program's name for a program permission, `None` for the organisation's.
    program: Option<&'static str>,
    permission: &'static str,
    holds: bool,
}

const RULES: &[Rule] = &[
    Rule {
        seed: "000",
        says: "All users can view the list of authorised users associated to their organisation's JCS account",
        org: "jisc",
        email: "chen.jing@eastmoor-uni.example",
        program: None,
        permission: "members.read",
        holds: true,
    },
    Rule {
        seed: "001",
        says: "When user has integrator role they are able to access control desk and use jobs associated with your IDaaS instances",
        org: "ubisecure",
        email: "jose.nunez@northwind.example", // holds Integrator; IDaaS in force
        program: None,
        permission: "app:controldesk",
        holds: true,
    },
    Rule {
        seed: "001",
        says: "Integrator … access control desk (nobody without the role, users included)",
        org: "ubisecure",
        email: "ingrid.solberg@northwind.example", // asked for it, not granted
        program: None,
        permission: "app:controldesk",
        holds: false,
    },
    Rule {
        seed: "001",
        says: "Add a new role to a new user to grant them access to downloads",
        org: "ubisecure",
        email: "jose.nunez@northwind.example",
        program: None,
        permission: "app:downloads",
        holds: true,
    },
    Rule {
        seed: "001",
        says: "The main user can add new roles to a new users, add new roles to the existing user and delete users",
        org: "ubisecure",
        email: "mikko.jarvinen@northwind.example",
        program: None,
        permission: "members.manage",
        holds: true,
    },
    Rule {
        seed: "002",
        says: "ADMIN Role - this grants access to the application or service configuration settings",
        org: "kb",
        email: "ben.carter@acme-kb.example",
        program: Some("Knowledge Base"),
        permission: "program.settings",
        holds: true,
    },
    Rule {
        seed: "002",
        says: "CONTENT_EDITOR Role - this grants access for users to create and edit content within an application or service",
        org: "kb",
        email: "marie-helene.dubois@acme-kb.example",
        program: Some("Knowledge Base"),
        permission: "program.content",
        holds: true,
    },
    Rule {
        seed: "002",
        says: "these application-level roles need to be applied to each listed service independently, since these are not applied across applications",
        org: "kb",
        email: "marie-helene.dubois@acme-kb.example", // not a contact of the Forum
        program: Some("Community Forum"),
        permission: "program.content",
        holds: false,
    },
    Rule {
        seed: "002",
        says: "Selecting this option does not provide the user any specific roles in the selected service, but allows them to access it with Reader permissions",
        org: "kb",
        email: "wang.fang@acme-kb.example",
        program: Some("Knowledge Base"),
        permission: "program.edit",
        holds: false,
    },
    Rule {
        seed: "002",
        says: "Role - this grants permission to allow modification of users",
        org: "kb",
        email: "ravi.shankar@acme-kb.example",
        program: None,
        permission: "members.manage",
        holds: true,
    },
    Rule {
        seed: "002",
        says: "users need to be \"Approved\" by a Manager before they are able to access any non-public content",
        org: "kb",
        email: "omer.yildiz@acme-kb.example", // registered, pending
        program: None,
        permission: "members.read",
        holds: false,
    },
    Rule {
        seed: "003",
        says: "Admins have full permission to everything within their subscription",
        org: "jpac",
        email: "kenji.watanabe@harbour-eng.example", // admin, not an author
        program: None,
        permission: "app:requirements.edit",
        holds: true,
    },
    Rule {
        seed: "003",
        says: "An inactive account cannot be used to log into JPAC i.e. an Inactive account is locked out",
        org: "jpac",
        email: "lars.nilsson@harbour-eng.example",
        program: None,
        permission: "app:requirements.edit",
        holds: false,
    },
    Rule {
        seed: "003",
        says: "Permissions set against a standard account are enforced by JPAC",
        org: "jpac",
        email: "pedro.alvarez@harbour-eng.example", // an author, not a reviewer
        program: None,
        permission: "app:requirements.review",
        holds: false,
    },
    Rule {
        seed: "004",
        says: "Secondary Corporate Contact: Able to access all of the programs within the organization",
        org: "certsite",
        email: "amara.nwosu@greenfield.example",
        program: Some("LEED Certification 2027"),
        permission: "program.edit",
        holds: true,
    },
    Rule {
        seed: "004",
        says: "Viewer: Someone who can access but not edit the program",
        org: "certsite",
        email: "noah.cohen@greenfield.example",
        program: Some("LEED Certification 2027"),
        permission: "program.edit",
        holds: false,
    },
    Rule {
        seed: "004",
        says: "Contributor: Can make changes to projects within a program",
        org: "certsite",
        email: "hannah.schmidt@greenfield.example",
        program: Some("LEED Certification 2027"),
        permission: "program.edit",
        holds: true,
    },
    Rule {
        seed: "004",
        says: "Affiliate … There are no other permissions associated with this corporate level role",
        org: "certsite",
        email: "yuki.yamada@greenfield.example",
        program: None,
        permission: "members.manage",
        holds: false,
    },
];

/// Seed 001 once the organisation is no longer an IDaaS customer: the Integrator role's
/// access reaches nobody — its holders, the Main Users and the Primary Main User alike
/// (invariant 7 for admins and owners too, issue 15).
const AFTER_IDAAS_ENDS: &[&str] = &[
    "jose.nunez@northwind.example",
    "li.xiaolong@northwind.example",
    "mikko.jarvinen@northwind.example",
    "aino.virtanen@northwind.example",
];

fn holds(dir: &Directory, rule: &Rule, now: jiff::Timestamp) -> bool {
    let org = dir.org_by_slug(rule.org).expect("a demo organisation");
    let account = dir
        .account_by_email(org.id, rule.email)
        .unwrap_or_else(|| panic!("{} is in the demo", rule.email));
    match rule.program {
        None => policy::effective(dir, account, now).has(rule.permission),
        Some(name) => {
            let program = dir
                .programs
                .values()
                .find(|p| p.org == org.id && p.name == name)
                .unwrap_or_else(|| panic!("program {name} is in the demo"));
            policy::program_permissions(dir, account, program, now).contains_key(rule.permission)
        }
    }
}

#[test]
fn every_seed_role_holds_what_its_seed_says_and_nothing_more() {
    let tmp = tempfile::tempdir().unwrap();
    roster::demo::create_store(&tmp.path().join("store")).unwrap();
    let store = FileStore::open(&tmp.path().join("store")).unwrap();
    let now = store.now();
    let wrong: Vec<String> = backend::query(&store, |dir| {
        RULES
            .iter()
            .filter(|r| holds(dir, r, now) != r.holds)
            .map(|r| {
                format!(
                    "seed {}: \"{}\": {} {} {}{}",
                    r.seed,
                    r.says,
                    r.email,
                    if r.holds { "lacks" } else { "holds" },
                    r.permission,
                    r.program.map(|p| format!(" in {p}")).unwrap_or_default()
                )
            })
            .collect()
    })
    .unwrap();
    assert!(wrong.is_empty(), "{wrong:#?}");

    // While IDaaS is in force the Main User reaches Control Desk (admins hold every
    // permission their organisation's roles mention)…
    let main_user = Rule {
        seed: "001",
        says: "If you are a IDaaS customer you have also option to invite users to role \"Integrator\"",
        org: "ubisecure",
        email: "mikko.jarvinen@northwind.example",
        program: None,
        permission: "app:controldesk",
        holds: true,
    };
    assert!(backend::query(&store, |dir| holds(dir, &main_user, now)).unwrap());
    // …and once the contract ends, nobody does.
    let contract = backend::query(&store, |dir| {
        let org = dir.org_by_slug("ubisecure").unwrap().id;
        dir.contracts
            .values()
            .find(|c| c.org == org && c.product == "IDaaS")
            .map(|c| c.id)
            .unwrap()
    })
    .unwrap();
    store
        .execute(
            &Principal::Operator,
            &Command::EndContract { contract },
            false,
        )
        .unwrap();
    let now = store.now();
    let still: Vec<&str> = backend::query(&store, |dir| {
        AFTER_IDAAS_ENDS
            .iter()
            .copied()
            .filter(|email| {
                let rule = Rule {
                    email,
                    holds: false,
                    ..main_user
                };
                holds(dir, &rule, now)
            })
            .collect()
    })
    .unwrap();
    assert!(still.is_empty(), "Control Desk without IDaaS: {still:?}");
    // Every seed has its rules here.
    for seed in ["000", "001", "002", "003", "004"] {
        assert!(
            RULES.iter().any(|r| r.seed == seed),
            "no rule of seed {seed}"
        );
    }
}
