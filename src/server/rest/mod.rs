//! The REST API the seed's clients use: `/api/chat/messages/` and its OpenAPI
//! document. (The auth endpoints are server functions; see `crate::auth`.)

pub mod api_error;
pub mod history_query;
pub mod messages;
pub mod openapi;
pub mod signed_in;
pub mod submission_body;
pub mod url_encoding;

use axum::routing::get;
use axum::{Json, Router};

use super::AppState;

/// The REST routes, with and without the trailing slash.
pub fn routes(state: &AppState) -> Router<AppState> {
    let document = openapi::document(&state.settings);
    let messages = get(messages::list_messages)
        .post(messages::create_message)
        .fallback(messages::other_method);
    Router::new()
        .route("/api/chat/messages/", messages.clone())
        .route("/api/chat/messages", messages)
        .route(
            "/api/openapi.json",
            get(move || std::future::ready(Json(document.clone()))),
        )
}
