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
//! Who is in the room is the [`Roster`]'s business; the hub owns it, hands
//! out one [`Connection`] per open socket (refused past the per-user cap) and
//! announces its changes.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sea_orm::{ConnectionTrait, DbErr};
use tokio::sync::{broadcast, watch, Notify};

pub use super::frames::Published;
use super::roster::{self, Roster, TooManySockets};
use crate::server::messages::history::History;
use crate::server::messages::store::{self as messages, Window};
use crate::types::{ChatMessage, UserRef};

/// Events a connection's writer may fall behind the hub by: one more and it
/// is closed with 1013 when it next reads (it resumes with `after=`). Every
/// subscriber of the hub is a socket's writer, so this is the per-socket
/// limit (the 256 frames of the reader's own queue before writers took the
/// events themselves).
pub const BROADCAST_BACKLOG: usize = 256;

/// Missing messages are read from storage in pages of this size.
const GAP_PAGE: u64 = 500;

/// What the hub sends to every connection.
#[derive(Clone, Debug)]
pub enum LiveEvent {
    Message(Arc<Published>),
    /// A message published before has new text.
    Edited(Arc<ChatMessage>),
    /// A message published before was deleted.
    Deleted(i64),
    Joined(UserRef),
    Left(UserRef),
    Typing(UserRef),
}

#[derive(Debug)]
pub struct Hub {
    events: broadcast::Sender<LiveEvent>,
    sequence: tokio::sync::Mutex<i64>,
    /// The last id published, readable without waiting for `sequence`.
    published: AtomicI64,
    /// The newest messages published, for reads that need no database.
    history: Arc<History>,
    roster: Mutex<Roster>,
    /// Signalled when this process's set of users changes.
    local_changed: Notify,
    /// Signalled when a user's last socket closes (a departure is due).
    departures: Notify,
    connections: AtomicUsize,
    all_closed: Notify,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(Arc::default())
    }
}

impl Hub {
    /// A hub that adds what it publishes to `history`.
    pub fn new(history: Arc<History>) -> Self {
        Hub {
            events: broadcast::channel(BROADCAST_BACKLOG).0,
            sequence: tokio::sync::Mutex::new(0),
            published: AtomicI64::new(0),
            history,
            roster: Mutex::default(),
            local_changed: Notify::new(),
            departures: Notify::new(),
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
        self.published.store(*last, Ordering::SeqCst);
    }

    /// Starts publishing after the newest stored message.
    pub async fn start(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut last = self.sequence.lock().await;
        *last = (*last).max(messages::newest_id(db).await?);
        self.published.store(*last, Ordering::SeqCst);
        Ok(())
    }

    /// Sends a stored message to every connection, unless it was published
    /// already; `last` is the guard from [`Hub::sequence`].
    pub fn publish(&self, last: &mut i64, message: ChatMessage) -> bool {
        if message.id <= *last {
            return false;
        }
        *last = message.id;
        let id = message.id;
        let published = Arc::new(Published::new(message));
        self.history.push(&published.message);
        // No receivers is fine: nobody is connected.
        let _ = self.events.send(LiveEvent::Message(published));
        self.published.store(id, Ordering::SeqCst);
        true
    }

    /// The last id published (every connection subscribed now hears only of
    /// later ones, or of this one at the latest).
    pub fn last_published(&self) -> i64 {
        self.published.load(Ordering::SeqCst)
    }

    /// Another process stored message `id`: publishes what storage holds up
    /// to it that is not published yet. Storage is the only source: a notice
    /// naming an id storage does not have publishes nothing of its own and
    /// moves nothing (notices come through Redis, which is trusted to deliver,
    /// not to tell what was said).
    pub async fn publish_up_to(
        &self,
        db: &impl ConnectionTrait,
        cutoff: chrono::DateTime<chrono::Utc>,
        last: &mut i64,
        id: i64,
    ) -> Result<usize, DbErr> {
        if id <= *last {
            return Ok(0);
        }
        self.publish_stored(db, cutoff, last, id.checked_add(1))
            .await
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

    /// Tells every connection that `message` (published before: `last` is
    /// the guard from [`Hub::sequence`], so this goes out in order with new
    /// messages) has new text. A message not published yet goes out later
    /// with its new text anyway.
    pub fn publish_edit(&self, last: &i64, message: ChatMessage) {
        if message.id > *last {
            return;
        }
        self.history.replace(&message);
        let _ = self.events.send(LiveEvent::Edited(Arc::new(message)));
    }

    /// Tells every connection that messages `ids` were deleted (`last` as
    /// for [`Hub::publish_edit`]).
    pub fn publish_delete(&self, last: &i64, ids: &[i64]) {
        self.history.remove(ids);
        for id in ids.iter().filter(|id| **id <= *last) {
            let _ = self.events.send(LiveEvent::Deleted(*id));
        }
    }

    /// The authors of the messages kept in memory (see
    /// [`crate::server::messages::editing::run_removed_authors`]).
    pub fn kept_authors(&self) -> std::collections::BTreeSet<i64> {
        self.history.authors()
    }

    pub fn typing(&self, user: UserRef) {
        let _ = self.events.send(LiveEvent::Typing(user));
    }

    /// A receiver for everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    fn roster(&self) -> parking_lot::MutexGuard<'_, Roster> {
        self.roster.lock()
    }

    fn announce(&self, changes: Vec<roster::Change>) {
        for change in changes {
            let _ = self.events.send(match change {
                roster::Change::Joined(user) => LiveEvent::Joined(user),
                roster::Change::Left(user) => LiveEvent::Left(user),
            });
        }
    }

    /// Registers a socket of `user`, unless they already hold `cap` (on every
    /// process, as far as this one knows); presence lasts until the guard drops.
    pub fn join(self: &Arc<Self>, user: UserRef, cap: u32) -> Result<Connection, TooManySockets> {
        let outcome = self.roster().join(&user, cap)?;
        self.connections.fetch_add(1, Ordering::SeqCst);
        self.announce(outcome.announce);
        if outcome.local_changed {
            self.local_changed.notify_one();
        }
        Ok(Connection {
            hub: Arc::clone(self),
            user,
        })
    }

    /// Announces the users whose last socket closed more than the grace
    /// period ago and who did not come back (runs for the server's life).
    pub async fn run_departures(self: Arc<Self>) {
        loop {
            let next = self.roster().next_departure();
            match next {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at.into()) => {}
                        _ = self.departures.notified() => continue,
                    }
                }
                None => {
                    self.departures.notified().await;
                    continue;
                }
            }
            let outcome = self.roster().depart(Instant::now());
            self.announce(outcome.announce);
            if outcome.local_changed {
                self.local_changed.notify_one();
            }
        }
    }

    /// Everyone online, by name.
    pub fn online(&self) -> Vec<UserRef> {
        self.roster().online()
    }

    /// The users connected to this process (by id, with their sockets here).
    pub fn local_users(&self) -> Vec<(i64, u32)> {
        self.roster().local()
    }

    /// Resolves when this process's set of users changes.
    pub async fn local_users_changed(&self) {
        self.local_changed.notified().await
    }

    /// Replaces what the other processes report as online (with their
    /// sockets there), announcing who arrived and who left the room as a whole.
    pub fn set_remote(&self, users: Vec<(UserRef, u32)>) {
        let changes = self.roster().set_remote(users);
        self.announce(changes);
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
        self.hub.roster().leave(self.user.id, Instant::now());
        self.hub.departures.notify_one();
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
    async fn a_user_is_online_while_any_tab_is_connected_and_leaves_after_the_grace() {
        let hub = Arc::new(Hub::default());
        tokio::spawn(Arc::clone(&hub).run_departures());
        let mut events = hub.subscribe();
        let first = hub.join(user(1), 20).unwrap();
        let second = hub.join(user(1), 20).unwrap();
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Joined(u)) if u.id == 1));
        assert!(
            events.try_recv().is_err(),
            "the second tab is not a new arrival"
        );
        assert_eq!(hub.online(), vec![user(1)]);
        drop(first);
        drop(second);
        assert_eq!(hub.connection_count(), 0);
        assert!(events.try_recv().is_err(), "not before the grace period");
        let left = tokio::time::timeout(roster::LEAVE_GRACE * 3, events.recv()).await;
        assert!(matches!(left, Ok(Ok(LiveEvent::Left(u))) if u.id == 1));
        assert!(hub.online().is_empty());
    }

    #[tokio::test]
    async fn a_user_may_hold_only_so_many_sockets() {
        let hub = Arc::new(Hub::default());
        let held: Vec<Connection> = (0..3).map(|_| hub.join(user(1), 3).unwrap()).collect();
        assert!(hub.join(user(1), 3).is_err());
        assert!(hub.join(user(2), 3).is_ok());
        drop(held);
        assert!(hub.join(user(1), 3).is_ok());
    }

    #[tokio::test]
    async fn a_message_is_published_once_and_only_in_id_order() {
        let hub = Hub::default();
        let mut events = hub.subscribe();
        hub.start_after(5).await;
        let message = |id| crate::types::ChatMessage {
            id,
            user: user(1),
            content: format!("m{id}"),
            timestamp: "2026-11-24T05:00:00.000000Z".into(),
            formatted_timestamp: "2026-11-24 05:00:00".into(),
            client_id: None,
            edited_at: None,
            mentions: Vec::new(),
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
        assert_eq!(hub.last_published(), 7);
    }

    #[tokio::test]
    async fn edits_and_deletions_go_out_in_order_only_for_published_messages() {
        let hub = Hub::default();
        hub.start_after(0).await;
        let mut events = hub.subscribe();
        let message = |id, content: &str| crate::types::ChatMessage {
            id,
            user: user(1),
            content: content.into(),
            timestamp: "2026-11-24T05:00:00.000000Z".into(),
            formatted_timestamp: "2026-11-24 05:00:00".into(),
            client_id: None,
            edited_at: None,
            mentions: Vec::new(),
        };
        let mut last = hub.sequence().await;
        hub.publish(&mut last, message(1, "first"));
        hub.publish_edit(&last, message(1, "fixed"));
        hub.publish_edit(&last, message(2, "not published yet"));
        hub.publish_delete(&last, &[1, 2]);
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Message(p)) if p.message.id == 1));
        assert!(
            matches!(events.try_recv(), Ok(LiveEvent::Edited(m)) if m.id == 1 && m.content == "fixed")
        );
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Deleted(1))));
        assert!(events.try_recv().is_err(), "nothing about message 2");
    }

    #[tokio::test]
    async fn closing_waits_for_connections_to_leave() {
        let hub = Arc::new(Hub::default());
        let conn = hub.join(user(1), 20).unwrap();
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
