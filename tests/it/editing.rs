//! Editing and deleting messages against the real server: `PATCH` and
//! `DELETE /api/chat/messages/{id}/`, who may do what and until when, the
//! same rules as posting, and what sockets see (`edited` / `deleted` frames
//! in order with messages, a catch-up that shows the current state, nothing
//! new for the seed protocol).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::support::http::Request;
use crate::support::server::{answer, chat_page, client, register, stored_ids, TestServer};
use crate::support::ws::{connect, Socket};

const MESSAGES: &str = "/api/chat/messages/";

/// `/api/chat/messages/{id}/`, or without the trailing slash.
pub fn message_path(id: i64, slash: bool) -> String {
    format!("{MESSAGES}{id}{}", if slash { "/" } else { "" })
}

pub fn request(server: &TestServer, method: &'static str, path: &str, cookie: &str) -> Request {
    let req = client().request(method, server.url(path));
    if cookie.is_empty() {
        req
    } else {
        req.header("cookie", cookie)
    }
}

/// `PATCH /api/chat/messages/{id}/` with a JSON body.
pub async fn patch(server: &TestServer, cookie: &str, id: i64, body: Value) -> (u16, Value) {
    let res = request(server, "PATCH", &message_path(id, true), cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    answer(res).await
}

/// Edits `id` to `content` (JSON); 200 expected, the updated message.
pub async fn edit(server: &TestServer, cookie: &str, id: i64, content: &str) -> Value {
    let (status, body) = patch(server, cookie, id, json!({ "content": content })).await;
    assert_eq!(status, 200, "editing {id} to {content:?}: {body}");
    body
}

/// `DELETE /api/chat/messages/{id}/`.
pub async fn delete(server: &TestServer, cookie: &str, id: i64) -> (u16, Value) {
    let res = request(server, "DELETE", &message_path(id, true), cookie)
        .send()
        .await
        .unwrap();
    answer(res).await
}

/// Posts `content` over REST (201); the stored message.
pub async fn post(server: &TestServer, cookie: &str, content: &str) -> Value {
    let res = request(server, "POST", MESSAGES, cookie)
        .json(&json!({ "content": content }))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 201, "posting {content:?}: {body}");
    body
}

fn id_of(message: &Value) -> i64 {
    message["id"].as_i64().expect("a message id")
}

async fn list(server: &TestServer, cookie: &str) -> Vec<Value> {
    let res = request(server, "GET", &format!("{MESSAGES}?limit=500"), cookie)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("a list of messages")
}

/// The listed message with `id`, if it is listed.
async fn listed(server: &TestServer, cookie: &str, id: i64) -> Option<Value> {
    list(server, cookie)
        .await
        .into_iter()
        .find(|m| id_of(m) == id)
}

pub fn utc(text: &Value) -> DateTime<Utc> {
    let text = text
        .as_str()
        .unwrap_or_else(|| panic!("a time, not {text}"));
    assert!(text.ends_with('Z'), "UTC with a Z: {text}");
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("RFC 3339 ({e}): {text}"))
        .with_timezone(&Utc)
}

/// Sleeps until just after `instant` (the server and the test share the clock).
pub async fn sleep_until(instant: DateTime<Utc>) {
    let wait = (instant - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
}

/// The next `message`, `edited` or `deleted` frame (chat98.v2; others skipped).
pub async fn next_change(socket: &mut Socket) -> Value {
    loop {
        let frame = socket.next_json().await;
        if matches!(
            frame["type"].as_str(),
            Some("message" | "edited" | "deleted")
        ) {
            return frame;
        }
    }
}

/// The next `n` change frames as [`change`] tuples, or fewer if one does not
/// come within 10 s (so that a failure shows what did come).
pub async fn changes(socket: &mut Socket, n: usize) -> Vec<(String, i64, String)> {
    let mut got = Vec::new();
    while got.len() < n {
        match tokio::time::timeout(Duration::from_secs(10), next_change(socket)).await {
            Ok(frame) => got.push(change(&frame)),
            Err(_) => break,
        }
    }
    got
}

/// `(kind, id, content)` of a change frame, for comparing sequences.
pub fn change(frame: &Value) -> (String, i64, String) {
    let kind = frame["type"].as_str().unwrap().to_owned();
    if kind == "deleted" {
        let keys: Vec<&str> = frame
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["id", "type"],
            "a deletion carries the id only: {frame}"
        );
        return (kind, frame["id"].as_i64().unwrap(), String::new());
    }
    let m = &frame["message"];
    (kind, id_of(m), m["content"].as_str().unwrap().to_owned())
}

/// No `message`, `edited` or `deleted` frame arrives for a while.
async fn no_more_changes(socket: &mut Socket) {
    while let Some(frame) = socket.quiet_for(Duration::from_millis(700)).await {
        assert!(
            !matches!(
                frame["type"].as_str(),
                Some("message" | "edited" | "deleted")
            ),
            "an extra frame: {frame}"
        );
    }
}

/// The edit's `edited_at`, checked: after the message was sent and at about
/// the time of the edit; and the edited message has the seed's keys, in order.
fn edit_time(
    original: &Value,
    edited: &Value,
    before_edit: chrono::DateTime<Utc>,
) -> chrono::DateTime<Utc> {
    let edited_at = utc(&edited["edited_at"]);
    assert!(
        edited_at >= utc(&original["timestamp"])
            && edited_at >= before_edit - chrono::Duration::seconds(1)
            && edited_at <= Utc::now() + chrono::Duration::seconds(1),
        "edited_at {edited_at}"
    );
    let keys: Vec<&str> = edited
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "content",
            "edited_at",
            "formatted_timestamp",
            "id",
            "timestamp",
            "user"
        ]
    );
    edited_at
}

#[tokio::test]
async fn an_edit_returns_the_message_with_edited_at_and_shows_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;

    let original = post(&server, &alice, "teh first draft").await;
    assert!(
        original.as_object().unwrap().contains_key("edited_at"),
        "edited_at is always present: {original}"
    );
    assert_eq!(original["edited_at"], Value::Null);
    let id = id_of(&original);

    let before_edit = Utc::now();
    let edited = edit(&server, &alice, id, "  the first draft  ").await;
    assert_eq!(edited["id"], id);
    assert_eq!(
        edited["content"], "the first draft",
        "trimmed as when posting"
    );
    assert_eq!(edited["user"], original["user"]);
    assert_eq!(
        edited["timestamp"], original["timestamp"],
        "sent when it was sent"
    );
    assert_eq!(
        edited["formatted_timestamp"],
        original["formatted_timestamp"]
    );
    let edited_at = edit_time(&original, &edited, before_edit);

    // Everyone reads the new text: the history API and the chat page.
    assert_eq!(listed(&server, &bob, id).await, Some(edited.clone()));
    let page = chat_page(&server, &bob).await;
    assert!(page.contains("the first draft"), "the page shows the edit");
    assert!(
        !page.contains("teh first draft"),
        "the page shows the old text"
    );

    // A form body, and the path without its trailing slash.
    let res = request(&server, "PATCH", &message_path(id, false), &alice)
        .form(&[("content", "second\r\ndraft")])
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["content"], "second\ndraft");
    assert!(utc(&body["edited_at"]) >= edited_at);
    assert_eq!(body["timestamp"], original["timestamp"]);
    assert_eq!(listed(&server, &alice, id).await, Some(body));

    // Edits survive a restart (they were stored, not only remembered).
    let mut server = server;
    server.restart();
    let after = listed(&server, &alice, id).await.expect("still listed");
    assert_eq!(after["content"], "second\ndraft");
    assert!(after["edited_at"].is_string());
}

#[tokio::test]
async fn a_deleted_message_is_gone_and_deleting_it_again_is_404() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let kept = id_of(&post(&server, &alice, "this one stays").await);
    let doomed = id_of(&post(&server, &alice, "regrettable words").await);
    let also_doomed = id_of(&post(&server, &alice, "more regrettable words").await);

    let res = request(&server, "DELETE", &message_path(doomed, true), &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.text().await.unwrap(), "", "204 has no body");
    let (status, body) = delete(&server, &alice, doomed).await;
    assert_eq!(status, 404, "deleting twice: {body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, _) = patch(&server, &alice, doomed, json!({"content": "revived"})).await;
    assert_eq!(status, 404, "a deleted message cannot be edited");

    // Without the trailing slash.
    let res = request(&server, "DELETE", &message_path(also_doomed, false), &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    assert_eq!(stored_ids(&server, &bob).await, [kept]);
    let page = chat_page(&server, &bob).await;
    assert!(page.contains("this one stays"));
    assert!(
        !page.contains("regrettable words"),
        "a deleted message was rendered"
    );

    // A message that never existed.
    let (status, body) = delete(&server, &alice, 999_999).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = patch(&server, &alice, 999_999, json!({"content": "x"})).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].is_string(), "{body}");

    // Deletions are stored, not only remembered.
    let mut server = server;
    server.restart();
    assert_eq!(stored_ids(&server, &bob).await, [kept]);
}

#[tokio::test]
async fn an_edit_follows_the_posting_rules_and_changes_nothing_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let alice = register(&server, "alice", "correct horse").await;
    let id = id_of(&post(&server, &alice, "as first written").await);
    let control = "This field may not contain control characters other than newline and tab.";
    let cases: Vec<(Value, Value)> = vec![
        (json!({}), json!({"content": ["This field is required."]})),
        (
            json!({"content": ""}),
            json!({"content": ["This field may not be blank."]}),
        ),
        (
            json!({"content": " \n\t "}),
            json!({"content": ["This field may not be blank."]}),
        ),
        (
            json!({"content": null}),
            json!({"content": ["This field may not be null."]}),
        ),
        (
            json!({"content": ["a"]}),
            json!({"content": ["Not a valid string."]}),
        ),
        (
            json!({"content": "x".repeat(2001)}),
            json!({"content": ["Ensure this field has no more than 2000 characters."]}),
        ),
        (json!({"content": "a\u{0}b"}), json!({"content": [control]})),
        (
            json!({"content": "bell\u{7}"}),
            json!({"content": [control]}),
        ),
    ];
    for (body, expected) in cases {
        let (status, got) = patch(&server, &alice, id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {got}");
        assert_eq!(got, expected, "{body}");
    }
    // A body that is not JSON.
    let res = request(&server, "PATCH", &message_path(id, true), &alice)
        .header("content-type", "application/json")
        .body("{\"content\": \"unfinished")
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].is_string(), "{body}");

    let unchanged = listed(&server, &alice, id).await.unwrap();
    assert_eq!(unchanged["content"], "as first written");
    assert_eq!(
        unchanged["edited_at"],
        Value::Null,
        "a refused edit is no edit"
    );

    // The limit counts characters, like posting.
    let longest = "é".repeat(2000);
    assert_eq!(
        edit(&server, &alice, id, &longest).await["content"],
        longest
    );
}

#[tokio::test]
async fn only_the_author_may_edit_and_only_within_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--edit-window", "2s"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let message = post(&server, &alice, "alice's words").await;
    let id = id_of(&message);
    let sent = utc(&message["timestamp"]);

    // Someone else's message: neither edited nor deleted by a member.
    let (status, body) = patch(&server, &bob, id, json!({"content": "bob's words"})).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = delete(&server, &bob, id).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].is_string(), "{body}");

    // The author, within the window, as often as they like.
    edit(&server, &alice, id, "first fix").await;
    sleep_until(sent + chrono::Duration::milliseconds(1000)).await;
    edit(&server, &alice, id, "second fix").await;

    // The window counts from sending, not from the last edit.
    sleep_until(sent + chrono::Duration::milliseconds(2300)).await;
    let (status, body) = patch(&server, &alice, id, json!({"content": "too late"})).await;
    assert_eq!(status, 403, "past the edit window: {body}");
    assert!(body["detail"].is_string(), "{body}");
    let shown = listed(&server, &bob, id).await.unwrap();
    assert_eq!(shown["content"], "second fix");
    assert_eq!(shown["user"]["username"], "alice");

    // Deleting one's own message has no window.
    assert_eq!(delete(&server, &alice, id).await.0, 204);
    assert!(listed(&server, &bob, id).await.is_none());
}

#[tokio::test]
async fn an_expired_message_can_be_neither_edited_nor_deleted() {
    let dir = tempfile::tempdir().unwrap();
    // Hidden at 3 s; the sweep that would delete the row comes in an hour.
    let server = TestServer::start(&dir, &["--retention", "3s", "--sweep-interval", "1h"]);
    let alice = register(&server, "alice", "correct horse").await;
    let message = post(&server, &alice, "short-lived").await;
    let id = id_of(&message);
    sleep_until(utc(&message["timestamp"]) + chrono::Duration::seconds(3)).await;
    let (status, body) = patch(&server, &alice, id, json!({"content": "revived"})).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = delete(&server, &alice, id).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].is_string(), "{body}");
}

#[tokio::test]
async fn signed_out_and_cross_site_edits_and_deletions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let id = id_of(&post(&server, &alice, "the original").await);
    let expected = json!({"detail": "Authentication credentials were not provided."});

    for cookie in ["", "chat98_session=forged"] {
        let (status, body) = patch(&server, cookie, id, json!({"content": "anonymous"})).await;
        assert_eq!((status, &body), (401, &expected), "PATCH with {cookie:?}");
        let (status, body) = delete(&server, cookie, id).await;
        assert_eq!((status, &body), (401, &expected), "DELETE with {cookie:?}");
    }

    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = request(&server, "PATCH", &message_path(id, true), &alice)
            .header(name, value)
            .json(&json!({"content": "forged"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "PATCH with {name}: {value}");
        let res = request(&server, "DELETE", &message_path(id, true), &alice)
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "DELETE with {name}: {value}");
    }
    let shown = listed(&server, &alice, id).await.expect("not deleted");
    assert_eq!(shown["content"], "the original");
    assert_eq!(shown["edited_at"], Value::Null);

    // From the site itself, both work.
    let res = request(&server, "PATCH", &message_path(id, true), &alice)
        .header("origin", server.origin())
        .json(&json!({"content": "same site"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = request(&server, "DELETE", &message_path(id, true), &alice)
        .header("origin", server.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn edits_count_toward_the_message_rate() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "2", "--message-interval", "1h"]);
    let alice = register(&server, "alice", "correct horse").await;
    let id = id_of(&post(&server, &alice, "one").await);
    edit(&server, &alice, id, "two").await;

    let res = request(&server, "PATCH", &message_path(id, true), &alice)
        .json(&json!({"content": "three"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0, "Retry-After {wait}");
    let (_, body) = answer(res).await;
    assert!(body["detail"].is_string(), "{body}");
    assert_eq!(listed(&server, &alice, id).await.unwrap()["content"], "two");

    let res = request(&server, "POST", MESSAGES, &alice)
        .json(&json!({"content": "four"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the edit used up the burst");
}

#[tokio::test]
async fn edits_and_deletions_reach_sockets_in_order_with_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let mut author = connect(&server, &alice, true, "").await;
    let mut reader = connect(&server, &bob, true, "").await;
    let mut seed = connect(&server, &bob, false, "").await;
    author.next_of("presence").await;
    reader.next_of("presence").await;

    let m1 = id_of(&post(&server, &alice, "one").await);
    let edited_m1 = edit(&server, &alice, m1, "one, edited").await;
    let m2 = id_of(&post(&server, &alice, "two").await);
    assert_eq!(delete(&server, &alice, m1).await.0, 204);
    let m3 = id_of(&post(&server, &alice, "three").await);
    let edited_m2 = edit(&server, &alice, m2, "two, edited").await;

    let expected = vec![
        ("message".to_owned(), m1, "one".to_owned()),
        ("edited".to_owned(), m1, "one, edited".to_owned()),
        ("message".to_owned(), m2, "two".to_owned()),
        ("deleted".to_owned(), m1, String::new()),
        ("message".to_owned(), m3, "three".to_owned()),
        ("edited".to_owned(), m2, "two, edited".to_owned()),
    ];
    for (who, socket) in [("author", &mut author), ("reader", &mut reader)] {
        let mut got = Vec::new();
        let mut edits = Vec::new();
        for _ in 0..expected.len() {
            let frame = next_change(socket).await;
            if frame["type"] == "edited" {
                edits.push(frame["message"].clone());
            }
            got.push(change(&frame));
        }
        assert_eq!(got, expected, "the {who}'s socket");
        // An `edited` frame carries the message as the PATCH answered it.
        for (frame, answered) in edits.iter().zip([&edited_m1, &edited_m2]) {
            for key in ["id", "user", "content", "timestamp", "edited_at"] {
                assert_eq!(frame[key], answered[key], "{key} of {frame}");
            }
        }
        no_more_changes(socket).await;
    }

    // The seed protocol knows nothing of edits: it gets the three messages
    // as they were sent, and nothing else.
    for (content, id) in [("one", m1), ("two", m2), ("three", m3)] {
        let frame = seed.next_json().await;
        let keys: Vec<&str> = frame
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["message"], "{frame}");
        assert_eq!(frame["message"]["id"], id);
        assert_eq!(frame["message"]["content"], content);
    }
    if let Some(frame) = seed.quiet_for(Duration::from_millis(700)).await {
        panic!("a seed socket got {frame}");
    }
}

#[tokio::test]
async fn a_catch_up_shows_the_current_state() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let m0 = id_of(&post(&server, &alice, "before the resume point").await);
    let m1 = id_of(&post(&server, &alice, "one").await);
    let m2 = id_of(&post(&server, &alice, "two").await);
    let m3 = id_of(&post(&server, &alice, "three").await);
    edit(&server, &alice, m1, "one, edited").await;
    assert_eq!(delete(&server, &alice, m2).await.0, 204);

    let mut server = server;
    for round in ["from memory", "after a restart"] {
        let after = format!("?after={m0}");
        let mut v2 = connect(&server, &bob, true, &after).await;
        let first = v2.next_of("message").await;
        assert_eq!(first["message"]["id"], m1, "{round}");
        assert_eq!(first["message"]["content"], "one, edited", "{round}");
        assert!(
            first["message"]["edited_at"].is_string(),
            "{round}: {first}"
        );
        let second = v2.next_of("message").await;
        assert_eq!(second["message"]["id"], m3, "{round}: no deleted message");
        assert_eq!(second["message"]["edited_at"], Value::Null, "{round}");
        while let Some(frame) = v2.quiet_for(Duration::from_millis(700)).await {
            assert_ne!(
                frame["type"], "message",
                "{round}: an extra message {frame}"
            );
        }

        let mut seed = connect(&server, &bob, false, &after).await;
        let ids_and_text: Vec<(i64, String)> = [seed.next_json().await, seed.next_json().await]
            .iter()
            .map(|f| {
                (
                    f["message"]["id"].as_i64().unwrap(),
                    f["message"]["content"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            ids_and_text,
            [(m1, "one, edited".to_owned()), (m3, "three".to_owned())],
            "{round}: the seed protocol catches up with the current text"
        );
        assert!(seed.quiet_for(Duration::from_millis(500)).await.is_none());
        if round == "from memory" {
            server.restart();
        }
    }
}
