//! Who is in the room: this process's users with their open sockets, plus
//! (with several processes) the users the others report.
//!
//! Joins and leaves are announced when a user appears in or vanishes from
//! that union. A user whose last socket closes stays listed for a short grace
//! period: reconnecting within it (a reload, a flaky network, or someone
//! cycling sockets to flood the room) announces nothing.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::types::UserRef;

/// How long a user whose last socket closed still counts as here.
pub const LEAVE_GRACE: Duration = Duration::from_secs(1);

/// A change the whole room hears of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Joined(UserRef),
    Left(UserRef),
}

#[derive(Debug)]
struct Here {
    user: UserRef,
    sockets: u32,
    /// Set once the last socket closed: the user is gone at this instant
    /// unless one opens again before it.
    leaving_at: Option<Instant>,
}

/// Refused: the user already holds `cap` sockets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManySockets {
    pub cap: u32,
}

#[derive(Debug, Default)]
pub struct Roster {
    here: HashMap<i64, Here>,
    /// Users on other processes, with their sockets there.
    remote: HashMap<i64, (UserRef, u32)>,
}

/// The outcome of a join or leave: what to announce, and whether this
/// process's own list changed (the others must be told).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub announce: Vec<Change>,
    pub local_changed: bool,
}

impl Roster {
    fn is_online(&self, id: i64) -> bool {
        self.here.contains_key(&id) || self.remote.contains_key(&id)
    }

    /// Sockets `id` holds on every process (as far as this one knows).
    pub fn sockets_of(&self, id: i64) -> u32 {
        let here = self.here.get(&id).map_or(0, |h| h.sockets);
        let there = self.remote.get(&id).map_or(0, |(_, n)| *n);
        here + there
    }

    /// One more socket for `user`, unless that would exceed `cap`.
    pub fn join(&mut self, user: &UserRef, cap: u32) -> Result<Outcome, TooManySockets> {
        if self.sockets_of(user.id) >= cap {
            return Err(TooManySockets { cap });
        }
        let was_online = self.is_online(user.id);
        let here = self.here.entry(user.id).or_insert_with(|| Here {
            user: user.clone(),
            sockets: 0,
            leaving_at: None,
        });
        let first_here = here.sockets == 0 && here.leaving_at.is_none();
        here.sockets += 1;
        here.leaving_at = None;
        Ok(Outcome {
            announce: if was_online {
                Vec::new()
            } else {
                vec![Change::Joined(user.clone())]
            },
            local_changed: first_here,
        })
    }

    /// One socket of `user` closed; the last one starts the grace period.
    pub fn leave(&mut self, id: i64, now: Instant) {
        if let Some(here) = self.here.get_mut(&id) {
            here.sockets = here.sockets.saturating_sub(1);
            if here.sockets == 0 {
                here.leaving_at = Some(now + LEAVE_GRACE);
            }
        }
    }

    /// Removes the users whose grace has run out by `now`.
    pub fn depart(&mut self, now: Instant) -> Outcome {
        let gone: Vec<i64> = self
            .here
            .iter()
            .filter(|(_, h)| h.leaving_at.is_some_and(|at| at <= now))
            .map(|(id, _)| *id)
            .collect();
        let mut outcome = Outcome::default();
        for id in gone {
            if let Some(here) = self.here.remove(&id) {
                outcome.local_changed = true;
                if !self.remote.contains_key(&id) {
                    outcome.announce.push(Change::Left(here.user));
                }
            }
        }
        outcome
    }

    /// When the next grace period ends, if any is running.
    pub fn next_departure(&self) -> Option<Instant> {
        self.here.values().filter_map(|h| h.leaving_at).min()
    }

    /// Replaces what the other processes report, announcing who arrived and
    /// who left the room as a whole.
    pub fn set_remote(&mut self, users: Vec<(UserRef, u32)>) -> Vec<Change> {
        let mut changes = Vec::new();
        let remote: HashMap<i64, (UserRef, u32)> =
            users.into_iter().map(|(u, n)| (u.id, (u, n))).collect();
        for (id, (user, _)) in &remote {
            if !self.is_online(*id) {
                changes.push(Change::Joined(user.clone()));
            }
        }
        let old = std::mem::replace(&mut self.remote, remote);
        for (id, (user, _)) in old {
            if !self.is_online(id) {
                changes.push(Change::Left(user));
            }
        }
        changes
    }

    /// Everyone online, sorted by name.
    pub fn online(&self) -> Vec<UserRef> {
        let mut users: BTreeMap<i64, UserRef> = self
            .here
            .values()
            .map(|h| (h.user.id, h.user.clone()))
            .collect();
        for (user, _) in self.remote.values() {
            users.entry(user.id).or_insert_with(|| user.clone());
        }
        let mut users: Vec<UserRef> = users.into_values().collect();
        users.sort_by_key(|u| u.username.to_lowercase());
        users
    }

    /// This process's users (those in their grace period too) with their
    /// sockets here, by id: what it tells the other processes.
    pub fn local(&self) -> Vec<(i64, u32)> {
        let mut users: Vec<(i64, u32)> =
            self.here.values().map(|h| (h.user.id, h.sockets)).collect();
        users.sort_unstable();
        users
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

    #[test]
    fn a_user_joins_once_and_leaves_after_the_grace() {
        let mut roster = Roster::default();
        let t0 = Instant::now();
        let first = roster.join(&user(1), 20).unwrap();
        assert_eq!(first.announce, vec![Change::Joined(user(1))]);
        assert!(first.local_changed);
        let second = roster.join(&user(1), 20).unwrap();
        assert_eq!(second, Outcome::default(), "a second tab is no arrival");
        roster.leave(1, t0);
        roster.leave(1, t0);
        assert_eq!(roster.depart(t0), Outcome::default(), "still in the grace");
        assert_eq!(roster.online(), vec![user(1)]);
        let gone = roster.depart(t0 + LEAVE_GRACE);
        assert_eq!(gone.announce, vec![Change::Left(user(1))]);
        assert!(gone.local_changed);
        assert!(roster.online().is_empty());
    }

    #[test]
    fn coming_back_within_the_grace_announces_nothing() {
        let mut roster = Roster::default();
        let t0 = Instant::now();
        roster.join(&user(1), 20).unwrap();
        for i in 0..300 {
            let now = t0 + Duration::from_millis(i);
            roster.leave(1, now);
            assert_eq!(roster.depart(now), Outcome::default());
            assert_eq!(roster.join(&user(1), 20).unwrap(), Outcome::default());
        }
    }

    #[test]
    fn sockets_are_capped_per_user_across_processes() {
        let mut roster = Roster::default();
        for _ in 0..3 {
            roster.join(&user(1), 5).unwrap();
        }
        roster.set_remote(vec![(user(1), 2)]);
        assert_eq!(roster.sockets_of(1), 5);
        assert_eq!(roster.join(&user(1), 5), Err(TooManySockets { cap: 5 }));
        assert!(roster.join(&user(2), 5).is_ok(), "others are not affected");
        roster.leave(1, Instant::now());
        assert!(roster.join(&user(1), 5).is_ok());
    }

    #[test]
    fn other_processes_users_join_and_leave_the_room_once() {
        let mut roster = Roster::default();
        let t0 = Instant::now();
        roster.join(&user(1), 20).unwrap();
        let changes = roster.set_remote(vec![(user(1), 1), (user(2), 1)]);
        assert_eq!(changes, vec![Change::Joined(user(2))]);
        assert_eq!(roster.online(), vec![user(1), user(2)]);
        assert_eq!(roster.local(), vec![(1, 1)]);
        // Leaving here while still there is not leaving the room.
        roster.leave(1, t0);
        assert!(roster.depart(t0 + LEAVE_GRACE).announce.is_empty());
        let mut left = roster.set_remote(Vec::new());
        left.sort_by_key(|c| match c {
            Change::Joined(u) | Change::Left(u) => u.id,
        });
        assert_eq!(left, vec![Change::Left(user(1)), Change::Left(user(2))]);
    }
}
