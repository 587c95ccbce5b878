//! How far each user has read: the newest message they have seen, stored on
//! their user row. The chat page puts the unread divider after it; the page
//! moves it forward as the user sees messages (and on every render).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::store;
use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::AppState;

/// Records that user `me` has seen every message up to `id`, never past the
/// newest stored message; the mark in effect comes back.
pub async fn advance(state: &AppState, me: &user::Model, id: i64) -> Result<i64, ChatError> {
    let newest = store::newest_id(&state.db).await?;
    let id = id.clamp(0, newest);
    advance_to(&state.db, me.id, id).await?;
    Ok(of(&state.db, me.id).await?.unwrap_or(id))
}

/// Moves user `user_id`'s mark to `id` (a stored message's id) if it is
/// behind. One conditional statement, so racing tabs cannot move it back.
pub async fn advance_to(db: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::LastReadId, Expr::value(id))
        .filter(user::Column::Id.eq(user_id))
        .filter(
            user::Column::LastReadId
                .is_null()
                .or(user::Column::LastReadId.lt(id)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The newest message user `user_id` has seen, as stored now.
///
/// Read with `all()`, not `one()`: the id is the primary key, so there is at
/// most one row, and `one()`'s bound `LIMIT` makes SQLite compile the
/// statement again on every run (BENCHMARKS.md, session 17). Every `/chat`
/// load runs this.
pub async fn of(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<i64>, DbErr> {
    let rows = user::Entity::find_by_id(user_id).all(db).await?;
    Ok(rows.into_iter().next().and_then(|u| u.last_read_id))
}
