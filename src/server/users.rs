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
