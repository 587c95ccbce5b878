//! The newest messages, kept in memory so that the chat page, the history API
//! and a reconnecting socket's catch-up are answered without the database.
//!
//! The hub appends every message it publishes, in id order, so the tail is
//! complete: every message with an id above `floor` that this process has
//! published is here. Retention is applied when reading (the cutoff only moves
//! forward, so a message once expired stays hidden), which keeps the sweep out
//! of it. A read the tail cannot answer in full says so, and [`History`] asks
//! the database.

use std::collections::VecDeque;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use sea_orm::{ConnectionTrait, DbErr};

use super::store::{self, Window};
use crate::types::ChatMessage;

/// A message kept, with when it was stored (retention is applied on reading).
#[derive(Debug)]
struct Kept {
    message: ChatMessage,
    stored_at: SystemTime,
}

impl Kept {
    fn new(message: ChatMessage) -> Self {
        Kept {
            stored_at: store::stored_at(&message),
            message,
        }
    }
}

/// Reads of the history: from the newest messages in memory when they cover
/// the page asked for, from the database otherwise.
#[derive(Debug, Default)]
pub struct History {
    recent: Mutex<Recent>,
}

impl History {
    /// Keeps the newest retained messages in memory from now on and answers
    /// reads from there. That is for a process alone with its database: with
    /// several, a message another process has just stored is in the database
    /// before this one hears of it, and a client must find it there (read your
    /// own writes through any process), so they never call this.
    pub async fn load(
        &self,
        db: &impl ConnectionTrait,
        cutoff: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let newest = store::recent(db, KEPT as u64, cutoff).await?;
        let complete = newest.len() < KEPT;
        let newest = newest.into_iter().map(Kept::new).collect();
        self.recent.lock().load(newest, complete);
        Ok(())
    }

    /// Adds a message just published (ids only grow).
    pub fn push(&self, message: &ChatMessage) {
        self.recent.lock().push(Kept::new(message.clone()));
    }

    /// Message `message.id` was edited: the tail holds its new state.
    pub fn replace(&self, message: &ChatMessage) {
        let mut recent = self.recent.lock();
        if let Some(kept) = recent.find_mut(message.id) {
            kept.message = message.clone();
        }
    }

    /// Messages `ids` were deleted: the tail forgets them.
    pub fn remove(&self, ids: &[i64]) {
        // A purge names thousands: a set, not a scan of `ids` per message.
        let ids: std::collections::HashSet<i64> = ids.iter().copied().collect();
        self.recent
            .lock()
            .messages
            .retain(|kept| !ids.contains(&kept.message.id));
    }

    /// The ids of `author`'s messages kept in memory.
    pub fn ids_of(&self, author: i64) -> Vec<i64> {
        let recent = self.recent.lock();
        recent
            .messages
            .iter()
            .filter(|k| k.message.user.id == author)
            .map(|k| k.message.id)
            .collect()
    }

    /// The authors of the messages kept in memory.
    pub fn authors(&self) -> std::collections::BTreeSet<i64> {
        let recent = self.recent.lock();
        recent.messages.iter().map(|k| k.message.user.id).collect()
    }

    /// A page of retained messages (see [`store::page`]), from memory when the
    /// newest messages kept there cover it.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        window: Window,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<ChatMessage>, DbErr> {
        let cached = self.recent.lock().page(window, SystemTime::from(cutoff));
        match cached {
            Some(page) => Ok(page),
            None => store::page(db, window, cutoff).await,
        }
    }
}

/// How many messages the tail keeps: several pages, so that a socket that was
/// away for a moment catches up from memory too.
pub const KEPT: usize = 1000;

#[derive(Debug, Default)]
struct Recent {
    /// False until the hub has loaded the newest stored messages; until then
    /// every read goes to the database.
    loaded: bool,
    /// Every published message with an id above this is in `messages`.
    floor: i64,
    messages: VecDeque<Kept>,
}

impl Recent {
    /// Starts the tail from the newest retained messages (oldest first);
    /// `complete` says that nothing older is retained.
    fn load(&mut self, newest: Vec<Kept>, complete: bool) {
        self.floor = match newest.first() {
            Some(oldest) if !complete => oldest.message.id - 1,
            _ => 0,
        };
        self.messages = newest.into();
        self.trim();
        self.loaded = true;
    }

    /// Adds a message just published (ids only grow); nothing before loading.
    fn push(&mut self, published: Kept) {
        if !self.loaded {
            return;
        }
        self.messages.push_back(published);
        self.trim();
    }

    fn find_mut(&mut self, id: i64) -> Option<&mut Kept> {
        let at = self
            .messages
            .binary_search_by_key(&id, |k| k.message.id)
            .ok()?;
        self.messages.get_mut(at)
    }

    fn trim(&mut self) {
        while self.messages.len() > KEPT {
            if let Some(dropped) = self.messages.pop_front() {
                self.floor = dropped.message.id;
            }
        }
    }

    /// The page `window` asks for, of messages stored at or after `cutoff`,
    /// oldest first; `None` when older messages than the tail holds could
    /// belong to it.
    fn page(&self, window: Window, cutoff: SystemTime) -> Option<Vec<ChatMessage>> {
        if !self.loaded {
            return None;
        }
        let limit = usize::try_from(window.limit).unwrap_or(usize::MAX);
        let retained =
            |p: &&Kept| p.stored_at >= cutoff && window.before.is_none_or(|b| p.message.id < b);
        let page: Vec<&Kept> = match window.after {
            Some(after) => {
                if after < self.floor {
                    return None;
                }
                let start = self.messages.partition_point(|p| p.message.id <= after);
                self.messages
                    .range(start..)
                    .filter(retained)
                    .take(limit)
                    .collect()
            }
            None => {
                let mut newest: Vec<_> = self
                    .messages
                    .iter()
                    .rev()
                    .filter(retained)
                    .take(limit)
                    .collect();
                if newest.len() < limit && self.floor > 0 {
                    return None;
                }
                newest.reverse();
                newest
            }
        };
        Some(page.into_iter().map(|p| p.message.clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::types::UserRef;

    fn published(id: i64, age_secs: u64) -> Kept {
        Kept {
            message: ChatMessage {
                id,
                user: UserRef {
                    id: 1,
                    username: "alice".into(),
                },
                content: format!("m{id}"),
                timestamp: String::new(),
                formatted_timestamp: String::new(),
                client_id: None,
                edited_at: None,
                mentions: Vec::new(),
            },
            stored_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 - age_secs),
        }
    }

    fn ids(page: Option<Vec<ChatMessage>>) -> Option<Vec<i64>> {
        page.map(|p| p.into_iter().map(|m| m.id).collect())
    }

    fn window(before: Option<i64>, after: Option<i64>, limit: u64) -> Window {
        Window {
            before,
            after,
            limit,
        }
    }

    const LONG_AGO: SystemTime = SystemTime::UNIX_EPOCH;

    #[test]
    fn nothing_is_answered_before_loading() {
        let recent = Recent::default();
        assert_eq!(recent.page(window(None, None, 10), LONG_AGO), None);
    }

    #[test]
    fn a_complete_tail_answers_every_read() {
        let mut recent = Recent::default();
        recent.load((1..=5).map(|id| published(id, 0)).collect(), true);
        recent.push(published(7, 0));
        assert_eq!(
            ids(recent.page(window(None, None, 3), LONG_AGO)),
            Some(vec![4, 5, 7])
        );
        assert_eq!(
            ids(recent.page(window(None, None, 10), LONG_AGO)),
            Some(vec![1, 2, 3, 4, 5, 7])
        );
        assert_eq!(
            ids(recent.page(window(Some(4), None, 10), LONG_AGO)),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            ids(recent.page(window(None, Some(3), 2), LONG_AGO)),
            Some(vec![4, 5])
        );
        assert_eq!(
            ids(recent.page(window(None, Some(0), 10), LONG_AGO)),
            Some(vec![1, 2, 3, 4, 5, 7])
        );
    }

    #[test]
    fn reads_reaching_below_the_tail_go_to_the_database() {
        let mut recent = Recent::default();
        // Older messages exist in storage.
        recent.load((11..=15).map(|id| published(id, 0)).collect(), false);
        assert_eq!(
            ids(recent.page(window(None, None, 5), LONG_AGO)),
            Some(vec![11, 12, 13, 14, 15])
        );
        assert_eq!(recent.page(window(None, None, 6), LONG_AGO), None);
        assert_eq!(recent.page(window(Some(13), None, 5), LONG_AGO), None);
        assert_eq!(
            ids(recent.page(window(None, Some(10), 2), LONG_AGO)),
            Some(vec![11, 12])
        );
        assert_eq!(recent.page(window(None, Some(9), 2), LONG_AGO), None);
    }

    #[test]
    fn the_tail_keeps_a_bounded_number_and_knows_what_it_dropped() {
        let mut recent = Recent::default();
        recent.load(Vec::new(), true);
        for id in 1..=(KEPT as i64 + 10) {
            recent.push(published(id, 0));
        }
        assert_eq!(recent.messages.len(), KEPT);
        assert_eq!(recent.page(window(None, Some(5), 3), LONG_AGO), None);
        assert_eq!(
            ids(recent.page(window(None, Some(10), 2), LONG_AGO)),
            Some(vec![11, 12])
        );
        assert_eq!(
            recent.page(window(None, None, KEPT as u64 + 1), LONG_AGO),
            None
        );
    }

    #[test]
    fn expired_messages_are_never_shown() {
        let mut recent = Recent::default();
        recent.load(
            vec![published(1, 500), published(2, 100), published(3, 0)],
            true,
        );
        let cutoff = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 - 200);
        assert_eq!(
            ids(recent.page(window(None, None, 10), cutoff)),
            Some(vec![2, 3])
        );
        assert_eq!(
            ids(recent.page(window(None, Some(0), 10), cutoff)),
            Some(vec![2, 3])
        );
    }
}
