//! Moderation against the real server and the real command line: roles
//! granted by the operator (`chat98 users ...`), moderators deleting anyone's
//! message, bans over REST and from the command line (sessions end, sockets
//! close with 4003, sign-in is refused with the sentence, an expired ban
//! lifts itself), who may sign up, and all of it across two processes
//! sharing PostgreSQL and Redis.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use tempfile::TempDir;

use chat98::server::entities::session;
use chat98::types::banned_sentence;

use crate::editing::{changes, delete, edit, patch, sleep_until, utc};
use crate::scale_out::{post_rest, Cluster};
use crate::support::redis::redis_url;
use crate::support::server::{
    answer, chat_page, client, metrics, open_db, register, session_cookie, sign_in, stored_ids,
    whoami, TestServer,
};
use crate::support::ws::{connect, open, Open, Socket};

const BANS: &str = "/api/moderation/bans/";
const PASSWORD: &str = "correct horse";
/// Room for every sign-up a test makes (5 per address by default).
const ROOMY: &[&str] = &["--register-max", "100"];
/// How long a change made from the command line may take to reach a running
/// server (about 5 s is promised).
const NOTICE: Duration = Duration::from_secs(10);

/// Waits until `GET /api/auth/me` with `cookie` shows `role`.
async fn await_role(server: &TestServer, cookie: &str, role: &str) {
    let started = Instant::now();
    loop {
        let (status, me) = whoami(server, cookie).await;
        assert_eq!(status, 200, "{me}");
        if me["role"] == role {
            return;
        }
        assert!(
            started.elapsed() < NOTICE,
            "still {me} {:?} after the command",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `chat98 users grant-moderator NAME` on the server's database, then waits
/// until the server knows (`cookie` is the user's).
async fn grant(server: &TestServer, name: &str, cookie: &str) {
    let ran = server.run_command(&["users", "grant-moderator", name]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    await_role(server, cookie, "moderator").await;
}

async fn user_id(server: &TestServer, cookie: &str) -> i64 {
    let (status, me) = whoami(server, cookie).await;
    assert_eq!(status, 200, "{me}");
    me["id"].as_i64().unwrap()
}

async fn ban(server: &TestServer, cookie: &str, body: Value) -> (u16, Value) {
    let res = client()
        .post(server.url(BANS))
        .header("cookie", cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    answer(res).await
}

async fn bans(server: &TestServer, cookie: &str) -> (u16, Value) {
    let res = client()
        .get(server.url(BANS))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    answer(res).await
}

async fn unban(server: &TestServer, cookie: &str, name: &str) -> (u16, Value) {
    let res = client()
        .request("DELETE", server.url(&format!("{BANS}{name}/")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    answer(res).await
}

/// Signs in; the status, the JSON body and the session cookie, if any.
async fn login(server: &TestServer, name: &str) -> (u16, Value, Option<String>) {
    let res = sign_in(server, name, PASSWORD).await;
    let cookie = session_cookie(&res);
    let (status, body) = answer(res).await;
    (status, body, cookie)
}

/// The sessions stored for user `id`.
async fn sessions_of(dir: &TempDir, id: i64) -> u64 {
    let db = open_db(dir).await;
    session::Entity::find()
        .filter(session::Column::UserId.eq(id))
        .count(&db)
        .await
        .unwrap()
}

/// Waits until `/metrics` has `line`.
async fn await_metric(server: &TestServer, line: &str) {
    let deadline = Instant::now() + NOTICE;
    loop {
        let text = metrics(server).await;
        if text.contains(line) {
            return;
        }
        assert!(Instant::now() < deadline, "no {line:?} in:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the server has logged a line (at info) with every one of
/// `words` (any letter case) and one of `any_of`.
async fn await_log(server: &TestServer, words: &[&str], any_of: &[&str]) {
    let deadline = Instant::now() + NOTICE;
    loop {
        let found = server.log_lines().iter().any(|line| {
            // Without the request's span (its method and path).
            let mut line = line.to_lowercase();
            if let Some(start) = line.find("request{") {
                if let Some(length) = line[start..].find('}') {
                    line.replace_range(start..=start + length, "");
                }
            }
            line.contains("info")
                && words.iter().all(|w| line.contains(&w.to_lowercase()))
                && any_of.iter().any(|w| line.contains(&w.to_lowercase()))
        });
        if found {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {words:?} and one of {any_of:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The line of `users list` that names `name` (as a word of its own).
fn line_for<'a>(listing: &'a str, name: &str) -> &'a str {
    listing
        .lines()
        .find(|line| {
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .any(|word| word == name)
        })
        .unwrap_or_else(|| panic!("no line for {name} in:\n{listing}"))
}

/// The socket's close code and reason (the socket must be closed with a frame).
async fn closed(socket: &mut Socket) -> (u16, String) {
    socket
        .close_frame()
        .await
        .expect("a close frame, not a dropped connection")
}

/// Whether `reason` is the ban sentence for a ban `until` (with or without
/// its reason).
fn is_ban_sentence(reason: &str, until: Option<&str>) -> bool {
    let sentence = banned_sentence(until, None);
    reason.starts_with("You have been banned from this chat room until ")
        && reason.starts_with(sentence.trim_end_matches('.'))
}

fn until_of(ban: &Value) -> DateTime<Utc> {
    utc(&ban["until"])
}

#[tokio::test]
async fn roles_are_granted_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    let (status, me) = whoami(&server, &alice).await;
    assert_eq!(status, 200);
    let id = me["id"].as_i64().unwrap();
    assert_eq!(me, json!({"id": id, "username": "alice", "role": "member"}));

    // A new room has no moderator until the operator grants it.
    let listing = server.run_command(&["users", "list"]);
    assert!(listing.success(), "{listing:?}");
    for name in ["alice", "bob"] {
        let line = line_for(&listing.stdout, name);
        assert!(line.contains("member"), "{line}");
        assert!(!line.contains("moderator"), "{line}");
        let today = Utc::now();
        let yesterday = today - chrono::Duration::days(1);
        assert!(
            [today, yesterday]
                .iter()
                .any(|day| line.contains(&day.format("%Y-%m-%d").to_string())),
            "the day the account was created: {line}"
        );
    }

    grant(&server, "alice", &alice).await;
    let (_, me) = whoami(&server, &alice).await;
    assert_eq!(
        me,
        json!({"id": id, "username": "alice", "role": "moderator"})
    );
    assert_eq!(whoami(&server, &bob).await.1["role"], "member");
    let listing = server.run_command(&["users", "list"]);
    assert!(listing.success(), "{listing:?}");
    assert!(line_for(&listing.stdout, "alice").contains("moderator"));
    assert!(!line_for(&listing.stdout, "bob").contains("moderator"));

    let ran = server.run_command(&["users", "revoke-moderator", "alice"]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    await_role(&server, &alice, "member").await;

    // An unknown user: a failing exit and a sentence on stderr, nothing done.
    for args in [
        vec!["users", "grant-moderator", "nobody"],
        vec!["users", "revoke-moderator", "nobody"],
        vec!["users", "ban", "nobody"],
        vec!["users", "ban", "nobody", "--for", "1h", "--reason", "spam"],
        vec!["users", "unban", "nobody"],
        vec!["users", "delete", "nobody"],
    ] {
        let ran = server.run_command(&args);
        assert!(!ran.success(), "{args:?}: {ran:?}");
        assert_eq!(ran.stdout.trim(), "", "{args:?}");
        assert!(ran.stderr.contains("nobody"), "{args:?}: {ran:?}");
    }
    let listing = server.run_command(&["users", "list"]);
    assert!(!listing.stdout.contains("nobody"));
}

#[tokio::test]
async fn a_moderator_may_delete_anyones_message_and_a_member_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    let carol = register(&server, "carol", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    let b1 = post_rest(&server, &bob, "buy cheap watches").await;
    let b2 = post_rest(&server, &bob, "buy more cheap watches").await;
    let c1 = post_rest(&server, &carol, "carol's words").await;
    let mut watcher = connect(&server, &carol, true, "").await;
    watcher.next_of("presence").await;

    // A member may touch only their own messages.
    let (status, body) = delete(&server, &carol, b1).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, _) = patch(&server, &carol, b1, json!({"content": "carol's now"})).await;
    assert_eq!(status, 403);
    // A moderator deletes, but does not put words in anyone's mouth.
    let (status, body) = patch(&server, &alice, b1, json!({"content": "alice's now"})).await;
    assert_eq!(status, 403, "a moderator editing another's message: {body}");

    let (status, body) = delete(&server, &alice, b1).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        changes(&mut watcher, 1).await,
        [("deleted".to_owned(), b1, String::new())],
        "a socket opened after the message was stored is told of its deletion"
    );
    assert_eq!(delete(&server, &alice, b1).await.0, 404);
    assert_eq!(stored_ids(&server, &carol).await, [b2, c1]);
    let page = chat_page(&server, &carol).await;
    assert!(!page.contains("buy cheap watches"));
    assert!(page.contains("buy more cheap watches"));

    // Logged and counted as a moderator's action.
    await_log(&server, &["alice", "delet"], &["bob", &format!("{b1}")]).await;
    await_metric(
        &server,
        "chat98_moderator_actions_total{action=\"delete\"} 1\n",
    )
    .await;

    // Revoked, alice is a member again: her role decides, not her session.
    let ran = server.run_command(&["users", "revoke-moderator", "alice"]);
    assert!(ran.success(), "{ran:?}");
    await_role(&server, &alice, "member").await;
    assert_eq!(delete(&server, &alice, b2).await.0, 403);
    assert_eq!(stored_ids(&server, &carol).await, [b2, c1]);
}

/// In `bans_over_rest`'s room (moderators alice and carol, members bob and
/// dave): bans a member, a signed-out client or a moderator may not make
/// (a moderator, a bad duration, no such user, from another site) are
/// refused, and nothing is banned.
async fn refuses_bans_it_may_not_make(server: &TestServer, moderator: &str, member: &str) {
    // Members may not ban, list bans or unban; nobody signed out may either.
    let (status, _) = ban(server, member, json!({"username": "dave"})).await;
    assert_eq!(status, 403);
    assert_eq!(bans(server, member).await.0, 403);
    assert_eq!(unban(server, member, "dave").await.0, 403);
    assert_eq!(bans(server, "").await.0, 401);
    assert_eq!(ban(server, "", json!({"username": "dave"})).await.0, 401);

    // What a moderator may not do.
    for (body, expected) in [
        (json!({"username": "alice"}), 403),
        (json!({"username": "carol", "duration": "1h"}), 403),
        (json!({"username": "dave", "duration": "soon"}), 400),
        (json!({"username": "dave", "duration": "-1h"}), 400),
        (json!({"username": "nobody", "duration": "1h"}), 404),
    ] {
        let (status, answer) = ban(server, moderator, body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
    }
    // Nor from another site.
    let res = client()
        .post(server.url(BANS))
        .header("cookie", moderator)
        .header("origin", "http://evil.example")
        .json(&json!({"username": "dave"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, listed) = bans(server, moderator).await;
    assert_eq!((status, listed), (200, json!([])), "nothing was banned");
}

#[tokio::test]
async fn bans_over_rest() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    let carol = register(&server, "carol", PASSWORD).await;
    let dave = register(&server, "dave", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    grant(&server, "carol", &carol).await;
    let bob_id = user_id(&server, &bob).await;
    let dave_id = user_id(&server, &dave).await;

    refuses_bans_it_may_not_make(&server, &alice, &bob).await;

    let (status, bob_ban) = ban(
        &server,
        &alice,
        json!({"username": "bob", "duration": "1h", "reason": "spam"}),
    )
    .await;
    assert_eq!(status, 201, "{bob_ban}");
    assert_eq!(
        bob_ban,
        json!({"user": {"id": bob_id, "username": "bob"}, "until": bob_ban["until"], "reason": "spam"})
    );
    let in_an_hour = Utc::now() + chrono::Duration::hours(1);
    let until = until_of(&bob_ban);
    assert!(
        (until - in_an_hour).num_seconds().abs() < 60,
        "until {until}, not about an hour from now"
    );
    let (status, dave_ban) = ban(&server, &alice, json!({"username": "dave"})).await;
    assert_eq!(status, 201, "{dave_ban}");
    assert_eq!(
        dave_ban,
        json!({"user": {"id": dave_id, "username": "dave"}, "until": null, "reason": null}),
        "without a duration: until unbanned"
    );

    for moderator in [&alice, &carol] {
        let (status, listed) = bans(&server, moderator).await;
        assert_eq!(status, 200);
        let mut listed: Vec<Value> = serde_json::from_value(listed).unwrap();
        listed.sort_by_key(|b| b["user"]["username"].as_str().unwrap().to_owned());
        assert_eq!(listed, [bob_ban.clone(), dave_ban.clone()]);
    }

    let (status, body) = unban(&server, &carol, "bob").await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(bans(&server, &alice).await.1, json!([dave_ban]));
    assert_eq!(unban(&server, &alice, "nobody").await.0, 404);
    let (status, _, _) = login(&server, "bob").await;
    assert_eq!(status, 200, "unbanned, bob signs in again");

    await_log(&server, &["alice", "ban", "bob"], &["ban"]).await;
    await_log(&server, &["carol", "unban", "bob"], &["unban"]).await;
    await_metric(
        &server,
        "chat98_moderator_actions_total{action=\"ban\"} 2\n",
    )
    .await;
    await_metric(
        &server,
        "chat98_moderator_actions_total{action=\"unban\"} 1\n",
    )
    .await;
}

/// After a ban: none of the user's sessions (`cookies`, in the database too)
/// reads, posts or opens a socket.
async fn signed_out_everywhere(
    server: &TestServer,
    dir: &TempDir,
    cookies: [&str; 2],
    user_id: i64,
) {
    for cookie in cookies {
        assert_eq!(whoami(server, cookie).await.0, 401);
    }
    let bob = cookies[0];
    assert_eq!(sessions_of(dir, user_id).await, 0);
    let res = client()
        .post(server.url("/api/chat/messages/"))
        .header("cookie", bob)
        .json(&json!({"content": "still here?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let reopened = open(
        server,
        Open {
            cookie: Some(bob),
            origin: Some(server.origin()),
            v2: true,
            query: "",
        },
    )
    .await;
    assert_eq!(reopened.err(), Some(401));
}

/// Signing up as any of `names` is refused: 409.
async fn names_stay_taken(server: &TestServer, names: &[&str]) {
    for name in names {
        let res = client()
            .post(server.url("/api/auth/register"))
            .json(&json!({"username": name, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 409, "{name}");
    }
}

#[tokio::test]
async fn a_ban_ends_every_session_and_socket_and_blocks_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    let (status, _, bob_tab) = login(&server, "bob").await;
    assert_eq!(status, 200);
    let bob_tab = bob_tab.expect("a second session");
    let bob_id = user_id(&server, &bob).await;

    let mut bob_sockets = [
        connect(&server, &bob, true, "").await,
        connect(&server, &bob_tab, true, "").await,
        connect(&server, &bob, false, "").await,
    ];
    bob_sockets[0].next_of("presence").await;
    bob_sockets[1].next_of("presence").await;
    let mut alice_socket = connect(&server, &alice, true, "").await;
    alice_socket.next_of("presence").await;

    let banned_at = Instant::now();
    let (status, banned) = ban(
        &server,
        &alice,
        json!({"username": "bob", "duration": "1h", "reason": "spam"}),
    )
    .await;
    assert_eq!(status, 201, "{banned}");
    let until = banned["until"].as_str().unwrap().to_owned();
    for (i, socket) in bob_sockets.iter_mut().enumerate() {
        let (code, reason) = closed(socket).await;
        assert_eq!(code, 4003, "socket {i}: {reason}");
        assert!(
            is_ban_sentence(&reason, Some(&until)),
            "socket {i}: {reason:?}"
        );
    }
    assert!(
        banned_at.elapsed() < Duration::from_secs(3),
        "sockets closed after {:?}",
        banned_at.elapsed()
    );

    // Every session ended, in the database too.
    signed_out_everywhere(&server, &dir, [&bob, &bob_tab], bob_id).await;

    // Signing in is refused with the sentence; no session is made.
    let (status, body, cookie) = login(&server, "bob").await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": banned_sentence(Some(&until), Some("spam")), "code": "banned"})
    );
    assert!(cookie.is_none(), "a banned sign-in set a cookie");
    assert_eq!(sessions_of(&dir, bob_id).await, 0);

    // The name stays taken, look-alikes too.
    names_stay_taken(&server, &["bob", "B0B"]).await;

    // Nobody else was touched.
    alice_socket
        .send_json(json!({"type": "message", "content": "order restored", "client_id": "a1"}))
        .await;
    assert_eq!(
        alice_socket.next_of("ack").await["message"]["content"],
        "order restored"
    );
    assert_eq!(whoami(&server, &alice).await.0, 200);

    assert_eq!(unban(&server, &alice, "bob").await.0, 204);
    let (status, _, cookie) = login(&server, "bob").await;
    assert_eq!(status, 200);
    assert_eq!(whoami(&server, &cookie.unwrap()).await.0, 200);
}

/// The moderators' list shows bob banned for about an hour for spam, and
/// bob's sign-in is refused with that sentence.
async fn listed_for_an_hour_for_spam(server: &TestServer, moderator: &str, user_id: i64) {
    let (status, listed) = bans(server, moderator).await;
    assert_eq!(status, 200);
    let listed: Vec<Value> = serde_json::from_value(listed).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["user"], json!({"id": user_id, "username": "bob"}));
    assert_eq!(listed[0]["reason"], "spam");
    let until = until_of(&listed[0]);
    let in_an_hour = Utc::now() + chrono::Duration::hours(1);
    assert!((until - in_an_hour).num_seconds().abs() < 60, "{until}");
    let (status, body, _) = login(server, "bob").await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "banned");
    assert_eq!(
        body["error"],
        banned_sentence(listed[0]["until"].as_str(), Some("spam"))
    );
}

#[tokio::test]
async fn a_command_line_ban_ends_sessions_at_once_and_sockets_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    let bob_id = user_id(&server, &bob).await;
    let mut socket = connect(&server, &bob, true, "").await;
    socket.next_of("presence").await;
    let listed_before = line_for(&server.run_command(&["users", "list"]).stdout, "bob").to_owned();

    let ran = server.run_command(&["users", "ban", "bob", "--for", "1h", "--reason", "spam"]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    let banned_at = Instant::now();
    assert_eq!(
        sessions_of(&dir, bob_id).await,
        0,
        "the command ends the sessions in the database at once"
    );
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 4003, "{reason}");
    assert!(
        reason.starts_with("You have been banned from this chat room until "),
        "{reason:?}"
    );
    assert!(
        banned_at.elapsed() < Duration::from_secs(8),
        "closed after {:?}",
        banned_at.elapsed()
    );
    assert_eq!(whoami(&server, &bob).await.0, 401);

    listed_for_an_hour_for_spam(&server, &alice, bob_id).await;
    let listed_after = server.run_command(&["users", "list"]);
    assert_ne!(
        line_for(&listed_after.stdout, "bob"),
        listed_before,
        "users list shows the ban"
    );

    let ran = server.run_command(&["users", "unban", "bob"]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    let (status, _, cookie) = login(&server, "bob").await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    assert_eq!(bans(&server, &alice).await.1, json!([]));

    // Without --for: until unbanned.
    let ran = server.run_command(&["users", "ban", "bob"]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    let (status, body, _) = login(&server, "bob").await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": banned_sentence(None, None), "code": "banned"})
    );
    let (_, listed) = bans(&server, &alice).await;
    assert_eq!(
        listed,
        json!([{"user": {"id": bob_id, "username": "bob"}, "until": null, "reason": null}])
    );
    let deadline = Instant::now() + NOTICE;
    while whoami(&server, &cookie).await.0 != 401 {
        assert!(
            Instant::now() < deadline,
            "the new session outlived the ban"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_expired_ban_lifts_itself() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    register(&server, "bob", PASSWORD).await;
    let ran = server.run_command(&["users", "ban", "bob", "--for", "2s"]);
    assert!(ran.success(), "{ran:?}");
    let banned_at = Utc::now();
    let (status, body, _) = login(&server, "bob").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "banned");
    sleep_until(banned_at + chrono::Duration::milliseconds(2300)).await;
    let (status, body, cookie) = login(&server, "bob").await;
    assert_eq!(status, 200, "the ban should have lifted: {body}");
    assert_eq!(whoami(&server, &cookie.unwrap()).await.0, 200);

    // Over REST too.
    let alice = register(&server, "alice", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    let (status, banned) = ban(
        &server,
        &alice,
        json!({"username": "bob", "duration": "2s", "reason": "cool off"}),
    )
    .await;
    assert_eq!(status, 201, "{banned}");
    let (status, _, _) = login(&server, "bob").await;
    assert_eq!(status, 403);
    sleep_until(until_of(&banned) + chrono::Duration::milliseconds(200)).await;
    let (status, body, _) = login(&server, "bob").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_ban_with_purge_deletes_the_users_messages_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    let carol = register(&server, "carol", PASSWORD).await;
    grant(&server, "alice", &alice).await;
    let c1 = post_rest(&server, &carol, "an honest question").await;
    let mut spam = Vec::new();
    for i in 0..3 {
        spam.push(post_rest(&server, &bob, &format!("spam number {i}")).await);
    }
    let c2 = post_rest(&server, &carol, "another honest question").await;
    let mut watcher = connect(&server, &carol, true, "").await;
    watcher.next_of("presence").await;

    let (status, body) = ban(
        &server,
        &alice,
        json!({"username": "bob", "reason": "spam", "purge": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mut deleted: Vec<i64> = changes(&mut watcher, spam.len())
        .await
        .into_iter()
        .map(|(kind, id, _)| {
            assert_eq!(kind, "deleted");
            id
        })
        .collect();
    deleted.sort_unstable();
    assert_eq!(
        deleted, spam,
        "a socket opened after the messages were stored is told of their deletion"
    );
    assert_eq!(stored_ids(&server, &carol).await, [c1, c2]);
    let page = chat_page(&server, &carol).await;
    assert!(
        !page.contains("spam number"),
        "a purged message was rendered"
    );
    assert!(page.contains("an honest question"));

    // Without purge, messages stay.
    let d1 = post_rest(&server, &carol, "carol again").await;
    let dave = register(&server, "dave", PASSWORD).await;
    let d2 = post_rest(&server, &dave, "dave's only message").await;
    let (status, _) = ban(&server, &alice, json!({"username": "dave", "purge": false})).await;
    assert_eq!(status, 201);
    assert_eq!(stored_ids(&server, &carol).await, [c1, c2, d1, d2]);
}

#[tokio::test]
async fn deleting_a_user_removes_the_account_and_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, ROOMY);
    let alice = register(&server, "alice", PASSWORD).await;
    let bob = register(&server, "bob", PASSWORD).await;
    let a1 = post_rest(&server, &alice, "alice stays").await;
    post_rest(&server, &bob, "bob goes").await;
    post_rest(&server, &bob, "bob goes too").await;
    let mut socket = connect(&server, &bob, true, "").await;
    socket.next_of("presence").await;

    let ran = server.run_command(&["users", "delete", "bob"]);
    assert!(ran.success(), "{ran:?}");
    ran.line();
    let code = socket.close_code().await;
    assert!(matches!(code, Some(4001 | 4003)), "closed with {code:?}");
    assert_eq!(whoami(&server, &bob).await.0, 401);
    // The running server stops showing the messages (within the notice time).
    let deadline = Instant::now() + NOTICE;
    loop {
        let ids = stored_ids(&server, &alice).await;
        if ids == [a1] {
            break;
        }
        assert!(Instant::now() < deadline, "still listed: {ids:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(login(&server, "bob").await.0, 401, "no such account");
    let listing = server.run_command(&["users", "list"]);
    assert!(!listing.stdout.contains("bob"), "{listing:?}");
    // The name is free again.
    register(&server, "bob", PASSWORD).await;
}

async fn sign_up(server: &TestServer, body: Value) -> (u16, Value) {
    let res = client()
        .post(server.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    answer(res).await
}

async fn registration_mode(server: &TestServer) -> Value {
    let res = client()
        .get(server.url("/api/auth/registration"))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(res).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn sign_up_can_need_an_invite_code_or_be_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(
        &dir,
        &[
            "--registration",
            "invite",
            "--invite-code",
            "open sesame",
            "--register-max",
            "100",
        ],
    );
    assert_eq!(registration_mode(&server).await, "invite");
    for body in [
        json!({"username": "alice", "password": PASSWORD}),
        json!({"username": "alice", "password": PASSWORD, "invite_code": ""}),
        json!({"username": "alice", "password": PASSWORD, "invite_code": "open sesam"}),
        json!({"username": "alice", "password": PASSWORD, "invite_code": "OPEN SESAME"}),
    ] {
        let (status, answer) = sign_up(&server, body.clone()).await;
        assert_eq!(status, 403, "{body}: {answer}");
        assert_eq!(answer["code"], "forbidden", "{answer}");
        let messages = answer["fields"]["invite_code"]
            .as_array()
            .expect("a field error");
        assert!(
            messages[0].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    let (status, answer) = sign_up(
        &server,
        json!({"username": "alice", "password": PASSWORD, "invite_code": "open sesame"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["username"], "alice");
    // As a form, as a browser sends it.
    let res = client()
        .post(server.url("/api/auth/register"))
        .form(&[
            ("username", "bob"),
            ("password", PASSWORD),
            ("invite_code", "open sesame"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bob = session_cookie(&res).expect("a session");
    assert_eq!(whoami(&server, &bob).await.0, 200);
    // Signing in needs no code.
    assert_eq!(login(&server, "alice").await.0, 200);

    let dir = tempfile::tempdir().unwrap();
    let closed = TestServer::start(&dir, &["--registration", "closed"]);
    assert_eq!(registration_mode(&closed).await, "closed");
    let (status, answer) = sign_up(
        &closed,
        json!({"username": "alice", "password": PASSWORD, "invite_code": "anything"}),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].is_string(), "{answer}");

    let dir = tempfile::tempdir().unwrap();
    let open_room = TestServer::start(&dir, &[]);
    assert_eq!(registration_mode(&open_room).await, "open");
    register(&open_room, "alice", PASSWORD).await;
}

/// Bob posts on B, edits on A, posts on A, deletes on B; alice, a moderator
/// on A, deletes his second message: carol's sockets on both processes get
/// every change in order, and both list what is left.
async fn edits_and_deletions_reach_both(
    a: &TestServer,
    b: &TestServer,
    alice: &str,
    bob: &str,
    carol: &str,
) {
    let mut carol_on_a = connect(a, carol, true, "").await;
    let mut carol_on_b = connect(b, carol, true, "").await;
    carol_on_a.next_of("presence").await;
    carol_on_b.next_of("presence").await;

    let m1 = post_rest(b, bob, "one").await;
    edit(a, bob, m1, "one, edited").await;
    let m2 = post_rest(a, bob, "two").await;
    assert_eq!(delete(b, bob, m1).await.0, 204);
    let m3 = post_rest(b, bob, "three").await;
    assert_eq!(delete(a, alice, m2).await.0, 204);
    let expected = vec![
        ("message".to_owned(), m1, "one".to_owned()),
        ("edited".to_owned(), m1, "one, edited".to_owned()),
        ("message".to_owned(), m2, "two".to_owned()),
        ("deleted".to_owned(), m1, String::new()),
        ("message".to_owned(), m3, "three".to_owned()),
        ("deleted".to_owned(), m2, String::new()),
    ];
    for (on, socket) in [("A", &mut carol_on_a), ("B", &mut carol_on_b)] {
        assert_eq!(changes(socket, expected.len()).await, expected, "on {on}");
    }
    assert_eq!(stored_ids(a, carol).await, [m3]);
    assert_eq!(stored_ids(b, carol).await, [m3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_edits_deletions_and_bans() {
    let Some(redis) = redis_url() else { return };
    let Some(cluster) = Cluster::start("moderation", &redis, ROOMY) else {
        return;
    };
    cluster.ready().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let alice = register(a, "alice", PASSWORD).await;
    let bob = register(b, "bob", PASSWORD).await;
    let carol = register(a, "carol", PASSWORD).await;
    let dave = register(b, "dave", PASSWORD).await;
    let ran = a.run_command(&["users", "grant-moderator", "alice"]);
    assert!(ran.success(), "{ran:?}");
    await_role(a, &alice, "moderator").await;
    await_role(b, &alice, "moderator").await;

    edits_and_deletions_reach_both(a, b, &alice, &bob, &carol).await;

    // A ban on A closes the banned user's sockets on both processes at once.
    let mut bob_on_a = connect(a, &bob, true, "").await;
    let mut bob_on_b = connect(b, &bob, true, "").await;
    bob_on_a.next_of("presence").await;
    bob_on_b.next_of("presence").await;
    let banned_at = Instant::now();
    let (status, banned) = ban(a, &alice, json!({"username": "bob", "duration": "1h"})).await;
    assert_eq!(status, 201, "{banned}");
    let until = banned["until"].as_str().unwrap().to_owned();
    for (on, socket) in [("A", &mut bob_on_a), ("B", &mut bob_on_b)] {
        let (code, reason) = closed(socket).await;
        assert_eq!(code, 4003, "on {on}: {reason}");
        assert!(
            is_ban_sentence(&reason, Some(&until)),
            "on {on}: {reason:?}"
        );
    }
    assert!(
        banned_at.elapsed() < Duration::from_secs(3),
        "{:?}",
        banned_at.elapsed()
    );
    assert_eq!(whoami(a, &bob).await.0, 401);
    assert_eq!(whoami(b, &bob).await.0, 401);
    let (status, body, _) = login(b, "bob").await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "banned");

    // From the command line, with Redis configured: at once on both too.
    let mut dave_on_a = connect(a, &dave, true, "").await;
    let mut dave_on_b = connect(b, &dave, true, "").await;
    dave_on_a.next_of("presence").await;
    dave_on_b.next_of("presence").await;
    let ran = b.run_command(&["users", "ban", "dave", "--reason", "flooding"]);
    assert!(ran.success(), "{ran:?}");
    let banned_at = Instant::now();
    for (on, socket) in [("A", &mut dave_on_a), ("B", &mut dave_on_b)] {
        let (code, reason) = closed(socket).await;
        assert_eq!(code, 4003, "on {on}: {reason}");
        assert!(is_ban_sentence(&reason, None), "on {on}: {reason:?}");
    }
    assert!(
        banned_at.elapsed() < Duration::from_secs(3),
        "{:?}",
        banned_at.elapsed()
    );
    let (_, listed) = bans(b, &alice).await;
    let mut names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["user"]["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["bob", "dave"]);
}
