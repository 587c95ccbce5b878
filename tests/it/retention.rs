//! Retention end to end against the real binary: an expired message leaves
//! every read path the moment it expires, then the database at the next sweep;
//! `chat98 clean-old-messages` sweeps once from the command line.

use std::process::{Command, Output};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{json, Value};

use crate::support::server::{chat_page, client, database_url, open_db, register, TestServer};
use chat98::server::entities::message;
use chat98::server::users;

const MESSAGES: &str = "/api/chat/messages/";

/// Posts `content` over REST and returns its id and the time it was stored.
async fn post(server: &TestServer, cookie: &str, content: &str) -> (i64, DateTime<Utc>) {
    let res = client()
        .post(server.url(MESSAGES))
        .header("cookie", cookie)
        .json(&json!({ "content": content }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    let stored = DateTime::parse_from_rfc3339(m["timestamp"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    (m["id"].as_i64().unwrap(), stored)
}

/// Whether GET /api/chat/messages/ and the /chat page show `content`.
async fn shown(server: &TestServer, cookie: &str, content: &str) -> (bool, bool) {
    let res = client()
        .get(server.url(MESSAGES))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let listed: Vec<Value> = res.json().await.unwrap();
    let in_api = listed.iter().any(|m| m["content"] == content);
    let in_page = chat_page(server, cookie).await.contains(content);
    (in_api, in_page)
}

async fn stored(db: &DatabaseConnection, id: i64) -> bool {
    message::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .is_some()
}

/// Sleeps until just after `instant` (the server and the test share the clock).
async fn sleep_until(instant: DateTime<Utc>) {
    let wait = (instant - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
}

#[tokio::test]
async fn an_expired_message_leaves_every_read_path_then_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--retention", "3s", "--sweep-interval", "1s"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let db = open_db(&dir).await;

    let (id, at) = post(&server, &cookie, "this will vanish").await;
    assert_eq!(
        shown(&server, &cookie, "this will vanish").await,
        (true, true)
    );
    assert!(stored(&db, id).await);

    // Reads compute the cutoff per request, so the message is hidden from the
    // first request after it expires, whenever the next sweep comes.
    sleep_until(at + chrono::Duration::seconds(3)).await;
    assert_eq!(
        shown(&server, &cookie, "this will vanish").await,
        (false, false)
    );

    // The next sweep, at most a second later, removes the row.
    let deadline = at + chrono::Duration::seconds(8);
    while stored(&db, id).await {
        assert!(
            Utc::now() < deadline,
            "message {id} still stored at {deadline}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The account is not a message: alice can still sign in and post.
    let (later, _) = post(&server, &cookie, "still here").await;
    assert!(later > id);
}

#[tokio::test]
async fn expired_messages_are_hidden_even_between_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    // One sweep at start, the next in an hour: only the reads can hide it.
    let server = TestServer::start(&dir, &["--retention", "3s", "--sweep-interval", "1h"]);
    let cookie = register(&server, "alice", "correct horse").await;
    let db = open_db(&dir).await;

    let (id, at) = post(&server, &cookie, "unswept but expired").await;
    assert_eq!(
        shown(&server, &cookie, "unswept but expired").await,
        (true, true)
    );
    sleep_until(at + chrono::Duration::seconds(3)).await;
    assert_eq!(
        shown(&server, &cookie, "unswept but expired").await,
        (false, false)
    );
    assert!(stored(&db, id).await, "the row waits for the next sweep");
}

/// Runs `chat98 clean-old-messages` with `args` on the database in `dir`,
/// isolated from the project's Leptos.toml and the caller's environment.
fn clean_old_messages(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chat98"))
        .arg("clean-old-messages")
        .args(["--database-url", &database_url(dir)])
        .args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("CHAT_RETENTION")
        .env_remove("CHAT98_CONFIG")
        .output()
        .expect("run chat98 clean-old-messages")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn clean_old_messages_deletes_what_has_expired_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_db(&dir).await;
    let alice = users::create(&db, "alice", "x").await.unwrap();
    let now = Utc::now();
    for i in 0..7 {
        let at = now - chrono::Duration::days(3) - chrono::Duration::minutes(i + 1);
        crate::support::seed::insert(&db, &alice, &format!("old {i}"), at)
            .await
            .unwrap();
    }
    for i in 0..4 {
        crate::support::seed::insert(&db, &alice, &format!("new {i}"), now)
            .await
            .unwrap();
    }

    let dry = clean_old_messages(&dir, &["--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    assert_eq!(stdout(&dry), "Would delete 7 old messages\n");
    assert_eq!(message::Entity::find().count(&db).await.unwrap(), 11);

    let run = clean_old_messages(&dir, &[]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(stdout(&run), "Successfully deleted 7 old messages\n");
    let left: Vec<String> = message::Entity::find()
        .order_by_asc(message::Column::Id)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(left, ["new 0", "new 1", "new 2", "new 3"]);

    let again = clean_old_messages(&dir, &[]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(stdout(&again), "Successfully deleted 0 old messages\n");

    // The configured retention applies: with one second, the rest are old too.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let short = clean_old_messages(&dir, &["--retention", "1s"]);
    assert_eq!(stdout(&short), "Successfully deleted 4 old messages\n");
    assert!(users::find_by_name(&db, "alice").await.unwrap().is_some());
}

#[test]
fn clean_old_messages_fails_with_a_message_and_a_nonzero_exit() {
    let output = Command::new(env!("CARGO_BIN_EXE_chat98"))
        .arg("clean-old-messages")
        // A folder that cannot be created: the database cannot be opened.
        .args(["--data-dir", "/proc/chat98-cannot-be-here"])
        .env_remove("DATABASE_URL")
        .env_remove("CHAT98_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run chat98 clean-old-messages");
    assert!(!output.status.success());
    assert_eq!(stdout(&output), "", "nothing on stdout but the answer");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot create data directory"),
        "stderr: {stderr}"
    );
}
