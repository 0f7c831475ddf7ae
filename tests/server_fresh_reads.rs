//! The server answers account reads from the state it holds, without handing them to
//! another thread, when the store's log is where it last looked. A change committed
//! through another handle on the same folder (a CLI in another process) must still be
//! in the very next read: one account, a filtered page (whose answers the server
//! keeps), and a token issued elsewhere.

mod server_support;

use roster::backend::{Backend, FileStore, query};
use roster::core::{Command, Principal};
use server_support::{Env, run, token};

#[tokio::test]
async fn reads_see_what_another_handle_committed() {
    let env = Env::new();
    let other = FileStore::open(env.store.path()).unwrap();
    let one = format!("/v1/orgs/acme/accounts/{}", env.member);
    let page = "/v1/orgs/acme/accounts?q=zebra&limit=5";
    let admin = &env.tokens.admin;

    // Read both first, so the server holds the state and keeps the page's answer.
    let before = env.get(&one, admin).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.json()["first_name"], "member");
    let empty = env.get(page, admin).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json()["total"], 0);
    assert_eq!(env.get(page, admin).await.json()["total"], 0);

    let a = query(&other as &dyn Backend, |d| d.accounts[&env.member].clone()).unwrap();
    run(
        &other,
        &Principal::Operator,
        Command::EditAccount {
            account: env.member,
            expected_version: a.version,
            first_name: "Zebra".into(),
            last_name: a.last_name.clone(),
            email: a.email.clone(),
        },
    );

    let after = env.get(&one, admin).await;
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.json()["first_name"], "Zebra");
    assert_ne!(after.header("etag"), before.header("etag"));
    let found = env.get(page, admin).await.json();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["first_name"], "Zebra", "{found}");

    // A token issued through the other handle works on the next request.
    let fresh = token(&other, Principal::Account { id: env.admin });
    let r = env.get(&one, &fresh).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn one_account_refuses_in_the_same_order_as_before() {
    let env = Env::new();
    let one = format!("/v1/orgs/acme/accounts/{}", env.other);
    // No token, an unknown one, a revoked one: 401 before anything about the path.
    let r = env
        .send(
            reqwest::Method::GET,
            "/v1/orgs/nowhere/accounts/u1",
            None,
            None,
            &[],
        )
        .await;
    r.problem(401);
    env.get("/v1/orgs/nowhere/accounts/u1", "not-a-token")
        .await
        .problem(401);
    env.get(&one, &env.tokens.revoked).await.problem(401);
    // Another organisation's caller: the organisation does not exist for them.
    env.get(&one, &env.tokens.g_member).await.problem(404);
    // Another organisation's account is as absent as one that never was.
    let foreign = format!("/v1/orgs/acme/accounts/{}", env.g_member);
    let hidden = env.get(&foreign, &env.tokens.admin).await.problem(404);
    let absent = env
        .get("/v1/orgs/acme/accounts/u999999", &env.tokens.admin)
        .await
        .problem(404);
    assert_eq!(
        hidden.replace(&env.g_member.to_string(), "ID"),
        absent.replace("u999999", "ID")
    );
}
