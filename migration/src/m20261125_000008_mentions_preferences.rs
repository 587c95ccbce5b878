use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Sound,
    Notifications,
    ShowTyping,
    LastReadId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Mentions,
}

/// Never miss a message: a message records the users it mentions (their
/// names as spelled, separated by spaces: what the page shows in bold and
/// what `?mentions=me` searches), and a user has preferences (when the chime
/// plays and notifications show: `off`, `mentions` or `all`; whether typing
/// is shown) and the newest message they have seen (the unread divider).
/// One column per `ALTER TABLE`: SQLite adds one at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(text(Messages::Mentions).default("").to_owned())
                    .to_owned(),
            )
            .await?;
        let columns = [
            string_len(Users::Sound, 16).default("mentions").to_owned(),
            string_len(Users::Notifications, 16)
                .default("off")
                .to_owned(),
            boolean(Users::ShowTyping).default(true).to_owned(),
            big_integer_null(Users::LastReadId),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::Mentions)
                    .to_owned(),
            )
            .await?;
        for column in [
            Users::LastReadId,
            Users::ShowTyping,
            Users::Notifications,
            Users::Sound,
        ] {
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
