//! Who copies SQLite's write-ahead log into the database file: SQLite inside
//! commits (short commands), or the server's background task (so that no post
//! pays for a checkpoint a sweep made due). Real SQLite files.

use std::path::Path;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use chat98::server::db::{connect_with, Checkpoints};
use chat98::server::settings::sqlite_url_in;

async fn open(dir: &Path, checkpoints: Checkpoints) -> DatabaseConnection {
    let opened = connect_with(&sqlite_url_in(dir), checkpoints)
        .await
        .expect("open SQLite");
    // The server's start-up spawns the checkpointer; so does this test.
    if let Some(checkpointer) = opened.checkpointer {
        tokio::spawn(checkpointer.run());
    }
    opened.connection
}

/// The log size at which this pool's commits checkpoint (0: they never do).
async fn autocheckpoint(db: &impl ConnectionTrait) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA wal_autocheckpoint",
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index(0).expect("an integer")
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// About 4 MB (1,000 pages of 4 KB at least) in one table, in small commits.
async fn write_four_megabytes(db: &DatabaseConnection) {
    db.execute_unprepared("CREATE TABLE filler (body BLOB NOT NULL)")
        .await
        .expect("create");
    for _ in 0..64 {
        db.execute_unprepared("INSERT INTO filler (body) VALUES (zeroblob(65536))")
            .await
            .expect("insert");
    }
}

#[tokio::test]
async fn short_commands_let_sqlite_checkpoint_inside_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(dir.path(), Checkpoints::InCommit).await;
    assert_eq!(autocheckpoint(&db).await, 1000, "SQLite's default");
}

#[tokio::test]
async fn the_server_checkpoints_in_the_background_and_never_inside_a_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(dir.path(), Checkpoints::Background).await;
    assert_eq!(autocheckpoint(&db).await, 0, "commits must not checkpoint");

    let file = dir.path().join("chat98.db");
    let before = file_size(&file);
    write_four_megabytes(&db).await;
    // No commit copies the log back, so only the background task can grow the
    // database file by the 4 MB written (it runs every 100 ms).
    let deadline = Instant::now() + Duration::from_secs(10);
    while file_size(&file) < before + 4 * 1024 * 1024 {
        assert!(
            Instant::now() < deadline,
            "the log was not checkpointed: database file {} bytes, log {} bytes",
            file_size(&file),
            file_size(&dir.path().join("chat98.db-wal"))
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
