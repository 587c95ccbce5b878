//! Throttles that hold under concurrency, that a stranger cannot turn against
//! an account's owner, and that cost the server nothing to enforce.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{json, Value};

use crate::support::server::{client, register, TestServer};

/// A sign-in (or sign-up) through a trusted proxy that says the client is `from`.
async fn attempt(
    server: &TestServer,
    path: &str,
    name: &str,
    password: &str,
    from: &str,
) -> (u16, Value, Option<String>) {
    let res = client()
        .post(server.url(path))
        .header("x-forwarded-for", from)
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, res.json().await.unwrap_or(Value::Null), retry)
}

async fn login(server: &TestServer, name: &str, password: &str, from: &str) -> u16 {
    attempt(server, "/api/auth/login", name, password, from)
        .await
        .0
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

const BEHIND_PROXY: &[&str] = &["--trusted-proxies", "127.0.0.0/8"];

#[tokio::test]
async fn concurrent_wrong_passwords_cannot_beat_the_sign_in_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    register(&server, "alice", "correct horse").await;
    let guesses = (0..40).map(|i| {
        let server = &server;
        async move {
            let res = client()
                .post(server.url("/api/auth/login"))
                .json(&json!({"username": "alice", "password": format!("guess {i}")}))
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    // Exactly the limit was checked; every other guess was refused before.
    assert_eq!(count(&statuses, 401), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 35, "{statuses:?}");
}

#[tokio::test]
async fn concurrent_sign_ups_cannot_beat_the_registration_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let sign_ups = (0..30).map(|i| {
        let server = &server;
        async move {
            let res = client()
                .post(server.url("/api/auth/register"))
                .json(&json!({"username": format!("user{i}"), "password": "correct horse"}))
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    });
    let statuses = join_all(sign_ups).await;
    assert_eq!(count(&statuses, 200), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 25, "{statuses:?}");
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, BEHIND_PROXY);
    register(&server, "alice", "correct horse").await;
    for _ in 0..5 {
        assert_eq!(login(&server, "alice", "wrong", "203.0.113.66").await, 401);
    }
    // The stranger's address is locked out of alice's account...
    let (status, body, retry) = attempt(
        &server,
        "/api/auth/login",
        "alice",
        "correct horse",
        "203.0.113.66",
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "throttled");
    assert!(retry.is_some());
    // ...the owner, elsewhere, is not.
    assert_eq!(
        login(&server, "alice", "correct horse", "198.51.100.7").await,
        200
    );
}

#[tokio::test]
async fn one_address_cannot_try_many_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = BEHIND_PROXY.to_vec();
    args.extend(["--login-max-failures-per-address", "3"]);
    let server = TestServer::start(&dir, &args);
    register(&server, "alice", "correct horse").await;
    for name in ["bob", "carol", "dave"] {
        assert_eq!(login(&server, name, "guess", "203.0.113.9").await, 401);
    }
    // A fourth name from the same address: refused before any check.
    assert_eq!(login(&server, "erin", "guess", "203.0.113.9").await, 429);
    assert_eq!(
        login(&server, "alice", "correct horse", "203.0.113.9").await,
        429
    );
    // Other addresses are not held up.
    assert_eq!(
        login(&server, "alice", "correct horse", "203.0.113.10").await,
        200
    );
}

#[tokio::test]
async fn a_guess_spread_over_addresses_is_slowed_per_username() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = BEHIND_PROXY.to_vec();
    args.extend([
        "--login-max-failures-per-username",
        "4",
        "--throttle-window",
        "4s",
    ]);
    let server = TestServer::start(&dir, &args);
    register(&server, "alice", "correct horse").await;
    for i in 0..4 {
        assert_eq!(
            login(&server, "alice", "guess", &format!("203.0.113.{i}")).await,
            401
        );
    }
    assert_eq!(login(&server, "alice", "guess", "203.0.113.50").await, 429);
    // The allowance comes back (one per window / limit = 1 s).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        login(&server, "alice", "correct horse", "203.0.113.51").await,
        200
    );
}

#[tokio::test]
async fn taken_names_cost_a_registration_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--register-max", "3"]);
    register(&server, "alice", "correct horse").await;
    for _ in 0..2 {
        let (status, body, _) =
            attempt(&server, "/api/auth/register", "alice", "correct horse", "").await;
        assert_eq!(status, 409, "{body}");
    }
    // Listing names costs attempts like any sign-up.
    let (status, _, retry) =
        attempt(&server, "/api/auth/register", "alice", "correct horse", "").await;
    assert_eq!(status, 429);
    assert!(retry.is_some());
}

/// A sign-in sent as a plain form (a JSON body is capped at 16 KiB before);
/// `None` when the server closed before answering (a refused large body).
async fn try_login_form(server: &TestServer, name: &str) -> Option<u16> {
    let res = client()
        .post(server.url("/api/auth/login"))
        .form(&[("username", name), ("password", "guess")])
        .send()
        .await
        .ok()?;
    Some(res.status().as_u16())
}

async fn login_form(server: &TestServer, name: &str) -> u16 {
    try_login_form(server, name).await.expect("an answer")
}

#[tokio::test]
async fn usernames_too_long_to_exist_touch_no_hash_and_no_throttle() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--login-max-failures-per-address", "2"]);
    // Beyond any body the server takes: refused before it is read (413, or
    // the connection closed under the rest of the body).
    let huge = try_login_form(&server, &"a".repeat(100_000)).await;
    assert!(matches!(huge, None | Some(413)), "{huge:?}");
    let long = "a".repeat(10_000);
    let started = Instant::now();
    for _ in 0..10 {
        assert_eq!(login_form(&server, &long).await, 401);
    }
    // No hash: ten of them take far less than one argon2 check each.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // And they counted against nothing: two real failures still fit.
    assert_eq!(login(&server, "alice", "guess", "").await, 401);
    assert_eq!(login(&server, "bob", "guess", "").await, 401);
    assert_eq!(login(&server, "carol", "guess", "").await, 429);
}

#[tokio::test]
async fn password_checks_beyond_the_ceiling_get_503_and_count_for_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = BEHIND_PROXY.to_vec();
    args.extend(["--hash-concurrency", "1", "--hash-wait", "1ms"]);
    let server = TestServer::start(&dir, &args);
    register(&server, "alice", "correct horse").await;
    let checks = (0..20).map(|i| {
        let server = &server;
        async move {
            attempt(
                server,
                "/api/auth/login",
                "alice",
                "guess",
                &format!("203.0.113.{i}"),
            )
            .await
        }
    });
    let answers = join_all(checks).await;
    let busy: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 503).collect();
    assert!(
        !busy.is_empty(),
        "one check at a time: some must wait too long"
    );
    for (_, body, retry) in &busy {
        assert_eq!(body["code"], "busy");
        assert_eq!(retry.as_deref(), Some("1"));
    }
    assert!(answers.iter().all(|(s, _, _)| *s == 401 || *s == 503));
    // A 503 was no attempt: the busy addresses can still fail five times.
    let busy_address = answers
        .iter()
        .position(|(s, _, _)| *s == 503)
        .map(|i| format!("203.0.113.{i}"))
        .unwrap();
    let mut refused = 0;
    for _ in 0..5 {
        match login(&server, "alice", "guess", &busy_address).await {
            401 | 503 => {}
            429 => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(refused, 0);
}
