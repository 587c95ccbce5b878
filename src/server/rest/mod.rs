//! The REST API's routes: `/api/chat/messages/` (handled in
//! `server::messages::rest`), the OpenAPI document, and a JSON 404 for any
//! other `/api/` path. (The auth endpoints are server functions; see
//! `crate::auth`.)

pub mod openapi;

use axum::routing::{any, get};
use axum::{Json, Router};

use super::http::api_error::ApiError;
use super::messages::rest as messages;
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
        // Any other path under /api/ is a JSON 404, like every API error
        // (the page's 404 is for people).
        .route("/api/{*rest}", any(|| async { ApiError::not_found() }))
}
