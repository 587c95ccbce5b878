//! Schema migrations for chat98. They are portable: the same statements run on
//! SQLite (the embedded default) and PostgreSQL (scale-out).

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_users;
mod m20261123_000002_create_messages;
mod m20261123_000003_create_sessions;
mod m20261124_000004_message_client_ids;
mod m20261125_000005_username_skeletons;
mod m20261125_000006_session_users;
mod m20261125_000007_roles_bans_edits;
mod m20261125_000008_mentions_preferences;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_users::Migration),
            Box::new(m20261123_000002_create_messages::Migration),
            Box::new(m20261123_000003_create_sessions::Migration),
            Box::new(m20261124_000004_message_client_ids::Migration),
            Box::new(m20261125_000005_username_skeletons::Migration),
            Box::new(m20261125_000006_session_users::Migration),
            Box::new(m20261125_000007_roles_bans_edits::Migration),
            Box::new(m20261125_000008_mentions_preferences::Migration),
        ]
    }
}
