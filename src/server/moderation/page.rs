//! What the page's moderation server function (`crate::server_fns::ban_user`)
//! does on the server.

use super::BanOrder;
use crate::error::ChatError;
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
    let (state, me) = AppState::with_user_from_context().await?;
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
