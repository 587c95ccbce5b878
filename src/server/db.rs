//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};

use super::settings::Settings;

/// How long a request waits for a database connection.
const STORAGE_PATIENCE: Duration = Duration::from_secs(5);

/// Connects to `url` (SQLite or PostgreSQL) and runs pending migrations.
///
/// SQLite files are opened in WAL mode so that readers never wait for the
/// writer, and are created if missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    // While the database is away, a request fails after this (503) instead of
    // waiting out the pool's default of half a minute.
    options
        .connect_timeout(STORAGE_PATIENCE)
        .acquire_timeout(STORAGE_PATIENCE);
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
    if db.get_database_backend() == DatabaseBackend::Postgres {
        migrate_exclusively(url).await?;
    } else {
        Migrator::up(&db, None).await?;
    }
    Ok(db)
}

/// Names the lock that serializes migrations (an arbitrary constant).
const MIGRATION_LOCK: i64 = 0x0c4a_7099;

/// Runs the migrations while holding a PostgreSQL advisory lock, so that
/// several processes starting at once do not race to create the same tables.
/// The lock belongs to a session, hence a connection of its own.
async fn migrate_exclusively(url: &str) -> Result<(), DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(1)
        .connect_timeout(STORAGE_PATIENCE);
    let single = Database::connect(options).await?;
    single
        .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = Migrator::up(&single, None).await;
    let unlocked = single
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    let _ = single.close().await;
    migrated?;
    unlocked.map(|_| ())
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
