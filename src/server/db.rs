//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use super::settings::Settings;

/// Connects to `url` (SQLite or PostgreSQL) and runs pending migrations.
///
/// SQLite files are opened in WAL mode so that readers never wait for the
/// writer, and are created if missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database: {0}")]
    Database(#[from] DbErr),
}

/// Opens the configured database, first creating the embedded SQLite file's
/// folder (SQLite creates the file, not its folder). Every command starts here.
pub async fn open(settings: &Settings) -> Result<DatabaseConnection, OpenError> {
    if let Some(dir) = &settings.data_dir {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
            path: dir.clone(),
            source,
        })?;
    }
    Ok(connect(&settings.database_url).await?)
}

/// The URL of the embedded SQLite database inside `data_dir`.
pub fn sqlite_url_in(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("chat98.db").display())
}
