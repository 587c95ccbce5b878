//! Counting attempts per key (a username, a client address) in a sliding window.
//! In memory: each process throttles what it sees.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(limit: usize, window: Duration) -> Self {
        Throttle {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` while `key` has used up its attempts, with the time until
    /// the oldest one leaves the window.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = hits.get_mut(key) else {
            return Ok(());
        };
        Self::expire(times, now, self.window);
        if times.len() < self.limit {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        Err(self.window.saturating_sub(now.duration_since(oldest)))
    }

    /// Counts one attempt against `key`.
    pub fn record(&self, key: &str, now: Instant) {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory: forget keys whose attempts have all left the window.
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, t| {
                Self::expire(t, now, window);
                !t.is_empty()
            });
        }
        let times = hits.entry(key.to_owned()).or_default();
        Self::expire(times, now, self.window);
        times.push_back(now);
    }

    /// Forgets `key`'s attempts (after a successful sign-in, say).
    pub fn clear(&self, key: &str) {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.remove(key);
    }

    fn expire(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
    }
}

/// The throttles the auth endpoints share.
#[derive(Debug)]
pub struct AuthThrottles {
    /// Failed sign-ins, keyed by username and by client address.
    pub login_failures: Throttle,
    /// Registrations, keyed by client address.
    pub register_by_addr: Throttle,
}

impl AuthThrottles {
    pub fn new(settings: &crate::server::settings::Settings) -> Self {
        AuthThrottles {
            login_failures: Throttle::new(settings.login_max_failures, settings.throttle_window),
            register_by_addr: Throttle::new(settings.register_max, settings.throttle_window),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_until_the_window_passes() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..3 {
            assert!(t.check("k", start).is_ok());
            t.record("k", start + Duration::from_secs(i));
        }
        let wait = t.check("k", start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(t.check("other", start).is_ok());
        assert!(t.check("k", start + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn clearing_forgets_a_key() {
        let t = Throttle::new(1, Duration::from_secs(60));
        let now = Instant::now();
        t.record("k", now);
        assert!(t.check("k", now).is_err());
        t.clear("k");
        assert!(t.check("k", now).is_ok());
    }
}
