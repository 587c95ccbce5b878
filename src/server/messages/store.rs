//! Message queries. Ordering is always by id, which grows with insertion order.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::server::entities::{message, user};
use crate::types::{ChatMessage, HISTORY_PAGE};

/// How many messages the chat window shows when the page arrives.
pub const PAGE_HISTORY: u64 = HISTORY_PAGE as u64;

/// Which slice of the history to read. Ids are exclusive bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Only messages older than this id.
    pub before: Option<i64>,
    /// Only messages newer than this id; the page then starts right after it.
    pub after: Option<i64>,
    pub limit: u64,
}

/// A page of retained messages (stored at or after `cutoff`), oldest first.
///
/// With `after`, the page holds the oldest messages after that id (catching
/// up); otherwise the newest ones (before `before`, if given).
pub async fn page(
    db: &impl ConnectionTrait,
    window: Window,
    cutoff: DateTime<Utc>,
) -> Result<Vec<ChatMessage>, DbErr> {
    page_where(db, window, cutoff, None).await
}

/// [`page`] among the messages that also match `only` (a condition on the
/// messages table, e.g. `mentions::mentioning`).
pub async fn page_where(
    db: &impl ConnectionTrait,
    window: Window,
    cutoff: DateTime<Utc>,
    only: Option<sea_orm::Condition>,
) -> Result<Vec<ChatMessage>, DbErr> {
    let mut query = message::Entity::find()
        .find_also_related(user::Entity)
        .filter(message::Column::Timestamp.gte(cutoff));
    if let Some(only) = only {
        query = query.filter(only);
    }
    if let Some(before) = window.before {
        query = query.filter(message::Column::Id.lt(before));
    }
    let rows = match window.after {
        Some(after) => {
            query
                .filter(message::Column::Id.gt(after))
                .order_by_asc(message::Column::Id)
                .limit(window.limit)
                .all(db)
                .await?
        }
        None => {
            let mut rows = query
                .order_by_desc(message::Column::Id)
                .limit(window.limit)
                .all(db)
                .await?;
            rows.reverse();
            rows
        }
    };
    // The foreign key cascades, so every message has its author; a row without
    // one could only be mid-delete and is skipped rather than shown anonymous.
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| to_wire(m, &u)))
        .collect())
}

/// The `limit` most recent retained messages, oldest first.
pub async fn recent(
    db: &impl ConnectionTrait,
    limit: u64,
    cutoff: DateTime<Utc>,
) -> Result<Vec<ChatMessage>, DbErr> {
    let window = Window {
        limit,
        ..Window::default()
    };
    page(db, window, cutoff).await
}

/// The message `author` already sent under `client_id`, if any.
pub async fn find_by_client_id(
    db: &impl ConnectionTrait,
    author: &user::Model,
    client_id: &str,
) -> Result<Option<ChatMessage>, DbErr> {
    Ok(message::Entity::find()
        .filter(message::Column::UserId.eq(author.id))
        .filter(message::Column::ClientId.eq(client_id))
        .one(db)
        .await?
        .map(|m| to_wire(m, author)))
}

/// Serializes message inserts across every process sharing a PostgreSQL
/// database (an arbitrary constant: the advisory lock's name).
const INSERT_LOCK: i64 = 0x0c4a_7098;

/// A message to store: who sent it, what it says, the sender's id for it.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub author: user::Model,
    pub content: String,
    pub client_id: Option<String>,
    /// The users the content mentions (`mentions::resolve`).
    pub mentions: Vec<String>,
}

/// Stores several messages in one statement, all stamped `at`: one write
/// instead of one per message when many arrive at once (group commit).
///
/// Returns, for each of `new` in order, the stored message, or `None` when
/// its author already has a message under its client id (a retry, or the same
/// retry twice in `new`). With `sequenced`, inserts are serialized across
/// processes (a transaction-scoped advisory lock on PostgreSQL; SQLite has
/// one writer anyway), so they commit in id order: once a message is visible,
/// every lower id is visible or never will be. The id stored just before the
/// first new one (0 if none) then comes back too, so that a process that hears
/// of it can tell whether it missed one in between. Without `sequenced` it is 0.
pub async fn store_many(
    db: &DatabaseConnection,
    new: &[NewMessage],
    at: DateTime<Utc>,
    sequenced: bool,
) -> Result<(Vec<Option<ChatMessage>>, i64), DbErr> {
    let at = at.trunc_subsecs(6);
    let rows = new.iter().map(|m| message::ActiveModel {
        user_id: Set(m.author.id),
        content: Set(m.content.clone()),
        timestamp: Set(at),
        client_id: Set(m.client_id.clone()),
        mentions: Set(super::mentions::encode(&m.mentions)),
        ..Default::default()
    });
    let insert = message::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([message::Column::UserId, message::Column::ClientId]);
    if !sequenced {
        // One statement: atomic without a transaction around it.
        let stored = returned(insert.exec_with_returning_many(db).await?);
        return Ok((match_stored(new, stored), 0));
    }
    let txn = db.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({INSERT_LOCK})"))
            .await?;
    }
    let stored = returned(insert.exec_with_returning_many(&txn).await?);
    let previous = match stored.first() {
        Some(first) => previous_id(&txn, first.id).await?,
        None => 0,
    };
    txn.commit().await?;
    Ok((match_stored(new, stored), previous))
}

/// The rows an insert returned, in id order (RETURNING promises no order).
fn returned(result: sea_orm::TryInsertResult<Vec<message::Model>>) -> Vec<message::Model> {
    let mut rows = match result {
        sea_orm::TryInsertResult::Inserted(rows) => rows,
        sea_orm::TryInsertResult::Empty | sea_orm::TryInsertResult::Conflicted => Vec::new(),
    };
    rows.sort_by_key(|m| m.id);
    rows
}

/// Pairs each of `new` with its stored row. Tagged rows are told apart by
/// (author, client id), which is unique; untagged ones by author and content,
/// in id order (two identical ones are interchangeable).
fn match_stored(new: &[NewMessage], stored: Vec<message::Model>) -> Vec<Option<ChatMessage>> {
    use std::collections::{HashMap, VecDeque};
    let mut tagged = HashMap::new();
    let mut untagged: HashMap<(i64, String), VecDeque<message::Model>> = HashMap::new();
    for row in stored {
        match &row.client_id {
            Some(id) => {
                tagged.insert((row.user_id, id.clone()), row);
            }
            None => untagged
                .entry((row.user_id, row.content.clone()))
                .or_default()
                .push_back(row),
        }
    }
    new.iter()
        .map(|m| {
            let row = match &m.client_id {
                Some(id) => tagged.remove(&(m.author.id, id.clone())),
                None => untagged
                    .get_mut(&(m.author.id, m.content.clone()))
                    .and_then(VecDeque::pop_front),
            };
            row.map(|row| to_wire(row, &m.author))
        })
        .collect()
}

/// The highest id below `id`, or 0.
async fn previous_id(db: &impl ConnectionTrait, id: i64) -> Result<i64, DbErr> {
    let previous: Option<Option<i64>> = message::Entity::find()
        .select_only()
        .column_as(message::Column::Id.max(), "previous")
        .filter(message::Column::Id.lt(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(previous.flatten().unwrap_or(0))
}

/// The newest message's id, or 0 when there is none.
pub async fn newest_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    previous_id(db, i64::MAX).await
}

/// When `message` was stored (its timestamp; now if that cannot be read).
pub fn stored_at(message: &ChatMessage) -> std::time::SystemTime {
    DateTime::parse_from_rfc3339(&message.timestamp)
        .map(std::time::SystemTime::from)
        .unwrap_or_else(|_| std::time::SystemTime::now())
}

/// The wire shape of a stored message.
pub fn to_wire(m: message::Model, author: &user::Model) -> ChatMessage {
    ChatMessage {
        id: m.id,
        user: author.into(),
        content: m.content,
        timestamp: m.timestamp.to_rfc3339_opts(SecondsFormat::Micros, true),
        formatted_timestamp: m.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
        client_id: m.client_id,
        edited_at: m
            .edited_at
            .map(|at| at.to_rfc3339_opts(SecondsFormat::Micros, true)),
        mentions: super::mentions::decode(&m.mentions),
    }
}

/// Message `id` with its author, if stored and retained (stored at or
/// after `cutoff`).
pub async fn find_row(
    db: &impl ConnectionTrait,
    id: i64,
    cutoff: DateTime<Utc>,
) -> Result<Option<(message::Model, user::Model)>, DbErr> {
    let found = message::Entity::find_by_id(id)
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((m, Some(u))) if m.timestamp >= cutoff => Some((m, u)),
        _ => None,
    })
}

/// Message `id` in its wire shape, if stored and retained.
pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
    cutoff: DateTime<Utc>,
) -> Result<Option<ChatMessage>, DbErr> {
    Ok(find_row(db, id, cutoff).await?.map(|(m, u)| to_wire(m, &u)))
}

/// Replaces the text of message `id` (and the users it mentions), stamping
/// the edit `at` (the expiry still counts from the message's timestamp).
/// False if it is gone.
pub async fn update_content(
    db: &impl ConnectionTrait,
    id: i64,
    content: &str,
    mentions: &[String],
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = message::Entity::update_many()
        .col_expr(message::Column::Content, content.into())
        .col_expr(
            message::Column::Mentions,
            super::mentions::encode(mentions).into(),
        )
        .col_expr(message::Column::EditedAt, at.trunc_subsecs(6).into())
        .filter(message::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Which of `ids` are stored.
pub async fn existing(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::BTreeSet<i64>, DbErr> {
    let mut found = std::collections::BTreeSet::new();
    for chunk in ids.chunks(500) {
        let stored: Vec<i64> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(message::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(stored);
    }
    Ok(found)
}

/// Deletes message `id`; false if there was none.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let deleted = message::Entity::delete_by_id(id).exec(db).await?;
    Ok(deleted.rows_affected > 0)
}

/// Deletes every message of user `author`; the ids deleted, in order.
pub async fn delete_all_of(db: &DatabaseConnection, author: i64) -> Result<Vec<i64>, DbErr> {
    let txn = db.begin().await?;
    let mut ids: Vec<i64> = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::UserId.eq(author))
        .into_tuple()
        .all(&txn)
        .await?;
    message::Entity::delete_many()
        .filter(message::Column::UserId.eq(author))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    ids.sort_unstable();
    Ok(ids)
}
