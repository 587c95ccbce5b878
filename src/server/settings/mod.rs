//! Runtime settings, layered by one loader (figment): built-in defaults <
//! `Leptos.toml` < environment variables < command-line flags. The flags and
//! their environment variables are clap's (`server::cli`); each setting's
//! default is written once, in `groups`.
//!
//! `Leptos.toml` holds the site's `[package.metadata.leptos]` keys (read by
//! leptos_config, which applies `LEPTOS_*` environment overrides itself) and
//! the chat's own `[chat]` table.

mod address_block;
mod groups;

pub use self::address_block::AddressBlock;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use figment::providers::Serialized;
use figment::Figment;
use leptos::config::{get_config_from_str, get_configuration, LeptosOptions};
use serde::{Deserialize, Serialize};

pub use self::groups::{
    open_file_limit, sqlite_url_in, Accounts, Live, Messages, Operations, ScaleOut, Storage,
    DEFAULT_RETENTION, RESERVED_FILES,
};

/// The most memory the prepared history rows may be given (MiB).
pub const MAX_PREPARED_ROWS_MIB: u32 = 4096;

/// The file read when `--config` is not given (missing is fine then).
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

/// Everything the server needs to know, resolved from all layers.
#[derive(Debug, Clone)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub storage: Storage,
    pub accounts: Accounts,
    pub messages: Messages,
    pub live: Live,
    pub operations: Operations,
    pub scale_out: ScaleOut,
    /// Hashed file names were configured but hash.txt is not beside the binary.
    pub hash_file_missing: bool,
}

/// What the command line adds on top of the file: flags, and the environment
/// variables clap read for them (see `server::cli::SettingsArgs`).
pub struct CommandLine<'a, F: Serialize> {
    /// The runtime configuration file, when one was named.
    pub config: Option<&'a Path>,
    pub site_addr: Option<SocketAddr>,
    pub site_root: Option<&'a str>,
    /// The `[chat]` keys given, serialized flat in kebab-case (absent ones skipped).
    pub chat: &'a F,
}

/// The `[chat]` table: every group's keys side by side.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct ChatTable {
    #[serde(flatten)]
    storage: Storage,
    #[serde(flatten)]
    accounts: Accounts,
    #[serde(flatten)]
    messages: Messages,
    #[serde(flatten)]
    live: Live,
    #[serde(flatten)]
    operations: Operations,
    #[serde(flatten)]
    scale_out: ScaleOut,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid [package.metadata.leptos] in {path}: {message}")]
    Leptos { path: PathBuf, message: String },
    #[error("invalid [chat] table in {path}: {message}")]
    Chat { path: PathBuf, message: String },
    #[error("invalid {key} {value}: must be at least 1")]
    Zero { key: &'static str, value: usize },
    #[error("registration is invite but no invite-code is set (CHAT_INVITE_CODE)")]
    InviteCodeMissing,
    #[error("invalid prepared-rows-mib {0}: at most {max}", max = MAX_PREPARED_ROWS_MIB)]
    PreparedRows(u32),
    #[error("invalid {key} {value:?}: {message}")]
    Duration {
        key: &'static str,
        value: String,
        message: String,
    },
}

/// A humantime duration longer than zero (the flags' parser).
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(value).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

impl Settings {
    /// Resolves the settings from `Leptos.toml` and the command line.
    pub fn load<F: Serialize>(given: CommandLine<'_, F>) -> Result<Self, SettingsError> {
        let path = given
            .config
            .map_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE), Path::to_owned);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            // Without a file (and none asked for) run on defaults and the environment.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && given.config.is_none() => None,
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        let (leptos, hash_file_missing) = leptos_options(&path, text.as_deref(), &given)?;
        let chat = chat_table(&path, text.as_deref(), given.chat)?;
        chat.validate()?;
        Ok(Settings {
            leptos,
            storage: chat.storage,
            accounts: chat.accounts,
            messages: chat.messages,
            live: chat.live,
            operations: chat.operations,
            scale_out: chat.scale_out,
            hash_file_missing,
        })
    }

    /// Messages stored before this instant have expired, as of now.
    pub fn cutoff_now(&self) -> DateTime<Utc> {
        self.retention_cutoff(Utc::now())
    }

    /// Messages stored before this instant have expired.
    pub fn retention_cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.messages.retention)
            .ok()
            .and_then(|d| now.checked_sub_signed(d))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The retention in words, as the note under the chat window states it.
    pub fn retention_text(&self) -> String {
        describe_duration(self.messages.retention)
    }
}

/// The site's options: the file's `[package.metadata.leptos]` (or leptos's
/// defaults and `LEPTOS_*` variables), then the flags. Also whether hashed
/// file names had to be turned off (hash.txt missing).
fn leptos_options<F: Serialize>(
    path: &Path,
    text: Option<&str>,
    given: &CommandLine<'_, F>,
) -> Result<(LeptosOptions, bool), SettingsError> {
    let read = match text {
        Some(text) => get_config_from_str(text),
        None => get_configuration(None).map(|c| c.leptos_options),
    };
    let mut leptos = read.map_err(|e| SettingsError::Leptos {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if leptos.output_name.is_empty() {
        leptos.output_name = env!("CARGO_PKG_NAME").into();
    }
    // leptos panics rendering a page when hashing is on and hash.txt is
    // missing (a binary built by plain cargo): use the plain names then.
    let hash_file_missing = leptos.hash_files && !hash_file(&leptos).is_some_and(|p| p.exists());
    if hash_file_missing {
        leptos.hash_files = false;
    }
    if let Some(addr) = given.site_addr {
        leptos.site_addr = addr;
    }
    if let Some(root) = given.site_root {
        leptos.site_root = root.into();
    }
    Ok((leptos, hash_file_missing))
}

/// The `[chat]` table: built-in defaults, then the file's table, then what
/// clap read from the environment and the flags.
fn chat_table(
    path: &Path,
    text: Option<&str>,
    flags: &impl Serialize,
) -> Result<ChatTable, SettingsError> {
    let invalid = |message: String| SettingsError::Chat {
        path: path.to_owned(),
        message,
    };
    let file: toml::Table = match text {
        Some(text) => toml::from_str(text).map_err(|e| invalid(e.to_string()))?,
        None => toml::Table::new(),
    };
    let in_file = match file.get("chat") {
        Some(toml::Value::Table(table)) => table.clone(),
        Some(_) => return Err(invalid("[chat] must be a table".into())),
        None => toml::Table::new(),
    };
    let known = chat_keys();
    if let Some(unknown) = in_file.keys().find(|k| !known.contains(k.as_str())) {
        return Err(invalid(format!("unknown key `{unknown}`")));
    }
    Figment::from(Serialized::defaults(ChatTable::default()))
        .merge(Serialized::defaults(in_file))
        .merge(Serialized::defaults(flags))
        .extract()
        .map_err(|e| invalid(e.to_string()))
}

/// Every key of the `[chat]` table.
pub fn chat_keys() -> BTreeSet<String> {
    match serde_json::to_value(ChatTable::default()) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().map(|(k, _)| k).collect(),
        _ => BTreeSet::new(),
    }
}

impl ChatTable {
    /// What serde cannot say: durations longer than zero, counts of at least one.
    fn validate(&self) -> Result<(), SettingsError> {
        let durations = [
            ("retention", self.messages.retention),
            ("sweep-interval", self.messages.sweep_interval),
            ("message-interval", self.messages.message_interval),
            ("edit-window", self.messages.edit_window),
            ("session-idle", self.accounts.session_idle),
            ("throttle-window", self.accounts.throttle_window),
            ("hash-wait", self.accounts.hash_wait),
            ("request-timeout", self.operations.request_timeout),
            ("header-read-timeout", self.operations.header_read_timeout),
            ("presence-ttl", self.scale_out.presence_ttl),
        ];
        if let Some((key, _)) = durations.iter().find(|(_, d)| d.is_zero()) {
            return Err(SettingsError::Duration {
                key,
                value: "0s".into(),
                message: "must be longer than zero".into(),
            });
        }
        if self.messages.prepared_rows_mib > MAX_PREPARED_ROWS_MIB {
            return Err(SettingsError::PreparedRows(self.messages.prepared_rows_mib));
        }
        if self.accounts.registration == crate::types::Registration::Invite
            && self.accounts.invite_code().is_none()
        {
            return Err(SettingsError::InviteCodeMissing);
        }
        let counts = [
            ("max-message-chars", self.messages.max_message_chars),
            ("message-burst", self.messages.message_burst as usize),
            (
                "max-sockets-per-user",
                self.live.max_sockets_per_user as usize,
            ),
            (
                "max-connections",
                self.operations.max_connections.unwrap_or(1),
            ),
            (
                "hash-concurrency",
                self.accounts.hash_concurrency.unwrap_or(1),
            ),
        ];
        match counts.into_iter().find(|(_, n)| *n == 0) {
            Some((key, value)) => Err(SettingsError::Zero { key, value }),
            None => Ok(()),
        }
    }
}

/// Where leptos looks for cargo-leptos's list of file hashes: beside the binary.
fn hash_file(leptos: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(leptos.hash_file.as_ref()))
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
