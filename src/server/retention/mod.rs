//! Message retention: expired messages are deleted in short batches.
//!
//! Reads hide expired messages by themselves (every query filters on the
//! cutoff, see [`super::messages::page`]); sweeping only reclaims their rows,
//! so how often it runs never decides what anyone sees.

mod clean_command;
mod sweeper;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::entities::message;

pub use clean_command::{clean_old_messages, CleanError, Cleaned};
pub use sweeper::{RetentionStats, Sweeper};

/// Rows deleted per statement: each statement is its own short transaction,
/// so writers and readers wait at most for one batch (a fraction of a
/// millisecond), never for a whole sweep. 1,000,000 expired rows take about
/// 40 s to sweep this way (BENCHMARKS.md).
pub const SWEEP_BATCH: u64 = 100;

/// The shortest pause between batches: a writer that found the database busy
/// (SQLite has one writer at a time) gets its turn before the next batch,
/// instead of backing off again and again while a large sweep runs. After a
/// slow batch (the disk or the CPUs were busy) the pause is as long as the
/// batch took, so a sweep never takes more than half of either from posts.
const BETWEEN_BATCHES: std::time::Duration = std::time::Duration::from_millis(2);

/// A sweep that failed part way; what it deleted before stays deleted.
#[derive(Debug, thiserror::Error)]
#[error("sweep stopped after deleting {deleted} expired messages: {source}")]
pub struct SweepError {
    pub deleted: u64,
    #[source]
    pub source: DbErr,
}

/// Deletes every message stored before `cutoff`, `batch` rows per statement,
/// and returns how many it deleted.
///
/// Safe with other sweepers on the same database: a row is deleted by exactly
/// one statement, and each statement only deletes rows that are still expired.
pub async fn sweep(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> Result<u64, SweepError> {
    let mut deleted = 0;
    loop {
        let started = std::time::Instant::now();
        let n = delete_batch(db, cutoff, batch)
            .await
            .map_err(|source| SweepError { deleted, source })?;
        deleted += n;
        // Stop on an empty batch, not a short one: a short batch can mean that
        // another sweeper took part of it, with more expired rows behind.
        if n == 0 {
            return Ok(deleted);
        }
        tokio::time::sleep(BETWEEN_BATCHES.max(started.elapsed())).await;
    }
}

/// How many messages stored before `cutoff` are still in the database.
pub async fn count_expired(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    message::Entity::find()
        .filter(message::Column::Timestamp.lt(cutoff))
        .count(db)
        .await
}

/// Deletes up to `batch` of the oldest expired messages.
async fn delete_batch(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    // Oldest first, which the timestamp index yields without sorting.
    let oldest_expired = Query::select()
        .column(message::Column::Id)
        .from(message::Entity)
        .and_where(message::Column::Timestamp.lt(cutoff))
        .order_by(message::Column::Timestamp, Order::Asc)
        .limit(batch)
        // PostgreSQL: concurrent sweepers take different rows instead of
        // queueing on each other's. SQLite has one writer and omits the clause.
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let result = message::Entity::delete_many()
        .filter(message::Column::Id.in_subquery(oldest_expired))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
