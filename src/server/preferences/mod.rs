//! A user's preferences (when the chime plays and notifications show,
//! whether typing is shown), stored on their user row. The REST endpoints
//! are in `rest`; the Options menu's server function in `page`.

pub mod page;
pub mod rest;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::AppState;
use crate::types::Preferences;

/// Stores `preferences` for user `me`; the running server reads them anew.
pub async fn save(
    state: &AppState,
    me: &user::Model,
    preferences: &Preferences,
) -> Result<Preferences, ChatError> {
    user::Entity::update_many()
        .col_expr(user::Column::Sound, preferences.sound.as_str().into())
        .col_expr(
            user::Column::Notifications,
            preferences.notifications.as_str().into(),
        )
        .col_expr(user::Column::ShowTyping, preferences.show_typing.into())
        .filter(user::Column::Id.eq(me.id))
        .exec(&state.db)
        .await?;
    state.users.forget(me.id);
    Ok(preferences.clone())
}
