//! The real server renders the chat window with its history in the first HTML
//! response: in order, escaped, within the retention, with no client fetch.

mod support;

use chat98::server::{messages, users};
use chrono::{Duration, Utc};
use support::server::{client, open_db, TestServer};

#[tokio::test]
async fn chat_html_contains_the_history_in_order_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_db(&dir).await;
    let alice = users::create(&db, "alice", "!").await.unwrap();
    let bob = users::create(&db, "Bob_98", "!").await.unwrap();
    let now = Utc::now();
    messages::insert(&db, &alice, "expired long ago", now - Duration::days(4))
        .await
        .unwrap();
    messages::insert(&db, &alice, "first message", now)
        .await
        .unwrap();
    messages::insert(&db, &bob, "<script>alert(1)</script>", now)
        .await
        .unwrap();
    messages::insert(&db, &alice, "third & last", now)
        .await
        .unwrap();
    drop(db);

    let server = TestServer::start(dir, &[]);
    let res = client().get(server.url("/chat")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();

    assert!(html.contains("Chat Room"), "no window title");
    for label in ["Minimize", "Maximize", "Close"] {
        assert!(
            html.contains(&format!("aria-label=\"{label}\"")),
            "no {label} control"
        );
    }
    assert!(html.contains("Messages in this chat room are stored for up to 3 days before being automatically deleted."));
    assert!(!html.contains("No messages yet"));
    assert!(
        !html.contains("expired long ago"),
        "an expired message was rendered"
    );

    let first = html.find("first message").expect("first message rendered");
    let escaped = html
        .find("&lt;script&gt;alert(1)&lt;/script&gt;")
        .expect("script message rendered as text");
    let third = html
        .find("third &amp; last")
        .expect("third message rendered");
    assert!(first < escaped && escaped < third, "messages out of order");
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "content rendered as HTML"
    );
    assert!(html.contains("Bob_98"), "author shown as typed");
    // The bundle that hydrates the page is linked.
    assert!(html.contains("/pkg/chat98.js") || html.contains("/pkg/chat98"));
}

#[tokio::test]
async fn only_the_most_recent_hundred_are_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_db(&dir).await;
    let alice = users::create(&db, "alice", "!").await.unwrap();
    for i in 0..105 {
        messages::insert(&db, &alice, &format!("msg-{i:03}-end"), Utc::now())
            .await
            .unwrap();
    }
    drop(db);

    let server = TestServer::start(dir, &[]);
    let html = client()
        .get(server.url("/chat"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("msg-004-end"));
    assert!(html.contains("msg-005-end"));
    assert!(html.contains("msg-104-end"));
    assert_eq!(html.matches("class=\"message-bubble\"").count(), 100);
}

#[tokio::test]
async fn an_empty_room_invites_the_first_message_and_states_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir, &["--retention", "12h"]);
    let html = client()
        .get(server.url("/chat"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("No messages yet. Start the conversation!"));
    assert!(html.contains("stored for up to 12 hours before being automatically deleted."));
}

#[tokio::test]
async fn root_redirects_and_unknown_paths_get_a_styled_404() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir, &[]);
    let http = client();

    let res = http.get(server.url("/")).send().await.unwrap();
    assert!(res.status().is_redirection(), "status {}", res.status());
    assert_eq!(res.headers()["location"], "/chat");

    let res = http.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("class=\"window"),
        "404 page is not a Win98 window"
    );
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir, &[]);
    let res = client().get(server.url("/chat")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}
