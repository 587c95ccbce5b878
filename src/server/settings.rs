//! Runtime settings, layered: built-in defaults < `Leptos.toml` < environment
//! variables < command-line flags.
//!
//! `Leptos.toml` holds the site's `[package.metadata.leptos]` keys (read by
//! leptos_config, which applies `LEPTOS_*` environment overrides itself) and
//! the chat's own `[chat]` table.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::config::{get_config_from_str, get_configuration, LeptosOptions};
use serde::Deserialize;

use super::http::client_address::AddressBlock;

/// The file read when `--config` is not given (missing is fine then).
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";
/// How long messages are kept unless configured otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(3 * 24 * 60 * 60);
const DEFAULT_DATA_DIR: &str = "data";

/// Flags shared by every subcommand. Each has an environment variable and a
/// `Leptos.toml` key; the flag wins over the variable, the variable over the file.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SettingsArgs {
    /// Runtime configuration file with [package.metadata.leptos] and [chat] tables
    /// [default: Leptos.toml in the working directory, if present]
    #[arg(long, env = "CHAT98_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Address to listen on (use port 0 for any free port)
    /// [Leptos.toml: site-addr; default: 127.0.0.1:3000]
    #[arg(long, env = "LEPTOS_SITE_ADDR", global = true, value_name = "IP:PORT")]
    pub site_addr: Option<SocketAddr>,

    /// Folder with the built site (pkg/ with WASM, JS and CSS, plus public assets)
    /// [Leptos.toml: site-root; default: target/site]
    #[arg(long, env = "LEPTOS_SITE_ROOT", global = true, value_name = "DIR")]
    pub site_root: Option<String>,

    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB
    /// [Leptos.toml: chat.database-url; default: SQLite file chat98.db in the data dir]
    #[arg(long, env = "DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Folder for the embedded SQLite database, created if missing
    /// [Leptos.toml: chat.data-dir; default: data]
    #[arg(long, env = "CHAT_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// How long messages are kept, e.g. 3d, 12h, 90s
    /// [Leptos.toml: chat.retention; default: 3d]
    #[arg(long, env = "CHAT_RETENTION", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub retention: Option<Duration>,

    /// Mark the session cookie Secure; turn on when the site is served over https
    /// [Leptos.toml: chat.secure-cookies; default: false]
    #[arg(long, env = "CHAT_SECURE_COOKIES", global = true, value_name = "BOOL")]
    pub secure_cookies: Option<bool>,

    /// Sign a user out after this long without a request, e.g. 30d
    /// [Leptos.toml: chat.session-idle; default: 30d]
    #[arg(long, env = "CHAT_SESSION_IDLE", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub session_idle: Option<Duration>,

    /// Other sites allowed to send forms and API requests with the session cookie,
    /// comma-separated origins such as https://chat.example.com
    /// [Leptos.toml: chat.allowed-origins; default: none besides the site itself]
    #[arg(
        long,
        env = "CHAT_ALLOWED_ORIGINS",
        global = true,
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Option<Vec<String>>,

    /// Failed sign-ins allowed per username from one client address within the
    /// throttle window before that address gets 429 for that name
    /// [Leptos.toml: chat.login-max-failures; default: 5]
    #[arg(long, env = "CHAT_LOGIN_MAX_FAILURES", global = true, value_name = "N")]
    pub login_max_failures: Option<usize>,

    /// Failed sign-ins allowed per client address over all usernames within the
    /// throttle window [Leptos.toml: chat.login-max-failures-per-address; default: 20]
    #[arg(
        long,
        env = "CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS",
        global = true,
        value_name = "N"
    )]
    pub login_max_failures_per_address: Option<usize>,

    /// Failed sign-ins allowed per username over all client addresses within the
    /// throttle window [Leptos.toml: chat.login-max-failures-per-username; default: 100]
    #[arg(
        long,
        env = "CHAT_LOGIN_MAX_FAILURES_PER_USERNAME",
        global = true,
        value_name = "N"
    )]
    pub login_max_failures_per_username: Option<usize>,

    /// Sign-up attempts (whatever their outcome) allowed per client address
    /// within the throttle window [Leptos.toml: chat.register-max; default: 5]
    #[arg(long, env = "CHAT_REGISTER_MAX", global = true, value_name = "N")]
    pub register_max: Option<usize>,

    /// The window for sign-in and registration throttling, e.g. 5m
    /// [Leptos.toml: chat.throttle-window; default: 5m]
    #[arg(long, env = "CHAT_THROTTLE_WINDOW", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub throttle_window: Option<Duration>,

    /// The longest message accepted, in characters
    /// [Leptos.toml: chat.max-message-chars; default: 2000]
    #[arg(long, env = "CHAT_MAX_MESSAGE_CHARS", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_message_chars: Option<u32>,

    /// Messages a user may send in a burst before the sustained rate applies
    /// [Leptos.toml: chat.message-burst; default: 10]
    #[arg(long, env = "CHAT_MESSAGE_BURST", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub message_burst: Option<u32>,

    /// The sustained rate: one more message allowed per this interval, e.g. 1s
    /// [Leptos.toml: chat.message-interval; default: 1s]
    #[arg(long, env = "CHAT_MESSAGE_INTERVAL", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub message_interval: Option<Duration>,

    /// How often the server deletes expired messages, e.g. 10m
    /// [Leptos.toml: chat.sweep-interval; default: 10m]
    #[arg(long, env = "CHAT_SWEEP_INTERVAL", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub sweep_interval: Option<Duration>,

    /// Redis for fan-out between several chat98 processes sharing a PostgreSQL
    /// database, e.g. redis://127.0.0.1:6379
    /// [Leptos.toml: chat.redis-url; default: none, one process]
    #[arg(long, env = "REDIS_URL", global = true, value_name = "URL")]
    pub redis_url: Option<String>,

    /// With Redis: the prefix of chat98's channel and keys, so that several
    /// chat rooms can share one Redis [Leptos.toml: chat.redis-prefix; default: chat98]
    #[arg(long, env = "CHAT_REDIS_PREFIX", global = true, value_name = "NAME")]
    pub redis_prefix: Option<String>,

    /// With Redis: how long a process's users stay listed as online after it
    /// stops refreshing them (a crashed process) [Leptos.toml: chat.presence-ttl; default: 30s]
    #[arg(long, env = "CHAT_PRESENCE_TTL", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub presence_ttl: Option<Duration>,

    /// Reverse proxies (addresses or CIDR blocks, comma-separated) whose
    /// X-Forwarded-For names the client for per-address throttles
    /// [Leptos.toml: chat.trusted-proxies; default: none]
    #[arg(
        long,
        env = "CHAT_TRUSTED_PROXIES",
        global = true,
        value_name = "ADDRESSES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<String>>,

    /// Longest time an HTTP request may take before it is answered 503
    /// (websockets are not limited) [Leptos.toml: chat.request-timeout; default: 30s]
    #[arg(long, env = "CHAT_REQUEST_TIMEOUT", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub request_timeout: Option<Duration>,

    /// Time a connection has to send a whole request head, after it opens or
    /// after its previous answer (so also how long an idle keep-alive
    /// connection stays open) [Leptos.toml: chat.header-read-timeout; default: 10s]
    #[arg(long, env = "CHAT_HEADER_READ_TIMEOUT", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub header_read_timeout: Option<Duration>,

    /// Open connections (HTTP and websocket) at most; past it new ones are
    /// closed at once [Leptos.toml: chat.max-connections; default: the
    /// open-file limit (ulimit -n) minus 256]
    #[arg(long, env = "CHAT_MAX_CONNECTIONS", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// Password hashes or checks (argon2, 19 MiB each) run at once; more wait
    /// [Leptos.toml: chat.hash-concurrency; default: the number of cores]
    #[arg(long, env = "CHAT_HASH_CONCURRENCY", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub hash_concurrency: Option<u32>,

    /// How long a sign-in or sign-up waits for a password check to come free
    /// before it is answered 503 with Retry-After
    /// [Leptos.toml: chat.hash-wait; default: 2s]
    #[arg(long, env = "CHAT_HASH_WAIT", global = true, value_name = "DURATION",
          value_parser = parse_retention)]
    pub hash_wait: Option<Duration>,

    /// Websockets one user may hold open at once (all processes together)
    /// [Leptos.toml: chat.max-sockets-per-user; default: 20]
    #[arg(long, env = "CHAT_MAX_SOCKETS_PER_USER", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sockets_per_user: Option<u32>,
}

/// The `[chat]` table of `Leptos.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChatSection {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub retention: Option<String>,
    pub secure_cookies: Option<bool>,
    pub session_idle: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub login_max_failures: Option<usize>,
    pub login_max_failures_per_address: Option<usize>,
    pub login_max_failures_per_username: Option<usize>,
    pub register_max: Option<usize>,
    pub throttle_window: Option<String>,
    pub max_message_chars: Option<u32>,
    pub message_burst: Option<u32>,
    pub message_interval: Option<String>,
    pub sweep_interval: Option<String>,
    pub redis_url: Option<String>,
    pub redis_prefix: Option<String>,
    pub presence_ttl: Option<String>,
    pub request_timeout: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub header_read_timeout: Option<String>,
    pub max_connections: Option<u32>,
    pub max_sockets_per_user: Option<u32>,
    pub hash_concurrency: Option<u32>,
    pub hash_wait: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RuntimeFile {
    #[serde(default)]
    chat: ChatSection,
}

/// Everything the server needs to know, resolved from all layers.
#[derive(Debug, Clone)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database_url: String,
    /// Set when the database is the embedded SQLite file, so its folder can be created.
    pub data_dir: Option<PathBuf>,
    pub retention: Duration,
    pub secure_cookies: bool,
    pub session_idle: Duration,
    pub allowed_origins: Vec<String>,
    pub login_max_failures: usize,
    pub login_max_failures_per_address: usize,
    pub login_max_failures_per_username: usize,
    pub register_max: usize,
    pub throttle_window: Duration,
    pub max_message_chars: usize,
    pub message_burst: u32,
    pub message_interval: Duration,
    /// How often expired messages are deleted (they are hidden from the moment they expire).
    pub sweep_interval: Duration,
    /// Set to fan out across processes through Redis.
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub presence_ttl: Duration,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    pub max_sockets_per_user: u32,
    /// Password hashes at once, and how long a request waits for one.
    pub hash_concurrency: usize,
    pub hash_wait: Duration,
    /// Peers whose X-Forwarded-For (and X-Forwarded-Proto) is believed.
    pub trusted_proxies: Vec<AddressBlock>,
    /// Hashed file names were configured but hash.txt is not beside the binary.
    pub hash_file_missing: bool,
}

/// Defaults of the account settings.
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
pub const DEFAULT_THROTTLE_WINDOW: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_LOGIN_MAX_FAILURES: usize = 5;
pub const DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS: usize = 20;
pub const DEFAULT_LOGIN_MAX_FAILURES_PER_USERNAME: usize = 100;
pub const DEFAULT_REGISTER_MAX: usize = 5;

/// Defaults of the message settings.
pub const DEFAULT_MAX_MESSAGE_CHARS: u32 = 2000;
pub const DEFAULT_MESSAGE_BURST: u32 = 10;
pub const DEFAULT_MESSAGE_INTERVAL: Duration = Duration::from_secs(1);

/// How often expired messages are deleted unless configured otherwise.
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Defaults of the operations settings.
pub const DEFAULT_REDIS_PREFIX: &str = "chat98";
pub const DEFAULT_PRESENCE_TTL: Duration = Duration::from_secs(30);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_SOCKETS_PER_USER: u32 = 20;
pub const DEFAULT_HASH_WAIT: Duration = Duration::from_secs(2);
/// File descriptors kept free of client connections by default (the
/// database pool, Redis, the SQLite files, the listener, logs).
pub const RESERVED_FILES: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid [package.metadata.leptos] in {path}: {message}")]
    Leptos { path: PathBuf, message: String },
    #[error("invalid [chat] table in {path}: {source}")]
    Chat {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("invalid trusted-proxies: {0}")]
    TrustedProxy(String),
    #[error("invalid {key} {value}: must be at least 1")]
    Zero { key: &'static str, value: u32 },
    #[error("invalid {key} {value:?}: {message}")]
    Duration {
        key: &'static str,
        value: String,
        message: String,
    },
}

/// A humantime duration longer than zero.
fn parse_retention(value: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(value).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

impl Settings {
    /// Resolves the settings from `Leptos.toml`, the environment and `args`.
    pub fn load(args: &SettingsArgs) -> Result<Self, SettingsError> {
        let path = args
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        let (mut leptos, chat) = match std::fs::read_to_string(&path) {
            Ok(text) => read_file(&path, &text)?,
            // Without a file (and none asked for) run on defaults and LEPTOS_* variables.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.config.is_none() => {
                let leptos = get_configuration(None)
                    .map_err(|e| SettingsError::Leptos {
                        path: path.clone(),
                        message: e.to_string(),
                    })?
                    .leptos_options;
                (leptos, ChatSection::default())
            }
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        if leptos.output_name.is_empty() {
            leptos.output_name = env!("CARGO_PKG_NAME").into();
        }
        // leptos panics rendering a page when hashing is on and hash.txt is
        // missing (a binary built by plain cargo): use the plain names then.
        let hash_file_missing =
            leptos.hash_files && !hash_file(&leptos).is_some_and(|p| p.exists());
        if hash_file_missing {
            leptos.hash_files = false;
        }
        if let Some(addr) = args.site_addr {
            leptos.site_addr = addr;
        }
        if let Some(root) = &args.site_root {
            leptos.site_root = root.as_str().into();
        }

        let retention = pick_duration(
            "retention",
            args.retention,
            &chat.retention,
            DEFAULT_RETENTION,
        )?;
        let session_idle = pick_duration(
            "session-idle",
            args.session_idle,
            &chat.session_idle,
            DEFAULT_SESSION_IDLE,
        )?;
        let throttle_window = pick_duration(
            "throttle-window",
            args.throttle_window,
            &chat.throttle_window,
            DEFAULT_THROTTLE_WINDOW,
        )?;
        let message_interval = pick_duration(
            "message-interval",
            args.message_interval,
            &chat.message_interval,
            DEFAULT_MESSAGE_INTERVAL,
        )?;
        let sweep_interval = pick_duration(
            "sweep-interval",
            args.sweep_interval,
            &chat.sweep_interval,
            DEFAULT_SWEEP_INTERVAL,
        )?;
        let presence_ttl = pick_duration(
            "presence-ttl",
            args.presence_ttl,
            &chat.presence_ttl,
            DEFAULT_PRESENCE_TTL,
        )?;
        let request_timeout = pick_duration(
            "request-timeout",
            args.request_timeout,
            &chat.request_timeout,
            DEFAULT_REQUEST_TIMEOUT,
        )?;
        let header_read_timeout = pick_duration(
            "header-read-timeout",
            args.header_read_timeout,
            &chat.header_read_timeout,
            DEFAULT_HEADER_READ_TIMEOUT,
        )?;
        let hash_wait = pick_duration(
            "hash-wait",
            args.hash_wait,
            &chat.hash_wait,
            DEFAULT_HASH_WAIT,
        )?;
        let trusted_proxies = args
            .trusted_proxies
            .clone()
            .or(chat.trusted_proxies.clone())
            .unwrap_or_default()
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                p.parse::<AddressBlock>()
                    .map_err(SettingsError::TrustedProxy)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let max_message_chars = at_least_one(
            "max-message-chars",
            args.max_message_chars
                .or(chat.max_message_chars)
                .unwrap_or(DEFAULT_MAX_MESSAGE_CHARS),
        )?;
        let message_burst = at_least_one(
            "message-burst",
            args.message_burst
                .or(chat.message_burst)
                .unwrap_or(DEFAULT_MESSAGE_BURST),
        )?;
        let allowed_origins = args
            .allowed_origins
            .clone()
            .or(chat.allowed_origins.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();

        let configured_url = args
            .database_url
            .clone()
            .or(chat.database_url.clone())
            .filter(|u| !u.trim().is_empty());
        let (database_url, data_dir) = match configured_url {
            Some(url) => (url, None),
            None => {
                let dir = args
                    .data_dir
                    .clone()
                    .or(chat.data_dir.clone())
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
                (sqlite_url_in(&dir), Some(dir))
            }
        };

        Ok(Settings {
            leptos,
            database_url,
            data_dir,
            retention,
            secure_cookies: args.secure_cookies.or(chat.secure_cookies).unwrap_or(false),
            session_idle,
            allowed_origins,
            login_max_failures: args
                .login_max_failures
                .or(chat.login_max_failures)
                .unwrap_or(DEFAULT_LOGIN_MAX_FAILURES),
            login_max_failures_per_address: args
                .login_max_failures_per_address
                .or(chat.login_max_failures_per_address)
                .unwrap_or(DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS),
            login_max_failures_per_username: args
                .login_max_failures_per_username
                .or(chat.login_max_failures_per_username)
                .unwrap_or(DEFAULT_LOGIN_MAX_FAILURES_PER_USERNAME),
            register_max: args
                .register_max
                .or(chat.register_max)
                .unwrap_or(DEFAULT_REGISTER_MAX),
            throttle_window,
            max_message_chars: max_message_chars as usize,
            message_burst,
            message_interval,
            sweep_interval,
            redis_url: args
                .redis_url
                .clone()
                .or(chat.redis_url.clone())
                .filter(|u| !u.trim().is_empty()),
            redis_prefix: args
                .redis_prefix
                .clone()
                .or(chat.redis_prefix.clone())
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.to_owned()),
            presence_ttl,
            request_timeout,
            header_read_timeout,
            max_connections: args
                .max_connections
                .or(chat.max_connections)
                .map_or_else(default_max_connections, |n| n as usize),
            max_sockets_per_user: at_least_one(
                "max-sockets-per-user",
                args.max_sockets_per_user
                    .or(chat.max_sockets_per_user)
                    .unwrap_or(DEFAULT_MAX_SOCKETS_PER_USER),
            )?,
            hash_concurrency: args.hash_concurrency.or(chat.hash_concurrency).map_or_else(
                || std::thread::available_parallelism().map_or(1, usize::from),
                |n| n as usize,
            ),
            hash_wait,
            trusted_proxies,
            hash_file_missing,
        })
    }

    /// Messages stored before this instant have expired.
    pub fn retention_cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.retention)
            .ok()
            .and_then(|d| now.checked_sub_signed(d))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The retention in words, as the note under the chat window states it.
    pub fn retention_text(&self) -> String {
        describe_duration(self.retention)
    }
}

/// The open-file limit less what the server needs besides client
/// connections (at least 64). Past its own cap the server closes new
/// connections at once, so it never runs out of files for its database.
fn default_max_connections() -> usize {
    open_file_limit()
        .map_or(1024, |n| n.saturating_sub(RESERVED_FILES))
        .max(64)
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

/// The URL of the embedded SQLite database inside `data_dir`.
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("chat98.db").display())
}

/// Where leptos looks for cargo-leptos's list of file hashes: beside the binary.
fn hash_file(leptos: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(leptos.hash_file.as_ref()))
}

/// The flag's (or variable's) duration, else the file's, else the default.
fn pick_duration(
    key: &'static str,
    arg: Option<Duration>,
    file: &Option<String>,
    default: Duration,
) -> Result<Duration, SettingsError> {
    match (arg, file) {
        (Some(d), _) => Ok(d),
        (None, Some(text)) => parse_retention(text).map_err(|message| SettingsError::Duration {
            key,
            value: text.clone(),
            message,
        }),
        (None, None) => Ok(default),
    }
}

fn at_least_one(key: &'static str, value: u32) -> Result<u32, SettingsError> {
    if value == 0 {
        return Err(SettingsError::Zero { key, value });
    }
    Ok(value)
}

fn read_file(path: &Path, text: &str) -> Result<(LeptosOptions, ChatSection), SettingsError> {
    let leptos = get_config_from_str(text).map_err(|e| SettingsError::Leptos {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let file: RuntimeFile = toml::from_str(text).map_err(|source| SettingsError::Chat {
        path: path.to_owned(),
        source,
    })?;
    Ok((leptos, file.chat))
}

/// "3 days", "1 hour", "90 seconds": the largest unit that divides evenly.
pub fn describe_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| secs >= *size && secs.is_multiple_of(*size))
        .map(|(size, unit)| (secs / size, unit))
        .unwrap_or((secs, "second"));
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_words() {
        assert_eq!(describe_duration(DEFAULT_RETENTION), "3 days");
        assert_eq!(describe_duration(Duration::from_secs(86_400)), "1 day");
        assert_eq!(describe_duration(Duration::from_secs(7_200)), "2 hours");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 seconds");
        assert_eq!(describe_duration(Duration::from_secs(120)), "2 minutes");
    }

    #[test]
    fn retention_must_be_positive_and_readable() {
        assert_eq!(parse_retention("3d"), Ok(DEFAULT_RETENTION));
        assert!(parse_retention("0s").is_err());
        assert!(parse_retention("soon").is_err());
    }

    #[test]
    fn the_file_is_read_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.toml");
        std::fs::write(
            &path,
            "[package.metadata.leptos]\noutput-name = \"chat98\"\nsite-addr = \"127.0.0.1:4000\"\n\
             site-root = \"site\"\n\n[chat]\nretention = \"2h\"\ndata-dir = \"somewhere\"\n",
        )
        .unwrap();
        let args = SettingsArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.retention, Duration::from_secs(7_200));
        assert_eq!(&*s.leptos.site_root, "site");
        assert_eq!(s.database_url, "sqlite://somewhere/chat98.db");

        let args = SettingsArgs {
            config: Some(path),
            retention: Some(Duration::from_secs(5)),
            database_url: Some("sqlite://elsewhere.db".into()),
            site_addr: Some("127.0.0.1:0".parse().unwrap()),
            ..Default::default()
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.retention, Duration::from_secs(5));
        assert_eq!(s.database_url, "sqlite://elsewhere.db");
        assert_eq!(s.data_dir, None);
        assert_eq!(s.leptos.site_addr.port(), 0);
    }

    #[test]
    fn the_sweep_interval_is_read_from_the_file_defaults_to_ten_minutes_and_must_be_positive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.toml");
        let header = "[package.metadata.leptos]\noutput-name = \"chat98\"\n[chat]\n";
        std::fs::write(&path, header).unwrap();
        let args = SettingsArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.sweep_interval, DEFAULT_SWEEP_INTERVAL);
        assert_eq!(s.sweep_interval, Duration::from_secs(600));

        std::fs::write(&path, format!("{header}sweep-interval = \"30s\"\n")).unwrap();
        assert_eq!(
            Settings::load(&args).unwrap().sweep_interval,
            Duration::from_secs(30)
        );
        let flagged = SettingsArgs {
            sweep_interval: Some(Duration::from_secs(1)),
            ..args.clone()
        };
        assert_eq!(
            Settings::load(&flagged).unwrap().sweep_interval,
            Duration::from_secs(1)
        );

        std::fs::write(&path, format!("{header}sweep-interval = \"0s\"\n")).unwrap();
        assert!(matches!(
            Settings::load(&args),
            Err(SettingsError::Duration {
                key: "sweep-interval",
                ..
            })
        ));
    }

    #[test]
    fn unknown_chat_keys_and_missing_explicit_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.toml");
        std::fs::write(
            &path,
            "[package.metadata.leptos]\noutput-name = \"chat98\"\n[chat]\nretentoin = \"2h\"\n",
        )
        .unwrap();
        let args = SettingsArgs {
            config: Some(path),
            ..Default::default()
        };
        assert!(matches!(
            Settings::load(&args),
            Err(SettingsError::Chat { .. })
        ));
        let args = SettingsArgs {
            config: Some(dir.path().join("missing.toml")),
            ..Default::default()
        };
        assert!(matches!(
            Settings::load(&args),
            Err(SettingsError::Read { .. })
        ));
    }
}
