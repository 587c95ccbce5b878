//! Server functions of the chat page: called directly during server rendering,
//! over HTTP from the browser. Endpoints are fixed so clients can rely on them.
//! Like every server function here, each is a thin door: the work is in
//! `server::messages::page`, and errors get their HTTP status from `reject`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::ChatError;
use crate::types::{Alerts, Ban, ChatMessage, ChatPageData, Preferences};

/// The chat window's first render: who you are, recent history, the limits.
#[server(endpoint = "chat/page")]
pub async fn load_chat_page() -> Result<ChatPageData, ChatError> {
    crate::server::messages::page::load()
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Sends a message as the signed-in user. The composer's `ActionForm` posts
/// here: without JavaScript the browser then returns to a fresh `/chat`.
#[server(endpoint = "chat/send")]
pub async fn send_message(
    content: String,
    client_id: Option<String>,
) -> Result<ChatMessage, ChatError> {
    crate::server::messages::page::send(content, client_id)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// One page of messages older than `before`, oldest first (scrolling back).
#[server(endpoint = "chat/older", input = GetUrl)]
pub async fn load_older(before: i64) -> Result<Vec<ChatMessage>, ChatError> {
    crate::server::messages::page::older(before)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// One retained message (the no-JavaScript edit and delete forms show it).
#[server(endpoint = "chat/message", input = GetUrl)]
pub async fn load_message(id: i64) -> Result<ChatMessage, ChatError> {
    crate::server::messages::page::message(id)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Replaces the text of one of the signed-in user's messages (within the
/// edit window), with the same rules as `PATCH /api/chat/messages/{id}/`.
/// Without JavaScript the browser then returns to `/chat`.
#[server(endpoint = "chat/edit")]
pub async fn edit_message(id: i64, content: String) -> Result<ChatMessage, ChatError> {
    crate::server::messages::page::edit(id, content)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Deletes a message: your own, or anyone's for a moderator. Without
/// JavaScript the browser then returns to `/chat`.
#[server(endpoint = "chat/delete")]
pub async fn delete_message(id: i64) -> Result<(), ChatError> {
    crate::server::messages::page::delete(id)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Bans `username` (moderators only) for `duration` (`30m`, `1h`, `7d`;
/// none or empty: until unbanned), optionally deleting all their messages.
#[server(endpoint = "moderation/ban")]
pub async fn ban_user(
    username: String,
    duration: Option<String>,
    reason: Option<String>,
    purge: Option<bool>,
) -> Result<Ban, ChatError> {
    crate::server::moderation::page::ban(username, duration, reason, purge.unwrap_or(false))
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Saves the signed-in user's preferences (the Options menu, and the plain
/// form at `/chat/options` without JavaScript, which then returns to `/chat`).
/// `show_typing` is a checkbox: present (any value but "false") means on.
#[server(endpoint = "me/preferences/save")]
pub async fn save_preferences(
    sound: Alerts,
    notifications: Alerts,
    show_typing: Option<String>,
) -> Result<Preferences, ChatError> {
    let preferences = Preferences {
        sound,
        notifications,
        show_typing: show_typing.is_some_and(|v| v != "false"),
    };
    crate::server::preferences::page::save(preferences)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Records that the signed-in user has seen every message up to `id` (the
/// unread divider's place next time); the mark only moves forward.
#[server(endpoint = "me/read")]
pub async fn mark_read(id: i64) -> Result<i64, ChatError> {
    crate::server::messages::page::mark_read(id)
        .await
        .map_err(crate::server::http::respond::reject)
}
