//! Real-time delivery: the broadcast hub and `WS /ws/chat/`.

pub mod connection;
pub mod frames;
pub mod handshake;
pub mod hub;
pub mod roster;
pub mod socket_writer;

use axum::routing::get;
use axum::Router;

use super::AppState;

/// The websocket route, with and without the trailing slash.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws/chat/", get(handshake::chat_socket))
        .route("/ws/chat", get(handshake::chat_socket))
}
