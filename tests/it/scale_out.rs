//! Several chat98 processes sharing PostgreSQL and Redis, as behind a load
//! balancer: messages, presence and typing reach every process's sockets in
//! id order and once, also across a Redis outage.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::databases::{postgres_schema_url, postgres_url};
use crate::support::redis::{redis_url, unique_prefix, OwnRedis};
use crate::support::server::{client, post_message, register, stored_ids, TestServer};
use crate::support::ws::{connect, Socket};

/// How long a process may take to notice Redis leaving or coming back.
const PATIENCE: Duration = Duration::from_secs(30);

/// Processes `a` and `b` on one fresh PostgreSQL schema and one Redis.
pub struct Cluster {
    pub a: TestServer,
    pub b: TestServer,
    /// The prefix of their Redis channel and keys.
    pub prefix: String,
    _dirs: (TempDir, TempDir),
}

impl Cluster {
    /// `None` (the test is skipped) without `TEST_DATABASE_URL`.
    pub fn start(test: &str, redis: &str, extra: &[&str]) -> Option<Cluster> {
        Cluster::start_with_env(test, redis, extra, &[])
    }

    pub fn start_with_env(
        test: &str,
        redis: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Option<Cluster> {
        let base = postgres_url()?;
        // "cl_": the other modules name their schemas after their tests too.
        let schema = format!("chat98_it_{}_cl_{}", std::process::id(), test);
        let database = postgres_schema_url(&base, &schema);
        let prefix = unique_prefix(test);
        let mut args = vec!["--redis-url", redis, "--redis-prefix", &prefix];
        if !extra.contains(&"--message-burst") {
            args.extend(["--message-burst", "1000"]);
        }
        args.extend_from_slice(extra);
        let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = TestServer::start_with_env(&database, &dirs.0, &args, env);
        let b = TestServer::start_with_env(&database, &dirs.1, &args, env);
        Some(Cluster {
            a,
            b,
            prefix,
            _dirs: dirs,
        })
    }

    /// Waits until both processes answer ready (subscribed to Redis).
    pub async fn ready(&self) {
        await_readiness(&self.a, 200).await;
        await_readiness(&self.b, 200).await;
    }
}

async fn readiness(server: &TestServer) -> (u16, Value) {
    let res = client().get(server.url("/readyz")).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Waits until `/readyz` answers `status`; returns its body.
pub async fn await_readiness(server: &TestServer, status: u16) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (now, body) = readiness(server).await;
        if now == status {
            return body;
        }
        assert!(Instant::now() < deadline, "readyz stayed {now}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Posts over REST and returns the stored message's id.
pub async fn post_rest(server: &TestServer, cookie: &str, content: &str) -> i64 {
    let res = post_message(server, cookie, content).await;
    assert_eq!(res.status(), 201, "posting {content:?}");
    let body: Value = res.json().await.unwrap();
    body["id"].as_i64().unwrap()
}

/// Message ids from `socket` until `last` arrives (other frames skipped).
async fn ids_through(socket: &mut Socket, last: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    loop {
        let frame = socket.next_of("message").await;
        let id = frame["message"]["id"].as_i64().unwrap();
        ids.push(id);
        if id == last {
            return ids;
        }
    }
}

/// No message frame arrives for a while (presence and typing may).
async fn no_more_messages(socket: &mut Socket) {
    while let Some(frame) = socket.quiet_for(Duration::from_millis(700)).await {
        assert_ne!(frame["type"], "message", "an extra message: {frame}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_posted_to_any_process_reach_every_process_in_order_once() {
    let Some(redis) = redis_url() else { return };
    let Some(cluster) = Cluster::start("order", &redis, &[]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "battery staple").await;
    let mut alice_on_a = connect(a, &alice, true, "").await;
    let mut bob_on_b = connect(b, &bob, true, "").await;
    let mut bob_sender_on_b = connect(b, &bob, true, "").await;
    alice_on_a.next_of("presence").await;
    bob_on_b.next_of("presence").await;
    bob_sender_on_b.next_of("presence").await;

    // Alice posts over REST to A while Bob sends over the websocket to B.
    const EACH: usize = 25;
    let a_url = a.url("/api/chat/messages/");
    let rest = tokio::spawn(async move {
        for i in 0..EACH {
            let res = client()
                .post(a_url.clone())
                .header("cookie", &alice)
                .json(&json!({ "content": format!("rest {i}") }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
        alice
    });
    for i in 0..EACH {
        bob_sender_on_b
            .send_json(json!({"type": "message", "content": format!("ws {i}"), "client_id": format!("b{i}")}))
            .await;
    }
    for _ in 0..EACH {
        bob_sender_on_b.next_of("ack").await;
    }
    let alice = rest.await.unwrap();

    let stored = stored_ids(b, &bob).await;
    assert_eq!(stored.len(), 2 * EACH);
    assert_eq!(stored, stored_ids(a, &alice).await);
    let last = *stored.last().unwrap();
    assert_eq!(ids_through(&mut alice_on_a, last).await, stored, "on A");
    assert_eq!(ids_through(&mut bob_on_b, last).await, stored, "on B");
    no_more_messages(&mut alice_on_a).await;
    no_more_messages(&mut bob_on_b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_typing_span_processes_and_a_crashed_process_drops_out() {
    let Some(redis) = redis_url() else { return };
    let Some(mut cluster) = Cluster::start("presence", &redis, &["--presence-ttl", "3s"]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "battery staple").await;
    let carol = register(a, "carol", "purple monkey").await;

    let mut bob_on_b = connect(b, &bob, true, "").await;
    bob_on_b.next_of("presence").await;
    let mut alice_on_a = connect(a, &alice, true, "").await;
    let joined = bob_on_b.next_of("joined").await;
    assert_eq!(joined["user"]["username"], "alice");

    // A second tab of Alice's on the other process: still one Alice.
    let mut alice_on_b = connect(b, &alice, true, "").await;
    let listed = alice_on_b.next_of("presence").await;
    let names: Vec<&str> = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob"]);

    // Typing on A reaches B, not the typist's own tabs.
    alice_on_a.send_json(json!({"type": "typing"})).await;
    let typing = bob_on_b.next_of("typing").await;
    assert_eq!(typing["user"]["username"], "alice");

    // Alice leaves the room only when her last tab, on either process, closes.
    drop(alice_on_a);
    drop(alice_on_b);
    let left = bob_on_b.next_of("left").await;
    assert_eq!(left["user"]["username"], "alice");

    // A process that dies without a goodbye stops counting its users once
    // its presence expires (3 s here).
    let _carol_on_a = connect(&cluster.a, &carol, true, "").await;
    let joined = bob_on_b.next_of("joined").await;
    assert_eq!(joined["user"]["username"], "carol");
    cluster.a.crash();
    let left = bob_on_b.next_of("left").await;
    assert_eq!(left["user"]["username"], "carol");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_keeps_local_delivery_and_loses_no_message() {
    if redis_url().is_none() {
        return;
    }
    let mut own = OwnRedis::start();
    let Some(cluster) = Cluster::start("outage", &own.url(), &[]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "battery staple").await;
    let mut on_a = connect(a, &alice, true, "").await;
    let mut on_b = connect(b, &bob, true, "").await;

    let first = post_rest(a, &alice, "before the outage").await;
    assert_eq!(ids_through(&mut on_b, first).await, [first]);
    assert_eq!(ids_through(&mut on_a, first).await, [first]);

    own.stop();
    let body = await_readiness(a, 503).await;
    assert_eq!(body["redis"], "unavailable", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    await_readiness(b, 503).await;

    // Each process keeps delivering its own messages at once.
    let during_a = post_rest(a, &alice, "during, on A").await;
    let seen_on_a = ids_through(&mut on_a, during_a).await;
    assert_eq!(seen_on_a, [during_a]);
    let during_b = post_rest(b, &bob, "during, on B").await;
    // B publishes A's message (read from storage) before its own.
    assert_eq!(ids_through(&mut on_b, during_b).await, [during_a, during_b]);

    own.resume();
    cluster.ready().await;
    let after = post_rest(b, &bob, "after the outage").await;

    let stored = stored_ids(a, &alice).await;
    assert_eq!(stored, [first, during_a, during_b, after]);
    let mut rest_on_a = ids_through(&mut on_a, after).await;
    rest_on_a.insert(0, during_a);
    assert_eq!(rest_on_a, stored[1..]);
    assert_eq!(ids_through(&mut on_b, after).await, [after]);
    no_more_messages(&mut on_a).await;
    no_more_messages(&mut on_b).await;
}
