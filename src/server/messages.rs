//! Message queries. Ordering is always by id, which grows with insertion order.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::entities::{message, user};
use crate::types::ChatMessage;

/// How many messages the chat window shows when the page arrives.
pub const PAGE_HISTORY: u64 = 100;

/// The `limit` most recent messages stored at or after `cutoff`, oldest first.
pub async fn recent(
    db: &impl ConnectionTrait,
    limit: u64,
    cutoff: DateTime<Utc>,
) -> Result<Vec<ChatMessage>, DbErr> {
    let rows = message::Entity::find()
        .find_also_related(user::Entity)
        .filter(message::Column::Timestamp.gte(cutoff))
        .order_by_desc(message::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    // The foreign key cascades, so every message has its author; a row without
    // one could only be mid-delete and is skipped rather than shown anonymous.
    Ok(rows
        .into_iter()
        .rev()
        .filter_map(|(m, u)| u.map(|u| to_wire(m, &u)))
        .collect())
}

/// Stores a message by `author`, stamped `at` (truncated to microseconds, the
/// precision every supported database keeps).
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

/// The wire shape of a stored message.
pub fn to_wire(m: message::Model, author: &user::Model) -> ChatMessage {
    ChatMessage {
        id: m.id,
        user: author.into(),
        content: m.content,
        timestamp: m.timestamp.to_rfc3339_opts(SecondsFormat::Micros, true),
        formatted_timestamp: m.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}
