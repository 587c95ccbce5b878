use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Shown as typed; unique regardless of case (index on lower(username)).
    pub username: String,
    /// The name's look-alike class (`users::skeleton`), unique: no two
    /// users' names read the same.
    pub username_skeleton: String,
    pub password_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::message::Entity")]
    Message,
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Message.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl From<&Model> for crate::types::UserRef {
    fn from(user: &Model) -> Self {
        crate::types::UserRef {
            id: user.id,
            username: user.username.clone(),
        }
    }
}
