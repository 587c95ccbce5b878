//! The databases the storage tests run against: a temporary SQLite file always,
//! and PostgreSQL when `TEST_DATABASE_URL` is set (each test in a schema of its own).

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;

/// Keeps whatever backs a test database alive until the test ends.
pub enum Backing {
    Sqlite(TempDir),
    Postgres { url: String, schema: String },
}

impl Drop for Backing {
    fn drop(&mut self) {
        if let Backing::Postgres { url, schema } = self {
            let url = url.clone();
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            // Best effort, on a connection and runtime of its own (the test's
            // runtime is busy dropping us). The name is unique, so a leftover
            // harms no other test.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&url).await.ok()?;
                    admin.execute_unprepared(&sql).await.ok()
                })
            })
            .join();
        }
    }
}

pub async fn sqlite() -> (Backing, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = chat98::server::db::connect(&chat98::server::settings::sqlite_url_in(dir.path()))
        .await
        .expect("open SQLite");
    (Backing::Sqlite(dir), db)
}

/// `TEST_DATABASE_URL`, or `None` to skip. With `CHAT98_REQUIRE_SERVICES=1`
/// (as CI sets) a missing URL fails the test instead of skipping it.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CHAT98_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("TEST_DATABASE_URL is not set but CHAT98_REQUIRE_SERVICES=1")
        }
        _ => {
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            None
        }
    }
}

pub async fn postgres(url: &str) -> (Backing, DatabaseConnection) {
    let admin = Database::connect(url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    let schema = format!(
        "chat98_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos()
    );
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let db = chat98::server::db::connect(&scoped)
        .await
        .expect("connect and migrate PostgreSQL");
    (
        Backing::Postgres {
            url: url.to_owned(),
            schema,
        },
        db,
    )
}

/// `base` scoped to `schema` (created if missing) through `search_path`: a
/// database of its own for a test's server processes and its direct queries.
pub fn postgres_schema_url(base: &str, schema: &str) -> String {
    let admin_url = base.to_owned();
    let sql = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
    // Synchronous callers (starting a server process): a runtime of our own.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&sql).await.expect("create schema");
        })
    })
    .join()
    .expect("schema creation");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// Whether the server tests run on PostgreSQL (`CHAT98_TEST_BACKEND=postgres`,
/// the second pass of `make unit`) instead of a SQLite file.
pub fn servers_use_postgres() -> bool {
    std::env::var("CHAT98_TEST_BACKEND").as_deref() == Ok("postgres")
}
