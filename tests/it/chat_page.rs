//! The real server renders the chat window with its history in the first HTML
//! response: in order, escaped, within the retention, with no client fetch.

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::support::server::{chat_page, client, get_page, metrics, open_db, register, TestServer};
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
    // The browser's copy of the history is the data script, once; no text
    // of a message can end it; the island's props carry none of it.
    assert_eq!(
        history_script_texts(&html),
        ["first message", "<script>alert(1)</script>", "third & last"]
    );
    let props = &html[html.find("data-props=").expect("island props")..];
    let props = &props[..props.find('>').unwrap()];
    assert!(props.contains("&quot;history&quot;:null"), "{props}");
    assert!(!props.contains("first message"), "{props}");
    // Own messages are marked for the right-hand blue style, others' not.
    assert_eq!(html.matches("class=\"message own\"").count(), 2);
    assert_eq!(html.matches("class=\"message other\"").count(), 1);
    // The bundle that hydrates the page and its stylesheet are linked, by
    // their plain names or, once cargo-leptos wrote hash.txt, hashed ones.
    assert!(links_bundle_file(&html, "js"), "no script link");
    assert!(links_bundle_file(&html, "css"), "no stylesheet link");
}

/// The texts of the messages in the page's history data script.
fn history_script_texts(html: &str) -> Vec<String> {
    let open = r#"<script type="application/json" id="chat-history">"#;
    assert_eq!(html.matches(open).count(), 1, "one history script");
    let json = &html[html.find(open).unwrap() + open.len()..];
    let json = &json[..json.find("</script>").unwrap()];
    assert!(!json.contains('<'), "a `<` in the script: {json}");
    let messages: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    messages
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect()
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

/// The history's list (`<ol … class="message-list">…</ol>`) in a chat page.
fn message_list(html: &str) -> String {
    let start = html.find("class=\"message-list\"").expect("a message list");
    let end = start + html[start..].find("</ol>").expect("the list's end");
    html[start..end].to_owned()
}

/// Puts `user`'s read mark at `id` (the unread divider goes after it).
async fn set_read_mark(db: &DatabaseConnection, user: &user::Model, id: i64) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::update_many()
        .col_expr(user::Column::LastReadId, Expr::value(id))
        .filter(user::Column::Id.eq(user.id))
        .exec(db)
        .await
        .unwrap();
}

/// The server's prepared-row hits and misses so far, from `/metrics`.
async fn prepared_rows_used(server: &TestServer) -> (u64, u64) {
    let text = metrics(server).await;
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics"))
    };
    (
        value("chat98_prepared_rows_hits_total"),
        value("chat98_prepared_rows_misses_total"),
    )
}

/// The message lists of `/chat` for each reader, each with its read mark
/// put back first: (cookie with its `tz`, the user, where their mark goes).
async fn lists_for(
    server: &TestServer,
    db: &DatabaseConnection,
    readers: &[(String, user::Model, i64)],
) -> Vec<String> {
    let mut lists = Vec::new();
    for (cookie, reader, mark) in readers {
        set_read_mark(db, reader, *mark).await;
        lists.push(message_list(&chat_page(server, cookie).await));
    }
    lists
}

#[tokio::test]
async fn history_rows_rendered_once_are_the_rows_rendered_afresh() {
    use crate::editing::{delete, edit, post};
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let alice_cookie = register(&server, "alice", "correct horse").await;
    let bob_cookie = register(&server, "bob", "battery staple").await;
    let db = open_db(&dir).await;
    let (alice, bob) = (user_named(&db, "alice").await, user_named(&db, "bob").await);
    let id = |message: serde_json::Value| message["id"].as_i64().unwrap();
    let first = id(post(&server, &alice_cookie, "hello from alice").await);
    let read = id(post(&server, &alice_cookie, "second from alice").await);
    post(&server, &bob_cookie, "@alice look <here>").await;
    let plain = id(post(&server, &bob_cookie, "plain from bob").await);
    post(&server, &bob_cookie, "last from bob, https://example.com/").await;
    // Alice reads in Berlin and has read up to her second message: every
    // kind of row (her own with links, a mention, the first unread) is on
    // her page. Bob sees the same rows otherwise, in UTC and in Tokyo.
    let berlin = (
        format!("{alice_cookie}; tz=Europe/Berlin"),
        alice.clone(),
        read,
    );
    let readers = [
        berlin.clone(),
        (bob_cookie.clone(), bob.clone(), first),
        (format!("{bob_cookie}; tz=Asia/Tokyo"), bob.clone(), first),
        (alice_cookie.clone(), alice.clone(), first),
    ];

    let cold = lists_for(&server, &db, std::slice::from_ref(&berlin)).await;
    assert_eq!(
        prepared_rows_used(&server).await,
        (0, 6),
        "five bubbles, one divider"
    );
    let warm = lists_for(&server, &db, std::slice::from_ref(&berlin)).await;
    assert_eq!(cold, warm, "a prepared row differs from its first render");
    assert_eq!(
        prepared_rows_used(&server).await,
        (6, 6),
        "the rows were not reused"
    );
    for expected in [
        "class=\"message own\"",
        "class=\"message other mentions-me\"",
        "class=\"unread-divider\"",
        &format!("/chat/messages/{first}/edit"),
        "(Europe/Berlin)",
        "<strong class=\"mention\">@alice</strong> look &lt;here&gt;",
        "href=\"https://example.com/\"",
    ] {
        assert!(cold[0].contains(expected), "no {expected} in {}", cold[0]);
    }

    // An edit and a deletion show at once (the rows are keyed on them).
    edit(&server, &alice_cookie, first, "hello again").await;
    assert_eq!(delete(&server, &bob_cookie, plain).await.0, 204);
    let changed = lists_for(&server, &db, &readers).await;
    assert!(changed[0].contains("hello again") && changed[0].contains("(edited)"));
    assert!(!changed[0].contains("hello from alice") && !changed[0].contains("plain from bob"));
    assert!(changed[2].contains("(Asia/Tokyo)"));
    assert!(changed[1].contains(&format!("data-id=\"{read}\" class=\"message other\"")));

    // The same pages from a server that keeps no rows: byte for byte.
    server.terminate();
    let fresh_server = TestServer::start(&dir, &["--prepared-rows-mib", "0"]);
    let fresh = lists_for(&fresh_server, &db, &readers).await;
    assert_eq!(prepared_rows_used(&fresh_server).await, (0, 0));
    for (reader, (prepared, fresh)) in changed.iter().zip(&fresh).enumerate() {
        assert_eq!(
            prepared, fresh,
            "reader {reader}: a prepared row differs from a fresh render"
        );
    }
}
