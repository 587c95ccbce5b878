//! Opening the database and bringing its schema up to date.

mod checkpointer;

pub use checkpointer::Checkpointer;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};

use super::settings::Storage;

/// How long a request waits for a database connection, and how long one
/// statement may wait for a lock (SQLite's busy timeout, PostgreSQL's
/// `statement_timeout`): a request that has begun storing a message waits for
/// the outcome (see `http::request_timeout`), so that wait must be bounded.
const STORAGE_PATIENCE: Duration = Duration::from_secs(5);

/// Who copies SQLite's write-ahead log back into the database file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checkpoints {
    /// SQLite itself, inside whichever commit grows the log past 1,000 pages:
    /// right for short commands.
    InCommit,
    /// A background task of this process, so that no commit (a post's, say)
    /// waits for a checkpoint that another writer's pages (a sweep's) made
    /// due: right for the server.
    Background,
}

/// Connects to `url` (SQLite or PostgreSQL) and runs pending migrations.
///
/// SQLite files are created if missing and opened in WAL mode, so that other
/// connections (the checkpointer's, another process's) read while one writes.
/// The pool holds one connection (sea-orm's default for SQLite): statements
/// take turns in the order they asked, and never meet SQLite's busy handler,
/// which would sleep for milliseconds.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Ok(connect_with(url, Checkpoints::InCommit).await?.connection)
}

/// An open, migrated database.
pub struct Opened {
    pub connection: DatabaseConnection,
    /// With [`Checkpoints::Background`] on SQLite: the task to spawn.
    pub checkpointer: Option<Checkpointer>,
}

/// [`connect`], choosing who checkpoints an SQLite database (PostgreSQL
/// ignores `checkpoints`).
pub async fn connect_with(url: &str, checkpoints: Checkpoints) -> Result<Opened, DbErr> {
    let connection = Database::connect(options(url, checkpoints)).await?;
    let mut checkpointer = None;
    if connection.get_database_backend() == DatabaseBackend::Postgres {
        migrate_exclusively(url).await?;
    } else {
        Migrator::up(&connection, None).await?;
        if checkpoints == Checkpoints::Background {
            let own = Database::connect(options(url, checkpoints)).await?;
            checkpointer = Some(Checkpointer(own));
        }
    }
    Ok(Opened {
        connection,
        checkpointer,
    })
}

fn options(url: &str, checkpoints: Checkpoints) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    // While the database is away, a request fails after this (503) instead of
    // waiting out the pool's default of half a minute.
    options
        .connect_timeout(STORAGE_PATIENCE)
        .acquire_timeout(STORAGE_PATIENCE);
    if url.starts_with("postgres") {
        options.map_sqlx_postgres_opts(|o| {
            o.options([(
                "statement_timeout",
                format!("{}ms", STORAGE_PATIENCE.as_millis()),
            )])
        });
    }
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(move |o| {
            let o = o
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(STORAGE_PATIENCE)
                .foreign_keys(true);
            match checkpoints {
                Checkpoints::InCommit => o,
                Checkpoints::Background => checkpointer::leave_to_background(o),
            }
        });
    }
    options
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
pub async fn open(storage: &Storage, checkpoints: Checkpoints) -> Result<Opened, OpenError> {
    if let Some(dir) = storage.sqlite_dir() {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
            path: dir.to_owned(),
            source,
        })?;
    }
    Ok(connect_with(&storage.database_url(), checkpoints).await?)
}
