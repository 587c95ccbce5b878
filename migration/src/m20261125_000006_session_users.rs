use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each session names its signed-in user in a column of its own (it was only
/// inside the JSON data), so that all of a user's sessions can be found and
/// ended at once, and a removed user's sessions go with them (the foreign key
/// cascades).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Raw SQL: SQLite can add a column with a foreign key only this way.
        db.execute_unprepared(
            "ALTER TABLE sessions ADD COLUMN user_id BIGINT \
             REFERENCES users (id) ON DELETE CASCADE",
        )
        .await?;
        let user_in_data = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "CAST(data::json ->> 'user_id' AS BIGINT)",
            _ => "CAST(json_extract(data, '$.user_id') AS INTEGER)",
        };
        // Sessions of users that no longer exist end here.
        db.execute_unprepared(&format!(
            "DELETE FROM sessions WHERE {user_in_data} IS NOT NULL \
             AND {user_in_data} NOT IN (SELECT id FROM users)"
        ))
        .await?;
        db.execute_unprepared(&format!("UPDATE sessions SET user_id = {user_in_data}"))
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions (user_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_sessions_user_id")
            .await?;
        db.execute_unprepared("ALTER TABLE sessions DROP COLUMN user_id")
            .await?;
        Ok(())
    }
}
