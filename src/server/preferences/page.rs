//! What the Options menu's server function (`crate::server_fns::save_preferences`)
//! does on the server.

use crate::error::ChatError;
use crate::server::http::respond::return_browser_to;
use crate::server::AppState;
use crate::types::Preferences;

/// Saves the Options menu's choices; a plain form post then returns to `/chat`.
pub async fn save(preferences: Preferences) -> Result<Preferences, ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    let saved = super::save(&state, &me, &preferences).await?;
    return_browser_to("/chat");
    Ok(saved)
}
