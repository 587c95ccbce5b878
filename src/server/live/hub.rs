//! The broadcast hub: every stored message, presence change and typing
//! notice goes out to every connection of this process.
//!
//! Messages are published in id order: storing and publishing happen under
//! one lock (`Hub::sequence`), so a connection never sees id 7 before id 6.
//! Each connection reads from a bounded broadcast queue; one that falls
//! behind by a whole queue is told so (and disconnected) instead of slowing
//! the sender or anyone else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch, Notify};

use crate::types::{ChatMessage, UserRef};

/// Events a connection's reader may fall behind the hub by before it is
/// disconnected (it normally only forwards them to its own queue).
pub const BROADCAST_BACKLOG: usize = 1024;

/// What the hub sends to every connection.
#[derive(Clone, Debug)]
pub enum LiveEvent {
    Message(Arc<ChatMessage>),
    Joined(UserRef),
    Left(UserRef),
    Typing(UserRef),
}

#[derive(Debug)]
pub struct Hub {
    events: broadcast::Sender<LiveEvent>,
    sequence: tokio::sync::Mutex<()>,
    /// Online users with their number of open connections.
    online: Mutex<HashMap<i64, (UserRef, usize)>>,
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
            sequence: tokio::sync::Mutex::new(()),
            online: Mutex::new(HashMap::new()),
            connections: AtomicUsize::new(0),
            all_closed: Notify::new(),
            shutdown: watch::channel(false).0,
        }
    }

    /// Held while a message is stored and published, so publication follows
    /// id order.
    pub async fn sequence(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.sequence.lock().await
    }

    /// Sends a stored message to every connection (call while holding `sequence`).
    pub fn publish(&self, message: ChatMessage) {
        // No receivers is fine: nobody is connected.
        let _ = self.events.send(LiveEvent::Message(Arc::new(message)));
    }

    pub fn typing(&self, user: UserRef) {
        let _ = self.events.send(LiveEvent::Typing(user));
    }

    /// A receiver for everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// Registers a connection of `user`; presence lasts until the guard drops.
    pub fn join(self: &Arc<Self>, user: UserRef) -> Connection {
        self.connections.fetch_add(1, Ordering::SeqCst);
        let first = {
            let mut online = self.online.lock().unwrap_or_else(|e| e.into_inner());
            let entry = online.entry(user.id).or_insert_with(|| (user.clone(), 0));
            entry.1 += 1;
            entry.1 == 1
        };
        if first {
            let _ = self.events.send(LiveEvent::Joined(user.clone()));
        }
        Connection {
            hub: Arc::clone(self),
            user,
        }
    }

    /// Everyone online, by name.
    pub fn online(&self) -> Vec<UserRef> {
        let online = self.online.lock().unwrap_or_else(|e| e.into_inner());
        let mut users: Vec<UserRef> = online.values().map(|(u, _)| u.clone()).collect();
        users.sort_by_key(|u| u.username.to_lowercase());
        users
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
        let last = {
            let mut online = self.hub.online.lock().unwrap_or_else(|e| e.into_inner());
            match online.get_mut(&self.user.id) {
                Some(entry) if entry.1 > 1 => {
                    entry.1 -= 1;
                    false
                }
                Some(_) => {
                    online.remove(&self.user.id);
                    true
                }
                None => false,
            }
        };
        if last {
            let _ = self.hub.events.send(LiveEvent::Left(self.user.clone()));
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
