//! Filling a database directly, as a test's starting point (a running server
//! only shows what it stored or heard of: restart it after seeding).

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use chat98::server::entities::{message, user};
use chat98::server::messages::store::to_wire;
use chat98::types::ChatMessage;

/// Stores one untagged message by `author`, stamped `at` (truncated to
/// microseconds, the precision every supported database keeps).
pub async fn insert(
    db: &impl ConnectionTrait,
    author: &user::Model,
    content: &str,
    at: DateTime<Utc>,
) -> Result<ChatMessage, DbErr> {
    let stored = message::ActiveModel {
        user_id: Set(author.id),
        content: Set(content.to_owned()),
        timestamp: Set(at.trunc_subsecs(6)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(to_wire(stored, author))
}
