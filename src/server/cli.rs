//! The `chat98` command line.

use std::fmt::Display;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::fmt::writer::BoxMakeWriter;

use super::retention::clean_old_messages;
use super::serve;
use super::settings::{Settings, SettingsArgs};

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

#[derive(Subcommand, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Serve the chat room over HTTP (the default)
    Serve,
    /// Delete the messages older than the retention once, print how many, and exit
    CleanOldMessages {
        /// Only count the expired messages; delete nothing
        #[arg(long)]
        dry_run: bool,
    },
}

impl Command {
    /// A command whose stdout is its answer logs to stderr, so scripts can read it.
    fn logs_to_stderr(self) -> bool {
        !matches!(self, Command::Serve)
    }
}

/// Parses the command line, runs the chosen subcommand and reports failure.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    init_logging(command.logs_to_stderr());
    let settings = match Settings::load(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Serve => finish(serve::serve(settings).await),
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
    use clap::CommandFactory;

    use super::*;

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
}
