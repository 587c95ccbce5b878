//! User records. Sign-up and sign-in build on these.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use super::entities::user;

/// Stores a new user. Fails if the username is taken in any letter case.
pub async fn create(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: &str,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        created_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The user called `username` in any letter case.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    use sea_orm::{EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(user::Column::Username)))
                .eq(username.to_ascii_lowercase()),
        )
        .one(db)
        .await
}

/// Users by id, kept once read: a user record never changes after sign-up,
/// so every signed-in request can skip the lookup.
#[derive(Debug, Default)]
pub struct KnownUsers {
    by_id: std::sync::Mutex<std::collections::HashMap<i64, user::Model>>,
}

/// Beyond this many users the cache starts over (a bound, not a tuning knob).
const KNOWN_USERS: usize = 100_000;

impl KnownUsers {
    /// The user with `id`, if one exists.
    pub async fn find(
        &self,
        db: &impl ConnectionTrait,
        id: i64,
    ) -> Result<Option<user::Model>, DbErr> {
        use sea_orm::EntityTrait;
        if let Some(user) = self.by_id().get(&id) {
            return Ok(Some(user.clone()));
        }
        let found = user::Entity::find_by_id(id).one(db).await?;
        if let Some(user) = &found {
            let mut by_id = self.by_id();
            if by_id.len() >= KNOWN_USERS {
                by_id.clear();
            }
            by_id.insert(id, user.clone());
        }
        Ok(found)
    }

    fn by_id(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, user::Model>> {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }
}
