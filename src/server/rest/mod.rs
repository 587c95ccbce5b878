//! The REST API's routes: `/api/chat/messages/` and `/api/chat/messages/{id}/`
//! (handled in `server::messages::rest`), `/api/moderation/bans/` (in
//! `server::moderation::rest`), `/api/me/preferences` (in
//! `server::preferences::rest`), the OpenAPI document, and a JSON 404 for any
//! other `/api/` path. (The auth endpoints are server functions; see
//! `crate::auth`.)

pub mod openapi;

use axum::routing::{any, get};
use axum::{Json, Router};

use super::http::api_error::ApiError;
use super::messages::rest as messages;
use super::moderation::rest as moderation;
use super::preferences::rest as preferences;
use super::AppState;

/// The REST routes, with and without the trailing slash.
pub fn routes(state: &AppState) -> Router<AppState> {
    let document = openapi::document(&state.settings);
    let messages = get(messages::list_messages)
        .post(messages::create_message)
        .fallback(messages::other_method);
    let message = axum::routing::patch(messages::edit_message)
        .delete(messages::delete_message)
        .fallback(messages::other_method_on_one);
    let bans = get(moderation::list_bans)
        .post(moderation::create_ban)
        .fallback(moderation::other_method);
    let ban = axum::routing::delete(moderation::lift_ban).fallback(moderation::other_method_on_one);
    let prefs = get(preferences::get_preferences)
        .put(preferences::put_preferences)
        .fallback(preferences::other_method);
    Router::new()
        .route("/api/me/preferences", prefs.clone())
        .route("/api/me/preferences/", prefs)
        .route("/api/chat/messages/", messages.clone())
        .route("/api/chat/messages", messages)
        .route("/api/chat/messages/{id}/", message.clone())
        .route("/api/chat/messages/{id}", message)
        .route("/api/moderation/bans/", bans.clone())
        .route("/api/moderation/bans", bans)
        .route("/api/moderation/bans/{username}/", ban.clone())
        .route("/api/moderation/bans/{username}", ban)
        .route(
            "/api/openapi.json",
            get(move || std::future::ready(Json(document.clone()))),
        )
        // Any other path under /api/ is a JSON 404, like every API error
        // (the page's 404 is for people).
        .route("/api/{*rest}", any(|| async { ApiError::not_found() }))
}
