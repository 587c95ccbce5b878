//! Server functions of the chat page: called directly during server rendering,
//! over HTTP from the browser. Endpoints are fixed so clients can rely on them.
//! Like every server function here, each is a thin door: the work is in
//! `server::messages::page`, and errors get their HTTP status from `reject`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::ChatError;
use crate::types::{ChatMessage, ChatPageData};

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
