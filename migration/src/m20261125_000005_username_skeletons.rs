use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    UsernameSkeleton,
}

/// Names that read alike (letter case, `l`/`I`/`i`/`1`/`|`, `O`/`0`, `rn`/`m`,
/// `vv`/`w`) are one name: each user gets the name's look-alike class in a
/// unique column. This is `users::skeleton` in the server, written with SQL
/// `replace` so that it runs the same on SQLite and PostgreSQL.
const SKELETON: &str = "replace(replace(replace(replace(replace(replace(\
    lower(username), '1', 'l'), 'i', 'l'), '|', 'l'), '0', 'o'), 'rn', 'm'), 'vv', 'w')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len(Users::UsernameSkeleton, 64).default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!("UPDATE users SET username_skeleton = {SKELETON}"))
            .await?;
        // Look-alikes created before this rule keep their accounts: all but
        // the oldest get their id appended, which no new name can match.
        db.execute_unprepared(
            "UPDATE users SET username_skeleton = username_skeleton || '#' || CAST(id AS TEXT) \
             WHERE id NOT IN (SELECT MIN(id) FROM users GROUP BY username_skeleton)",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_users_username_skeleton")
                    .table(Users::Table)
                    .col(Users::UsernameSkeleton)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_users_username_skeleton")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::UsernameSkeleton)
                    .to_owned(),
            )
            .await
    }
}
