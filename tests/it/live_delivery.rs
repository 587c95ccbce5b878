//! `WS /ws/chat/` with real websocket clients against the real server: every
//! stored message reaches every client once, in id order, however it was sent.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::server::{client, post_message as post_rest, register, stored_ids, TestServer};
use crate::support::ws::{connect, open, Open, Socket};

/// The ids of the next `n` message frames (seed or v2).
async fn next_message_ids(socket: &mut Socket, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let frame = socket.next_json().await;
        if frame.get("type").is_none() || frame["type"] == "message" {
            ids.push(frame["message"]["id"].as_i64().expect("a message id"));
        }
    }
    ids
}

#[tokio::test]
async fn the_seed_protocol_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let mut a = connect(&server, &alice, false, "").await;
    let mut b = connect(&server, &bob, false, "").await;

    // The author is the session's user, whatever the frame claims.
    a.send_json(json!({"message": "  hello seed  ", "user_id": 2}))
        .await;
    for socket in [&mut a, &mut b] {
        let frame = socket.next_json().await;
        let keys: Vec<&str> = frame
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["message"], "nothing but the message: {frame}");
        let m = &frame["message"];
        assert_eq!(m["content"], "hello seed");
        assert_eq!(m["user"]["username"], "alice");
        let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
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
    }

    // Invalid input is dropped without a frame; the socket keeps working.
    for bad in [
        json!({"message": ""}),
        json!({"message": 5}),
        json!({"text": "wrong key"}),
        json!({"message": "x".repeat(2001)}),
    ] {
        a.send_json(bad).await;
    }
    a.send_raw(Message::text("not json")).await;
    a.send_json(json!({"message": "still here"})).await;
    assert_eq!(a.next_json().await["message"]["content"], "still here");
    assert_eq!(b.next_json().await["message"]["content"], "still here");
    assert_eq!(stored_ids(&server, &alice).await.len(), 2);
}

#[tokio::test]
async fn chat98_v2_acks_errors_and_rate_limits() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "2", "--message-interval", "1h"]);
    let alice = register(&server, "alice", "correct horse").await;
    let mut a = connect(&server, &alice, true, "").await;
    let presence = a.next_json().await;
    assert_eq!(presence["type"], "presence");
    assert_eq!(presence["users"], json!([{"id": 1, "username": "alice"}]));

    a.send_json(json!({"type": "message", "content": "hi", "client_id": "c1"}))
        .await;
    let ack = a.next_of("ack").await;
    assert_eq!(ack["client_id"], "c1");
    assert_eq!(ack["message"]["content"], "hi");
    assert_eq!(ack["message"]["client_id"], "c1");

    // A retry with the same client id is acknowledged with the same message.
    a.send_json(json!({"type": "message", "content": "hi", "client_id": "c1"}))
        .await;
    let again = a.next_of("ack").await;
    assert_eq!(again["message"]["id"], ack["message"]["id"]);

    a.send_json(json!({"type": "message", "content": "   ", "client_id": "c2"}))
        .await;
    let error = a.next_of("error").await;
    assert_eq!(error["client_id"], "c2");
    assert_eq!(
        error["fields"]["content"][0],
        "This field may not be blank."
    );

    a.send_json(json!({"type": "message", "content": "two", "client_id": "c3"}))
        .await;
    a.next_of("ack").await;
    a.send_json(json!({"type": "message", "content": "three", "client_id": "c4"}))
        .await;
    let error = a.next_of("error").await;
    assert_eq!(error["client_id"], "c4");
    assert!(error["retry_after"].as_u64().unwrap() > 0);
    assert!(error["detail"].as_str().unwrap().contains("too fast"));

    a.send_raw(Message::text("{\"type\": \"dance\"}")).await;
    let error = a.next_of("error").await;
    assert!(error["client_id"].is_null());
    assert_eq!(stored_ids(&server, &alice).await.len(), 2);
}

#[tokio::test]
async fn three_senders_at_once_everyone_sees_the_same_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let mut cookies = Vec::new();
    for name in ["ann", "ben", "cat"] {
        cookies.push(register(&server, name, "correct horse").await);
    }
    let mut sockets = Vec::new();
    for (i, cookie) in cookies.iter().enumerate() {
        // Mix both protocols.
        sockets.push(connect(&server, cookie, i % 2 == 0, "").await);
    }
    const EACH: usize = 30;
    // Each client sends its frames as fast as it can while reading everything.
    let received = futures::future::join_all(sockets.into_iter().enumerate().map(
        |(i, mut socket)| async move {
            for n in 0..EACH {
                let text = format!("from {i} number {n}");
                let frame = if i % 2 == 0 {
                    json!({"type": "message", "content": text, "client_id": format!("{i}-{n}")})
                } else {
                    json!({ "message": text })
                };
                socket.send_json(frame).await;
            }
            next_message_ids(&mut socket, 3 * EACH).await
        },
    ))
    .await;
    let first = &received[0];
    assert_eq!(first.len(), 3 * EACH);
    assert!(
        first.windows(2).all(|w| w[0] < w[1]),
        "ascending ids: {first:?}"
    );
    for other in &received[1..] {
        assert_eq!(other, first, "every client sees the same sequence");
    }
    assert_eq!(
        &stored_ids(&server, &cookies[0]).await,
        first,
        "and it is what was stored"
    );
}

#[tokio::test]
async fn rest_and_form_posts_reach_websocket_clients() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let mut listener = connect(&server, &alice, false, "").await;

    assert_eq!(post_rest(&server, &alice, "over REST").await.status(), 201);
    assert_eq!(
        listener.next_json().await["message"]["content"],
        "over REST"
    );

    let res = client()
        .post(server.url("/api/chat/send"))
        .header("cookie", &alice)
        .header("accept", "text/html")
        .header("origin", server.origin())
        .header("referer", server.url("/chat"))
        .form(&[("content", "over the form")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        listener.next_json().await["message"]["content"],
        "over the form"
    );
}

#[tokio::test]
async fn catching_up_with_after_has_no_gap_and_no_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &["--message-burst", "100000"]);
    let alice = register(&server, "alice", "correct horse").await;
    // Many messages are already stored.
    let db = crate::support::server::open_db(&dir).await;
    let author = chat98::server::users::find_by_name(&db, "alice")
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    for i in 0..620 {
        crate::support::seed::insert(&db, &author, &format!("old {i}"), now)
            .await
            .unwrap();
    }
    server.restart();
    // 320 messages back, and 60 more arrive while connecting: all within the
    // one page a catch-up sends (500; see socket_bounds for more than that).
    let resume_after = 300;

    // New messages keep arriving while the socket connects and catches up.
    let writer = {
        let url = server.url("/api/chat/messages/");
        let cookie = alice.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                let res = client()
                    .post(url.clone())
                    .header("cookie", &cookie)
                    .json(&json!({ "content": format!("new {i}") }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut socket = connect(&server, &alice, false, &format!("?after={resume_after}")).await;
    writer.await.unwrap();

    let newest_id = *stored_ids(&server, &alice).await.last().unwrap();
    assert_eq!(newest_id, 680, "620 stored before, 60 while connecting");
    let expected_count = (newest_id - resume_after) as usize;
    let got = next_message_ids(&mut socket, expected_count).await;
    let expected: Vec<i64> = (resume_after + 1..=newest_id).collect();
    assert_eq!(
        got, expected,
        "every id after the resume point, once, in order"
    );
    assert!(
        socket.quiet_for(Duration::from_millis(300)).await.is_none(),
        "no duplicate after"
    );
}

#[tokio::test]
async fn handshakes_without_a_session_or_from_another_site_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let refused = |how: Open<'static>| async { open(&server, how).await.err() };
    assert_eq!(
        refused(Open {
            origin: Some(server.origin()),
            ..Open::default()
        })
        .await,
        Some(401)
    );
    let cookie: &'static str = Box::leak(alice.clone().into_boxed_str());
    assert_eq!(
        refused(Open {
            cookie: Some(cookie),
            origin: Some("http://evil.example".into()),
            ..Open::default()
        })
        .await,
        Some(403)
    );
    assert_eq!(
        refused(Open {
            cookie: Some(cookie),
            origin: Some(server.origin()),
            query: "?after=-1",
            ..Open::default()
        })
        .await,
        Some(400)
    );
    // A plain GET is told to use a websocket, in JSON.
    let res = client()
        .get(server.url("/ws/chat/"))
        .header("cookie", &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.json::<Value>().await.unwrap()["detail"].is_string());
    // Without the trailing slash too, and without an Origin (not a browser).
    let ok = open(
        &server,
        Open {
            cookie: Some(cookie),
            ..Open::default()
        },
    )
    .await;
    assert!(ok.is_ok());
}

#[tokio::test]
async fn oversize_binary_and_malformed_frames_are_handled_and_others_unaffected() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let mut watcher = connect(&server, &bob, false, "").await;

    let mut big = connect(&server, &alice, false, "").await;
    big.send_raw(Message::text("x".repeat(70 * 1024))).await;
    assert_eq!(big.close_code().await, Some(1009));

    let mut binary = connect(&server, &alice, true, "").await;
    binary.send_raw(Message::binary(vec![1u8, 2, 3])).await;
    assert_eq!(binary.close_code().await, Some(1003));

    let mut garbled = connect(&server, &alice, true, "").await;
    garbled.send_raw(Message::text("{not json")).await;
    let error = garbled.next_of("error").await;
    assert!(error["detail"]
        .as_str()
        .unwrap()
        .contains("could not be read"));

    assert_eq!(
        post_rest(&server, &alice, "still serving").await.status(),
        201
    );
    assert_eq!(
        watcher.next_json().await["message"]["content"],
        "still serving"
    );
    garbled.next_of("message").await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_and_others_keep_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(
        &dir,
        &["--message-burst", "100000", "--max-message-chars", "60000"],
    );
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    // Connected, then never read from until the end.
    let mut stalled = connect(&server, &bob, false, "").await;
    let mut reader = connect(&server, &alice, false, "").await;

    // Enough to fill the stalled socket's kernel buffers and its queue.
    let body = "z".repeat(59_000);
    let total = 700;
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..total {
        let sent = Instant::now();
        assert_eq!(
            post_rest(&server, &alice, &format!("{i} {body}"))
                .await
                .status(),
            201
        );
        let frame = reader.next_json().await;
        assert!(frame["message"]["content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{i} ")));
        slowest = slowest.max(sent.elapsed());
    }
    eprintln!(
        "{total} messages of 59 KB in {:?}; slowest post-to-delivery {slowest:?}",
        started.elapsed()
    );
    // The stalled client was cut off rather than holding anyone up: with 1013
    // when its queue filled, or, when posting is slower than the writer's
    // patience (PostgreSQL here), by dropping a connection that could not
    // even take a close frame.
    let code = stalled.close_code().await;
    assert!(matches!(code, Some(1013) | None), "closed with {code:?}");
    assert!(
        slowest < Duration::from_secs(5),
        "the reader was held up: {slowest:?}"
    );
}

#[tokio::test]
async fn presence_counts_a_user_once_across_tabs_and_typing_reaches_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    let mut b = connect(&server, &bob, true, "").await;
    assert_eq!(
        b.next_json().await["users"],
        json!([{"id": 2, "username": "bob"}])
    );

    let mut tab1 = connect(&server, &alice, true, "").await;
    let joined = b.next_json().await;
    assert_eq!(
        joined,
        json!({"type": "joined", "user": {"id": 1, "username": "alice"}})
    );
    let presence = tab1.next_json().await;
    let names: BTreeSet<&str> = presence["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["alice", "bob"]));

    let mut tab2 = connect(&server, &alice, true, "").await;
    tab2.next_of("presence").await;
    assert!(
        b.quiet_for(Duration::from_millis(300)).await.is_none(),
        "a second tab is not news"
    );

    // Typing: others hear it, the typist does not, and repeats are thinned out.
    tab1.send_json(json!({"type": "typing"})).await;
    tab1.send_json(json!({"type": "typing"})).await;
    assert_eq!(
        b.next_json().await,
        json!({"type": "typing", "user": {"id": 1, "username": "alice"}})
    );
    assert!(b.quiet_for(Duration::from_millis(300)).await.is_none());
    assert!(
        tab2.quiet_for(Duration::from_millis(100)).await.is_none(),
        "not to alice's own tabs"
    );

    tab1.inner.close(None).await.unwrap();
    drop(tab1);
    assert!(
        b.quiet_for(Duration::from_millis(300)).await.is_none(),
        "alice is still online"
    );
    tab2.inner.close(None).await.unwrap();
    drop(tab2);
    assert_eq!(
        b.next_json().await,
        json!({"type": "left", "user": {"id": 1, "username": "alice"}})
    );
}

#[tokio::test]
async fn shutting_down_closes_sockets_with_1001() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let mut socket = connect(&server, &alice, false, "").await;
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert_eq!(socket.close_code().await, Some(1001));
}
