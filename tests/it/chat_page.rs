//! The real server renders the chat window with its history in the first HTML
//! response: in order, escaped, within the retention, with no client fetch.

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::support::server::{client, get_page, open_db, register, TestServer};
use chat98::server::entities::user;

async fn user_named(db: &DatabaseConnection, name: &str) -> user::Model {
    chat98::server::users::find_by_name(db, name)
        .await
        .unwrap()
        .expect("registered user")
}

#[tokio::test]
async fn chat_html_contains_the_history_in_order_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    register(&server, "Bob_98", "battery staple").await;

    let db = open_db(&dir).await;
    let alice = user_named(&db, "alice").await;
    let bob = user_named(&db, "bob_98").await;
    let now = Utc::now();
    crate::support::seed::insert(&db, &alice, "expired long ago", now - Duration::days(4))
        .await
        .unwrap();
    crate::support::seed::insert(&db, &alice, "first message", now)
        .await
        .unwrap();
    crate::support::seed::insert(&db, &bob, "<script>alert(1)</script>", now)
        .await
        .unwrap();
    crate::support::seed::insert(&db, &alice, "third & last", now)
        .await
        .unwrap();
    server.restart();

    let res = get_page(&server, "/chat", &cookie).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();

    assert!(html.contains("Chat Room"), "no window title");
    for label in ["Minimize", "Maximize", "Close"] {
        assert!(
            html.contains(&format!("aria-label=\"{label}\"")),
            "no {label} control"
        );
    }
    assert!(html.contains(
        "Messages in this chat room are stored for up to 3 days before being automatically deleted."
    ));
    assert!(html.contains("Signed in as alice"));
    assert!(html.contains("Log Off"));
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
    // Own messages are marked for the right-hand blue style, others' not.
    assert_eq!(html.matches("class=\"message own\"").count(), 2);
    assert_eq!(html.matches("class=\"message other\"").count(), 1);
    // The bundle that hydrates the page and its stylesheet are linked, by
    // their plain names or, once cargo-leptos wrote hash.txt, hashed ones.
    assert!(links_bundle_file(&html, "js"), "no script link");
    assert!(links_bundle_file(&html, "css"), "no stylesheet link");
}

/// Whether `html` refers to `/pkg/chat98.<ext>` or `/pkg/chat98.<hash>.<ext>`.
fn links_bundle_file(html: &str, ext: &str) -> bool {
    html.split("/pkg/chat98.").skip(1).any(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        name == ext
            || name
                .strip_suffix(&format!(".{ext}"))
                .is_some_and(|hash| hash.len() == 22 && !hash.contains('.'))
    })
}

#[tokio::test]
async fn only_the_most_recent_hundred_are_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let db = open_db(&dir).await;
    let alice = user_named(&db, "alice").await;
    for i in 0..105 {
        crate::support::seed::insert(&db, &alice, &format!("msg-{i:03}-end"), Utc::now())
            .await
            .unwrap();
    }
    server.restart();
    let html = get_page(&server, "/chat", &cookie)
        .await
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
    let server = TestServer::start(&dir, &["--retention", "12h"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let html = get_page(&server, "/chat", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("No messages yet. Start the conversation!"));
    assert!(html.contains("stored for up to 12 hours before being automatically deleted."));
}

#[tokio::test]
async fn root_redirects_and_unknown_paths_get_a_styled_404() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
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
    let mut server = TestServer::start(&dir, &[]);
    let res = client().get(server.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}
