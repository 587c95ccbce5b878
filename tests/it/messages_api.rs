//! The seed's REST endpoints against the real server: exact shapes, ordering,
//! paging, every validation rule, 401, 429 and recovery, idempotent retries.

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use crate::support::http::Response;
use crate::support::server::{client, open_db, register, TestServer};

const MESSAGES: &str = "/api/chat/messages/";

async fn post(server: &TestServer, cookie: &str, body: Value) -> Response {
    client()
        .post(server.url(MESSAGES))
        .header("cookie", cookie)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn list(server: &TestServer, cookie: &str, query: &str) -> Vec<Value> {
    let res = client()
        .get(server.url(&format!("{MESSAGES}{query}")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "GET {query}");
    res.json().await.unwrap()
}

fn ids(messages: &[Value]) -> Vec<i64> {
    messages.iter().map(|m| m["id"].as_i64().unwrap()).collect()
}

fn is_rfc3339_micros_utc(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 27
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[26] == b'Z'
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[tokio::test]
async fn posting_returns_the_seed_shape_and_the_author_is_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;

    let res = post(
        &server,
        &alice,
        json!({"content": "  hi there  ", "user": {"id": 999, "username": "bob"}, "user_id": 2}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
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
        ],
        "exactly the seed's fields (and edited_at) when no client_id was given"
    );
    assert_eq!(m["user"]["username"], "alice");
    assert_eq!(m["content"], "hi there", "trimmed like the seed serializer");
    let timestamp = m["timestamp"].as_str().unwrap();
    assert!(is_rfc3339_micros_utc(timestamp), "{timestamp}");
    let formatted = m["formatted_timestamp"].as_str().unwrap();
    assert_eq!(formatted, timestamp[..19].replace('T', " "));

    // A form body, and the path without its trailing slash.
    let res = client()
        .post(server.url("/api/chat/messages"))
        .header("cookie", &bob)
        .form(&[("content", "line one\r\nline\ttwo"), ("user_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let second: Value = res.json().await.unwrap();
    assert_eq!(second["user"]["username"], "bob");
    assert_eq!(second["content"], "line one\nline\ttwo");
    assert!(second["id"].as_i64() > m["id"].as_i64());

    let all = list(&server, &alice, "").await;
    assert_eq!(
        ids(&all),
        vec![m["id"].as_i64().unwrap(), second["id"].as_i64().unwrap()]
    );
    assert_eq!(all[0], m, "GET shows exactly what POST answered");
    let res = client()
        .get(server.url("/api/chat/messages"))
        .header("cookie", &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_validation_rule_answers_400_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let alice = register(&server, "alice", "correct horse").await;
    for (body, expected) in validation_cases() {
        let res = post(&server, &alice, body.clone()).await;
        assert_eq!(res.status(), 400, "{body}");
        let got: Value = res.json().await.unwrap();
        assert_eq!(got, expected, "{body}");
    }

    refuses_raw_bodies(&server, &alice).await;

    // The limit counts characters, not bytes.
    let res = post(&server, &alice, json!({"content": "é".repeat(2000)})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        list(&server, &alice, "").await.len(),
        1,
        "only the valid one was stored"
    );

    let res = client()
        .request("PUT", server.url(MESSAGES))
        .header("cookie", &alice)
        .json(&json!({"content": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.headers()["allow"].to_str().unwrap().contains("POST"));
}

/// JSON bodies the validation refuses, with the 400 body each gets.
fn validation_cases() -> Vec<(Value, Value)> {
    let long = "x".repeat(2001);
    vec![
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
            json!({"content": long}),
            json!({"content": ["Ensure this field has no more than 2000 characters."]}),
        ),
        (
            json!({"content": "a\u{0}b"}),
            json!({"content": ["This field may not contain control characters other than newline and tab."]}),
        ),
        (
            json!({"content": "bell\u{7}"}),
            json!({"content": ["This field may not contain control characters other than newline and tab."]}),
        ),
        (
            json!({"content": "ok", "client_id": "x".repeat(65)}),
            json!({"client_id": ["Ensure this field has no more than 64 characters."]}),
        ),
        (
            json!([1, 2]),
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ),
    ]
}

/// Bodies that are not JSON, not UTF-8, too large or of another type: each
/// refused with its status and a JSON `detail`.
async fn refuses_raw_bodies(server: &TestServer, cookie: &str) {
    let raw_cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{\"content\": \"hi".to_vec(), 400),
        (
            "application/json",
            b"{\"content\": \"\xff\xfe\"}".to_vec(),
            400,
        ),
        (
            "application/json",
            b"{\"content\": \"\\ud800\"}".to_vec(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            b"content=%FF%FE".to_vec(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            b"content=\xc3".to_vec(),
            400,
        ),
        ("text/plain", b"hello".to_vec(), 415),
        ("application/json", vec![b' '; 40_000], 413),
    ];
    for (content_type, body, status) in raw_cases {
        let res = client()
            .post(server.url(MESSAGES))
            .header("cookie", cookie)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            status,
            "{content_type} {:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        let got: Value = res.json().await.expect("a JSON error body");
        assert!(
            got["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{got}"
        );
    }
}

#[tokio::test]
async fn without_a_session_the_answer_is_401_detail() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let expected = json!({"detail": "Authentication credentials were not provided."});
    let res = client().get(server.url(MESSAGES)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), expected);
    let res = client()
        .post(server.url(MESSAGES))
        .header("cookie", "chat98_session=forged")
        .json(&json!({"content": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), expected);
}

#[tokio::test]
async fn a_burst_of_ten_then_429_until_the_rate_allows_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;
    for i in 0..10 {
        let res = post(&server, &alice, json!({"content": format!("burst {i}")})).await;
        assert_eq!(res.status(), 201, "message {i} of the burst");
    }
    let res = post(&server, &alice, json!({"content": "one too many"})).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    let body: Value = res.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("too fast"),
        "{body}"
    );
    assert_eq!(body["retry_after"], wait);

    // Others are not affected; nothing was stored for the refused one.
    assert_eq!(
        post(&server, &bob, json!({"content": "bob"}))
            .await
            .status(),
        201
    );
    let contents: Vec<String> = list(&server, &alice, "")
        .await
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    assert!(!contents.contains(&"one too many".to_owned()));

    tokio::time::sleep(Duration::from_secs(wait)).await;
    let res = post(&server, &alice, json!({"content": "after waiting"})).await;
    assert_eq!(
        res.status(),
        201,
        "the sustained rate allows one per second"
    );
    assert_eq!(
        post(&server, &alice, json!({"content": "again"}))
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn the_same_client_id_never_stores_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "2"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;

    let first = post(
        &server,
        &alice,
        json!({"content": "once", "client_id": "abc-1"}),
    )
    .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["client_id"], "abc-1");

    // A retry (even with other content, even as a form) returns the original.
    let again = post(
        &server,
        &alice,
        json!({"content": "changed", "client_id": "abc-1"}),
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let res = client()
        .post(server.url(MESSAGES))
        .header("cookie", &alice)
        .form(&[("content", "once"), ("client_id", "abc-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Use up the burst: a retry is still answered, a new message is not.
    assert_eq!(
        post(&server, &alice, json!({"content": "two"}))
            .await
            .status(),
        201
    );
    assert_eq!(
        post(&server, &alice, json!({"content": "three"}))
            .await
            .status(),
        429
    );
    let retry = post(
        &server,
        &alice,
        json!({"content": "once", "client_id": "abc-1"}),
    )
    .await;
    assert_eq!(
        retry.status(),
        200,
        "a retry stores nothing, so the rate does not apply"
    );

    // Client ids are per sender.
    let theirs = post(
        &server,
        &bob,
        json!({"content": "bob's", "client_id": "abc-1"}),
    )
    .await;
    assert_eq!(theirs.status(), 201);

    let stored = list(&server, &alice, "").await;
    let onces = stored.iter().filter(|m| m["content"] == "once").count();
    assert_eq!(onces, 1);
    assert_eq!(stored.len(), 3);
}

/// Posts arriving together are stored together (one insert per batch): each
/// must still get its own row back, retries must still store once, and
/// identical messages from one sender must each be stored.
#[tokio::test]
async fn many_posts_at_once_are_each_stored_once_and_answered_with_their_own_row() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1000"]);
    let alice = register(&server, "alice", "correct horse").await;
    let bob = register(&server, "bob", "battery staple").await;

    // 20 untagged (ten of them identical, from alice), and ten client ids
    // each sent twice at once (a retry racing the original).
    let mut bodies = Vec::new();
    for i in 0..10 {
        bodies.push((alice.clone(), json!({"content": "same words"})));
        bodies.push((bob.clone(), json!({"content": format!("bob {i}")})));
        let tagged = json!({"content": format!("tagged {i}"), "client_id": format!("t-{i}")});
        bodies.push((alice.clone(), tagged.clone()));
        bodies.push((alice.clone(), tagged));
    }
    let answers = futures::future::join_all(bodies.iter().map(|(cookie, body)| async {
        let res = post(&server, cookie, body.clone()).await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap())
    }))
    .await;

    let mut answered_ids = std::collections::BTreeSet::new();
    for ((cookie, body), (status, answer)) in bodies.iter().zip(&answers) {
        assert_eq!(answer["content"], body["content"], "{answer}");
        let author = if cookie == &alice { "alice" } else { "bob" };
        assert_eq!(answer["user"]["username"], author);
        if body.get("client_id").is_none() {
            assert_eq!(*status, 201);
            assert!(
                answered_ids.insert(answer["id"].as_i64().unwrap()),
                "a row of its own"
            );
        } else {
            assert!(*status == 201 || *status == 200, "{status}");
            answered_ids.insert(answer["id"].as_i64().unwrap());
        }
    }
    for i in 0..10 {
        let pair: Vec<&(u16, Value)> = answers
            .iter()
            .filter(|(_, a)| a["client_id"] == format!("t-{i}"))
            .collect();
        assert_eq!(pair.len(), 2);
        assert_eq!(
            pair[0].1, pair[1].1,
            "both answers name the one stored message"
        );
        let created: Vec<u16> = pair.iter().map(|(s, _)| *s).collect();
        assert!(
            created.contains(&201) && created.contains(&200),
            "{created:?}"
        );
    }
    let stored = list(&server, &alice, "").await;
    assert_eq!(stored.len(), 30, "20 untagged and 10 tagged");
    assert_eq!(
        ids(&stored)
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        answered_ids
    );
}

#[tokio::test]
async fn paging_with_limit_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir, &[]);
    let alice_cookie = register(&server, "alice", "correct horse").await;
    let db = open_db(&dir).await;
    let alice = chat98::server::users::find_by_name(&db, "alice")
        .await
        .unwrap()
        .unwrap();
    let now = Utc::now();
    crate::support::seed::insert(&db, &alice, "expired", now - chrono::Duration::days(4))
        .await
        .unwrap();
    let mut stored = Vec::new();
    for i in 0..620 {
        stored.push(
            crate::support::seed::insert(&db, &alice, &format!("m{i}"), now)
                .await
                .unwrap()
                .id,
        );
    }
    server.restart();

    let newest = list(&server, &alice_cookie, "").await;
    assert_eq!(
        ids(&newest),
        stored[520..].to_vec(),
        "the newest 100, oldest first"
    );
    let page = list(&server, &alice_cookie, "?limit=500").await;
    assert_eq!(ids(&page), stored[120..].to_vec());
    let older = list(&server, &alice_cookie, &format!("?before={}", stored[520])).await;
    assert_eq!(ids(&older), stored[420..520].to_vec());
    let oldest = list(
        &server,
        &alice_cookie,
        &format!("?before={}&limit=30", stored[20]),
    )
    .await;
    assert_eq!(
        ids(&oldest),
        stored[..20].to_vec(),
        "the expired message is never listed"
    );
    let after = list(
        &server,
        &alice_cookie,
        &format!("?after={}&limit=5", stored[10]),
    )
    .await;
    assert_eq!(
        ids(&after),
        stored[11..16].to_vec(),
        "catching up starts right after"
    );
    let between = list(
        &server,
        &alice_cookie,
        &format!("?after={}&before={}", stored[10], stored[14]),
    )
    .await;
    assert_eq!(ids(&between), stored[11..14].to_vec());
    let none = list(&server, &alice_cookie, &format!("?after={}", stored[619])).await;
    assert!(none.is_empty());

    refuses_bad_paging(&server, &alice_cookie).await;
}

/// Paging values out of range or not numbers: 400 naming the field.
async fn refuses_bad_paging(server: &TestServer, cookie: &str) {
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=ten", "limit"),
        ("?before=-5", "before"),
        ("?after=1e3", "after"),
    ] {
        let res = client()
            .get(server.url(&format!("{MESSAGES}{query}")))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
        let body: Value = res.json().await.unwrap();
        assert!(body[field][0].is_string(), "{query}: {body}");
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let res = client()
        .post(server.url(MESSAGES))
        .header("cookie", &alice)
        .header("origin", "http://evil.example")
        .json(&json!({"content": "forged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client()
        .post(server.url(MESSAGES))
        .header("cookie", &alice)
        .header("origin", server.origin())
        .json(&json!({"content": "same site"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let stored = list(&server, &alice, "").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["content"], "same site");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--max-message-chars", "500"]);
    let res = client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let messages = &doc["paths"]["/api/chat/messages/"];
    for method in ["get", "post"] {
        assert!(messages[method]["responses"]["401"].is_object(), "{method}");
    }
    assert!(messages["post"]["responses"]["429"].is_object());
    let params: Vec<&str> = messages["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["limit", "before", "after", "mentions"]);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["NewMessage"]["properties"]["content"]["maxLength"],
        500
    );
    let message_fields = schemas["ChatMessage"]["required"].as_array().unwrap();
    assert_eq!(message_fields.len(), 5, "{message_fields:?}");
    assert!(doc["paths"]["/api/auth/login"]["post"].is_object());
}
