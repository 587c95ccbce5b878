//! What one signed-in user can make the live side hold or send is bounded:
//! sockets, catch-up, typing notices, presence changes. A resume point from
//! nowhere never silences a socket.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::raw;
use crate::support::server::{post_message, register, TestServer};
use crate::support::ws::{connect, open, Open};

#[tokio::test]
async fn one_user_cannot_hold_unbounded_sockets() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--max-sockets-per-user", "3"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "correct horse").await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&server, &alice, true, "").await);
    }
    let how = Open {
        cookie: Some(&alice),
        origin: Some(server.origin()),
        v2: true,
        query: "",
    };
    // Refused before the upgrade, with a JSON sentence (checked below).
    assert_eq!(open(&server, how.clone()).await.err(), Some(429));
    let origin = server.origin();
    let handshake = raw::head(
        server.addr,
        "GET",
        "/ws/chat/",
        &[
            ("cookie", &alice),
            ("origin", &origin),
            ("connection", "upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
    );
    let mut stream = raw::connect(server.addr).await;
    raw::send(&mut stream, handshake.as_bytes()).await;
    let (answer, _) = raw::read_until_closed(&mut stream, Duration::from_secs(2)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(raw::status(answer.as_bytes()), Some(429), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    assert!(
        answer.contains("You have 3 chat connections open"),
        "{answer}"
    );
    // Other users are not affected; a closed socket makes room.
    connect(&server, &bob, true, "").await;
    let closed = held.pop().unwrap();
    drop(closed);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(open(&server, how).await.is_ok());
}

#[tokio::test]
async fn catching_up_sends_one_page_and_says_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "100000"]);
    let alice = register(&server, "alice", "correct horse").await;
    let mut ids = Vec::new();
    for i in 0..520 {
        let res = post_message(&server, &alice, &format!("m{i}")).await;
        assert_eq!(res.status(), 201);
        ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let mut socket = connect(&server, &alice, true, "?after=0").await;
    socket.next_of("presence").await;
    let gap = socket.next_json().await;
    assert_eq!(gap, json!({"type": "gap", "after": 0, "before": ids[20]}));
    for expected in &ids[20..] {
        let frame = socket.next_of("message").await;
        assert_eq!(frame["message"]["id"].as_i64(), Some(*expected));
    }
    // Then live messages, nothing more from the past.
    post_message(&server, &alice, "live").await;
    assert_eq!(
        socket.next_of("message").await["message"]["content"],
        "live"
    );

    // The seed protocol gets the same page, without the gap frame.
    let mut seed = connect(&server, &alice, false, "?after=0").await;
    let first = seed.next_json().await;
    assert_eq!(first["message"]["id"].as_i64(), Some(ids[21]));
}

#[tokio::test]
async fn an_after_beyond_the_newest_id_still_gets_live_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    post_message(&server, &alice, "before").await;
    for query in ["?after=9223372036854775807", "?after=1000000"] {
        let mut socket = connect(&server, &alice, true, query).await;
        socket.next_of("presence").await;
        let res = post_message(&server, &alice, &format!("after {query}")).await;
        assert_eq!(res.status(), 201);
        let frame = socket.next_of("message").await;
        assert_eq!(frame["message"]["content"], format!("after {query}"));
    }
}

#[tokio::test]
async fn typing_from_many_sockets_reaches_the_room_once_per_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "correct horse").await;
    let mut observer = connect(&server, &bob, true, "").await;
    observer.next_of("presence").await;
    let mut typists = Vec::new();
    for _ in 0..10 {
        let mut socket = connect(&server, &alice, true, "").await;
        socket.next_of("presence").await;
        typists.push(socket);
    }
    observer.next_of("joined").await;
    for _ in 0..5 {
        for socket in &mut typists {
            socket.send_json(json!({"type": "typing"})).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // 50 notices from 10 sockets within half a second: one reaches the room.
    let heard = observer
        .frames_within("typing", Duration::from_millis(1500))
        .await
        .len();
    assert_eq!(heard, 1);
}

#[tokio::test]
async fn cycling_sockets_does_not_flood_the_room_with_presence() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "correct horse").await;
    let mut observer = connect(&server, &bob, true, "").await;
    observer.next_of("presence").await;
    for _ in 0..50 {
        let mut socket = connect(&server, &alice, true, "").await;
        socket.next_of("presence").await;
        socket.inner.close(None).await.unwrap();
    }
    let joined = observer
        .frames_within("joined", Duration::from_millis(300))
        .await
        .len();
    assert_eq!(joined, 1, "one arrival");
    // And one departure, once alice has stayed away past the grace period.
    let left = observer
        .frames_within("left", Duration::from_secs(3))
        .await
        .len();
    assert_eq!(left, 1);
}
