//! Server functions: called directly during server rendering, over HTTP from
//! the browser. Their endpoints are fixed so API clients and tests can rely on them.

use leptos::prelude::*;

use crate::error::ChatError;
use crate::types::ChatPageData;

/// The chat window's first render: recent history and the retention.
#[server(endpoint = "chat/page")]
pub async fn load_chat_page() -> Result<ChatPageData, ChatError> {
    use crate::server::{messages, AppState};

    let state = use_context::<AppState>()
        .ok_or_else(|| ChatError::Transport("server state is missing".into()))?;
    let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
    let messages = messages::recent(&state.db, messages::PAGE_HISTORY, cutoff).await?;
    Ok(ChatPageData {
        messages,
        me: None,
        retention_text: state.settings.retention_text(),
    })
}
