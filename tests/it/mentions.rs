//! Mentions against the real server: `@name` resolved to existing users when
//! a message is stored or edited (case-insensitive, whole names only, never
//! inside an address or a link), `GET /api/chat/messages/?mentions=me`
//! (newest first, the same paging), and the chat page's bold names and
//! highlighted bubble without JavaScript.

use serde_json::Value;

use crate::editing::{edit, post, request};
use crate::support::server::{answer, chat_page, register, TestServer};

const MESSAGES: &str = "/api/chat/messages/";

fn mentions(message: &Value) -> Vec<String> {
    match message.get("mentions") {
        None => Vec::new(),
        Some(list) => serde_json::from_value(list.clone()).expect("a list of names"),
    }
}

/// `GET /api/chat/messages/?{query}`: status and body.
async fn get(server: &TestServer, cookie: &str, query: &str) -> (u16, Value) {
    let res = request(server, "GET", &format!("{MESSAGES}?{query}"), cookie)
        .send()
        .await
        .unwrap();
    answer(res).await
}

/// The ids listed by `?{query}`, in the order given (200 expected).
async fn ids(server: &TestServer, cookie: &str, query: &str) -> Vec<i64> {
    let (status, body) = get(server, cookie, query).await;
    assert_eq!(status, 200, "{query}: {body}");
    body.as_array()
        .expect("a list")
        .iter()
        .map(|m| m["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn mentions_name_existing_users_as_they_spell_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    register(&server, "Bob_x", "battery staple").await;
    register(&server, "carol", "battery staple").await;

    let m = post(
        &server,
        &alice,
        "hi @bob_X and @nobody, @BOB_X again; mail carol@example.com, see https://x.org/@carol",
    )
    .await;
    assert_eq!(mentions(&m), ["Bob_x"], "{m}");
    let plain = post(&server, &alice, "no names here").await;
    assert!(
        plain.get("mentions").is_none(),
        "left out when none: {plain}"
    );
    let two = post(&server, &alice, "(@carol) and @alice-").await;
    assert_eq!(mentions(&two), ["carol"], "{two}");

    // Edits resolve again.
    let id = m["id"].as_i64().unwrap();
    let edited = edit(&server, &alice, id, "now @carol only").await;
    assert_eq!(mentions(&edited), ["carol"], "{edited}");
    let (_, listed) = get(&server, &alice, "limit=500").await;
    let shown = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"].as_i64() == Some(id))
        .cloned()
        .expect("listed");
    assert_eq!(
        mentions(&shown),
        ["carol"],
        "the list shows the edit: {shown}"
    );
}

#[tokio::test]
async fn mentions_me_lists_newest_first_with_the_same_paging() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    // `_` is a wildcard in SQL's LIKE: a_c must not match "abc".
    let a_c = register(&server, "a_c", "battery staple").await;
    register(&server, "abc", "battery staple").await;

    let mut for_alice = Vec::new();
    for i in 0..5 {
        for_alice.push(
            post(&server, &bob, &format!("@Alice number {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
        post(&server, &bob, &format!("filler {i} for @abc")).await;
    }
    for_alice.reverse();

    assert_eq!(ids(&server, &alice, "mentions=me").await, for_alice);
    assert_eq!(
        ids(&server, &alice, "mentions=me&limit=2").await,
        for_alice[..2]
    );
    let before = format!("mentions=me&limit=2&before={}", for_alice[1]);
    assert_eq!(ids(&server, &alice, &before).await, for_alice[2..4]);
    assert_eq!(ids(&server, &bob, "mentions=me").await, Vec::<i64>::new());
    assert_eq!(ids(&server, &a_c, "mentions=me").await, Vec::<i64>::new());

    for bad in ["mentions=you", "mentions=", "mentions=alice"] {
        let (status, body) = get(&server, &alice, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["mentions"][0].as_str().is_some(),
            "a field error: {body}"
        );
    }
    let (status, body) = get(&server, "", "mentions=me").await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn the_page_shows_mentions_in_bold_and_highlights_the_readers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let m = post(&server, &bob, "hey @ALICE, look <b>here</b>").await;
    let id = m["id"].as_i64().unwrap();

    let page = chat_page(&server, &alice).await;
    assert!(
        page.contains(r#"<strong class="mention">@ALICE</strong>"#),
        "the name in bold"
    );
    assert!(
        page.contains("&lt;b&gt;here&lt;/b&gt;"),
        "nothing else is markup"
    );
    let bubble = format!(r#"data-id="{id}" class="message other mentions-me""#);
    let at = page.find(&format!(r#"data-id="{id}""#)).unwrap_or(0);
    let around = &page[at.saturating_sub(200)..(at + 50).min(page.len())];
    assert!(
        page.contains(&bubble),
        "alice's page highlights it: {around}"
    );

    let own = chat_page(&server, &bob).await;
    assert!(own.contains(r#"<strong class="mention">@ALICE</strong>"#));
    assert!(!own.contains("mentions-me"), "not on the writer's page");
}
