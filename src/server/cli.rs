//! The `chat98` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

/// Parses the command line, runs the chosen subcommand and reports failure.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let settings = match Settings::load(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(settings).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Colours only for a terminal, so log files and test harnesses read plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
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
}
