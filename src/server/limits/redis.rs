//! The same GCRA as `gcra.rs`, kept in Redis so that every process counts
//! against one allowance. Each check is one script call (atomic in Redis),
//! timed by Redis's own clock so that processes with skewed clocks agree.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use super::rule::{Charge, Denied};
use crate::server::redis_link::RedisLink;

/// KEYS: the counters. ARGV: per key, its interval and burst (ms, count).
/// Returns 0 when every key allowed one more (and all were charged), else the
/// milliseconds until they would (and none was charged).
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local next = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  next[i] = tat + interval
  local over = next[i] - now - interval * burst
  if over > wait then wait = over end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, next[i], 'PX', next[i] - now + 1)
end
return 0
";

/// KEYS: the counters; ARGV: per key, its interval (ms). Gives one back.
const GIVE_BACK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key))
  if tat then
    local back = tat - tonumber(ARGV[i])
    if back <= now then
      redis.call('DEL', key)
    else
      redis.call('SET', key, back, 'PX', back - now + 1)
    end
  end
end
return 0
";

static TAKE_SCRIPT: LazyLock<::redis::Script> = LazyLock::new(|| ::redis::Script::new(TAKE));
static GIVE_BACK_SCRIPT: LazyLock<::redis::Script> =
    LazyLock::new(|| ::redis::Script::new(GIVE_BACK));

#[derive(Debug)]
pub struct RedisLimits {
    link: Arc<RedisLink>,
    prefix: String,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisLimits {
    pub fn new(link: Arc<RedisLink>, prefix: &str) -> Self {
        RedisLimits {
            link,
            prefix: format!("{prefix}:limit:"),
        }
    }

    /// `Ok(Err(_))`: refused; `Err(())`: Redis could not be asked.
    pub async fn take(&self, charges: &[Charge]) -> Result<Result<(), Denied>, ()> {
        let mut invocation = TAKE_SCRIPT.prepare_invoke();
        for charge in charges {
            invocation
                .key(format!("{}{}", self.prefix, charge.key))
                .arg(millis(charge.rule.interval))
                .arg(charge.rule.burst);
        }
        let mut connection = self.link.connection().await.ok_or(())?;
        match invocation.invoke_async::<u64>(&mut connection).await {
            Ok(0) => Ok(Ok(())),
            Ok(wait) => Ok(Err(Denied {
                wait: Duration::from_millis(wait),
            })),
            Err(e) => {
                self.link.broken(&e).await;
                Err(())
            }
        }
    }

    pub async fn give_back(&self, charges: &[Charge]) {
        let mut invocation = GIVE_BACK_SCRIPT.prepare_invoke();
        for charge in charges {
            invocation
                .key(format!("{}{}", self.prefix, charge.key))
                .arg(millis(charge.rule.interval));
        }
        let Some(mut connection) = self.link.connection().await else {
            return;
        };
        if let Err(e) = invocation.invoke_async::<u64>(&mut connection).await {
            self.link.broken(&e).await;
        }
    }
}
