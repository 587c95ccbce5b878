//! User records. Sign-up and sign-in build on these.

use chrono::Utc;
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
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}
