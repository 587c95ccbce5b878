//! The scheduled sweep inside the server: one right at start, then one every
//! sweep interval. Several processes may sweep the same database at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::time::MissedTickBehavior;
use tracing::{info, warn};

use super::{sweep, SweepError, SWEEP_BATCH};
use crate::server::settings::Settings;

/// What this process's sweeps have deleted, for metrics.
#[derive(Debug, Default)]
pub struct RetentionStats {
    swept_messages: AtomicU64,
    sweeps: AtomicU64,
}

impl RetentionStats {
    /// Expired messages deleted since the process started.
    pub fn swept_messages(&self) -> u64 {
        self.swept_messages.load(Ordering::Relaxed)
    }

    /// Sweeps completed since the process started.
    pub fn sweeps(&self) -> u64 {
        self.sweeps.load(Ordering::Relaxed)
    }

    fn record(&self, deleted: u64) {
        self.swept_messages.fetch_add(deleted, Ordering::Relaxed);
    }
}

/// Deletes expired messages on a schedule.
pub struct Sweeper {
    db: DatabaseConnection,
    settings: Arc<Settings>,
    stats: Arc<RetentionStats>,
}

impl Sweeper {
    pub fn new(
        db: DatabaseConnection,
        settings: Arc<Settings>,
        stats: Arc<RetentionStats>,
    ) -> Self {
        Sweeper {
            db,
            settings,
            stats,
        }
    }

    /// One sweep of what has expired as of `now`; counts and logs what it deleted.
    pub async fn sweep_at(&self, now: DateTime<Utc>) -> Result<u64, SweepError> {
        let cutoff = self.settings.retention_cutoff(now);
        let outcome = sweep(&self.db, cutoff, SWEEP_BATCH).await;
        let deleted = match &outcome {
            Ok(n) => *n,
            Err(e) => e.deleted,
        };
        if outcome.is_ok() {
            self.stats.sweeps.fetch_add(1, Ordering::Relaxed);
        }
        if deleted > 0 {
            self.stats.record(deleted);
            info!(deleted, "swept expired messages");
        }
        outcome
    }

    /// Sweeps forever. A failed sweep is logged and the next one tries again.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(self.settings.messages.sweep_interval);
        // A sweep slower than the interval is followed by a full interval's
        // pause, not by a burst of catch-up sweeps.
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.sweep_at(Utc::now()).await {
                warn!(error = %e, "could not sweep expired messages");
            }
        }
    }
}
