//! Checkpointing an SQLite database from a task of its own.
//!
//! By default SQLite checkpoints inside the commit that grows the write-ahead
//! log past 1,000 pages: that commit copies the log into the database file and
//! syncs it before it returns. While a large sweep deletes rows, that commit is
//! often a post's, which then waits several milliseconds for pages the sweep
//! wrote. Here no commit checkpoints; this task does, often enough that the
//! log stays short.

use std::time::Duration;

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::time::MissedTickBehavior;
use tracing::warn;

/// How often the log is copied back. While 100 messages a second were posted,
/// a round took about 1 ms (BENCHMARKS.md, session 6), on this connection
/// alone, not the pool's.
const EVERY: Duration = Duration::from_millis(100);

/// The largest write-ahead log file kept on disk after a checkpoint emptied it
/// (SQLite otherwise keeps the file at the largest size it ever reached).
const LOG_FILE_KEPT: &str = "16777216";

/// Connection options for a pool whose checkpoints [`run`] makes.
pub fn leave_to_background(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .pragma("wal_autocheckpoint", "0")
        .pragma("journal_size_limit", LOG_FILE_KEPT)
}

/// The task that checkpoints, on a connection of its own (so that the pool's
/// stays free for posts while a checkpoint copies pages). Start-up spawns it.
pub struct Checkpointer(pub(super) DatabaseConnection);

impl Checkpointer {
    /// Checkpoints forever. PASSIVE never waits for readers or writers: it
    /// copies what it can now, and the next round copies the rest.
    pub async fn run(self) {
        run(self.0).await
    }
}

async fn run(db: DatabaseConnection) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = db
            .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
            .await
        {
            warn!(error = %e, "could not checkpoint the database");
        }
    }
}
