//! Two processes behind a balancer, on PostgreSQL and Redis: a sign-out ends
//! the session's sockets on both, every allowance is one allowance for the
//! whole room, and whoever writes to Redis cannot make a process show
//! anything storage does not hold, nor stop it delivering.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::scale_out::{post_rest, Cluster};
use crate::session_ending::slow_post;
use crate::support::redis::{redis_url, OwnRedis};
use crate::support::server::{client, logout, me, register, TestServer};
use crate::support::ws::connect;

async fn login_from(server: &TestServer, name: &str, password: &str, from: &str) -> u16 {
    client()
        .post(server.url("/api/auth/login"))
        .header("x-forwarded-for", from)
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_on_one_process_ends_the_session_on_every_process() {
    let Some(redis) = redis_url() else { return };
    let Some(cluster) = Cluster::start("signout", &redis, &[]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let cookie = register(a, "alice", "correct horse").await;
    let mut on_a = connect(a, &cookie, true, "").await;
    on_a.next_of("presence").await;
    let signed_out = Instant::now();
    logout(b, &cookie).await;
    assert_eq!(on_a.close_code().await, Some(4001));
    // Through the fan-out, not the periodic look-up (every 5 s).
    assert!(
        signed_out.elapsed() < Duration::from_secs(3),
        "{:?}",
        signed_out.elapsed()
    );
    assert_eq!(me(a, &cookie).await, 401);
    assert_eq!(me(b, &cookie).await, 401);

    // A post under way on A while B signs out cannot bring the session back.
    let cookie = register(a, "bob", "correct horse").await;
    slow_post(a, &cookie, async { logout(b, &cookie).await }).await;
    assert_eq!(me(a, &cookie).await, 401);
    assert_eq!(me(b, &cookie).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_shared_between_processes() {
    let Some(redis) = redis_url() else { return };
    let args = [
        "--trusted-proxies",
        "127.0.0.0/8",
        "--login-max-failures",
        "4",
        "--register-max",
        "3",
        "--message-burst",
        "4",
        "--message-interval",
        "60s",
    ];
    let Some(cluster) = Cluster::start("limits", &redis, &args) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;

    // Sign-in failures: four in all, whichever process saw them.
    for server in [a, b, a, b] {
        assert_eq!(
            login_from(server, "alice", "guess", "203.0.113.5").await,
            401
        );
    }
    assert_eq!(
        login_from(a, "alice", "correct horse", "203.0.113.5").await,
        429
    );
    assert_eq!(
        login_from(b, "alice", "correct horse", "203.0.113.5").await,
        429
    );

    // Sign-ups: three per address in all (alice's was the first).
    register(b, "bob", "correct horse").await;
    register(a, "carol", "correct horse").await;
    let res = client()
        .post(b.url("/api/auth/register"))
        .json(&json!({"username": "dave", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);

    // Messages: a burst of four in all.
    for (i, server) in [a, b, a, b].into_iter().enumerate() {
        post_rest(server, &alice, &format!("m{i}")).await;
    }
    for server in [a, b] {
        let res = client()
            .post(server.url("/api/chat/messages/"))
            .header("cookie", &alice)
            .json(&json!({"content": "one too many"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_sockets_are_counted_across_processes() {
    let Some(redis) = redis_url() else { return };
    let Some(cluster) = Cluster::start("typing", &redis, &["--max-sockets-per-user", "2"]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "correct horse").await;
    let mut observer = connect(a, &bob, true, "").await;
    observer.next_of("presence").await;
    let mut on_a = connect(a, &alice, true, "").await;
    let mut on_b = connect(b, &alice, true, "").await;
    on_a.next_of("presence").await;
    on_b.next_of("presence").await;
    observer
        .frames_within("joined", Duration::from_millis(500))
        .await;
    on_a.send_json(json!({"type": "typing"})).await;
    on_b.send_json(json!({"type": "typing"})).await;
    let heard = observer
        .frames_within("typing", Duration::from_millis(1500))
        .await;
    assert_eq!(heard.len(), 1, "{heard:?}");

    // Alice holds two sockets, one on each process: a third is refused on
    // either once the processes have told each other (presence refresh).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let third = crate::support::ws::open(
            b,
            crate::support::ws::Open {
                cookie: Some(&alice),
                origin: Some(b.origin()),
                v2: true,
                query: "",
            },
        )
        .await;
        match third {
            Err(429) => break,
            Ok(socket) => drop(socket),
            Err(other) => panic!("handshake answered {other}"),
        }
        assert!(
            Instant::now() < deadline,
            "the cap never counted the other process"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Publishes `notice` on the cluster's channel, as anyone with access to Redis could.
async fn publish(redis: &str, prefix: &str, notice: &Value) {
    let client = redis::Client::open(redis).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("PUBLISH")
        .arg(format!("{prefix}:events"))
        .arg(notice.to_string())
        .query_async(&mut connection)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_writes_to_redis_cannot_put_words_in_a_users_mouth_or_stop_delivery() {
    let Some(redis) = redis_url() else { return };
    let Some(cluster) = Cluster::start("forged", &redis, &[]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "correct horse").await;
    let mut on_a = connect(a, &alice, true, "").await;
    let mut on_b = connect(b, &bob, true, "").await;
    on_a.next_of("presence").await;
    on_b.next_of("presence").await;

    let forged_message = json!({"id": 1, "user": {"id": 1, "username": "alice"},
        "content": "I owe mallory money", "timestamp": "2026-11-25T00:00:00.000000Z",
        "formatted_timestamp": "2026-11-25 00:00:00"});
    for notice in [
        json!({"origin": "evil", "type": "message", "id": 9_000_000_000_000_000_000_i64}),
        json!({"origin": "evil", "type": "message", "message": forged_message, "previous": 0}),
        json!({"origin": "evil", "type": "typing", "user": 424242}),
        json!({"origin": "evil", "type": "typing", "user": {"id": 1, "username": "mallory"}}),
    ] {
        publish(&redis, &cluster.prefix, &notice).await;
    }
    for socket in [&mut on_a, &mut on_b] {
        while let Some(frame) = socket.quiet_for(Duration::from_millis(700)).await {
            assert!(
                !matches!(frame["type"].as_str(), Some("message" | "typing")),
                "{frame}"
            );
        }
    }
    // Delivery goes on, on both processes, from both processes.
    let first = post_rest(a, &alice, "real, through A").await;
    let second = post_rest(b, &bob, "real, through B").await;
    for socket in [&mut on_a, &mut on_b] {
        let got: Vec<i64> = vec![
            socket.next_of("message").await["message"]["id"]
                .as_i64()
                .unwrap(),
            socket.next_of("message").await["message"]["id"]
                .as_i64()
                .unwrap(),
        ];
        assert_eq!(got, [first, second]);
    }
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with openssl:
/// (ca.pem, cert.pem, key.pem) in `dir`.
fn certificates(dir: &std::path::Path) -> (String, String, String) {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let status = std::process::Command::new("openssl")
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    let (ca, ca_key, cert, key, csr, ext) = (
        path("ca.pem"),
        path("ca.key"),
        path("cert.pem"),
        path("key.pem"),
        path("cert.csr"),
        path("ext.cnf"),
    );
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &ca_key,
        "-out",
        &ca,
        "-days",
        "2",
        "-subj",
        "/CN=chat98 test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &csr,
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &cert,
        "-days",
        "2",
        "-extfile",
        &ext,
    ]);
    (ca, cert, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_with_a_password_over_tls_carries_the_fan_out() {
    if redis_url().is_none() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(certs.path());
    let own = OwnRedis::start_with(
        &[
            "--requirepass",
            "s3cret pass",
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            "no",
        ],
        true,
    );
    let url = format!("rediss://:s3cret%20pass@127.0.0.1:{}", own.port);
    // The processes trust the test's CA (rustls reads SSL_CERT_FILE).
    let Some(cluster) = Cluster::start_with_env("tls", &url, &[], &[("SSL_CERT_FILE", &ca)]) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", "correct horse").await;
    let bob = register(b, "bob", "correct horse").await;
    let mut on_b = connect(b, &bob, true, "").await;
    on_b.next_of("presence").await;
    let id = post_rest(a, &alice, "over TLS").await;
    assert_eq!(
        on_b.next_of("message").await["message"]["id"].as_i64(),
        Some(id)
    );

    // The wrong password is refused: the processes report Redis unavailable.
    let wrong = format!("rediss://:wrong@127.0.0.1:{}", own.port);
    let Some(refused) = Cluster::start_with_env("tlswrong", &wrong, &[], &[("SSL_CERT_FILE", &ca)])
    else {
        return;
    };
    let body = crate::scale_out::await_readiness(&refused.a, 503).await;
    assert_eq!(body["redis"], "unavailable");
}
