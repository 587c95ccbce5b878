//! The retention sweep against real databases (a SQLite file and, when
//! `TEST_DATABASE_URL` is set, PostgreSQL), with an injected clock: the exact
//! boundary, sweeps larger than a batch, concurrent sweepers, and a large
//! sweep while messages keep arriving.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use crate::support::databases::{postgres, postgres_url, sqlite};
use chat98::server::cli::SettingsArgs;
use chat98::server::entities::{message, user};
use chat98::server::messages::store as messages;
use chat98::server::retention::{count_expired, sweep, RetentionStats, Sweeper, SWEEP_BATCH};
use chat98::server::settings::Settings;
use chat98::server::users;

/// The injected "now" of every check.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap()
}

const RETENTION: std::time::Duration = std::time::Duration::from_secs(3 * 24 * 60 * 60);

/// The cutoff at `now()` with the default three-day retention.
fn cutoff() -> DateTime<Utc> {
    now() - Duration::days(3)
}

/// Settings with `retention` and nothing else from the environment or a file.
fn settings_with_retention(retention: std::time::Duration) -> Arc<Settings> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Leptos.toml");
    std::fs::write(
        &path,
        "[package.metadata.leptos]\noutput-name = \"chat98\"\n",
    )
    .unwrap();
    let args = SettingsArgs {
        config: Some(path),
        retention: Some(retention),
        ..Default::default()
    };
    Arc::new(args.load().unwrap())
}

/// Stores `n` messages by `author` stamped one millisecond apart, ending at
/// `newest`, in few statements (one message at a time would take minutes).
async fn insert_many(
    db: &DatabaseConnection,
    author: &user::Model,
    n: usize,
    newest: DateTime<Utc>,
) {
    // Three bound values a row, well under SQLite's and PostgreSQL's limits.
    const ROWS_PER_STATEMENT: usize = 5000;
    let txn = db.begin().await.unwrap();
    let mut start = 0;
    while start < n {
        let end = (start + ROWS_PER_STATEMENT).min(n);
        let rows = (start..end).map(|i| message::ActiveModel {
            user_id: Set(author.id),
            content: Set(format!("expired {i}")),
            timestamp: Set(newest - Duration::milliseconds((n - 1 - i) as i64)),
            ..Default::default()
        });
        message::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        start = end;
    }
    txn.commit().await.unwrap();
}

async fn contents(db: &DatabaseConnection) -> Vec<String> {
    let mut all: Vec<String> = message::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    all.sort();
    all
}

async fn count_all(db: &DatabaseConnection) -> u64 {
    message::Entity::find().count(db).await.unwrap()
}

/// Runs each check once on SQLite and once on PostgreSQL (if configured), on a
/// runtime with two threads so that concurrent work really overlaps.
macro_rules! on_every_backend {
    ($($check:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let (_keep, db) = super::sqlite().await;
                    super::$check(&db).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    a_message_at_the_cutoff_is_kept_and_one_microsecond_older_is_deleted,
    a_sweep_larger_than_a_batch_deletes_every_expired_message,
    concurrent_sweepers_delete_each_expired_message_exactly_once,
    a_large_sweep_keeps_every_message_posted_meanwhile,
);

async fn a_message_at_the_cutoff_is_kept_and_one_microsecond_older_is_deleted(
    db: &DatabaseConnection,
) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let just_expired = cutoff() - Duration::microseconds(1);
    crate::support::seed::insert(db, &alice, "just expired", just_expired)
        .await
        .unwrap();
    crate::support::seed::insert(db, &alice, "at the cutoff", cutoff())
        .await
        .unwrap();
    crate::support::seed::insert(db, &alice, "fresh", now())
        .await
        .unwrap();

    let settings = settings_with_retention(RETENTION);
    assert_eq!(settings.retention_cutoff(now()), cutoff());
    let stats = Arc::new(RetentionStats::default());
    let sweeper = Sweeper::new(db.clone(), settings.clone(), stats.clone());

    assert_eq!(count_expired(db, cutoff()).await.unwrap(), 1);
    assert_eq!(sweeper.sweep_at(now()).await.unwrap(), 1);
    assert_eq!(contents(db).await, ["at the cutoff", "fresh"]);
    // What the sweep keeps is exactly what the reads show.
    let shown = messages::recent(db, 10, settings.retention_cutoff(now()))
        .await
        .unwrap();
    assert_eq!(
        shown.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(),
        ["at the cutoff", "fresh"]
    );

    // Sweeping again at the same instant finds nothing; a microsecond later
    // the boundary message has expired too.
    assert_eq!(sweeper.sweep_at(now()).await.unwrap(), 0);
    let later = now() + Duration::microseconds(1);
    assert_eq!(sweeper.sweep_at(later).await.unwrap(), 1);
    assert_eq!(contents(db).await, ["fresh"]);
    assert_eq!(stats.swept_messages(), 2, "the metrics counter adds up");

    // Users are not messages: the author stays.
    assert!(users::find_by_name(db, "alice").await.unwrap().is_some());
}

async fn a_sweep_larger_than_a_batch_deletes_every_expired_message(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let expired = 2 * SWEEP_BATCH as usize + 500;
    insert_many(db, &alice, expired, cutoff() - Duration::seconds(1)).await;
    for i in 0..10 {
        crate::support::seed::insert(db, &alice, &format!("fresh {i}"), now())
            .await
            .unwrap();
    }
    assert_eq!(count_expired(db, cutoff()).await.unwrap(), expired as u64);

    assert_eq!(
        sweep(db, cutoff(), SWEEP_BATCH).await.unwrap(),
        expired as u64
    );
    assert_eq!(count_expired(db, cutoff()).await.unwrap(), 0);
    assert_eq!(count_all(db).await, 10);
    assert!(contents(db).await.iter().all(|c| c.starts_with("fresh ")));
}

async fn concurrent_sweepers_delete_each_expired_message_exactly_once(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let expired = 3000;
    insert_many(db, &alice, expired, cutoff() - Duration::seconds(1)).await;
    for i in 0..20 {
        crate::support::seed::insert(db, &alice, &format!("fresh {i}"), now())
            .await
            .unwrap();
    }

    // Three sweepers on their own connections, as three server processes would
    // be; small batches so that their statements interleave many times.
    let sweepers: Vec<_> = (0..3)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { sweep(&db, cutoff(), 50).await })
        })
        .collect();
    let mut shares = Vec::new();
    for sweeper in sweepers {
        shares.push(sweeper.await.unwrap().unwrap());
    }
    eprintln!(
        "{:?}: the sweepers' shares {shares:?}",
        db.get_database_backend()
    );
    let total: u64 = shares.iter().sum();

    assert_eq!(
        total, expired as u64,
        "each expired row deleted exactly once"
    );
    assert_eq!(count_expired(db, cutoff()).await.unwrap(), 0);
    assert_eq!(count_all(db).await, 20, "no unexpired row deleted");
}

async fn a_large_sweep_keeps_every_message_posted_meanwhile(db: &DatabaseConnection) {
    let alice = users::create(db, "alice", "x").await.unwrap();
    let bob = users::create(db, "bob", "x").await.unwrap();
    let expired = 200_000;
    let started = Instant::now();
    insert_many(db, &alice, expired, cutoff() - Duration::seconds(1)).await;
    let filled = started.elapsed();

    // Bob keeps posting for as long as the sweep runs.
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let db = db.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut posted = Vec::new();
            let mut slowest = std::time::Duration::ZERO;
            while !done.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let m = crate::support::seed::insert(
                    &db,
                    &bob,
                    &format!("posted {}", posted.len()),
                    now(),
                )
                .await
                .unwrap();
                slowest = slowest.max(sent.elapsed());
                posted.push(m.id);
            }
            (posted, slowest)
        })
    };
    let swept_at = Instant::now();
    let deleted = sweep(db, cutoff(), SWEEP_BATCH).await.unwrap();
    let sweep_took = swept_at.elapsed();
    done.store(true, Ordering::Relaxed);
    let (posted, slowest) = writer.await.unwrap();
    eprintln!(
        "{:?}: filled {expired} rows in {filled:?}; swept them in {sweep_took:?} \
         while {} messages were posted (slowest post {slowest:?})",
        db.get_database_backend(),
        posted.len()
    );

    assert_eq!(deleted, expired as u64);
    // SQLite has one write lock: a sweep in one statement would stall posts for
    // its whole length. In batches they keep flowing.
    assert!(
        posted.len() >= 10,
        "only {} posts during the sweep",
        posted.len()
    );
    assert!(
        slowest < std::time::Duration::from_secs(2),
        "a post waited {slowest:?} during a {sweep_took:?} sweep"
    );
    assert_eq!(count_expired(db, cutoff()).await.unwrap(), 0);
    let kept: HashSet<i64> = message::Entity::find()
        .filter(message::Column::UserId.eq(alice.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert!(kept.is_empty(), "an expired message survived");
    let remaining: HashSet<i64> = message::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        remaining,
        posted.into_iter().collect(),
        "a new message was lost"
    );
}
