//! The broadcast hub: every stored message, presence change and typing
//! notice goes out to every connection of this process.
//!
//! Messages are published in id order, each once: the hub remembers the last
//! id it published (`Hub::sequence`), drops anything at or below it, and when
//! a message says an earlier one exists that it has not seen (stored by
//! another process whose notice is late or lost) it reads that from storage
//! first. Each connection reads from a bounded broadcast queue; one that falls
//! behind by a whole queue is told so (and disconnected) instead of slowing
//! the sender or anyone else.
//!
//! Presence is this process's connections plus, with several processes, the
//! users the others report ([`Hub::set_remote`]); joins and leaves are
//! announced when a user appears in or vanishes from that union.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use sea_orm::{ConnectionTrait, DbErr};
use tokio::sync::{broadcast, watch, Notify};

use super::connection::EncodedFrames;
use super::recent::{self, Recent};
use crate::server::messages::{self, Window};
use crate::types::{ChatMessage, UserRef};

/// Events a connection's reader may fall behind the hub by before it is
/// disconnected (it normally only forwards them to its own queue).
pub const BROADCAST_BACKLOG: usize = 1024;

/// Missing messages are read from storage in pages of this size.
const GAP_PAGE: u64 = 500;

/// What the hub sends to every connection.
#[derive(Clone, Debug)]
pub enum LiveEvent {
    Message(Arc<Published>),
    Joined(UserRef),
    Left(UserRef),
    Typing(UserRef),
}

/// A stored message on its way to the connections.
#[derive(Debug)]
pub struct Published {
    pub message: ChatMessage,
    /// When it was stored, for the delivery latency metric.
    pub stored_at: SystemTime,
    /// Its frames, once a connection has encoded them.
    pub frames: EncodedFrames,
}

impl Published {
    fn new(message: ChatMessage) -> Self {
        let stored_at = chrono::DateTime::parse_from_rfc3339(&message.timestamp)
            .map(SystemTime::from)
            .unwrap_or_else(|_| SystemTime::now());
        Published {
            message,
            stored_at,
            frames: EncodedFrames::default(),
        }
    }
}

/// The hub's locks guard plain data that a panic cannot leave half-changed.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug, Default)]
struct Presence {
    /// This process's users with their number of open connections.
    local: HashMap<i64, (UserRef, usize)>,
    /// Users connected to other processes only as far as they told us.
    remote: HashMap<i64, UserRef>,
}

impl Presence {
    fn is_online(&self, id: i64) -> bool {
        self.local.contains_key(&id) || self.remote.contains_key(&id)
    }
}

#[derive(Debug)]
pub struct Hub {
    events: broadcast::Sender<LiveEvent>,
    sequence: tokio::sync::Mutex<i64>,
    /// The newest messages published, for reads that need no database.
    recent: Mutex<Recent>,
    presence: Mutex<Presence>,
    /// Signalled when this process's set of users changes.
    local_changed: Notify,
    connections: AtomicUsize,
    all_closed: Notify,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        Hub {
            events: broadcast::channel(BROADCAST_BACKLOG).0,
            sequence: tokio::sync::Mutex::new(0),
            recent: Mutex::default(),
            presence: Mutex::new(Presence::default()),
            local_changed: Notify::new(),
            connections: AtomicUsize::new(0),
            all_closed: Notify::new(),
            shutdown: watch::channel(false).0,
        }
    }

    /// Held while a message is stored and published, so that this process
    /// publishes in id order; the guard holds the last id published.
    pub async fn sequence(&self) -> tokio::sync::MutexGuard<'_, i64> {
        self.sequence.lock().await
    }

    /// Starts publishing after `id`, as [`Hub::start`] does with the newest
    /// stored message; lets the tests start a hub without a database.
    #[cfg(test)]
    pub async fn start_after(&self, id: i64) {
        let mut last = self.sequence.lock().await;
        *last = (*last).max(id);
    }

    /// Starts publishing after the newest stored message. With `reads_from_memory`
    /// it also keeps the newest retained ones in memory from here on and answers
    /// history reads from there (see [`Recent`]). That is for a process alone
    /// with its database: with several, a message another process has just
    /// stored is in the database before this one hears of it, and a client
    /// must find it there (read your own writes through any process).
    pub async fn start(
        &self,
        db: &impl ConnectionTrait,
        cutoff: chrono::DateTime<chrono::Utc>,
        reads_from_memory: bool,
    ) -> Result<(), DbErr> {
        let mut last = self.sequence.lock().await;
        *last = (*last).max(messages::newest_id(db).await?);
        if reads_from_memory {
            let newest = messages::recent(db, recent::KEPT as u64, cutoff).await?;
            let complete = newest.len() < recent::KEPT;
            let newest = newest
                .into_iter()
                .map(|m| Arc::new(Published::new(m)))
                .collect();
            lock(&self.recent).load(newest, complete);
        }
        Ok(())
    }

    /// A page of retained messages (see [`messages::page`]), from memory when
    /// the newest messages kept there cover it.
    pub async fn history(
        &self,
        db: &impl ConnectionTrait,
        window: Window,
        cutoff: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<ChatMessage>, DbErr> {
        let cached = lock(&self.recent).page(window, SystemTime::from(cutoff));
        match cached {
            Some(page) => Ok(page),
            None => messages::page(db, window, cutoff).await,
        }
    }

    /// Sends a stored message to every connection, unless it was published
    /// already; `last` is the guard from [`Hub::sequence`].
    pub fn publish(&self, last: &mut i64, message: ChatMessage) -> bool {
        if message.id <= *last {
            return false;
        }
        *last = message.id;
        let published = Arc::new(Published::new(message));
        lock(&self.recent).push(Arc::clone(&published));
        // No receivers is fine: nobody is connected.
        let _ = self.events.send(LiveEvent::Message(published));
        true
    }

    /// Publishes `message`, first reading from `db` any message stored
    /// between the last one published and it: `previous` is the id stored
    /// just before it, so anything in between exists and was missed.
    pub async fn publish_in_order(
        &self,
        db: &impl ConnectionTrait,
        cutoff: chrono::DateTime<chrono::Utc>,
        last: &mut i64,
        message: ChatMessage,
        previous: i64,
    ) -> Result<(), DbErr> {
        if message.id <= *last {
            return Ok(());
        }
        if previous > *last {
            self.publish_stored(db, cutoff, last, Some(message.id))
                .await?;
        }
        self.publish(last, message);
        Ok(())
    }

    /// Publishes what storage holds after the last published id (and before
    /// `before`, if given): the replay after a gap or an outage.
    pub async fn publish_stored(
        &self,
        db: &impl ConnectionTrait,
        cutoff: chrono::DateTime<chrono::Utc>,
        last: &mut i64,
        before: Option<i64>,
    ) -> Result<usize, DbErr> {
        let mut published = 0;
        loop {
            let window = Window {
                after: Some(*last),
                before,
                limit: GAP_PAGE,
            };
            let page = messages::page(db, window, cutoff).await?;
            let full = page.len() as u64 == GAP_PAGE;
            for message in page {
                if self.publish(last, message) {
                    published += 1;
                }
            }
            if !full {
                return Ok(published);
            }
        }
    }

    pub fn typing(&self, user: UserRef) {
        let _ = self.events.send(LiveEvent::Typing(user));
    }

    /// A receiver for everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    fn presence(&self) -> std::sync::MutexGuard<'_, Presence> {
        lock(&self.presence)
    }

    /// Registers a connection of `user`; presence lasts until the guard drops.
    pub fn join(self: &Arc<Self>, user: UserRef) -> Connection {
        self.connections.fetch_add(1, Ordering::SeqCst);
        let (first_here, arrived) = {
            let mut presence = self.presence();
            let was_online = presence.is_online(user.id);
            let entry = presence
                .local
                .entry(user.id)
                .or_insert_with(|| (user.clone(), 0));
            entry.1 += 1;
            (entry.1 == 1, !was_online)
        };
        if arrived {
            let _ = self.events.send(LiveEvent::Joined(user.clone()));
        }
        if first_here {
            self.local_changed.notify_one();
        }
        Connection {
            hub: Arc::clone(self),
            user,
        }
    }

    /// Everyone online, by name.
    pub fn online(&self) -> Vec<UserRef> {
        let presence = self.presence();
        let mut users: BTreeMap<i64, UserRef> = presence
            .local
            .values()
            .map(|(u, _)| (u.id, u.clone()))
            .collect();
        for user in presence.remote.values() {
            users.entry(user.id).or_insert_with(|| user.clone());
        }
        let mut users: Vec<UserRef> = users.into_values().collect();
        users.sort_by_key(|u| u.username.to_lowercase());
        users
    }

    /// The users connected to this process.
    pub fn local_users(&self) -> Vec<UserRef> {
        let presence = self.presence();
        let mut users: Vec<UserRef> = presence.local.values().map(|(u, _)| u.clone()).collect();
        users.sort_by_key(|u| u.id);
        users
    }

    /// Resolves when this process's set of users changes.
    pub async fn local_users_changed(&self) {
        self.local_changed.notified().await
    }

    /// Replaces what the other processes report as online, announcing who
    /// arrived and who left the room as a whole.
    pub fn set_remote(&self, users: Vec<UserRef>) {
        let mut announcements = Vec::new();
        {
            let mut presence = self.presence();
            let remote: HashMap<i64, UserRef> = users.into_iter().map(|u| (u.id, u)).collect();
            for (id, user) in &remote {
                if !presence.is_online(*id) {
                    announcements.push(LiveEvent::Joined(user.clone()));
                }
            }
            let old = std::mem::replace(&mut presence.remote, remote);
            for (id, user) in old {
                if !presence.is_online(id) {
                    announcements.push(LiveEvent::Left(user));
                }
            }
        }
        for event in announcements {
            let _ = self.events.send(event);
        }
    }

    /// Open websocket connections in this process.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Resolves when the server is shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Asks every connection to close (1001) and waits, at most `patience`,
    /// until they have.
    pub async fn close_all(&self, patience: Duration) {
        self.shutdown.send_replace(true);
        let closed = async {
            while self.connection_count() > 0 {
                let notified = self.all_closed.notified();
                if self.connection_count() == 0 {
                    break;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(patience, closed).await;
    }
}

/// One open connection; dropping it updates presence.
pub struct Connection {
    hub: Arc<Hub>,
    pub user: UserRef,
}

impl Drop for Connection {
    fn drop(&mut self) {
        let (last_here, departed) = {
            let mut presence = self.hub.presence();
            let last_here = match presence.local.get_mut(&self.user.id) {
                Some(entry) if entry.1 > 1 => {
                    entry.1 -= 1;
                    false
                }
                Some(_) => {
                    presence.local.remove(&self.user.id);
                    true
                }
                None => false,
            };
            (last_here, last_here && !presence.is_online(self.user.id))
        };
        if departed {
            let _ = self.hub.events.send(LiveEvent::Left(self.user.clone()));
        }
        if last_here {
            self.hub.local_changed.notify_one();
        }
        if self.hub.connections.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.hub.all_closed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64) -> UserRef {
        UserRef {
            id,
            username: format!("u{id}"),
        }
    }

    #[tokio::test]
    async fn a_user_is_online_while_any_tab_is_connected() {
        let hub = Arc::new(Hub::new());
        let mut events = hub.subscribe();
        let first = hub.join(user(1));
        let second = hub.join(user(1));
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Joined(u)) if u.id == 1));
        assert!(
            events.try_recv().is_err(),
            "the second tab is not a new arrival"
        );
        assert_eq!(hub.online(), vec![user(1)]);
        drop(first);
        assert!(events.try_recv().is_err());
        drop(second);
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Left(u)) if u.id == 1));
        assert!(hub.online().is_empty());
        assert_eq!(hub.connection_count(), 0);
    }

    #[tokio::test]
    async fn other_processes_users_join_and_leave_the_room_once() {
        let hub = Arc::new(Hub::new());
        let mut events = hub.subscribe();
        let here = hub.join(user(1));
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Joined(u)) if u.id == 1));
        // User 1 is also on another process, user 2 only there.
        hub.set_remote(vec![user(1), user(2)]);
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Joined(u)) if u.id == 2));
        assert!(events.try_recv().is_err(), "user 1 was here already");
        assert_eq!(hub.online(), vec![user(1), user(2)]);
        assert_eq!(hub.local_users(), vec![user(1)]);
        // Leaving here while still there is not leaving the room.
        drop(here);
        assert!(events.try_recv().is_err());
        hub.set_remote(vec![]);
        let mut left: Vec<i64> = std::iter::from_fn(|| match events.try_recv() {
            Ok(LiveEvent::Left(u)) => Some(u.id),
            _ => None,
        })
        .collect();
        left.sort();
        assert_eq!(left, [1, 2]);
        assert!(hub.online().is_empty());
    }

    #[tokio::test]
    async fn a_message_is_published_once_and_only_in_id_order() {
        let hub = Hub::new();
        let mut events = hub.subscribe();
        hub.start_after(5).await;
        let message = |id| crate::types::ChatMessage {
            id,
            user: user(1),
            content: format!("m{id}"),
            timestamp: "2026-11-24T05:00:00.000000Z".into(),
            formatted_timestamp: "2026-11-24 05:00:00".into(),
            client_id: None,
        };
        let mut last = hub.sequence().await;
        assert!(
            !hub.publish(&mut last, message(5)),
            "stored before the start"
        );
        assert!(hub.publish(&mut last, message(7)));
        assert!(!hub.publish(&mut last, message(7)), "a duplicate");
        assert!(!hub.publish(&mut last, message(6)), "older than the last");
        assert_eq!(*last, 7);
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Message(p)) if p.message.id == 7));
        assert!(events.try_recv().is_err());
    }

    #[tokio::test]
    async fn closing_waits_for_connections_to_leave() {
        let hub = Arc::new(Hub::new());
        let conn = hub.join(user(1));
        let mut signal = hub.shutdown_signal();
        let watcher = tokio::spawn(async move {
            let _ = signal.changed().await;
            drop(conn);
        });
        hub.close_all(Duration::from_secs(5)).await;
        assert_eq!(hub.connection_count(), 0);
        watcher.await.unwrap();
    }
}
