//! The generic cell rate algorithm (GCRA) over a bounded in-memory table.
//!
//! Each key keeps one instant, its "theoretical arrival time" (TAT): the time
//! at which its allowance would be full again. Taking one advances it by the
//! rule's interval; taking is refused while that would put it more than
//! `burst` intervals ahead of now. Giving one back moves it one interval back.
//! The same arithmetic runs in Redis (see `redis.rs`), so a limit means the
//! same with and without Redis.
//!
//! Why not the `governor` crate, which implements GCRA too: its checks cannot
//! be undone (a sign-in reserves an attempt before the password is checked
//! and must return it on success) and cannot cover several keys at once (a
//! sign-in counts against three keys, all or none).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::rule::{Denied, Rule};

/// Keys kept at most. A key whose allowance is full again is as good as
/// absent and is dropped first; a table full of live keys refuses new ones
/// (fails closed) rather than forgetting someone's spent allowance.
pub const MAX_KEYS: usize = 200_000;

/// Full tables are pruned at most this often (pruning walks every key).
const PRUNE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Table {
    tats: HashMap<String, Instant>,
    max_keys: usize,
    last_prune: Option<Instant>,
}

impl Default for Table {
    fn default() -> Self {
        Table::with_capacity(MAX_KEYS)
    }
}

impl Table {
    pub fn with_capacity(max_keys: usize) -> Self {
        Table {
            tats: HashMap::new(),
            max_keys,
            last_prune: None,
        }
    }

    /// Takes one from each of `keys`, or none of them: `Err` says how long
    /// until all would allow it.
    pub fn take(&mut self, keys: &[(Rule, &str)], now: Instant) -> Result<(), Denied> {
        let mut wait = Duration::ZERO;
        let mut fresh = 0;
        for (rule, key) in keys {
            let tat = match self.tats.get(*key) {
                Some(tat) => (*tat).max(now),
                None => {
                    fresh += 1;
                    now
                }
            };
            let next = tat + rule.interval;
            let allowed_until = now + rule.interval * rule.burst;
            wait = wait.max(next.saturating_duration_since(allowed_until));
        }
        if !wait.is_zero() {
            return Err(Denied { wait });
        }
        if fresh > 0 && self.tats.len() + fresh > self.max_keys {
            self.prune(now);
            if self.tats.len() + fresh > self.max_keys {
                // Every key is in use: refuse rather than forget one.
                return Err(Denied { wait: PRUNE_EVERY });
            }
        }
        for (rule, key) in keys {
            let tat = self.tats.get(*key).map_or(now, |t| (*t).max(now));
            self.tats.insert((*key).to_owned(), tat + rule.interval);
        }
        Ok(())
    }

    /// Returns one to each of `keys` (a reservation that turned out not to count).
    pub fn give_back(&mut self, keys: &[(Rule, &str)], now: Instant) {
        for (rule, key) in keys {
            if let Some(tat) = self.tats.get_mut(*key) {
                let back = tat.checked_sub(rule.interval).unwrap_or(now);
                if back <= now {
                    self.tats.remove(*key);
                } else {
                    *tat = back;
                }
            }
        }
    }

    fn prune(&mut self, now: Instant) {
        if self
            .last_prune
            .is_some_and(|at| now.saturating_duration_since(at) < PRUNE_EVERY)
        {
            return;
        }
        self.last_prune = Some(now);
        self.tats.retain(|_, tat| *tat > now);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.tats.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(burst: u32, secs: u64) -> Rule {
        Rule {
            name: "t",
            burst,
            interval: Duration::from_secs(secs),
        }
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let mut table = Table::default();
        let r = rule(3, 10);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(table.take(&[(r, "k")], t0).is_ok());
        }
        assert_eq!(
            table.take(&[(r, "k")], t0).unwrap_err().wait,
            Duration::from_secs(10)
        );
        assert!(table.take(&[(r, "other")], t0).is_ok());
        let later = t0 + Duration::from_secs(10);
        assert!(table.take(&[(r, "k")], later).is_ok());
        assert!(table.take(&[(r, "k")], later).is_err());
        // A long pause refills the burst, never beyond it.
        let much_later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(table.take(&[(r, "k")], much_later).is_ok());
        }
        assert!(table.take(&[(r, "k")], much_later).is_err());
    }

    #[test]
    fn several_keys_are_taken_all_or_none() {
        let mut table = Table::default();
        let tight = rule(1, 60);
        let loose = rule(100, 1);
        let t0 = Instant::now();
        assert!(table.take(&[(tight, "a"), (loose, "b")], t0).is_ok());
        // "a" is spent: "b" must not be charged for the refused attempt.
        for _ in 0..5 {
            assert!(table.take(&[(tight, "a"), (loose, "b")], t0).is_err());
        }
        for _ in 0..99 {
            assert!(table.take(&[(loose, "b")], t0).is_ok());
        }
        assert!(table.take(&[(loose, "b")], t0).is_err());
    }

    #[test]
    fn giving_back_restores_one() {
        let mut table = Table::default();
        let r = rule(1, 60);
        let t0 = Instant::now();
        assert!(table.take(&[(r, "k")], t0).is_ok());
        assert!(table.take(&[(r, "k")], t0).is_err());
        table.give_back(&[(r, "k")], t0);
        assert!(table.take(&[(r, "k")], t0).is_ok());
        table.give_back(&[(r, "k")], t0);
        assert_eq!(table.len(), 0, "a full allowance needs no entry");
    }

    #[test]
    fn a_full_table_drops_refilled_keys_and_refuses_when_all_are_live() {
        let mut table = Table::with_capacity(3);
        let r = rule(1, 10);
        let t0 = Instant::now();
        for key in ["a", "b", "c"] {
            assert!(table.take(&[(r, key)], t0).is_ok());
        }
        // All three are live: a fourth key is refused, none is forgotten.
        assert!(table.take(&[(r, "d")], t0).is_err());
        assert!(table.take(&[(r, "a")], t0).is_err());
        // Once they have refilled, they make room.
        let later = t0 + Duration::from_secs(11);
        assert!(table.take(&[(r, "d")], later).is_ok());
        assert_eq!(table.len(), 1);
    }
}
