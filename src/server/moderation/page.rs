//! What the page's moderation server function (`crate::server_fns::ban_user`)
//! does on the server.

use super::BanOrder;
use crate::error::ChatError;
use crate::server::auth::session;
use crate::server::http::respond::return_browser_to;
use crate::server::AppState;
use crate::types::Ban;

/// The signed-in moderator bans `username`.
pub async fn ban(
    username: String,
    duration: Option<String>,
    reason: Option<String>,
    purge: bool,
) -> Result<Ban, ChatError> {
    let state = AppState::from_context()?;
    let session = session::current_session().await?;
    let me = session::signed_in_user(&session, &state.users, &state.db)
        .await?
        .ok_or_else(ChatError::not_signed_in)?;
    let order = BanOrder {
        username,
        duration,
        reason,
        purge,
    };
    let ban = super::ban(&state, &me, order).await?;
    return_browser_to("/chat");
    Ok(ban)
}
