//! How fast each user may send: a token bucket per user holding up to `burst`
//! messages, refilled by one every `interval`. In memory: each process limits
//! what it sees.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
pub struct SendRate {
    burst: f64,
    interval: Duration,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

impl SendRate {
    pub fn new(burst: u32, interval: Duration) -> Self {
        SendRate {
            burst: f64::from(burst.max(1)),
            interval,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, bucket: Bucket, now: Instant) -> f64 {
        let earned =
            now.saturating_duration_since(bucket.at).as_secs_f64() / self.interval.as_secs_f64();
        (bucket.tokens + earned).min(self.burst)
    }

    /// Takes one message from `user`'s allowance, or says how long until one
    /// is available (and takes nothing).
    pub fn take(&self, user: i64, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            // Bound memory: a full bucket is the same as no bucket.
            buckets.retain(|_, b| self.refill(*b, now) < self.burst);
        }
        let tokens = buckets
            .get(&user)
            .map_or(self.burst, |b| self.refill(*b, now));
        if tokens < 1.0 {
            return Err(self.interval.mul_f64(1.0 - tokens));
        }
        buckets.insert(
            user,
            Bucket {
                tokens: tokens - 1.0,
                at: now,
            },
        );
        Ok(())
    }

    /// Gives back a message taken for a send that then stored nothing.
    pub fn give_back(&self, user: i64, now: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = buckets.get(&user).copied() {
            let tokens = (self.refill(b, now) + 1.0).min(self.burst);
            buckets.insert(user, Bucket { tokens, at: now });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let rate = SendRate::new(10, Duration::from_secs(1));
        let start = Instant::now();
        for _ in 0..10 {
            assert!(rate.take(1, start).is_ok());
        }
        let wait = rate.take(1, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another user has their own allowance.
        assert!(rate.take(2, start).is_ok());
        // Half an interval later: half a message, still no.
        let wait = rate
            .take(1, start + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(rate.take(1, start + Duration::from_secs(1)).is_ok());
        assert!(rate.take(1, start + Duration::from_secs(1)).is_err());
        // A long pause refills the burst, never beyond it.
        let later = start + Duration::from_secs(3600);
        for _ in 0..10 {
            assert!(rate.take(1, later).is_ok());
        }
        assert!(rate.take(1, later).is_err());
    }

    #[test]
    fn giving_back_restores_one() {
        let rate = SendRate::new(1, Duration::from_secs(60));
        let now = Instant::now();
        assert!(rate.take(1, now).is_ok());
        assert!(rate.take(1, now).is_err());
        rate.give_back(1, now);
        assert!(rate.take(1, now).is_ok());
    }
}
