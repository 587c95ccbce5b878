//! What operators and load balancers rely on: /healthz, /readyz, /metrics,
//! compressed answers, cache headers for built assets, and a clear 503 (with
//! nothing half-written) while the database is away.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::databases::{postgres_schema_url, postgres_url};
use crate::support::server::{client, metrics, register, TestServer};
use crate::support::tcp_proxy::TcpProxy;
use crate::support::ws::connect;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);

    let res = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    let res = client().get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status": "ready", "database": "ok", "redis": "not configured"})
    );

    let alice = register(&server, "alice", "correct horse").await;
    let mut socket = connect(&server, &alice, true, "").await;
    socket.next_of("presence").await;
    let res = client()
        .post(server.url("/api/chat/messages/"))
        .header("cookie", &alice)
        .json(&json!({"content": "counted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    socket.next_of("message").await;

    // Some counts land a moment after what the test can see (a delivery once
    // the frame is written, the sweep that runs at start): poll briefly until
    // every line is there, then check each.
    let expected = [
        "chat98_websocket_connections 1\n",
        "chat98_online_users 1\n",
        "chat98_messages_stored_total 1\n",
        "chat98_messages_delivered_total 1\n",
        "chat98_delivery_latency_seconds_count 1\n",
        "chat98_sweeps_total 1\n",
        "chat98_expired_messages_deleted_total 0\n",
        "chat98_http_requests_total{route=\"/api/chat/messages/\",method=\"POST\",status=\"201\"} 1\n",
        "chat98_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1\n",
        "chat98_http_request_duration_seconds_count{route=\"/api/chat/messages/\",method=\"POST\"} 1\n",
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let res = client().get(server.url("/metrics")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"));
        let text = res.text().await.unwrap();
        if expected.iter().all(|line| text.contains(line)) || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for line in expected {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    // Unknown paths share one series instead of one each.
    client()
        .get(server.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    let text = metrics(&server).await;
    assert!(
        text.contains("route=\"other\",method=\"GET\",status=\"404\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains("/no/such/page"));
}

#[tokio::test]
async fn answers_are_compressed_and_built_assets_cached() {
    let dir = tempfile::tempdir().unwrap();
    // The server's site root is `dir`: give it a plain and a hashed asset.
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let css = "body { color: black; }\n".repeat(200);
    std::fs::write(pkg.join("chat98.css"), &css).unwrap();
    std::fs::write(pkg.join("chat98.Wm9fQ2xqaW5fUmVhbGx5.css"), &css).unwrap();
    let server = TestServer::start(&dir, &[]);

    for encoding in ["br", "gzip"] {
        let res = client()
            .get(server.url("/login"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], encoding);
    }
    let plain = client().get(server.url("/login")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.unwrap().contains("<form"));

    let res = client()
        .get(server.url("/pkg/chat98.Wm9fQ2xqaW5fUmVhbGx5.css"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-encoding"], "br");
    let body_len = res.text().await.map(|t| t.len()).unwrap_or_default();
    assert!(
        body_len < css.len() / 4,
        "compressed to {body_len} of {}",
        css.len()
    );
    let res = client()
        .get(server.url("/pkg/chat98.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.text().await.unwrap(), css);
}

async fn get_status(server: &TestServer, path: &str, cookie: &str) -> (u16, Value) {
    let res = client()
        .get(server.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post_status(server: &TestServer, cookie: &str, content: &str) -> (u16, Value) {
    let res = client()
        .post(server.url("/api/chat/messages/"))
        .header("cookie", cookie)
        .json(&json!({ "content": content }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A PostgreSQL database in a schema named `name`, reached through a proxy
/// the test can cut or stall.
async fn postgres_behind_proxy(base: &str, name: &str) -> (TcpProxy, String) {
    let (user, rest) = base
        .strip_prefix("postgres://")
        .and_then(|r| r.split_once('@'))
        .expect("TEST_DATABASE_URL like postgres://user@host:port/db");
    let (addr, db) = rest.split_once('/').expect("a database name");
    let proxy = TcpProxy::start(addr.to_owned()).await;
    let through = format!("postgres://{user}@127.0.0.1:{}/{db}", proxy.port);
    let schema = format!("chat98_it_{}_ops_{name}", std::process::id());
    let database = postgres_schema_url(&through, &schema);
    (proxy, database)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_database_gets_a_503_within_the_request_timeout() {
    let Some(base) = postgres_url() else { return };
    let (proxy, database) = postgres_behind_proxy(&base, "stuck").await;
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(&database, &dir, &["--request-timeout", "1s"]);
    let alice = register(&server, "alice", "correct horse").await;

    proxy.stall();
    let (status, body) = get_status(&server, "/api/chat/messages/", &alice).await;
    // Answered by the request timeout (1 s), not by the pool giving up (5 s).
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["detail"],
        "The server took too long to answer. Please try again in a moment."
    );
    proxy.restore();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_outage_answers_503_and_service_resumes_by_itself() {
    let Some(base) = postgres_url() else { return };
    // The server reaches PostgreSQL through a proxy the test can cut.
    let (proxy, database) = postgres_behind_proxy(&base, "outage").await;
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(&database, &dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let stored_before = get_status(&server, "/api/chat/messages/", &alice).await;
    assert_eq!(stored_before.0, 200);

    proxy.cut();
    let (status, body) = get_status(&server, "/readyz", "").await;
    assert_eq!(status, 503);
    assert_eq!(body["database"], "unavailable", "{body}");
    // Reads are answered from memory meanwhile: the newest messages, the
    // signed-in user and the session are all kept there.
    let (status, body) = get_status(&server, "/api/chat/messages/", &alice).await;
    assert_eq!((status, &body), (200, &stored_before.1));
    let page = client()
        .get(server.url("/chat"))
        .header("cookie", &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    // Writing needs the database: a clear 503.
    let (status, body) = post_status(&server, &alice, "written while the database is away").await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("unavailable"),
        "{body}"
    );

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(30);
    let stored = loop {
        let (status, body) = post_status(&server, &alice, "after the outage").await;
        if status == 201 {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Nothing from the outage was half-written.
    let (status, body) = get_status(&server, "/api/chat/messages/", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!([stored]));
    assert_eq!(get_status(&server, "/readyz", "").await.0, 200);
}
