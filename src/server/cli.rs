//! The `chat98` command line.

use std::fmt::Display;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use serde::Serialize;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

use super::moderation::commands::UsersCommand;
use super::retention::clean_old_messages;
use super::serve;
use super::settings::{
    parse_duration, CommandLine, Settings, SettingsError, MAX_PREPARED_ROWS_MIB,
};
use crate::types::Registration;

/// chat98: a temporary group chat room with a Windows 98 look.
///
/// Settings come from Leptos.toml, then environment variables, then flags
/// (each later one wins). Logging is configured with RUST_LOG (default: info).
#[derive(Parser, Debug)]
#[command(name = "chat98", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Flags shared by every subcommand. Each has an environment variable (clap
/// reads it) and a `Leptos.toml` key; the flag wins over the variable, the
/// variable over the file (see `server::settings`). Serialized, the flags
/// given are the top layer of the `[chat]` table.
#[derive(clap::Args, Serialize, Debug, Clone, Default)]
#[serde(rename_all = "kebab-case")]
pub struct SettingsArgs {
    /// Runtime configuration file with [package.metadata.leptos] and [chat] tables
    /// [default: Leptos.toml in the working directory, if present]
    #[arg(long, env = "CHAT98_CONFIG", global = true, value_name = "PATH")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Address to listen on (use port 0 for any free port)
    /// [Leptos.toml: site-addr; default: 127.0.0.1:3000]
    #[arg(long, env = "LEPTOS_SITE_ADDR", global = true, value_name = "IP:PORT")]
    #[serde(skip)]
    pub site_addr: Option<SocketAddr>,

    /// Folder with the built site (pkg/ with WASM, JS and CSS, plus public assets)
    /// [Leptos.toml: site-root; default: target/site]
    #[arg(long, env = "LEPTOS_SITE_ROOT", global = true, value_name = "DIR")]
    #[serde(skip)]
    pub site_root: Option<String>,

    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB
    /// [Leptos.toml: chat.database-url; default: SQLite file chat98.db in the data dir]
    #[arg(long, env = "DATABASE_URL", global = true, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,

    /// Folder for the embedded SQLite database, created if missing
    /// [Leptos.toml: chat.data-dir; default: data]
    #[arg(long, env = "CHAT_DATA_DIR", global = true, value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,

    /// How long messages are kept, e.g. 3d, 12h, 90s
    /// [Leptos.toml: chat.retention; default: 3d]
    #[arg(long, env = "CHAT_RETENTION", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub retention: Option<Duration>,

    /// Mark the session cookie Secure; turn on when the site is served over https
    /// [Leptos.toml: chat.secure-cookies; default: false]
    #[arg(long, env = "CHAT_SECURE_COOKIES", global = true, value_name = "BOOL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure_cookies: Option<bool>,

    /// Sign a user out after this long without a request, e.g. 30d
    /// [Leptos.toml: chat.session-idle; default: 30d]
    #[arg(long, env = "CHAT_SESSION_IDLE", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,

    /// Failed sign-ins allowed per username from one client address within the
    /// throttle window before that address gets 429 for that name
    /// [Leptos.toml: chat.login-max-failures; default: 5]
    #[arg(long, env = "CHAT_LOGIN_MAX_FAILURES", global = true, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_max_failures: Option<usize>,

    /// Failed sign-ins allowed per client address over all usernames within the
    /// throttle window [Leptos.toml: chat.login-max-failures-per-address; default: 20]
    #[arg(
        long,
        env = "CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS",
        global = true,
        value_name = "N"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_max_failures_per_address: Option<usize>,

    /// Failed sign-ins allowed per username over all client addresses within the
    /// throttle window [Leptos.toml: chat.login-max-failures-per-username; default: 100]
    #[arg(
        long,
        env = "CHAT_LOGIN_MAX_FAILURES_PER_USERNAME",
        global = true,
        value_name = "N"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_max_failures_per_username: Option<usize>,

    /// Sign-up attempts (whatever their outcome) allowed per client address
    /// within the throttle window [Leptos.toml: chat.register-max; default: 5]
    #[arg(long, env = "CHAT_REGISTER_MAX", global = true, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register_max: Option<usize>,

    /// The window for sign-in and registration throttling, e.g. 5m
    /// [Leptos.toml: chat.throttle-window; default: 5m]
    #[arg(long, env = "CHAT_THROTTLE_WINDOW", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub throttle_window: Option<Duration>,

    /// The longest message accepted, in characters
    /// [Leptos.toml: chat.max-message-chars; default: 2000]
    #[arg(long, env = "CHAT_MAX_MESSAGE_CHARS", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_message_chars: Option<u32>,

    /// Messages a user may send in a burst before the sustained rate applies
    /// [Leptos.toml: chat.message-burst; default: 10]
    #[arg(long, env = "CHAT_MESSAGE_BURST", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_burst: Option<u32>,

    /// The sustained rate: one more message allowed per this interval, e.g. 1s
    /// [Leptos.toml: chat.message-interval; default: 1s]
    #[arg(long, env = "CHAT_MESSAGE_INTERVAL", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_interval: Option<Duration>,

    /// How long after sending a message its author may edit it, e.g. 15m
    /// [Leptos.toml: chat.edit-window; default: 15m]
    #[arg(long, env = "CHAT_EDIT_WINDOW", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub edit_window: Option<Duration>,

    /// Memory for the chat page's prepared history rows, in MiB; 0 renders
    /// every row on every page load
    /// [Leptos.toml: chat.prepared-rows-mib; default: 8]
    #[arg(long, env = "CHAT_PREPARED_ROWS_MIB", global = true, value_name = "MIB",
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_PREPARED_ROWS_MIB)))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prepared_rows_mib: Option<u32>,

    /// Who may sign up: open (anyone), invite (with the invite code) or closed
    /// [Leptos.toml: chat.registration; default: open]
    #[arg(long, env = "CHAT_REGISTRATION", global = true, value_name = "MODE",
          value_parser = parse_registration)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,

    /// The code sign-up needs when registration is invite
    /// [Leptos.toml: chat.invite-code; default: none]
    #[arg(
        long,
        env = "CHAT_INVITE_CODE",
        global = true,
        value_name = "CODE",
        hide_env_values = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_code: Option<String>,

    /// How often the server deletes expired messages, e.g. 10m
    /// [Leptos.toml: chat.sweep-interval; default: 10m]
    #[arg(long, env = "CHAT_SWEEP_INTERVAL", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub sweep_interval: Option<Duration>,

    /// Redis for fan-out between several chat98 processes sharing a PostgreSQL
    /// database, e.g. redis://127.0.0.1:6379
    /// [Leptos.toml: chat.redis-url; default: none, one process]
    #[arg(long, env = "REDIS_URL", global = true, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,

    /// With Redis: the prefix of chat98's channel and keys, so that several
    /// chat rooms can share one Redis [Leptos.toml: chat.redis-prefix; default: chat98]
    #[arg(long, env = "CHAT_REDIS_PREFIX", global = true, value_name = "NAME")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_prefix: Option<String>,

    /// With Redis: how long a process's users stay listed as online after it
    /// stops refreshing them (a crashed process) [Leptos.toml: chat.presence-ttl; default: 30s]
    #[arg(long, env = "CHAT_PRESENCE_TTL", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<Vec<String>>,

    /// Longest time an HTTP request may take before it is answered 503
    /// (websockets are not limited) [Leptos.toml: chat.request-timeout; default: 30s]
    #[arg(long, env = "CHAT_REQUEST_TIMEOUT", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_timeout: Option<Duration>,

    /// Time a connection has to send a whole request head, after it opens or
    /// after its previous answer (so also how long an idle keep-alive
    /// connection stays open) [Leptos.toml: chat.header-read-timeout; default: 10s]
    #[arg(long, env = "CHAT_HEADER_READ_TIMEOUT", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub header_read_timeout: Option<Duration>,

    /// Open connections (HTTP and websocket) at most; past it new ones are
    /// closed at once [Leptos.toml: chat.max-connections; default: the
    /// open-file limit (ulimit -n) minus 256]
    #[arg(long, env = "CHAT_MAX_CONNECTIONS", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,

    /// Password hashes or checks (argon2, 19 MiB each) run at once; more wait
    /// [Leptos.toml: chat.hash-concurrency; default: the number of cores]
    #[arg(long, env = "CHAT_HASH_CONCURRENCY", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_concurrency: Option<u32>,

    /// How long a sign-in or sign-up waits for a password check to come free
    /// before it is answered 503 with Retry-After
    /// [Leptos.toml: chat.hash-wait; default: 2s]
    #[arg(long, env = "CHAT_HASH_WAIT", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash_wait: Option<Duration>,

    /// Websockets one user may hold open at once (all processes together)
    /// [Leptos.toml: chat.max-sockets-per-user; default: 20]
    #[arg(long, env = "CHAT_MAX_SOCKETS_PER_USER", global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_sockets_per_user: Option<u32>,
}

/// `open`, `invite` or `closed` (the `--registration` parser).
fn parse_registration(value: &str) -> Result<Registration, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "open" => Ok(Registration::Open),
        "invite" => Ok(Registration::Invite),
        "closed" => Ok(Registration::Closed),
        _ => Err("must be open, invite or closed".into()),
    }
}

impl SettingsArgs {
    /// The settings: built-in defaults < the file < these (flags and environment).
    pub fn load(&self) -> Result<Settings, SettingsError> {
        Settings::load(CommandLine {
            config: self.config.as_deref(),
            site_addr: self.site_addr,
            site_root: self.site_root.as_deref(),
            chat: self,
        })
    }
}

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the chat room over HTTP (the default)
    Serve,
    /// Delete the messages older than the retention once, print how many, and exit
    CleanOldMessages {
        /// Only count the expired messages; delete nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Manage accounts: list, grant or revoke the moderator role, ban, unban, delete
    #[command(subcommand)]
    Users(UsersCommand),
}

impl Command {
    /// A command whose stdout is its answer logs to stderr, so scripts can read it.
    fn logs_to_stderr(&self) -> bool {
        !matches!(self, Command::Serve)
    }
}

/// Parses the command line, runs the chosen subcommand and reports failure.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    init_logging(command.logs_to_stderr());
    let settings = match cli.settings.load() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Serve => finish(serve::serve(settings).await),
        Command::Users(command) => finish(
            super::moderation::commands::run(&settings, command)
                .await
                .map(|done| println!("{done}")),
        ),
        Command::CleanOldMessages { dry_run } => {
            finish(clean_old_messages(&settings, dry_run).await.map(|cleaned| {
                println!("{cleaned}");
            }))
        }
    }
}

/// Success, or the error logged and a failing exit code.
fn finish(outcome: Result<(), impl Display>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(to_stderr: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Colours only for a terminal, so log files and test harnesses read plain text.
    let (ansi, writer) = if to_stderr {
        (
            std::io::stderr().is_terminal(),
            BoxMakeWriter::new(std::io::stderr),
        )
    } else {
        (
            std::io::stdout().is_terminal(),
            BoxMakeWriter::new(std::io::stdout),
        )
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer)
        .init();
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::CommandFactory;

    use super::*;
    use crate::server::settings::{describe_duration, Messages, SettingsError, DEFAULT_RETENTION};

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_flag_names_its_environment_variable() {
        let help = Cli::command().render_long_help().to_string();
        for var in [
            "CHAT98_CONFIG",
            "LEPTOS_SITE_ADDR",
            "LEPTOS_SITE_ROOT",
            "DATABASE_URL",
            "CHAT_DATA_DIR",
            "CHAT_RETENTION",
            "CHAT_SWEEP_INTERVAL",
        ] {
            assert!(help.contains(var), "--help does not mention {var}:\n{help}");
        }
    }

    #[test]
    fn serve_is_the_default_and_flags_go_either_side() {
        let cli = Cli::try_parse_from(["chat98", "--retention", "90s"]).unwrap();
        assert_eq!(cli.command, None);
        let cli = Cli::try_parse_from(["chat98", "serve", "--site-addr", "127.0.0.1:0"]).unwrap();
        assert_eq!(cli.command, Some(Command::Serve));
        assert!(Cli::try_parse_from(["chat98", "--retention", "0s"]).is_err());
    }

    #[test]
    fn clean_old_messages_takes_dry_run_and_the_shared_flags() {
        let cli = Cli::try_parse_from(["chat98", "clean-old-messages"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::CleanOldMessages { dry_run: false })
        );
        let cli = Cli::try_parse_from([
            "chat98",
            "--retention",
            "3s",
            "clean-old-messages",
            "--dry-run",
            "--database-url",
            "sqlite://x.db",
        ])
        .unwrap();
        assert_eq!(
            cli.command,
            Some(Command::CleanOldMessages { dry_run: true })
        );
        assert_eq!(
            cli.settings.retention,
            Some(std::time::Duration::from_secs(3))
        );
        assert_eq!(cli.settings.database_url.as_deref(), Some("sqlite://x.db"));
        assert!(Cli::try_parse_from(["chat98", "serve", "--dry-run"]).is_err());
        assert!(Cli::try_parse_from(["chat98", "--sweep-interval", "0s"]).is_err());
    }

    #[test]
    fn only_serve_logs_to_stdout() {
        assert!(!Command::Serve.logs_to_stderr());
        assert!(Command::CleanOldMessages { dry_run: false }.logs_to_stderr());
    }

    // Loading: the layers.
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
        assert_eq!(parse_duration("3d"), Ok(DEFAULT_RETENTION));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
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
        let s = args.load().unwrap();
        assert_eq!(s.messages.retention, Duration::from_secs(7_200));
        assert_eq!(&*s.leptos.site_root, "site");
        assert_eq!(s.storage.database_url(), "sqlite://somewhere/chat98.db");

        let args = SettingsArgs {
            config: Some(path),
            retention: Some(Duration::from_secs(5)),
            database_url: Some("sqlite://elsewhere.db".into()),
            site_addr: Some("127.0.0.1:0".parse().unwrap()),
            ..Default::default()
        };
        let s = args.load().unwrap();
        assert_eq!(s.messages.retention, Duration::from_secs(5));
        assert_eq!(s.storage.database_url(), "sqlite://elsewhere.db");
        assert_eq!(s.storage.sqlite_dir(), None);
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
        let s = args.load().unwrap();
        assert_eq!(
            s.messages.sweep_interval,
            Messages::default().sweep_interval
        );
        assert_eq!(s.messages.sweep_interval, Duration::from_secs(600));

        std::fs::write(&path, format!("{header}sweep-interval = \"30s\"\n")).unwrap();
        assert_eq!(
            args.load().unwrap().messages.sweep_interval,
            Duration::from_secs(30)
        );
        let flagged = SettingsArgs {
            sweep_interval: Some(Duration::from_secs(1)),
            ..args.clone()
        };
        assert_eq!(
            flagged.load().unwrap().messages.sweep_interval,
            Duration::from_secs(1)
        );

        std::fs::write(&path, format!("{header}sweep-interval = \"0s\"\n")).unwrap();
        assert!(matches!(
            args.load(),
            Err(SettingsError::Duration {
                key: "sweep-interval",
                ..
            })
        ));
    }

    #[test]
    fn prepared_rows_memory_is_bounded_in_the_file_as_on_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.toml");
        let header = "[package.metadata.leptos]\noutput-name = \"chat98\"\n[chat]\n";
        let args = SettingsArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        std::fs::write(&path, format!("{header}prepared-rows-mib = 0\n")).unwrap();
        assert_eq!(args.load().unwrap().messages.prepared_rows_mib, 0);
        std::fs::write(&path, format!("{header}prepared-rows-mib = 4097\n")).unwrap();
        assert!(matches!(
            args.load(),
            Err(SettingsError::PreparedRows(4097))
        ));
        let flag = |mib: &str| Cli::try_parse_from(["chat98", "serve", "--prepared-rows-mib", mib]);
        assert!(flag("4096").is_ok());
        assert!(
            flag("4097").is_err(),
            "4097 MiB accepted on the command line"
        );
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
        assert!(matches!(args.load(), Err(SettingsError::Chat { .. })));
        let args = SettingsArgs {
            config: Some(dir.path().join("missing.toml")),
            ..Default::default()
        };
        assert!(matches!(args.load(), Err(SettingsError::Read { .. })));
    }
}
