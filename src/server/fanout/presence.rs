//! Presence across processes. Each process keeps a key with its connected
//! users that expires unless refreshed, and a score in a sorted set of live
//! processes; a process that dies without saying goodbye drops out within
//! one time-to-live.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Fanout, Notice};
use crate::server::AppState;
use crate::types::UserRef;

impl Fanout {
    /// Sorted set of process origins, scored by when their presence expires (ms).
    fn processes_key(&self) -> String {
        format!("{}:processes", self.prefix)
    }

    /// The key holding a process's connected users (JSON), expiring with it.
    fn presence_key(&self, origin: &str) -> String {
        format!("{}:presence:{origin}", self.prefix)
    }
}

pub(super) async fn run(fanout: Arc<Fanout>, state: AppState) {
    let ttl = fanout.presence_ttl;
    let mut tick = tokio::time::interval(ttl / 3);
    let mut shutdown = state.hub.shutdown_signal();
    let mut written: Option<Vec<UserRef>> = None;
    let mut unreachable_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = state.hub.local_users_changed() => {}
            _ = fanout.presence_wanted.notified() => {}
            _ = shutdown.changed() => {
                withdraw(&fanout).await;
                return;
            }
        }
        match refresh(&fanout, &state, ttl, &mut written).await {
            Ok(()) => unreachable_since = None,
            Err(e) => {
                if let Some(e) = e {
                    fanout.link.broken(&e).await;
                }
                // Nobody can vouch for the others' users any more.
                let since = *unreachable_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= ttl {
                    state.hub.set_remote(Vec::new());
                }
            }
        }
    }
}

/// Writes this process's users and reads everyone else's. `Err(None)`: Redis
/// is unreachable; `Err(Some(e))`: a command failed.
async fn refresh(
    fanout: &Fanout,
    state: &AppState,
    ttl: Duration,
    written: &mut Option<Vec<UserRef>>,
) -> Result<(), Option<redis::RedisError>> {
    let mut connection = fanout.link.connection().await.ok_or(None)?;
    let users = state.hub.local_users();
    let now = unix_millis();
    let ttl_ms = ttl.as_millis() as u64;
    let (live,): (Vec<String>,) = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(fanout.presence_key(&fanout.origin))
        .arg(serde_json::to_string(&users).unwrap_or_default())
        .arg("PX")
        .arg(ttl_ms)
        .ignore()
        .cmd("ZADD")
        .arg(fanout.processes_key())
        .arg(now + ttl_ms)
        .arg(&fanout.origin)
        .ignore()
        // The set itself goes away once no process refreshes it.
        .cmd("PEXPIRE")
        .arg(fanout.processes_key())
        .arg(ttl_ms * 2)
        .ignore()
        .cmd("ZREMRANGEBYSCORE")
        .arg(fanout.processes_key())
        .arg("-inf")
        .arg(now)
        .ignore()
        .cmd("ZRANGEBYSCORE")
        .arg(fanout.processes_key())
        .arg(now)
        .arg("+inf")
        .query_async(&mut connection)
        .await
        .map_err(Some)?;
    if written.as_ref() != Some(&users) {
        *written = Some(users);
        fanout.announce(Notice::Presence);
    }
    let keys: Vec<String> = live
        .iter()
        .filter(|origin| **origin != fanout.origin)
        .map(|origin| fanout.presence_key(origin))
        .collect();
    let mut remote = Vec::new();
    if !keys.is_empty() {
        let lists: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut connection)
            .await
            .map_err(Some)?;
        for list in lists.into_iter().flatten() {
            if let Ok(users) = serde_json::from_str::<Vec<UserRef>>(&list) {
                remote.extend(users);
            }
        }
    }
    state.hub.set_remote(remote);
    Ok(())
}

/// Removes this process's presence and tells the others.
async fn withdraw(fanout: &Fanout) {
    let Some(mut connection) = fanout.link.connection().await else {
        return;
    };
    let removed = redis::pipe()
        .cmd("DEL")
        .arg(fanout.presence_key(&fanout.origin))
        .ignore()
        .cmd("ZREM")
        .arg(fanout.processes_key())
        .arg(&fanout.origin)
        .ignore()
        .cmd("PUBLISH")
        .arg(fanout.channel())
        .arg(
            super::Envelope {
                origin: fanout.origin.clone(),
                notice: Notice::Presence,
            }
            .encode(),
        )
        .ignore()
        .query_async::<()>(&mut connection)
        .await;
    if let Err(e) = removed {
        tracing::warn!(error = %e, "could not withdraw presence from Redis; it expires by itself");
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
