//! Accounts and sessions against the real server: the server alone decides who
//! is signed in.

use crate::support::server::{client, get_page, register, session_cookie, TestServer};
use serde_json::{json, Value};

async fn post_json(server: &TestServer, path: &str, body: Value) -> crate::support::http::Response {
    client()
        .post(server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn me(server: &TestServer, cookie: &str) -> axum::http::StatusCode {
    client()
        .get(server.url("/api/auth/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn register_signs_in_with_a_safe_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let res = post_json(
        &server,
        "/api/auth/register",
        json!({"username": "Alice_98", "password": "correct horse", "user_id": 1}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(flag), "{flag} missing in {set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "Secure only when configured"
    );
    let cookie = session_cookie(&res).unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["username"], "Alice_98");
    assert!(body["id"].as_i64().unwrap() > 0);

    let res = client()
        .get(server.url("/api/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["username"], "Alice_98");
}

#[tokio::test]
async fn secure_cookies_are_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--secure-cookies", "true"]);
    let res = post_json(
        &server,
        "/api/auth/register",
        json!({"username": "alice", "password": "correct horse"}),
    )
    .await;
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

#[tokio::test]
async fn taken_names_in_any_case_get_409() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    register(&server, "alice", "correct horse").await;
    let res = post_json(
        &server,
        "/api/auth/register",
        json!({"username": "ALICE", "password": "another password"}),
    )
    .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "username_taken");
    assert_eq!(
        body["fields"]["username"][0],
        "A user with that username already exists."
    );
}

#[tokio::test]
async fn look_alike_names_are_refused_even_when_signing_up_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--register-max", "100"]);
    register(&server, "alice", "correct horse").await;
    for look_alike in ["aIice", "a1ice", "ALlCE", "A11CE"] {
        let res = post_json(
            &server,
            "/api/auth/register",
            json!({"username": look_alike, "password": "another password"}),
        )
        .await;
        assert_eq!(res.status(), 409, "{look_alike}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["fields"]["username"][0],
            "That username looks too much like an existing one. Please choose another.",
            "{look_alike}"
        );
    }
    // Two look-alikes at the same moment: exactly one gets the name.
    for (first, second) in [("bob", "B0B"), ("modern", "modem"), ("will", "vvill")] {
        let (x, y) = futures::join!(
            post_json(
                &server,
                "/api/auth/register",
                json!({"username": first, "password": "correct horse"})
            ),
            post_json(
                &server,
                "/api/auth/register",
                json!({"username": second, "password": "correct horse"})
            ),
        );
        let mut statuses = [x.status().as_u16(), y.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{first} / {second}");
    }
    // Names made only of invisible formatting characters are no names.
    let res = post_json(
        &server,
        "/api/auth/register",
        json!({"username": "\u{200b}\u{200c}\u{2060}\u{feff}", "password": "correct horse"}),
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn bad_names_and_passwords_get_400_with_field_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    for (username, password, field, message) in [
        (
            "ab",
            "correct horse",
            "username",
            "Use at least 3 characters.",
        ),
        (
            "has space",
            "correct horse",
            "username",
            "Use only letters (A-Z), digits, _ and -.",
        ),
        ("alice", "short", "password", "Use at least 8 characters."),
        (
            "",
            "correct horse",
            "username",
            "This field may not be blank.",
        ),
    ] {
        let res = post_json(
            &server,
            "/api/auth/register",
            json!({"username": username, "password": password}),
        )
        .await;
        assert_eq!(res.status(), 400, "{username:?}/{password:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["fields"][field][0], message);
        assert!(body["error"].is_string());
    }
    // A body that is not a JSON object is a clear 400 too.
    let res = client()
        .post(server.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("[1,2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("JSON object"));
}

#[tokio::test]
async fn login_accepts_any_case_and_fails_the_same_way_for_unknown_users() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    register(&server, "Alice", "correct horse").await;

    // Form-encoded, as a browser's form sends it.
    let res = client()
        .post(server.url("/api/auth/login"))
        .form(&[("username", "alice"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res).unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["username"], "Alice", "shown as typed at sign-up");
    assert_eq!(me(&server, &cookie).await, 200);

    let wrong = post_json(
        &server,
        "/api/auth/login",
        json!({"username": "alice", "password": "wrong horse"}),
    )
    .await;
    let unknown = post_json(
        &server,
        "/api/auth/login",
        json!({"username": "nobody", "password": "wrong horse"}),
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(session_cookie(&wrong).is_none());
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "Invalid username or password.");
}

#[tokio::test]
async fn repeated_failures_are_throttled_then_recover() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(
        &dir,
        &["--login-max-failures", "3", "--throttle-window", "2s"],
    );
    register(&server, "alice", "correct horse").await;
    let attempt = |password: &'static str| {
        post_json(
            &server,
            "/api/auth/login",
            json!({"username": "alice", "password": password}),
        )
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong horse").await.status(), 401);
    }
    // Now even the right password is refused until the window passes.
    let res = attempt("correct horse").await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "throttled");

    // Wait out the window (bounded: Retry-After is at most 2 s).
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    let mut status = attempt("correct horse").await.status();
    for _ in 0..20 {
        if status != 429 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = attempt("correct horse").await.status();
    }
    assert_eq!(status, 200);
}

#[tokio::test]
async fn registrations_are_throttled_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--register-max", "2"]);
    register(&server, "user1", "correct horse").await;
    register(&server, "user2", "correct horse").await;
    let res = post_json(
        &server,
        "/api/auth/register",
        json!({"username": "user3", "password": "correct horse"}),
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

/// Registers through a proxy that says the client is `forwarded_for`.
async fn register_via(server: &TestServer, name: &str, forwarded_for: &str) -> u16 {
    client()
        .post(server.url("/api/auth/register"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": name, "password": "correct horse"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_registrations_are_counted_per_forwarded_client() {
    let dir = tempfile::tempdir().unwrap();
    let behind = TestServer::start(
        &dir,
        &["--register-max", "1", "--trusted-proxies", "127.0.0.0/8"],
    );
    assert_eq!(register_via(&behind, "user1", "203.0.113.1").await, 200);
    assert_eq!(register_via(&behind, "user2", "203.0.113.1").await, 429);
    // Another client behind the same proxy is not held up...
    assert_eq!(register_via(&behind, "user3", "203.0.113.2").await, 200);
    // ...and a forged entry to the left of what the proxy saw changes nothing.
    assert_eq!(
        register_via(&behind, "user4", "198.51.100.7, 203.0.113.2").await,
        429
    );

    // Without trusted proxies the header is the client's word: ignored.
    let dir = tempfile::tempdir().unwrap();
    let direct = TestServer::start(&dir, &["--register-max", "1"]);
    assert_eq!(register_via(&direct, "user1", "203.0.113.1").await, 200);
    assert_eq!(register_via(&direct, "user2", "203.0.113.2").await, 429);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let copy = cookie.clone();
    let res = client()
        .post(server.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // The old cookie value, replayed, no longer signs anyone in.
    assert_eq!(me(&server, &copy).await, 401);
    let res = client()
        .get(server.url("/api/auth/me"))
        .header("cookie", &copy)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["error"],
        "Authentication credentials were not provided."
    );
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    assert!(server.terminate().success());
    let server = TestServer::start(&dir, &[]);
    assert_eq!(me(&server, &cookie).await, 200);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--allowed-origins", "https://friend.example"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let post = |origin: Option<&'static str>, fetch_site: Option<&'static str>| {
        let mut req = client()
            .post(server.url("/api/auth/logout"))
            .header("cookie", &cookie);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    let res = post(Some("http://evil.example"), None).await.unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "cross_site");
    assert_eq!(post(None, Some("cross-site")).await.unwrap().status(), 403);
    assert_eq!(
        me(&server, &cookie).await,
        200,
        "the refused logout did nothing"
    );
    // A configured origin, and the site itself, may post.
    let res = post(Some("https://friend.example"), None).await.unwrap();
    assert_eq!(res.status(), 204);
    let cookie = register(&server, "bob", "correct horse").await;
    let res = client()
        .post(server.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .header("origin", server.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn plain_form_posts_redirect_like_classic_forms() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let referer = server.url("/register?next=/chat");
    let res = client()
        .post(server.url("/api/auth/register"))
        .header("accept", "text/html")
        .header("referer", &referer)
        .form(&[
            ("username", "alice"),
            ("password", "correct horse"),
            ("next", "/chat"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/chat");
    let cookie = session_cookie(&res).unwrap();

    // Errors go back to the form, which shows them inline.
    let res = client()
        .post(server.url("/api/auth/login"))
        .header("accept", "text/html")
        .header("referer", server.url("/login?next=/chat"))
        .form(&[("username", "alice"), ("password", "wrong horse")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("/login?next=%2Fchat") || back.contains("/login?next=/chat"));
    let html = client()
        .get(&back)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Invalid username or password."), "{html}");

    // An off-site `next` is ignored.
    let res = client()
        .post(server.url("/api/auth/login"))
        .header("accept", "text/html")
        .form(&[
            ("username", "alice"),
            ("password", "correct horse"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/chat");

    // Log off from the chat window's form.
    let res = client()
        .post(server.url("/api/auth/logout"))
        .header("accept", "text/html")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test]
async fn the_chat_page_needs_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let res = client()
        .get(server.url("/chat"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/chat");
    let res = client()
        .get(server.url("/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_on_the_hydration_script() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let res = client().get(server.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let login_nonce = checked_nonce(res.headers());
    // The sign-in page has no islands: it links no bundle, and its few
    // inline scripts (Leptos's resource data) carry the nonce.
    let login = res.text().await.unwrap();
    assert!(
        !login.contains(".wasm") && !login.contains(".js\""),
        "a bundle on /login"
    );
    inline_scripts_carry(&login, &login_nonce);

    let cookie = register(&server, "nonce_reader", "correct horse").await;
    let res = get_page(&server, "/chat", &cookie).await;
    assert_eq!(res.status(), 200);
    let nonce = checked_nonce(res.headers());
    let html = res.text().await.unwrap();
    let module = html
        .find("<script type=\"module\"")
        .expect("the hydration script");
    assert!(
        html[module..].starts_with(&format!("<script type=\"module\" nonce=\"{nonce}\"")),
        "hydration script lacks the nonce"
    );
    inline_scripts_carry(&html, &nonce);
    // Each response gets its own nonce.
    assert_ne!(nonce, login_nonce);
}

/// Every inline script in `html` carries `nonce`, but a data block (JSON,
/// which the browser never runs, so the policy does not apply to it).
fn inline_scripts_carry(html: &str, nonce: &str) {
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or("");
        let data = tag.contains("type=\"application/json\"");
        assert!(
            data || tag.contains("src=") || tag.contains(&format!("nonce=\"{nonce}\"")),
            "inline script without nonce: <script{tag}>"
        );
    }
}

/// The page's security headers, checked; returns the CSP's script nonce.
fn checked_nonce(headers: &axum::http::HeaderMap) -> String {
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned()
}

#[tokio::test]
async fn an_active_session_stays_and_an_idle_one_ends() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--session-idle", "4s"]);
    let cookie = register(&server, "alice", "correct horse").await;
    // Requests keep extending the idle expiry, past the first 4 s (unchanged
    // sessions are written back at most every quarter of the idle time).
    let active_until = std::time::Instant::now() + std::time::Duration::from_secs(7);
    while std::time::Instant::now() < active_until {
        assert_eq!(me(&server, &cookie).await, 200);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // Then 5 s without a request: signed out.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(me(&server, &cookie).await, 401);
}
