//! A sign-out is final: a request that was under way cannot bring the session
//! back, and every socket opened with it closes (4001) whatever ended it.

use std::time::{Duration, Instant};

use futures::SinkExt;
use serde_json::{json, Value};

use crate::support::raw;
use crate::support::server::{client, logout, me, open_db, register, session_cookie, TestServer};
use crate::support::ws::connect;

async fn login(server: &TestServer, name: &str, password: &str) -> String {
    let res = client()
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "signing in as {name}");
    session_cookie(&res).expect("a session cookie")
}

/// A post whose body arrives only after `between` has run: the session is
/// read (headers) before, the answer written after.
pub async fn slow_post<F: std::future::Future<Output = ()>>(
    server: &TestServer,
    cookie: &str,
    between: F,
) -> (Option<u16>, Vec<u8>) {
    let body = br#"{"content": "sent slowly"}"#;
    let length = body.len().to_string();
    let origin = server.origin();
    let head = raw::head(
        server.addr,
        "POST",
        "/api/chat/messages/",
        &[
            ("cookie", cookie),
            ("origin", &origin),
            ("content-type", "application/json"),
            ("content-length", &length),
            ("connection", "close"),
        ],
    );
    let mut stream = raw::connect(server.addr).await;
    raw::send(&mut stream, head.as_bytes()).await;
    raw::send(&mut stream, &body[..5]).await;
    // Let the server read the headers and the session before the sign-out.
    tokio::time::sleep(Duration::from_millis(300)).await;
    between.await;
    raw::send(&mut stream, &body[5..]).await;
    let (answer, _) = raw::read_until_closed(&mut stream, Duration::from_secs(10)).await;
    (raw::status(&answer), answer)
}

#[tokio::test]
async fn a_request_in_flight_cannot_bring_a_logged_out_session_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let (status, answer) = slow_post(&server, &cookie, async {
        logout(&server, &cookie).await;
        assert_eq!(me(&server, &cookie).await, 401);
    })
    .await;
    // The post was signed in when it started; whatever it answers, the
    // session stays ended, for this cookie and any copy of it.
    assert!(
        matches!(status, Some(201 | 401)),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    for _ in 0..3 {
        assert_eq!(me(&server, &cookie).await, 401);
    }
    // Also after a restart (nothing was written back to the database).
    let mut server = server;
    server.restart();
    assert_eq!(me(&server, &cookie).await, 401);
}

#[tokio::test]
async fn an_open_websocket_is_closed_when_its_session_is_signed_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let other_tab = login(&server, "alice", "correct horse").await;
    let mut socket = connect(&server, &cookie, true, "").await;
    let mut kept = connect(&server, &other_tab, true, "").await;
    socket.next_of("presence").await;
    kept.next_of("presence").await;

    let signed_out = Instant::now();
    logout(&server, &cookie).await;
    assert_eq!(socket.close_code().await, Some(4001));
    assert!(
        signed_out.elapsed() < Duration::from_secs(1),
        "{:?}",
        signed_out.elapsed()
    );
    // A socket of another session of the same user is not affected.
    assert!(kept.quiet_for(Duration::from_millis(500)).await.is_none());
    kept.send_json(json!({"type": "message", "content": "still here", "client_id": "k1"}))
        .await;
    assert_eq!(
        kept.next_of("ack").await["message"]["content"],
        "still here"
    );
}

#[tokio::test]
async fn frames_sent_after_a_sign_out_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let reader = register(&server, "bob", "correct horse").await;
    let mut socket = connect(&server, &cookie, true, "").await;
    socket.next_of("presence").await;
    logout(&server, &cookie).await;
    // Whatever the socket still manages to send is dropped.
    for i in 0..20 {
        let frame = json!({"type": "message", "content": format!("after {i}"), "client_id": format!("a{i}")});
        if tokio::time::timeout(
            Duration::from_millis(50),
            socket
                .inner
                .send(tokio_tungstenite::tungstenite::Message::text(
                    frame.to_string(),
                )),
        )
        .await
        .is_err()
        {
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let res = client()
        .get(server.url("/api/chat/messages/"))
        .header("cookie", &reader)
        .send()
        .await
        .unwrap();
    let stored: Vec<Value> = res.json().await.unwrap();
    assert!(stored.is_empty(), "{stored:?}");
}

#[tokio::test]
async fn signing_in_again_closes_the_sockets_of_the_replaced_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let mut socket = connect(&server, &cookie, true, "").await;
    socket.next_of("presence").await;
    // The same browser signs in again: its old session is replaced.
    let res = client()
        .post(server.url("/api/auth/login"))
        .header("cookie", &cookie)
        .json(&json!({"username": "alice", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(socket.close_code().await, Some(4001));
    assert_eq!(me(&server, &cookie).await, 401);
}

#[tokio::test]
async fn a_socket_closes_when_its_session_expires() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--session-idle", "2s"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let opened = Instant::now();
    let mut socket = connect(&server, &cookie, true, "").await;
    socket.next_of("presence").await;
    // No request extends the session: it expires two seconds after sign-in.
    assert_eq!(socket.close_code().await, Some(4001));
    let took = opened.elapsed();
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
    assert_eq!(me(&server, &cookie).await, 401);
}

#[tokio::test]
async fn a_removed_accounts_sockets_close() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let cookie = register(&server, "alice", "correct horse").await;
    let mut socket = connect(&server, &cookie, true, "").await;
    socket.next_of("presence").await;
    // Removed behind the server's back (as a command on the same database
    // does): the periodic look-up finds the session gone.
    let db = open_db(&dir).await;
    let alice = chat98::server::users::find_by_name(&db, "alice")
        .await
        .unwrap()
        .unwrap();
    chat98::server::users::remove(&db, alice.id).await.unwrap();
    assert_eq!(socket.close_code().await, Some(4001));
    assert_eq!(me(&server, &cookie).await, 401);
}
