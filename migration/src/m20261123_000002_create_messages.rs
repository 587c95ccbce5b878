use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    UserId,
    Content,
    Timestamp,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .if_not_exists()
                    // On SQLite this becomes INTEGER PRIMARY KEY AUTOINCREMENT, so an
                    // id is never reused even after every message has expired: clients
                    // resume with `after=<id>` and must never see an old id again.
                    .col(big_pk_auto(Messages::Id))
                    .col(big_integer(Messages::UserId))
                    .col(text(Messages::Content))
                    .col(timestamp_with_time_zone(Messages::Timestamp))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_user_id")
                            .from(Messages::Table, Messages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The retention sweep deletes by age.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_messages_timestamp")
                    .table(Messages::Table)
                    .col(Messages::Timestamp)
                    .to_owned(),
            )
            .await?;
        // Cascade deletes and per-user lookups.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_messages_user_id")
                    .table(Messages::Table)
                    .col(Messages::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Messages::Table).to_owned())
            .await
    }
}
