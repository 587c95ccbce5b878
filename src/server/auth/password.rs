//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).
//! Hashing is deliberately slow, so it runs on the blocking pool, and at most
//! one hash per core runs at a time: beyond that a request waits briefly for
//! its turn, then is answered 503 with `Retry-After` (200 sign-ins at once
//! would otherwise take 200 × 19 MiB and every blocking thread).

use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid OWASP argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified when the username is unknown so
/// that a wrong name costs as much time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password").unwrap_or_default());

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|_| argon2::password_hash::Error::Crypto)?;
    let salt = SaltString::encode_b64(&salt)?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashError {
    /// Every core is hashing and none came free in time.
    #[error("every password check is busy")]
    Busy,
    #[error("password hashing failed")]
    Failed,
}

/// How long a request waits for a free core before it is told to retry
/// (unless configured: `--hash-wait`).
pub const HASH_PATIENCE: Duration = Duration::from_secs(2);

/// Runs hashes and checks, at most one per core at a time.
#[derive(Debug)]
pub struct Hasher {
    turns: Semaphore,
    patience: Duration,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Hasher::new(cores, HASH_PATIENCE)
    }
}

impl Hasher {
    pub fn new(at_once: usize, patience: Duration) -> Self {
        Hasher {
            turns: Semaphore::new(at_once.max(1)),
            patience,
        }
    }

    /// Runs `work` on the blocking pool once a turn is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let turn = tokio::time::timeout(self.patience, self.turns.acquire())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Failed)?;
        let done = tokio::task::spawn_blocking(work).await;
        drop(turn);
        done.map_err(|_| HashError::Failed)
    }

    /// Hashes `password` for storage (PHC string: algorithm, parameters, salt, hash).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || hash_now(&password))
            .await?
            .map_err(|_| HashError::Failed)
    }

    /// Checks `password` against `stored`, or against a dummy hash when there
    /// is no such user, so both failures look and take the same. Comparison is
    /// constant-time.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(move || match stored {
            Some(stored) => verify_now(&password, &stored),
            None => {
                verify_now(&password, &DUMMY_HASH);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let hasher = Hasher::default();
        let stored = hasher.hash("correct horse".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        let check = |p: &str, s: Option<&str>| hasher.verify(p.into(), s.map(str::to_owned));
        assert_eq!(check("correct horse", Some(&stored)).await, Ok(true));
        assert_eq!(check("wrong horse", Some(&stored)).await, Ok(false));
        assert_eq!(check("correct horse", None).await, Ok(false));
        assert_eq!(check("x", Some("not a hash")).await, Ok(false));
        let again = hasher.hash("correct horse".into()).await.unwrap();
        assert_ne!(stored, again, "salts differ");
    }

    #[tokio::test]
    async fn beyond_the_cores_a_check_waits_then_is_busy() {
        let hasher = std::sync::Arc::new(Hasher::new(1, Duration::from_millis(50)));
        let stored = hasher.hash("correct horse".into()).await.unwrap();
        // Hold the only turn, as a long hash would.
        let turn = hasher.turns.acquire().await.unwrap();
        let busy = hasher
            .verify("correct horse".into(), Some(stored.clone()))
            .await;
        assert_eq!(busy, Err(HashError::Busy));
        drop(turn);
        let free = hasher.verify("correct horse".into(), Some(stored)).await;
        assert_eq!(free, Ok(true));
    }
}
