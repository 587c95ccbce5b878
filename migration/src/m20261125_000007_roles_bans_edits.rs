use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Role,
    BannedUntil,
    BanReason,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    EditedAt,
}

/// A room people can run in public: every user has a role (`member` or
/// `moderator`; nobody is a moderator until the operator grants it), may be
/// banned (until a time, or with no end when only the reason or the far
/// future is set: see `server::moderation`), and a message records when its
/// author last edited it. One column per `ALTER TABLE`: SQLite adds one at a
/// time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = |column: ColumnDef| {
            Table::alter()
                .table(Users::Table)
                .add_column(column)
                .to_owned()
        };
        manager
            .alter_table(add(string_len(Users::Role, 16)
                .default("member")
                .to_owned()))
            .await?;
        manager
            .alter_table(add(timestamp_with_time_zone_null(Users::BannedUntil)))
            .await?;
        manager
            .alter_table(add(text_null(Users::BanReason)))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(timestamp_with_time_zone_null(Messages::EditedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::EditedAt)
                    .to_owned(),
            )
            .await?;
        for column in [Users::BanReason, Users::BannedUntil, Users::Role] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
