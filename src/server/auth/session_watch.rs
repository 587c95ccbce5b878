//! Ending what a session opened when the session ends.
//!
//! A websocket is signed in once, at its handshake. So that a sign-out (or a
//! sign-in that replaces the session, or expiry) also silences the sockets
//! opened with it, each socket watches its session here, and the watch ends:
//! - at once when this process ends the session ([`SessionWatch::end`]);
//! - when another process says a session of that user ended (a fan-out
//!   notice carrying only the user id, see [`SessionWatch::check_user`]):
//!   the sessions are then looked up in the database, which is the only
//!   authority (a made-up notice ends nothing);
//! - when the session's expiry, as the database records it, passes;
//! - and, as a backstop for changes no notice told of (a command run on the
//!   same database, a lost notice), when a periodic look-up no longer finds
//!   the session.
//!
//! A newly watched session is looked up right away too, so a sign-out that
//! raced with the socket's handshake is not missed.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{watch, Notify};
use tower_sessions::session::Id;

use super::session_store::DbSessionStore;

/// Every watched session is looked up in the database this often.
pub const BACKSTOP: Duration = Duration::from_secs(5);
/// The task never looks up more often than this (a failing look-up of an
/// expired session must not turn into a busy loop).
const MIN_WAIT: Duration = Duration::from_millis(200);

#[derive(Debug)]
struct Watched {
    user: i64,
    /// When the database says the session expires (`None` until looked up).
    expiry: Option<OffsetDateTime>,
    ended: watch::Sender<bool>,
    watchers: usize,
}

#[derive(Debug)]
pub struct SessionWatch {
    sessions: Mutex<HashMap<Id, Watched>>,
    /// Sessions to look up at the next turn of the task (new or suspect).
    due: Mutex<Vec<Id>>,
    store: DbSessionStore,
    wake: Notify,
}

/// One socket's view of its session; dropping it stops watching.
#[derive(Debug)]
pub struct Watching {
    id: Id,
    ended: watch::Receiver<bool>,
    watch: Arc<SessionWatch>,
}

impl Clone for Watching {
    fn clone(&self) -> Self {
        if let Some(watched) = self.watch.sessions().get_mut(&self.id) {
            watched.watchers += 1;
        }
        Watching {
            id: self.id,
            ended: self.ended.clone(),
            watch: Arc::clone(&self.watch),
        }
    }
}

impl Watching {
    /// Resolves once the session has ended.
    pub async fn ended(&mut self) {
        if self.ended.wait_for(|ended| *ended).await.is_err() {
            // The sender is gone only when the watch forgot this session,
            // which it does once it has ended.
            std::future::pending::<()>().await;
        }
    }

    pub fn has_ended(&self) -> bool {
        *self.ended.borrow()
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let mut sessions = self.watch.sessions();
        if let Some(watched) = sessions.get_mut(&self.id) {
            watched.watchers = watched.watchers.saturating_sub(1);
            if watched.watchers == 0 {
                sessions.remove(&self.id);
            }
        }
    }
}

impl SessionWatch {
    pub fn new(store: DbSessionStore) -> Arc<SessionWatch> {
        Arc::new(SessionWatch {
            sessions: Mutex::default(),
            due: Mutex::default(),
            store,
            wake: Notify::new(),
        })
    }

    fn sessions(&self) -> parking_lot::MutexGuard<'_, HashMap<Id, Watched>> {
        self.sessions.lock()
    }

    fn due(&self) -> parking_lot::MutexGuard<'_, Vec<Id>> {
        self.due.lock()
    }

    /// Starts watching session `id` of `user` for one socket.
    pub fn watch(self: &Arc<Self>, id: Id, user: i64) -> Watching {
        let ended_already = self.store.has_ended(&id);
        let ended = {
            let mut sessions = self.sessions();
            let watched = sessions.entry(id).or_insert_with(|| Watched {
                user,
                expiry: None,
                ended: watch::channel(false).0,
                watchers: 0,
            });
            watched.watchers += 1;
            if ended_already {
                watched.ended.send_replace(true);
            }
            watched.ended.subscribe()
        };
        self.due().push(id);
        self.wake.notify_one();
        Watching {
            id,
            ended,
            watch: Arc::clone(self),
        }
    }

    /// This process ended session `id`: its sockets close now.
    pub fn end(&self, id: &Id) {
        if let Some(watched) = self.sessions().get(id) {
            watched.ended.send_replace(true);
        }
    }

    /// Some session of `user` may have ended elsewhere: look theirs up.
    pub fn check_user(&self, user: i64) {
        let ids: Vec<Id> = self
            .sessions()
            .iter()
            .filter(|(_, w)| w.user == user)
            .map(|(id, _)| *id)
            .collect();
        if !ids.is_empty() {
            self.due().extend(ids);
            self.wake.notify_one();
        }
    }

    /// Sockets watched, for metrics and tests.
    pub fn watched(&self) -> usize {
        self.sessions().len()
    }

    /// Looks `ids` up in the database; ends those gone or expired and
    /// remembers the others' expiry.
    async fn look_up(&self, ids: Vec<Id>) {
        let found = match self.store.expiries(&ids).await {
            Ok(found) => found,
            Err(e) => {
                // Nothing is ended on a failed look-up; the next one retries.
                tracing::warn!(error = %e, "could not look up sessions of open sockets");
                return;
            }
        };
        let now = OffsetDateTime::now_utc();
        let mut sessions = self.sessions();
        for id in ids {
            let Some(watched) = sessions.get_mut(&id) else {
                continue;
            };
            match found.get(&id) {
                Some(expiry) if *expiry > now => watched.expiry = Some(*expiry),
                _ => {
                    watched.ended.send_replace(true);
                }
            }
        }
    }

    /// The sessions whose recorded expiry has passed.
    fn expired(&self, now: OffsetDateTime) -> Vec<Id> {
        self.sessions()
            .iter()
            .filter(|(_, w)| w.expiry.is_some_and(|e| e <= now) && !*w.ended.borrow())
            .map(|(id, _)| *id)
            .collect()
    }

    /// How long until the next recorded expiry (at most `BACKSTOP`).
    fn until_next_expiry(&self, now: OffsetDateTime) -> Duration {
        self.sessions()
            .values()
            .filter(|w| !*w.ended.borrow())
            .filter_map(|w| w.expiry)
            .min()
            .map(|e| Duration::try_from(e - now).unwrap_or(Duration::ZERO))
            .unwrap_or(BACKSTOP)
            .clamp(MIN_WAIT, BACKSTOP)
    }

    /// The watching task: looks up new and suspect sessions as they come,
    /// expired ones as their expiry passes, and all of them every `BACKSTOP`.
    pub async fn run(self: Arc<Self>) {
        let mut backstop = tokio::time::interval(BACKSTOP);
        backstop.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wait = self.until_next_expiry(OffsetDateTime::now_utc());
            let all = tokio::select! {
                _ = self.wake.notified() => false,
                _ = tokio::time::sleep(wait) => false,
                _ = backstop.tick() => true,
            };
            let mut ids: Vec<Id> = std::mem::take(&mut *self.due());
            ids.extend(self.expired(OffsetDateTime::now_utc()));
            if all {
                ids.extend(self.sessions().keys().copied());
            }
            ids.sort_unstable_by_key(|id| id.0);
            ids.dedup();
            if !ids.is_empty() {
                self.look_up(ids).await;
            }
        }
    }
}
