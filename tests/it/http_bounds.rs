//! What an anonymous client can make the HTTP server hold is bounded: metric
//! labels, log lines, half-sent requests, open connections. A 503 means
//! nothing was stored. Cookies are Secure behind https; API paths answer JSON.

use std::time::{Duration, Instant};

use futures::future::join_all;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{json, Value};

use crate::support::raw;
use crate::support::server::{client, metrics, open_db, register, session_cookie, TestServer};

#[tokio::test]
async fn made_up_methods_and_paths_never_become_metric_labels_or_long_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    for i in 0..200 {
        let method = format!("MADEUP{i}{}", "X".repeat(1000));
        let mut stream = raw::connect(server.addr).await;
        let head = raw::head(
            server.addr,
            &method,
            &format!("/nowhere/{i}/{}", "p".repeat(8000)),
            &[("connection", "close")],
        );
        raw::send(&mut stream, head.as_bytes()).await;
        let (answer, _) = raw::read_until_closed(&mut stream, Duration::from_secs(10)).await;
        assert!(raw::status(&answer).is_some(), "an answer to request {i}");
    }
    let text = metrics(&server).await;
    assert!(!text.contains("MADEUP"), "a made-up method became a label");
    assert!(!text.contains("/nowhere"), "a raw path became a label");
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(text.contains("route=\"other\""), "{text}");
    // The series stay few whatever was sent.
    let series = text
        .lines()
        .filter(|l| l.starts_with("chat98_http_requests_total{"))
        .count();
    assert!(series < 10, "{series} series:\n{text}");
    // The access log shows only so much of each request.
    let longest = server
        .log_lines()
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    assert!(longest < 2_000, "a log line of {longest} bytes");
}

#[tokio::test]
async fn oversized_request_heads_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let mut stream = raw::connect(server.addr).await;
    let huge = raw::head(server.addr, &"M".repeat(300_000), "/", &[]);
    // The server may close before taking it all.
    let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, huge.as_bytes()).await;
    let (answer, closed) = raw::read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(closed);
    assert!(
        matches!(raw::status(&answer), None | Some(400 | 431)),
        "{:?}",
        raw::status(&answer)
    );
    assert_eq!(
        client()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn half_sent_requests_are_not_held() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--header-read-timeout", "1s"]);
    let mut held = Vec::new();
    for _ in 0..50 {
        let mut stream = raw::connect(server.addr).await;
        // A request line and one header, and never the blank line.
        raw::send(&mut stream, b"GET /healthz HTTP/1.1\r\nhost: test\r\n").await;
        held.push(stream);
    }
    let started = Instant::now();
    let closed = join_all(
        held.iter_mut()
            .map(|s| raw::read_until_closed(s, Duration::from_secs(10))),
    )
    .await;
    assert!(
        closed.iter().all(|(_, closed)| *closed),
        "every half-sent request is dropped"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        client()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--header-read-timeout", "1s"]);
    let mut stream = raw::connect(server.addr).await;
    raw::send(
        &mut stream,
        raw::head(server.addr, "GET", "/healthz", &[]).as_bytes(),
    )
    .await;
    let started = Instant::now();
    // The answer comes, then the connection idles until the server closes it.
    let (answer, closed) = raw::read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert_eq!(raw::status(&answer), Some(200));
    assert!(closed);
    let idle = started.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_secs(5),
        "{idle:?}"
    );
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_are_closed_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(
        &dir,
        &["--max-connections", "20", "--header-read-timeout", "30s"],
    );
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(raw::connect(server.addr).await);
    }
    // Let the server take them all before the next one.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = raw::connect(server.addr).await;
    let started = Instant::now();
    let (answer, closed) = raw::read_until_closed(&mut refused, Duration::from_secs(5)).await;
    assert!(
        closed && answer.is_empty(),
        "closed at once, without an answer"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // Room again once some go.
    held.truncate(15);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        client()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let text = metrics(&server).await;
    let refused: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("chat98_connections_refused_total "))
        .and_then(|n| n.parse().ok())
        .expect("the refused count");
    assert!(refused >= 1, "{text}");
}

/// Holds the database's write lock from the test, like a stuck writer.
async fn lock_writes(db: &sea_orm::DatabaseConnection) -> sea_orm::DatabaseTransaction {
    let txn = db.begin().await.unwrap();
    let sql = match txn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "LOCK TABLE messages IN EXCLUSIVE MODE",
        // A write takes SQLite's one write lock until the transaction ends.
        _ => "DELETE FROM messages WHERE id < 0",
    };
    txn.execute_unprepared(sql).await.unwrap();
    txn
}

#[tokio::test]
async fn a_post_answered_503_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--request-timeout", "1s", "--message-burst", "100"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let db = open_db(&dir).await;
    let lock = lock_writes(&db).await;
    let posts = (0..5).map(|i| {
        let (server, cookie) = (&server, &cookie);
        async move {
            let res = client()
                .post(server.url("/api/chat/messages/"))
                .header("cookie", cookie)
                .json(&json!({"content": format!("stuck {i}"), "client_id": format!("stuck-{i}")}))
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    });
    let statuses = join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 503), "{statuses:?}");
    lock.rollback().await.unwrap();
    // Whatever was queued behind the lock must not be stored now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let res = client()
        .get(server.url("/api/chat/messages/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let stored: Vec<Value> = res.json().await.unwrap();
    assert!(stored.is_empty(), "answered 503 but stored: {stored:?}");
    // Retrying each stores it once.
    for i in 0..5 {
        let res = client()
            .post(server.url("/api/chat/messages/"))
            .header("cookie", &cookie)
            .json(&json!({"content": format!("stuck {i}"), "client_id": format!("stuck-{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_client_came_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--trusted-proxies", "127.0.0.0/8"]);
    let sign_up = |name: &'static str, proto: Option<&'static str>| {
        let server = &server;
        async move {
            let mut request = client()
                .post(server.url("/api/auth/register"))
                .json(&json!({"username": name, "password": "correct horse"}));
            if let Some(proto) = proto {
                request = request.header("x-forwarded-proto", proto);
            }
            let res = request.send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .find(|v| v.starts_with("chat98_session="))
                .unwrap()
        }
    };
    assert!(sign_up("viahttps", Some("https"))
        .await
        .contains("; Secure"));
    assert!(!sign_up("viahttp", Some("http")).await.contains("Secure"));
    assert!(!sign_up("direct", None).await.contains("Secure"));

    // A client that is not a trusted proxy cannot ask for it (nor needs to).
    let dir = tempfile::tempdir().unwrap();
    let direct = TestServer::start(&dir, &[]);
    let res = client()
        .post(direct.url("/api/auth/register"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "alice", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(session_cookie(&res).is_some());
}

#[tokio::test]
async fn unknown_api_paths_answer_a_json_404() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    for (method, path) in [
        ("GET", "/api/nope"),
        ("POST", "/api/chat/nope/"),
        ("DELETE", "/api/auth/nothing"),
    ] {
        let res = client()
            .request(method, server.url(path))
            .header("origin", server.origin())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({"detail": "Not found."}));
    }
    // Pages keep their styled 404.
    let res = client().get(server.url("/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
