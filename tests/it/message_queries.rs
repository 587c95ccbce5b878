//! Storage behaviour through the real queries, on a real SQLite file and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL: the same migrations serve both.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, Statement};

use crate::support::databases::{postgres, postgres_url, sqlite};
use chat98::server::entities::message;
use chat98::server::messages::store as messages;
use chat98::server::users;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap() + Duration::seconds(secs)
}

/// Runs each check once on SQLite and once on PostgreSQL (if configured).
macro_rules! on_every_backend {
    ($($check:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $check() {
                    let (_keep, db) = super::sqlite().await;
                    super::$check(&db).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $check() {
                    let Some(url) = super::postgres_url() else { return };
                    let (_keep, db) = super::postgres(&url).await;
                    super::$check(&db).await;
                }
            )*
        }
    };
}

on_every_backend!(
    recent_returns_the_newest_n_oldest_first,
    order_follows_ids_not_timestamps,
    recent_skips_messages_before_the_cutoff,
    wire_timestamps_are_utc_with_z_and_seed_format,
    ids_are_never_reused_after_everything_is_deleted,
    deleting_a_user_deletes_their_messages,
    usernames_are_unique_regardless_of_case,
    migrations_are_idempotent,
);

async fn recent_returns_the_newest_n_oldest_first(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let bob = users::create(db, "bob", "x").await.unwrap();
    for i in 0..7 {
        let author = if i % 2 == 0 { &alice } else { &bob };
        crate::support::seed::insert(db, author, &format!("m{i}"), at(i))
            .await
            .unwrap();
    }
    let got = messages::recent(db, 3, at(-1000)).await.unwrap();
    let contents: Vec<_> = got.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m4", "m5", "m6"]);
    assert_eq!(got[0].user.username, "alice");
    assert_eq!(got[1].user.username, "bob");
    assert!(got.windows(2).all(|w| w[0].id < w[1].id));
}

async fn order_follows_ids_not_timestamps(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    // A clock step backwards must not reorder the conversation.
    let first = crate::support::seed::insert(db, &alice, "first", at(10))
        .await
        .unwrap();
    let second = crate::support::seed::insert(db, &alice, "second", at(5))
        .await
        .unwrap();
    let got = messages::recent(db, 10, at(0)).await.unwrap();
    assert_eq!(
        got.iter().map(|m| m.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
}

async fn recent_skips_messages_before_the_cutoff(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    crate::support::seed::insert(db, &alice, "old", at(0))
        .await
        .unwrap();
    crate::support::seed::insert(db, &alice, "just old", at(10) - Duration::microseconds(1))
        .await
        .unwrap();
    crate::support::seed::insert(db, &alice, "boundary", at(10))
        .await
        .unwrap();
    crate::support::seed::insert(db, &alice, "new", at(11))
        .await
        .unwrap();
    let got = messages::recent(db, 10, at(10)).await.unwrap();
    let contents: Vec<_> = got.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["boundary", "new"]);
}

async fn wire_timestamps_are_utc_with_z_and_seed_format(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let when = at(3) + Duration::nanoseconds(123_456_789);
    let sent = crate::support::seed::insert(db, &alice, "hi", when)
        .await
        .unwrap();
    assert_eq!(sent.timestamp, "2026-11-23T20:00:03.123456Z");
    assert_eq!(sent.formatted_timestamp, "2026-11-23 20:00:03");
    let read = messages::recent(db, 1, at(0)).await.unwrap();
    assert_eq!(read, vec![sent]);
}

async fn ids_are_never_reused_after_everything_is_deleted(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let first = crate::support::seed::insert(db, &alice, "a", at(0))
        .await
        .unwrap();
    message::Entity::delete_many().exec(db).await.unwrap();
    let second = crate::support::seed::insert(db, &alice, "b", at(1))
        .await
        .unwrap();
    assert!(
        second.id > first.id,
        "{} reused after {}",
        second.id,
        first.id
    );
}

async fn deleting_a_user_deletes_their_messages(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let bob = users::create(db, "bob", "x").await.unwrap();
    crate::support::seed::insert(db, &alice, "from alice", at(0))
        .await
        .unwrap();
    crate::support::seed::insert(db, &bob, "from bob", at(1))
        .await
        .unwrap();
    alice.delete(db).await.unwrap();
    let got = messages::recent(db, 10, at(0)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content, "from bob");
    assert_eq!(message::Entity::find().all(db).await.unwrap().len(), 1);
}

async fn usernames_are_unique_regardless_of_case(db: &DatabaseConnection) {
    let first = users::create(db, "Alice", "x").await.unwrap();
    assert_eq!(first.username, "Alice", "shown as typed");
    assert!(users::create(db, "aLICE", "x").await.is_err());
    assert!(users::create(db, "alice2", "x").await.is_ok());
}

async fn migrations_are_idempotent(db: &DatabaseConnection) {
    use migration::{Migrator, MigratorTrait};
    // The server migrates at every start; a second run must change nothing.
    Migrator::up(db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(db)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn sqlite_files_are_in_wal_mode() {
    let (_keep, db) = sqlite().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .expect("a row");
    let mode: String = row.try_get_by_index(0).unwrap();
    assert_eq!(mode, "wal");
}
