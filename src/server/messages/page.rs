//! What the chat page's server functions (`crate::server_fns`) do on the
//! server: its first render, sending from the composer, older history,
//! editing and deleting.

use crate::error::ChatError;
use crate::server::http::request_timeout::Commitment;
use crate::server::http::respond::return_browser_to;
use crate::server::messages::posting::{self, Submission};
use crate::server::messages::store;
use crate::server::messages::store::{Window, PAGE_HISTORY};
use crate::server::messages::{editing, read_mark};
use crate::server::AppState;
use crate::types::{ChatMessage, ChatPageData};

/// A random client id for the page's composer form.
fn fresh_client_id() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    let _ = getrandom::getrandom(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The chat window's first render: who you are, recent history, the limits.
pub async fn load() -> Result<ChatPageData, ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    let window = Window {
        limit: PAGE_HISTORY,
        ..Window::default()
    };
    let messages = state
        .history
        .page(&state.db, window, state.settings.cutoff_now())
        .await?;
    // Where the unread divider goes; then everything shown counts as seen.
    // The page still renders from memory while storage is away: without a
    // divider, and the mark stays where it was.
    let last_read_id = read_mark::of(&state.db, me.id).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "read mark unavailable");
        None
    });
    // A stored message's id: no need to clamp it or read the mark back. A
    // mark already there (a reload) costs no write.
    let unseen = messages
        .last()
        .filter(|newest| last_read_id.is_none_or(|mark| mark < newest.id));
    if let Some(newest) = unseen {
        if let Err(e) = read_mark::advance_to(&state.db, me.id, newest.id).await {
            tracing::warn!(error = %e, "read mark not moved");
        }
    }
    Ok(ChatPageData {
        history_complete: (messages.len() as u64) < PAGE_HISTORY,
        messages,
        me: (&me).into(),
        retention_text: state.settings.retention_text(),
        retention_secs: state.settings.messages.retention.as_secs().max(1),
        max_message_chars: state.settings.messages.max_message_chars,
        form_client_id: fresh_client_id(),
        role: me.role(),
        edit_window_secs: state.settings.messages.edit_window.as_secs(),
        preferences: me.preferences(),
        last_read_id,
        time_zone: crate::server::http::zone_cookie::of_request(),
    })
}

/// Sends a message from the composer; a plain form post then returns to `/chat`.
pub async fn send(content: String, client_id: Option<String>) -> Result<ChatMessage, ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    let submission = Submission {
        content: Some(content),
        client_id,
    };
    // The request's timeout must not answer 503 once storing has begun.
    let commitment = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Commitment>().cloned());
    let posted = posting::post(&state.posting, &me, &submission, commitment).await?;
    return_browser_to("/chat");
    Ok(posted.message)
}

/// One page of messages older than `before`, oldest first.
pub async fn older(before: i64) -> Result<Vec<ChatMessage>, ChatError> {
    let (state, _) = AppState::with_user_from_context().await?;
    let window = Window {
        before: Some(before),
        after: None,
        limit: PAGE_HISTORY,
    };
    Ok(state
        .history
        .page(&state.db, window, state.settings.cutoff_now())
        .await?)
}

/// One retained message (the no-JavaScript edit and delete forms show it).
pub async fn message(id: i64) -> Result<ChatMessage, ChatError> {
    let (state, _) = AppState::with_user_from_context().await?;
    store::find(&state.db, id, state.settings.cutoff_now())
        .await?
        .ok_or_else(|| {
            ChatError::not_found("That message does not exist, or it has expired or been deleted.")
        })
}

/// Edits one of the signed-in user's messages; a plain form post then
/// returns to `/chat`.
pub async fn edit(id: i64, content: String) -> Result<ChatMessage, ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    let edited = editing::edit(&state, &me, id, Some(content)).await?;
    return_browser_to("/chat");
    Ok(edited)
}

/// Deletes a message (own, or anyone's for a moderator); a plain form post
/// then returns to `/chat`.
pub async fn delete(id: i64) -> Result<(), ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    editing::delete(&state, &me, id).await?;
    return_browser_to("/chat");
    Ok(())
}

/// Moves the signed-in user's read mark forward to `id`.
pub async fn mark_read(id: i64) -> Result<i64, ChatError> {
    let (state, me) = AppState::with_user_from_context().await?;
    read_mark::advance(&state, &me, id).await
}
