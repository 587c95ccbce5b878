//! What a limit is (a rule), what a check counts against (a charge), and a
//! refusal: shared by the in-memory and the Redis counters.

use std::time::Duration;

/// One kind of allowance: `burst` at once, then one more every `interval`.
/// "N per window" is `burst: N, interval: window / N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Names the rule in keys and metrics.
    pub name: &'static str,
    pub burst: u32,
    pub interval: Duration,
}

impl Rule {
    /// `limit` per `window`.
    pub fn per_window(name: &'static str, limit: u32, window: Duration) -> Rule {
        let limit = limit.max(1);
        Rule {
            name,
            burst: limit,
            interval: (window / limit).max(Duration::from_millis(1)),
        }
    }
}

/// A refusal: nothing was taken; one more fits after `wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denied {
    pub wait: Duration,
}

/// What one check covers: a rule and the key it counts against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    pub rule: Rule,
    pub key: String,
}

impl Charge {
    pub fn new(rule: Rule, key: impl std::fmt::Display) -> Charge {
        Charge {
            rule,
            key: format!("{}:{key}", rule.name),
        }
    }
}
