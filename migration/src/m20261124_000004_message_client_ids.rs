use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    UserId,
    ClientId,
}

/// Senders may tag a message with their own id for it, so that a retry after a
/// timeout finds the message already stored instead of storing it twice.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(string_len_null(Messages::ClientId, 64))
                    .to_owned(),
            )
            .await?;
        // One message per (author, client id); NULLs (untagged messages) never clash.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_messages_user_client_id")
                    .table(Messages::Table)
                    .col(Messages::UserId)
                    .col(Messages::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_user_client_id")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::ClientId)
                    .to_owned(),
            )
            .await
    }
}
