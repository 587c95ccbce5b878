use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    /// Grows with insertion order and is never reused; all ordering is by id.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// When the server stored the message (UTC, microsecond precision).
    pub timestamp: DateTimeUtc,
    /// The sender's own id for the message (unique per author), for idempotent retries.
    pub client_id: Option<String>,
    /// When the author last edited the text; the expiry still counts from
    /// `timestamp`.
    pub edited_at: Option<DateTimeUtc>,
    /// The users the text mentions, their names as spelled, separated by
    /// spaces (empty for none); see `server::messages::mentions`.
    #[sea_orm(column_type = "Text")]
    pub mentions: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
