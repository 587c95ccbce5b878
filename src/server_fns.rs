//! Server functions of the chat page: called directly during server rendering,
//! over HTTP from the browser. Endpoints are fixed so clients can rely on them.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::ChatError;
use crate::types::{ChatMessage, ChatPageData};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::ChatError;
    use crate::server::auth::session;
    use crate::server::entities::user;
    use crate::server::AppState;

    /// The app state and the signed-in user, or `NotSignedIn`.
    pub async fn signed_in() -> Result<(AppState, user::Model), ChatError> {
        let state = AppState::from_context()?;
        let session = session::current_session().await?;
        let me = session::signed_in_user(&session, &state)
            .await?
            .ok_or_else(ChatError::not_signed_in)?;
        Ok((state, me))
    }

    /// A random client id for the page's composer form.
    pub fn fresh_client_id() -> String {
        use base64::Engine;
        let mut bytes = [0u8; 16];
        let _ = getrandom::getrandom(&mut bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// The chat window's first render: who you are, recent history, the limits.
#[server(endpoint = "chat/page")]
pub async fn load_chat_page() -> Result<ChatPageData, ChatError> {
    use crate::server::http::respond::reject;
    use crate::server::messages;

    async fn load() -> Result<ChatPageData, ChatError> {
        let (state, me) = ssr::signed_in().await?;
        let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
        let window = messages::Window {
            limit: messages::PAGE_HISTORY,
            ..messages::Window::default()
        };
        let messages = state.hub.history(&state.db, window, cutoff).await?;
        Ok(ChatPageData {
            history_complete: (messages.len() as u64) < messages::PAGE_HISTORY,
            messages,
            me: (&me).into(),
            retention_text: state.settings.retention_text(),
            retention_secs: state.settings.retention.as_secs().max(1),
            max_message_chars: state.settings.max_message_chars,
            form_client_id: ssr::fresh_client_id(),
        })
    }
    load().await.map_err(reject)
}

/// Sends a message as the signed-in user. The composer's `ActionForm` posts
/// here: without JavaScript the browser then returns to a fresh `/chat`.
#[server(endpoint = "chat/send")]
pub async fn send_message(
    content: String,
    client_id: Option<String>,
) -> Result<ChatMessage, ChatError> {
    use crate::server::http::respond::{reject, return_browser_to};
    use crate::server::posting::{self, Submission};

    async fn send(content: String, client_id: Option<String>) -> Result<ChatMessage, ChatError> {
        let (state, me) = ssr::signed_in().await?;
        let submission = Submission {
            content: Some(content),
            client_id,
        };
        // The request's timeout must not answer 503 once storing has begun.
        let commitment =
            leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|parts| {
                parts
                    .extensions
                    .get::<crate::server::http::request_timeout::Commitment>()
                    .cloned()
            });
        let posted = posting::post(&state, &me, &submission, commitment).await?;
        return_browser_to("/chat");
        Ok(posted.message)
    }
    send(content, client_id).await.map_err(reject)
}

/// One page of messages older than `before`, oldest first (scrolling back).
#[server(endpoint = "chat/older", input = GetUrl)]
pub async fn load_older(before: i64) -> Result<Vec<ChatMessage>, ChatError> {
    use crate::server::http::respond::reject;
    use crate::server::messages::{self, Window};

    async fn load(before: i64) -> Result<Vec<ChatMessage>, ChatError> {
        let (state, _) = ssr::signed_in().await?;
        let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
        let window = Window {
            before: Some(before),
            after: None,
            limit: messages::PAGE_HISTORY,
        };
        Ok(state.hub.history(&state.db, window, cutoff).await?)
    }
    load(before).await.map_err(reject)
}
