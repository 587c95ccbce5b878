//! The command connection to Redis (publishing, presence, readiness, shared
//! rate limits), shared by this process's tasks and re-established after an outage.

use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client};
use tokio::sync::Mutex;

/// How long one Redis command or connection attempt may take.
pub const REDIS_PATIENCE: Duration = Duration::from_secs(2);
/// Waits between connection attempts while Redis is away: doubling up to the cap.
const FIRST_RETRY: Duration = Duration::from_millis(250);
pub const RETRY_CAP: Duration = Duration::from_secs(5);

/// The error for a Redis call that took longer than [`REDIS_PATIENCE`].
pub fn timed_out() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "Redis did not answer in time",
    ))
}

pub struct RedisLink {
    client: Client,
    state: Mutex<LinkState>,
}

struct LinkState {
    connection: Option<MultiplexedConnection>,
    /// No new attempt before this (backoff while Redis is away).
    next_attempt: Instant,
    retry: Duration,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink").finish_non_exhaustive()
    }
}

impl RedisLink {
    /// Checks the URL (`redis://[user:password@]host[:port]`, or `rediss://`
    /// for TLS); connecting happens on first use and again after every outage.
    pub fn open(url: &str) -> Result<std::sync::Arc<RedisLink>, redis::RedisError> {
        Ok(std::sync::Arc::new(RedisLink::new(Client::open(url)?)))
    }

    pub fn new(client: Client) -> Self {
        RedisLink {
            client,
            state: Mutex::new(LinkState {
                connection: None,
                next_attempt: Instant::now(),
                retry: FIRST_RETRY,
            }),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The connection, connecting first if it is down and the backoff allows;
    /// `None` while Redis is unreachable.
    pub async fn connection(&self) -> Option<MultiplexedConnection> {
        let mut state = self.state.lock().await;
        if let Some(connection) = &state.connection {
            return Some(connection.clone());
        }
        if Instant::now() < state.next_attempt {
            return None;
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(REDIS_PATIENCE))
            .set_response_timeout(Some(REDIS_PATIENCE));
        match self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(connection) => {
                tracing::info!("connected to Redis");
                state.retry = FIRST_RETRY;
                state.connection = Some(connection.clone());
                Some(connection)
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?state.retry, "cannot reach Redis");
                state.next_attempt = Instant::now() + state.retry;
                state.retry = (state.retry * 2).min(RETRY_CAP);
                None
            }
        }
    }

    /// Drops a connection that failed a command; the next call reconnects.
    pub async fn broken(&self, error: &redis::RedisError) {
        let mut state = self.state.lock().await;
        if state.connection.take().is_some() {
            tracing::warn!(error = %error, "lost the Redis connection; delivering locally until it is back");
        }
    }

    /// Whether Redis answers a PING now.
    pub async fn ping(&self) -> bool {
        let Some(mut connection) = self.connection().await else {
            return false;
        };
        match redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
        {
            Ok(_) => true,
            Err(e) => {
                self.broken(&e).await;
                false
            }
        }
    }
}
