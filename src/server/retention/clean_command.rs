//! `chat98 clean-old-messages`: one sweep from the command line, as the seed's
//! management command did.

use std::fmt;

use sea_orm::DbErr;

use super::{count_expired, sweep, SweepError, SWEEP_BATCH};
use crate::server::db::{self, OpenError};
use crate::server::settings::Settings;

/// What the command did; its `Display` is the line it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleaned {
    Deleted(u64),
    /// `--dry-run`: counted, nothing deleted.
    WouldDelete(u64),
}

impl fmt::Display for Cleaned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cleaned::Deleted(n) => write!(f, "Successfully deleted {n} old messages"),
            Cleaned::WouldDelete(n) => write!(f, "Would delete {n} old messages"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error("cannot count expired messages: {0}")]
    Count(#[source] DbErr),
}

/// Deletes (or with `dry_run` only counts) the messages expired by now.
pub async fn clean_old_messages(settings: &Settings, dry_run: bool) -> Result<Cleaned, CleanError> {
    let db = db::open(&settings.storage, db::Checkpoints::InCommit)
        .await?
        .connection;
    let cutoff = settings.cutoff_now();
    if dry_run {
        let n = count_expired(&db, cutoff)
            .await
            .map_err(CleanError::Count)?;
        return Ok(Cleaned::WouldDelete(n));
    }
    Ok(Cleaned::Deleted(sweep(&db, cutoff, SWEEP_BATCH).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_are_the_seed_commands() {
        assert_eq!(
            Cleaned::Deleted(3).to_string(),
            "Successfully deleted 3 old messages"
        );
        assert_eq!(
            Cleaned::WouldDelete(0).to_string(),
            "Would delete 0 old messages"
        );
    }
}
