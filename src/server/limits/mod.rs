//! Rate limits: sign-in failures, sign-ups, messages and typing notices, each
//! counted per key (a username, a client address, a user id).
//!
//! Every check takes from an allowance before the work it guards starts, in
//! one step that covers all of its keys (all or none), so that requests
//! racing each other cannot all pass a check that only one of them should.
//! A reservation that turns out not to count (a sign-in that succeeded, a
//! message the database refused) is given back.
//!
//! The allowances live in memory, per process, and also, when Redis is
//! configured, in Redis, where every process sees the same counters (one
//! script call per check). While Redis is unreachable, each process still
//! enforces its own counters.

mod gcra;
mod redis;
mod rule;

use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Instant;

pub use self::gcra::MAX_KEYS;
use self::redis::RedisLimits;
pub use self::rule::{Charge, Denied, Rule};
use crate::server::redis_link::RedisLink;

/// What a successful check took, to give back if it turns out not to count.
#[derive(Debug)]
#[must_use = "a reservation is kept by dropping it, or returned with Limits::give_back"]
pub struct Reservation {
    charges: Vec<Charge>,
    /// Whether Redis counted it too (and must be given back there).
    in_redis: bool,
}

#[derive(Debug)]
pub struct Limits {
    memory: Mutex<gcra::Table>,
    redis: Option<RedisLimits>,
}

impl Limits {
    /// Limits kept in this process only.
    pub fn in_memory() -> Limits {
        Limits {
            memory: Mutex::default(),
            redis: None,
        }
    }

    /// Limits shared with every process using the same Redis and `prefix`.
    pub fn shared(link: Arc<RedisLink>, prefix: &str) -> Limits {
        Limits {
            memory: Mutex::default(),
            redis: Some(RedisLimits::new(link, prefix)),
        }
    }

    /// Takes one from each of `charges`, or from none: `Err` says when to retry.
    pub async fn take(&self, charges: Vec<Charge>) -> Result<Reservation, Denied> {
        self.take_locally(&charges)?;
        let mut reservation = Reservation {
            charges,
            in_redis: false,
        };
        if let Some(redis) = &self.redis {
            match redis.take(&reservation.charges).await {
                Ok(Ok(())) => reservation.in_redis = true,
                Ok(Err(denied)) => {
                    self.give_back_locally(&reservation.charges);
                    return Err(denied);
                }
                // Redis is away: this process's own count still holds.
                Err(()) => {}
            }
        }
        Ok(reservation)
    }

    /// Takes from the counters in this process only (no Redis round trip):
    /// for checks that run on every frame of a socket.
    pub fn take_here(&self, charges: &[Charge]) -> Result<(), Denied> {
        self.take_locally(charges)
    }

    /// Returns what `reservation` took.
    pub async fn give_back(&self, reservation: Reservation) {
        self.give_back_locally(&reservation.charges);
        if let (true, Some(redis)) = (reservation.in_redis, &self.redis) {
            redis.give_back(&reservation.charges).await;
        }
    }

    fn take_locally(&self, charges: &[Charge]) -> Result<(), Denied> {
        let keys: Vec<(Rule, &str)> = charges.iter().map(|c| (c.rule, c.key.as_str())).collect();
        self.memory.lock().take(&keys, Instant::now())
    }

    fn give_back_locally(&self, charges: &[Charge]) {
        let keys: Vec<(Rule, &str)> = charges.iter().map(|c| (c.rule, c.key.as_str())).collect();
        self.memory.lock().give_back(&keys, Instant::now());
    }
}

/// A client address as a throttle key: IPv4 addresses as they are, IPv6 by
/// their /64 network (one subscriber usually holds a whole /64, and could
/// otherwise take a fresh address for every attempt).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(address_key("10.0.0.1".parse().unwrap()), "10.0.0.1");
    }

    #[test]
    fn windows_become_intervals() {
        let r = Rule::per_window("x", 5, Duration::from_secs(300));
        assert_eq!((r.burst, r.interval), (5, Duration::from_secs(60)));
    }

    #[tokio::test]
    async fn a_refused_check_takes_nothing_and_a_returned_one_is_back() {
        let limits = Limits::in_memory();
        let one = Rule::per_window("one", 1, Duration::from_secs(60));
        let many = Rule::per_window("many", 100, Duration::from_secs(60));
        let both = || vec![Charge::new(one, "a"), Charge::new(many, "b")];
        let first = limits.take(both()).await.unwrap();
        assert!(limits.take(both()).await.is_err());
        limits.give_back(first).await;
        let _kept = limits.take(both()).await.unwrap();
        assert!(limits.take(both()).await.is_err());
    }
}
