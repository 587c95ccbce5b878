//! Server functions of the chat page: called directly during server rendering,
//! over HTTP from the browser. Endpoints are fixed so clients can rely on them.

use leptos::prelude::*;

use crate::error::ChatError;
use crate::types::ChatPageData;

/// The chat window's first render: who you are, recent history, the retention.
#[server(endpoint = "chat/page")]
pub async fn load_chat_page() -> Result<ChatPageData, ChatError> {
    use crate::server::auth::session;
    use crate::server::http::respond::reject;
    use crate::server::{messages, AppState};

    async fn load() -> Result<ChatPageData, ChatError> {
        let state = AppState::from_context()?;
        let session = session::current_session().await?;
        let me = session::signed_in_user(&session, &state.db)
            .await?
            .ok_or_else(ChatError::not_signed_in)?;
        let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
        let messages = messages::recent(&state.db, messages::PAGE_HISTORY, cutoff).await?;
        Ok(ChatPageData {
            messages,
            me: (&me).into(),
            retention_text: state.settings.retention_text(),
        })
    }
    load().await.map_err(reject)
}
