//! Preferences and the read mark against the real server:
//! `GET`/`PUT /api/me/preferences` (JSON and forms, every refusal a JSON
//! 4xx), the Options form without JavaScript, and the read mark behind the
//! unread divider (only forward, never past the newest message, under
//! concurrent requests, server-rendered).

use serde_json::{json, Value};

use crate::editing::request;
use crate::support::server::{
    answer, chat_page, post_message, register, session_cookie, sign_in, TestServer,
};

const PREFS: &str = "/api/me/preferences";

async fn get_prefs(server: &TestServer, cookie: &str) -> (u16, Value) {
    answer(request(server, "GET", PREFS, cookie).send().await.unwrap()).await
}

async fn put_json(server: &TestServer, cookie: &str, body: Value) -> (u16, Value) {
    let res = request(server, "PUT", PREFS, cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    answer(res).await
}

#[tokio::test]
async fn preferences_have_defaults_and_are_kept_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;

    let defaults = json!({"sound": "mentions", "notifications": "off", "show_typing": true});
    assert_eq!(get_prefs(&server, &alice).await, (200, defaults.clone()));

    let wanted = json!({"sound": "all", "notifications": "mentions", "show_typing": false});
    assert_eq!(
        put_json(&server, &alice, wanted.clone()).await,
        (200, wanted.clone())
    );
    assert_eq!(get_prefs(&server, &alice).await, (200, wanted.clone()));
    assert_eq!(
        get_prefs(&server, &bob).await,
        (200, defaults),
        "bob's are his own"
    );

    // A new session (another browser) finds them.
    let res = sign_in(&server, "alice", "correct horse").await;
    let again = session_cookie(&res).expect("a session");
    assert_eq!(get_prefs(&server, &again).await, (200, wanted));

    // A form works too.
    let res = request(&server, "PUT", PREFS, &alice)
        .form(&[
            ("sound", "off"),
            ("notifications", "all"),
            ("show_typing", "true"),
        ])
        .send()
        .await
        .unwrap();
    let form = json!({"sound": "off", "notifications": "all", "show_typing": true});
    assert_eq!(answer(res).await, (200, form.clone()));
    assert_eq!(get_prefs(&server, &alice).await, (200, form));
}

#[tokio::test]
async fn bad_preferences_are_refused_with_json_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let (_, before) = get_prefs(&server, &alice).await;

    for bad in [
        json!({"sound": "loud", "notifications": "off", "show_typing": true}),
        json!({"sound": "all", "show_typing": true}),
        json!({"sound": "all", "notifications": "off", "show_typing": "yes"}),
        json!(["all"]),
    ] {
        let (status, body) = put_json(&server, &alice, bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| d.contains("sound")),
            "{body}"
        );
    }
    let res = request(&server, "PUT", PREFS, &alice)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(res).await.0, 400);
    let huge = format!(r#"{{"sound": "{}"}}"#, "a".repeat(10_000));
    let res = request(&server, "PUT", PREFS, &alice)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(answer(res).await.0, 413);
    assert_eq!(
        get_prefs(&server, &alice).await,
        (200, before),
        "nothing changed"
    );

    assert_eq!(get_prefs(&server, "").await.0, 401);
    assert_eq!(put_json(&server, "", json!({})).await.0, 401);
    let res = request(&server, "POST", PREFS, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD, PUT");
    let res = request(&server, "PUT", PREFS, &alice)
        .header("origin", "https://evil.example")
        .json(&json!({"sound": "off", "notifications": "off", "show_typing": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(res).await.0, 403, "cross-site");
}

#[tokio::test]
async fn the_options_form_works_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    // A plain HTML form: an unticked checkbox sends nothing.
    let res = request(&server, "POST", "/api/me/preferences/save", &alice)
        .header("accept", "text/html")
        .form(&[("sound", "off"), ("notifications", "all")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/chat");
    let expected = json!({"sound": "off", "notifications": "all", "show_typing": false});
    assert_eq!(get_prefs(&server, &alice).await, (200, expected));
}

/// `POST /api/me/read` (the page's server function): the mark in effect.
async fn mark_read(server: &TestServer, cookie: &str, id: i64) -> i64 {
    let res = request(server, "POST", "/api/me/read", cookie)
        .form(&[("id", &id.to_string())])
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 200, "{body}");
    body.as_i64().expect("the mark")
}

async fn post_ids(server: &TestServer, cookie: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let res = post_message(server, cookie, &format!("message {i}")).await;
        let (_, body) = answer(res).await;
        ids.push(body["id"].as_i64().expect("an id"));
    }
    ids
}

#[tokio::test]
async fn the_read_mark_only_moves_forward_even_when_requests_race() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "100"]);
    let alice = register(&server, "alice", "correct horse").await;
    let ids = post_ids(&server, &alice, 12).await;
    let newest = *ids.last().unwrap();

    // Twelve tabs report at once, in a scrambled order.
    let mut order = ids.clone();
    order.reverse();
    order.rotate_left(5);
    let reports = order.iter().map(|&id| mark_read(&server, &alice, id));
    let marks = futures::future::join_all(reports).await;
    assert!(marks.iter().all(|&m| m <= newest), "{marks:?}");
    assert_eq!(
        mark_read(&server, &alice, ids[0]).await,
        newest,
        "never backwards"
    );
    assert_eq!(
        mark_read(&server, &alice, newest + 1000).await,
        newest,
        "never past the newest"
    );
}

#[tokio::test]
async fn the_page_puts_the_unread_divider_after_what_the_reader_saw() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    post_ids(&server, &bob, 2).await;
    // A first visit has no divider, and counts as having seen everything.
    let first = chat_page(&server, &alice).await;
    assert!(!first.contains("unread-divider"), "nothing unread yet");

    let mine = post_ids(&server, &alice, 1).await;
    let new = post_ids(&server, &bob, 2).await;
    let page = chat_page(&server, &alice).await;
    let divider = page.find("unread-divider").expect("a divider");
    let first_new = page.find(&format!(r#"data-id="{}""#, new[0])).unwrap();
    let mine_at = page.find(&format!(r#"data-id="{}""#, mine[0])).unwrap();
    assert!(
        mine_at < divider && divider > first_new,
        "inside the first new message's row"
    );
    assert_eq!(page.matches("unread-divider").count(), 1);

    let again = chat_page(&server, &alice).await;
    assert!(!again.contains("unread-divider"), "seen now");
}
