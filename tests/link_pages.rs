//! The pages a mailed link opens in a browser: served by `roster serve` as HTML that
//! posts the fragment's secret to the API, locked down so the page can talk only to
//! its own server and cannot be framed or cached.

use roster::backend::Backend;
use roster::backend::file::FileStore;
use roster::server::{Config, Server};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailed_links_open_a_page_that_posts_to_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Backend> = Arc::new(FileStore::create(&dir.path().join("store")).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store, Config::default()).unwrap();
    let http = reqwest::Client::new();
    for (link, api) in [
        (
            roster::credentials::links::invitation_link(&server.url(), "s3cret"),
            "/v1/invitations/accept",
        ),
        (
            roster::credentials::links::reset_link(&server.url(), "s3cret"),
            "/v1/password-resets/complete",
        ),
    ] {
        // The fragment never reaches the server: the page reads it in the browser.
        let page = http.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200, "{link}");
        let h = page.headers().clone();
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        let body = page.text().await.unwrap();
        assert!(body.contains(api), "{link} posts to {api}");
        assert!(
            body.contains("location.hash"),
            "{link} reads the secret from the fragment"
        );
    }
}
