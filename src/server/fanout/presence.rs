//! Presence across processes. Each process keeps a key with its connected
//! users (ids, with their sockets there) that expires unless refreshed, and a
//! score in a sorted set of live processes; a process that dies without
//! saying goodbye drops out within one time-to-live. Names come from storage,
//! never from Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Local;
use super::{Fanout, Notice};
use crate::types::UserRef;

/// Users read from one process's key at most (a key is written by a chat98
/// process, or by whoever can write to Redis).
const USERS_PER_PROCESS: usize = 10_000;

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

pub(super) async fn run(fanout: Arc<Fanout>, state: Local) {
    let ttl = fanout.presence_ttl;
    let mut tick = tokio::time::interval(ttl / 3);
    let mut shutdown = state.hub.shutdown_signal();
    let mut written: Option<Vec<(i64, u32)>> = None;
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
    state: &Local,
    ttl: Duration,
    written: &mut Option<Vec<(i64, u32)>>,
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
    let mut sockets: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
    if !keys.is_empty() {
        let lists: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut connection)
            .await
            .map_err(Some)?;
        for list in lists.into_iter().flatten() {
            if let Ok(users) = serde_json::from_str::<Vec<(i64, u32)>>(&list) {
                for (id, n) in users.into_iter().take(USERS_PER_PROCESS) {
                    let total = sockets.entry(id).or_default();
                    *total = total.saturating_add(n);
                }
            }
        }
    }
    state.hub.set_remote(named(state, sockets).await);
    Ok(())
}

/// The users behind `sockets`' ids, as storage knows them (unknown ids are dropped).
async fn named(state: &Local, sockets: std::collections::HashMap<i64, u32>) -> Vec<(UserRef, u32)> {
    let ids: Vec<i64> = sockets.keys().copied().collect();
    match state.users.find_many(&state.db, &ids).await {
        Ok(users) => users
            .iter()
            .map(|u| (UserRef::from(u), sockets.get(&u.id).copied().unwrap_or(0)))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the names of other processes' users");
            Vec::new()
        }
    }
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
