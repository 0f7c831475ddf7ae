//! `roster serve` over HTTP: authentication, the mapping of every refusal to a status,
//! what another organisation's caller is (not) shown, conditional updates, pagination,
//! the change feed, malformed requests and the OpenAPI document.

mod server_support;

use reqwest::Method;
use roster::core::Command;
use roster::server::Config;
use serde_json::{Value, json};
use server_support::{Env, add, run};
use std::collections::BTreeSet;

#[tokio::test]
async fn health_needs_no_token_and_says_where_the_store_is() {
    let env = Env::new();
    let r = env.send(Method::GET, "/v1/health", None, None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json(), json!({ "status": "ok", "seq": env.seq() }));
}

#[tokio::test]
async fn requests_without_a_good_token_are_401() {
    let env = Env::new();
    let none = env.send(Method::GET, "/v1/me", None, None, &[]).await;
    assert!(none.problem(401).contains("Authorization: Bearer"));
    assert_eq!(none.header("www-authenticate").as_deref(), Some("Bearer"));

    let bad = env.get("/v1/me", "rst_not-a-token").await;
    assert!(bad.problem(401).contains("not valid"));
    let basic = env
        .send(
            Method::GET,
            "/v1/me",
            None,
            None,
            &[("authorization", "Basic dXNlcjpwdw==")],
        )
        .await;
    basic.problem(401);
    let revoked = env.get("/v1/me", &env.tokens.revoked).await;
    assert!(revoked.problem(401).contains("revoked"));
    let disabled = env.get("/v1/me", &env.tokens.disabled).await;
    assert!(disabled.problem(401).contains("disabled"));
    // A change by a token that no longer works changes nothing.
    let before = env.seq();
    let r = env
        .command(
            &env.tokens.disabled,
            json!({ "op": "verify", "account": env.other.0 }),
        )
        .await;
    r.problem(401);
    assert_eq!(env.seq(), before);
}

#[tokio::test]
async fn a_command_without_a_token_acts_as_nobody() {
    let env = Env::new();
    let nobody = env
        .send(
            Method::POST,
            "/v1/commands",
            None,
            Some(json!({ "command": { "op": "disable", "account": env.other.0 } })),
            &[],
        )
        .await;
    nobody.problem(404); // nobody reaches no organisation's accounts
    let register = json!({ "command": { "op": "register", "org": env.acme.0,
        "email": "walk-in@acme.example", "first_name": "Walk", "last_name": "In" } });
    let closed = env
        .send(
            Method::POST,
            "/v1/commands",
            None,
            Some(register.clone()),
            &[],
        )
        .await;
    assert!(
        closed
            .problem(403)
            .contains("does not accept registrations")
    );
    // A token that is sent must still be good: it is never silently ignored.
    env.send(
        Method::POST,
        "/v1/commands",
        Some("rst_bad"),
        Some(register),
        &[],
    )
    .await
    .problem(401);
}

#[tokio::test]
async fn me_says_whom_the_token_acts_as() {
    let env = Env::new();
    let me = env.get("/v1/me", &env.tokens.member).await.json();
    assert_eq!(
        me["principal"],
        json!({ "kind": "account", "id": env.member.0 })
    );
    assert_eq!(me["account"]["email"], "member@acme.example");
    assert_eq!(me["org"]["slug"], "acme");
    assert!(
        me["permissions"]["granted"]["members.read"].is_array(),
        "{me}"
    );
    assert!(
        me["permissions"]["granted"].get("members.manage").is_none(),
        "{me}"
    );

    let op = env.get("/v1/me", &env.tokens.operator).await.json();
    assert_eq!(op["principal"], json!({ "kind": "operator" }));
    assert!(op["account"].is_null());
    assert!(op["permissions"]["granted"]["members.manage"].is_array());

    let orgs = env.get("/v1/orgs", &env.tokens.member).await.json();
    let slugs: Vec<&str> = orgs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["slug"].as_str())
        .collect();
    assert_eq!(slugs, vec!["acme"]);
    let all = env.get("/v1/orgs", &env.tokens.operator).await.json();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn each_kind_of_refusal_has_its_status_and_the_cores_sentence() {
    let env = Env::new();
    let member = &env.tokens.member;
    let owner = &env.tokens.owner;
    let nf = env
        .command(owner, json!({ "op": "disable", "account": 999_999 }))
        .await;
    assert!(nf.problem(404).contains("u999999"));
    let forbidden = env
        .command(member, json!({ "op": "disable", "account": env.other.0 }))
        .await;
    assert!(forbidden.problem(403).contains("members.manage"));
    let conflict = env
        .command(owner, json!({ "op": "enable", "account": env.other.0 }))
        .await;
    assert!(conflict.problem(409).contains("already enabled"));
    let invalid = env
        .command(
            owner,
            json!({ "op": "add_account", "org": env.acme.0, "email": "not an email", "first_name": "X", "last_name": "" }),
        )
        .await;
    invalid.problem(422);
    let stale = env
        .command(
            owner,
            json!({ "op": "edit_account", "account": env.other.0, "expected_version": 0,
                    "first_name": "O", "last_name": "", "email": "other@acme.example" }),
        )
        .await;
    assert!(stale.problem(412).contains("changed by someone else"));
}

#[tokio::test]
async fn a_command_runs_as_the_tokens_principal_and_dry_runs_change_nothing() {
    let env = Env::new();
    let before = env.seq();
    let dry = env
        .post(
            "/v1/commands",
            &env.tokens.owner,
            json!({ "command": { "op": "disable", "account": env.other.0 }, "dry_run": true }),
        )
        .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.json()["events"][0]["event"]["type"], "account_disabled");
    assert_eq!(env.seq(), before);

    let done = env
        .command(
            &env.tokens.owner,
            json!({ "op": "disable", "account": env.other.0 }),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let rec = &done.json()["events"][0];
    assert_eq!(
        rec["actor"],
        json!({ "kind": "account", "id": env.owner.0 })
    );
    assert_eq!(rec["actor_label"], "owner@acme.example");
    assert_eq!(env.seq(), before + 1);
}

#[tokio::test]
async fn another_organisations_resources_are_404_and_reveal_nothing() {
    let env = Env::new();
    let t = &env.tokens.member;
    let g = env.g_member.0;
    for path in [
        "/v1/orgs/globex".to_string(),
        "/v1/orgs/globex/state".to_string(),
        "/v1/orgs/globex/accounts".to_string(),
        format!("/v1/orgs/acme/accounts/{g}"),
        format!("/v1/orgs/acme/accounts/u{g}"),
        "/v1/events?org=globex".to_string(),
        "/v1/audit?org=globex".to_string(),
    ] {
        let r = env.get(&path, t).await;
        r.problem(404);
        assert!(!r.text.contains("member@globex"), "{path}: {}", r.text);
    }
    let r = env
        .command(t, json!({ "op": "disable", "account": g }))
        .await;
    r.problem(404);
    assert!(!r.text.contains("globex"), "{}", r.text);
    // The same path with the owner's token of globex's member exists.
    let ok = env.get("/v1/orgs/globex", &env.tokens.g_member).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn the_state_is_what_the_caller_may_see_without_any_secret() {
    let env = Env::new();
    let invite = env
        .post(
            "/v1/orgs/acme/invitations",
            &env.tokens.admin,
            json!({ "email": "new@acme.example", "first_name": "New" }),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    // No SMTP here (the maildir): the secret is in the reply, for a lone operator to pass on.
    assert_eq!(invite.json()["mailed"], false);
    let secret = invite.json()["secret"].as_str().unwrap().to_string();
    let hash = roster::secret::hash(&secret);
    let token_hash = roster::secret::hash(&env.tokens.member);

    let r = env.get("/v1/orgs/acme/state", &env.tokens.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let etag = r.header("etag").unwrap();
    assert_eq!(etag, format!("\"seq-{}\"", env.seq()));
    assert!(!r.text.contains(&hash) && !r.text.contains(&token_hash));
    let state = r.json();
    assert_eq!(state["seq"], env.seq());
    let dir = &state["directory"];
    assert_eq!(dir["orgs"].as_object().unwrap().len(), 1);
    assert!(dir["tokens"].as_object().is_none_or(|t| t.is_empty()));
    assert!(!r.text.contains("globex"));
    assert_eq!(dir["invitations"].as_object().unwrap().len(), 1);

    // The member does not see invitations it did not send.
    let member = env
        .get("/v1/orgs/acme/state", &env.tokens.member)
        .await
        .json();
    assert!(
        member["directory"]["invitations"]
            .as_object()
            .unwrap()
            .is_empty()
    );

    let same = env
        .send(
            Method::GET,
            "/v1/orgs/acme/state",
            Some(&env.tokens.admin),
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(same.status, 304);
}

#[tokio::test]
async fn updates_need_the_etag_they_were_based_on() {
    let env = Env::new();
    let t = &env.tokens.owner;
    let path = format!("/v1/orgs/acme/accounts/{}", env.other.0);
    let r = env.get(&path, t).await;
    assert_eq!(r.status, 200);
    let etag = r.header("etag").unwrap();
    assert_eq!(etag, format!("\"v{}\"", r.json()["version"]));

    let patch = |headers: Vec<(&'static str, String)>| {
        let env = &env;
        let path = path.clone();
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            env.send(
                Method::PATCH,
                &path,
                Some(t),
                Some(json!({ "first_name": "Otto" })),
                &h,
            )
            .await
        }
    };
    patch(vec![]).await.problem(428);
    patch(vec![("if-match", "\"v0\"".into())])
        .await
        .problem(412);
    let ok = patch(vec![("if-match", etag.clone())]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["first_name"], "Otto");
    let newer = ok.header("etag").unwrap();
    assert_ne!(newer, etag);
    // The tag read before the change is stale now.
    patch(vec![("if-match", etag)]).await.problem(412);

    // Organisation profile: the same rules.
    let org = env.get("/v1/orgs/acme", t).await;
    let org_tag = org.header("etag").unwrap();
    let body = json!({ "description": "Widgets" });
    env.send(
        Method::PATCH,
        "/v1/orgs/acme",
        Some(t),
        Some(body.clone()),
        &[],
    )
    .await
    .problem(428);
    let ok = env
        .send(
            Method::PATCH,
            "/v1/orgs/acme",
            Some(t),
            Some(body.clone()),
            &[("if-match", &org_tag)],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["profile"]["description"], "Widgets");
    let stale = env
        .send(
            Method::PUT,
            "/v1/orgs/acme/settings",
            Some(t),
            Some(json!({ "approval_required": true })),
            &[("if-match", &org_tag)],
        )
        .await;
    stale.problem(412);
}

#[tokio::test]
async fn the_account_list_pages_with_cursors_over_many_accounts() {
    let env = Env::new();
    for i in 0..120 {
        add(&env.store, env.acme, &format!("bulk{i:03}@acme.example"));
    }
    let t = &env.tokens.admin;
    let mut seen = BTreeSet::new();
    let mut path = "/v1/orgs/acme/accounts?q=bulk&sort=email&limit=50".to_string();
    let mut pages = 0;
    loop {
        let r = env.get(&path, t).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page = r.json();
        assert_eq!(page["total"], 120);
        for a in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(a["email"].as_str().unwrap().to_string()),
                "repeated {a}"
            );
        }
        pages += 1;
        match page["next"].as_str() {
            Some(next) => {
                path = format!("/v1/orgs/acme/accounts?q=bulk&sort=email&limit=50&cursor={next}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 120);
    let sorted: Vec<&String> = seen.iter().collect();
    assert_eq!(sorted[0], "bulk000@acme.example");

    for bad in ["nonsense", "YWJj", "%00"] {
        let r = env
            .get(&format!("/v1/orgs/acme/accounts?cursor={bad}"), t)
            .await;
        r.problem(422);
    }
    env.get("/v1/orgs/acme/accounts?status=sideways", t)
        .await
        .problem(422);
    env.get("/v1/orgs/acme/accounts?limit=many", t)
        .await
        .problem(422);
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_visible_event_arrives() {
    let env = Env::new();
    let head = env.seq();
    let path = format!("/v1/events?after={head}&wait=30");
    let poll = env.get(&path, &env.tokens.member);
    let change = async {
        // Another organisation's change first: the member must not see it, only skip it.
        run(
            &env.store,
            &roster::core::Principal::Operator,
            Command::AddAccount {
                org: env.globex,
                email: "x@globex.example".into(),
                first_name: "X".into(),
                last_name: String::new(),
                verified: false,
            },
        );
        let r = env
            .command(
                &env.tokens.owner,
                json!({ "op": "disable", "account": env.other.0 }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    };
    let (polled, ()) = tokio::join!(poll, change);
    assert_eq!(polled.status, 200, "{}", polled.text);
    let feed = polled.json();
    let events = feed["events"].as_array().unwrap();
    assert!(
        !events.is_empty(),
        "the poll ended without the event: {feed}"
    );
    assert!(events.iter().all(|e| e["org"] == env.acme.0), "{feed}");
    assert!(
        events
            .iter()
            .any(|e| e["event"]["type"] == "account_disabled"),
        "{feed}"
    );
    assert_eq!(feed["seq"], env.seq());

    // Nothing new: a poll with no wait answers at once with the same position.
    let idle = env
        .get(
            &format!("/v1/events?after={}", env.seq()),
            &env.tokens.member,
        )
        .await
        .json();
    assert_eq!(idle, json!({ "seq": env.seq(), "events": [] }));
}

#[tokio::test]
async fn malformed_requests_are_4xx_problems() {
    let env = Env::new();
    let t = &env.tokens.owner;
    let raw = |body: &'static str, ctype: Option<&'static str>| {
        let mut req = env
            .http
            .post(env.url("/v1/commands"))
            .bearer_auth(t)
            .body(body);
        if let Some(c) = ctype {
            req = req.header("content-type", c);
        }
        async move {
            let res = req.send().await.unwrap();
            server_support::Reply {
                status: res.status().as_u16(),
                headers: res.headers().clone(),
                text: res.text().await.unwrap(),
            }
        }
    };
    let json_ct = Some("application/json");
    assert!(
        raw("{\"command\":", json_ct)
            .await
            .problem(400)
            .contains("not valid JSON")
    );
    raw("{\"command\" 1}", json_ct).await.problem(400);
    let wrong_type = raw(r#"{"command":{"op":"disable","account":"me"}}"#, json_ct)
        .await
        .problem(422);
    assert!(wrong_type.contains("invalid type"), "{wrong_type}");
    let unknown = raw(
        r#"{"command":{"op":"disable","account":1},"sudo":true}"#,
        json_ct,
    )
    .await
    .problem(422);
    assert!(unknown.contains("sudo"), "{unknown}");
    raw(
        r#"{"command":{"op":"disable","account":1,"force":true}}"#,
        json_ct,
    )
    .await
    .problem(422);
    raw(r#"{"command":{"op":"launch_rockets"}}"#, json_ct)
        .await
        .problem(422);
    raw(r#"{"dry_run":true}"#, json_ct).await.problem(422);
    raw(r#"{"command":{"op":"disable","account":1}}"#, None)
        .await
        .problem(415);

    let huge = format!(
        r#"{{"command":{{"op":"add_account","org":1,"email":"a@b.example","first_name":"{}","last_name":""}}}}"#,
        "x".repeat(70 * 1024)
    );
    let r = env
        .http
        .post(env.url("/v1/commands"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/problem+json"
    );

    let big_header = "y".repeat(20 * 1024);
    env.send(
        Method::GET,
        "/v1/health",
        None,
        None,
        &[("x-padding", &big_header)],
    )
    .await
    .problem(431);
    env.send(Method::GET, "/v1/no-such-thing", None, None, &[])
        .await
        .problem(404);
    env.send(Method::DELETE, "/v1/health", None, None, &[])
        .await
        .problem(405);
    env.get("/v1/orgs/acme/accounts/not-an-id", t)
        .await
        .problem(404);
}

#[tokio::test]
async fn repeated_bad_tokens_from_one_address_are_slowed_down() {
    let env = Env::with(Config {
        bad_token_limit: 3,
        ..Config::default()
    });
    for _ in 0..3 {
        env.get("/v1/me", "rst_guess").await.problem(401);
    }
    let r = env.get("/v1/me", &env.tokens.member).await;
    r.problem(429);
    assert!(r.header("retry-after").is_some());
    // Requests without a token are not guesses.
    let h = env.send(Method::GET, "/v1/health", None, None, &[]).await;
    assert_eq!(h.status, 200);
}

/// Starts a long poll that holds the feed's only place (`max_feed_clients: 1`), and
/// returns once a quick poll is turned away with 503, which proves it holds it.
async fn hold_the_feed(env: &Env) -> tokio::task::JoinHandle<reqwest::Response> {
    let head = env.seq();
    let (http, url, token) = (
        env.http.clone(),
        env.url(&format!("/v1/events?after={head}&wait=30")),
        env.tokens.member.clone(),
    );
    let long = tokio::spawn(async move {
        // The quick polls below may take the place first: then try again.
        loop {
            let res = http.get(&url).bearer_auth(&token).send().await.unwrap();
            if res.status().as_u16() != 503 {
                return res;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    for _ in 0..1000 {
        let r = env
            .get(&format!("/v1/events?after={head}"), &env.tokens.member)
            .await;
        if r.status == 503 {
            assert!(r.header("retry-after").is_some());
            r.problem(503);
            return long;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("a second poll was never turned away");
}

#[tokio::test]
async fn the_feed_turns_clients_away_beyond_its_limit() {
    let env = Env::with(Config {
        max_feed_clients: 1,
        ..Config::default()
    });
    let long = hold_the_feed(&env).await;
    // An event releases the waiting poll with it.
    let done = env
        .command(
            &env.tokens.owner,
            json!({ "op": "disable", "account": env.other.0 }),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let polled = long.await.unwrap();
    assert_eq!(polled.status().as_u16(), 200);
    let body: Value = polled.json().await.unwrap();
    assert_eq!(body["events"][0]["event"]["type"], "account_disabled");
}

#[tokio::test]
async fn an_invitation_is_accepted_by_its_secret_without_a_token_once() {
    let env = Env::new();
    let r = env
        .post(
            "/v1/orgs/acme/invitations",
            &env.tokens.admin,
            json!({ "email": "ivy@acme.example", "first_name": "Ivy", "message": "welcome" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    let id = body["invitation"]["id"].as_u64().unwrap();
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(body["invitation"].get("secret_hash").is_none(), "{body}");
    let path = format!("/v1/orgs/acme/invitations/{id}/accept");

    let wrong = env
        .send(
            Method::POST,
            &path,
            None,
            Some(json!({ "secret": "guess" })),
            &[],
        )
        .await;
    wrong.problem(403);
    let ok = env
        .send(
            Method::POST,
            &path,
            None,
            Some(json!({ "secret": secret })),
            &[],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let kinds: Vec<Value> = ok.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["type"].clone())
        .collect();
    assert!(kinds.contains(&json!("account_created")), "{kinds:?}");
    let again = env
        .send(
            Method::POST,
            &path,
            None,
            Some(json!({ "secret": secret })),
            &[],
        )
        .await;
    // A used link answers as any link that does not work (issue 15: ids tell nothing).
    assert!(again.problem(403).contains("already used"));
}

#[tokio::test]
async fn resource_routes_map_to_the_core_commands() {
    let env = Env::new();
    let t = &env.tokens.owner;
    let acc = env
        .post(
            "/v1/orgs/acme/accounts",
            t,
            json!({ "email": "rita@acme.example", "first_name": "Rita", "verified": true }),
        )
        .await;
    assert_eq!(acc.status, 201, "{}", acc.text);
    let id = acc.json()["id"].as_u64().unwrap();
    assert_eq!(
        acc.header("location").as_deref(),
        Some(format!("/v1/orgs/acme/accounts/u{id}").as_str())
    );
    let p = |action: &str| format!("/v1/orgs/acme/accounts/{id}/{action}");
    let promote = env
        .send(Method::POST, &p("promote"), Some(t), None, &[])
        .await;
    assert_eq!(promote.status, 200, "{}", promote.text);
    assert_eq!(promote.json()["events"][0]["event"]["level"], "admin");
    env.send(Method::POST, &p("promote"), Some(t), None, &[])
        .await
        .problem(409);
    let demote = env
        .send(Method::POST, &p("demote"), Some(t), None, &[])
        .await;
    assert_eq!(demote.status, 200, "{}", demote.text);
    let disable = env
        .send(Method::POST, &p("disable"), Some(t), None, &[])
        .await;
    assert_eq!(disable.status, 200, "{}", disable.text);
    let reset = env
        .send(Method::POST, &p("reset-password"), Some(t), None, &[])
        .await;
    reset.problem(409); // disabled accounts get no reset link
    let del = env
        .send(
            Method::DELETE,
            &format!("/v1/orgs/acme/accounts/{id}"),
            Some(t),
            None,
            &[],
        )
        .await;
    assert_eq!(del.status, 200, "{}", del.text);
    env.get(&format!("/v1/orgs/acme/accounts/{id}"), t)
        .await
        .problem(404);

    let role = env
        .post(
            "/v1/orgs/acme/roles",
            t,
            json!({ "name": "Auditor", "scope": "org", "permissions": ["audit.read"] }),
        )
        .await;
    assert_eq!(role.status, 201, "{}", role.text);
    let role_id = role.json()["id"].as_u64().unwrap();
    assert_eq!(
        role.header("location").as_deref(),
        Some(format!("/v1/orgs/acme/roles/r{role_id}").as_str())
    );
    let grant = env
        .post(
            &format!("/v1/orgs/acme/accounts/{}/roles", env.member.0),
            t,
            json!({ "role": format!("r{role_id}") }),
        )
        .await;
    assert_eq!(grant.status, 200, "{}", grant.text);
    let holders = env
        .get(&format!("/v1/orgs/acme/roles/{role_id}/holders"), t)
        .await
        .json();
    assert_eq!(
        holders["items"][0]["account"]["email"],
        "member@acme.example"
    );
    // The member now holds audit.read.
    let audit = env.get("/v1/audit?limit=5", &env.tokens.member).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    assert_eq!(audit.json()["events"].as_array().unwrap().len(), 5);

    let group = env
        .post("/v1/orgs/acme/groups", t, json!({ "name": "Ops" }))
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let gid = group.json()["id"].as_u64().unwrap();
    assert_eq!(
        group.header("location").as_deref(),
        Some(format!("/v1/orgs/acme/groups/g{gid}").as_str())
    );
    let add = env
        .post(
            &format!("/v1/orgs/acme/groups/{gid}/members"),
            t,
            json!({ "account": env.member.0 }),
        )
        .await;
    assert_eq!(add.status, 200, "{}", add.text);
    let groups = env
        .get("/v1/orgs/acme/groups", &env.tokens.member)
        .await
        .json();
    assert_eq!(groups["items"][0]["name"], "Ops");
}

#[tokio::test]
async fn the_audit_trail_needs_audit_read_and_its_text_search_finds_no_hash() {
    let env = Env::new();
    env.get("/v1/audit", &env.tokens.member).await.problem(403);
    let r = env
        .get("/v1/audit?kind=token_issued", &env.tokens.admin)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let entries = r.json()["events"].as_array().unwrap().clone();
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .all(|e| e["summary"].as_str().unwrap().contains("API token"))
    );
    // Searching for a piece of a stored hash finds nothing: hashes never leave.
    let hash = roster::secret::hash(&env.tokens.member);
    let probe = env
        .get(
            &format!("/v1/audit?text={}", &hash[..12]),
            &env.tokens.admin,
        )
        .await
        .json();
    assert_eq!(probe["events"], json!([]));
    // The operator reads every organisation's trail.
    let all = env
        .get("/v1/audit?limit=500", &env.tokens.operator)
        .await
        .json();
    let orgs: BTreeSet<u64> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"]["org"].as_u64())
        .collect();
    assert_eq!(orgs, BTreeSet::from([env.acme.0, env.globex.0]));
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_statuses() {
    let env = Env::new();
    let r = env
        .send(Method::GET, "/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/health", "get"),
        ("/v1/me", "get"),
        ("/v1/orgs", "get"),
        ("/v1/orgs/{slug}/state", "get"),
        ("/v1/events", "get"),
        ("/v1/events/stream", "get"),
        ("/v1/commands", "post"),
        ("/v1/audit", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/orgs/{slug}", "patch"),
        ("/v1/orgs/{slug}/settings", "put"),
        ("/v1/orgs/{slug}/transfer", "post"),
        ("/v1/orgs/{slug}/accounts", "get"),
        ("/v1/orgs/{slug}/accounts", "post"),
        ("/v1/orgs/{slug}/accounts/{id}", "delete"),
        ("/v1/orgs/{slug}/accounts/{id}/approve", "post"),
        ("/v1/orgs/{slug}/accounts/{id}/reset-password", "post"),
        ("/v1/orgs/{slug}/roles/{id}/holders", "get"),
        ("/v1/orgs/{slug}/groups/{id}/members", "post"),
        ("/v1/orgs/{slug}/groups/{id}/roles/{role}", "delete"),
        ("/v1/orgs/{slug}/programs/{id}/contacts", "get"),
        ("/v1/orgs/{slug}/programs/{id}/transfer", "post"),
        ("/v1/orgs/{slug}/contracts/{id}/suspend", "post"),
        ("/v1/orgs/{slug}/invitations/{id}/accept", "post"),
        ("/v1/orgs/{slug}/approvals/{id}/reject", "post"),
    ] {
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in the document"))[method];
        assert!(op.is_object(), "{method} {path} is not in the document");
        let statuses = op["responses"].as_object().unwrap();
        assert!(statuses.keys().any(|s| s.starts_with('2')), "{path}");
        assert!(
            statuses.contains_key("422") && statuses.contains_key("503"),
            "{path}"
        );
    }
    let patch = &paths["/v1/orgs/{slug}/accounts/{id}"]["patch"]["responses"];
    assert!(patch.get("428").is_some() && patch.get("412").is_some());
    let me = &paths["/v1/me"]["get"]["responses"];
    assert!(me.get("401").is_some());
    // Every schema a route names is in the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = r.text;
    for name in text
        .split("#/components/schemas/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
}

/// Issue 15, point 6: generated clients need an id per operation, and an integer the
/// server reads as a `u32` or `u64` must not be documented as `int32` (which stops at
/// 2^31 - 1); ids, enums and optional bodies say what the server really takes.
#[tokio::test]
async fn every_operation_has_a_unique_snake_case_id_and_no_integer_is_int32() {
    let env = Env::new();
    let r = env
        .send(Method::GET, "/v1/openapi.json", None, None, &[])
        .await;
    let doc = r.json();
    let mut ids = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{method} {path}: {id} is not snake_case"
            );
            if let Some(other) = ids.insert(id.to_string(), format!("{method} {path}")) {
                panic!("{id} names both {other} and {method} {path}");
            }
        }
    }
    assert_eq!(ids["list_accounts"], "get /v1/orgs/{slug}/accounts");
    assert_eq!(ids["get_account"], "get /v1/orgs/{slug}/accounts/{id}");
    assert_eq!(
        ids["disable_account"],
        "post /v1/orgs/{slug}/accounts/{id}/disable"
    );
    assert!(
        !r.text.contains("int32"),
        "an integer is documented as int32"
    );
    let paths = &doc["paths"];
    // Path ids: the record's letter and its number, as the server parses them.
    let account = &paths["/v1/orgs/{slug}/accounts/{id}"]["get"]["parameters"];
    let id = account
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "id")
        .unwrap();
    assert_eq!(id["schema"]["pattern"], "^u?[0-9]{1,19}$");
    // Enums list their values.
    let list = paths["/v1/orgs/{slug}/accounts"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let status = list.iter().find(|p| p["name"] == "status").unwrap();
    assert_eq!(
        status["schema"]["enum"],
        serde_json::json!(["active", "disabled", "any"])
    );
    let limit = list.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["type"], "integer");
    assert_eq!(limit["schema"]["minimum"], 0);
    // A u32 body field: int64 with the u32's bounds.
    let seats = &doc["components"]["schemas"]["SeatsPatch"]["properties"]["seats"];
    assert_eq!(seats["format"], "int64");
    assert_eq!(seats["maximum"], u64::from(u32::MAX));
    // A body id takes the number or the text.
    let member = &doc["components"]["schemas"]["MemberBody"]["properties"]["account"];
    assert_eq!(member["oneOf"].as_array().unwrap().len(), 2);
    // An action whose body may be left out says so.
    let disable = &paths["/v1/orgs/{slug}/accounts/{id}/disable"]["post"]["requestBody"];
    assert_eq!(disable["required"], false);
    let create = &paths["/v1/orgs/{slug}/accounts"]["post"]["requestBody"];
    assert_eq!(create["required"], true);
}

#[tokio::test]
async fn stopping_ends_waiting_polls_and_in_flight_requests_finish() {
    let env = Env::with(Config {
        max_feed_clients: 1,
        ..Config::default()
    });
    let long = hold_the_feed(&env).await;
    let Env { server, .. } = env;
    let stopped = tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    assert!(stopped.is_ok(), "{stopped:?}");
    let res = long.await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["events"], json!([]));
}

#[tokio::test]
async fn the_feed_streams_as_server_sent_events() {
    let env = Env::new();
    let mut res = env
        .http
        .get(env.url("/v1/events/stream?after=0"))
        .bearer_auth(&env.tokens.member)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = res.chunk().await.unwrap().expect("the stream goes on");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: events"), "{text}");
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("a data line");
    let batch: Value = serde_json::from_str(data).unwrap();
    let events = batch["events"].as_array().unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["org"] == env.acme.0), "{batch}");
    assert!(text.contains(&format!("id: {}", batch["seq"])), "{text}");
}
