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
    /// `member` or `moderator` (see [`crate::types::Role`]).
    pub role: String,
    /// Banned until then; a ban with no end is stored as the far future
    /// (see `server::moderation::FOREVER`).
    pub banned_until: Option<DateTimeUtc>,
    pub ban_reason: Option<String>,
    /// Preferences ([`crate::types::Preferences`]): `off`, `mentions` or `all`.
    pub sound: String,
    pub notifications: String,
    pub show_typing: bool,
    /// The newest message the user has seen (the unread divider's place).
    pub last_read_id: Option<i64>,
}

impl Model {
    pub fn role(&self) -> crate::types::Role {
        crate::types::Role::parse(&self.role)
    }

    pub fn is_moderator(&self) -> bool {
        self.role() == crate::types::Role::Moderator
    }

    /// Whether a ban holds at `now` (an expired one has lifted itself).
    pub fn is_banned_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.banned_until.is_some_and(|until| until > now)
    }

    pub fn preferences(&self) -> crate::types::Preferences {
        crate::types::Preferences {
            sound: crate::types::Alerts::parse(&self.sound),
            notifications: crate::types::Alerts::parse(&self.notifications),
            show_typing: self.show_typing,
        }
    }

    pub fn is_banned(&self) -> bool {
        self.is_banned_at(chrono::Utc::now())
    }
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
