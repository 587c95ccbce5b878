//! The `[chat]` settings, grouped by what they are about, each with its
//! built-in default (the one place a default is written). On the wire (the
//! `[chat]` table, the flags) the keys are flat and kebab-case, as they have
//! always been; the groups are how the server reads them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::address_block::AddressBlock;

/// Where the database is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Storage {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; empty: the embedded
    /// SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Folder of the embedded SQLite database (created if missing).
    pub data_dir: PathBuf,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            database_url: None,
            data_dir: PathBuf::from("data"),
        }
    }
}

impl Storage {
    /// The database to open.
    pub fn database_url(&self) -> String {
        match self.configured_url() {
            Some(url) => url.to_owned(),
            None => sqlite_url_in(&self.data_dir),
        }
    }

    /// The embedded SQLite database's folder, when that is the database.
    pub fn sqlite_dir(&self) -> Option<&Path> {
        self.configured_url()
            .is_none()
            .then_some(self.data_dir.as_path())
    }

    fn configured_url(&self) -> Option<&str> {
        self.database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }
}

/// The URL of the embedded SQLite database inside `data_dir`.
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("chat98.db").display())
}

/// Accounts and sessions: cookies, throttles, password hashing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Accounts {
    pub secure_cookies: bool,
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    pub allowed_origins: Vec<String>,
    pub login_max_failures: usize,
    pub login_max_failures_per_address: usize,
    pub login_max_failures_per_username: usize,
    pub register_max: usize,
    #[serde(with = "humantime_serde")]
    pub throttle_window: Duration,
    /// Hashes at once; none: the number of cores.
    pub hash_concurrency: Option<usize>,
    #[serde(with = "humantime_serde")]
    pub hash_wait: Duration,
    /// Who may sign up.
    pub registration: crate::types::Registration,
    /// The code sign-up needs when `registration` is `invite`.
    pub invite_code: Option<String>,
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts {
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 24 * 60 * 60),
            allowed_origins: Vec::new(),
            login_max_failures: 5,
            login_max_failures_per_address: 20,
            login_max_failures_per_username: 100,
            register_max: 5,
            throttle_window: Duration::from_secs(5 * 60),
            hash_concurrency: None,
            hash_wait: Duration::from_secs(2),
            registration: crate::types::Registration::Open,
            invite_code: None,
        }
    }
}

impl Accounts {
    /// Password hashes that may run at once.
    pub fn hash_concurrency(&self) -> usize {
        self.hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// The invite code, if one is set (blank counts as none).
    pub fn invite_code(&self) -> Option<&str> {
        self.invite_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The other origins allowed to send the cookie, without trailing slashes.
    pub fn allowed_origins(&self) -> Vec<String> {
        self.allowed_origins
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect()
    }
}

/// Messages: how long they are kept, how long and how fast they may come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Messages {
    #[serde(with = "humantime_serde")]
    pub retention: Duration,
    /// How often expired messages are deleted (they are hidden from the
    /// moment they expire).
    #[serde(with = "humantime_serde")]
    pub sweep_interval: Duration,
    pub max_message_chars: usize,
    pub message_burst: u32,
    #[serde(with = "humantime_serde")]
    pub message_interval: Duration,
    /// How long after sending a message its author may still edit it.
    #[serde(with = "humantime_serde")]
    pub edit_window: Duration,
    /// Memory for the chat page's prepared history rows, in MiB (0: none).
    pub prepared_rows_mib: u32,
}

impl Default for Messages {
    fn default() -> Self {
        Messages {
            retention: DEFAULT_RETENTION,
            sweep_interval: Duration::from_secs(10 * 60),
            max_message_chars: 2000,
            message_burst: 10,
            message_interval: Duration::from_secs(1),
            edit_window: Duration::from_secs(15 * 60),
            prepared_rows_mib: 8,
        }
    }
}

/// How long messages are kept unless configured otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// Websockets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Live {
    pub max_sockets_per_user: u32,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            max_sockets_per_user: 20,
        }
    }
}

/// Connections, timeouts and proxies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Operations {
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Open connections at most; none: the open-file limit minus
    /// [`RESERVED_FILES`].
    pub max_connections: Option<usize>,
    /// Peers whose X-Forwarded-For (and X-Forwarded-Proto) is believed.
    pub trusted_proxies: Vec<AddressBlock>,
}

impl Default for Operations {
    fn default() -> Self {
        Operations {
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// File descriptors kept free of client connections by default (the
/// database pool, Redis, the SQLite files, the listener, logs).
pub const RESERVED_FILES: usize = 256;

impl Operations {
    /// The cap on open connections.
    pub fn max_connections(&self) -> usize {
        self.max_connections.unwrap_or_else(|| {
            open_file_limit()
                .map_or(1024, |n| n.saturating_sub(RESERVED_FILES))
                .max(64)
        })
    }
}

/// The process's soft limit on open files (`ulimit -n`).
pub fn open_file_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (read == 0).then(|| usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
}

/// Several processes: Redis for fan-out, presence and shared limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct ScaleOut {
    /// Empty: one process, no Redis.
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    #[serde(with = "humantime_serde")]
    pub presence_ttl: Duration,
}

impl Default for ScaleOut {
    fn default() -> Self {
        ScaleOut {
            redis_url: None,
            redis_prefix: "chat98".to_owned(),
            presence_ttl: Duration::from_secs(30),
        }
    }
}

impl ScaleOut {
    /// The Redis URL, if one is configured.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }

    /// The prefix of the Redis channel and keys.
    pub fn redis_prefix(&self) -> &str {
        match self.redis_prefix.trim() {
            "" => "chat98",
            prefix => prefix,
        }
    }
}
